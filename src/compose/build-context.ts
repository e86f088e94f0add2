/**
 * The build context of a compose service: what its Dockerfile builds on (`FROM`), the scripts it copies into the
 * image (`COPY`/`ADD` of files of the context), what it runs (`ENTRYPOINT`, `CMD`) and what it runs while building (`RUN`).
 * Real projects start their processes through such scripts (`command: /start-celeryworker`) and build their database
 * and proxy images `FROM` the product, so the roles are read through them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { splitWords } from './shell';

/** A file of the build context copied into the image. */
export interface CopiedFile {
  /** The path inside the image. */
  readonly target: string;
  /** The path of the file, relative to the compose file's folder (forward slashes). */
  readonly source: string;
  /** Its content, for scripts and configuration files the importer reads. */
  readonly text: string;
}

export interface BuildContext {
  /** The Dockerfile, relative to the compose file's folder. */
  readonly dockerfile: string;
  /** The image the final stage builds on (`FROM`), with ARG defaults substituted. */
  readonly from?: string;
  readonly entrypoint?: string[];
  readonly cmd?: string[];
  /** The files of the context copied into the final stage, by their path in the image. */
  readonly copies: CopiedFile[];
  /** The final stage's `RUN` commands. */
  readonly runs: string[];
}

/** Files larger than this are not read: a start script or a configuration file is small. */
const MAX_TEXT = 64 * 1024;

function execForm(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t);
      if (Array.isArray(v)) return v.map(String);
    } catch {
      // Not JSON: docker runs it as a shell command.
    }
  }
  return ['/bin/sh', '-c', t];
}

/** The Dockerfile's instructions: continuation lines joined, comments and parser directives dropped. */
function instructions(text: string): [string, string][] {
  const out: [string, string][] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!current && (line === '' || line.startsWith('#'))) continue;
    if (current && line.startsWith('#')) continue;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    const m = /^([A-Za-z]+)\s*(.*)$/s.exec(current.trim());
    if (m) out.push([m[1].toUpperCase(), m[2]]);
    current = '';
  }
  if (current.trim()) {
    const m = /^([A-Za-z]+)\s*(.*)$/s.exec(current.trim());
    if (m) out.push([m[1].toUpperCase(), m[2]]);
  }
  return out;
}

function substitute(s: string, args: Map<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string, d: string | undefined, b: string) => args.get(a ?? b) ?? d ?? '');
}

/** The context folder and Dockerfile of a service's `build`, relative to the compose file's folder. */
export function buildPaths(build: unknown): { context: string; dockerfile: string } | undefined {
  if (typeof build === 'string') return { context: build, dockerfile: 'Dockerfile' };
  if (build && typeof build === 'object' && !Array.isArray(build)) {
    const b = build as Record<string, unknown>;
    const context = typeof b.context === 'string' ? b.context : '.';
    const dockerfile = typeof b.dockerfile === 'string' ? b.dockerfile : 'Dockerfile';
    return { context, dockerfile };
  }
  return undefined;
}

/**
 * Reads the Dockerfile of a service's build context, when the compose file has one and the file exists next to it.
 * A Dockerfile that cannot be read gives no context: the roles then come from the compose file alone.
 */
export function readBuildContext(dir: string, build: unknown): BuildContext | undefined {
  const paths = buildPaths(build);
  if (!paths || /^[a-z]+:\/\//i.test(paths.context) || paths.context.startsWith('git@')) return undefined;
  const contextDir = path.resolve(dir, paths.context);
  // The dockerfile is relative to the context, as compose reads it.
  const dockerfile = path.resolve(contextDir, paths.dockerfile);
  let text: string;
  try {
    if (!fs.statSync(dockerfile).isFile()) return undefined;
    text = fs.readFileSync(dockerfile, 'utf8');
  } catch {
    return undefined;
  }
  const shown = (f: string) => path.relative(dir, f).split(path.sep).join('/');
  const args = new Map<string, string>();
  let from: string | undefined;
  let entrypoint: string[] | undefined;
  let cmd: string[] | undefined;
  let copies: CopiedFile[] = [];
  let runs: string[] = [];
  let workdir = '/';
  for (const [op, rest] of instructions(text)) {
    if (op === 'ARG') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest.trim());
      if (m && m[2] !== undefined) args.set(m[1], m[2].replace(/^["']|["']$/g, ''));
    } else if (op === 'FROM') {
      const words = splitWords(rest).filter((w) => !w.startsWith('--'));
      from = words[0] ? substitute(words[0], args) : undefined;
      // A new stage: what the final image runs is the last stage's.
      entrypoint = undefined;
      cmd = undefined;
      copies = [];
      runs = [];
      workdir = '/';
    } else if (op === 'WORKDIR') {
      const w = substitute(rest.trim(), args);
      workdir = path.posix.resolve(workdir, w);
    } else if (op === 'ENTRYPOINT') {
      entrypoint = execForm(rest);
      cmd = undefined;
    } else if (op === 'CMD') {
      cmd = execForm(rest);
    } else if (op === 'RUN') {
      runs.push(rest.trim());
    } else if (op === 'COPY' || op === 'ADD') {
      const words = rest.trim().startsWith('[') ? execForm(rest) : splitWords(rest);
      if (words.some((w) => w.startsWith('--from'))) continue;
      const parts = words.filter((w) => !w.startsWith('--')).map((w) => substitute(w, args));
      if (parts.length < 2) continue;
      const dest = parts[parts.length - 1];
      const sources = parts.slice(0, -1);
      const intoDir = dest.endsWith('/') || sources.length > 1;
      for (const src of sources) {
        const file = path.resolve(contextDir, src);
        if (!file.startsWith(contextDir) && file !== contextDir) continue;
        let stat: fs.Stats;
        try {
          stat = fs.statSync(file);
        } catch {
          continue;
        }
        const base = path.posix.resolve(workdir, dest);
        const entries: [string, string][] = stat.isDirectory()
          ? fs.readdirSync(file, { withFileTypes: true }).filter((e) => e.isFile())
            .map((e) => [path.join(file, e.name), path.posix.join(base, e.name)])
          : [[file, intoDir ? path.posix.join(base, path.basename(file)) : base]];
        for (const [f, target] of entries) {
          if (fs.statSync(f).size > MAX_TEXT) continue;
          copies.push({ target, source: shown(f), text: fs.readFileSync(f, 'utf8') });
        }
      }
    }
  }
  return { dockerfile: shown(dockerfile), from, entrypoint, cmd, copies, runs };
}

/** The copied script a command names (`/start`, `./start.sh`, `bash /start-celeryworker`), if the image has it. */
export function copiedScript(context: BuildContext | undefined, argv: string[]): CopiedFile | undefined {
  if (!context || !argv.length) return undefined;
  let word = argv[0];
  if (/^(ba|da|z)?sh$|\/(ba|da|z)?sh$/.test(word) && argv[1] && !argv[1].startsWith('-')) word = argv[1];
  const candidates = context.copies.filter((c) => c.target === word || c.target === path.posix.resolve('/', word) || (!word.startsWith('/') && c.target.endsWith(`/${word.replace(/^\.\//, '')}`)));
  return candidates[candidates.length - 1];
}
