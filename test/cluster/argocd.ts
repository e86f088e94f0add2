// Helpers shared by the suites that run Argo CD and KEDA for real (controllers, gitops): reading
// and waiting on Applications, timelines of states, the component logs, and a few small utilities.
import * as path from 'path';
import { Api, KubeObject, run, waitFor } from './kube';

export const MINUTE = 60_000;
export const ARGOCD_GROUP = '/apis/argoproj.io/v1alpha1';

/** A variable start.sh exports when it runs the component; fails naming the variable and the switch. */
export function need(name: string, component: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: ${component} is not running. Run this suite through hack/control-plane/test.sh `
      + '(npm run test:cluster), which starts it with CP_WITH_ARGOCD=1 CP_WITH_KEDA=1 CP_WITH_BROKERS=1');
  }
  return value;
}

export function elapsed(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(1);
}

/** Records a state each time it changes, with the seconds since the start. */
export class Timeline {
  readonly entries: string[] = [];
  private last?: string;
  constructor(readonly start = Date.now()) {}
  record(state: string): void {
    if (state === this.last) return;
    this.last = state;
    this.entries.push(`${elapsed(this.start)}s ${state}`);
  }
  toString(): string { return this.entries.join(' | '); }
}

export async function mustFail<T>(what: string, p: Promise<T>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error(`${what} was expected to fail but succeeded`);
}

export function condition(o: KubeObject, type: string): { status?: string; reason?: string; message?: string } {
  return (o.status?.conditions ?? []).find((c: any) => c.type === type) ?? {};
}

export function appState(app: KubeObject): string {
  const s = app.status ?? {};
  const op = s.operationState;
  return `sync=${s.sync?.status ?? '-'} health=${s.health?.status ?? '-'}${op ? ` operation=${op.phase}${op.retryCount ? ` (retry ${op.retryCount})` : ''}` : ''}`;
}

export function describeApp(app: KubeObject): string {
  const s = app.status ?? {};
  const lines = [`Application ${app.metadata.name}: ${appState(app)} revision=${s.sync?.revision ?? '-'}`];
  for (const c of s.conditions ?? []) lines.push(`  condition ${c.type}: ${c.message}`);
  if (s.operationState?.message) lines.push(`  operation: ${s.operationState.message}`);
  for (const r of s.operationState?.syncResult?.resources ?? []) {
    if (r.status === 'Synced' && (!r.hookType || r.hookPhase === 'Succeeded')) continue;
    lines.push(`  ${r.hookType ? `hook ${r.hookType} ` : ''}${r.kind} ${r.namespace ?? ''}/${r.name}: ${r.status ?? ''} ${r.hookPhase ?? ''} ${r.message ?? ''}`);
  }
  for (const r of s.resources ?? []) {
    if (r.hook || (r.status === 'Synced' && (!r.health || r.health.status === 'Healthy'))) continue;
    lines.push(`  resource ${r.kind} ${r.namespace ?? ''}/${r.name}: ${r.status} ${r.health?.status ?? ''} ${r.health?.message ?? ''}`);
  }
  return lines.join('\n');
}

/** Synced, Healthy, and the last operation (if any) Succeeded, optionally at a revision. */
export function syncedHealthy(revision?: string): (app: KubeObject) => boolean {
  return (app) => app.status?.sync?.status === 'Synced' && app.status?.health?.status === 'Healthy'
    && (!revision || app.status?.sync?.revision === revision)
    && (!app.status?.operationState || app.status.operationState.phase === 'Succeeded');
}

/**
 * Synced and Healthy (at the revision) by comparison alone, with no operation running, whatever the
 * last operation's outcome: an Application whose last sync was refused or ended by hand, and whose
 * next revision needs nothing applied, compares Synced without a new operation.
 */
export function comparesSyncedHealthy(revision?: string): (app: KubeObject) => boolean {
  return (app) => app.status?.sync?.status === 'Synced' && app.status?.health?.status === 'Healthy'
    && (!revision || app.status?.sync?.revision === revision)
    && !['Running', 'Terminating'].includes(app.status?.operationState?.phase);
}

/** The last lines of the Argo CD components' logs, for failure messages. */
export async function argocdLogTail(lines = 15): Promise<string> {
  const dir = process.env.CP_ARGOCD_LOG_DIR;
  if (!dir) return '';
  const out: string[] = [];
  for (const name of ['argocd-application-controller', 'argocd-repo-server', 'argocd-applicationset-controller']) {
    const r = await run('tail', ['-n', String(lines), path.join(dir, `${name}.log`)]);
    out.push(`--- last lines of ${name}.log:\n${r.stdout}`);
  }
  return out.join('\n');
}

export async function kedaLogTail(lines = 15): Promise<string> {
  const dir = process.env.CP_KEDA_LOG_DIR;
  if (!dir) return '';
  const r = await run('tail', ['-n', String(lines), path.join(dir, 'keda-operator.log')]);
  return `--- last lines of keda-operator.log:\n${r.stdout}`;
}

/** The Applications of one Argo CD namespace. */
export class ArgoCd {
  constructor(private readonly api: Api, readonly namespace: string) {}

  appPath(name: string): string {
    return `${ARGOCD_GROUP}/namespaces/${this.namespace}/applications/${name}`;
  }

  get(name: string): Promise<KubeObject> {
    return this.api.get(this.appPath(name));
  }

  /** Asks the controller to compare with git now (what a push webhook does) instead of at its next resync. */
  async refresh(name: string, kind: 'normal' | 'hard' = 'normal'): Promise<void> {
    await this.api.mergePatch(this.appPath(name), { metadata: { annotations: { 'argocd.argoproj.io/refresh': kind } } });
  }

  /** Starts a sync as `argocd app sync` does: an operation on the Application. */
  async syncNow(name: string): Promise<void> {
    const app = await this.get(name);
    await this.api.mergePatch(this.appPath(name), {
      operation: {
        initiatedBy: { username: 'cluster-test' },
        sync: { revision: app.spec.source.targetRevision, prune: true, syncOptions: app.spec.syncPolicy?.syncOptions ?? [] },
        retry: { limit: 5 },
      },
    });
  }

  /** Ends a running or retrying operation as `argocd app terminate-op` does. */
  async terminate(name: string): Promise<void> {
    await this.api.mergePatch(this.appPath(name), { status: { operationState: { phase: 'Terminating' } } });
  }

  /** Waits for the Application to match, recording each state change; returns the milliseconds. */
  async wait(name: string, what: string, check: (app: KubeObject) => boolean, timeline: Timeline, timeoutMs = 3 * MINUTE): Promise<number> {
    let last: KubeObject | undefined;
    return waitFor(`Application ${name}: ${what}`, async () => {
      last = await this.get(name);
      timeline.record(appState(last));
      return check(last);
    }, timeoutMs, async () => `${last ? describeApp(last) : '(never read)'}\nstates seen: ${timeline}\n${await argocdLogTail()}`, 250);
  }
}
