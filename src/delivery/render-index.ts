import * as fs from 'fs';
import * as path from 'path';
import { compareObjects, KubeObject, kindOf, nameOf, namespaceOf, VERSION_LABEL } from './kube-object';
import { Provenance } from './provenance';
import { sha256Hex } from '../platform/sha256';

/** The machine-readable listing of a rendered folder. */
export const INDEX_FILE = 'index.json';

/** One rendered file: its name in the folder and its text. */
export interface RenderedFile {
  readonly name: string;
  readonly content: string;
}

export interface IndexEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly file: string;
  readonly version?: string;
}

export interface RenderIndex {
  readonly folder: string;
  /** The package that was rendered (the consumer's, not this library). */
  readonly package: { readonly name: string; readonly version: string };
  readonly appVersions: string[];
  /** sha256 over every file of the folder but the index itself; see {@link folderDigest}. */
  readonly digest: string;
  readonly files: { readonly name: string; readonly sha256: string }[];
  readonly objects: IndexEntry[];
  /** The traffic the folder's chart intends, when it records one (see the app chart). */
  readonly traffic?: unknown;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * `sha256:` over one `<name> <sha256 of content>` line per file, sorted by name, index excluded.
 * It depends on nothing but the files' names and bytes, so equal folders have equal digests.
 */
export function folderDigest(files: RenderedFile[]): string {
  return digestOf(files.filter((f) => f.name !== INDEX_FILE).map((f) => ({ name: f.name, sha256: sha256Hex(f.content) })));
}

/** {@link folderDigest} from the files' hashes. */
function digestOf(hashes: { name: string; sha256: string }[]): string {
  return `sha256:${sha256Hex([...hashes].sort(byName).map((f) => `${f.name} ${f.sha256}\n`).join(''))}`;
}

/** The index of a folder whose other files are `files`, holding `placed` objects (object → file). */
export function buildIndex(
  folder: string, placed: { object: KubeObject; file: string }[], files: RenderedFile[], provenance: Provenance, traffic?: unknown,
): RenderIndex {
  const objects = [...placed]
    .sort((a, b) => compareObjects(a.object, b.object))
    .map(({ object, file }) => ({
      apiVersion: String(object.apiVersion),
      kind: kindOf(object),
      namespace: namespaceOf(object),
      name: nameOf(object),
      file,
      version: object.metadata?.labels?.[VERSION_LABEL],
    }));
  const appVersions = [...new Set(objects.map((o) => o.version).filter((v): v is string => !!v))].sort();
  // Each file is hashed once, for its entry and for the digest.
  const hashes = files.filter((f) => f.name !== INDEX_FILE).sort(byName).map((f) => ({ name: f.name, sha256: sha256Hex(f.content) }));
  return {
    folder,
    package: { name: provenance.packageName, version: provenance.packageVersion },
    appVersions,
    digest: digestOf(hashes),
    files: hashes,
    objects,
    ...(traffic === undefined ? {} : { traffic }),
  };
}

export function indexFile(index: RenderIndex): RenderedFile {
  return { name: INDEX_FILE, content: `${JSON.stringify(index, null, 2)}\n` };
}

/** Reads a folder's index and checks it against the files on disk; throws naming the first mismatch. */
export function verifyFolder(dir: string): RenderIndex {
  const indexPath = path.join(dir, INDEX_FILE);
  if (!fs.existsSync(indexPath)) throw new Error(`${dir}: no ${INDEX_FILE}; not a rendered folder`);
  const index: RenderIndex = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
  // The bytes are hashed as read: the same digest as of their text, without decoding every file.
  const files = fs.readdirSync(dir).filter((n) => n !== INDEX_FILE).sort()
    .map((name) => ({ name, sha256: sha256Hex(fs.readFileSync(path.join(dir, name))) }));
  const listed = index.files.map((f) => f.name).sort();
  const present = files.map((f) => f.name);
  const extra = present.filter((n) => !listed.includes(n));
  const missing = listed.filter((n) => !present.includes(n));
  if (extra.length || missing.length) {
    throw new Error(`${dir}: files differ from ${INDEX_FILE} (not listed: ${extra.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'})`);
  }
  const digest = digestOf(files);
  if (digest !== index.digest) throw new Error(`${dir}: content digest ${digest} differs from ${INDEX_FILE} (${index.digest}); a file was edited after rendering`);
  return index;
}
