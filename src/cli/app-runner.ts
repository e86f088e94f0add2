import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { transform } from 'sucrase';

/** The extensions whose files the runner turns into CommonJS before Node loads them. */
export const TYPESCRIPT_EXTENSIONS = ['.ts', '.cts'];

/** A file name that the runner transpiles. */
export function isTypeScript(file: string): boolean {
  return TYPESCRIPT_EXTENSIONS.includes(path.extname(file)) && !file.endsWith('.d.ts');
}

/** An app that cannot be run as given: the CLI prints the message and exits 2. */
export class AppNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppNotFoundError';
  }
}

/**
 * TypeScript to CommonJS, one file at a time and without type information, as `tsc --isolatedModules`
 * would emit it: types, interfaces and imports used only as types are removed, `import`/`export` become
 * `require`/`exports` (with esModuleInterop's default-import semantics), enums and parameter properties
 * are compiled. Line numbers are kept, so a stack trace points at the line of the .ts file.
 */
export function transpile(source: string, filePath: string): string {
  return transform(source, { transforms: ['typescript', 'imports'], filePath, disableESTransforms: true }).code;
}

type Loader = (module: Module, filename: string) => void;
interface ModuleInternals {
  _extensions: Record<string, Loader>;
  _load: (request: string, parent: Module | null, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: Module | undefined, ...rest: unknown[]) => string;
}

let registered = false;

/**
 * Makes `require` load `.ts` and `.cts` files in this process, transpiled by `transpile`, so that an app
 * and the files it imports run without ts-node or TypeScript. A relative import written as `./chart.js`
 * (as `module: node16` asks for) loads `./chart.ts` when no `chart.js` exists. Registered once.
 */
export function registerTypeScript(): void {
  if (registered) return;
  registered = true;
  const internals = Module as unknown as ModuleInternals;
  const load: Loader = (module, filename) => {
    const compiled = transpile(fs.readFileSync(filename, 'utf8'), filename);
    // The third argument (Node 22 and later) keeps Node from guessing the format from package.json "type".
    (module as unknown as { _compile(code: string, file: string, format?: string): void })._compile(compiled, filename, 'commonjs');
  };
  for (const ext of TYPESCRIPT_EXTENSIONS) internals._extensions[ext] = load;

  const resolve = internals._resolveFilename;
  internals._resolveFilename = function resolveTypeScript(request, parent, ...rest) {
    try {
      return resolve.call(this, request, parent, ...rest);
    } catch (e) {
      const ts = /^\.\.?\//.test(request) && /\.c?js$/.test(request) ? request.replace(/\.(c?)js$/, '.$1ts') : undefined;
      if (!ts) throw e;
      try {
        return resolve.call(this, ts, parent, ...rest);
      } catch {
        throw e;
      }
    }
  };
}

/**
 * Runs an app module in this process as `node <file> <args>` would: a `.ts` or `.cts` file through the
 * TypeScript runner, any other through Node. `process.argv` is what the app would see under node.
 * Throws AppNotFoundError when the file does not exist.
 */
export function runApp(file: string, args: string[] = []): void {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new AppNotFoundError(`${file} does not exist in ${process.cwd()}`);
  if (!fs.statSync(full).isFile()) throw new AppNotFoundError(`${file} is not a file`);
  if (isTypeScript(full)) registerTypeScript();
  process.argv = [process.argv[0], full, ...args];
  // As the main module, as `node <file>` loads it: `require.main === module` holds in the app.
  (Module as unknown as ModuleInternals)._load(full, null, true);
}
