// What the real-node suites watch while they disrupt an app on purpose (drains, rollouts): whether
// its Deployments are back at their replicas, and whether a PodDisruptionBudget was ever broken.
import { Api, kubectl, kubectlOk, KubeObject, sleep, waitFor } from './kube';
import { ClientLoop, LoopReport } from './request-loop';

const SECOND = 1000;

/**
 * Waits until every Deployment of the namespace has its replicas, all of them ready and updated, and no
 * more (a rollout's or a drain's extra pods gone). `describe` explains a timeout.
 */
export async function waitForDeploymentsReady(api: Api, namespace: string, timeoutMs: number, describe: () => Promise<string>): Promise<void> {
  let state = '';
  await waitFor('every Deployment back at its replicas, all ready', async () => {
    const ds: KubeObject[] = await api.list(`/apis/apps/v1/namespaces/${namespace}/deployments`);
    const wanted = (d: KubeObject) => d.spec.replicas ?? 1;
    const short = ds.filter((d) => (d.status?.readyReplicas ?? 0) < wanted(d) || (d.status?.updatedReplicas ?? 0) < wanted(d)
      || (d.status?.replicas ?? 0) > wanted(d));
    state = short.map((d) => `${d.metadata.name}: ${d.status?.readyReplicas ?? 0}/${d.spec.replicas} ready`).join(', ');
    return short.length === 0;
  }, timeoutMs, async () => `${state}\n${await describe()}`, SECOND);
}

/**
 * Watches the namespace's PodDisruptionBudgets (every 250 ms) until stopped, or for `maxMs` at most (so
 * that a test which fails before it stops the watch leaves no loop behind). A violation is an
 * observation of a budget with fewer healthy pods than it requires (status.currentHealthy <
 * status.desiredHealthy), whatever took them: the eviction API should never let a drain do it.
 */
export function watchBudgets(api: Api, namespace: string, maxMs = 15 * 60 * SECOND): { stop: () => Promise<string[]> } {
  const violations: string[] = [];
  let running = true;
  const started = Date.now();
  const loop = (async () => {
    while (running && Date.now() - started < maxMs) {
      for (const b of await api.list(`/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`)) {
        const { currentHealthy, desiredHealthy } = b.status ?? {};
        if (currentHealthy < desiredHealthy) {
          violations.push(`${b.metadata.name}: ${currentHealthy} healthy of ${desiredHealthy} required at ${(Date.now() - started) / SECOND} s`);
        }
      }
      await sleep(250);
    }
  })();
  return { stop: async () => { running = false; await loop; return violations; } };
}

/** What drainInTurn needs to know about the app under test. */
export interface DrainedApp {
  readonly api: Api;
  readonly namespace: string;
  /** The label selector of the app's pods: only they are evicted (not the harness's CoreDNS or the clients). */
  readonly podSelector: string;
  /** The components each node must hold before its drain, so that every drain moves some of them. */
  readonly components: string[];
  /** The app's running Deployment pods. */
  readonly pods: () => Promise<KubeObject[]>;
  readonly describe: () => Promise<string>;
}

/**
 * Drains each node in turn with `kubectl drain` (the eviction API, so the budgets apply; it waits until the
 * pods are gone), waits for every Deployment to be back at its replicas, then uncordons the node.
 * Returns the app's pods still on a node after its drain: none, when the drain did its job.
 */
export async function drainInTurn(app: DrainedApp, nodes: string[]): Promise<string[]> {
  const componentOf = (p: KubeObject) => p.metadata.labels?.['app.kubernetes.io/component'];
  const stranded: string[] = [];
  for (const node of nodes) {
    const on = (await app.pods()).filter((p) => p.spec.nodeName === node).map(componentOf);
    expect([node, on]).toEqual([node, expect.arrayContaining(app.components)]);
    const drain = await kubectl(['drain', node, `--pod-selector=${app.podSelector}`,
      '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=150s'], { timeoutMs: 170 * SECOND });
    try {
      expect([node, drain.code, drain.code === 0 ? '' : drain.stderr]).toEqual([node, 0, '']);
      await waitForDeploymentsReady(app.api, app.namespace, 150 * SECOND, app.describe);
      stranded.push(...(await app.pods()).filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name));
    } finally {
      await kubectlOk(['uncordon', node]);
    }
  }
  return stranded;
}

/** What a drain under load saw. */
export interface DrainUnderLoad {
  /** The app's pods still on a node after its drain (drainInTurn). */
  readonly stranded: string[];
  /** Every moment a PodDisruptionBudget of the namespace was broken (watchBudgets). */
  readonly violations: string[];
  /** The request loop's report. */
  readonly report: LoopReport;
}

/**
 * Drains each node in turn (drainInTurn) while `loop`, already started, sends its requests and the
 * app's budgets are watched. The loop and the watch are stopped whatever happens: a failed drain must
 * not leave them running (jest would never exit).
 */
export async function drainUnderLoad(app: DrainedApp, nodes: string[], loop: ClientLoop): Promise<DrainUnderLoad> {
  await sleep(2 * SECOND); // the loop's first requests, before anything moves
  const watch = watchBudgets(app.api, app.namespace);
  const stopBoth = async () => ({ violations: await watch.stop(), report: await loop.stop() });
  let stranded: string[];
  try {
    stranded = await drainInTurn(app, nodes);
    await sleep(2 * SECOND);
  } catch (e) {
    await stopBoth();
    throw e;
  }
  return { stranded, ...await stopBoth() };
}
