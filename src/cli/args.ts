/** A command-line mistake: the command prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  readonly options: Record<string, string>;
  readonly flags: Set<string>;
  readonly positionals: string[];
}

/**
 * Parses `--name value`, `--name=value` and `--flag` arguments. Only the names given are accepted,
 * so a typo is an error instead of an option silently ignored.
 */
export function parseArgs(argv: string[], valued: string[], flags: string[] = []): ParsedArgs {
  const options: Record<string, string> = {};
  const set = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2);
    if (flags.includes(name) && inline === undefined) {
      set.add(name);
    } else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      if (name in options) throw new UsageError(`--${name} is given twice`);
      options[name] = value;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return { options, flags: set, positionals };
}
