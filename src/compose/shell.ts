/** Shell words and command chains, enough to read what a compose `command` runs. */

const OPERATORS = ['&&', '||', ';', '|', '&', '\n'];

/**
 * Splits a string into words as a POSIX shell does (quotes, backslashes), without expanding
 * anything. With `operators`, `&&`, `||`, `;`, `|`, `&` and newlines become words of their own.
 */
export function splitWords(s: string, operators = false): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      const stop = end < 0 ? s.length : end;
      word += s.slice(i + 1, stop);
      inWord = true;
      i = stop;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`\n'.includes(s[j + 1])) j++;
        word += s[j];
      }
      inWord = true;
      i = j;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) {
      // A backslash before a newline continues the line; it is not part of a word.
      if (s[i + 1] !== '\n') {
        word += s[i + 1];
        inWord = true;
      }
      i++;
      continue;
    }
    if (operators) {
      const op = OPERATORS.find((o) => s.startsWith(o, i));
      if (op) {
        if (inWord) words.push(word);
        word = '';
        inWord = false;
        words.push(op);
        i += op.length - 1;
        continue;
      }
      if (c === '#' && !inWord) {
        const nl = s.indexOf('\n', i);
        i = nl < 0 ? s.length : nl - 1;
        continue;
      }
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** The simple commands of a shell script, split at `&&`, `||`, `;`, `|`, `&` and newlines. */
export function scriptCommands(script: string): string[][] {
  const commands: string[][] = [];
  let current: string[] = [];
  for (const w of splitWords(script, true)) {
    if (OPERATORS.includes(w)) {
      if (current.length) commands.push(current);
      current = [];
    } else {
      current.push(w);
    }
  }
  if (current.length) commands.push(current);
  // `exec gunicorn ...` and `FOO=bar gunicorn ...` run gunicorn.
  return commands.map((argv) => {
    let i = 0;
    while (i < argv.length && (['exec', 'then', 'do', 'else', '{', '!'].includes(argv[i]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]))) i++;
    return argv.slice(i);
  }).filter((argv) => argv.length > 0 && !['set', 'cd', 'echo', 'true', 'export', 'sleep'].includes(argv[0]));
}

/** A shell-quoted rendering of an argv, for reports. */
export function quoteArgv(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
