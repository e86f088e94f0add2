// The exceptions file (hack/validate/exceptions.yaml, or --exceptions FILE): the one place where a finding
// is accepted, for one object with a reason, or for a check replaced by a check of the gate's own
// ("checks"). Checks that guard the container security baseline can never be excepted.
import * as fs from 'fs';
import { parse } from 'yaml';
import { ALL_TOOLS, Finding, isTool } from './findings';
import { isTrivySecurityCheck } from './trivy';
import { ValidationError } from '../platform/errors';

// Checks that guard the container security baseline. No exception may name them.
export const SECURITY_CHECKS = new Set([
  // kube-score
  'container-security-context-user-group-id',
  'container-security-context-privileged',
  'container-security-context-readonlyrootfilesystem',
  'container-seccomp-profile',
  // kube-linter names, refused as well should it be added later
  'run-as-non-root',
  'privilege-escalation-container',
  'no-read-only-root-fs',
  'drop-net-raw-capability',
  'privileged-container',
  'privileged-ports',
  'host-network',
  'host-pid',
  'host-ipc',
  'docker-sock',
  'unsafe-proc-mount',
  'writable-host-mount',
  'sensitive-host-mounts',
]);
const SECURITY_PATTERN = /security-context|capabilit|privilege|non-root|read-only-root|readonlyrootfilesystem|seccomp/i;

export function isSecurityCheck(check: string): boolean {
  return SECURITY_CHECKS.has(check) || SECURITY_PATTERN.test(check) || isTrivySecurityCheck(check);
}

/** One finding accepted for one object: tool, check, kind, namespace and name say which. */
export interface Exception {
  readonly tool: string;
  readonly check: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Only in this environment folder; every folder without. */
  readonly env?: string;
  readonly reason: string;
  /** A temporary exception: the fix that ends it. */
  readonly until?: string;
  /** How many findings it accepted in this run. */
  used: number;
}

/** A check replaced, for every object, by a check of the gate's own (REPLACEMENTS). */
export interface Decision {
  readonly tool: string;
  readonly check: string;
  readonly instead: string;
  readonly reason: string;
  used: number;
}

export interface ExceptionsFile {
  readonly exceptions: Exception[];
  readonly decisions: Decision[];
  /** The registry hosts KSV-0125 trusts. */
  readonly trustedRegistries: string[];
}

/** What a replacement needs to know of the folder a finding comes from. */
export interface ReplacementContext {
  /** The kinds of object the folder renders in a namespace. */
  readonly kindsInNamespace: (namespace: string) => Set<unknown>;
}

export interface Replacement {
  /** "<tool> <check>" of each check it may replace */
  readonly checks: string[];
  readonly holds: (f: Finding, ctx: ReplacementContext) => boolean;
  /** What must hold, for the report. */
  readonly describe: (f: Finding) => string;
}

const EXCEPTION_KEYS = ['tool', 'check', 'kind', 'namespace', 'name', 'env', 'reason', 'until'];
const DECISION_KEYS = ['tool', 'check', 'instead', 'reason'];

/**
 * What the gate does instead of a check that is wrong for every object. Each replacement is a check of
 * its own: a finding is accepted only when the replacement holds for that finding's object.
 */
export const REPLACEMENTS: Record<string, Replacement> = {
  // trivy KSV-0039 asks every object for a LimitRange; the question belongs to the namespace.
  'namespace-has-LimitRange': {
    checks: ['trivy KSV-0039'],
    holds: (f, ctx) => f.kind !== 'LimitRange' && ctx.kindsInNamespace(namespaceOf(f)).has('LimitRange'),
    describe: (f) => `namespace ${namespaceOf(f) || '(none)'} renders a LimitRange`,
  },
  // trivy KSV-0040 likewise for the ResourceQuota.
  'namespace-has-ResourceQuota': {
    checks: ['trivy KSV-0040'],
    holds: (f, ctx) => f.kind !== 'ResourceQuota' && ctx.kindsInNamespace(namespaceOf(f)).has('ResourceQuota'),
    describe: (f) => `namespace ${namespaceOf(f) || '(none)'} renders a ResourceQuota`,
  },
  // cyclonus's DNS lint asks every egress target alone whether it reaches 8.8.8.8:53; the traffic
  // matrix asks the engine whether every component reaches the cluster DNS.
  'traffic-matrix-dns': {
    checks: ['cyclonus CheckDNSBlockedOnTCP', 'cyclonus CheckDNSBlockedOnUDP'],
    holds: (f) => f.dnsProvenByMatrix === true,
    describe: () => 'the traffic matrix showed every component reaching the cluster DNS on each DNS port',
  },
};

function namespaceOf(f: Finding): string {
  return f.kind === 'Namespace' ? f.name : f.namespace;
}

/**
 * Reads and vets the exceptions file; throws a ValidationError naming every entry that is malformed or
 * not allowed. No file (or none given): nothing is excepted.
 */
export function loadExceptionsFile(file: string | null | undefined): ExceptionsFile {
  if (!file || !fs.existsSync(file)) return { exceptions: [], decisions: [], trustedRegistries: [] };
  const doc = parse(fs.readFileSync(file, 'utf8')) || {};
  for (const k of Object.keys(doc)) if (!['trustedRegistries', 'exceptions', 'checks'].includes(k)) throw new ValidationError(`${file}: unknown top-level key "${k}" (trustedRegistries, exceptions, checks)`);
  const list: unknown = doc.exceptions || [];
  const decisions: unknown = doc.checks || [];
  const registries: unknown = doc.trustedRegistries || [];
  if (!Array.isArray(registries)) throw new ValidationError(`${file}: "trustedRegistries" must be a list of registry hosts`);
  if (!Array.isArray(list)) throw new ValidationError(`${file}: "exceptions" must be a list`);
  if (!Array.isArray(decisions)) throw new ValidationError(`${file}: "checks" must be a list`);
  const errors: string[] = [];
  const securityRefusal = (where: string, check: string): string => `${where}: "${check}" is a security check (run as non-root, privilege escalation, read-only root filesystem, capabilities, seccomp, host namespaces); it cannot be excepted: fix the manifest`;
  list.forEach((e: any, i) => {
    const where = `${file}: exception #${i + 1}`;
    if (!e || typeof e !== 'object') { errors.push(`${where} is not a mapping`); return; }
    for (const k of Object.keys(e)) if (!EXCEPTION_KEYS.includes(k)) errors.push(`${where}: unknown key "${k}"`);
    for (const k of ['tool', 'check', 'kind', 'name', 'reason']) {
      if (typeof e[k] !== 'string' || !e[k].trim()) errors.push(`${where}: "${k}" is required`);
    }
    if (e.tool && !isTool(e.tool)) errors.push(`${where}: unknown tool "${e.tool}" (one of ${ALL_TOOLS.join(', ')})`);
    if (typeof e.reason === 'string' && e.reason.trim().length < 20) errors.push(`${where}: the reason must explain the exception (20 characters at least)`);
    if (e.until !== undefined && (typeof e.until !== 'string' || e.until.trim().length < 10)) errors.push(`${where}: "until" must name the fix that ends the exception`);
    if (e.check && isSecurityCheck(e.check)) errors.push(securityRefusal(where, e.check));
    if (e.tool === 'kubeconform') errors.push(`${where}: kubeconform findings are objects the API server would reject; they cannot be excepted`);
    if (e.tool === 'apiversions' && e.check !== 'deprecated') errors.push(`${where}: only "deprecated" apiversions findings can be excepted, not "${e.check}"`);
    if (e.tool === 'cyclonus' && !/^Check[A-Za-z]+$/.test(e.check || '')) errors.push(`${where}: only cyclonus lint findings (Check...) can be excepted; a traffic, model or diagram finding is fixed in the policies or the model, not "${e.check}"`);
    if (e.name === '*' || e.kind === '*') errors.push(`${where}: name and kind must name one object, not "*"`);
  });
  decisions.forEach((d: any, i) => {
    const where = `${file}: checks #${i + 1}`;
    if (!d || typeof d !== 'object') { errors.push(`${where} is not a mapping`); return; }
    for (const k of Object.keys(d)) if (!DECISION_KEYS.includes(k)) errors.push(`${where}: unknown key "${k}"`);
    for (const k of DECISION_KEYS) if (typeof d[k] !== 'string' || !d[k].trim()) errors.push(`${where}: "${k}" is required`);
    if (d.check && isSecurityCheck(d.check)) errors.push(securityRefusal(where, d.check));
    const r = REPLACEMENTS[d.instead];
    if (d.instead && !r) errors.push(`${where}: unknown replacement "${d.instead}" (one of ${Object.keys(REPLACEMENTS).join(', ')})`);
    else if (r && !r.checks.includes(`${d.tool} ${d.check}`)) errors.push(`${where}: "${d.instead}" replaces ${r.checks.join(' or ')}, not ${d.tool} ${d.check}`);
    if (typeof d.reason === 'string' && d.reason.trim().length < 40) errors.push(`${where}: the reason must explain why the check is wrong for every object (40 characters at least)`);
  });
  registries.forEach((r, i) => {
    if (typeof r !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]+)?$/.test(r)) {
      errors.push(`${file}: trustedRegistries #${i + 1}: ${JSON.stringify(r)} is not a registry host such as registry.example.com (no path, no scheme)`);
    }
  });
  if (errors.length) throw new ValidationError(`exceptions refused:\n  ${errors.join('\n  ')}`);
  // vetted above: every entry is a mapping of the keys and types its interface names
  return {
    trustedRegistries: registries,
    exceptions: list.map((e: Exception) => ({ ...e, namespace: e.namespace || '', used: 0 })),
    decisions: decisions.map((d: Decision) => ({ ...d, used: 0 })),
  };
}

/** The per-object exceptions of the file (vetting the whole file). */
export function loadExceptions(file: string | null | undefined): Exception[] {
  return loadExceptionsFile(file).exceptions;
}

export function exceptionMatches(e: Exception, f: Finding): boolean {
  return e.tool === f.tool && e.check === f.check && e.kind === f.kind && e.name === f.name
    && e.namespace === (f.namespace || '') && (!e.env || e.env === f.env);
}

