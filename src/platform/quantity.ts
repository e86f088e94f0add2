import { invalid, Owner } from './errors';

/**
 * Kubernetes quantities in their canonical form.
 *
 * The API server stores `1000m` as `1` and `1024Mi` as `1Gi`. If we render the
 * non-canonical spelling, Argo CD compares it with the stored value and shows a
 * diff that never goes away, so every quantity is canonicalised before it is written.
 */

const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { 'm': -1, '': 0, 'k': 1, 'M': 2, 'G': 3, 'T': 4, 'P': 5, 'E': 6 };
const DECIMAL_SUFFIX = ['m', '', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const FORM = /^([0-9]+)(?:\.([0-9]+))?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

/** A parsed quantity: an exact number of thousandths, and whether it was written with a binary suffix. */
export interface Quantity {
  readonly millis: bigint;
  readonly binary: boolean;
}

export function parseQuantity(owner: Owner, field: string, text: string): Quantity {
  const match = typeof text === 'string' ? FORM.exec(text) : null;
  if (!match) {
    invalid(owner, field, 'a Kubernetes quantity such as "500m", "1", "1.5", "512Mi" or "2Gi"', text);
  }
  const [, whole, fraction = '', suffix = ''] = match;
  const binary = suffix in BINARY;
  const scale = binary ? 1024n ** BigInt(BINARY[suffix]) * 1000n : 10n ** BigInt(DECIMAL[suffix] * 3 + 3);
  const numerator = BigInt(whole + fraction) * scale;
  const denominator = 10n ** BigInt(fraction.length);
  if (numerator % denominator !== 0n) {
    invalid(owner, field, 'a quantity with at most milli precision', text);
  }
  const millis = numerator / denominator;
  if (millis === 0n) {
    invalid(owner, field, 'a quantity greater than zero', text);
  }
  return { millis, binary };
}

/** Writes a quantity the way the API server stores it. */
export function formatQuantity(q: Quantity): string {
  if (q.binary && q.millis % 1000n === 0n) {
    const units = q.millis / 1000n;
    let exponent = 0;
    while (exponent < BINARY_SUFFIX.length - 1 && units % 1024n ** BigInt(exponent + 1) === 0n) exponent++;
    return `${units / 1024n ** BigInt(exponent)}${BINARY_SUFFIX[exponent]}`;
  }
  let exponent = 0; // index into DECIMAL_SUFFIX, 0 = milli
  while (exponent < DECIMAL_SUFFIX.length - 1 && q.millis % 1000n ** BigInt(exponent + 1) === 0n) exponent++;
  return `${q.millis / 1000n ** BigInt(exponent)}${DECIMAL_SUFFIX[exponent]}`;
}

/** Parses and re-writes a quantity in canonical form, rejecting malformed input. */
export function canonicalQuantity(owner: Owner, field: string, text: string): string {
  return formatQuantity(parseQuantity(owner, field, text));
}
