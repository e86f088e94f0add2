// What the shop suite needs to run a pull request's preview beside the suite environment through the
// previews' ApplicationSet: the namespace it deploys a folder into, the Secrets the preview's pods read
// (a pipeline creates them before the publish), which kinds are cluster-scoped, and the CLI steps a
// pipeline runs (`k8s-topology preview publish` and `remove`).
import * as path from 'path';
import { ARGOCD_GROUP } from './argocd';
import { Api, kubectlOk, KubeObject, run } from './kube';

const CLI = path.resolve(__dirname, '../../lib/cli/main.js');

/** The folder placeholder of the ApplicationSet's git directory generator (argocd-preview-set.ts). */
const FOLDER_PLACEHOLDER = '{{.path.basename}}';

/**
 * The Namespace the rendered ApplicationSet's Application for `folder` syncs into, as Argo CD creates it
 * (`CreateNamespace=true`): its destination namespace with the folder filled in, and the labels of its
 * `managedNamespaceMetadata`.
 */
export function applicationSetNamespace(applicationSet: KubeObject, folder: string): KubeObject {
  const spec = applicationSet.spec?.template?.spec;
  const template: unknown = spec?.destination?.namespace;
  if (typeof template !== 'string' || !template.includes(FOLDER_PLACEHOLDER)) {
    throw new Error(`ApplicationSet ${applicationSet.metadata.name}: its template's destination namespace must contain ${FOLDER_PLACEHOLDER}; got ${JSON.stringify(template)}`);
  }
  if (!spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true')) {
    throw new Error(`ApplicationSet ${applicationSet.metadata.name}: Argo CD creates no namespace (no CreateNamespace=true in ${JSON.stringify(spec.syncPolicy?.syncOptions)})`);
  }
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: template.split(FOLDER_PLACEHOLDER).join(folder), labels: { ...spec.syncPolicy.managedNamespaceMetadata?.labels } },
  };
}

/**
 * The names of the Secrets a render's objects read: env and envFrom references, secret volumes and
 * KEDA's TriggerAuthentication `secretTargetRef`s, found anywhere in the objects.
 */
export function referencedSecrets(objects: KubeObject[]): string[] {
  const names = new Set<string>();
  const walk = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) {
      if (key === 'secretTargetRef') value.forEach((r) => names.add(r.name));
      value.forEach((v) => walk(v));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, any>;
    if ((key === 'secretKeyRef' || key === 'secretRef') && typeof o.name === 'string') names.add(o.name);
    if (key === 'secret' && typeof o.secretName === 'string') names.add(o.secretName);
    for (const [k, v] of Object.entries(o)) walk(v, k);
  };
  objects.forEach((o) => walk(o));
  return [...names].sort();
}

/** Copies of Secrets of one namespace for another: their type and data, nothing of the original's metadata. */
export async function copiedSecrets(api: Api, names: string[], from: string, to: string): Promise<KubeObject[]> {
  return Promise.all(names.map(async (name) => {
    const s = await api.get(`/api/v1/namespaces/${from}/secrets/${name}`);
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: to }, type: s.type, data: s.data };
  }));
}

/** The kinds the API server serves without a namespace (API discovery, through kubectl). */
export async function clusterScopedKinds(): Promise<Set<string>> {
  const out = await kubectlOk(['api-resources', '--namespaced=false', '--no-headers']);
  return new Set(out.split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter(Boolean));
}

/**
 * `k8s-topology preview publish|remove --pr N --repo <repo>` (publish with `--source <dir>`), as a
 * pipeline runs it on a pull request's push and on its close; fails with the CLI's output.
 */
export async function previewCli(action: 'publish' | 'remove', pullRequest: number, repo: string, source?: string): Promise<string> {
  const args = [CLI, 'preview', action, '--pr', String(pullRequest), '--repo', repo, ...source ? ['--source', source] : []];
  const r = await run('node', args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`k8s-topology preview ${action} --pr ${pullRequest} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

/** What a git push webhook does for an ApplicationSet: its generators read the branch now, not at the next poll. */
export async function refreshApplicationSet(api: Api, applicationSet: KubeObject): Promise<void> {
  await api.mergePatch(`${ARGOCD_GROUP}/namespaces/${applicationSet.metadata.namespace}/applicationsets/${applicationSet.metadata.name}`,
    { metadata: { annotations: { 'argocd.argoproj.io/application-set-refresh': 'true' } } });
}

/** The name of the Application the ApplicationSet makes for a folder (its template's name, the folder filled in). */
export function applicationSetAppName(applicationSet: KubeObject, folder: string): string {
  const template: unknown = applicationSet.spec?.template?.metadata?.name;
  if (typeof template !== 'string' || !template.includes(FOLDER_PLACEHOLDER)) {
    throw new Error(`ApplicationSet ${applicationSet.metadata.name}: its template's name must contain ${FOLDER_PLACEHOLDER}; got ${JSON.stringify(template)}`);
  }
  return template.split(FOLDER_PLACEHOLDER).join(folder);
}
