// The objects of one rendered environment folder, with the file and lines each comes from: the tools
// report files and lines, the gate reports objects.
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { listFilesIfAny } from './setup';

/** One YAML document of a folder. apiVersion and kind are as written: missing, or not strings, in a broken file. */
export interface ManifestObject {
  readonly file: string;
  /** Its index among the documents of the file (0-based). */
  readonly index: number;
  readonly apiVersion: string | undefined;
  readonly kind: string | undefined;
  readonly name: string;
  readonly namespace: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly obj: any;
}

export interface LoadedFolder {
  /** The *.yaml and *.yml files, sorted. */
  readonly files: string[];
  readonly objects: ManifestObject[];
  readonly parseErrors: { readonly file: string; readonly message: string }[];
}

/** Line number (1-based) of each character offset of `text`, for mapping a tool's line to its document. */
function lineIndex(text: string): (offset: number) => number {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Objects of one environment folder: only *.yaml / *.yml files count, anything else is ignored. */
export function loadObjects(envDir: string): LoadedFolder {
  const objects: ManifestObject[] = [];
  const parseErrors: LoadedFolder['parseErrors'][number][] = [];
  const files = listFilesIfAny(envDir, (p) => /\.ya?ml$/.test(p));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const lineOf = lineIndex(text);
    parseAllDocuments(text).forEach((doc, index) => {
      if (doc.errors && doc.errors.length) {
        parseErrors.push({ file, message: doc.errors.map((e) => e.message).join('; ') });
        return;
      }
      const o = doc.toJS();
      if (o === null || o === undefined) return;
      const meta = (o && o.metadata) || {};
      const range = doc.range || [0, text.length, text.length];
      objects.push({
        file,
        index,
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: meta.name || '',
        namespace: meta.namespace || '',
        startLine: lineOf(range[0]),
        endLine: lineOf(Math.max(range[0], range[2] - 1)),
        obj: o,
      });
    });
  }
  return { files, objects, parseErrors };
}
