import { formatQuantity } from '../platform/quantity';

/** Compose durations (`1m30s`, `10s`, `500ms`, `1.5h`) in seconds; undefined when not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '0') return 0;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, µs: 0.000001, ns: 0.000000001 };
  let total = 0;
  let rest = s;
  if (!rest) return undefined;
  while (rest) {
    const m = /^([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Whole seconds, rounded up, of a compose duration. */
export function durationSeconds(value: unknown): number | undefined {
  const s = parseDuration(value);
  return s === undefined ? undefined : Math.ceil(s - 1e-9);
}

/** Compose byte sizes (`512m`, `2g`, `1gb`, `1024k`, plain bytes; units are powers of 1024) as bytes. */
export function parseBytes(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? BigInt(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([bkmgtp]?)(b|ib)?$/i.exec(value.trim());
  if (!m) return undefined;
  const power = ['b', 'k', 'm', 'g', 't', 'p'].indexOf((m[2] || 'b').toLowerCase());
  const [whole, fraction = ''] = m[1].split('.');
  const scaled = BigInt(whole + fraction) * 1024n ** BigInt(power);
  const bytes = scaled / 10n ** BigInt(fraction.length);
  return bytes > 0n ? bytes : undefined;
}

/** A memory size in the canonical form the API server stores (`512Mi`, `2Gi`; megabyte-rounded when not exact). */
export function memoryQuantity(bytes: bigint): string {
  const mi = 1024n * 1024n;
  // Sizes such as 1.5g are exact in Mi; a size that is not a whole Mi is rounded up to one.
  const rounded = bytes % mi === 0n ? bytes : (bytes / mi + 1n) * mi;
  return formatQuantity({ millis: rounded * 1000n, binary: true });
}

/** CPUs (`0.5`, `2`, `"1.25"`) as a canonical quantity (`500m`, `2`, `1250m`); undefined when not a positive number. */
export function cpuQuantity(value: unknown): string | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const millis = BigInt(Math.max(1, Math.round(n * 1000)));
  return formatQuantity({ millis, binary: false });
}

/** Millicores of a canonical CPU quantity. */
export function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

/** Bytes of a canonical binary memory quantity. */
export function memoryBytes(q: string): bigint {
  const m = /^([0-9]+)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) return 0n;
  const power = ['', 'Ki', 'Mi', 'Gi', 'Ti'].indexOf(m[2] ?? '');
  return BigInt(m[1]) * 1024n ** BigInt(power);
}

/** A CPU quantity from millicores. */
export function cpuFromMillis(millis: number): string {
  return formatQuantity({ millis: BigInt(Math.max(1, Math.round(millis))), binary: false });
}
