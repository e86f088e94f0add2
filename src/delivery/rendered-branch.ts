import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RenderIndex, verifyFolder } from './render-index';
import { invalid } from '../platform/errors';

/** The folder of the rendered branch that holds one folder per preview. */
export const PREVIEWS_FOLDER = 'previews';

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
  /**
   * Top-level folders of the branch that a whole-tree publish carries over from the tip instead of
   * replacing: the preview folders, which are published and removed one by one
   * ({@link RenderedBranch.publishFolder}). The render must not hold a folder of these names.
   * @default ['previews']
   */
  readonly keepFolders?: string[];
}

/** What to publish into one folder of the rendered branch, leaving every other folder as it is. */
export interface PublishFolderOptions {
  /** The rendered folder to publish (a folder of a render, with its index.json), e.g. `dist/previews/pr-123`. */
  readonly source: string;
  /** The folder of the branch it replaces as a whole, e.g. `previews/pr-123`. */
  readonly folder: string;
  /** The repository to commit into. */
  readonly repo: string;
  /**
   * The branch.
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
}

/** Which folder to remove from the rendered branch. */
export interface RemoveFolderOptions {
  /** The folder of the branch to remove, e.g. `previews/pr-123`. */
  readonly folder: string;
  /** The repository to commit into. */
  readonly repo: string;
  /**
   * The branch.
   * @default 'rendered'
   */
  readonly branch?: string;
  /**
   * Author and committer name when neither `GIT_AUTHOR_NAME` nor `user.name` is set.
   * @default 'render'
   */
  readonly authorName?: string;
  /**
   * Author and committer email when neither `GIT_AUTHOR_EMAIL` nor `user.email` is set.
   * @default 'render@localhost'
   */
  readonly authorEmail?: string;
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

interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly oid: string;
  readonly name: string;
}

function lsTree(repo: string, tree: string): TreeEntry[] {
  const out = execFileSync('git', ['ls-tree', '-z', tree], { cwd: repo, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, encoding: 'utf8' });
  return out.split('\0').filter(Boolean).map((line) => {
    const [meta, name] = line.split('\t');
    const [mode, type, oid] = meta.split(' ');
    return { mode, type, oid, name };
  });
}

function mkTree(repo: string, entries: TreeEntry[]): string {
  return git(repo, ['mktree', '-z'], entries.map((e) => `${e.mode} ${e.type} ${e.oid}\t${e.name}\0`).join(''));
}

/**
 * The tree `root` with the folder at `segments` replaced by `sub` (removed when `sub` is undefined),
 * every other entry kept as it is. A folder left empty is removed too, as git has no empty folders.
 */
function replaceFolder(repo: string, root: string | undefined, segments: string[], sub: string | undefined): string | undefined {
  const entries = root ? lsTree(repo, root) : [];
  const [head, ...rest] = segments;
  const existing = entries.find((e) => e.name === head);
  if (existing && existing.type !== 'tree') throw new Error(`${head} is a file on the branch, not a folder`);
  const replacement = rest.length ? replaceFolder(repo, existing?.oid, rest, sub) : sub;
  const kept = entries.filter((e) => e.name !== head);
  const next = replacement ? [...kept, { mode: '040000', type: 'tree', oid: replacement, name: head }] : kept;
  return next.length ? mkTree(repo, next) : undefined;
}

/** Checks a folder of the branch: relative, of lowercase names, no `.` or `..`. */
export function checkBranchFolder(folder: string): string[] {
  const segments = typeof folder === 'string' ? folder.replace(/\/+$/, '').split('/') : [];
  if (!segments.length || segments.some((s) => !/^[a-z0-9][a-z0-9._-]*$/.test(s) || s === '..')) {
    invalid('RenderedBranch', 'folder', 'a relative path of lowercase names such as "previews/pr-123"', folder);
  }
  return segments;
}

function branchRef(repo: string, branch: string): string {
  if (tryGit(repo, ['check-ref-format', '--branch', branch]) !== branch) invalid('RenderedBranch', 'branch', 'a branch name (git check-ref-format --branch)', branch);
  const ref = `refs/heads/${branch}`;
  if (tryGit(repo, ['symbolic-ref', '-q', 'HEAD']) === ref) {
    throw new Error(`${branch} is checked out here; publishing would leave the working tree behind the branch`);
  }
  return ref;
}

/** Commits `tree` on `ref` after `parent`, moving the ref with compare-and-swap. */
function commitOnto(
  repo: string, ref: string, parent: string | undefined, tree: string, message: string, env: NodeJS.ProcessEnv, reflog: string,
): string {
  const commit = git(repo, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], message, env);
  git(repo, ['update-ref', '-m', reflog, ref, commit, parent ?? '0'.repeat(40)]);
  return commit;
}

/**
 * Commits one rendered folder as the folder `folder` of the branch, every other folder of the tip
 * kept as it is: a preview is published without the other previews' renders. Plumbing only, like
 * {@link publishRendered}; no commit when the branch already has that tree.
 */
export function publishFolder(options: PublishFolderOptions): PublishResult {
  const repo = options.repo;
  const branch = options.branch ?? 'rendered';
  const segments = checkBranchFolder(options.folder);
  const ref = branchRef(repo, branch);
  const index = verifyFolder(path.resolve(options.source));
  const sub = writeTree(repo, path.resolve(options.source));
  const parent = tryGit(repo, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  const tree = replaceFolder(repo, parent ? git(repo, ['rev-parse', `${parent}^{tree}`]) : undefined, segments, sub)!;
  const sourceCommit = options.sourceCommit ?? git(repo, ['rev-parse', 'HEAD']);
  const subject = tryGit(repo, ['log', '-1', '--format=%s', sourceCommit]);
  const dirty = !options.sourceCommit && (tryGit(repo, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  const folder = segments.join('/');
  const message = [
    `render ${sourceCommit.slice(0, 12)}: ${folder} ${index.appVersions.join(', ')}`,
    '',
    `Source: ${sourceCommit}${dirty ? ' (with uncommitted changes)' : ''}${subject ? ` ${subject}` : ''}`,
    `Package: ${index.package.name} ${index.package.version}`,
    `${folder}: app ${index.appVersions.join(', ')}, ${index.objects.length} objects, ${index.digest}`,
    'Other folders: unchanged',
    '',
  ].join('\n');
  if (parent && git(repo, ['rev-parse', `${parent}^{tree}`]) === tree) return { tree, branch, message };
  const fallback = { name: options.authorName ?? `${index.package.name} render`, email: options.authorEmail ?? 'render@localhost' };
  const commit = commitOnto(repo, ref, parent, tree, message, identity(repo, fallback), `publish ${folder} ${sourceCommit.slice(0, 12)}`);
  return { commit, tree, branch, message };
}

/**
 * Removes the folder `folder` from the branch, every other folder kept as it is (a closed pull
 * request's preview). No commit when the branch has no such folder.
 */
export function removeFolder(options: RemoveFolderOptions): PublishResult {
  const repo = options.repo;
  const branch = options.branch ?? 'rendered';
  const segments = checkBranchFolder(options.folder);
  const ref = branchRef(repo, branch);
  const parent = tryGit(repo, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  if (!parent) throw new Error(`${branch} does not exist; there is nothing to remove`);
  const before = git(repo, ['rev-parse', `${parent}^{tree}`]);
  const tree = replaceFolder(repo, before, segments, undefined) ?? git(repo, ['mktree'], '');
  const folder = segments.join('/');
  const message = `remove ${folder}\n\nOther folders: unchanged\n`;
  if (tree === before) return { tree, branch, message };
  const fallback = { name: options.authorName ?? 'render', email: options.authorEmail ?? 'render@localhost' };
  const commit = commitOnto(repo, ref, parent, tree, message, identity(repo, fallback), `remove ${folder}`);
  return { commit, tree, branch, message };
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
  const ref = branchRef(repo, branch);
  const indexes = readIndexes(options.source);
  const keep = options.keepFolders ?? [PREVIEWS_FOLDER];
  const clash = indexes.find((i) => keep.includes(i.folder));
  if (clash) throw new Error(`the render holds a folder "${clash.folder}", which the branch keeps for folders published one by one (keepFolders)`);
  const parent = tryGit(repo, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  const rendered = writeTree(repo, path.resolve(options.source));
  const kept = parent ? lsTree(repo, `${parent}^{tree}`).filter((e) => e.type === 'tree' && keep.includes(e.name)) : [];
  const tree = kept.length ? mkTree(repo, [...lsTree(repo, rendered), ...kept]) : rendered;
  const sourceCommit = options.sourceCommit ?? git(repo, ['rev-parse', 'HEAD']);
  const subject = tryGit(repo, ['log', '-1', '--format=%s', sourceCommit]);
  const dirty = !options.sourceCommit && (tryGit(repo, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  const message = commitMessage(indexes, sourceCommit, subject, dirty, options.argoCdFolder);
  if (parent && git(repo, ['rev-parse', `${parent}^{tree}`]) === tree) return { tree, branch, message };

  const fallback = { name: options.authorName ?? `${indexes[0].package.name} render`, email: options.authorEmail ?? 'render@localhost' };
  const commit = commitOnto(repo, ref, parent, tree, message, identity(repo, fallback), `publish ${sourceCommit.slice(0, 12)}`);
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

  /**
   * Commits one rendered folder as the folder `folder` of the branch (a preview, `previews/pr-123`),
   * leaving every other folder as it is. No commit when the tip already has that tree.
   */
  public static publishFolder(options: PublishFolderOptions): PublishResult {
    return publishFolder(options);
  }

  /** Removes one folder of the branch (a closed pull request's preview), leaving every other folder as it is. */
  public static removeFolder(options: RemoveFolderOptions): PublishResult {
    return removeFolder(options);
  }

  private constructor() {}
}
