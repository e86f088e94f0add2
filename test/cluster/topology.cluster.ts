// Applies every rendered Picvario environment to a real kube-apiserver (with kube-controller-manager,
// kube-scheduler and kwok nodes) and checks what the manifests promise: strict validation, Pod
// Security "restricted", placement over zones and nodes, PDBs during drains, zone loss, rolling
// updates and no drift on re-apply.
//
// Run it with `npm run test:cluster` (hack/control-plane/test.sh starts the control plane).
// The tests run in order and share state; each one fails rather than skips when what it needs is
// missing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Api, ApiError, isPodReady, kubectl, kubectlOk, KubeObject, kwokNodeObject, labelsMatch, objectKey, parseYamlObjects, requireEnv, sleep, waitFor } from './kube';
import {
  applyOrder, COMPONENT_LABEL, Environment, FACE_POOL, isEnvironment, loadEnvironments, namespaceOf, pdbMinReady, placementRequired, POOL_LABEL,
  renderLabel, runsOnFacePool, WebWorkload, webWorkloads, workloads,
} from './render';

const REPO = path.resolve(__dirname, '../..');
const MANIFESTS_DIR = path.resolve(REPO, process.env.MANIFESTS_DIR ?? 'dist/manifests');
// More renders applied next to the main one (colon-separated folders, each holding a render's
// folders): hack/control-plane/test.sh passes examples/shop/dist/manifests.
const EXTRA_MANIFESTS_DIRS = (process.env.EXTRA_MANIFESTS_DIRS ?? '').split(':').filter(Boolean).map((d) => path.resolve(REPO, d));
const CRDS_DIR = path.resolve(REPO, process.env.CRDS_DIR ?? '../shared/crds');
const CRD_FOLDERS = ['keda-v2.20.2', 'argo-cd-v3.5.1', 'external-secrets-v2.9.0'];
const FIELD_MANAGER = 'picvario-cluster-test';
const ZONE_KEY = 'topology.kubernetes.io/zone';
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const GENERAL_NODES = ZONES.flatMap((z) => [1, 2].map((i) => ({ name: `kwok-${z}-${i}`, zone: z, pool: undefined as string | undefined })));
const FACE_NODES = ['zone-a', 'zone-b'].map((z) => ({ name: `kwok-face-${z}`, zone: z, pool: FACE_POOL as string | undefined }));
const ALL_NODES = [...GENERAL_NODES, ...FACE_NODES];
const LOST_ZONE = 'zone-a';
const ROLLOUT_TAG = 'cluster-test-rollout';
const MINUTE = 60_000;
// Namespaces that an Argo CD installation brings: rendered objects may live there (Applications,
// AppProjects) but the render does not own them. The suite creates them as the installation would.
const PLATFORM_NAMESPACES = ['argocd'];

const figures: Record<string, string | number> = {};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'picvario-cluster-test-'));
let api: Api;
let folders: Environment[] = []; // every folder under dist/manifests
let envs: Environment[] = []; // the folders that are environments (render a Namespace)
let web: WebWorkload[] = [];
let applied = false;

// ---------------------------------------------------------------------------------------------
// apply

export interface ApplyResult {
  applied: string[];
  rejected: string[];
}

/**
 * Server-side apply with strict field validation, the way Argo CD's ServerSideApply=true does it.
 * Throws when the API server rejects any object, naming each one with the server's reason.
 */
export async function applyObjects(objects: KubeObject[], label: string): Promise<ApplyResult> {
  const file = path.join(tmp, `${label.replace(/[^a-z0-9-]/gi, '_')}.json`);
  writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n'));
  const r = await kubectl(['apply', '--server-side', '--validate=strict', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
  const appliedLines = r.stdout.split('\n').filter((l) => / serverside-applied$/.test(l));
  const rejected = r.stderr.split('\n').filter((l) => l.trim() && !/^Warning:/.test(l));
  if (r.code !== 0 || rejected.length || appliedLines.length !== objects.length) {
    throw new Error(`${label}: the API server rejected objects (kubectl exit ${r.code}, ${appliedLines.length} of ${objects.length} applied):\n${rejected.join('\n') || r.stderr}`);
  }
  return { applied: appliedLines, rejected };
}

async function resourceVersions(objects: KubeObject[], label: string): Promise<Map<string, string>> {
  const file = path.join(tmp, `get-${label}.json`);
  writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n'));
  const list = JSON.parse(await kubectlOk(['get', '-f', file, '-o', 'json']));
  const items: KubeObject[] = list.kind === 'List' ? list.items : [list];
  return new Map(items.map((o) => [objectKey(o), o.metadata.resourceVersion!]));
}

// ---------------------------------------------------------------------------------------------
// cluster state helpers

async function listPods(): Promise<KubeObject[]> {
  return api.list('/api/v1/pods');
}

async function liveDeployments(): Promise<KubeObject[]> {
  const all: KubeObject[] = [];
  for (const env of envs) {
    for (const w of workloads(env)) {
      const group = w.kind === 'Deployment' ? 'deployments' : 'statefulsets';
      all.push(await api.get(`/apis/apps/v1/namespaces/${namespaceOf(w)}/${group}/${w.metadata.name}`));
    }
  }
  return all;
}

function rolledOut(d: KubeObject): boolean {
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
    && (s.replicas ?? 0) === want && (s.readyReplicas ?? 0) === want
    && (d.kind === 'StatefulSet' ? (s.updatedReplicas ?? 0) === want : (s.updatedReplicas ?? 0) === want && (s.availableReplicas ?? 0) === want);
}

async function notRolledOut(): Promise<string> {
  const lines: string[] = [];
  for (const d of await liveDeployments()) {
    if (!rolledOut(d)) lines.push(`  ${d.kind} ${d.metadata.namespace}/${d.metadata.name}: want ${d.spec.replicas ?? 1}, status ${JSON.stringify({ replicas: d.status?.replicas, ready: d.status?.readyReplicas, updated: d.status?.updatedReplicas, available: d.status?.availableReplicas })}`);
  }
  const pending = (await listPods()).filter((p) => p.status?.phase === 'Pending');
  for (const p of pending.slice(0, 20)) {
    const cond = (p.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    lines.push(`  pending pod ${p.metadata.namespace}/${p.metadata.name}: ${cond?.reason ?? ''} ${cond?.message ?? ''}`);
  }
  return `not rolled out:\n${lines.join('\n')}`;
}

/** Waits until every Deployment/StatefulSet of every environment has all its replicas Ready. */
async function waitAllReady(timeoutMs: number): Promise<number> {
  return waitFor('every Deployment and StatefulSet to have all replicas Ready', async () => (await liveDeployments()).every(rolledOut), timeoutMs, notRolledOut, 1000);
}

/** Every HPA's target has at least minReplicas (the HPA controller scales up to it even without metrics). */
async function waitHpaMinimums(timeoutMs: number): Promise<number> {
  const hpas = envs.flatMap((e) => e.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler'));
  const check = async () => {
    for (const h of hpas) {
      const d = await api.get(`/apis/apps/v1/namespaces/${namespaceOf(h)}/deployments/${h.spec.scaleTargetRef.name}`);
      if ((d.spec.replicas ?? 1) < (h.spec.minReplicas ?? 1)) return false;
    }
    return true;
  };
  const describe = async () => {
    const lines: string[] = [];
    for (const h of hpas) {
      const d = await api.get(`/apis/apps/v1/namespaces/${namespaceOf(h)}/deployments/${h.spec.scaleTargetRef.name}`);
      lines.push(`  HPA ${namespaceOf(h)}/${h.metadata.name}: minReplicas ${h.spec.minReplicas ?? 1}, Deployment replicas ${d.spec.replicas}`);
    }
    return lines.join('\n');
  };
  return waitFor('HorizontalPodAutoscalers to scale their Deployments to minReplicas', check, timeoutMs, describe, 1000);
}

async function podsOf(w: WebWorkload, pods: KubeObject[]): Promise<KubeObject[]> {
  const selector = w.deployment.spec.selector;
  return pods.filter((p) => p.metadata.namespace === w.namespace && labelsMatch(selector, p.metadata.labels ?? {}));
}

interface GuardSample {
  key: string;
  required: number;
  min: number;
  violations: number;
}

/**
 * Polls the web components while something disruptive runs, recording the fewest Ready pods each
 * had (Ready, not terminating, and on a node that still exists).
 */
class ReadyGuard {
  readonly samples = new Map<string, GuardSample>();
  polls = 0;
  private running = false;
  private loop?: Promise<void>;
  private error?: unknown;

  constructor(private readonly required: (w: WebWorkload) => number) {}

  start(): void {
    for (const w of web) this.samples.set(`${w.namespace}/${w.component}`, { key: `${w.namespace}/${w.component}`, required: this.required(w), min: Number.MAX_SAFE_INTEGER, violations: 0 });
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.sample();
        } catch (e) {
          this.error = e;
        }
        await sleep(250);
      }
    })();
  }

  async sample(): Promise<void> {
    const [pods, nodes] = await Promise.all([listPods(), api.list('/api/v1/nodes')]);
    const nodeNames = new Set(nodes.map((n) => n.metadata.name));
    for (const w of web) {
      const s = this.samples.get(`${w.namespace}/${w.component}`)!;
      const ready = (await podsOf(w, pods)).filter((p) => isPodReady(p) && nodeNames.has(p.spec.nodeName)).length;
      s.min = Math.min(s.min, ready);
      if (ready < s.required) s.violations++;
    }
    this.polls++;
  }

  async stop(): Promise<GuardSample[]> {
    this.running = false;
    await this.loop;
    if (this.error && this.polls === 0) throw new Error(`could not poll pods: ${this.error}`);
    await this.sample(); // one last look after the disruption
    return [...this.samples.values()];
  }

  failures(): string[] {
    return [...this.samples.values()].filter((s) => s.violations > 0)
      .map((s) => `${s.key}: ${s.min} Ready pods at worst, needs ${s.required} (${s.violations} of ${this.polls} polls below)`);
  }
}

function pdbRequired(w: WebWorkload, replicas: Map<string, number>): number {
  if (!w.pdb) throw new Error(`${w.namespace}: web component ${w.component} (Deployment ${w.deployment.metadata.name}) has no PodDisruptionBudget`);
  return pdbMinReady(w.pdb, replicas.get(w.deployment.metadata.name + '@' + w.namespace) ?? 1);
}

async function currentReplicas(): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const d of await liveDeployments()) m.set(`${d.metadata.name}@${d.metadata.namespace}`, d.spec.replicas ?? 1);
  return m;
}

interface DrainCount {
  allowed: number;
  refused: number;
  output: string[];
}

/** `kubectl drain` (eviction API), counting evictions allowed and refused by a PDB. */
async function drain(node: string, timeout: string): Promise<{ code: number; counts: DrainCount }> {
  const counts: DrainCount = { allowed: 0, refused: 0, output: [] };
  const onLine = (line: string) => {
    if (!line.trim()) return;
    counts.output.push(line);
    if (/^pod\/\S+ evicted$/.test(line.trim())) counts.allowed++;
    if (/error when evicting pods.*disruption budget/.test(line)) counts.refused++;
  };
  const r = await kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${timeout}`],
    { onStdoutLine: onLine, onStderrLine: onLine, timeoutMs: 10 * MINUTE });
  return { code: r.code, counts };
}

function summary(): void {
  const lines = ['', '=== cluster test figures ===', ...Object.entries(figures).map(([k, v]) => `${k}: ${v}`), ''];
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------

beforeAll(() => {
  api = new Api();
  if (process.env.CP_START_SECONDS) figures['control plane start (s)'] = process.env.CP_START_SECONDS;
});

afterAll(() => {
  summary();
  api?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Picvario environments on a real control plane', () => {
  test('the control plane answers and runs the pinned Kubernetes release', async () => {
    const v = await api.get('/version');
    figures['kube-apiserver'] = v.gitVersion;
    expect(v.gitVersion).toMatch(/^v1\.(3[3-9]|[4-9]\d)\./);
    expect(await api.request('GET', '/readyz')).toBe('ok');
    requireEnv('KUBECONFIG');
  });

  test('the rendered environments are there', () => {
    // The main render is Picvario's, whose environments all have a backend, a frontend and an edge;
    // other renders need only what every DjangoAppChart has: a backend.
    const renders = [
      { label: renderLabel(REPO, MANIFESTS_DIR), dir: MANIFESTS_DIR, main: true },
      ...EXTRA_MANIFESTS_DIRS.map((dir) => ({ label: renderLabel(REPO, dir), dir, main: false })),
    ];
    const required = new Map<string, string[]>();
    for (const r of renders) {
      const loaded = loadEnvironments(r.dir, r.label, !r.main);
      for (const f of loaded) required.set(f.name, r.main ? ['backend', 'frontend', 'edge'] : ['backend']);
      folders.push(...loaded);
    }
    envs = folders.filter(isEnvironment);
    if (envs.length === 0) throw new Error(`no folder in ${MANIFESTS_DIR} renders a Namespace, so there is no environment to test`);
    web = envs.flatMap(webWorkloads);
    figures.renders = renders.map((r) => `${r.label} (${folders.filter((f) => f.render === r.label).map((f) => f.name).join(', ')})`).join('; ');
    figures.folders = folders.map((e) => `${e.name} (${e.objects.length} objects in ${e.files.length} files${isEnvironment(e) ? '' : ', not an environment'})`).join(', ');
    for (const env of envs) {
      const components = new Set(web.filter((w) => w.env === env.name).map((w) => w.component));
      const missing = required.get(env.name)!.filter((c) => !components.has(c));
      if (missing.length) throw new Error(`environment ${env.name}: no Deployment with ${COMPONENT_LABEL} ${missing.join(', ')}`);
    }
    // Renders applied side by side must not claim the same objects: one would overwrite the other.
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const f of folders) {
      for (const o of f.objects) {
        const k = objectKey(o);
        const first = owner.get(k);
        if (first && first !== f.name) clashes.push(`${k} is rendered by ${first} and by ${f.name}`);
        owner.set(k, f.name);
      }
    }
    if (clashes.length) throw new Error(`renders that cannot be applied together:\n${clashes.slice(0, 20).join('\n')}`);
  });

  test('installs the KEDA, Argo CD and External Secrets CRDs', async () => {
    const missing = CRD_FOLDERS.filter((f) => !existsSync(path.join(CRDS_DIR, f)));
    if (missing.length) throw new Error(`CRD folders missing in ${CRDS_DIR}: ${missing.join(', ')} (set CRDS_DIR)`);
    const crds = CRD_FOLDERS.flatMap((f) => readdirSync(path.join(CRDS_DIR, f)).filter((n) => n.endsWith('.yaml'))
      .flatMap((n) => parseYamlObjects(readFileSync(path.join(CRDS_DIR, f, n), 'utf8'), n)));
    await applyObjects(crds, 'crds');
    for (const crd of crds) {
      await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]);
    }
    figures['CRDs installed'] = crds.length;
  });

  test('kwok runs 6 nodes in 3 zones and a tainted face-recognition pool', async () => {
    for (const n of ALL_NODES) await api.post('/api/v1/nodes', kwokNodeObject(n, POOL_LABEL));
    await waitFor('all kwok nodes Ready', async () => {
      const nodes = await api.list('/api/v1/nodes');
      return ALL_NODES.every((n) => nodes.some((x) => x.metadata.name === n.name
        && (x.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')));
    }, 60_000);
  });

  test('applies every object of every environment with server-side apply and strict validation', async () => {
    if (!envs.length) throw new Error('no rendered environments loaded');
    const start = Date.now();
    const namespaces = envs.flatMap((e) => e.objects.filter((o) => o.kind === 'Namespace'));
    const errors: string[] = [];
    let count = 0;
    // Namespaces first, then wait for their default ServiceAccount: the ServiceAccount admission
    // plugin refuses pods until the controller-manager created it.
    count += (await applyObjects(namespaces, 'namespaces')).applied.length;
    await waitFor('the default ServiceAccount in every namespace', async () => {
      for (const ns of namespaces) await api.get(`/api/v1/namespaces/${ns.metadata.name}/serviceaccounts/default`);
      return true;
    }, 60_000);
    for (const ns of PLATFORM_NAMESPACES) {
      if (folders.some((f) => f.objects.some((o) => o.metadata.namespace === ns))) {
        await kubectlOk(['create', 'namespace', ns]);
      }
    }
    for (const env of [...envs, ...folders.filter((f) => !isEnvironment(f))]) {
      const rest = applyOrder(env.objects.filter((o) => o.kind !== 'Namespace'));
      try {
        count += (await applyObjects(rest, env.name)).applied.length;
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    figures['objects applied'] = count;
    figures['time to apply (s)'] = ((Date.now() - start) / 1000).toFixed(1);
    figures.applyStartedAt = start;
    if (errors.length) throw new Error(errors.join('\n\n'));
    applied = true;
  });

  test('every namespace enforces Pod Security "restricted" and rejects a non-compliant pod', async () => {
    const namespaces = envs.flatMap((e) => e.objects.filter((o) => o.kind === 'Namespace'));
    expect(namespaces.length).toBeGreaterThanOrEqual(envs.length);
    const problems: string[] = [];
    for (const ns of namespaces) {
      const live = await api.get(`/api/v1/namespaces/${ns.metadata.name}`);
      if (live.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
        problems.push(`${ns.metadata.name}: label pod-security.kubernetes.io/enforce is ${live.metadata.labels?.['pod-security.kubernetes.io/enforce']}`);
      }
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'psa-probe' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
      try {
        await api.post(`/api/v1/namespaces/${ns.metadata.name}/pods?dryRun=All`, pod);
        problems.push(`${ns.metadata.name}: a pod without any securityContext was admitted`);
      } catch (e) {
        if (!(e instanceof ApiError) || e.statusCode !== 403 || !/violates PodSecurity "restricted/.test(e.message)) {
          problems.push(`${ns.metadata.name}: unexpected answer: ${e}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('the apply step fails when the API server rejects an object', async () => {
    const ns = 'cluster-test-rejections';
    await applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } }], 'rejection-namespace');
    const badScaledObject: KubeObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'bad', namespace: ns },
      spec: { scaleTargetRef: { name: 'x' }, pollingIntervall: 5, triggers: [{ type: 'redis', metadata: { listName: 'celery' } }] },
    };
    await expect(applyObjects([badScaledObject], 'bad-scaledobject')).rejects.toThrow(/\.spec\.pollingIntervall: field not declared in schema|unknown field "spec\.pollingIntervall"/);
    const rootPod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root', namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    await expect(applyObjects([rootPod], 'bad-pod')).rejects.toThrow(/violates PodSecurity "restricted:latest"/);
    await kubectlOk(['delete', 'namespace', ns, '--wait=false']);
  });

  test('the controllers create every pod and the scheduler places them; all become Ready', async () => {
    if (!applied) throw new Error('the apply test failed, so there is nothing to schedule');
    // KEDA does not run here. Stand in for it at its floor: each ScaledObject target gets
    // max(minReplicaCount, 1) replicas (a queue with work), through the scale subresource, as KEDA's
    // HPA would. The render leaves spec.replicas out, so this does not fight the re-apply below.
    const scaled: string[] = [];
    for (const so of envs.flatMap((e) => e.objects.filter((o) => o.kind === 'ScaledObject'))) {
      const target = so.spec?.scaleTargetRef;
      if ((target?.kind ?? 'Deployment') !== 'Deployment') continue;
      const replicas = Math.max(Number(so.spec?.minReplicaCount ?? 0), 1);
      await kubectlOk(['-n', namespaceOf(so), 'scale', `deployment/${target.name}`, `--replicas=${replicas}`]);
      scaled.push(`${namespaceOf(so)}/${target.name}=${replicas}`);
    }
    figures['ScaledObject targets scaled to max(minReplicaCount, 1)'] = scaled.join(', ') || 'none';
    // The HPA controller scales a Deployment below minReplicas up to it even without metrics.
    await waitHpaMinimums(2 * MINUTE);
    await waitAllReady(5 * MINUTE);
    figures['time from first apply until all pods Ready (s)'] = ((Date.now() - Number(figures.applyStartedAt)) / 1000).toFixed(1);
    delete figures.applyStartedAt;
    const pods = (await listPods()).filter((p) => envs.some((e) => e.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === p.metadata.namespace)));
    figures.pods = pods.length;
    const unscheduled = pods.filter((p) => !p.spec.nodeName).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(unscheduled).toEqual([]);
    const failedCreate = await api.list('/api/v1/events?fieldSelector=reason%3DFailedCreate');
    expect(failedCreate.map((e: any) => `${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`)).toEqual([]);
  });

  test('backend, frontend and edge replicas span zones and do not share nodes (where their pod templates require it)', async () => {
    const pods = await listPods();
    const nodes = await api.list('/api/v1/nodes');
    const zoneOf = new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[ZONE_KEY]]));
    const problems: string[] = [];
    const placement: string[] = [];
    for (const w of web) {
      const mine = (await podsOf(w, pods)).filter((p) => !p.metadata.deletionTimestamp);
      const nodeNames = mine.map((p) => p.spec.nodeName);
      const zones = new Set(nodeNames.map((n) => zoneOf.get(n)));
      const must = placementRequired(w.deployment.spec.template);
      const rules = [must.zones ? 'zones required' : 'zones preferred', must.nodes ? 'one per node required' : 'nodes preferred'].join(', ');
      placement.push(`${w.namespace}/${w.component}: ${mine.length} pods on ${new Set(nodeNames).size} nodes in ${zones.size} zones (${rules})`);
      if (must.zones && mine.length < 2) problems.push(`${w.namespace}/${w.component}: only ${mine.length} replica(s), so it cannot span 2 zones`);
      else if (must.zones && zones.size < 2) problems.push(`${w.namespace}/${w.component}: all ${mine.length} pods in zone ${[...zones][0]}`);
      if (must.nodes && mine.length <= GENERAL_NODES.length && new Set(nodeNames).size !== mine.length) {
        problems.push(`${w.namespace}/${w.component}: ${mine.length} pods share nodes (${nodeNames.join(', ')}) although ${GENERAL_NODES.length} nodes are free`);
      }
    }
    figures['web placement'] = '\n  ' + placement.join('\n  ');
    expect(problems).toEqual([]);
  });

  test('face-recognition pods run only on their pool, and nothing else does', async () => {
    const facePods: string[] = [];
    const problems: string[] = [];
    const pods = await listPods();
    const poolNodes = new Set(FACE_NODES.map((n) => n.name));
    let faceWorkloads = 0;
    for (const env of envs) {
      for (const w of workloads(env)) {
        if (!runsOnFacePool(w.spec.template)) continue;
        faceWorkloads++;
        const tolerates = (w.spec.template.spec.tolerations ?? []).some((t: any) => t.key === POOL_LABEL && (t.operator === 'Exists' || t.value === FACE_POOL) && (!t.effect || t.effect === 'NoSchedule'));
        if (!tolerates) problems.push(`${namespaceOf(w)}/${w.metadata.name}: selects the ${FACE_POOL} pool but does not tolerate ${POOL_LABEL}=${FACE_POOL}:NoSchedule`);
      }
    }
    if (faceWorkloads === 0) problems.push(`no workload selects nodes with ${POOL_LABEL}=${FACE_POOL}`);
    for (const p of pods) {
      const wantsPool = runsOnFacePool(p);
      const onPool = poolNodes.has(p.spec.nodeName);
      if (wantsPool) facePods.push(`${p.metadata.namespace}/${p.metadata.name}@${p.spec.nodeName}`);
      if (wantsPool && !onPool) problems.push(`${p.metadata.namespace}/${p.metadata.name} (face recognition) runs on ${p.spec.nodeName}`);
      if (!wantsPool && onPool) problems.push(`${p.metadata.namespace}/${p.metadata.name} runs on the face-recognition pool node ${p.spec.nodeName}`);
    }
    figures['face-recognition pods'] = facePods.length;
    expect(problems).toEqual([]);
  });

  test('applying the same render again changes nothing (every resourceVersion stays)', async () => {
    if (!applied) throw new Error('the apply test failed');
    await waitAllReady(2 * MINUTE);
    await sleep(10_000); // let controllers write their last status updates
    const all = folders.flatMap((e) => e.objects);
    const before = await resourceVersions(all, 'before');
    for (const env of folders) await applyObjects(applyOrder(env.objects), `${env.name}-again`);
    await sleep(2_000);
    const after = await resourceVersions(all, 'after');
    const changed = [...before.entries()].filter(([k, rv]) => after.get(k) !== rv).map(([k, rv]) => `${k}: resourceVersion ${rv} -> ${after.get(k)}`);
    figures['objects changed by a second apply'] = changed.length;
    expect(changed).toEqual([]);
  });

  test('node drain: nodes drained one by one keep every web component at its PDB minimum', async () => {
    if (!applied) throw new Error('the apply test failed');
    await waitAllReady(2 * MINUTE);
    const replicas = await currentReplicas();
    const guard = new ReadyGuard((w) => pdbRequired(w, replicas));
    const totals = { allowed: 0, refused: 0 };
    const failures: string[] = [];
    guard.start();
    try {
      for (const n of ALL_NODES) {
        const { code, counts } = await drain(n.name, '180s');
        totals.allowed += counts.allowed;
        totals.refused += counts.refused;
        if (code !== 0) failures.push(`kubectl drain ${n.name} failed (exit ${code}):\n${counts.output.join('\n')}`);
        await kubectlOk(['uncordon', n.name]);
        await waitAllReady(3 * MINUTE);
      }
    } finally {
      await guard.stop();
    }
    figures['drain one by one: evictions allowed / refused'] = `${totals.allowed} / ${totals.refused}`;
    figures['drain one by one: polls'] = guard.polls;
    expect(failures).toEqual([]);
    expect(guard.failures()).toEqual([]);
    expect(totals.allowed).toBeGreaterThan(0);
  });

  test('node drain without spare capacity: an eviction that would break a PDB is refused', async () => {
    if (!applied) throw new Error('the apply test failed');
    await waitAllReady(2 * MINUTE);
    const replicas = await currentReplicas();
    const guard = new ReadyGuard((w) => pdbRequired(w, replicas));
    // Cordon every node: evicted web pods cannot come back, so each PDB runs out of budget.
    for (const n of ALL_NODES) await kubectlOk(['cordon', n.name]);
    const totals = { allowed: 0, refused: 0 };
    const shown: string[] = [];
    guard.start();
    try {
      for (const n of GENERAL_NODES) {
        // kubectl asks again every 5 s after a refusal; the first refusal comes at once, so 8 s shows it
        // (with 20 s, the test took 72 s, mostly kubectl retrying refusals already counted).
        const { counts } = await drain(n.name, '8s');
        totals.allowed += counts.allowed;
        totals.refused += counts.refused;
        const refusal = counts.output.find((l) => /disruption budget/.test(l));
        if (refusal && shown.length < 3) shown.push(`${n.name}: ${refusal.trim()}`);
      }
    } finally {
      await guard.stop();
      for (const n of ALL_NODES) await kubectlOk(['uncordon', n.name]);
    }
    figures['drain without capacity: evictions allowed / refused'] = `${totals.allowed} / ${totals.refused}`;
    figures['refusals seen'] = '\n  ' + shown.join('\n  ');
    expect(totals.refused).toBeGreaterThan(0);
    expect(guard.failures()).toEqual([]);
    await waitAllReady(3 * MINUTE);
  });

  test(`zone loss: deleting ${LOST_ZONE}'s nodes leaves every web component Ready pods and the rest are rescheduled`, async () => {
    if (!applied) throw new Error('the apply test failed');
    await waitAllReady(2 * MINUTE);
    // A component whose pods must spread over zones keeps one Ready; one that only prefers to spread
    // is watched, not held to it.
    const guard = new ReadyGuard((w) => (placementRequired(w.deployment.spec.template).zones ? 1 : 0));
    guard.start();
    const start = Date.now();
    const lost = ALL_NODES.filter((n) => n.zone === LOST_ZONE);
    try {
      for (const n of lost) await api.delete(`/api/v1/nodes/${n.name}`);
      await waitFor('no pods left on the lost zone\'s nodes', async () => {
        const pods = await listPods();
        return !pods.some((p) => lost.some((n) => n.name === p.spec.nodeName));
      }, 3 * MINUTE, async () => (await listPods()).filter((p) => lost.some((n) => n.name === p.spec.nodeName)).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join('\n'));
      await waitAllReady(3 * MINUTE);
    } finally {
      await guard.stop();
    }
    figures['zone loss: time until every pod is Ready again (s)'] = ((Date.now() - start) / 1000).toFixed(1);
    figures['zone loss: fewest Ready web pods'] = [...guard.samples.values()].map((s) => `${s.key}=${s.min}${s.required ? '' : ' (zones preferred)'}`).join(', ');
    expect(guard.failures()).toEqual([]);
    const pods = await listPods();
    const nodes = await api.list('/api/v1/nodes');
    const zoneOf = new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels?.[ZONE_KEY]]));
    const problems: string[] = [];
    for (const w of web) {
      const zones = new Set((await podsOf(w, pods)).map((p) => zoneOf.get(p.spec.nodeName)));
      if (zones.has(undefined) || zones.has(LOST_ZONE)) problems.push(`${w.namespace}/${w.component}: pods on lost nodes`);
    }
    expect(problems).toEqual([]);
  });

  test('rolling update: a new backend image rolls out without dropping below the desired Ready count', async () => {
    if (!applied) throw new Error('the apply test failed');
    await waitAllReady(2 * MINUTE);
    const backends = web.filter((w) => w.component === 'backend');
    const problems: string[] = [];
    for (const w of backends) {
      const live = await api.get(`/apis/apps/v1/namespaces/${w.namespace}/deployments/${w.deployment.metadata.name}`);
      const desired = live.spec.replicas ?? 1;
      const container = live.spec.template.spec.containers[0];
      const image = String(container.image).replace(/@sha256:[0-9a-f]+$/, '');
      const repo = image.lastIndexOf(':') > image.lastIndexOf('/') ? image.slice(0, image.lastIndexOf(':')) : image;
      const newImage = `${repo}:${ROLLOUT_TAG}`;
      let minReady = Number.MAX_SAFE_INTEGER;
      let polls = 0;
      let done = false;
      const selector = encodeURIComponent(Object.entries(w.deployment.spec.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(','));
      const poll = (async () => {
        while (!done) {
          const pods = await api.list(`/api/v1/namespaces/${w.namespace}/pods?labelSelector=${selector}`);
          const ready = (await podsOf(w, pods)).filter(isPodReady).length;
          minReady = Math.min(minReady, ready);
          polls++;
          await sleep(50);
        }
      })();
      const start = Date.now();
      await kubectlOk(['-n', w.namespace, 'set', 'image', `deployment/${w.deployment.metadata.name}`, `${container.name}=${newImage}`]);
      try {
        await waitFor(`${w.namespace}/${w.deployment.metadata.name} to roll out ${newImage}`, async () => {
          const d = await api.get(`/apis/apps/v1/namespaces/${w.namespace}/deployments/${w.deployment.metadata.name}`);
          const pods = (await podsOf(w, await listPods())).filter((p) => !p.metadata.deletionTimestamp);
          return rolledOut(d) && pods.length === desired && pods.every((p) => p.spec.containers[0].image === newImage);
        }, 3 * MINUTE);
      } finally {
        done = true;
        await poll;
      }
      figures[`rolling update ${w.namespace}/backend`] = `${desired} desired, ${minReady} Ready at worst over ${polls} polls, ${((Date.now() - start) / 1000).toFixed(1)}s`;
      if (minReady < desired) problems.push(`${w.namespace}/${w.deployment.metadata.name}: ${minReady} Ready pods at worst during the rollout, desired ${desired} (strategy ${JSON.stringify(live.spec.strategy)})`);
    }
    expect(problems).toEqual([]);
  });

  test('no ReplicaSet failed to create a pod during drains, zone loss and rollouts', async () => {
    const failedCreate = await api.list('/api/v1/events?fieldSelector=reason%3DFailedCreate');
    // When many pods of one namespace are created at once, ResourceQuota admission can lose an
    // optimistic-concurrency race on the quota's status; the ReplicaSet controller retries at once.
    // That is counted and shown, not failed. Every other reason (quota exceeded, Pod Security,
    // missing ServiceAccount or PriorityClass, ...) fails the test.
    const quotaRace = /^Error creating: Operation cannot be fulfilled on resourcequotas "[^"]+": the object has been modified/;
    const races = failedCreate.filter((e: any) => quotaRace.test(e.message));
    figures['FailedCreate events from ResourceQuota update conflicts (retried)'] = races.reduce((n: number, e: any) => n + (e.count ?? 1), 0);
    expect(failedCreate.filter((e: any) => !quotaRace.test(e.message))
      .map((e: any) => `${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`)).toEqual([]);
  });
});
