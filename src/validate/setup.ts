// Where the validation gate's tools and schemas live (the cache that hack/validate/install.sh fills), and
// the check that they are there. The cache keys change whenever a version or a generator input changes.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALL_TOOLS, Tool } from './findings';
import { listFiles } from './schemas';
import { readPackageJson } from '../platform/package-json';
import { sha256OfFields } from '../platform/sha256';

/** The repository: src/validate/ when run by the tests, lib/validate/ when compiled. */
export const REPO = path.resolve(__dirname, '..', '..');
/** The gate's scripts and data: versions.env, the exceptions files, the trivy module. */
export const HACK_DIR = path.join(REPO, 'hack', 'validate');
export const INSTALL_HINT = 'bash hack/validate/install.sh';
/** The schema generator, whose source is part of every schema cache key. */
const GENERATOR = path.join(REPO, 'src', 'validate', 'schemas.ts');

export interface Paths {
  readonly repo: string;
  readonly cache: string;
  /** versions.env: KEY=value */
  readonly versions: Record<string, string>;
  readonly crdsDir: string;
  readonly kubeconform: string;
  readonly kubeScore: string;
  readonly trivy: string;
  readonly cyclonus: string;
  readonly k8sVersions: string[];
  readonly k8sSchemaDirs: Record<string, string>;
  readonly crdSchemaDir: string;
  readonly lifecycleFile: string;
}

function readVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(HACK_DIR, 'versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function sha(parts: unknown[]): string {
  return sha256OfFields(parts.map(String)).slice(0, 12);
}

/** The files under `dir` that `pred` accepts, sorted; none when `dir` does not exist. */
export function listFilesIfAny(dir: string, pred: (file: string) => boolean): string[] {
  return fs.existsSync(dir) ? listFiles(dir, pred) : [];
}

/**
 * The cache folder's name: this repository's package name without its scope's `@` and slash, as
 * hack/lib/common.sh names `$CACHE_ROOT` (hack/validate/install.sh checks that the two agree).
 */
function cacheName(): string {
  const name = readPackageJson(path.join(REPO, 'package.json'))?.name;
  if (typeof name !== 'string' || name === '') throw new Error(`${path.join(REPO, 'package.json')} has no name: the gate names its cache folder after it`);
  return name.replace(/^@/, '').replace('/', '-');
}

/** Every path the gate uses. */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): Paths {
  const v = readVersions();
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  const cache = path.join(cacheHome, cacheName());
  const crdsDir = path.resolve(env.CRDS_DIR || path.join(REPO, '..', 'shared', 'crds'));
  const generator = fs.readFileSync(GENERATOR, 'utf8');
  const crdFiles = listFilesIfAny(crdsDir, (p) => /\.ya?ml$/.test(p));
  const crdKey = sha([generator, ...crdFiles.map((f) => path.relative(crdsDir, f) + fs.readFileSync(f, 'utf8'))]);
  const k8sKey = (ver: string): string => sha([generator, ver]);
  const trivyModule = path.join(REPO, v.TRIVY_MODULE_DIR);
  const trivyKey = sha(['go.mod', 'go.sum', 'main.go'].map((f) => f + fs.readFileSync(path.join(trivyModule, f), 'utf8')));
  return {
    repo: REPO,
    cache,
    versions: v,
    crdsDir,
    kubeconform: path.join(cache, 'bin', `kubeconform-${v.KUBECONFORM_VERSION}`, 'kubeconform'),
    kubeScore: path.join(cache, 'bin', `kube-score-${v.KUBE_SCORE_VERSION}`, 'kube-score'),
    // Keyed by the module's sources too, so an edit to the scanner's main rebuilds it.
    trivy: path.join(cache, 'bin', `trivy-k8s-config-${v.TRIVY_VERSION}-${trivyKey}`, 'trivy-k8s-config'),
    cyclonus: path.join(cache, 'bin', `cyclonus-${v.CYCLONUS_VERSION}`, 'cyclonus'),
    k8sVersions: [v.K8S_OLDEST_VERSION, v.K8S_NEWEST_VERSION],
    k8sSchemaDirs: {
      [v.K8S_OLDEST_VERSION]: path.join(cache, 'schemas', `k8s-${v.K8S_OLDEST_VERSION}-${k8sKey(v.K8S_OLDEST_VERSION)}`),
      [v.K8S_NEWEST_VERSION]: path.join(cache, 'schemas', `k8s-${v.K8S_NEWEST_VERSION}-${k8sKey(v.K8S_NEWEST_VERSION)}`),
    },
    crdSchemaDir: path.join(cache, 'schemas', `crds-${crdKey}`),
    lifecycleFile: path.join(cache, 'schemas',
      `lifecycle-${v.K8S_API_MODULE_VERSION}-${sha([generator, v.K8S_OLDEST_VERSION, v.K8S_NEWEST_VERSION])}.json`),
  };
}

/**
 * Throws, naming what is missing and how to install it, unless every binary and schema the given tools
 * need is there (all tools by default).
 */
export function checkPrerequisites(paths: Paths = resolvePaths(), tools: readonly Tool[] = ALL_TOOLS): void {
  const missing: string[] = [];
  const need = (p: string, what: string): void => { if (!fs.existsSync(p)) missing.push(`${what} (${p})`); };
  const uses = (t: Tool): boolean => tools.includes(t);
  if (uses('kubeconform')) need(paths.kubeconform, `kubeconform ${paths.versions.KUBECONFORM_VERSION}`);
  if (uses('kube-score')) need(paths.kubeScore, `kube-score ${paths.versions.KUBE_SCORE_VERSION}`);
  if (uses('trivy')) need(paths.trivy, `trivy ${paths.versions.TRIVY_VERSION} (its Kubernetes scanner, trivy-k8s-config)`);
  if (uses('cyclonus')) need(paths.cyclonus, `cyclonus ${paths.versions.CYCLONUS_VERSION}`);
  if (uses('kubeconform')) {
    for (const ver of paths.k8sVersions) need(path.join(paths.k8sSchemaDirs[ver], 'done'), `Kubernetes ${ver} JSON schemas`);
  }
  if (uses('kubeconform') || uses('apiversions')) need(path.join(paths.crdSchemaDir, 'crd-versions.json'), `CRD JSON schemas from ${paths.crdsDir}`);
  if (uses('apiversions')) need(paths.lifecycleFile, `apiVersion lifecycle data from k8s.io/api ${paths.versions.K8S_API_MODULE_VERSION}`);
  if (missing.length) {
    throw new Error(`validation prerequisites missing: ${missing.join('; ')}. Install them with: ${INSTALL_HINT}`);
  }
}

/** Runs a tool to the end and returns its output; throws only when it cannot be started. */
export function runTool(bin: string, args: string[], maxBufferMiB = 256): SpawnSyncReturns<string> {
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: maxBufferMiB * 1024 * 1024 });
  if (r.error) throw new Error(`${bin}: ${r.error.message}`);
  return r;
}

/** `s` as one word of a POSIX shell command line. */
export function shellQuote(s: unknown): string {
  return `'${String(s).replace(/'/g, "'\\''")}'`;
}
