/** Prints the generated app: TypeScript object literals with comments, formatted as a person would. */
import { enumMemberAt } from './chart-enums';

/**
 * A value the printer writes as a TypeScript literal: the typed props (DjangoAppChartProps) seen as
 * data, made of strings, numbers, booleans, lists and plain objects (undefined fields are left out).
 * Strings of enum props (chart-enums.ts) are written as `Enum.MEMBER`.
 */
export type PrintableValue = unknown;
type PrintableObject = Record<string, unknown>;

const WIDTH = 110;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A TypeScript string literal in single quotes. */
export function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function keyOf(k: string): string {
  return IDENT.test(k) ? k : str(k);
}

function isObject(v: PrintableValue): v is PrintableObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every enum name used below a value at a path, for the import line. */
export function enumsUsed(v: PrintableValue, at = '', out = new Set<string>()): Set<string> {
  if (typeof v === 'string') {
    const member = enumMemberAt(at, v);
    if (member) out.add(member.enumName);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => enumsUsed(x, `${at}[${i}]`, out));
  } else if (isObject(v)) {
    Object.entries(v).forEach(([k, x]) => enumsUsed(x, at ? `${at}.${k}` : k, out));
  }
  return out;
}

export class Printer {
  /** Comment lines to print above the value at a path (`backend`, `workers.queues[1]`). */
  constructor(private readonly comments: Map<string, string[]> = new Map()) {}

  public print(value: PrintableValue, indent: string, at: string): string {
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
    if (isObject(value)) {
      const inner = indent + '  ';
      const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, PrintableValue][];
      const lines = entries.map(([k, v]) => {
        const p = at ? `${at}.${k}` : k;
        return `${this.commentLines(p, inner)}${inner}${keyOf(k)}: ${this.print(v, inner, p)},`;
      });
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    return this.scalar(value, at);
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

  private inline(value: PrintableValue, at: string): string | undefined {
    if (at && this.hasComments(at) && (Array.isArray(value) || isObject(value))) {
      // A comment on a child needs lines of its own.
      for (const k of this.comments.keys()) if (k.startsWith(`${at}.`) || k.startsWith(`${at}[`)) return undefined;
    }
    if (Array.isArray(value)) {
      const parts = value.map((v, i) => this.inline(v, `${at}[${i}]`));
      if (parts.some((p) => p === undefined)) return undefined;
      return `[${parts.join(', ')}]`;
    }
    if (isObject(value)) {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, PrintableValue][];
      if (!entries.length) return '{}';
      const parts = entries.map(([k, v]) => {
        const inner = this.inline(v, at ? `${at}.${k}` : k);
        return inner === undefined ? undefined : `${keyOf(k)}: ${inner}`;
      });
      if (parts.some((p) => p === undefined)) return undefined;
      return `{ ${parts.join(', ')} }`;
    }
    return this.scalar(value, at);
  }

  private scalar(value: PrintableValue, at: string): string {
    if (typeof value === 'string') {
      const member = enumMemberAt(at, value);
      return member ? `${member.enumName}.${member.member}` : str(value);
    }
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
