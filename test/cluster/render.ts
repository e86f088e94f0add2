// Reads the rendered environments (dist/manifests/<environment>/*.yaml) and derives what the
// cluster tests check: web components, their PodDisruptionBudgets and autoscaler minimums.
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { KubeObject, labelsMatch, parseYamlObjects } from './kube';

export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const WEB_COMPONENTS = ['backend', 'frontend', 'edge'];
export const POOL_LABEL = 'picvario.io/pool';
export const FACE_POOL = 'face-recognition';

export interface Environment {
  /** The folder's name, prefixed with its render's label for renders other than the main one (`examples/shop/production`). */
  name: string;
  dir: string;
  files: string[];
  objects: KubeObject[];
  /** The render the folder belongs to: `dist/manifests`, `examples/shop`, `imports/<fixture>`. */
  render: string;
}

/** Files that are not manifests even though they sit in the folder. */
function isManifestFile(name: string): boolean {
  return name.endsWith('.yaml') && !/^(readme|index|kustomization)\b/i.test(name);
}

/** A short name for a render folder: its path from the repository, without a trailing `dist/manifests` or `manifests`. */
export function renderLabel(repo: string, manifestsDir: string): string {
  const rel = path.relative(repo, path.resolve(manifestsDir)) || '.';
  if (rel === 'dist/manifests') return rel;
  return rel.replace(/\/dist\/manifests$/, '').replace(/^dist\/imports\//, 'imports/').replace(/\/manifests$/, '');
}

/**
 * Loads every folder of a render, labelled `label`. With `prefixNames`, folder names get the label as
 * a prefix, so that two renders may both have a `production` folder.
 */
export function loadEnvironments(manifestsDir: string, label = manifestsDir, prefixNames = false): Environment[] {
  if (!existsSync(manifestsDir)) throw new Error(`rendered manifests not found: ${manifestsDir} is missing (run npm run synth)`);
  const envs: Environment[] = [];
  for (const name of readdirSync(manifestsDir).sort()) {
    const dir = path.join(manifestsDir, name);
    if (!statSync(dir).isDirectory() || name.startsWith('.')) continue;
    const files = readdirSync(dir).filter(isManifestFile).sort();
    const objects = files.flatMap((f) => parseYamlObjects(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
    envs.push({ name: prefixNames ? `${label}/${name}` : name, dir, files, objects, render: label });
  }
  if (envs.length === 0) throw new Error(`no folders with manifests in ${manifestsDir}`);
  for (const env of envs) {
    if (env.objects.length === 0) throw new Error(`${env.dir}: no objects in *.yaml`);
  }
  return envs;
}

/** An environment folder renders its own Namespace; other folders (Argo CD's) do not. */
export function isEnvironment(env: Environment): boolean {
  return env.objects.some((o) => o.kind === 'Namespace');
}

// Order in which a first apply creates objects, so that what a Pod needs exists before the
// controllers create it (the same idea as Helm's install order). Kinds not listed go last.
const KIND_ORDER = [
  'Namespace', 'PriorityClass', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'ServiceAccount',
  'Secret', 'ConfigMap', 'SecretStore', 'ClusterSecretStore', 'ExternalSecret', 'TriggerAuthentication',
  'ClusterTriggerAuthentication', 'StorageClass', 'PersistentVolumeClaim', 'ClusterRole',
  'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'PodDisruptionBudget', 'DaemonSet',
  'StatefulSet', 'Deployment', 'HorizontalPodAutoscaler', 'ScaledObject', 'ScaledJob', 'Job',
  'CronJob', 'IngressClass', 'Ingress',
];

export function applyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

/**
 * What a pod template requires of its placement: spread over zones (a zone constraint with
 * DoNotSchedule, or required anti-affinity per zone) and one pod per node (a hostname constraint with
 * maxSkew 1 and DoNotSchedule, or required anti-affinity per node). Preferences guarantee neither.
 */
export function placementRequired(template: any): { zones: boolean; nodes: boolean } {
  const spec = template?.spec ?? {};
  const constraints: any[] = spec.topologySpreadConstraints ?? [];
  const anti: any[] = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const hard = (key: string, maxSkew?: number) => constraints.some((c) => c.topologyKey === key && c.whenUnsatisfiable === 'DoNotSchedule' && (maxSkew === undefined || c.maxSkew === maxSkew))
    || anti.some((t) => t.topologyKey === key);
  return { zones: hard('topology.kubernetes.io/zone'), nodes: hard('kubernetes.io/hostname', 1) };
}

/** Kinds whose pods the ReplicaSet/StatefulSet controllers keep running. */
export function workloads(env: Environment): KubeObject[] {
  return env.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}

export function componentOf(o: KubeObject): string | undefined {
  return o.spec?.template?.metadata?.labels?.[COMPONENT_LABEL] ?? o.metadata.labels?.[COMPONENT_LABEL];
}

export function namespaceOf(o: KubeObject): string {
  if (!o.metadata.namespace) throw new Error(`${o.kind}/${o.metadata.name} has no metadata.namespace`);
  return o.metadata.namespace;
}

/** True when the pod template is meant for the face-recognition pool. */
export function runsOnFacePool(template: any): boolean {
  if (template?.spec?.nodeSelector?.[POOL_LABEL] === FACE_POOL) return true;
  const terms = template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.some((t: any) => (t.matchExpressions ?? []).some((e: any) => e.key === POOL_LABEL && e.operator === 'In' && e.values?.includes(FACE_POOL)));
}

export interface WebWorkload {
  env: string;
  namespace: string;
  component: string;
  deployment: KubeObject;
  pdb?: KubeObject;
  hpa?: KubeObject;
}

export function webWorkloads(env: Environment): WebWorkload[] {
  return workloads(env)
    .filter((d) => d.kind === 'Deployment' && WEB_COMPONENTS.includes(componentOf(d) ?? ''))
    .map((d) => {
      const labels = d.spec?.template?.metadata?.labels ?? {};
      const pdb = env.objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.namespace === d.metadata.namespace && labelsMatch(o.spec?.selector, labels));
      const hpa = env.objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === d.metadata.namespace
        && o.spec?.scaleTargetRef?.kind === 'Deployment' && o.spec?.scaleTargetRef?.name === d.metadata.name);
      return { env: env.name, namespace: namespaceOf(d), component: componentOf(d)!, deployment: d, pdb, hpa };
    });
}

/** The Ready pods a PDB requires, for a given number of expected pods (PDB rounding: up). */
export function pdbMinReady(pdb: KubeObject, expected: number): number {
  const pct = (v: string) => Number(v.replace('%', '')) / 100;
  if (pdb.spec?.minAvailable !== undefined) {
    const v = pdb.spec.minAvailable;
    return typeof v === 'string' && v.endsWith('%') ? Math.ceil(pct(v) * expected) : Number(v);
  }
  if (pdb.spec?.maxUnavailable !== undefined) {
    const v = pdb.spec.maxUnavailable;
    return expected - (typeof v === 'string' && v.endsWith('%') ? Math.ceil(pct(v) * expected) : Number(v));
  }
  return 0;
}
