import { App, Chart } from 'cdk8s';
import { ArgoCdApplication } from './gitops/argocd-application';
import { ArgoCdPreviewSet } from './gitops/argocd-preview-set';
import { ArgoCdProject, ArgoCdResourceKind } from './gitops/argocd-project';
import { KubeObject, kindOf, namespaceOf } from './kube-object';
import { Provenance } from './provenance';
import { validateConstructs } from './render';
import { PREVIEWS_FOLDER } from './rendered-branch';
import { missing } from '../platform/errors';

/** The Argo CD objects that sync the rendered folders: an app of apps on the rendered branch. */
export interface ArgoCdFolderProps {
  /**
   * The Git repository holding the rendered branch.
   * @default - the DeliveryApp's `repoUrl`, else the `repository` of the project's package.json
   */
  readonly repoUrl?: string;
  /**
   * The rendered branch that the Applications follow.
   * @default 'rendered'
   */
  readonly branch?: string;
  /**
   * The folder of the render (and of the branch) that holds the Argo CD objects.
   * @default 'argocd'
   */
  readonly folder?: string;
  /**
   * The AppProject of the folders' Applications, also the prefix of their names (`<project>-<folder>`).
   * The root Application's project is `<project>-apps`.
   * @default - the `app.kubernetes.io/part-of` label that every rendered folder shares
   */
  readonly project?: string;
  /**
   * The namespace Argo CD runs in.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * The project's description in the Argo CD UI.
   * @default - `<project> folders, synced from the rendered branch`
   */
  readonly description?: string;
  /**
   * Also sync preview environments: an ApplicationSet `<project>-previews` that makes one
   * Application per folder under `previews/` of the rendered branch (published one by one with
   * `k8s-topology preview publish`), and deletes it with its resources when the folder is removed.
   * @default - no previews
   */
  readonly previews?: ArgoCdPreviewsProps;
}

/** How the Argo CD folder syncs preview environments (see {@link ArgoCdFolderProps.previews}). */
export interface ArgoCdPreviewsProps {
  /**
   * The start of each preview's namespace, `<namespacePrefix>-pr-<n>`: the `appName` of the chart
   * the previews derive from (`PreviewEnvironment.namespaceFor`).
   * @default - the project
   */
  readonly namespacePrefix?: string;
}

/** One rendered folder as the Argo CD folder needs it. */
export interface ArgoCdTarget {
  readonly folder: string;
  readonly namespace: string;
  readonly appVersion?: string;
  readonly objects: KubeObject[];
}

export const DEFAULT_ARGOCD_FOLDER = 'argocd';
export const DEFAULT_RENDERED_BRANCH = 'rendered';
/** Argo CD reads only the manifests: each folder also holds index.json and README.md. */
export const MANIFEST_GLOB = '*.yaml';

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The kinds actually rendered, cluster-scoped or namespaced: all that the project lets Applications create. */
export function renderedKinds(objects: KubeObject[], scope: 'cluster' | 'namespaced'): ArgoCdResourceKind[] {
  const seen = new Map<string, ArgoCdResourceKind>();
  for (const o of objects.filter((x) => (scope === 'cluster' ? !namespaceOf(x) : !!namespaceOf(x)))) {
    const kind = { group: groupOf(String(o.apiVersion)), kind: kindOf(o) };
    seen.set(`${kind.group}/${kind.kind}`, kind);
  }
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

function projectOf(targets: ArgoCdTarget[]): string {
  const apps = [...new Set(targets.flatMap((t) => t.objects.map((o) => o.metadata?.labels?.['app.kubernetes.io/part-of'])).filter(Boolean))];
  if (apps.length !== 1) {
    missing('DeliveryApp', 'argoCd.project', `the rendered folders belong to ${apps.length ? `several apps (${apps.sort().join(', ')})` : 'no app (no app.kubernetes.io/part-of label)'}`);
  }
  return apps[0];
}

function labels(project: string, version: string) {
  return {
    'app.kubernetes.io/name': project,
    'app.kubernetes.io/part-of': project,
    'app.kubernetes.io/component': 'argocd',
    'app.kubernetes.io/managed-by': 'cdk8s',
    'app.kubernetes.io/version': version,
  };
}

/**
 * The app-of-apps folder: a project fencing the folders in, one Application per rendered folder on
 * the rendered branch, and a root Application (in a project of its own) that syncs this folder, so
 * adding a folder is a commit, not a `kubectl apply`.
 */
export function argoCdObjects(targets: ArgoCdTarget[], props: ArgoCdFolderProps, provenance: Provenance): KubeObject[] {
  const repoUrl = props.repoUrl ?? provenance.repoUrl;
  if (!repoUrl) missing('DeliveryApp', 'argoCd.repoUrl', 'the package has no repository URL for the Applications to read');
  const branch = props.branch ?? DEFAULT_RENDERED_BRANCH;
  const folder = props.folder ?? DEFAULT_ARGOCD_FOLDER;
  const namespace = props.namespace ?? 'argocd';
  const project = props.project ?? projectOf(targets);
  const bootstrap = `${project}-apps`;
  const version = provenance.packageVersion;
  const previewPrefix = props.previews ? props.previews.namespacePrefix ?? project : undefined;
  const clusterKinds = renderedKinds(targets.flatMap((t) => t.objects), 'cluster');
  // Argo CD creates each preview's namespace (CreateNamespace=true), which the project must allow.
  if (previewPrefix && !clusterKinds.some((k) => k.group === '' && k.kind === 'Namespace')) clusterKinds.unshift({ group: '', kind: 'Namespace' });
  const app = new App();
  const chart = new Chart(app, folder, { disableResourceNameHashes: true });
  new ArgoCdProject(chart, 'project', {
    name: project,
    namespace,
    description: props.description ?? `${project} folders, synced from the rendered branch`,
    sourceRepos: [repoUrl],
    destinations: [...targets.map((t) => ({ namespace: t.namespace })), ...(previewPrefix ? [{ namespace: `${previewPrefix}-pr-*` }] : [])],
    clusterResources: clusterKinds,
    // Exactly the namespaced kinds of the render: no Role, RoleBinding or anything else can be slipped in.
    namespaceResources: renderedKinds(targets.flatMap((t) => t.objects), 'namespaced'),
    labels: labels(project, version),
  });
  for (const t of targets) {
    new ArgoCdApplication(chart, `app-${t.folder}`, {
      name: `${project}-${t.folder}`,
      namespace,
      project,
      repoUrl,
      targetRevision: branch,
      path: t.folder,
      include: MANIFEST_GLOB,
      destinationNamespace: t.namespace,
      labels: labels(project, t.appVersion ?? version),
    });
  }
  new ArgoCdProject(chart, 'bootstrap-project', {
    name: bootstrap,
    namespace,
    description: 'The root Application, which syncs the Argo CD folder of the rendered branch',
    sourceRepos: [repoUrl],
    destinations: [{ namespace }],
    // Applications only: whoever can push to the rendered branch must not be able to widen a project,
    // this one included. The projects are applied at bootstrap, and again by an admin when they change.
    namespaceResources: [{ group: 'argoproj.io', kind: 'Application' }, ...(previewPrefix ? [{ group: 'argoproj.io', kind: 'ApplicationSet' }] : [])],
    labels: labels(project, version),
  });
  new ArgoCdApplication(chart, 'root', {
    name: bootstrap,
    namespace,
    project: bootstrap,
    repoUrl,
    targetRevision: branch,
    path: folder,
    include: MANIFEST_GLOB,
    exclude: PROJECTS_FILE,
    destinationNamespace: namespace,
    labels: labels(project, version),
  });
  if (previewPrefix) {
    new ArgoCdPreviewSet(chart, 'previews', {
      name: `${project}-previews`,
      namespace,
      project,
      repoUrl,
      branch,
      folder: PREVIEWS_FOLDER,
      namespacePrefix: previewPrefix,
      include: MANIFEST_GLOB,
      labels: labels(project, version),
    });
  }
  validateConstructs(app.node.findAll());
  return chart.toJson();
}

/** The file of the AppProjects, which the root Application leaves to an admin. */
export const PROJECTS_FILE = '00-projects.yaml';

/** The file of the previews' ApplicationSet. */
export const PREVIEWS_FILE = 'previews.yaml';

/** One file per Application (named after its folder), projects first. */
export function argoCdFileFor(folder: string): (obj: KubeObject) => string {
  return (obj) => {
    if (kindOf(obj) === 'AppProject') return PROJECTS_FILE;
    if (kindOf(obj) === 'ApplicationSet') return PREVIEWS_FILE;
    const path = obj.spec?.source?.path;
    return path === folder ? '00-root.yaml' : `${path}.yaml`;
  };
}
