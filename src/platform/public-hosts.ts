import { invalid, Owner } from './errors';

/** A host an Ingress rule takes: a DNS name, or `*.` and one (a wildcard for one label). */
const PUBLIC_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a name is a host an Ingress rule takes: a DNS name in lowercase, or `*.` and one. */
export function isPublicHost(host: string): boolean {
  return typeof host === 'string' && PUBLIC_HOST.test(host);
}

/** Checks one public host name; returns it. */
export function checkPublicHost(owner: Owner, field: string, host: string): string {
  if (!isPublicHost(host)) {
    invalid(owner, field, 'a DNS host name in lowercase, or *. and one (a wildcard for one label)', host);
  }
  return host;
}

/** Checks a list of public host names, each named once; returns it. */
export function checkPublicHosts(owner: Owner, field: string, hosts: string[]): string[] {
  if (!Array.isArray(hosts)) invalid(owner, field, 'a list of host names', hosts);
  hosts.forEach((h, i) => {
    checkPublicHost(owner, `${field}[${i}]`, h);
    if (hosts.indexOf(h) !== i) invalid(owner, `${field}[${i}]`, 'a host named once', h);
  });
  return hosts;
}

/**
 * The hosts as Django's `ALLOWED_HOSTS` writes them: `*.example.com` becomes `.example.com`, which
 * Django matches against example.com and every subdomain of it (one label or more).
 */
export function djangoAllowedHosts(hosts: string[]): string[] {
  const out = hosts.map((h) => (h.startsWith('*.') ? h.slice(1) : h));
  return out.filter((h, i) => out.indexOf(h) === i);
}
