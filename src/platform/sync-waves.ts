import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const HOOK = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';

/**
 * The order Argo CD applies an environment in. Lower waves are applied, and must be healthy,
 * before higher ones start. PreSync hooks (migrations, collectstatic) run before every wave.
 */
export enum SyncWave {
  /** The Namespace itself. */
  NAMESPACE = -2,
  /** Configuration, Secrets, ServiceAccounts, policies: what pods need to start. */
  CONFIGURATION = -1,
  /** The backend, the workers and beat, and everything they talk to. */
  APPLICATION = 0,
  /** The frontend and the edge, which serve users only once the backend is ready. */
  EDGE = 1,
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
 * A PreSync hook: Argo CD runs it to completion before it applies anything else, deletes the
 * previous run first (so the name can stay fixed and the output deterministic), and stops
 * the sync if it fails.
 */
export function preSyncHookAnnotations(): Record<string, string> {
  return { [HOOK]: 'PreSync', [HOOK_DELETE_POLICY]: 'BeforeHookCreation' };
}
