import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const HOOK = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';

/**
 * The order Argo CD applies an environment in. Lower waves are applied, and must be healthy,
 * before higher ones start; a failed wave stops the sync, so no later wave is applied.
 */
export enum SyncWave {
  /** The Namespace itself. */
  NAMESPACE = -2,
  /** Configuration, Secrets (synced ones are healthy once written), ServiceAccounts, policies: what pods need to start. */
  CONFIGURATION = -1,
  /** The release's jobs (migrations, collectstatic), as Sync hooks: they run once the namespace and its Secrets exist. */
  JOBS = 0,
  /** The backend, the workers and beat, and everything they talk to: only after the jobs succeeded. */
  APPLICATION = 1,
  /** The frontend and the edge, which serve users only once the backend is ready. */
  EDGE = 2,
}

const CONFIGURATION_KINDS = new Set([
  'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'ConfigMap', 'Secret',
  'ExternalSecret', 'PriorityClass', 'TriggerAuthentication',
]);

/**
 * Stamps every object below `scope` with its sync wave: by kind for namespace-wide objects,
 * and by component for workloads. Hooks keep their own phase and get no wave.
 */
export function applySyncWaves(scope: Construct, edgeComponents: string[]): void {
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    if (obj.metadata.toJson().annotations?.[HOOK]) continue;
    const component = obj.metadata.getLabel('app.kubernetes.io/component');
    let wave = SyncWave.APPLICATION;
    if (obj.kind === 'Namespace') wave = SyncWave.NAMESPACE;
    else if (CONFIGURATION_KINDS.has(obj.kind)) wave = SyncWave.CONFIGURATION;
    else if (component && edgeComponents.includes(component)) wave = SyncWave.EDGE;
    obj.metadata.addAnnotation(SYNC_WAVE, String(wave));
  }
}

/**
 * A Sync hook in the jobs wave: Argo CD runs it after the Namespace, the configuration and the
 * Secrets are applied and healthy (so even the very first sync of an empty cluster has somewhere
 * to run it), and before any Deployment of the release; it deletes the previous run first (so the
 * name can stay fixed and the output deterministic), and a failed run stops the sync.
 *
 * A PreSync hook would run before the Sync phase creates the Namespace and the Secrets, which on
 * a new cluster do not exist yet.
 */
export function jobHookAnnotations(): Record<string, string> {
  return { [HOOK]: 'Sync', [HOOK_DELETE_POLICY]: 'BeforeHookCreation', [SYNC_WAVE]: String(SyncWave.JOBS) };
}
