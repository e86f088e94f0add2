// Picvario's render on the two real nodes: its suites' environment (src/picvario/environments.ts,
// SUITE: production's shape, rendered by the same code as test, staging and production, with its
// external services on test hosts), published to a rendered branch and synced by the real Argo CD,
// unchanged. Its images are built here (docs/IMAGES.md): the backend is the reference app's
// django-tenants flavour under Picvario's module names, the frontend a Nuxt app, Logstash and
// Grafana stand-ins that answer the same ports and probes. The External Secrets Operator is played by
// the suite's stand-in (stand-ins.ts), from a vault holding the test hosts' addresses and passwords.
//
// It runs in the shop suite's jest run, after shop.cluster.ts and bakery.cluster.ts (test.sh,
// sequencer.js), inside hack/control-plane/shop-hosts.sh, which serves PostgreSQL (database
// "picvario"), Redis (its cache), S3 (its buckets) and RabbitMQ (its broker) on 203.0.113.10-13.
// Every connection is to a pod, Service or test host of this run; every wait is bounded.
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appState, MINUTE } from './argocd';
import { drainUnderLoad } from './disruption';
import { ReplicaWatch, scaledObjectState } from './keda';
import { Api, isPodReady, kubectl, kubectlOk, KubeObject, requireEnv, run, sleep, waitFor } from './kube';
import { EnvironmentRender, RenderedBranchDelivery } from './rendered-branch';
import { describeFailures, LoopBounds, LoopTarget, loopClientPod, RequestLoop } from './request-loop';
import { installExternalSecretsCrds, StandIns } from './stand-ins';
import { describeMismatches, modelFlows, otherNamespacePods, planProbes, runProbes } from './traffic-probe';
import { SUITE } from '../../src/picvario/environments';
import { picvarioApp } from '../../src/picvario/main';

const SECOND = 1000;
const REPO = path.resolve(__dirname, '../..');
const NS = SUITE.namespace;
const INGRESS_NS = SUITE.ingress.namespace;
const FIELD_MANAGER = 'picvario-suite';
const APP_UID = '10001';
/** The pod in the ingress namespace (the render's ingress source) that sends the requests through the edge. */
const CLIENT = 'picvario-client';
const REGISTRY = requireEnv('CP_REGISTRY');
const [NODE_A, NODE_B] = requireEnv('CP_NODES').split(' ');
/** What the platform's secret store holds for the suite environment, by the key of each ExternalSecret item. */
const VAULT: Record<string, string> = {
  'database-url': requireEnv('PICVARIO_DATABASE_URL'),
  'broker-url': requireEnv('PICVARIO_BROKER_URL'),
  'cache-url': requireEnv('PICVARIO_CACHE_URL'),
  's3-access-key': requireEnv('SHOP_S3_ACCESS_KEY'),
  's3-secret-key': requireEnv('SHOP_S3_SECRET_KEY'),
  'secret-key': `picvario-suite-${Date.now()}-not-a-real-secret`,
};
/** The buckets shop-hosts.sh made for Picvario on the S3 test host. */
const S3_BUCKETS = requireEnv('PICVARIO_S3_BUCKETS').split(' ');
/** The tenants the suite creates, each at its own host. */
const TENANTS = ['alpha', 'beta'];
const tenantHost = (schema: string) => `${schema}.${SUITE.host}`;
// The request loops through the edge during the drains and the rollout: about 10 requests a second,
// bounded. A request fails when it errors or has no answer within 10 s: a dropped connection, a refused one, a 5xx or
// an endpoint that no longer answers. Not a slow answer: with 2 s, one of 343 requests of Picvario's drain
// timed out in a cold CI run (TimeoutError, the run's only failure); speed is not what these tests measure.
const LOAD: LoopBounds = { maxRequests: 1800, maxSeconds: 180, intervalSeconds: 0.1, timeoutSeconds: 10 };

/** Picvario's delivery: the suite environment alone, rendered by picvarioApp() with its Argo CD folder. */
class PicvarioDelivery extends RenderedBranchDelivery {
  constructor(api: Api, tmp: string) {
    super(api, tmp, 'picvario');
  }

  render(name: string): EnvironmentRender {
    return this.renderWith(name, (dir) => picvarioApp(dir, [SUITE], this.repoUrl).synth());
  }
}

let api: Api;
let tmp = '';
let delivery: PicvarioDelivery;
let base: EnvironmentRender;
let objects: KubeObject[] = [];
let standIns: StandIns | undefined;

const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);

async function apply(items: KubeObject[]): Promise<void> {
  await kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], items.map((o) => JSON.stringify(o)).join('\n'));
}

async function describeNamespace(): Promise<string> {
  return (await kubectl(['get', 'pods,deployments,jobs', '-n', NS, '-o', 'wide'])).stdout
    + (await kubectl(['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'])).stdout.split('\n').slice(-40).join('\n');
}

/** The replicas a Deployment settles at: its autoscaler's minimum, or its own. */
function replicasOf(deployment: KubeObject): number {
  const name = deployment.metadata.name;
  const hpa = ofKind('HorizontalPodAutoscaler').find((o) => o.spec.scaleTargetRef.name === name);
  const scaledObject = ofKind('ScaledObject').find((o) => o.spec.scaleTargetRef.name === name);
  if (hpa) return hpa.spec.minReplicas;
  if (scaledObject) return scaledObject.spec.minReplicaCount ?? 0;
  return deployment.spec.replicas ?? 1;
}

async function deploymentPods(): Promise<KubeObject[]> {
  const ownerKind = (p: KubeObject) => (p.metadata.ownerReferences as { kind: string }[] | undefined)?.[0]?.kind;
  return (await api.list(`/api/v1/namespaces/${NS}/pods`)).filter((p: KubeObject) => ownerKind(p) === 'ReplicaSet' && !p.metadata.deletionTimestamp);
}

/** A Ready backend pod, to run the app's management commands in. */
async function backendPod(): Promise<KubeObject> {
  const pod = (await deploymentPods()).find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'backend' && isPodReady(p));
  if (!pod) throw new Error(`no Ready backend pod in ${NS}\n${await describeNamespace()}`);
  return pod;
}

async function inBackend(command: string[], what: string, timeoutMs = 120 * SECOND): Promise<string> {
  const pod = await backendPod();
  const r = await kubectl(['exec', '-n', NS, pod.metadata.name, '-c', pod.spec.containers[0].name, '--', ...command], { timeoutMs });
  if (r.code !== 0) throw new Error(`${what} in ${NS}/${pod.metadata.name} failed (exit ${r.code}):\n${r.stdout.slice(-1000)}\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** One request through the edge Service from the client pod (in the ingress namespace): status and body. */
async function throughEdge(urlPath: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const edge = ofKind('Service').find((o) => o.metadata.name === 'edge');
  if (!edge) throw new Error('the render has no edge Service');
  const got = await kubectl(['exec', '-n', INGRESS_NS, CLIENT, '-c', 'main', '--', 'python', '-c', [
    'import http.client, json, sys',
    `c = http.client.HTTPConnection("edge.${NS}.svc.cluster.local", ${edge.spec.ports[0].port}, timeout=10)`,
    'c.request("GET", sys.argv[1], headers=json.loads(sys.argv[2]))',
    'r = c.getresponse()',
    'print(json.dumps({"status": r.status, "body": r.read().decode("utf-8", "replace")[:4000]}))',
  ].join('\n'), urlPath, JSON.stringify({ Host: host, ...headers })], { timeoutMs: 30 * SECOND });
  if (got.code !== 0) throw new Error(`GET ${urlPath} (Host ${host}) through the edge failed in ${CLIENT} (exit ${got.code}): ${got.stderr}`);
  return JSON.parse(got.stdout);
}

/** Picvario's backend image, which the suite's own pods use too: it has Python and bash. */
function backendImage(): string {
  return ofKind('Deployment').find((d) => d.metadata.name === 'backend')!.spec.template.spec.containers[0].image;
}

/** The migrate Job as it is now: its uid (a new one each sync: the hook is recreated) and whether it succeeded. */
async function migrateJob(): Promise<{ uid: string; succeeded: boolean } | undefined> {
  const jobs: KubeObject[] = await api.list(`/apis/batch/v1/namespaces/${NS}/jobs`);
  const job = jobs.find((j) => j.metadata.name === 'migrate');
  return job && { uid: job.metadata.uid as string, succeeded: job.status?.succeeded === 1 };
}

beforeAll(() => {
  api = new Api();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'picvario-suite-'));
  delivery = new PicvarioDelivery(api, tmp);
  base = delivery.render('base');
  objects = base.objects;
}, 60 * SECOND);

afterAll(async () => {
  await standIns?.stop();
  api?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("GIVEN Picvario's suites' environment, rendered by Picvario's code, and its test hosts", () => {
  test('WHEN it is published to the rendered branch and Argo CD syncs it THEN every Deployment is Available, every Job completes, and Argo CD reports Synced and Healthy', async () => {
    const buckets = new Set(ofKind('Deployment').flatMap((d) => d.spec.template.spec.containers).flatMap((c: any) => c.env ?? [])
      .filter((e: any) => ['AWS_STORAGE_BUCKET_NAME', 'DJANGO_STATIC_BUCKET'].includes(e.name)).map((e: any) => e.value));
    expect([...buckets].filter((b) => !S3_BUCKETS.includes(b))).toEqual([]);

    // The images the render names, pushed to the registry every node mirrors their hosts to.
    const pushed = await run('bash', [path.join(REPO, 'hack/images/push.sh'), REGISTRY, base.dir], { timeoutMs: 600 * SECOND });
    expect([pushed.code, pushed.code === 0 ? '' : pushed.stderr.slice(-3000)]).toEqual([0, '']);

    // The platform: the External Secrets Operator's CRDs (the stand-in plays the operator, from a vault
    // that holds the test hosts' credentials; the keys nothing here connects with get placeholders).
    await installExternalSecretsCrds(api, FIELD_MANAGER);
    await apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: INGRESS_NS } }]);
    await waitFor('the ingress namespace\'s default ServiceAccount', () => api.get(`/api/v1/namespaces/${INGRESS_NS}/serviceaccounts/default`).then(() => true, () => false), 30 * SECOND);
    await apply([loopClientPod(CLIENT, INGRESS_NS, backendImage(), Number(APP_UID))]);
    let clientIp = '';
    await waitFor('the client pod\'s address', async () => {
      clientIp = (await api.get(`/api/v1/namespaces/${INGRESS_NS}/pods/${CLIENT}`)).status?.podIP ?? '';
      return clientIp !== '';
    }, 120 * SECOND);
    // What the platform provisions with the broker: the vhost and user (shop-hosts.sh), and the queues
    // the workers declare when they start, which KEDA's RabbitMQ trigger needs before any worker runs
    // (it fails on a queue that does not exist). Declared from the client pod, with the app's kombu.
    const queues = ofKind('ScaledObject').map((o) => o.spec.triggers[0].metadata.queueName as string).sort();
    const declared = await kubectl(['exec', '-n', INGRESS_NS, CLIENT, '-c', 'main', '--', 'python', '-c', [
      'import sys',
      'from kombu import Connection',
      'with Connection(sys.argv[1], connect_timeout=10) as c:',
      '    for q in sys.argv[2:]: c.default_channel.queue_declare(q, durable=True, auto_delete=False)',
    ].join('\n'), VAULT['broker-url'], ...queues], { timeoutMs: 60 * SECOND });
    expect([declared.code, declared.stderr.slice(-1000)]).toEqual([0, '']);
    standIns = new StandIns(api, [NS], clientIp);
    const externalSecrets = ofKind('ExternalSecret');
    expect(externalSecrets.length).toBeGreaterThan(0);
    for (const es of externalSecrets) {
      for (const item of es.spec.data) {
        const props = standIns.vault.get(item.remoteRef.key) ?? {};
        props[item.remoteRef.property] = VAULT[item.secretKey] ?? `picvario-suite-${item.secretKey}`;
        standIns.vault.set(item.remoteRef.key, props);
      }
    }
    standIns.start();

    const deployments = ofKind('Deployment');
    const jobs = ofKind('Job').map((o) => o.metadata.name).sort();
    expect(jobs).toEqual(['collectstatic', 'migrate']);
    const started = Date.now();
    const commit = await delivery.publish(base);
    const bootstrap = await delivery.bootstrap();
    let state = '';
    await waitFor('every Deployment Available at the replicas its autoscaler keeps, and every Job complete', async () => {
      const live: KubeObject[] = await api.list(`/apis/apps/v1/namespaces/${NS}/deployments`).catch(() => []);
      const done = (await api.list(`/apis/batch/v1/namespaces/${NS}/jobs`).catch(() => [])).filter((j: KubeObject) => j.status?.succeeded === 1);
      const available = deployments.filter((want) => {
        const d = live.find((l) => l.metadata.name === want.metadata.name);
        return d?.status?.conditions?.some((c: any) => c.type === 'Available' && c.status === 'True')
          && [d.spec.replicas, d.status?.replicas ?? 0, d.status?.readyReplicas ?? 0].every((n) => n === replicasOf(want));
      });
      state = `available: ${available.map((d) => d.metadata.name).join(', ')}; Jobs succeeded: ${done.map((j: KubeObject) => j.metadata.name).join(', ')}`;
      return available.length === deployments.length && jobs.every((j) => done.some((d: KubeObject) => d.metadata.name === j));
    }, 600 * SECOND, async () => `${state}\n${await delivery.argo.get(delivery.envApp).then(appState, (e) => `${delivery.envApp}: ${e}`)}\n${await describeNamespace()}`, 2 * SECOND);
    const took = (Date.now() - started) / SECOND;
    await delivery.waitSyncedHealthy(commit, 3 * MINUTE);

    const running = await deploymentPods();
    expect(running.every(isPodReady)).toBe(true);
    const nodes = new Set(running.map((p) => p.spec.nodeName));
    expect([...nodes].sort()).toEqual([NODE_A, NODE_B].sort());
    const app = await delivery.argo.get(delivery.envApp);
    const autoscalers = (app.status.resources ?? []).filter((r: any) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(r.kind))
      .map((r: any) => `${r.kind}/${r.name}: ${r.health?.status}`).sort();
    expect(autoscalers).toEqual([...ofKind('HorizontalPodAutoscaler'), ...ofKind('ScaledObject')].map((o) => `${o.kind}/${o.metadata.name}: Healthy`).sort());
    console.log(`picvario: Argo CD: bootstrap ${bootstrap.trim().split('\n').join('; ')}; ${delivery.envApp} ${appState(app)} at ${commit.slice(0, 7)}`);
    console.log(`picvario: RabbitMQ: queues declared before the first sync: ${queues.join(', ')}`);
    console.log(`picvario: stand-ins: ${standIns.log.join('; ')}`);
    console.log(`picvario: real-node: ${running.length} pods Ready on ${nodes.size} nodes`);
    console.log(`picvario: time to Ready: ${took} s`);
  });

  test('THEN no container has restarted, and every container runs as uid 10001 on a read-only root, checked from inside', async () => {
    const pods = await deploymentPods();
    const restarts = pods.flatMap((p) => (p.status.containerStatuses ?? []).filter((c: any) => c.restartCount > 0).map((c: any) => `${p.metadata.name}/${c.name}: ${c.restartCount}`));
    expect(restarts).toEqual([]);
    const seen = new Set<string>();
    for (const p of pods) {
      for (const c of p.spec.containers) {
        const id = await kubectl(['exec', '-n', NS, p.metadata.name, '-c', c.name, '--', 'id', '-u'], { timeoutMs: 30 * SECOND });
        expect([p.metadata.name, c.name, id.stdout.trim()]).toEqual([p.metadata.name, c.name, APP_UID]);
        const write = await kubectl(['exec', '-n', NS, p.metadata.name, '-c', c.name, '--', 'touch', '/written-by-the-suite'], { timeoutMs: 30 * SECOND });
        expect([p.metadata.name, c.name, write.code]).not.toEqual([p.metadata.name, c.name, 0]);
        seen.add(p.metadata.labels?.['app.kubernetes.io/component'] ?? p.metadata.name);
      }
    }
    console.log(`picvario: uid ${APP_UID} and a read-only root in ${pods.length} pods (${[...seen].sort().join(', ')})`);
  });

  test('WHEN every flow of the traffic model is attempted from the pods THEN each is allowed or denied as the model says', async () => {
    // Pods labelled like another environment's, in a namespace labelled like its: the model denies them both ways.
    const flows = modelFlows(base.envDir, SUITE.name, objects);
    const others = otherNamespacePods(flows, backendImage(), Number(APP_UID));
    await apply(others);
    for (const pod of others.filter((o) => o.kind === 'Pod')) {
      await waitFor(`${pod.metadata.namespace}/${pod.metadata.name} Ready`,
        async () => isPodReady(await api.get(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`)), 120 * SECOND);
    }
    const otherNamespace = others.find((o) => o.kind === 'Namespace')?.metadata.name;
    const running = [...await api.list(`/api/v1/namespaces/${NS}/pods`), ...await api.list('/api/v1/namespaces/kube-system/pods'),
      ...otherNamespace ? await api.list(`/api/v1/namespaces/${otherNamespace}/pods`) : []];
    const plan = planProbes(flows, running, { [INGRESS_NS]: CLIENT });
    const results = await runProbes(plan.probes);
    const mismatches = describeMismatches(results);
    const allowed = results.filter((r) => r.flow.expected === 'allow').length;
    console.log(`picvario: traffic probed: ${results.length} flows, ${mismatches.length} mismatches`);
    console.log(`picvario: traffic: ${allowed} allowed and ${results.length - allowed} denied as intended; not probed: ${
      Object.entries(plan.skipped).map(([why, n]) => `${n} ${why}`).join(', ')}`);
    expect(mismatches).toEqual([]);
    expect([allowed > 0, results.length - allowed > 0]).toEqual([true, true]);
  });

  test('THEN the edge serves the frontend, and the statics that collectstatic put in the bucket', async () => {
    const page = await throughEdge('/', SUITE.host);
    expect([page.status, page.body.includes('Picvario')]).toEqual([200, true]);
    const css = await throughEdge('/static/admin/css/base.css', SUITE.host);
    expect([css.status, css.body.length > 100]).toEqual([200, true]);
    console.log(`picvario: edge: / ${page.status} (the Nuxt page), /static/admin/css/base.css ${css.status} from ${SUITE.s3.staticBucket}`);
  });

  test('WHEN two tenants are added and Argo CD syncs again THEN the migrate Job migrates both schemas, and each tenant\'s host sees only its own data', async () => {
    // The tenants with empty schemas, as a signup flow would leave them before their migration.
    await inBackend(['python', 'manage.py', 'shell', '-c', [
      'from django.db import connection',
      'from tenants.models import Client, Domain',
      `for schema in ${JSON.stringify(TENANTS)}:`,
      '    tenant = Client.objects.create(schema_name=schema, name=schema.title())',
      "    connection.cursor().execute(f'CREATE SCHEMA {schema}')",
      `    Domain.objects.create(domain=f"{schema}.${SUITE.host}", tenant=tenant, is_primary=True)`,
    ].join('\n')], 'creating the tenants');
    const before = await migrateJob();
    await delivery.argo.syncNow(delivery.envApp);
    await waitFor('the migrate Job of the new sync to complete', async () => {
      const now = await migrateJob();
      return !!now && now.uid !== before?.uid && now.succeeded;
    }, 5 * MINUTE, describeNamespace, 2 * SECOND);
    const logs = (await kubectl(['logs', '-n', NS, 'job/migrate', '-c', 'migrate-tenants', '--tail=-1'], { timeoutMs: 30 * SECOND })).stdout;
    // django-tenants prefixes each line with the schema ("[1/2 (50%) standard:alpha]   Applying ...").
    const unmigrated = TENANTS.filter((schema) => !new RegExp(`standard:${schema}\\]\\s+Applying shop\\.0001_initial\\.\\.\\. OK`).test(logs));
    expect([unmigrated, unmigrated.length ? logs.slice(-3000) : '']).toEqual([[], '']);

    const auth = (schema: string) => `Basic ${Buffer.from(`user-${schema}:pw-${schema}-suite`).toString('base64')}`;
    for (const schema of TENANTS) {
      await inBackend(['env', `DJANGO_SUPERUSER_PASSWORD=pw-${schema}-suite`, 'python', 'manage.py', 'tenant_command', 'createsuperuser',
        `--schema=${schema}`, '--noinput', '--username', `user-${schema}`, '--email', `user@${schema}.example.com`], `createsuperuser in ${schema}`);
    }
    const answers: string[] = [];
    for (const host of TENANTS) {
      for (const user of TENANTS) {
        const r = await throughEdge('/api/assets/', tenantHost(host), { Authorization: auth(user) });
        answers.push(`${user}@${host}: ${r.status}`);
      }
    }
    expect(answers).toEqual(TENANTS.flatMap((host) => TENANTS.map((user) => `${user}@${host}: ${user === host ? 200 : 401}`)));
    console.log(`picvario: tenants: migrate_schemas --tenant migrated ${TENANTS.join(', ')} in the sync's Job; through the edge, each tenant's user is known on its own host only (${answers.join(', ')})`);
  });

  test('WHEN tasks are queued on an idle queue THEN KEDA scales its workers 0 -> N -> 0 on RabbitMQ, and every task runs', async () => {
    const worker = 'worker-export';
    const scaledObject = ofKind('ScaledObject').find((o) => o.spec.scaleTargetRef.name === worker)!;
    expect([scaledObject.spec.minReplicaCount, scaledObject.spec.triggers[0].type]).toEqual([0, 'rabbitmq']);
    const cooldown = scaledObject.spec.cooldownPeriod as number;
    const polling = (scaledObject.spec.pollingInterval ?? 30) as number;
    // Two replicas' worth at the trigger's target (tasks per replica).
    const count = 2 * Number(scaledObject.spec.triggers[0].metadata.value);
    const watch = new ReplicaWatch(api, [`${NS}/${worker}`]);
    watch.start();
    const ran = new Set<string>();
    let ranTook = 0;
    let backTook = 0;
    try {
      const ids = (await inBackend(['python', '-c', [
        'from picvario.celery import app',
        `for i in range(${count}): print(app.send_task("shop.tasks.monthly_report", args=[f"suite-{i}"], queue="export").id)`,
      ].join('\n')], 'queueing the tasks')).trim().split('\n');
      expect(ids.length).toBe(count);
      const selector = Object.entries(ofKind('Deployment').find((d) => d.metadata.name === worker)!.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
      ranTook = await waitFor(`${worker} pods to run all ${count} tasks`, async () => {
        const logs = await kubectl(['logs', '-n', NS, '-l', selector, '--tail=-1', '--max-log-requests=10'], { timeoutMs: 30 * SECOND });
        for (const m of logs.stdout.matchAll(/shop\.tasks\.monthly_report\[([0-9a-f-]{36})\] succeeded/g)) ran.add(m[1]);
        return ids.every((id) => ran.has(id));
      }, 240 * SECOND, async () => `${ran.size} of ${count} ran\n${watch.report()}\n${await scaledObjectState(api, NS, worker)}`, 2 * SECOND);
      backTook = await waitFor(`${worker} back at 0 replicas`, async () => {
        const d = await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/${worker}`);
        return d.spec.replicas === 0 && (d.status?.replicas ?? 0) === 0;
      }, (cooldown + 3 * polling + 60) * SECOND, async () => `${watch.report()}\n${await scaledObjectState(api, NS, worker)}`, SECOND);
    } finally {
      await watch.stop();
    }
    const peak = watch.max.get(`${NS}/${worker}`)!;
    expect(peak).toBeGreaterThan(0);
    console.log(`picvario: KEDA rabbitmq: ${count} tasks on queue export, 0 -> ${peak} worker pods, all run after ${(ranTook / SECOND).toFixed(1)} s; `
      + `back to 0 ${(backTook / SECOND).toFixed(1)} s later (cooldownPeriod ${cooldown}, pollingInterval ${polling})`);
  });
});

describe('GIVEN Picvario on the real nodes, with its first tenant, WHEN its nodes are drained and its web components roll out under requests', () => {
  /** The first tenant's index through the edge Service: the edge, the backend and the tenant's database. */
  function edgeTarget(): LoopTarget {
    const edge = ofKind('Service').find((o) => o.metadata.name === 'edge');
    if (!edge) throw new Error('the render has no edge Service');
    return { host: `edge.${NS}.svc.cluster.local`, port: edge.spec.ports[0].port, virtualHost: tenantHost(TENANTS[0]), path: '/api/', expectBody: 'shop' };
  }

  test('WHEN each node in turn is drained while requests go through the edge THEN no request fails and no budget is broken', async () => {
    // Production's shape: a required zone spread with one node per zone. The spread honours the cordon
    // (nodeTaintsPolicy: Honor), so the first drain moves every replica to the other zone; the second
    // then finds both replicas of each web component on one node, and only the budgets keep it from
    // evicting them at once.
    const instance = ofKind('Deployment').find((d) => d.metadata.name === 'backend')!.spec.template.metadata.labels['app.kubernetes.io/instance'];
    const loop = new RequestLoop(INGRESS_NS, CLIENT, 'drain', edgeTarget(), LOAD);
    // Only Picvario's pods: the shop's, the harness's CoreDNS and the client are not under test.
    const app = { api, namespace: NS, podSelector: `app.kubernetes.io/instance=${instance}`, components: ['backend', 'edge', 'frontend'], pods: deploymentPods, describe: describeNamespace };
    const { stranded, violations, report } = await drainUnderLoad(app, [NODE_A, NODE_B], loop);
    console.log(`picvario: drain: ${report.failed} failed requests of ${report.total}, ${violations.length} PDB violations`);
    expect(stranded).toEqual([]);
    expect(report.ended).toBe('stop');
    expect([report.failed, describeFailures(report)]).toEqual([0, '']);
    expect(violations).toEqual([]);
  });

  test('WHEN the backend and then the edge roll out while requests go through the edge THEN no request fails', async () => {
    const loop = new RequestLoop(INGRESS_NS, CLIENT, 'rollout', edgeTarget(), LOAD);
    await sleep(2 * SECOND);
    try {
      for (const name of ['backend', 'edge']) {
        await kubectlOk(['rollout', 'restart', '-n', NS, `deployment/${name}`]);
        await kubectlOk(['rollout', 'status', '-n', NS, `deployment/${name}`, '--timeout=150s']);
        // rollout status returns while the old pods still run their preStop sleep; the loop must see them stop.
        await waitFor(`the old ${name} pods gone`, async () => (await api.list(`/api/v1/namespaces/${NS}/pods`)).every((p: KubeObject) => !p.metadata.deletionTimestamp),
          120 * SECOND, describeNamespace, SECOND);
      }
    } catch (e) {
      await loop.stop(); // a failed rollout leaves no loop running
      throw e;
    }
    const report = await loop.stop();
    console.log(`picvario: rollout: ${report.failed} failed requests of ${report.total}`);
    expect(report.ended).toBe('stop');
    expect([report.failed, describeFailures(report)]).toEqual([0, '']);
    expect(report.total).toBeGreaterThan(0);
  });
});
