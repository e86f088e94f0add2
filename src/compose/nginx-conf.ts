/** Reads what an nginx.conf routes, to report which routes the generated edge covers. */

export interface NginxDirective {
  readonly name: string;
  readonly args: string[];
  readonly block?: NginxDirective[];
}

export interface NginxLocation {
  /** `=`, `~`, `~*`, `^~`, `@` or empty (a prefix). */
  readonly modifier: string;
  readonly path: string;
  /** The upstream host (service or upstream block name) of proxy_pass, without scheme and path. */
  readonly proxyHost?: string;
  readonly proxyPass?: string;
  /** `alias` or `root`: files from a mounted folder. */
  readonly files?: string;
  readonly internal: boolean;
  readonly returns?: string;
  /** proxy_set_header Upgrade: a WebSocket route. */
  readonly websocket: boolean;
  readonly bodySize?: string;
  readonly requestBufferingOff: boolean;
}

export interface NginxSite {
  readonly serverNames: string[];
  readonly listen: string[];
  readonly locations: NginxLocation[];
  /** client_max_body_size outside locations. */
  readonly bodySize?: string;
  readonly proxyReadTimeout?: string;
  /** Upstream block name → its `server` addresses. */
  readonly upstreams: Record<string, string[]>;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        // nginx unescapes only quotes and backslashes; a regex keeps its other escapes.
        if (text[j] === '\\' && j + 1 < text.length && (text[j + 1] === c || text[j + 1] === '\\')) j++;
        s += text[j++];
      }
      tokens.push(s);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};]/.test(text[j])) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Parses nginx configuration syntax into directives; throws on unbalanced braces. */
export function parseNginx(text: string): NginxDirective[] {
  const tokens = tokenize(text);
  let pos = 0;
  const block = (nested: boolean): NginxDirective[] => {
    const out: NginxDirective[] = [];
    let words: string[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t === ';') {
        if (words.length) out.push({ name: words[0], args: words.slice(1) });
        words = [];
      } else if (t === '{') {
        const inner = block(true);
        out.push({ name: words[0] ?? '', args: words.slice(1), block: inner });
        words = [];
      } else if (t === '}') {
        if (!nested) throw new Error('unexpected "}"');
        return out;
      } else {
        words.push(t);
      }
    }
    if (nested) throw new Error('missing "}"');
    return out;
  };
  return block(false);
}

function first(ds: NginxDirective[] | undefined, name: string): NginxDirective | undefined {
  return ds?.find((d) => d.name === name);
}

function proxyHostOf(target: string): string {
  return target.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '').replace(/:\d+$/, '').replace(/^\$.*/, '');
}

function locations(ds: NginxDirective[]): NginxLocation[] {
  const out: NginxLocation[] = [];
  for (const d of ds) {
    if (d.name !== 'location' || !d.block) continue;
    const [a, b] = d.args;
    const modifier = b !== undefined ? a : a?.startsWith('@') ? '@' : '';
    const p = b !== undefined ? b : a ?? '';
    const proxy = first(d.block, 'proxy_pass') ?? first(d.block, 'uwsgi_pass') ?? first(d.block, 'fastcgi_pass');
    const files = first(d.block, 'alias') ?? first(d.block, 'root');
    const ret = first(d.block, 'return');
    const upgrade = d.block.some((x) => x.name === 'proxy_set_header' && /^upgrade$/i.test(x.args[0] ?? ''));
    out.push({
      modifier,
      path: p,
      proxyPass: proxy?.args[0],
      proxyHost: proxy ? proxyHostOf(proxy.args[0] ?? '') : undefined,
      files: files?.args[0],
      internal: d.block.some((x) => x.name === 'internal'),
      returns: ret ? ret.args.join(' ') : undefined,
      websocket: upgrade,
      bodySize: first(d.block, 'client_max_body_size')?.args[0],
      requestBufferingOff: first(d.block, 'proxy_request_buffering')?.args[0] === 'off',
    });
    out.push(...locations(d.block));
  }
  return out;
}

/** The sites of a parsed configuration: every `server` block, wherever it is (http or top level of a conf.d file). */
export function nginxSite(ds: NginxDirective[]): NginxSite {
  const servers: NginxDirective[] = [];
  const upstreams: Record<string, string[]> = {};
  let bodySize: string | undefined;
  let proxyReadTimeout: string | undefined;
  const walk = (list: NginxDirective[]) => {
    for (const d of list) {
      if (d.name === 'server' && d.block) servers.push(d);
      else if (d.name === 'upstream' && d.block) upstreams[d.args[0]] = d.block.filter((x) => x.name === 'server').map((x) => x.args[0]);
      else if (d.name === 'http' && d.block) walk(d.block);
      else if (d.name === 'client_max_body_size') bodySize = d.args[0];
      else if (d.name === 'proxy_read_timeout') proxyReadTimeout = d.args[0];
    }
  };
  walk(ds);
  const serverNames: string[] = [];
  const listen: string[] = [];
  const locs: NginxLocation[] = [];
  for (const s of servers) {
    for (const d of s.block!) {
      if (d.name === 'server_name') serverNames.push(...d.args.filter((n) => n !== '_' && n !== 'localhost'));
      if (d.name === 'listen') listen.push(d.args.join(' '));
      if (d.name === 'client_max_body_size') bodySize = d.args[0];
      if (d.name === 'proxy_read_timeout') proxyReadTimeout = d.args[0];
    }
    locs.push(...locations(s.block!));
  }
  return { serverNames: [...new Set(serverNames)], listen, locations: locs, bodySize, proxyReadTimeout, upstreams };
}
