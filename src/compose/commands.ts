import { BuildContext, copiedScript } from './build-context';
import { quoteArgv, scriptCommands, splitWords } from './shell';

/** What one simple command of a service runs. */
export type CommandKind =
  | 'gunicorn' | 'uvicorn' | 'daphne' | 'hypercorn' | 'runserver'
  | 'celery-worker' | 'celery-beat' | 'celery-flower' | 'celery-other'
  | 'manage' | 'node' | 'nginx' | 'other';

export interface AnalyzedCommand {
  readonly kind: CommandKind;
  /** The command after wrappers were taken off. */
  readonly argv: string[];
  /** For `manage`: the management command (`migrate`, `collectstatic`, ...). */
  readonly manage?: string;
}

export interface CommandAnalysis {
  /** The argv compose runs (entrypoint + command), when the service sets either. */
  readonly argv?: string[];
  /** Whether it came from a shell script (`sh -c "..."`). */
  readonly shell: boolean;
  readonly commands: AnalyzedCommand[];
  /** Wrappers that were taken off (`wait-for-it db:5432 --`, `tini --`, an entrypoint script), for the report. */
  readonly wrappers: string[];
  /** The scripts of the image that were read (`/start-celeryworker (compose/production/django/celery/worker/start)`). */
  readonly scripts: string[];
  /** Whether the commands are the image's ENTRYPOINT and CMD (the service sets neither). */
  readonly fromImage?: boolean;
}

const SHELLS = ['sh', 'bash', 'ash', 'dash', 'zsh'];

function base(word: string): string {
  return word.replace(/^.*\//, '');
}

function argvOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return splitWords(value);
  if (Array.isArray(value)) return value.map((v) => String(v));
  return undefined;
}

/** Takes wrappers off one command: `wait-for-it x --`, `dockerize -wait ...`, `tini --`, `poetry run`, `python -m`. */
function unwrap(argv: string[], wrappers: string[]): string[] {
  let a = argv;
  for (let guard = 0; guard < 10 && a.length; guard++) {
    const b = base(a[0]);
    if (/^wait-for(-it)?(\.sh)?$/.test(b)) {
      const dd = a.indexOf('--');
      wrappers.push(quoteArgv(dd < 0 ? a : a.slice(0, dd + 1)));
      a = dd < 0 ? [] : a.slice(dd + 1);
    } else if (b === 'dockerize') {
      let i = 1;
      while (i < a.length && a[i].startsWith('-')) i += /^-(wait|timeout|template|stdout|stderr|wait-retry-interval)$/.test(a[i]) ? 2 : 1;
      wrappers.push(quoteArgv(a.slice(0, i)));
      a = a.slice(i);
    } else if (['tini', 'dumb-init', 'catatonit'].includes(b)) {
      const i = a[1] === '--' ? 2 : 1;
      wrappers.push(quoteArgv(a.slice(0, i)));
      a = a.slice(i);
    } else if (['gosu', 'su-exec'].includes(b)) {
      wrappers.push(quoteArgv(a.slice(0, 2)));
      a = a.slice(2);
    } else if (b === 'newrelic-admin' && a[1] === 'run-program') {
      wrappers.push(quoteArgv(a.slice(0, 2)));
      a = a.slice(2);
    } else if (['ddtrace-run', 'opentelemetry-instrument'].includes(b)) {
      wrappers.push(b);
      a = a.slice(1);
    } else if (['poetry', 'pipenv', 'uv', 'pdm', 'hatch'].includes(b) && a[1] === 'run') {
      wrappers.push(quoteArgv(a.slice(0, 2)));
      a = a.slice(2);
    } else if (/^python[0-9.]*$/.test(b) && a[1] === '-m' && a[2]) {
      a = [a[2], ...a.slice(3)];
    } else if (b === 'npx' && a[1]) {
      a = a.slice(1);
    } else if (b === 'env' && a.length > 1) {
      let i = 1;
      while (i < a.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a[i])) i++;
      a = a.slice(i);
    } else if (/(^|-)entrypoint(\.sh)?$/.test(b) || b === 'docker-entrypoint.sh') {
      wrappers.push(quoteArgv(a.slice(0, 1)));
      a = a.slice(1);
    } else {
      break;
    }
  }
  return a;
}

function classify(argv: string[]): AnalyzedCommand {
  const b = argv.length ? base(argv[0]) : '';
  const py = /^python[0-9.]*$/.test(b);
  const managePy = py ? argv[1] : b === 'manage.py' ? argv[0] : b === 'django-admin' ? 'django-admin' : undefined;
  if (managePy && /(^|\/)manage\.py$|^django-admin$/.test(managePy)) {
    const rest = argv.slice(py ? 2 : 1);
    const sub = rest.find((w) => !w.startsWith('-'));
    if (sub === 'runserver' || sub === 'runserver_plus') return { kind: 'runserver', argv, manage: sub };
    return { kind: 'manage', argv, manage: sub ?? '' };
  }
  if (['gunicorn', 'uvicorn', 'daphne', 'hypercorn'].includes(b)) return { kind: b as CommandKind, argv };
  if (b === 'celery') {
    const sub = celerySubcommand(argv);
    if (sub === 'worker') return { kind: 'celery-worker', argv };
    if (sub === 'beat') return { kind: 'celery-beat', argv };
    if (sub === 'flower') return { kind: 'celery-flower', argv };
    return { kind: 'celery-other', argv };
  }
  if (b === 'flower') return { kind: 'celery-flower', argv };
  if (['node', 'nuxt', 'nuxi', 'npm', 'yarn', 'pnpm', 'bun'].includes(b)) return { kind: 'node', argv };
  if (b === 'nginx' || b === 'openresty') return { kind: 'nginx', argv };
  return { kind: 'other', argv };
}

/** The celery subcommand (`worker`, `beat`, `flower`, ...), skipping global options such as `-A app`. */
export function celerySubcommand(argv: string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i];
    if (/^(-A|--app|-b|--broker|--result-backend|--loader|--config|--workdir|-C)$/.test(w)) {
      i++;
      continue;
    }
    if (w.startsWith('-')) continue;
    return w;
  }
  return undefined;
}

/** What a service's entrypoint and command run, wrappers and shell scripts looked through. */
export function analyzeCommand(spec: Record<string, any>, context?: BuildContext): CommandAnalysis {
  const entrypoint = argvOf(spec.entrypoint);
  const command = argvOf(spec.command);
  // As docker runs it: the compose entrypoint replaces the image's (and its CMD); the compose command replaces the CMD.
  const image = [...(entrypoint ? [] : context?.entrypoint ?? []), ...(command ?? (entrypoint ? [] : context?.cmd ?? []))];
  if (!entrypoint && !command && !image.length) return { shell: false, commands: [], wrappers: [], scripts: [] };
  const argv = entrypoint || command ? [...(entrypoint ?? []), ...(command ?? [])] : undefined;
  const full = [...(entrypoint ?? (command ? context?.entrypoint ?? [] : [])), ...(command ?? [])];
  const wrappers: string[] = [];
  const scripts: string[] = [];
  const { shell, commands } = analyzeArgv(argv ? full : image, wrappers, context, scripts, 0);
  return { argv, shell, commands, wrappers, scripts, fromImage: !argv };
}

function analyzeArgv(
  argv: string[], wrappers: string[], context: BuildContext | undefined, scripts: string[], depth: number,
): { shell: boolean; commands: AnalyzedCommand[] } {
  let outer = unwrap(argv, wrappers);
  let shell = false;
  let simple: string[][];
  if (outer.length && SHELLS.includes(base(outer[0])) && outer.some((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w))) {
    const c = outer.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w));
    if (outer[c + 1] !== undefined) {
      shell = true;
      simple = scriptCommands(outer[c + 1]);
    } else {
      simple = [outer.slice(1)];
    }
  } else if (outer.length && SHELLS.includes(base(outer[0])) && !copiedScript(context, outer)) {
    outer = outer.slice(1);
    simple = [outer];
  } else {
    simple = [outer];
  }
  const commands: AnalyzedCommand[] = [];
  for (const a of simple.map((x) => unwrap(x, wrappers)).filter((x) => x.length)) {
    // A script the Dockerfile copied into the image: what it runs is what the service runs.
    const script = depth < 3 ? copiedScript(context, a) : undefined;
    if (script) {
      scripts.push(`${script.target} (${script.source})`);
      const inner = analyzeArgv(['sh', '-c', script.text], wrappers, context, scripts, depth + 1);
      commands.push(...inner.commands);
      shell = true;
      continue;
    }
    commands.push(classify(a));
  }
  return { shell, commands };
}

/** `-x value`, `-xvalue`, `--long value` and `--long=value`; the last one given wins. */
export function option(argv: string[], short: string[], long: string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    for (const l of long) {
      if (w === l) found = argv[i + 1];
      else if (w.startsWith(`${l}=`)) found = w.slice(l.length + 1);
    }
    for (const s of short) {
      if (w === s) found = argv[i + 1];
      else if (w.startsWith(s) && !w.startsWith('--') && w.length > s.length && s.length === 2) found = w.slice(2).replace(/^=/, '');
    }
  }
  return found;
}

/** Whether a flag is present. */
export function flag(argv: string[], names: string[]): boolean {
  return argv.some((w) => names.includes(w) || names.some((n) => n.startsWith('--') && w.startsWith(`${n}=`)));
}

/** The options of a command that the importer does not map, for the report. */
export function otherOptions(argv: string[], known: string[], withValue: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i];
    if (!w.startsWith('-')) continue;
    const name = w.replace(/=.*$/, '');
    const shortJoined = !w.startsWith('--') && w.length > 2 ? w.slice(0, 2) : undefined;
    if (known.includes(name) || (shortJoined && known.includes(shortJoined))) {
      if (withValue.includes(name) && !w.includes('=')) i++;
      continue;
    }
    const takesValue = withValue.includes(name) && !w.includes('=');
    out.push(takesValue && argv[i + 1] !== undefined ? `${w} ${argv[i + 1]}` : w);
    if (takesValue) i++;
  }
  return out;
}

/** The first positional argument after the program (e.g. gunicorn's `module:app`). */
export function positional(argv: string[], withValue: string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i];
    if (w.startsWith('-')) {
      if (withValue.includes(w)) i++;
      continue;
    }
    return w;
  }
  return undefined;
}
