/** One `KEY=value` line of an env file. */
export interface DotenvEntry {
  readonly name: string;
  /** Undefined for a bare `KEY` line: the value comes from the environment. */
  readonly value?: string;
  /** Single-quoted values are literal; the others are interpolated, as compose does. */
  readonly literal: boolean;
  readonly line: number;
}

/**
 * Parses an env file the way compose reads `.env` and `env_file`: `KEY=value`, optional
 * `export `, `#` comments, single quotes (literal), double quotes (escapes, several lines),
 * inline ` #` comments after unquoted values. Throws with the line number on a bad line.
 */
export function parseDotenv(text: string, file: string): DotenvEntry[] {
  const entries: DotenvEntry[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/^\s+/, '');
    if (raw === '' || raw.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(=|$)(.*)$/.exec(raw);
    if (!m) throw new Error(`${file}:${i + 1}: expected KEY=value, got ${JSON.stringify(raw.slice(0, 40))}`);
    const [, name, eq, restRaw] = m;
    if (eq === '') {
      entries.push({ name, literal: false, line: i + 1 });
      continue;
    }
    let rest = restRaw.replace(/^\s+/, '');
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      let body = '';
      let j = 1;
      let line = i;
      for (;;) {
        if (j >= rest.length) {
          if (quote === "'" || line + 1 >= lines.length) throw new Error(`${file}:${i + 1}: unterminated ${quote} quote`);
          line++;
          body += '\n';
          rest = lines[line];
          j = 0;
          continue;
        }
        const c = rest[j];
        if (quote === '"' && c === '\\' && j + 1 < rest.length) {
          const e = rest[j + 1];
          body += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
          continue;
        }
        if (c === quote) break;
        body += c;
        j++;
      }
      i = line;
      entries.push({ name, value: body, literal: quote === "'", line: i + 1 });
      continue;
    }
    const comment = rest.search(/\s#/);
    entries.push({ name, value: (comment >= 0 ? rest.slice(0, comment) : rest).trim(), literal: false, line: i + 1 });
  }
  return entries;
}
