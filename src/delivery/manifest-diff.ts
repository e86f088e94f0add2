import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_RENDERED_BRANCH } from './argocd-folder';
import { FolderChangeSummary, formatSummary, summarizeRenders } from './diff-summary';
import { componentOf, describe, KubeObject, kindOf, nameOf, namespaceOf } from './kube-object';

/** An object of a render, with the folder and file it came from. */
export interface PlacedObject {
  readonly folder: string;
  readonly file: string;
  readonly object: KubeObject;
}

export type Change =
  | { readonly type: 'added'; readonly key: string; readonly after: PlacedObject }
  | { readonly type: 'removed'; readonly key: string; readonly before: PlacedObject }
  | { readonly type: 'changed'; readonly key: string; readonly before: PlacedObject; readonly after: PlacedObject; readonly fields: FieldChange[] };

export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** A change that Kubernetes rejects or that takes something down, naming the object and the field. */
export interface Violation {
  /** The object's identity across renders: folder, group, kind, namespace and name. */
  readonly key: string;
  /** The object, `Kind namespace/name`. */
  readonly object: string;
  /** The field that changed, e.g. `spec.selector`. */
  readonly field: string;
  /** Why the change is unsafe. */
  readonly reason: string;
}

export interface DiffResult {
  readonly changes: Change[];
  readonly unchanged: number;
  readonly violations: Violation[];
  /** Per folder whose release or image tags changed: what the diff prints first. */
  readonly summary: FolderChangeSummary[];
}

const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
const SELECTOR_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const NO_REMOVE_KINDS = ['Service', 'Deployment', 'PodDisruptionBudget'];

function isManifest(file: string): boolean {
  return /\.ya?ml$/.test(file);
}

function parseObjects(text: string, where: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${where}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    return value && typeof value === 'object' ? [value as KubeObject] : [];
  });
}

function place(files: { name: string; content: string }[]): PlacedObject[] {
  return files.filter((f) => isManifest(f.name)).flatMap((f) =>
    parseObjects(f.content, f.name).map((object) => ({ folder: path.posix.dirname(f.name), file: f.name, object })));
}

function readDir(dir: string, prefix = ''): { name: string; content: string }[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return readDir(dir, rel);
    return e.isFile() ? [{ name: rel, content: fs.readFileSync(path.join(dir, rel), 'utf8') }] : [];
  });
}

function readRevision(repo: string, rev: string): { name: string; content: string }[] {
  const run = (args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    run(['rev-parse', '--verify', '-q', `${rev}^{tree}`]);
  } catch {
    throw new Error(`${rev} is neither a folder nor a revision of the repository in ${repo}`);
  }
  const names = run(['ls-tree', '-r', '-z', '--name-only', rev]).split('\0').filter((n) => n && isManifest(n));
  return names.map((name) => ({ name, content: run(['show', `${rev}:${name}`]) }));
}

/** Reads a render from a folder, or from a revision (`rendered`, `rendered~1`, a commit) of `repo`. */
export function loadRender(where: string, repo: string = process.cwd()): PlacedObject[] {
  const isDir = fs.existsSync(where) && fs.statSync(where).isDirectory();
  return place(isDir ? readDir(where) : readRevision(repo, where));
}

/**
 * True when `rev` is the rendered branch (`rendered` or `origin/rendered`) and the git repository at `repo`
 * has neither: nothing is published yet. Any other missing name stays an error, so that a mistyped
 * baseline never passes the guard as "all new".
 */
function isUnpublished(rev: string, repo: string): boolean {
  const remote = `origin/${DEFAULT_RENDERED_BRANCH}`;
  if ((rev !== DEFAULT_RENDERED_BRANCH && rev !== remote) || fs.existsSync(rev)) return false;
  const git = (...args: string[]) => {
    try {
      execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!git('rev-parse', '--git-dir')) return false;
  const refs = rev === remote ? [remote] : [DEFAULT_RENDERED_BRANCH, remote];
  return refs.every((ref) => !git('rev-parse', '--verify', '-q', `${ref}^{commit}`));
}

/** Identifies an object across two renders: its folder, group, kind, namespace and name. */
export function objectKey(p: PlacedObject): string {
  const group = String(p.object.apiVersion ?? '').includes('/') ? String(p.object.apiVersion).split('/')[0] : 'core';
  return `${p.folder}:${group}/${kindOf(p.object)}:${namespaceOf(p.object) ?? ''}/${nameOf(p.object)}`;
}

function segment(item: unknown, index: number): string {
  const named = item && typeof item === 'object' && !Array.isArray(item) ? (item as any).name : undefined;
  return typeof named === 'string' ? `[${named}]` : `[${index}]`;
}

/** Flattens to `path → leaf`; list items with a `name` are addressed by it, so reordering reads as such. */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, []);
    value.forEach((item, i) => flatten(item, `${prefix}${segment(item, i)}`, out));
  } else if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(prefix, {});
    for (const k of keys) flatten((value as any)[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = flatten(before, '', new Map());
  const b = flatten(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((p) => ({ path: p, before: a.get(p), after: b.get(p) }));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isHook(obj: KubeObject): boolean {
  return !!obj.metadata?.annotations?.[HOOK_ANNOTATION];
}

function guard(changes: Change[]): Violation[] {
  const violations: Violation[] = [];
  const added = changes.filter((c): c is Extract<Change, { type: 'added' }> => c.type === 'added');
  for (const c of changes) {
    if (c.type === 'removed' && NO_REMOVE_KINDS.includes(kindOf(c.before.object))) {
      const obj = c.before.object;
      const renamedTo = added.find((a) => a.after.folder === c.before.folder && kindOf(a.after.object) === kindOf(obj)
        && componentOf(obj) !== undefined && componentOf(a.after.object) === componentOf(obj));
      const reason = kindOf(obj) === 'PodDisruptionBudget'
        ? 'removed: voluntary evictions (drains, upgrades) may then take every pod at once'
        : renamedTo
          ? `renamed to ${nameOf(renamedTo.after.object)}: Argo CD deletes the old one and creates the new one (downtime)`
          : 'removed: deleting it takes its traffic or pods away (downtime)';
      violations.push({ key: c.key, object: describe(obj), field: 'metadata.name', reason });
    }
    if (c.type !== 'changed') continue;
    const before = c.before.object;
    const after = c.after.object;
    if (SELECTOR_KINDS.includes(kindOf(after)) && !sameJson(before.spec?.selector, after.spec?.selector)) {
      violations.push({ key: c.key, object: describe(after), field: 'spec.selector', reason: 'changed: the selector is immutable, so Kubernetes rejects the update' });
    }
    if (kindOf(after) === 'Job' && !isHook(after) && !isHook(before) && !sameJson(before.spec?.template, after.spec?.template)) {
      violations.push({ key: c.key, object: describe(after), field: 'spec.template', reason: `changed: a Job's template is immutable, so Kubernetes rejects the update (unless the Job is an Argo CD hook, annotated ${HOOK_ANNOTATION})` });
    }
  }
  return violations;
}

/** Compares two renders object by object and checks the changes against the guard rules. */
export function diffRenders(before: PlacedObject[], after: PlacedObject[]): DiffResult {
  const index = (objs: PlacedObject[]) => {
    const map = new Map<string, PlacedObject>();
    for (const p of objs) {
      const key = objectKey(p);
      if (map.has(key)) throw new Error(`${key} appears twice (${map.get(key)!.file} and ${p.file})`);
      map.set(key, p);
    }
    return map;
  };
  const a = index(before);
  const b = index(after);
  const changes: Change[] = [];
  let unchanged = 0;
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const old = a.get(key);
    const now = b.get(key);
    if (!old) {changes.push({ type: 'added', key, after: now! });} else if (!now) {changes.push({ type: 'removed', key, before: old });} else {
      const fields = fieldChanges(old.object, now.object);
      if (fields.length) changes.push({ type: 'changed', key, before: old, after: now, fields });
      else unchanged++;
    }
  }
  return { changes, unchanged, violations: guard(changes), summary: summarizeRenders(before, after) };
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The human-readable report: the release and image changes per folder first, then one block per
 * changed object, the counts and the violations.
 */
export function formatDiff(diff: DiffResult, maxFieldsPerObject = 15): string {
  const lines: string[] = formatSummary(diff.summary);
  if (diff.changes.length) lines.push('');
  for (const c of diff.changes) {
    const p = c.type === 'added' ? c.after : c.before;
    const where = `${p.folder}/${path.posix.basename(c.type === 'changed' ? c.after.file : p.file)}`;
    const sign = c.type === 'added' ? '+' : c.type === 'removed' ? '-' : '~';
    lines.push(`${sign} ${describe(c.type === 'added' ? c.after.object : c.before.object)} (${where}): ${c.type}`);
    if (c.type !== 'changed') continue;
    for (const f of c.fields.slice(0, maxFieldsPerObject)) {
      if (f.before === undefined) lines.push(`    + ${f.path}: ${show(f.after)}`);
      else if (f.after === undefined) lines.push(`    - ${f.path}: ${show(f.before)}`);
      else lines.push(`    ~ ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
    }
    if (c.fields.length > maxFieldsPerObject) lines.push(`    ... and ${c.fields.length - maxFieldsPerObject} more fields`);
  }
  const count = (t: Change['type']) => diff.changes.filter((c) => c.type === t).length;
  lines.push(`${count('added')} added, ${count('removed')} removed, ${count('changed')} changed, ${diff.unchanged} unchanged`);
  if (diff.violations.length) {
    lines.push(`UNSAFE: ${diff.violations.length} change(s) that Kubernetes rejects or that cause downtime:`);
    for (const v of diff.violations) lines.push(`  ${v.object} [${v.key.split(':')[0]}]: ${v.field} ${v.reason}`);
  }
  return lines.join('\n');
}

/** The outcome of comparing two renders. */
export interface RenderDiffReport {
  /**
   * The human-readable report, as `k8s-topology diff` prints it: the release and image changes per
   * folder, then the changed objects field by field, the counts and the unsafe changes.
   */
  readonly text: string;
  /** No change that Kubernetes rejects or that causes downtime. */
  readonly safe: boolean;
  /** Objects only in the new render. */
  readonly added: number;
  /** Objects only in the old render. */
  readonly removed: number;
  /** Objects in both whose content differs. */
  readonly changed: number;
  /** Objects in both with the same content. */
  readonly unchanged: number;
  /** The unsafe changes. */
  readonly violations: Violation[];
  /** Per folder whose release or image tags changed, sorted by folder: the report's first lines. */
  readonly summary: FolderChangeSummary[];
  /**
   * False when `before` is the rendered branch (`rendered` or `origin/rendered`) and the repository has
   * neither yet, as before the first publish: every object of `after` is then added, the change is safe,
   * and `text` starts by saying that nothing is published yet.
   */
  readonly published: boolean;
}

/** The safe-change guard between two renders. */
export class RenderDiff {
  /**
   * Compares two renders, each a render folder or a revision (`rendered~1`, a commit) of `repo`.
   * Before the first publish, `before` = `rendered` (or `origin/rendered`) compares with an empty render
   * (`published` is false); any other side that is neither a folder nor a revision throws.
   * @param before the old render
   * @param after the new render
   * @param repo the repository revisions are read from (default: the working directory)
   */
  public static compare(before: string, after: string, repo?: string): RenderDiffReport {
    const published = !isUnpublished(before, repo ?? process.cwd());
    const diff = diffRenders(published ? loadRender(before, repo) : [], loadRender(after, repo));
    const count = (t: Change['type']) => diff.changes.filter((c) => c.type === t).length;
    const text = published ? formatDiff(diff) : [
      `${before}: nothing published yet (no branch ${before} in ${repo ?? 'this repository'}), so every object of ${after} is new:`,
      formatDiff(diff),
      `Publish the render to create ${DEFAULT_RENDERED_BRANCH}: k8s-topology publish (then push it); later diffs compare with it.`,
    ].join('\n');
    return {
      published,
      text,
      safe: diff.violations.length === 0,
      added: count('added'),
      removed: count('removed'),
      changed: count('changed'),
      unchanged: diff.unchanged,
      violations: diff.violations,
      summary: diff.summary,
    };
  }

  private constructor() {}
}
