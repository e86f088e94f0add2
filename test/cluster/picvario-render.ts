// Picvario renders for the gitops suite, made in-process from the constructs in src/ exactly as
// `npm run synth` makes them (picvarioApp: one PicvarioEnvironment per spec, the Argo CD folder of
// project "picvario"), with two differences that every render here has and says:
//   - argoCd.repoUrl is the suite's own git repository (file://, what the repo server can read);
//   - a variant may change the app props of an environment (a release, a failing migration, a
//     shorter cooldown...). Every change is a prop of the public constructs, never an edit of files.
// Publishing goes through the k8s-topology CLI (`node lib/cli/main.js publish`), as a
// pipeline publishes.
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { run } from './kube';
import { DjangoAppChart, DjangoAppChartProps } from '../../src/app/django-app-chart';
import { DeliveryApp } from '../../src/delivery/delivery-app';
import { ENVIRONMENTS } from '../../src/picvario/environments';
import { picvarioApp } from '../../src/picvario/main';
import { picvarioAppProps } from '../../src/picvario/picvario-environment';
import { readRender } from '../support/render';

export const REPO = path.resolve(__dirname, '../..');
/** What picvarioApp() gives its Argo CD folder (src/picvario/main.ts); the suite adds only repoUrl. */
const ARGOCD_PROJECT = 'picvario';
const ARGOCD_DESCRIPTION = 'Picvario environments, synced from the rendered branch';

export interface RenderVariant {
  /** What the variant changes, for the output. */
  readonly label: string;
  /** The app props of one environment, from Picvario's own. */
  readonly props?: (env: string, props: DjangoAppChartProps) => DjangoAppChartProps;
  /** Adds objects to an environment's chart (for the fence tests: kinds the project does not allow). */
  readonly extra?: (env: string, chart: DjangoAppChart) => void;
}

export interface RenderedObject {
  folder: string;
  file: string;
  obj: any;
}

export interface PicvarioRender {
  readonly dir: string;
  readonly label: string;
  /** folder -> digest (sha256:...) as in its index.json. */
  readonly digests: Record<string, string>;
  readonly objects: RenderedObject[];
}

function quietly<T>(f: () => T): T {
  const log = console.log;
  console.log = () => undefined;
  try { return f(); } finally { console.log = log; }
}

/** Renders Picvario's environments, changed as the variant says, into `dir`. */
export function renderPicvario(dir: string, repoUrl: string, variant: RenderVariant = { label: 'as rendered' }): PicvarioRender {
  const app = new DeliveryApp({ outdir: dir, argoCd: { project: ARGOCD_PROJECT, description: ARGOCD_DESCRIPTION, repoUrl } });
  for (const spec of ENVIRONMENTS) {
    const props = picvarioAppProps(spec);
    const chart = new DjangoAppChart(app, spec.name, variant.props ? variant.props(spec.name, props) : props);
    variant.extra?.(spec.name, chart);
  }
  quietly(() => app.synth());
  const folders = readRender(dir);
  return {
    dir,
    label: variant.label,
    digests: Object.fromEntries(folders.map((f) => [f.name, f.index.digest])),
    objects: folders.flatMap((f) => f.files.filter((file) => file.name.endsWith('.yaml'))
      .flatMap((file) => parseAllDocuments(file.content).map((d) => d.toJS()).filter(Boolean)
        .map((obj) => ({ folder: f.name, file: file.name, obj })))),
  };
}

/** The render of `picvarioApp()` itself (what `npm run synth` writes), in a temporary folder. */
export function renderPicvarioAsShipped(): { digests: Record<string, string>; argocdFiles: Record<string, string> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'picvario-render-'));
  try {
    const out = path.join(dir, 'out');
    quietly(() => picvarioApp(out).synth());
    const folders = readRender(out);
    const argocd = folders.find((f) => f.name === 'argocd');
    return {
      digests: Object.fromEntries(folders.map((f) => [f.name, f.index.digest])),
      argocdFiles: Object.fromEntries((argocd?.files ?? []).map((f) => [f.name, f.content])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a file of a render folder. */
export function readRendered(render: PicvarioRender, file: string): string {
  return readFileSync(path.join(render.dir, file), 'utf8');
}

/** `k8s-topology publish`: commits the render to the branch of `repo`; returns the branch's new tip. */
export async function publish(render: { readonly dir: string }, repo: string, branch = 'rendered'): Promise<{ commit: string; output: string }> {
  const source = (await run('git', ['-C', REPO, 'rev-parse', 'HEAD'])).stdout.trim();
  const r = await run('node', [path.join(REPO, 'lib/cli/main.js'), 'publish', '--source', render.dir, '--repo', repo, '--branch', branch, '--source-commit', source],
    { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`k8s-topology publish failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  const tip = await run('git', ['-C', repo, 'rev-parse', branch]);
  return { commit: tip.stdout.trim(), output: r.stdout.trim() };
}

/** The sync wave and hook of a rendered object, as Argo CD reads them. */
export function waveOf(obj: any): { wave: number; hook?: string } {
  const a = obj?.metadata?.annotations ?? {};
  return { wave: Number(a['argocd.argoproj.io/sync-wave'] ?? 0), hook: a['argocd.argoproj.io/hook'] };
}
