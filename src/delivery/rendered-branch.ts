import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RenderIndex, verifyFolder } from './render-index';

/** What to publish where, and who commits when git has no identity configured (CI runners usually have none). */
export interface PublishOptions {
  /** The render to publish: a folder of rendered folders (each with its index.json). */
  readonly source: string;
  /** The repository to commit into. */
  readonly repo: string;
  /**
   * The branch that receives the render as its whole tree.
   * @default 'rendered'
   */
  readonly branch?: string;
  /**
   * The commit the render was made from.
   * @default - HEAD of `repo`
   */
  readonly sourceCommit?: string;
  /**
   * Author and committer name when neither `GIT_AUTHOR_NAME` nor `user.name` is set.
   * @default - `<package name> render`
   */
  readonly authorName?: string;
  /**
   * Author and committer email when neither `GIT_AUTHOR_EMAIL` nor `user.email` is set.
   * @default 'render@localhost'
   */
  readonly authorEmail?: string;
  /**
   * The folder of the Argo CD objects, which the commit message does not list as an app folder.
   * @default 'argocd'
   */
  readonly argoCdFolder?: string;
}

/** What a publish did. */
export interface PublishResult {
  /** The new commit, or undefined when the branch already had this tree. */
  readonly commit?: string;
  /** The tree of the render. */
  readonly tree: string;
  /** The branch. */
  readonly branch: string;
  /** The commit message (also when no commit was made). */
  readonly message: string;
}

/**
 * Runs git with optional locks off: plumbing here must never rewrite the index, not even the
 * stat refresh that `git status` does.
 */
function git(repo: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, {
    cwd: repo,
    input,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', ...env },
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  }).trim();
}

function tryGit(repo: string, args: string[]): string | undefined {
  try {
    return git(repo, args);
  } catch {
    return undefined;
  }
}

/** Writes a folder into the object database, bottom up, and returns its tree id. */
export function writeTree(repo: string, dir: string): string {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files = entries.filter((e) => e.isFile());
  const blobs = files.length
    ? git(repo, ['hash-object', '-w', '--stdin-paths'], files.map((f) => path.resolve(dir, f.name)).join('\n') + '\n').split('\n')
    : [];
  const lines = files.map((f, i) => `100644 blob ${blobs[i]}\t${f.name}`);
  for (const sub of entries.filter((e) => e.isDirectory())) lines.push(`040000 tree ${writeTree(repo, path.join(dir, sub.name))}\t${sub.name}`);
  const other = entries.find((e) => !e.isFile() && !e.isDirectory());
  if (other) throw new Error(`${path.join(dir, other.name)}: neither a file nor a folder; a render holds only files`);
  return git(repo, ['mktree', '-z'], lines.map((l) => `${l}\0`).join(''));
}

/** The indexes of every rendered folder in `source`, each checked against its files. */
export function readIndexes(source: string): RenderIndex[] {
  if (!fs.existsSync(source)) throw new Error(`${source} does not exist; render first (k8s-topology render)`);
  const folders = fs.readdirSync(source, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (!folders.length) throw new Error(`${source} holds no rendered folders`);
  return folders.map((f) => verifyFolder(path.join(source, f)));
}

/** The subject and body naming the source commit, the app versions per environment and the package version. */
export function commitMessage(indexes: RenderIndex[], sourceCommit: string, sourceSubject: string | undefined, dirty: boolean, argoCdFolder = 'argocd'): string {
  const short = sourceCommit.slice(0, 12);
  const pkg = indexes[0]?.package;
  const environments = indexes.filter((i) => i.folder !== argoCdFolder);
  const apps = environments.map((i) => `${i.folder} ${i.appVersions.join(', ')}`).join('; ');
  return [
    `render ${short}: ${apps}`,
    '',
    `Source: ${sourceCommit}${dirty ? ' (with uncommitted changes)' : ''}${sourceSubject ? ` ${sourceSubject}` : ''}`,
    `Package: ${pkg?.name} ${pkg?.version}`,
    ...indexes.map((i) => `${i.folder}: app ${i.appVersions.join(', ')}, ${i.objects.length} objects, ${i.digest}`),
    '',
  ].join('\n');
}

function identity(repo: string, fallback: { name: string; email: string }): NodeJS.ProcessEnv {
  const name = process.env.GIT_AUTHOR_NAME ?? tryGit(repo, ['config', 'user.name']) ?? fallback.name;
  const email = process.env.GIT_AUTHOR_EMAIL ?? tryGit(repo, ['config', 'user.email']) ?? fallback.email;
  return {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? name,
    GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? email,
  };
}

/**
 * Commits `source` as the whole tree of `branch`, with plumbing only: the working tree, the index
 * and the checked-out branch are never read or written. No commit is made when the branch tip
 * already has the same tree. The ref moves with compare-and-swap, so a concurrent publish fails
 * instead of being overwritten.
 */
export function publishRendered(options: PublishOptions): PublishResult {
  const repo = options.repo;
  const branch = options.branch ?? 'rendered';
  if (git(repo, ['check-ref-format', '--branch', branch]) !== branch) throw new Error(`invalid branch name ${branch}`);
  const ref = `refs/heads/${branch}`;
  if (tryGit(repo, ['symbolic-ref', '-q', 'HEAD']) === ref) {
    throw new Error(`${branch} is checked out here; publishing would leave the working tree behind the branch`);
  }
  const indexes = readIndexes(options.source);
  const tree = writeTree(repo, path.resolve(options.source));
  const parent = tryGit(repo, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  const sourceCommit = options.sourceCommit ?? git(repo, ['rev-parse', 'HEAD']);
  const subject = tryGit(repo, ['log', '-1', '--format=%s', sourceCommit]);
  const dirty = !options.sourceCommit && (tryGit(repo, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  const message = commitMessage(indexes, sourceCommit, subject, dirty, options.argoCdFolder);
  if (parent && git(repo, ['rev-parse', `${parent}^{tree}`]) === tree) return { tree, branch, message };

  const fallback = { name: options.authorName ?? `${indexes[0].package.name} render`, email: options.authorEmail ?? 'render@localhost' };
  const commit = git(repo, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], message, identity(repo, fallback));
  git(repo, ['update-ref', '-m', `publish ${sourceCommit.slice(0, 12)}`, ref, commit, parent ?? '0'.repeat(40)]);
  return { commit, tree, branch, message };
}


/** The rendered branch: the render committed as the branch's whole tree, with git plumbing only. */
export class RenderedBranch {
  /**
   * Commits `source` as the tree of the branch (no commit when the tip already has that tree).
   * The working tree, the index and the checked-out branch are never touched.
   */
  public static publish(options: PublishOptions): PublishResult {
    return publishRendered(options);
  }

  private constructor() {}
}
