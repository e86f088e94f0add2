import { App, Chart } from 'cdk8s';
import { KubeObject, kindOf, namespaceOf } from './kube-object';
import { PackageInfo } from './package-info';
import { ArgoCdApplication } from '../platform/gitops/argocd-application';
import { ArgoCdProject, ArgoCdResourceKind } from '../platform/gitops/argocd-project';

/** The folder of the render (and of the rendered branch) holding the Argo CD objects. */
export const ARGOCD_FOLDER = 'argocd';
/** The branch `npm run publish:rendered` commits to, and the Applications follow. */
export const RENDERED_BRANCH = 'rendered';
export const ARGOCD_NAMESPACE = 'argocd';
/** The project of the environment Applications. */
export const PROJECT = 'picvario';
/** The project of the root Application that syncs this folder (app of apps). */
export const BOOTSTRAP_PROJECT = 'picvario-apps';

/** One rendered environment as the Argo CD folder needs it. */
export interface ArgoCdTarget {
  readonly folder: string;
  readonly namespace: string;
  readonly appVersion: string;
  readonly objects: KubeObject[];
}

export interface ArgoCdOptions {
  readonly repoUrl: string;
  /** @default RENDERED_BRANCH */
  readonly branch?: string;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The cluster-scoped kinds actually rendered, which is all the project lets Applications create. */
export function clusterScopedKinds(objects: KubeObject[]): ArgoCdResourceKind[] {
  const seen = new Map<string, ArgoCdResourceKind>();
  for (const o of objects.filter((x) => !namespaceOf(x))) {
    const kind = { group: groupOf(String(o.apiVersion)), kind: kindOf(o) };
    seen.set(`${kind.group}/${kind.kind}`, kind);
  }
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

function labels(component: string, version: string) {
  return {
    'app.kubernetes.io/name': 'picvario',
    'app.kubernetes.io/part-of': 'picvario',
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'cdk8s',
    'app.kubernetes.io/version': version,
  };
}

/**
 * The app-of-apps folder: a project fencing the environments in, one Application per environment
 * folder on the rendered branch, and a root Application (in a project of its own) that syncs this
 * folder, so adding an environment is a commit, not a `kubectl apply`.
 */
export function argoCdObjects(targets: ArgoCdTarget[], options: ArgoCdOptions, pkg: PackageInfo): KubeObject[] {
  const branch = options.branch ?? RENDERED_BRANCH;
  const app = new App();
  const chart = new Chart(app, ARGOCD_FOLDER, { disableResourceNameHashes: true });
  new ArgoCdProject(chart, 'project', {
    name: PROJECT,
    description: 'Picvario environments, synced from the rendered branch',
    sourceRepos: [options.repoUrl],
    destinations: targets.map((t) => ({ namespace: t.namespace })),
    clusterResources: clusterScopedKinds(targets.flatMap((t) => t.objects)),
    labels: labels('argocd', pkg.version),
  });
  for (const t of targets) {
    new ArgoCdApplication(chart, `app-${t.folder}`, {
      name: `picvario-${t.folder}`,
      project: PROJECT,
      repoUrl: options.repoUrl,
      targetRevision: branch,
      path: t.folder,
      destinationNamespace: t.namespace,
      labels: labels('argocd', t.appVersion),
    });
  }
  new ArgoCdProject(chart, 'bootstrap-project', {
    name: BOOTSTRAP_PROJECT,
    description: 'The root Application, which syncs the Argo CD folder of the rendered branch',
    sourceRepos: [options.repoUrl],
    destinations: [{ namespace: ARGOCD_NAMESPACE }],
    namespaceResources: [{ group: 'argoproj.io', kind: 'Application' }, { group: 'argoproj.io', kind: 'AppProject' }],
    labels: labels('argocd', pkg.version),
  });
  new ArgoCdApplication(chart, 'root', {
    name: BOOTSTRAP_PROJECT,
    project: BOOTSTRAP_PROJECT,
    repoUrl: options.repoUrl,
    targetRevision: branch,
    path: ARGOCD_FOLDER,
    destinationNamespace: ARGOCD_NAMESPACE,
    labels: labels('argocd', pkg.version),
  });
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
  if (errors.length) throw new Error(`argocd folder failed validation:\n${errors.join('\n')}`);
  return chart.toJson();
}

/** One file per Application (named after its folder), projects first. */
export function argoCdFileFor(obj: KubeObject): string {
  if (kindOf(obj) === 'AppProject') return '00-projects.yaml';
  const path = obj.spec?.source?.path;
  return path === ARGOCD_FOLDER ? '00-root.yaml' : `${path}.yaml`;
}
