import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { isTypeScript } from './app-runner';
import { parseArgs, UsageError } from './args';
import { libraryPackage } from './library-package';
import { readCdk8sYaml } from './project';
import { KubeObject } from '../delivery/kube-object';
import { Provenance } from '../delivery/provenance';
import { progressLine, renderFolder, RenderedFolderOutput, STAGING_DIR_ENV, swapIn, writeFolderFiles } from '../delivery/render';
import { INDEX_FILE, RenderIndex, verifyFolder } from '../delivery/render-index';
import { readPackageJson } from '../platform/package-json';

export const RENDER_USAGE = `usage: k8s-topology render [<module.js|module.ts> | --app "<command>"] [--out DIR] [--typecheck]

Runs the cdk8s app and writes the delivery render: one folder per chart with a file per
component, index.json and README.md, every object stamped with the package version. The app is
the "app" command of cdk8s.yaml unless a module or --app is given; it runs with CDK8S_OUTDIR set,
as under cdk8s synth. An app built on DeliveryApp writes the render itself (and its Argo CD
folder); a plain cdk8s App's chart files are turned into the same folders. The output is replaced
as a whole only when the app succeeded: a failing app, or one that renders nothing, leaves the
previous render as it was.

A TypeScript app runs with the TypeScript runner of this package (k8s-topology run): no ts-node
or TypeScript needed, types not checked. It does so for a .ts module given here and for these
"app" commands: "npx k8s-topology run main.ts" (the one to write: cdk8s synth runs it too),
"ts-node main.ts" (with npx, -T, --transpile-only or --files) and "main.ts". Any other command
runs as written, in sh.

  --app "<command>"  the command that runs the app (default: "app" of cdk8s.yaml)
  --out DIR          the render folder (default: "output" of cdk8s.yaml, else dist/manifests)
  --typecheck        first run the project's own TypeScript, tsc --noEmit with its tsconfig.json,
                     and render nothing when it finds errors

Exit status: 0 rendered, 1 the app failed, rendered nothing or did not type-check, 2 usage error
(also: the app module, TypeScript or tsconfig.json for --typecheck is missing).`;

/** How render runs the app: a module through `k8s-topology run`, or a command through sh. */
type AppInvocation =
  | { readonly kind: 'module'; readonly module: string; readonly args: string[]; readonly label: string }
  | { readonly kind: 'shell'; readonly command: string; readonly label: string };

const NPX_FLAGS = ['--no-install', '--no', '--yes', '-y', '--offline', '--prefer-offline'];
const TS_NODE_FLAGS = ['-T', '--transpile-only', '--files'];

/**
 * The module an "app" command runs, when the TypeScript runner of this package runs it instead:
 * `[npx] k8s-topology run <module> [args]`, `[npx] ts-node [-T|--transpile-only|--files] <module.ts> [args]`
 * and `<module.ts> [args]`. Undefined for any other command (other options, environment assignments,
 * quotes, pipes, any shell syntax), which runs as written.
 */
export function runnerModule(command: string): { module: string; args: string[] } | undefined {
  if (/[^\w@%+=:,./\s-]/.test(command)) return undefined;
  let words = command.trim().split(/\s+/);
  if (words[0].includes('=')) return undefined;
  const npx = words[0] === 'npx';
  if (npx) {
    words = words.slice(1);
    while (words.length && NPX_FLAGS.includes(words[0])) words = words.slice(1);
  }
  if (words[0] === 'k8s-topology' && words[1] === 'run' && words.length > 2 && !words[2].startsWith('-')) {
    return { module: words[2], args: words.slice(3) };
  }
  if (words[0] === 'ts-node') {
    let i = 1;
    while (i < words.length && TS_NODE_FLAGS.includes(words[i])) i++;
    return i < words.length && isTypeScript(words[i]) ? { module: words[i], args: words.slice(i + 1) } : undefined;
  }
  return !npx && isTypeScript(words[0]) ? { module: words[0], args: words.slice(1) } : undefined;
}

function appInvocation(module: string | undefined, app: string | undefined): AppInvocation {
  if (module && app) throw new UsageError('give either a module or --app, not both');
  if (module) {
    if (!fs.existsSync(module)) throw new UsageError(`${module} does not exist`);
    if (isTypeScript(module)) return { kind: 'module', module, args: [], label: module };
    return { kind: 'shell', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(module)}`, label: module };
  }
  let command = app;
  let from = '--app';
  if (command === undefined) {
    const project = readCdk8sYaml();
    if (!project?.app) {
      throw new UsageError(`no cdk8s app here: ${project ? 'cdk8s.yaml has no "app"' : `no cdk8s.yaml in ${process.cwd()}`}; give a module or --app`);
    }
    command = project.app;
    from = 'the "app" of cdk8s.yaml';
  }
  const runner = runnerModule(command);
  if (!runner) return { kind: 'shell', command, label: command };
  if (!fs.existsSync(runner.module)) {
    throw new UsageError(`the app module ${runner.module} does not exist in ${process.cwd()} (${from} is "${command}")`);
  }
  return { kind: 'module', ...runner, label: command };
}

/**
 * Runs the app with CDK8S_OUTDIR set to the staging folder (and STAGING_DIR_ENV naming it as ours, so a
 * DeliveryApp writes straight into it): a module through this CLI's `run` in a Node process of its own.
 */
function runApp(app: AppInvocation, outdir: string, typeChecked: boolean) {
  const env = { ...process.env, CDK8S_OUTDIR: outdir, [STAGING_DIR_ENV]: outdir };
  const stdio: ['ignore', 'inherit', 'inherit'] = ['ignore', 'inherit', 'inherit'];
  if (app.kind === 'shell') return spawnSync('sh', ['-c', app.command], { stdio, env });
  const cli = path.join(__dirname, 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`the TypeScript runner is the compiled CLI, and ${cli} does not exist (npx projen compile)`);
  if (isTypeScript(app.module)) {
    console.log(`running ${app.module} with the TypeScript runner of ${libraryPackage().name}${typeChecked ? '' : ' (types not checked: render --typecheck runs tsc first)'}`);
  }
  return spawnSync(process.execPath, [cli, 'run', app.module, ...app.args], { stdio, env });
}

/**
 * --typecheck: the project's own TypeScript (resolved from the working directory) runs tsc --noEmit with
 * the project's tsconfig.json. Throws UsageError when either is missing, Error when tsc finds errors.
 */
function typeCheck(): void {
  const cwd = process.cwd();
  let manifest: string;
  try {
    manifest = require.resolve('typescript/package.json', { paths: [cwd] });
  } catch {
    throw new UsageError(`--typecheck runs the project's own TypeScript (tsc --noEmit), and there is none in ${cwd}: npm install --save-dev typescript, or render without --typecheck`);
  }
  if (!fs.existsSync(path.join(cwd, 'tsconfig.json'))) {
    throw new UsageError(`--typecheck runs tsc --noEmit with the project's tsconfig.json, and there is none in ${cwd} (the README's "Another team's path" has one)`);
  }
  const pkg = readPackageJson(manifest);
  const bins = pkg?.bin as string | Record<string, unknown> | undefined;
  const bin = typeof bins === 'string' ? bins : bins?.tsc;
  if (!pkg || typeof bin !== 'string' || bin === '') throw new UsageError(`--typecheck: the typescript package in ${path.dirname(manifest)} has no tsc`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [path.join(path.dirname(manifest), bin), '--noEmit'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`could not run tsc: ${run.error.message}`);
  // tsc's report, each stream ending in a newline (TypeScript 7 ends its last line without one).
  for (const [text, stream] of [[run.stdout, process.stdout], [run.stderr, process.stderr]] as const) {
    if (text) stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  if (run.status !== 0) throw new Error(`tsc --noEmit (TypeScript ${pkg.version}) found errors (${run.signal ? `signal ${run.signal}` : `exit ${run.status}`}); nothing was rendered`);
  console.log(`type check: tsc --noEmit (TypeScript ${pkg.version}) passed in ${Date.now() - started} ms`);
}

/** The chart files of a plain cdk8s App (FILE_PER_CHART or a folder per chart) as folders of objects. */
function plainCharts(dir: string): { name: string; objects: KubeObject[] }[] {
  const parse = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    return value && typeof value === 'object' ? [value as KubeObject] : [];
  });
  const yaml = (name: string) => /\.ya?ml$/.test(name);
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      return [{ name: e.name.replace(/^\d{4}-/, ''), objects: fs.readdirSync(full).filter(yaml).sort().flatMap((f) => parse(path.join(full, f))) }];
    }
    return yaml(e.name) ? [{ name: e.name.replace(/^\d{4}-/, '').replace(/(\.k8s)?\.ya?ml$/, ''), objects: parse(full) }] : [];
  });
}

function isDeliveryRender(dir: string): boolean {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  return entries.length > 0 && entries.every((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, INDEX_FILE)));
}

/** `k8s-topology render`: returns the exit status. */
export function renderCommand(argv: string[]): number {
  const args = parseArgs(argv, ['app', 'out'], ['typecheck']);
  if (args.positionals.length > 1) throw new UsageError(`render takes at most one module; got ${args.positionals.join(' ')}`);
  const app = appInvocation(args.positionals[0], args.options.app);
  const command = app.label;
  const outdir = path.resolve(args.options.out ?? readCdk8sYaml()?.output ?? 'dist/manifests');
  const started = Date.now();
  if (args.flags.has('typecheck')) {
    try {
      typeCheck();
    } catch (e) {
      if (e instanceof UsageError) throw e;
      console.error(`k8s-topology render: ${(e as Error).message}; the previous render is left as it was`);
      return 1;
    }
  }
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(outdir), `.${path.basename(outdir)}-render-`));
  try {
    const run = runApp(app, staging, args.flags.has('typecheck'));
    if (run.error) throw new Error(`could not run "${command}": ${run.error.message}`);
    if (run.status !== 0) throw new Error(`the app "${command}" failed (${run.signal ? `signal ${run.signal}` : `exit ${run.status}`})`);
    if (!fs.existsSync(staging) || fs.readdirSync(staging).length === 0) throw new Error(`the app "${command}" synthesized nothing into CDK8S_OUTDIR`);

    // The staging folder is swapped in once, as the app wrote it or as its chart files are turned into folders.
    let indexes: RenderIndex[];
    if (isDeliveryRender(staging)) {
      indexes = fs.readdirSync(staging).sort().map((f) => verifyFolder(path.join(staging, f)));
    } else {
      const charts = plainCharts(staging);
      if (!charts.some((c) => c.objects.length)) throw new Error(`the app "${command}" synthesized no objects`);
      const provenance = Provenance.fromProject();
      const folders: RenderedFolderOutput[] = charts.map((c) => renderFolder({
        name: c.name,
        objects: c.objects,
        namespace: single(c.objects.map((o) => o.metadata?.namespace)),
        appVersion: single(c.objects.map((o) => o.metadata?.labels?.['app.kubernetes.io/version'])),
      }, provenance));
      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging);
      writeFolderFiles(folders, staging);
      for (const f of folders) console.log(progressLine(f));
      indexes = folders.map((f) => f.index);
    }
    swapIn(staging, outdir);
    const objects = indexes.reduce((n, i) => n + i.objects.length, 0);
    const pkg = indexes[0].package;
    console.log(`rendered ${indexes.length} folder${indexes.length === 1 ? '' : 's'} (${objects} objects, ${pkg.name} ${pkg.version}) into ${path.relative(process.cwd(), outdir) || '.'}/ in ${Date.now() - started} ms`);
    return 0;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    console.error(`k8s-topology render: ${(e as Error).message}; the previous render is left as it was`);
    return 1;
  }
}

function single(values: (string | undefined)[]): string | undefined {
  const distinct = [...new Set(values.filter((v): v is string => !!v))];
  return distinct.length === 1 ? distinct[0] : undefined;
}
