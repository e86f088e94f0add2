import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { parseArgs, UsageError } from './args';
import { readCdk8sYaml } from './project';
import { KubeObject } from '../kube-object';
import { Provenance } from '../provenance';
import { progressLine, renderFolder, RenderedFolderOutput, swapIn, writeFolders } from '../render';
import { INDEX_FILE, RenderIndex, verifyFolder } from '../render-index';

export const RENDER_USAGE = `usage: k8s-topology render [<module.js|module.ts> | --app "<command>"] [--out DIR]

Runs the cdk8s app and writes the delivery render: one folder per chart with a file per
component, index.json and README.md, every object stamped with the package version. The app is
the "app" command of cdk8s.yaml unless a module or --app is given; it runs with CDK8S_OUTDIR set,
as under cdk8s synth. An app built on DeliveryApp writes the render itself (and its Argo CD
folder); a plain cdk8s App's chart files are turned into the same folders. The output is replaced
as a whole only when the app succeeded: a failing app, or one that renders nothing, leaves the
previous render as it was.

  --app "<command>"  the command that runs the app (default: "app" of cdk8s.yaml)
  --out DIR          the render folder (default: "output" of cdk8s.yaml, else dist/manifests)

Exit status: 0 rendered, 1 the app failed or rendered nothing, 2 usage error.`;

function appCommand(module: string | undefined, app: string | undefined): string {
  if (module && app) throw new UsageError('give either a module or --app, not both');
  if (app) return app;
  if (module) {
    if (!fs.existsSync(module)) throw new UsageError(`${module} does not exist`);
    if (/\.ts$/.test(module)) return `npx ts-node ${JSON.stringify(module)}`;
    return `${JSON.stringify(process.execPath)} ${JSON.stringify(module)}`;
  }
  const project = readCdk8sYaml();
  if (!project?.app) {
    throw new UsageError(`no cdk8s app here: ${project ? 'cdk8s.yaml has no "app"' : `no cdk8s.yaml in ${process.cwd()}`}; give a module or --app`);
  }
  return project.app;
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
  const args = parseArgs(argv, ['app', 'out']);
  if (args.positionals.length > 1) throw new UsageError(`render takes at most one module; got ${args.positionals.join(' ')}`);
  const command = appCommand(args.positionals[0], args.options.app);
  const outdir = path.resolve(args.options.out ?? readCdk8sYaml()?.output ?? 'dist/manifests');
  const started = Date.now();
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(outdir), `.${path.basename(outdir)}-render-`));
  try {
    const run = spawnSync('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CDK8S_OUTDIR: staging } });
    if (run.error) throw new Error(`could not run "${command}": ${run.error.message}`);
    if (run.status !== 0) throw new Error(`the app "${command}" failed (${run.signal ? `signal ${run.signal}` : `exit ${run.status}`})`);
    if (!fs.existsSync(staging) || fs.readdirSync(staging).length === 0) throw new Error(`the app "${command}" synthesized nothing into CDK8S_OUTDIR`);

    let indexes: RenderIndex[];
    if (isDeliveryRender(staging)) {
      indexes = fs.readdirSync(staging).sort().map((f) => verifyFolder(path.join(staging, f)));
      swapIn(staging, outdir);
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
      writeFolders(folders, outdir);
      fs.rmSync(staging, { recursive: true, force: true });
      for (const f of folders) console.log(progressLine(f));
      indexes = folders.map((f) => f.index);
    }
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
