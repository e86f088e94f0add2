// Reads compose values the way compose does: names as DNS labels and Secret keys, mounts in the short and
// long syntax, ports, healthchecks. Pure functions, shared by every mapping module.
import { urlsIn } from '../hosts';
import { IMAGE_ROLE_NAMES, Role } from '../roles';
import { quoteArgv } from '../shell';
import { durationSeconds } from '../units';

export const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|SECRETS|TOKEN|TOKENS|KEY|KEYS|APIKEY|CREDENTIAL|CREDENTIALS|DSN|AUTH|SALT|SIGNATURE|PRIVATE|CERT|COOKIE|WEBHOOK)(_|$)/i;

/** A DNS label (RFC 1123) made from a compose name: lowercase, `-` for anything else, at most 63 characters. */
export function dnsLabel(s: string, max = 63): string {
  const label = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return label || 'app';
}

/** The Secret key for an environment variable: `SENTRY_DSN` → `sentry-dsn`. */
export function secretKeyFor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'value';
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function sorted<T extends string>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function listOf(v: unknown): any[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function intOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[0-9]+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A mount of a service, normalized from the short or long syntax. */
export interface Mount {
  readonly service: string;
  readonly index: number;
  readonly type: 'volume' | 'bind' | 'tmpfs' | 'anonymous' | 'other';
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export function parseMount(service: string, index: number, v: unknown): Mount | undefined {
  if (typeof v === 'string') {
    const parts = v.split(':');
    // Windows drive letters are not supported; a single part is an anonymous volume.
    if (parts.length === 1) return { service, index, type: 'anonymous', target: parts[0], readOnly: false };
    const [source, target, mode = ''] = parts;
    const bind = /^[.~/$]/.test(source);
    return { service, index, type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  }
  if (isObject(v) && typeof v.target === 'string') {
    const type = ['volume', 'bind', 'tmpfs'].includes(v.type) ? v.type : v.source === undefined ? 'anonymous' : 'other';
    return { service, index, type: v.type === 'volume' && v.source === undefined ? 'anonymous' : type, source: v.source, target: v.target, readOnly: v.read_only === true };
  }
  return undefined;
}

export interface PortSpec {
  readonly target: number;
  readonly published?: string;
}

export function parsePorts(v: unknown): PortSpec[] {
  const out: PortSpec[] = [];
  for (const p of listOf(v)) {
    if (typeof p === 'number') {
      out.push({ target: p });
    } else if (typeof p === 'string') {
      const s = p.replace(/\/(tcp|udp|sctp)$/, '');
      const parts = s.split(':');
      const target = parts[parts.length - 1];
      const range = /^([0-9]+)(?:-([0-9]+))?$/.exec(target);
      if (!range) continue;
      const published = parts.length > 1 ? parts.slice(0, -1).join(':') : undefined;
      const lo = Number(range[1]);
      const hi = range[2] ? Number(range[2]) : lo;
      for (let t = lo; t <= hi && t - lo < 100; t++) out.push({ target: t, published });
    } else if (isObject(p) && intOf(p.target) !== undefined) {
      out.push({ target: intOf(p.target)!, published: p.published !== undefined ? String(p.published) : undefined });
    }
  }
  return out;
}

/** The compose healthcheck, read. */
export interface Health {
  readonly form?: 'CMD' | 'CMD-SHELL' | 'NONE';
  readonly text?: string;
  readonly path?: string;
  readonly port?: number;
  readonly interval?: number;
  readonly timeout?: number;
  readonly retries?: number;
  readonly startPeriod?: number;
  readonly disabled: boolean;
}

export function readHealth(h: unknown): Health | undefined {
  if (!isObject(h)) return undefined;
  let form: Health['form'];
  let text: string | undefined;
  if (typeof h.test === 'string') {
    form = 'CMD-SHELL';
    text = h.test;
  } else if (Array.isArray(h.test) && h.test.length) {
    const [head, ...rest] = h.test.map(String);
    if (head === 'NONE') {form = 'NONE';} else if (head === 'CMD-SHELL') {
      form = 'CMD-SHELL';
      text = rest.join(' ');
    } else {
      form = 'CMD';
      text = quoteArgv(head === 'CMD' ? rest : [head, ...rest]);
    }
  }
  const url = text ? urlsIn(text).find((u) => /^https?$/.test(u.scheme)) : undefined;
  return {
    form,
    text,
    path: url ? (url.rest.replace(/[#].*$/, '') || '/') : undefined,
    port: url?.port,
    interval: durationSeconds(h.interval),
    timeout: durationSeconds(h.timeout),
    retries: intOf(h.retries),
    startPeriod: durationSeconds(h.start_period),
    disabled: h.disable === true || form === 'NONE',
  };
}

/** The role an image name alone gives (for telling a product image from a project's own image name). */
export function classifyName(name: string): Role {
  return IMAGE_ROLE_NAMES.find(([re]) => re.test(name))?.[1] ?? 'stateless';
}

export function isLocalHost(host: string): boolean {
  return /^(localhost|127\.|0\.0\.0\.0$|::1$|\[::1\]$|host\.docker\.internal$)/.test(host);
}

export function ipv4(host: string): boolean {
  return /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/.test(host);
}
