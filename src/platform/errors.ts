import { Construct } from 'constructs';

/**
 * Raised at synth time for props that make no sense.
 *
 * The message always names the construct, the field and what is accepted, so a
 * failed render points straight at the line of the environment spec to fix.
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Where a value came from: the construct (or spec) that owns it, used in error messages. */
export type Owner = Construct | string;

function describe(owner: Owner): string {
  if (typeof owner === 'string') return owner;
  const kind = owner.constructor?.name ?? 'Construct';
  return `${kind} '${owner.node.path}'`;
}

/** Throws a {@link ValidationError}: `<owner>: <field> must be <expected>; got <value>`. */
export function invalid(owner: Owner, field: string, expected: string, got: unknown): never {
  throw new ValidationError(`${describe(owner)}: ${field} must be ${expected}; got ${JSON.stringify(got)}`);
}

/**
 * Throws a {@link ValidationError} for a field that has no value and needs one:
 * `<owner>: <field> must be set: <why>`, `why` saying what it is needed for and what to set.
 */
export function missing(owner: Owner, field: string, why: string): never {
  throw new ValidationError(`${describe(owner)}: ${field} must be set: ${why}`);
}

/**
 * Checks a value of an enum at run time: from JavaScript or Python a string that is not one of the
 * values would otherwise be rendered as it is (KEDA rejects `type: Redis`) or silently ignored.
 */
export function checkEnum<T extends string>(owner: Owner, field: string, value: T, values: Record<string, T>): T {
  const allowed = Object.values(values);
  if (!allowed.includes(value)) invalid(owner, field, `one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, value);
  return value;
}

/** Checks an integer range, inclusive on both ends. */
export function checkInteger(owner: Owner, field: string, value: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    invalid(owner, field, range, value);
  }
  return value;
}

/** Checks a min/max pair such as HPA or KEDA replica bounds; `field` is the prefix the user wrote (`queues[0]`), or empty. */
export function checkReplicaRange(owner: Owner, field: string, min: number, max: number, lowest: number): void {
  const name = (prop: string) => (field ? `${field}.${prop}` : prop);
  checkInteger(owner, name('minReplicas'), min, lowest);
  checkInteger(owner, name('maxReplicas'), max, 1);
  if (min > max) {
    invalid(owner, name('minReplicas'), `<= maxReplicas (${max})`, min);
  }
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a name that becomes part of a Kubernetes object name or label value.
 * RFC 1035 labels are the strictest rule any of our kinds has (Service names).
 */
export function checkDnsLabel(owner: Owner, field: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length > maxLength || !DNS_LABEL.test(value)) {
    invalid(owner, field, `a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most ${maxLength} characters)`, value);
  }
  return value;
}

/**
 * Checks a Secret key reference: both the Secret's name and the key are required. The fields are
 * the props as the user wrote them, e.g. `secretName` and `databaseUrlKey`.
 */
export function checkSecretKey(owner: Owner, secretField: string, secretName: string | undefined, keyField: string, key: string | undefined): void {
  if (!secretName || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secretName)) {
    invalid(owner, secretField, 'the name of an existing Secret (DNS-1123 subdomain)', secretName);
  }
  if (!key || !/^[-._a-zA-Z0-9]+$/.test(key)) {
    invalid(owner, keyField, 'a Secret key (letters, digits, ".", "_" or "-")', key);
  }
}
