import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { DeliveryApp } from '../../src';
import { INDEX_FILE, RenderIndex } from '../../src/delivery/render-index';

/** One folder of a render as `DeliveryApp.synth()` wrote it. */
export interface FolderOnDisk {
  readonly name: string;
  /** Every file of the folder, by name; `index.json` included. */
  readonly files: { readonly name: string; readonly content: string }[];
  readonly index: RenderIndex;
  /** The objects of its YAML files, file by file (sorted by name), each in the order it was written. */
  readonly objects: any[];
}

/**
 * Renders the app through its public API, `synth()`, into its outdir, which must be a fresh temporary
 * folder (never the repository's dist/), and reads back what it wrote. Folders come sorted by name.
 */
export function synthAndRead(app: Pick<DeliveryApp, 'outdir' | 'synth'>): FolderOnDisk[] {
  const outdir = path.resolve(app.outdir);
  const tmp = [os.tmpdir(), fs.realpathSync(os.tmpdir())].map((d) => `${path.resolve(d)}${path.sep}`);
  if (!tmp.some((d) => outdir.startsWith(d))) throw new Error(`the test app renders into ${outdir}; give it an outdir under ${os.tmpdir()}`);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    app.synth();
  } finally {
    log.mockRestore();
  }
  return readRender(outdir);
}

/** A rendered folder tree, as {@link synthAndRead} returns it. */
export function readRender(outdir: string): FolderOnDisk[] {
  return fs.readdirSync(outdir).sort().map((name) => {
    const dir = path.join(outdir, name);
    const files = fs.readdirSync(dir).sort().map((file) => ({ name: file, content: fs.readFileSync(path.join(dir, file), 'utf8') }));
    const objects = files.filter((f) => f.name.endsWith('.yaml')).flatMap((f) => parseAllDocuments(f.content, { version: '1.1' }).map((doc) => {
      if (doc.errors.length) throw new Error(`${name}/${f.name}: ${doc.errors[0].message}`);
      return doc.toJS();
    }));
    const index = JSON.parse(files.find((f) => f.name === INDEX_FILE)!.content) as RenderIndex;
    return { name, files, index, objects };
  });
}

/** A fresh temporary folder for an app's outdir. */
export function tempOutdir(prefix = 'render'): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`)), 'manifests');
}
