/**
 * Compose variable interpolation, as `docker compose config` does it: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
 * `${VAR+alt}`, nested defaults, and `$$` for a literal `$`.
 */

/** Where a variable's value came from. */
export enum VariableSource {
  /** The shell environment the import runs in. */
  ENVIRONMENT = 'environment',
  /** The `.env` file next to the compose file, or `--env-file`. */
  ENV_FILE = 'env-file',
}

/** One variable a string refers to, and how it was resolved. */
export interface VariableUse {
  readonly name: string;
  /** `set`: it has a value; `default`: unset, its default or alternative was used; `unset`: empty string; `error`: `${VAR:?msg}` unset. */
  readonly state: 'set' | 'default' | 'unset' | 'error';
  readonly source?: VariableSource;
  /** The message of `${VAR:?message}`. */
  readonly message?: string;
}

/** A string after interpolation. */
export interface Interpolated {
  readonly text: string;
  /** Every variable the string refers to, in order (nested defaults included). */
  readonly uses: VariableUse[];
}

export interface VariableValue {
  readonly value: string;
  readonly source: VariableSource;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Resolves compose variables from the environment and the env file (the environment wins, as in compose). */
export class Variables {
  private readonly values = new Map<string, VariableValue>();

  constructor(environment: Record<string, string | undefined>, envFile: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(envFile)) this.values.set(name, { value, source: VariableSource.ENV_FILE });
    for (const [name, value] of Object.entries(environment)) {
      if (value !== undefined) this.values.set(name, { value, source: VariableSource.ENVIRONMENT });
    }
  }

  public get(name: string): VariableValue | undefined {
    return this.values.get(name);
  }

  /** Every variable with a value, by name. */
  public entries(): [string, VariableValue][] {
    return [...this.values.entries()];
  }

  /** Interpolates one string. Never throws: unset variables are reported in `uses`. */
  public interpolate(input: string): Interpolated {
    const uses: VariableUse[] = [];
    const text = this.expand(input, uses);
    return { text, uses };
  }

  private expand(input: string, uses: VariableUse[]): string {
    let out = '';
    let i = 0;
    while (i < input.length) {
      const c = input[i];
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const next = input[i + 1];
      if (next === '$') {
        out += '$';
        i += 2;
        continue;
      }
      if (next === '{') {
        const end = closingBrace(input, i + 2);
        if (end < 0) {
          // Compose rejects an unterminated ${; keep the text so the value is visibly wrong.
          out += input.slice(i);
          break;
        }
        out += this.braced(input.slice(i + 2, end), uses);
        i = end + 1;
        continue;
      }
      const m = NAME.exec(input.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      out += this.lookup(m[0], uses);
      i += 1 + m[0].length;
    }
    return out;
  }

  private lookup(name: string, uses: VariableUse[]): string {
    const v = this.values.get(name);
    uses.push(v ? { name, state: 'set', source: v.source } : { name, state: 'unset' });
    return v?.value ?? '';
  }

  private braced(body: string, uses: VariableUse[]): string {
    const m = NAME.exec(body);
    if (!m) return '';
    const name = m[0];
    const rest = body.slice(name.length);
    if (rest === '') return this.lookup(name, uses);
    const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[1];
    if (!op) return this.lookup(name, uses);
    const arg = rest.slice(op.length);
    const v = this.values.get(name);
    const colon = op.startsWith(':');
    const present = v !== undefined && (!colon || v.value !== '');
    switch (op.replace(':', '')) {
      case '-':
        if (present) {
          uses.push({ name, state: 'set', source: v!.source });
          return v!.value;
        }
        uses.push({ name, state: 'default' });
        return this.expand(arg, uses);
      case '?':
        if (present) {
          uses.push({ name, state: 'set', source: v!.source });
          return v!.value;
        }
        uses.push({ name, state: 'error', message: this.expand(arg, []) });
        return '';
      default: // '+'
        if (present) {
          uses.push({ name, state: 'set', source: v!.source });
          return this.expand(arg, uses);
        }
        uses.push({ name, state: 'default' });
        return '';
    }
  }
}

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${`. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Whether a string refers to any variable (a `$` that is not `$$`). */
export function hasInterpolation(s: string): boolean {
  return /(^|[^$])(\$\$)*\$(\{|[A-Za-z_])/.test(s);
}

/** The variables a string refers to, without resolving them. */
export function variableNames(s: string): string[] {
  const names: string[] = [];
  new Variables({}).interpolate(s).uses.forEach((u) => {
    if (!names.includes(u.name)) names.push(u.name);
  });
  return names;
}
