import { Construct } from 'constructs';
import { invalid } from '../../platform/errors';

/** The API server URL Argo CD uses for the cluster it runs in. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
export const ARGOCD_NAMESPACE = 'argocd';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Application and AppProject names are DNS-1123 subdomains; namespaces are stricter, but this catches typos. */
export function checkArgoName(owner: Construct, field: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    invalid(owner, field, 'a DNS-1123 name (lowercase letters, digits, "-" and ".", at most 253 characters)', value);
  }
  return value;
}

export function checkResourceKinds(owner: Construct, field: string, kinds: { group: string; kind: string }[]): void {
  kinds.forEach((r, i) => {
    if (typeof r.group !== 'string' || !/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$|^\*$/.test(r.group)) {
      invalid(owner, `${field}[${i}].group`, 'an API group ("" for the core group, e.g. "apps") or "*"', r.group);
    }
    if (typeof r.kind !== 'string' || !/^([A-Z][A-Za-z0-9]*|\*)$/.test(r.kind)) {
      invalid(owner, `${field}[${i}].kind`, 'a kind in UpperCamelCase (e.g. "Namespace") or "*"', r.kind);
    }
  });
}

export function checkLabels(owner: Construct, field: string, labels: { [key: string]: string } | undefined) {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
      invalid(owner, `${field}.${key}`, 'a label value (letters, digits, "-", "_", ".", at most 63 characters)', value);
    }
  }
  return labels && Object.keys(labels).length ? { ...labels } : undefined;
}

/** Argo CD reads `path` relative to the repository root: no leading "/", no "..". */
export function checkRepoPath(owner: Construct, field: string, value: string): string {
  if (typeof value !== 'string' || value === '' || value.startsWith('/') || value.split('/').includes('..')) {
    invalid(owner, field, 'a folder relative to the repository root (no leading "/", no "..")', value);
  }
  return value;
}

/** A file glob such as `*.yaml` or `{*.yml,*.yaml}`, relative to the Application's path. */
export function checkGlob(owner: Construct, field: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.includes('..') || value.startsWith('/')) {
    invalid(owner, field, 'a file glob inside the folder, such as "*.yaml"', value);
  }
  return value;
}
