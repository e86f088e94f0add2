/** Prints the generated app: TypeScript object literals with comments, formatted as a person would. */

/** An enum member of the public API, printed as `Enum.MEMBER`. */
export class EnumRef {
  constructor(public readonly enumName: string, public readonly member: string) {}
}

export type PlanValue = string | number | boolean | EnumRef | PlanValue[] | PlanObject;
export interface PlanObject {
  [key: string]: PlanValue | undefined;
}

const WIDTH = 110;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A TypeScript string literal in single quotes. */
export function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function keyOf(k: string): string {
  return IDENT.test(k) ? k : str(k);
}

function isPlanObject(v: PlanValue | undefined): v is PlanObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof EnumRef);
}

/** Every enum name used below a value, for the import line. */
export function enumsUsed(v: PlanValue | undefined, out = new Set<string>()): Set<string> {
  if (v instanceof EnumRef) out.add(v.enumName);
  else if (Array.isArray(v)) v.forEach((x) => enumsUsed(x, out));
  else if (isPlanObject(v)) Object.values(v).forEach((x) => enumsUsed(x, out));
  return out;
}

export class Printer {
  /** Comment lines to print above the value at a path (`backend`, `workers.queues[1]`). */
  constructor(private readonly comments: Map<string, string[]> = new Map()) {}

  public print(value: PlanValue, indent: string, at: string): string {
    const inline = this.inline(value, at);
    if (inline !== undefined && indent.length + inline.length <= WIDTH) return inline;
    if (Array.isArray(value)) {
      const inner = indent + '  ';
      const lines = value.map((v, i) => {
        const p = `${at}[${i}]`;
        return `${this.commentLines(p, inner)}${inner}${this.print(v, inner, p)},`;
      });
      return `[\n${lines.join('\n')}\n${indent}]`;
    }
    if (isPlanObject(value)) {
      const inner = indent + '  ';
      const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, PlanValue][];
      const lines = entries.map(([k, v]) => {
        const p = at ? `${at}.${k}` : k;
        return `${this.commentLines(p, inner)}${inner}${keyOf(k)}: ${this.print(v, inner, p)},`;
      });
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    return this.scalar(value);
  }

  private commentLines(at: string, indent: string): string {
    const c = this.comments.get(at);
    if (!c) return '';
    return c.flatMap((line) => wrap(line, WIDTH - indent.length - 3)).map((l) => `${indent}// ${l}\n`).join('');
  }

  private hasComments(at: string): boolean {
    for (const k of this.comments.keys()) if (k === at || k.startsWith(`${at}.`) || k.startsWith(`${at}[`)) return true;
    return false;
  }

  private inline(value: PlanValue, at: string): string | undefined {
    if (at && this.hasComments(at) && (Array.isArray(value) || isPlanObject(value))) {
      // A comment on a child needs lines of its own.
      for (const k of this.comments.keys()) if (k.startsWith(`${at}.`) || k.startsWith(`${at}[`)) return undefined;
    }
    if (Array.isArray(value)) {
      const parts = value.map((v, i) => this.inline(v, `${at}[${i}]`));
      if (parts.some((p) => p === undefined)) return undefined;
      return `[${parts.join(', ')}]`;
    }
    if (isPlanObject(value)) {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, PlanValue][];
      if (!entries.length) return '{}';
      const parts = entries.map(([k, v]) => {
        const inner = this.inline(v, at ? `${at}.${k}` : k);
        return inner === undefined ? undefined : `${keyOf(k)}: ${inner}`;
      });
      if (parts.some((p) => p === undefined)) return undefined;
      return `{ ${parts.join(', ')} }`;
    }
    return this.scalar(value);
  }

  private scalar(value: PlanValue): string {
    if (value instanceof EnumRef) return `${value.enumName}.${value.member}`;
    if (typeof value === 'string') return str(value);
    return String(value);
  }
}

/** Wraps a comment at word boundaries. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}
