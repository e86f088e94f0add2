import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { isMap, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import { ImportOptions, importCompose, ImportResult, writeImport } from '../../src/compose/importer';
import { cli, Run, tempDir } from '../delivery/helpers';

export { cli };
export type { Run };

export const REPO = path.resolve(__dirname, '../..');
/** This library's package name, as its package.json gives it: what a generated app imports. */
export const LIBRARY = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).name as string;
/** What the tests import with: this library's name, any version (the CLI passes its own range). */
export const TEST_LIBRARY = { name: LIBRARY, versionRange: '*' };
export const FIXTURES = path.join(__dirname, 'fixtures');
/** The fixtures that import: every folder with a docker-compose.yml. */
export const APP_FIXTURES = fs.readdirSync(FIXTURES).filter((f) => fs.existsSync(path.join(FIXTURES, f, 'docker-compose.yml'))).sort();

export function composeFile(fixture: string): string {
  return path.join(FIXTURES, fixture, 'docker-compose.yml');
}

export function importFixture(fixture: string, options: Partial<ImportOptions> = {}): ImportResult {
  return importCompose({ file: composeFile(fixture), environment: {}, library: TEST_LIBRARY, ...options });
}

// A generated app runs the way cli.integration.ts runs a consumer: the repository's ts-node, cdk8s from the
// repository's node_modules, and the library from src/ (no compile needed).
const TS_NODE = `NODE_PATH=${path.join(REPO, 'node_modules')} TS_NODE_COMPILER_OPTIONS='{"target":"es2022","module":"node16","moduleResolution":"node16"}' `
  + `${path.join(REPO, 'node_modules/.bin/ts-node')} --transpile-only --skipProject`;

/** Writes the import of a fixture into a temporary app folder whose copy of this library is this repository's src/. */
export function writeFixtureApp(fixture: string, result: ImportResult = importFixture(fixture)): string {
  const dir = path.join(tempDir(`import-${fixture}`), 'app');
  writeImport(dir, result.files, false);
  const pkg = path.join(dir, 'node_modules', ...LIBRARY.split('/'));
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: LIBRARY, main: 'index.js', types: 'index.d.ts' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'src', 'index.ts'))});\n`);
  fs.writeFileSync(path.join(pkg, 'index.d.ts'), `export * from ${JSON.stringify(path.join(REPO, 'src', 'index'))};\n`);
  return dir;
}

/** Type-checks generated apps with the options of their own tsconfig.json, against this repository's src/. */
export function typeCheck(dirs: string[]): string[] {
  const config = JSON.parse(fs.readFileSync(path.join(dirs[0], 'tsconfig.json'), 'utf8')).compilerOptions;
  const { options, errors } = ts.convertCompilerOptionsFromJson({ ...config, typeRoots: [path.join(REPO, 'node_modules', '@types')] }, dirs[0]);
  if (errors.length) return errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n'));
  const program = ts.createProgram(dirs.map((d) => path.join(d, 'main.ts')), options);
  return ts.getPreEmitDiagnostics(program)
    .filter((d) => !d.file || dirs.some((dir) => d.file!.fileName.startsWith(dir)))
    .map((d) => `${d.file ? path.basename(path.dirname(d.file.fileName)) + '/' + path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** Renders a generated app with `k8s-topology render` into `<dir>/../manifests`. */
export function renderApp(dir: string): Run {
  return cli(dir, 'render', '--app', `${TS_NODE} main.ts`, '--out', '../manifests');
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: any;
}

/** Every object of a rendered folder's YAML files. */
export function objectsOf(folder: string): KubeObject[] {
  return fs.readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(folder, f), 'utf8')).map((d) => d.toJS() as KubeObject).filter(Boolean));
}

/** Every file under a folder, relative path → content. */
export function filesUnder(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.name === 'node_modules') continue;
    if (e.isDirectory()) Object.assign(out, filesUnder(dir, rel));
    else out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  }
  return out;
}

/** The input as the test reads it independently: the YAML with merge keys, no importer code involved. */
export function readInput(file: string): Record<string, any> {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { merge: true });
  if (!isMap(doc.contents) && !isSeq(doc.contents)) throw new Error(`${file}: not a mapping`);
  return doc.toJS() as Record<string, any>;
}

const SECRET_NAME = /(PASSWORD|PASS|SECRET|TOKEN|KEY|DSN|SALT)/i;

/** Values that must never reach an output file: the secret-looking values of every env file and of the compose file. */
export function secretValues(fixture: string): string[] {
  const dir = path.join(FIXTURES, fixture);
  const values = new Set<string>();
  const envFiles = filesIn(dir).filter((f) => /(^|\/)\.env|\.env$/.test(f));
  for (const f of envFiles) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
      if (m && SECRET_NAME.test(m[1])) values.add(m[2].replace(/^['"]|['"]$/g, ''));
    }
  }
  const walk = (v: any, key = '') => {
    // `secrets:` lists the names of file secrets, not their values.
    if (key === 'secrets') return;
    if (typeof v === 'string') {
      const kv = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(v);
      if (kv && SECRET_NAME.test(kv[1])) values.add(kv[2]);
      else if (SECRET_NAME.test(key)) values.add(v);
      const cred = /:\/\/[^/:@\s]*:([^@/\s]+)@/.exec(v);
      if (cred && !cred[1].includes('$')) values.add(cred[1]);
    } else if (Array.isArray(v)) {v.forEach((x) => walk(x, key));} else if (v && typeof v === 'object') {Object.entries(v).forEach(([k, x]) => walk(x, k));}
  };
  walk(readInput(composeFile(fixture)));
  // Interpolations and empty values are not secrets; short values (e.g. "guest") appear in ordinary words.
  return [...values].filter((v) => v.length >= 8 && !v.includes('${'));
}

function filesIn(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesIn(dir, rel) : [rel];
  });
}
