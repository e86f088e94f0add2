/** Host names inside configuration values: URLs, `host:port` pairs and bare names. */

const URL = /\b([a-z][a-z0-9+.-]*):\/\/(?:([^\s/@:]*)(?::([^\s/@]*))?@)?(\[[^\]]+\]|[^\s/:?#,;'"]+)(?::(\d+))?([^\s'",;]*)/gi;

export interface UrlParts {
  readonly scheme: string;
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly port?: number;
  /** Path, query and fragment. */
  readonly rest: string;
}

/** The URLs in a value. */
export function urlsIn(value: string): UrlParts[] {
  const out: UrlParts[] = [];
  for (const m of value.matchAll(URL)) {
    out.push({ scheme: m[1].toLowerCase(), user: m[2] || undefined, password: m[3], host: m[4], port: m[5] ? Number(m[5]) : undefined, rest: m[6] ?? '' });
  }
  return out;
}

/** Whether a value holds a URL with a password (`scheme://user:secret@host`). */
export function hasCredentials(value: string): boolean {
  return urlsIn(value).some((u) => u.password !== undefined && u.password !== '');
}

/** The names among `names` that a value addresses: URL hosts, `name:port`, comma lists of them, or the bare name. */
export function hostsIn(value: string, names: string[]): string[] {
  const found = new Set<string>();
  for (const u of urlsIn(value)) if (names.includes(u.host)) found.add(u.host);
  for (const part of value.split(/[\s,;]+/)) {
    const m = /^([A-Za-z0-9_.-]+)(?::\d+)?$/.exec(part);
    if (m && names.includes(m[1])) found.add(m[1]);
  }
  return [...found];
}
