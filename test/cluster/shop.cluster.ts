// The shop's render running on the two real nodes (start.sh with CP_WITH_NODES=1), from the images
// built here and served by the registry at CP_REGISTRY, which every node's containerd uses as the
// mirror of registry.example.com and docker.io. The render is the shop's suite environment
// (examples/shop/app.ts, shopSuiteApp), made by the shop's own code with its Argo CD folder, published
// to a rendered branch and synced by the real Argo CD (CP_WITH_ARGOCD=1, shop-delivery.ts), unchanged:
// no image, pull policy, probe or security context is patched. The real KEDA (CP_WITH_KEDA=1) scales
// its workers on the Redis test host and the HPAs read metrics-server. Its external services are the
// test hosts that hack/control-plane/shop-hosts.sh serves on 203.0.113.10-12 (PostgreSQL, Redis, S3);
// the Secrets the render references are created here with their addresses and passwords, as the
// platform team provisions them. The one stand-in: the ingress controller's load-balancer address in
// the Ingress' status (no ingress controller runs; the client pod in its namespace plays its part).
//
// Run it with `CP_SUITES=shop npm run test:cluster`. Every connection is to a pod, Service or test
// host of this run; every wait is bounded.
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appState, ARGOCD_GROUP, argocdLogTail, condition, MINUTE, syncedHealthy, Timeline } from './argocd';
import { PortForward, runJourney } from './asset-journey';
import { drainUnderLoad, waitForDeploymentsReady } from './disruption';
import { KEDA_GROUP, ReplicaWatch, scaledObjectState } from './keda';
import { Api, ApiError, isPodReady, kubectl, kubectlOk, KubeObject, objectKey, requireEnv, sleep, waitFor } from './kube';
import { applicationSetAppName, applicationSetNamespace, clusterScopedKinds, copiedSecrets, previewCli, referencedSecrets, refreshApplicationSet } from './preview';
import { loadEnvironments } from './render';
import { EnvironmentRender } from './rendered-branch';
import { describeFailures, LoopBounds, LoopTarget, loopClientPod, RequestLoop } from './request-loop';
import { AppContainer, createSuperuser, finishedRuns, sendWork, tallyTasks } from './shop-app';
import { CpuLoad, listLength, sendTasks } from './shop-autoscalers';
import { ShopDelivery } from './shop-delivery';
import { StandIns } from './stand-ins';
import { describeMismatches, modelFlows, otherNamespacePods, planProbes, ProbeTarget, runProbes } from './traffic-probe';
import { UploadLoop } from './upload-loop';
import { acceptedWebsockets, edgeRoutesTo, websocketEcho } from './websocket';
import { shopSuitePreviewApp, SUITE_ENVIRONMENT } from '../../examples/shop/app';

const SECOND = 1000;
const NS = `shop-${SUITE_ENVIRONMENT.name}`;
const INGRESS_NS = 'ingress-nginx';
const FIELD_MANAGER = 'shop-suite';
const APP_UID = '10001';
/** The pod in the ingress namespace (the render's ingress source) that sends every request through the edge. */
const CLIENT = 'ingress-client';
// The requests of the drain and of the rollouts: one every 100 ms, at most 3 minutes. A request fails when it errors or has no answer within 10 s: a dropped connection, a refused one, a 5xx or
// an endpoint that no longer answers. Not a slow answer: with 2 s, one of 343 requests of Picvario's drain
// timed out in a cold CI run (TimeoutError, the run's only failure); speed is not what these tests measure.
const LOAD: LoopBounds = { maxRequests: 1800, maxSeconds: 180, intervalSeconds: 0.1, timeoutSeconds: 10 };
/** The release the suite environment renders: staging's, whose images shop-hosts.sh pushed. */
const VERSION = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples/shop/releases.json'), 'utf8')).staging.version;
const [NODE_A, NODE_B] = requireEnv('CP_NODES').split(' ');
const DATABASE_URL = requireEnv('SHOP_DATABASE_URL');
const REDIS_ADDRESS = requireEnv('SHOP_REDIS_ADDRESS');
const S3_ACCESS_KEY = requireEnv('SHOP_S3_ACCESS_KEY');
const S3_SECRET_KEY = requireEnv('SHOP_S3_SECRET_KEY');
/** The buckets shop-hosts.sh made on the S3 test host. */
const S3_BUCKETS = requireEnv('SHOP_S3_BUCKETS').split(' ');
let api: Api;
let delivery: ShopDelivery;
/** The render as the shop's code makes it, and the rendered branch's commit of it. */
let base: EnvironmentRender;
let baseCommit = '';
let ingressStandIn: StandIns | undefined;
let objects: KubeObject[] = [];
let deployments: string[] = [];
let renderDir: string | undefined;
/** The rendered folder of the suite environment (its index.json holds the traffic model). */
let envDir = '';

async function apply(items: KubeObject[], fieldManager = FIELD_MANAGER): Promise<void> {
  await kubectlOk(['apply', '--server-side', `--field-manager=${fieldManager}`, '-f', '-'], items.map((o) => JSON.stringify(o)).join('\n'));
}

function secret(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, stringData: data };
}

const deploymentsReady = (timeoutMs: number) => waitForDeploymentsReady(api, NS, timeoutMs, describeNamespace);

async function describeNamespace(): Promise<string> {
  return (await kubectl(['get', 'pods,deployments,jobs', '-n', NS, '-o', 'wide'])).stdout
    + (await kubectl(['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'])).stdout.split('\n').slice(-40).join('\n');
}

const componentOf = (p: KubeObject) => p.metadata.labels?.['app.kubernetes.io/component'] ?? p.metadata.name;

async function pods(): Promise<KubeObject[]> {
  return api.list(`/api/v1/namespaces/${NS}/pods`);
}

/** The running pods of the Deployments (not the Job's). */
async function deploymentPods(): Promise<KubeObject[]> {
  const ownerKind = (p: KubeObject) => (p.metadata.ownerReferences as { kind: string }[] | undefined)?.[0]?.kind;
  return (await pods()).filter((p) => ownerKind(p) === 'ReplicaSet' && !p.metadata.deletionTimestamp);
}

function exec(namespace: string, pod: string, container: string, command: string[], timeoutMs = 30 * SECOND) {
  return kubectl(['exec', '-n', namespace, pod, '-c', container, '--', ...command], { timeoutMs });
}

beforeAll(async () => {
  api = new Api();
  renderDir = mkdtempSync(path.join(os.tmpdir(), 'shop-suite-'));
  delivery = new ShopDelivery(api, renderDir, VERSION);
  base = delivery.render('base');
  objects = base.objects;
  envDir = base.envDir;
  deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort();
}, 60 * SECOND);

afterAll(async () => {
  await ingressStandIn?.stop();
  api?.close();
  if (renderDir) rmSync(renderDir, { recursive: true, force: true });
});

describe('GIVEN the shop suite environment, rendered by the shop\'s code, and its test hosts', () => {
  test('WHEN it is published to the rendered branch and Argo CD syncs it THEN every Deployment is Available, every Job completes, and Argo CD reports Synced and Healthy', async () => {
    // The buckets the pods use (their readiness asks the media bucket) are the ones on the test host.
    const buckets = new Set(objects.filter((o) => o.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers)
      .flatMap((c: any) => c.env ?? []).filter((e: any) => ['AWS_STORAGE_BUCKET_NAME', 'DJANGO_STATIC_BUCKET'].includes(e.name)).map((e: any) => e.value));
    expect([...buckets].filter((b) => !S3_BUCKETS.includes(b))).toEqual([]);

    // What the platform team provisions before the first sync: the namespace and the Secrets the render
    // references (it renders no ExternalSecret: the shop names existing Secrets).
    const namespace = objects.filter((o) => o.kind === 'Namespace');
    expect(namespace.map((o) => o.metadata.name)).toEqual([NS]);
    await apply([...namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INGRESS_NS } }]);
    await waitFor('the default ServiceAccounts', async () => {
      try {
        await api.get(`/api/v1/namespaces/${NS}/serviceaccounts/default`);
        await api.get(`/api/v1/namespaces/${INGRESS_NS}/serviceaccounts/default`);
        return true;
      } catch { return false; }
    }, 30 * SECOND);
    await apply([
      secret('shop-app', {
        'database-url': DATABASE_URL,
        'secret-key': `shop-suite-${Date.now()}-not-a-real-secret`,
        's3-access-key': S3_ACCESS_KEY,
        's3-secret-key': S3_SECRET_KEY,
      }),
      secret('shop-broker', { 'redis-address': REDIS_ADDRESS }),
      secret('shop-flower', { 'basic-auth': 'oncall:shop-suite' }),
    ]);

    // The client pod first, so that the NetworkPolicy firewall has long known its address when the
    // edge checks run. From the shop's own image: it has Python, whose http.client is the suite's client.
    // It plays the ingress controller, so the ingress stand-in publishes its address in the Ingress'
    // status (which Argo CD's Ingress health waits for).
    await apply([loopClientPod(CLIENT, INGRESS_NS, backendImage(), Number(APP_UID))]);
    let clientIp = '';
    await waitFor('the ingress client\'s address', async () => {
      clientIp = (await api.get(`/api/v1/namespaces/${INGRESS_NS}/pods/${CLIENT}`)).status?.podIP ?? '';
      return clientIp !== '';
    }, 120 * SECOND);
    ingressStandIn = new StandIns(api, [NS], clientIp);
    ingressStandIn.start();

    const started = Date.now();
    baseCommit = await delivery.publish(base);
    const bootstrap = await delivery.bootstrap();
    let state = '';
    const jobs = objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.name).sort();
    expect(jobs).toEqual(['collectstatic', 'migrate']);
    await waitFor('every Deployment Available at the replicas its autoscaler keeps, and every Job complete', async () => {
      const ds: KubeObject[] = await api.list(`/apis/apps/v1/namespaces/${NS}/deployments`);
      const done = (await api.list(`/apis/batch/v1/namespaces/${NS}/jobs`)).filter((j: KubeObject) => j.status?.succeeded === 1);
      const available = ds.filter((d) => d.status?.conditions?.some((c: any) => c.type === 'Available' && c.status === 'True')
        && [d.spec.replicas, d.status?.replicas ?? 0, d.status?.readyReplicas ?? 0].every((n) => n === replicasOf(d.metadata.name)));
      state = `available: ${available.map((d) => d.metadata.name).join(', ')}; Jobs succeeded: ${done.map((j: KubeObject) => j.metadata.name).join(', ')}`;
      return available.length === deployments.length && jobs.every((j) => done.some((d: KubeObject) => d.metadata.name === j));
    }, 420 * SECOND, async () => `${state}\n${await delivery.argo.get(delivery.envApp).then(appState, (e) => `${delivery.envApp}: ${e}`)}\n${await describeNamespace()}`, 2 * SECOND);
    const took = (Date.now() - started) / SECOND;
    const timeline = await delivery.waitSyncedHealthy(baseCommit, 3 * MINUTE);

    const running = await deploymentPods();
    expect(running.every(isPodReady)).toBe(true);
    const nodes = new Set(running.map((p) => p.spec.nodeName));
    expect([...nodes].every((n) => [NODE_A, NODE_B].includes(n))).toBe(true);
    // Argo CD's health of the autoscalers is its own reading of their status: the HPAs' from
    // metrics-server's numbers, the ScaledObjects' from KEDA's connection to the broker.
    const app = await delivery.argo.get(delivery.envApp);
    const autoscalers = (app.status.resources ?? []).filter((r: any) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(r.kind))
      .map((r: any) => `${r.kind}/${r.name}: ${r.health?.status}`).sort();
    expect(autoscalers).toEqual(objects.filter((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind))
      .map((o) => `${o.kind}/${o.metadata.name}: Healthy`).sort());
    console.log(`Argo CD: bootstrap ${bootstrap.trim().split('\n').join('; ')}; ${delivery.envApp} ${appState(app)} at ${baseCommit.slice(0, 7)}; states seen: ${timeline}`);
    console.log(`Argo CD: autoscalers as it reports them: ${autoscalers.join(', ')}`);
    console.log(`stand-in: ${ingressStandIn.log.join('; ')}`);
    console.log(`real-node: ${running.length} pods Ready on ${nodes.size} nodes`);
    console.log(`time to Ready: ${took} s`);
  });

  test('THEN no container has restarted: every probe passes', async () => {
    const restarts = (await deploymentPods()).flatMap((p) => (p.status.containerStatuses ?? [])
      .filter((c: any) => c.restartCount > 0).map((c: any) => `${p.metadata.name}/${c.name}: ${c.restartCount}`));
    expect(restarts).toEqual([]);
  });

  test('THEN every container runs as uid 10001 on a read-only root, checked from inside', async () => {
    const seen: string[] = [];
    for (const p of await deploymentPods()) {
      for (const c of p.spec.containers) {
        const id = await exec(NS, p.metadata.name, c.name, ['id', '-u']);
        expect([p.metadata.name, c.name, id.stdout.trim()]).toEqual([p.metadata.name, c.name, APP_UID]);
        const write = await exec(NS, p.metadata.name, c.name, ['touch', '/written-by-the-suite']);
        expect([p.metadata.name, c.name, write.code]).not.toEqual([p.metadata.name, c.name, 0]);
        expect(write.stderr).toContain('Read-only file system');
        seen.push(`${componentOf(p)}/${c.name}`);
      }
    }
    // Every Deployment that runs pods at rest (worker-reports idles at 0, as KEDA keeps it).
    expect(new Set(seen.map((s) => s.split('/')[0]))).toEqual(new Set(deployments.filter((d) => replicasOf(d) > 0)));
  });

  test('WHEN a pod in the ingress namespace calls the edge Service THEN the backend answers through it', async () => {
    await waitFor('the ingress client Ready', async () => isPodReady(await api.get(`/api/v1/namespaces/${INGRESS_NS}/pods/${CLIENT}`)), 120 * SECOND);
    // What has to be true before a request can pass: both hops' Services list every replica as ready
    // (so kube-proxy has endpoints to program). Then every request must pass: no retry.
    for (const service of ['edge', 'backend']) {
      await waitFor(`the ${service} Service's endpoints ready`, async () => await readyEndpoints(service) >= replicasOf(service), 60 * SECOND);
    }
    const report = await new RequestLoop(INGRESS_NS, CLIENT, 'first', edgeTarget(), { maxRequests: 20, maxSeconds: 30, intervalSeconds: 0.1, timeoutSeconds: 5 }).done;
    console.log(`edge: ${report.failed} failed requests of ${report.total}`);
    expect([report.total, report.failed, describeFailures(report)]).toEqual([20, 0, '']);
  });

  test('WHEN a task is sent through Redis THEN worker-default runs it', async () => {
    const [backend] = (await deploymentPods()).filter((p) => componentOf(p) === 'backend');
    const sent = await exec(NS, backend.metadata.name, backend.spec.containers[0].name,
      ['python', '-c', 'from shop.celery import app; print(app.send_task("shop.tasks.ping").id)']);
    expect(sent.code).toBe(0);
    const id = sent.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    let logs = '';
    await waitFor(`worker-default to run shop.tasks.ping[${id}]`, async () => {
      logs = (await kubectl(['logs', '-n', NS, 'deployment/worker-default', '--all-containers'])).stdout;
      return logs.includes(`shop.tasks.ping[${id}] succeeded`);
    }, 60 * SECOND, async () => logs.split('\n').slice(-30).join('\n'), 2 * SECOND);
  });

  test('WHEN a static file is requested through the edge THEN the statics bucket serves it as collectstatic uploaded it', async () => {
    const [backend] = (await deploymentPods()).filter((p) => componentOf(p) === 'backend');
    const file = 'admin/css/base.css';
    const expected = await exec(NS, backend.metadata.name, backend.spec.containers[0].name, ['python', '-c',
      `import django, hashlib, os; print(hashlib.sha256(open(os.path.join(os.path.dirname(django.__file__), "contrib/admin/static/${file}"), "rb").read()).hexdigest())`]);
    expect(expected.code).toBe(0);
    const target = edgeTarget();
    const got = await exec(INGRESS_NS, CLIENT, 'main', ['python', '-c', [
      'import hashlib, http.client',
      `c = http.client.HTTPConnection("${target.host}", ${target.port}, timeout=10)`,
      `c.request("GET", "/static/${file}", headers={"Host": "${target.virtualHost}"})`,
      'r = c.getresponse()',
      'print(r.status, hashlib.sha256(r.read()).hexdigest())',
    ].join('\n')]);
    expect([got.code, got.stdout.trim()]).toEqual([0, `200 ${expected.stdout.trim()}`]);
    console.log(`statics: /static/${file} through the edge from the statics bucket, sha256 equal to the image's`);
  });

  test('WHEN a 64 MiB file is uploaded in 8 MiB parts to each backend pod in turn THEN S3 holds it whole, a worker checksums it from S3, and it downloads through the edge', async () => {
    const running = await deploymentPods();
    const backends = running.filter((p) => componentOf(p) === 'backend');
    const edgePod = running.find((p) => componentOf(p) === 'edge');
    expect(backends.length).toBeGreaterThanOrEqual(2);
    const [first] = backends;
    const password = `shop-suite-${Date.now()}-not-a-real-password`;
    await createSuperuser(appContainer(first), 'suite', password);
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    const forwards: PortForward[] = [];
    try {
      for (const b of backends) forwards.push(await PortForward.open(NS, b.metadata.name, containerPort(b)));
      const edge = await PortForward.open(NS, edgePod!.metadata.name, containerPort(edgePod!));
      const report = await runJourney({
        edge, backends: [...forwards], host: ingress.spec.rules[0].host, user: 'suite', password, sizeMiB: 64, partMiB: 8,
      });
      forwards.push(edge);
      expect([report.code, report.output]).toEqual([0, expect.stringContaining(`parts: 8 via ${backends.length} endpoints, sha256 equal`)]);
      console.log(`upload: 8 parts via ${backends.length} pods, sha256 equal`);
      console.log(report.output.split('\n').filter((l) => l.startsWith('download:')).join('\n'));
    } finally {
      forwards.forEach((f) => f.close());
    }
    // No pod wrote it to disk: the root is read-only, and /tmp (an emptyDir) holds nothing of a part's size.
    for (const b of backends) {
      const found = await exec(NS, b.metadata.name, b.spec.containers[0].name, ['find', '/tmp', '-type', 'f', '-size', '+1M']);
      expect([b.metadata.name, found.code, found.stdout.trim()]).toEqual([b.metadata.name, 0, '']);
    }
  }, 420 * SECOND);

  test('WHEN each node in turn is drained while requests go through the edge THEN no request fails and no budget is broken', async () => {
    // The first drain moves every replica to the second node; the second drain then finds both replicas
    // of each web component on one node, and only the budgets keep it from evicting them at once.
    const loop = new RequestLoop(INGRESS_NS, CLIENT, 'drain', edgeTarget(), LOAD);
    // Only the shop's pods: the harness's one CoreDNS replica and the client are not under test.
    const app = { api, namespace: NS, podSelector: `app.kubernetes.io/instance=${NS}`, components: ['backend', 'edge'], pods: deploymentPods, describe: describeNamespace };
    const { stranded, violations, report } = await drainUnderLoad(app, [NODE_A, NODE_B], loop);
    console.log(`drain: ${report.failed} failed requests of ${report.total}, ${violations.length} PDB violations`);
    expect(stranded).toEqual([]);
    expect(report.ended).toBe('stop');
    expect([report.failed, describeFailures(report)]).toEqual([0, '']);
    expect(violations).toEqual([]);
  });
});

describe('GIVEN the render synced by Argo CD, KEDA scaling its workers on the Redis test host, and metrics-server feeding its HPAs', () => {
  test('WHEN tasks are queued for the idle reports queue THEN KEDA starts real worker pods that run them all, and takes them back to 0', async () => {
    const worker = 'worker-reports';
    const scaledObject = objects.find((o) => o.kind === 'ScaledObject' && o.spec.scaleTargetRef.name === worker);
    if (!scaledObject) throw new Error(`the render has no ScaledObject for ${worker}`);
    const { listName } = scaledObject.spec.triggers[0].metadata;
    const { minReplicaCount, maxReplicaCount, cooldownPeriod, pollingInterval } = scaledObject.spec;
    expect([minReplicaCount, listName]).toEqual([0, 'reports']);
    const selector = `app.kubernetes.io/instance=${NS},app.kubernetes.io/component=${worker}`;
    const workerPods = () => api.list(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(selector)}`);
    // No pod of it at all, Terminating ones included: one that still consumes would run the tasks instead.
    await waitFor(`${worker} idle at 0 replicas, with no pod left`, async () => (await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/${worker}`)).spec.replicas === 0
      && (await workerPods()).length === 0,
    (cooldownPeriod + 2 * pollingInterval) * SECOND, async () => `${await scaledObjectState(api, NS, worker)}\n${await describeNamespace()}`);
    const so = await api.get(`${KEDA_GROUP}/namespaces/${NS}/scaledobjects/${worker}`);
    expect([condition(so, 'Ready').status, condition(so, 'Active').status]).toEqual(['True', 'False']);

    // Enough tasks for every replica: listLength per replica, times the maximum, and half again.
    const count = Math.ceil(Number(scaledObject.spec.triggers[0].metadata.listLength) * maxReplicaCount * 1.5);
    const [backend] = (await deploymentPods()).filter((p) => componentOf(p) === 'backend');
    const watch = new ReplicaWatch(api, [`${NS}/${worker}`]);
    watch.start();
    const queuedAt = Date.now();
    const ran = new Set<string>();
    const nodes = new Set<string>();
    let ranTook = 0;
    let backTook = 0;
    try {
      const ids = await sendTasks(backend, 'shop.celery', 'shop.tasks.monthly_report', count);
      // Each worker pod's log names the tasks it ran; pods are read while they run (they go at scale-down).
      ranTook = await waitFor(`${worker} pods to run all ${count} tasks`, async () => {
        const logs = await kubectl(['logs', '-n', NS, '-l', selector, '--tail=-1', '--max-log-requests=10'], { timeoutMs: 30 * SECOND });
        for (const m of logs.stdout.matchAll(/shop\.tasks\.monthly_report\[([0-9a-f-]{36})\] succeeded/g)) ran.add(m[1]);
        for (const p of await workerPods()) if (p.spec.nodeName) nodes.add(p.spec.nodeName);
        return ids.every((id) => ran.has(id));
      }, 180 * SECOND, async () => `${ran.size} of ${count} ran\n${watch.report()}\n${await scaledObjectState(api, NS, worker)}`, 2 * SECOND);
      expect(await listLength(REDIS_ADDRESS, listName)).toBe(0);
      backTook = await waitFor(`${worker} back at 0 replicas`, async () => {
        const d = await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/${worker}`);
        return d.spec.replicas === 0 && (d.status?.replicas ?? 0) === 0;
      }, (cooldownPeriod + 3 * pollingInterval + 60) * SECOND, async () => `${watch.report()}\n${await scaledObjectState(api, NS, worker)}`, SECOND);
    } finally {
      await watch.stop();
    }
    const peak = watch.max.get(`${NS}/${worker}`)!;
    console.log(`KEDA redis: ${count} tasks on ${listName}, 0 -> ${peak} worker pods on ${[...nodes].sort().join(', ')}, all run after ${(ranTook / SECOND).toFixed(1)} s; `
      + `back to 0 ${(backTook / SECOND).toFixed(1)} s later (cooldownPeriod ${cooldownPeriod}, pollingInterval ${pollingInterval})`);
    console.log(`KEDA redis: replicas over time (s since the tasks were queued at ${new Date(queuedAt).toISOString()}):\n${watch.report()}`);
    expect(peak).toBeGreaterThanOrEqual(1);
    expect([...nodes].every((n) => [NODE_A, NODE_B].includes(n))).toBe(true);
  });

  test('WHEN a release raises the backend\'s HPA maximum and its pods burn CPU THEN the HPA, reading metrics-server, scales it up; the render as it was takes it back', async () => {
    // metrics-server serves the resource metrics API: no stand-in answers for it.
    const metricsApi = await api.get('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io');
    expect([metricsApi.spec.service?.namespace, metricsApi.spec.service?.name, condition(metricsApi, 'Available').status]).toEqual(['kube-system', 'metrics-server', 'True']);
    const hpaPath = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/backend`;
    const utilization = (hpa: KubeObject): number | undefined => hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization;

    const wider = delivery.render('backend-max-3', { backendReplicas: [SUITE_ENVIRONMENT.replicas[0], SUITE_ENVIRONMENT.replicas[1] + 1] });
    const max = SUITE_ENVIRONMENT.replicas[1] + 1;
    const commit = await delivery.publish(wider);
    await delivery.refresh();
    await delivery.waitSyncedHealthy(commit, 3 * MINUTE);
    let hpa = await api.get(hpaPath);
    expect(hpa.spec.maxReplicas).toBe(max);
    // At rest first: the request loops of the tests before loaded the backend, and an HPA keeps the
    // highest recommendation of its downscale window (30 s on the real-node control plane), so with the
    // higher maximum it may first scale up on that alone.
    const min = SUITE_ENVIRONMENT.replicas[0];
    await waitFor(`the backend HPA at rest at ${min}, reading CPU from metrics-server`, async () => {
      hpa = await api.get(hpaPath);
      const d = await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/backend`);
      const backendPods = (await pods()).filter((p) => componentOf(p) === 'backend');
      return condition(hpa, 'ScalingActive').status === 'True' && utilization(hpa) !== undefined
        && [hpa.status.desiredReplicas, d.spec.replicas, d.status?.readyReplicas, backendPods.length].every((n) => n === min);
    }, 150 * SECOND, async () => `${JSON.stringify(hpa.status)}\n${await describeNamespace()}`, 2 * SECOND);
    const idle = utilization(hpa);

    const backends = (await deploymentPods()).filter((p) => componentOf(p) === 'backend');
    const load = new CpuLoad(backends, 150);
    const timeline = new Timeline();
    let took = 0;
    let metrics: KubeObject[] = [];
    try {
      took = await waitFor(`the backend scaled to ${max} Ready replicas by its HPA`, async () => {
        hpa = await api.get(hpaPath);
        const d = await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/backend`);
        timeline.record(`utilization ${utilization(hpa)}%, desired ${hpa.status?.desiredReplicas}, ${d.status?.readyReplicas ?? 0} Ready`);
        return hpa.status?.desiredReplicas === max && d.status?.readyReplicas === max;
      }, 140 * SECOND, async () => `${timeline}\n${JSON.stringify(hpa.status?.conditions)}`, 2 * SECOND);
      metrics = await api.list(`/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`);
    } finally {
      expect(await load.stop()).toEqual([]);
    }
    console.log(`HPA: backend at ${idle}% of its CPU request idle (metrics-server); under load ${timeline}; ${max} Ready after ${(took / SECOND).toFixed(1)} s`);
    console.log(`HPA: metrics-server's backend pods: ${metrics.filter((m) => m.metadata.name.startsWith('backend-'))
      .map((m: any) => `${m.metadata.name} ${m.containers.map((c: any) => c.usage.cpu).join('+')}`).join(', ')}`);

    // The render as the shop's code makes it again: the HPA's maximum back to 2, which it applies at once.
    const back = await delivery.publish(base);
    await delivery.refresh();
    await delivery.waitSyncedHealthy(back, 3 * MINUTE);
    await deploymentsReady(120 * SECOND);
    await waitFor('the scaled-down backend pod gone', async () => (await pods()).filter((p) => componentOf(p) === 'backend').every((p) => !p.metadata.deletionTimestamp),
      120 * SECOND, describeNamespace);
    expect((await api.get(hpaPath)).spec.maxReplicas).toBe(SUITE_ENVIRONMENT.replicas[1]);
    expect((await deploymentPods()).filter((p) => componentOf(p) === 'backend').length).toBe(SUITE_ENVIRONMENT.replicas[1]);
  });
});

describe('GIVEN the render running on the real nodes, with kube-router enforcing its NetworkPolicies', () => {
  test('WHEN every flow of the traffic model is attempted from the pods THEN each is allowed or denied as the model says', async () => {
    // Pods labelled like another environment's, in a namespace labelled like its: the model denies them both ways.
    const others = otherNamespacePods(modelFlows(envDir, SUITE_ENVIRONMENT.name, objects), backendImage(), Number(APP_UID));
    await apply(others);
    for (const pod of others.filter((o) => o.kind === 'Pod')) {
      await waitFor(`${pod.metadata.namespace}/${pod.metadata.name} Ready`,
        async () => isPodReady(await api.get(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`)), 120 * SECOND);
    }
    const plan = await planFlows(others.find((o) => o.kind === 'Namespace')?.metadata.name);
    const results = await runProbes(plan.probes);
    const mismatches = describeMismatches(results);
    console.log(`traffic probed: ${results.length} flows, ${mismatches.length} mismatches`);
    const allowed = results.filter((r) => r.flow.expected === 'allow').length;
    console.log(`traffic: ${allowed} allowed and ${results.length - allowed} denied as intended; not probed: ${
      Object.entries(plan.skipped).map(([why, n]) => `${n} ${why}`).join(', ')}`);
    expect(mismatches).toEqual([]);
    expect([allowed > 0, results.length - allowed > 0]).toEqual([true, true]);
  });

  test('WHEN the policy that admits the ingress namespace to the edge is removed THEN that flow is a mismatch, until it is applied again', async () => {
    const probe = (await planFlows()).probes.find((p) => p.flow.from.type === 'namespace' && p.flow.to.component === 'edge');
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && componentOf(o) === 'edge');
    if (!probe || !policy) throw new Error('no probe from the ingress namespace to the edge, or no NetworkPolicy of the edge in the render');
    // Argo CD's selfHeal would restore the policy within seconds: it is off while the policy is away.
    await delivery.withoutSelfHeal(async () => {
      await kubectlOk(['delete', 'networkpolicy', '-n', NS, policy.metadata.name]);
      try {
        const took = await waitFor('the flow to the edge denied', () => mismatchOf(probe), 30 * SECOND, undefined, SECOND);
        console.log(`traffic control: ${policy.metadata.name} removed, ingress -> edge denied after ${took / SECOND} s`);
      } finally {
        await apply([policy]);
      }
    });
    await waitFor('the flow to the edge allowed again', async () => !await mismatchOf(probe), 30 * SECOND, undefined, SECOND);
  });

  test('WHEN a backend pod\'s component label is changed THEN the edge\'s flow to it is a mismatch', async () => {
    const probe = (await planFlows()).probes.find((p) => p.flow.from.component === 'edge' && p.flow.to.component === 'backend');
    const target = (await deploymentPods()).find((p) => p.status.podIP === probe?.ip);
    if (!probe || !target) throw new Error('no probe from the edge to a running backend pod');
    // The pod leaves its ReplicaSet and Service (a new one replaces it) and no allow policy selects it any more.
    await kubectlOk(['label', 'pod', '-n', NS, target.metadata.name, 'app.kubernetes.io/component=backend-relabelled', '--overwrite']);
    try {
      const took = await waitFor('the flow to the relabelled pod denied', () => mismatchOf(probe), 30 * SECOND, undefined, SECOND);
      console.log(`traffic control: ${target.metadata.name} relabelled, edge -> it denied after ${took / SECOND} s`);
    } finally {
      await kubectlOk(['delete', 'pod', '-n', NS, target.metadata.name, '--wait=true', '--timeout=120s']);
    }
    await deploymentsReady(120 * SECOND);
  });
});

async function planFlows(otherNamespace?: string) {
  const running = [...await pods(), ...await api.list('/api/v1/namespaces/kube-system/pods'),
    ...otherNamespace ? await api.list(`/api/v1/namespaces/${otherNamespace}/pods`) : []];
  return planProbes(modelFlows(envDir, SUITE_ENVIRONMENT.name, objects), running, { [INGRESS_NS]: CLIENT });
}

async function mismatchOf(probe: ProbeTarget): Promise<boolean> {
  const [result] = await runProbes([probe]);
  return result.mismatch;
}

/** The shop's app image, which the suite's own pods use too: it has Python and bash. */
function backendImage(): string {
  const backend = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend');
  if (!backend) throw new Error('the render has no backend Deployment');
  return backend.spec.template.spec.containers[0].image;
}

function edgeTarget(render = objects): LoopTarget {
  const edge = render.find((o) => o.kind === 'Service' && componentOf(o) === 'edge');
  const ingress = render.find((o) => o.kind === 'Ingress');
  if (!edge || !ingress) throw new Error(`the render has no edge Service or no Ingress: ${render.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return {
    host: `${edge.metadata.name}.${edge.metadata.namespace}.svc.cluster.local`,
    port: edge.spec.ports[0].port,
    virtualHost: ingress.spec.rules[0].host,
    path: '/api/',
    expectBody: 'shop',
  };
}

/** The port a pod's first container listens on (the render's containerPort). */
function containerPort(pod: KubeObject): number {
  const port = pod.spec.containers[0].ports?.[0]?.containerPort;
  if (!port) throw new Error(`${pod.metadata.name} has no containerPort`);
  return port;
}

/**
 * The replicas a Deployment of a render runs at rest: its HPA's minimum (the HPA sets them), its
 * ScaledObject's minimum (KEDA keeps an idle queue's workers there), or its own.
 */
function replicasOf(deployment: string, render = objects): number {
  const hpa = render.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === deployment);
  const scaledObject = render.find((o) => o.kind === 'ScaledObject' && o.spec.scaleTargetRef.name === deployment);
  const own = render.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment);
  if (!own) throw new Error(`the render has no Deployment ${deployment}`);
  if (hpa) return hpa.spec.minReplicas;
  if (scaledObject) return scaledObject.spec.minReplicaCount ?? 0;
  return own.spec.replicas ?? 1;
}

async function readyEndpoints(service: string, namespace = NS): Promise<number> {
  const slices = await api.list(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${service}`);
  return slices.flatMap((s: any) => s.endpoints ?? []).filter((e: any) => e.conditions?.ready).length;
}

/** The pull request the suite previews. */
const PREVIEW_PR = 24;
/** The shop's websocket consumer (examples/shop/app/shop/consumers.py, at this path in shop/asgi.py). */
const ECHO_PATH = '/ws/echo/';

describe('GIVEN the websocket service, the CronJob and a pull request\'s preview of the shop, on the real nodes', () => {
  let previewDir: string | undefined;
  let preview: KubeObject[] = [];
  let previewNamespace: KubeObject | undefined;
  /** The previews' ApplicationSet of the base render, and the Application it makes for the preview. */
  let previewSet: KubeObject | undefined;
  let previewApp = '';
  /** The PriorityClasses (name, uid, resourceVersion) before the preview was applied. */
  let classesBefore: string[] = [];

  afterAll(() => {
    if (previewDir) rmSync(previewDir, { recursive: true, force: true });
  });

  test('WHEN websockets are opened through the edge Service on the route the render gives ws THEN ws accepts each and echoes', async () => {
    const conf = objects.find((o) => o.kind === 'ConfigMap' && (o.data as any)?.['nginx.conf'])?.data as Record<string, string> | undefined;
    if (!conf) throw new Error('the render has no ConfigMap with the edge\'s nginx.conf');
    const routes = edgeRoutesTo(conf['nginx.conf'], 'ws');
    expect([routes.length > 0, routes.some((prefix) => ECHO_PATH.startsWith(prefix))]).toEqual([true, true]);
    const edge = edgeTarget();
    const target = { host: edge.host, port: edge.port, path: ECHO_PATH, virtualHost: edge.virtualHost };
    await waitFor('the ingress client Ready', async () => isPodReady(await api.get(`/api/v1/namespaces/${INGRESS_NS}/pods/${CLIENT}`)), 120 * SECOND);
    await waitFor('the ws Service\'s endpoints ready', async () => await readyEndpoints('ws') >= replicasOf('ws'), 60 * SECOND);
    const wsPods = (await deploymentPods()).filter((p) => componentOf(p) === 'ws');
    expect(wsPods.length).toBe(replicasOf('ws'));
    const accepted = async () => {
      let n = 0;
      for (const p of wsPods) n += acceptedWebsockets((await kubectlOk(['logs', '-n', NS, p.metadata.name, '-c', p.spec.containers[0].name])), ECHO_PATH);
      return n;
    };
    const before = await accepted();
    const roundTrips = 4;
    for (let i = 1; i <= roundTrips; i++) {
      const r = await websocketEcho(INGRESS_NS, CLIENT, 'main', target);
      expect([i, r.code, r.code === 0 ? r.stdout.trim() : r.stderr.trim()]).toEqual([i, 0, expect.stringContaining(`${ECHO_PATH} echoed`)]);
    }
    // ws served them (uvicorn logs each accepted websocket), not the backend.
    let seen = 0;
    await waitFor(`the ws pods to log ${roundTrips} accepted websockets on ${ECHO_PATH}`, async () => (seen = await accepted() - before) >= roundTrips,
      15 * SECOND, async () => `${seen} logged`, SECOND);
    expect(seen).toBe(roundTrips);
    // Control: the same handshake outside the ws route goes to the backend, which does not upgrade it.
    const control = await websocketEcho(INGRESS_NS, CLIENT, 'main', { ...target, path: '/echo/' });
    expect([control.code, control.stderr]).toEqual([1, expect.stringContaining('expected 101 Switching Protocols')]);
    console.log(`websocket: ${roundTrips} echoes through the edge on ${routes.join(', ')} (ws logged ${seen} accepted); outside it: ${control.stderr.trim().split('\n')[0]}`);
  });

  test('WHEN a Job is created from the clearsessions CronJob THEN it completes on a real node and deletes the expired session, not the live one', async () => {
    const cron = objects.find((o) => o.kind === 'CronJob');
    if (!cron) throw new Error('the render has no CronJob');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['python', 'manage.py', 'clearsessions']);
    const [backend] = (await deploymentPods()).filter((p) => componentOf(p) === 'backend');
    const stamp = Date.now();
    const [expired, live] = [`suite-expired-${stamp}`, `suite-live-${stamp}`];
    const shell = async (code: string) => {
      const r = await exec(NS, backend.metadata.name, backend.spec.containers[0].name, ['python', 'manage.py', 'shell', '-c', code]);
      if (r.code !== 0) throw new Error(`manage.py shell failed (exit ${r.code}): ${r.stderr.slice(-600)}`);
      return r.stdout.trim().split('\n').pop() ?? '';
    };
    const sessions = 'from django.contrib.sessions.models import Session\nfrom django.utils import timezone\nfrom datetime import timedelta\nimport json\n';
    await shell(`${sessions}Session.objects.create(session_key="${expired}", session_data="", expire_date=timezone.now() - timedelta(days=1))
Session.objects.create(session_key="${live}", session_data="", expire_date=timezone.now() + timedelta(days=1))`);
    const remaining = async () => JSON.parse(await shell(
      `${sessions}print(json.dumps(sorted(Session.objects.filter(session_key__in=["${expired}", "${live}"]).values_list("session_key", flat=True))))`));
    expect(await remaining()).toEqual([expired, live]);

    const job = `${cron.metadata.name}-suite-${stamp}`;
    await kubectlOk(['create', 'job', '-n', NS, `--from=cronjob/${cron.metadata.name}`, job]);
    let state: KubeObject | undefined;
    const took = await waitFor(`Job ${job} to finish`, async () => {
      state = await api.get(`/apis/batch/v1/namespaces/${NS}/jobs/${job}`);
      return (state?.status?.conditions ?? []).some((c: any) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True');
    }, 120 * SECOND, async () => `${JSON.stringify(state?.status)}\n${(await kubectl(['logs', '-n', NS, `job/${job}`])).stdout.slice(-1500)}`, SECOND);
    const jobPods = await api.list(`/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${job}`);
    const log = (await kubectl(['logs', '-n', NS, `job/${job}`])).stdout;
    expect([state?.status?.succeeded, state?.status?.failed ?? 0, log.slice(-1500)]).toEqual([1, 0, expect.any(String)]);
    expect(jobPods.map((p) => [NODE_A, NODE_B].includes(p.spec.nodeName))).toEqual([true]);
    expect(await remaining()).toEqual([live]);
    console.log(`cronjob: ${job} (from cronjob/${cron.metadata.name}) complete on ${jobPods[0].spec.nodeName} after ${took / SECOND} s; the expired session deleted, the live one kept`);
  });

  test('WHEN a pull request\'s preview, rendered by the shop\'s code for the test hosts, is published to the rendered branch THEN the previews\' ApplicationSet deploys it beside the environment, sharing the cluster-scoped objects, and every Deployment is Available', async () => {
    previewDir = mkdtempSync(path.join(os.tmpdir(), 'shop-preview-'));
    const previews = path.join(previewDir, 'previews');
    shopSuitePreviewApp(previews, VERSION, PREVIEW_PR).synth();
    const folders = loadEnvironments(previews);
    expect(folders.map((f) => f.name)).toEqual([`pr-${PREVIEW_PR}`]);
    preview = folders[0].objects;
    // The ApplicationSet of the base render's Argo CD folder, which its root Application synced.
    previewSet = base.argoCdObjects.find((o) => o.kind === 'ApplicationSet');
    if (!previewSet) throw new Error('the suite render has no ApplicationSet of previews in its argocd folder');
    await waitFor(`ApplicationSet ${previewSet.metadata.name} synced by the root Application`, async () =>
      !!await api.get(`${ARGOCD_GROUP}/namespaces/${previewSet!.metadata.namespace}/applicationsets/${previewSet!.metadata.name}`).catch(() => undefined), 2 * MINUTE);
    previewNamespace = applicationSetNamespace(previewSet, folders[0].name);
    previewApp = applicationSetAppName(previewSet, folders[0].name);
    const ns = previewNamespace.metadata.name;
    expect([...new Set(preview.map((o) => o.metadata.namespace))]).toEqual([ns]);
    expect(ns).not.toBe(NS);

    // Cluster-scoped objects: the preview renders none, and the PriorityClasses its workers name are the environment's.
    const clusterKinds = await clusterScopedKinds();
    expect(['Namespace', 'PriorityClass'].filter((k) => !clusterKinds.has(k))).toEqual([]);
    expect(preview.filter((o) => clusterKinds.has(o.kind) || !o.metadata.namespace).map(objectKey)).toEqual([]);
    const named = [...new Set(preview.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template.spec.priorityClassName).filter(Boolean))];
    const environments = objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name);
    expect([named.length > 0, named.filter((n) => !environments.includes(n))]).toEqual([true, []]);
    classesBefore = await priorityClasses();
    expect(named.filter((n) => !classesBefore.some((c) => c.startsWith(`${n} `)))).toEqual([]);

    const started = Date.now();
    // The pipeline's step before the publish: the namespace, with the labels Argo CD gives it, and the
    // Secrets the preview reads, here the suite environment's.
    await apply([previewNamespace], PREVIEW_FIELD_MANAGER);
    await waitFor(`the default ServiceAccount of ${ns}`, async () => !!await api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`).catch(() => undefined), 30 * SECOND);
    const secrets = referencedSecrets(preview);
    expect(secrets).toEqual(expect.arrayContaining(['shop-app', 'shop-broker']));
    await apply(await copiedSecrets(api, secrets, NS, ns), PREVIEW_FIELD_MANAGER);
    // The ingress controller's part for the preview's Ingress too: Argo CD's Ingress health waits for its address.
    const clientIp = (await api.get(`/api/v1/namespaces/${INGRESS_NS}/pods/${CLIENT}`)).status.podIP;
    const previewIngress = new StandIns(api, [ns], clientIp);
    previewIngress.start();
    let published = '';
    let took = 0;
    try {
      // The pipeline's publish; then the ApplicationSet makes the Application, which syncs the folder.
      published = await previewCli('publish', PREVIEW_PR, delivery.repo, previews);
      await refreshApplicationSet(api, previewSet);
      await waitFor(`Application ${previewApp}`, async () => !!await delivery.argo.get(previewApp).catch(() => undefined), 2 * MINUTE, argocdLogTail);
      const app = await delivery.argo.get(previewApp);
      expect([app.spec.source.path, app.spec.destination.namespace, app.spec.source.repoURL]).toEqual([`previews/pr-${PREVIEW_PR}`, ns, delivery.repoUrl]);
      took = await waitForRender(ns, preview, 300 * SECOND);
      await delivery.argo.wait(previewApp, 'Synced and Healthy', syncedHealthy(), new Timeline(), 3 * MINUTE);
    } finally {
      await previewIngress.stop();
    }
    expect(previewIngress.log.filter((l) => l.includes('ingress controller stand-in'))).toHaveLength(1);
    const running = (await api.list(`/api/v1/namespaces/${ns}/pods`)).filter((p) => p.status.phase === 'Running');
    expect(running.every((p) => [NODE_A, NODE_B].includes(p.spec.nodeName))).toBe(true);
    expect(await priorityClasses()).toEqual(classesBefore);
    console.log(`preview: ${published.split('\n').pop()}; ${previewIngress.log.join('; ')}; Application ${previewApp} Synced and Healthy, ${ns} (secrets ${secrets.join(', ')}): ${running.length} pods Ready after ${(Date.now() - started) / SECOND} s (Deployments and Jobs ${took / SECOND} s); no cluster-scoped object, PriorityClasses ${named.join(', ')} the environment's`);
  });

  test('WHEN a pod in the ingress namespace calls the preview\'s edge Service with the preview\'s host THEN its backend answers', async () => {
    const target = edgeTarget(preview);
    expect(target.virtualHost).toBe(`pr-${PREVIEW_PR}.preview.shop.example.com`);
    const ns = previewNamespace!.metadata.name;
    for (const service of ['edge', 'backend']) {
      await waitFor(`the ${service} Service's endpoints in ${ns} ready`, async () => await readyEndpoints(service, ns) >= replicasOf(service, preview), 60 * SECOND);
    }
    const report = await new RequestLoop(INGRESS_NS, CLIENT, 'preview', target, { maxRequests: 10, maxSeconds: 20, intervalSeconds: 0.1, timeoutSeconds: 5 }).done;
    console.log(`preview edge: ${report.failed} failed requests of ${report.total} to ${target.host} with Host ${target.virtualHost}`);
    expect([report.total, report.failed, describeFailures(report)]).toEqual([10, 0, '']);
  });

  test('WHEN the pull request closes and the pipeline removes its folder THEN Argo CD deletes its Application and every object it deployed, the namespace goes, and the environment and its cluster-scoped objects stay as they were', async () => {
    const ns = previewNamespace!.metadata.name;
    const started = Date.now();
    const removed = await previewCli('remove', PREVIEW_PR, delivery.repo);
    await refreshApplicationSet(api, previewSet!);
    // The Application goes only after its finalizer has deleted what it deployed; checked, not assumed.
    await waitFor(`Application ${previewApp} deleted`, async () => !await delivery.argo.get(previewApp).catch(() => undefined), 3 * MINUTE, argocdLogTail);
    const left: string[] = [];
    for (const o of preview) {
      if ((await kubectl(['get', '-n', ns, o.kind, o.metadata.name, '-o', 'name'])).code === 0) left.push(objectKey(o));
    }
    expect(left).toEqual([]);
    // The namespace Argo CD does not delete (docs/RENDERING.md: the pipeline deletes it), with the Secrets it made there.
    await kubectlOk(['delete', 'namespace', ns, '--wait=true', '--timeout=180s']);
    const gone = await api.get(`/api/v1/namespaces/${ns}`).then(() => false, (e) => e instanceof ApiError && e.statusCode === 404);
    expect(gone).toBe(true);
    expect(await priorityClasses()).toEqual(classesBefore);
    await deploymentsReady(60 * SECOND);
    console.log(`preview pruned: ${removed.split('\n').pop()}; ${previewApp} and its objects deleted by Argo CD, ${ns} gone after ${(Date.now() - started) / SECOND} s; the PriorityClasses and ${NS} unchanged`);
  });
});

const PREVIEW_FIELD_MANAGER = 'shop-suite-preview';

/** Every PriorityClass of the cluster as `<name> <uid> <resourceVersion>`, sorted. */
async function priorityClasses(): Promise<string[]> {
  return (await api.list('/apis/scheduling.k8s.io/v1/priorityclasses'))
    .map((c) => `${c.metadata.name} ${c.metadata.uid} ${c.metadata.resourceVersion}`).sort();
}

/** Waits until every Deployment of a render is Available at its replicas and every Job succeeded; returns the time taken. */
async function waitForRender(namespace: string, render: KubeObject[], timeoutMs: number): Promise<number> {
  const deploymentNames = render.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
  const jobNames = render.filter((o) => o.kind === 'Job').map((o) => o.metadata.name);
  let state = '';
  return waitFor(`every Deployment of ${namespace} Available and every Job complete`, async () => {
    const ds: KubeObject[] = await api.list(`/apis/apps/v1/namespaces/${namespace}/deployments`);
    const done = (await api.list(`/apis/batch/v1/namespaces/${namespace}/jobs`)).filter((j) => j.status?.succeeded === 1).map((j) => j.metadata.name);
    const available = ds.filter((d) => d.status?.conditions?.some((c: any) => c.type === 'Available' && c.status === 'True')
      && (d.status?.readyReplicas ?? 0) >= replicasOf(d.metadata.name, render)).map((d) => d.metadata.name);
    state = `available: ${available.join(', ')}; Jobs succeeded: ${done.join(', ')}`;
    return deploymentNames.every((d) => available.includes(d)) && jobNames.every((j) => done.includes(j));
  }, timeoutMs, async () => `${state}\n${(await kubectl(['get', 'pods,deployments,jobs', '-n', namespace, '-o', 'wide'])).stdout}`, 2 * SECOND);
}

/** The long tasks of the "no task lost" test: each sleeps this long, well under the suite environment's time limit. */
const TASKS = 6;
const TASK_SECONDS = 8;
/** The round trips of the rollout: one every 200 ms, each request given 10 s, at most 3 minutes. */
const UPLOADS: LoopBounds = { maxRequests: 900, maxSeconds: 180, intervalSeconds: 0.2, timeoutSeconds: 10 };
const UPLOAD_BYTES = 256 * 1024;
const WORKER = 'worker-default';

describe('GIVEN the shop on the real nodes, WHEN its pods are killed, drained or replaced under work', () => {
  test('WHEN the worker pods are force-deleted and then a node is drained while long tasks run THEN every task sent completes (acks_late)', async () => {
    const visibility = Number(workerEnv(WORKER, 'CELERY_BROKER_VISIBILITY_TIMEOUT'));
    expect(visibility).toBeGreaterThan(TASK_SECONDS);
    const app = appContainer((await deploymentPods()).find((p) => componentOf(p) === 'backend')!);
    const batch = `lost-${Date.now()}`;
    const sent = await sendWork(app, batch, TASKS, TASK_SECONDS);

    // A kill: the tasks the workers were running were delivered but not acknowledged, so Redis hands them
    // out again once the visibility timeout has passed (acks_late); acknowledged early, they would be gone.
    const killed = await waitForWorkerRunning(sent, new Set());
    await kubectlOk(['delete', 'pod', '-n', NS, ...killed.map((p) => p.metadata.name), '--grace-period=0', '--force']);
    const killedAt = Date.now();
    // A drain: the eviction gives the replacement worker its grace period, and it finishes what it runs.
    const [replacement] = await waitForWorkerRunning(sent, new Set(killed.map((p) => p.metadata.name)));
    const drain = await kubectl(['drain', replacement.spec.nodeName, `--pod-selector=app.kubernetes.io/instance=${NS}`,
      '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=150s'], { timeoutMs: 170 * SECOND });
    try {
      expect([drain.code, drain.code === 0 ? '' : drain.stderr]).toEqual([0, '']);
      await deploymentsReady(150 * SECOND);
    } finally {
      await kubectlOk(['uncordon', replacement.spec.nodeName]);
    }
    // The drain evicts the backend pod on that node too, which may be the one the tasks were sent from:
    // the runs are read in a backend pod that runs now.
    const running = (await deploymentPods()).find((p) => componentOf(p) === 'backend' && isPodReady(p));
    if (!running) throw new Error(`no Ready backend pod after the drain\n${await describeNamespace()}`);
    const reader = appContainer(running);

    // The killed worker's tasks come back between the visibility timeout and 10 s later (the kit's restore
    // throttle), then run; the queue's rest runs meanwhile. Bounded: lost tasks never finish.
    const deadline = killedAt + (visibility + 10 + TASKS * TASK_SECONDS + 60) * SECOND;
    let tally = tallyTasks(sent, await finishedRuns(reader, batch));
    while (tally.lost.length > 0 && Date.now() < deadline) {
      await sleep(2 * SECOND);
      tally = tallyTasks(sent, await finishedRuns(reader, batch));
    }
    console.log(`tasks: ${tally.done} done, ${tally.lost.length} lost of ${tally.sent}`);
    console.log(`tasks: ${killed.length} worker pods force-deleted and ${replacement.spec.nodeName} drained; ${tally.redelivered} handed out `
      + `again by Redis, ${tally.ranTwice} finished twice; all done ${Math.round((Date.now() - killedAt) / SECOND)} s after the kill (visibility timeout ${visibility} s)`);
    expect(tally.lost).toEqual([]);
    // The kill hit tasks in flight: without one, nothing above would have been at risk.
    expect(tally.redelivered).toBeGreaterThan(0);
  }, 600 * SECOND);

  test('WHEN the backend and then the edge roll out while files are uploaded and downloaded through the edge THEN no round trip fails', async () => {
    const backend = (await deploymentPods()).find((p) => componentOf(p) === 'backend')!;
    const password = `shop-suite-${Date.now()}-not-a-real-password`;
    await createSuperuser(appContainer(backend), 'rollout', password);
    const { host, port, virtualHost } = edgeTarget();
    const loop = new UploadLoop(INGRESS_NS, CLIENT, 'rollout', { host, port, virtualHost, user: 'rollout', password, bytes: UPLOAD_BYTES }, UPLOADS);
    await sleep(2 * SECOND);
    try {
      for (const name of ['backend', 'edge']) {
        await kubectlOk(['rollout', 'restart', '-n', NS, `deployment/${name}`]);
        await kubectlOk(['rollout', 'status', '-n', NS, `deployment/${name}`, '--timeout=150s']);
        // rollout status returns while the old pods still run their preStop sleep; the loop must see them stop.
        await waitFor(`the old ${name} pods gone`, async () => (await pods()).every((p) => !p.metadata.deletionTimestamp), 120 * SECOND,
          async () => describeNamespace(), SECOND);
      }
    } catch (e) {
      await loop.stop(); // a failed rollout leaves no loop running
      throw e;
    }
    const report = await loop.stop();
    console.log(`rollout: ${report.failed} failed of ${report.total} upload-and-download round trips (5 requests each through the edge: `
      + `a ${UPLOAD_BYTES / 1024} KiB chunked upload, its registration, its download, sha256 compared)`);
    expect(report.ended).toBe('stop');
    expect([report.failed, describeFailures(report)]).toEqual([0, '']);
    expect(report.total).toBeGreaterThan(0);
  });
});

/** A backend pod's app container, where the suite runs the shop's Python. */
function appContainer(pod: KubeObject): AppContainer {
  return { namespace: NS, pod: pod.metadata.name, container: pod.spec.containers[0].name };
}

/** A variable the render gives the Deployment's first container. */
function workerEnv(deployment: string, name: string): string {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment);
  const value = d?.spec.template.spec.containers[0].env?.find((e: any) => e.name === name)?.value;
  if (value === undefined) throw new Error(`the render's Deployment ${deployment} has no ${name}`);
  return value;
}

/**
 * The running worker pods (other than those passed over) once one of them has logged receiving one of
 * the tasks: Celery logs `Task <name>[<id>] received` when a worker process is about to run it.
 */
async function waitForWorkerRunning(tasks: string[], passOver: Set<string>): Promise<KubeObject[]> {
  let workers: KubeObject[] = [];
  await waitFor(`a ${WORKER} pod running one of the tasks`, async () => {
    workers = (await deploymentPods()).filter((p) => componentOf(p) === WORKER && !passOver.has(p.metadata.name) && isPodReady(p));
    for (const w of workers) {
      const logs = (await kubectl(['logs', '-n', NS, w.metadata.name], { timeoutMs: 30 * SECOND })).stdout;
      if (tasks.some((id) => logs.includes(`shop.tasks.work[${id}] received`))) return true;
    }
    return false;
  }, 180 * SECOND, async () => describeNamespace(), SECOND);
  return workers;
}
