// A compose fixture deployed on the two real nodes the way a team deploys it after `k8s-topology import`:
// the CLI imports it into a folder of its own; main.ts gets the edits MIGRATION.md asks for, pointed at
// the shop suite's test hosts (test/compose/test-hosts.ts: never an edit of the rendered YAML);
// `k8s-topology render` renders it; its image (hack/images/defs/, the fixture's build context) is pushed
// under the reference the render names; its Secrets are created and it is applied unchanged. Then its
// backend must answer from its database through its edge, and its statics come from the statics bucket.
//
// The cluster files of the fixtures (bakery.cluster.ts, recipes.cluster.ts, devstack.cluster.ts,
// newsroom.cluster.ts, mediahub.cluster.ts) run in the
// shop suite's jest run, after shop.cluster.ts (test.sh, sequencer.js), inside hack/control-plane/shop-hosts.sh,
// which serves PostgreSQL (a database per fixture), Redis and S3 (a fixture's buckets) on 203.0.113.10-12,
// RabbitMQ (a vhost per app) on .13, MariaDB on .16 and a Redis with a password on .17. The
// import's placeholder addresses are in 192.0.2.0/24, this machine's own network: the render, the
// Secrets and every NetworkPolicy are checked to name none of them before anything is applied. Every
// wait is bounded.
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Api, isPodReady, kubectl, kubectlOk, KubeObject, parseYamlObjects, requireEnv, run, waitFor } from './kube';
import { loadEnvironments } from './render';
import { loopClientPod } from './request-loop';
import { secretKeysRead } from './stand-ins';
import { edgeRoutesTo, websocketEcho } from './websocket';
import { FIXTURE_TEST_HOSTS, placeholdersIn, pointAtTestHosts, SuiteHosts, TestHost } from '../compose/test-hosts';

const SECOND = 1000;
const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'lib/cli/main.js');
const PACKAGE = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).name as string;
const INGRESS_NS = 'ingress-nginx';
const APP_UID = 10001;
const CRDS_DIR = path.resolve(REPO, process.env.CRDS_DIR ?? '../shared/crds');
const KEDA_CRDS = 'keda-v2.20.2';

/** The shop suite's test hosts, from the variables shop-hosts.sh exports. */
export interface TestHostVariables {
  readonly databaseUrl: string;
  readonly redisAddress: string;
  /** The password of that Redis, for a fixture whose Redis has one. */
  readonly redisPassword?: string;
  readonly s3Endpoint: string;
  readonly s3AccessKey: string;
  readonly s3SecretKey: string;
  /** The fixture's buckets made on the S3 test host. */
  readonly buckets: string[];
  /** The URL of the fixture's RabbitMQ vhost, for a fixture whose broker is RabbitMQ. */
  readonly brokerUrl?: string;
}

/** What a fixture's cluster file checks of its deployment. */
export interface ComposeFixtureOnNodes {
  /** The fixture under test/compose/fixtures/, also the app's name and namespace. */
  readonly fixture: keyof typeof FIXTURE_TEST_HOSTS;
  /** Its database URL variable of shop-hosts.sh (BAKERY_DATABASE_URL). */
  readonly databaseUrlVariable: string;
  /** Its buckets variable of shop-hosts.sh (BAKERY_S3_BUCKETS). */
  readonly bucketsVariable: string;
  /**
   * Its RabbitMQ URL variable of shop-hosts.sh (DEVSTACK_BROKER_URL), for a fixture whose broker is RabbitMQ.
   * @default - none: the broker is the Redis test host
   */
  readonly brokerUrlVariable?: string;
  /**
   * Its Redis address variable of shop-hosts.sh, `host:port` (NEWSROOM_REDIS_ADDRESS), and the variable of
   * that Redis's password, for a fixture whose Redis has one.
   * @default - SHOP_REDIS_ADDRESS, without a password
   */
  readonly redis?: { readonly addressVariable: string; readonly passwordVariable: string };
  /**
   * The ConfigMaps MIGRATION.md asks to create (compose `configs` the pods mount): name, then each key and
   * the file of the fixture it holds.
   * @default - none
   */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Labels the suite puts on both nodes before the apply, as MIGRATION.md asks (compose's placement
   * constraints became a nodeSelector), and takes off afterwards.
   * @default - none
   */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /**
   * Deployments the suite's nodes cannot run, each with the scheduler's reason: their pods must stay
   * Pending, unschedulable for that reason, while every other Deployment becomes Available.
   * @default - none: every Deployment must become Available
   */
  readonly unschedulable?: Readonly<Record<string, RegExp>>;
  /**
   * The value of every Secret key the render's pods and KEDA read, `<secret>/<key>`: the keys of
   * MIGRATION.md's "Secrets to create", with the test hosts' values. The test fails on a key the render
   * reads that is not here, and on one here that it does not read.
   */
  readonly secretValues: (hosts: TestHostVariables) => Record<string, string>;
  /** The render's Jobs, which must complete. */
  readonly jobs: string[];
  /**
   * The host the suite's requests through the edge name: a tenant's domain, for an app that picks its
   * tenant by the host (django-tenants).
   * @default - the Ingress's first host
   */
  readonly host?: string;
  /** The readiness path of the backend, whose JSON `checks.database.status` must be `ok`. */
  readonly healthPath: string;
  /** A page of the app that lists what its migration wrote, and that text. */
  readonly page: { readonly path: string; readonly body: string };
  /** One of the app's static files: its URL under /static/ and its file in the fixture. */
  readonly staticFile: { readonly url: string; readonly source: string };
  /**
   * A page of the app's frontend that the edge serves from it, and a text its HTML holds.
   * @default - the app has no frontend
   */
  readonly frontendPage?: { readonly path: string; readonly contains: string };
  /**
   * A websocket the edge must pass to a web service: the path it is opened on and the Deployment that
   * must accept it (through the edge Service, from the client pod; test/cluster/websocket.ts). The
   * Deployment is checked by its log, in daphne's access-log form (`"WSCONNECT <path>"`): a web service
   * on another server needs its own form here.
   * @default - the app serves no websocket
   */
  readonly websocket?: { readonly path: string; readonly deployment: string };
  /**
   * A Celery task the app's worker must run: `send` is Python that `manage.py shell -c` runs in a backend
   * pod to enqueue it, and the page, once the worker ran it, shows `body`.
   * @default - none: the workers are only checked Available
   */
  readonly task?: { readonly send: string; readonly page: { readonly path: string; readonly body: string } };
  /**
   * The import's Flower: the `user:password` its Secret key holds (also in `secretValues`). The edge must
   * ask for them under /flower/, and Flower, once they are given, must list the workers it reached
   * through the broker.
   * @default - the app has no Flower
   */
  readonly flower?: { readonly credentials: string };
}

/** The jest tests of one compose fixture on the real nodes. */
export function describeComposeFixture(spec: ComposeFixtureOnNodes): void {
  const NS = spec.fixture;
  const FIXTURE = path.join(REPO, 'test/compose/fixtures', spec.fixture);
  const CLIENT = `${spec.fixture}-client`;
  const FIELD_MANAGER = `${spec.fixture}-suite`;
  const [NODE_A, NODE_B] = requireEnv('CP_NODES').split(' ');
  const REGISTRY = requireEnv('CP_REGISTRY');
  const redisAddress = requireEnv(spec.redis?.addressVariable ?? 'SHOP_REDIS_ADDRESS');
  const variables: TestHostVariables = {
    databaseUrl: requireEnv(spec.databaseUrlVariable),
    redisAddress,
    redisPassword: spec.redis ? requireEnv(spec.redis.passwordVariable) : undefined,
    s3Endpoint: requireEnv('SHOP_S3_ENDPOINT'),
    s3AccessKey: requireEnv('SHOP_S3_ACCESS_KEY'),
    s3SecretKey: requireEnv('SHOP_S3_SECRET_KEY'),
    buckets: requireEnv(spec.bucketsVariable).split(' '),
    brokerUrl: spec.brokerUrlVariable ? requireEnv(spec.brokerUrlVariable) : undefined,
  };
  const hostOf = (url: string): TestHost => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });
  const suiteHosts: SuiteHosts = {
    database: hostOf(variables.databaseUrl),
    redis: { host: redisAddress.replace(/^.*@/, '').split(':')[0], port: Number(redisAddress.split(':').pop()) },
    rabbitmq: variables.brokerUrl ? hostOf(variables.brokerUrl) : undefined,
    s3Endpoint: variables.s3Endpoint,
  };
  const testHosts = FIXTURE_TEST_HOSTS[spec.fixture](suiteHosts);

  let api: Api;
  let work = '';
  let objects: KubeObject[] = [];
  let podsReady = 0;

  const apply = async (items: KubeObject[]) => {
    await kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], items.map((o) => JSON.stringify(o)).join('\n'));
  };

  const describeNamespace = async () => (await kubectl(['get', 'pods,deployments,jobs', '-n', NS, '-o', 'wide'])).stdout
    + (await kubectl(['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'])).stdout.split('\n').slice(-30).join('\n');

  const cli = async (args: string[], cwd: string) => {
    const r = await run('node', [CLI, ...args], { cwd, timeoutMs: 120 * SECOND });
    if (r.code !== 0) throw new Error(`k8s-topology ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  /** One GET through the edge Service from the client pod (in the ingress namespace): status, sha256 and body. */
  const throughEdge = async (urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; sha256: string; body: string }> => {
    const edge = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'edge');
    const ingress = objects.find((o) => o.kind === 'Ingress');
    if (!edge || !ingress) throw new Error(`the render has no edge Service or no Ingress: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
    const got = await kubectl(['exec', '-n', INGRESS_NS, CLIENT, '-c', 'main', '--', 'python', '-c', [
      'import hashlib, http.client, json',
      `c = http.client.HTTPConnection("edge.${NS}.svc.cluster.local", ${edge.spec.ports[0].port}, timeout=10)`,
      `c.request("GET", ${JSON.stringify(urlPath)}, headers=${JSON.stringify({ ...headers, Host: spec.host ?? ingress.spec.rules[0].host })})`,
      'r = c.getresponse()',
      'b = r.read()',
      'print(json.dumps({"status": r.status, "sha256": hashlib.sha256(b).hexdigest(), "body": b.decode("utf-8", "replace")[:2000]}))',
    ].join('\n')], { timeoutMs: 30 * SECOND });
    if (got.code !== 0) throw new Error(`GET ${urlPath} through the edge failed in ${CLIENT} (exit ${got.code}): ${got.stderr}`);
    return JSON.parse(got.stdout);
  };

  beforeAll(() => {
    api = new Api();
    work = mkdtempSync(path.join(os.tmpdir(), `${spec.fixture}-suite-`));
  });

  afterAll(async () => {
    // The namespace and the client go, so that the apps after this one (Picvario's drain puts every pod
    // on one node) have the nodes' capacity this one held.
    if (api) {
      for (const node of [NODE_A, NODE_B]) {
        for (const key of Object.keys(spec.nodeLabels ?? {})) await kubectl(['label', 'node', node, `${key}-`]);
      }
      await kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
      await kubectl(['delete', 'pod', '-n', INGRESS_NS, CLIENT, '--wait=false', '--ignore-not-found']);
      // Its pods, not the namespace: that waits on finalizers (KEDA's) that free no capacity.
      await waitFor(`the pods of ${NS} gone`, async () => (await api.list(`/api/v1/namespaces/${NS}/pods`)).length === 0, 120 * SECOND,
        async () => describeNamespace(), 2 * SECOND);
    }
    api?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 150 * SECOND);

  describe(`GIVEN the ${spec.fixture} compose fixture imported with the CLI and its main.ts pointed at the test hosts`, () => {
    const pending = Object.keys(spec.unschedulable ?? {});
    const everyDeployment = pending.length ? `every Deployment but ${pending.join(', ')} (Pending, as the scheduler says why)` : 'every Deployment';
    test(`WHEN ${spec.fixture} is rendered, pushed and applied with its Secrets THEN ${everyDeployment} is Available and every Job completes on the real nodes`, async () => {
      const app = path.join(work, 'app');
      await cli(['import', path.join(FIXTURE, 'docker-compose.yml'), '--out', app], REPO);
      const mainTs = path.join(app, 'main.ts');
      writeFileSync(mainTs, pointAtTestHosts(readFileSync(mainTs, 'utf8'), testHosts));
      // The package as a consumer installs it: its package.json and lib/ (as render-fixtures.sh links it).
      const pkg = path.join(app, 'node_modules', ...PACKAGE.split('/'));
      mkdirSync(pkg, { recursive: true });
      for (const f of ['package.json', 'lib']) symlinkSync(path.join(REPO, f), path.join(pkg, f));
      await cli(['render', '--out', '../manifests'], app);
      const manifests = path.join(work, 'manifests');
      const [env] = loadEnvironments(manifests).filter((e) => e.name === 'production');
      objects = env.objects;

      // Nothing may name the placeholders' network: not a file of the render, not a NetworkPolicy.
      const leftovers = readdirSync(env.dir).flatMap((f) => placeholdersIn(readFileSync(path.join(env.dir, f), 'utf8')).map((l) => `${f} ${l}`));
      expect(leftovers).toEqual([]);
      const cidrs = new Set(objects.filter((o) => o.kind === 'NetworkPolicy')
        .flatMap((o) => [...o.spec.egress ?? [], ...o.spec.ingress ?? []]).flatMap((r: any) => [...r.to ?? [], ...r.from ?? []])
        .filter((p: any) => p.ipBlock).map((p: any) => p.ipBlock.cidr));
      const reached = Object.values(testHosts.externalServices).flatMap((t) => (t === 'none' ? [] : [t.host]));
      expect([...cidrs].sort()).toEqual([...reached, new URL(variables.s3Endpoint).hostname].map((h) => `${h}/32`).sort());
      const buckets = new Set(objects.filter((o) => o.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers)
        .flatMap((c: any) => c.env ?? []).filter((e: any) => ['AWS_STORAGE_BUCKET_NAME', 'DJANGO_STATIC_BUCKET'].includes(e.name)).map((e: any) => e.value));
      expect([...buckets].sort()).toEqual([...variables.buckets].sort());

      // The images the render names, pushed to the registry every node mirrors registry.example.com to.
      const pushed = await run('bash', [path.join(REPO, 'hack/images/push.sh'), REGISTRY, manifests], { timeoutMs: 300 * SECOND });
      expect([pushed.code, pushed.code === 0 ? '' : pushed.stderr.slice(-2000)]).toEqual([0, '']);

      const values = spec.secretValues(variables);
      // `<secret>/<key>` of every key the pods and KEDA read; a whole Secret read (envFrom, a volume) would
      // be `<secret>/*`, which no fixture fills.
      const keysRead = [...secretKeysRead(objects)].flatMap(([name, keys]) => (keys.size ? [...keys].map((k) => `${name}/${k}`) : [`${name}/*`]));
      expect(keysRead.sort()).toEqual(Object.keys(values).sort());
      expect(Object.values(values).filter((v) => placeholdersIn(v).length > 0)).toEqual([]);
      const secrets = new Map<string, Record<string, string>>();
      for (const [ref, value] of Object.entries(values)) {
        const [name, key] = ref.split('/');
        secrets.set(name, { ...secrets.get(name), [key]: value });
      }

      // KEDA's CRDs for the render's ScaledObjects (not KEDA itself: the workers run at their Deployments' replicas).
      const crdDir = path.join(CRDS_DIR, KEDA_CRDS);
      const crds = readdirSync(crdDir).filter((n) => n.endsWith('.yaml')).flatMap((n) => parseYamlObjects(readFileSync(path.join(crdDir, n), 'utf8'), n));
      await apply(crds);
      for (const crd of crds) await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]);

      const namespace = objects.filter((o) => o.kind === 'Namespace');
      expect(namespace.map((o) => o.metadata.name)).toEqual([NS]);
      await apply([...namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INGRESS_NS } }]);
      // (waitFor retries while a get throws: a ServiceAccount not made yet.)
      await waitFor('the default ServiceAccounts', async () => {
        for (const ns of [NS, INGRESS_NS]) await api.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
        return true;
      }, 30 * SECOND);
      await apply([...secrets].map(([name, data]) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, stringData: data })));
      const configMaps = Object.entries(spec.configMaps ?? {}).map(([name, files]) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: NS },
        data: Object.fromEntries(Object.entries(files).map(([key, file]) => [key, readFileSync(path.join(FIXTURE, file), 'utf8')])),
      }));
      if (configMaps.length) await apply(configMaps);
      // The client first, so that the NetworkPolicy firewall knows its address before the edge is asked.
      // From the app's own image, whose Python is the client.
      const image = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend')!.spec.template.spec.containers[0].image;
      await apply([loopClientPod(CLIENT, INGRESS_NS, image, APP_UID)]);

      for (const node of [NODE_A, NODE_B]) {
        for (const [key, value] of Object.entries(spec.nodeLabels ?? {})) await kubectlOk(['label', '--overwrite', 'node', node, `${key}=${value}`]);
      }
      const started = Date.now();
      await apply(objects.filter((o) => o.kind !== 'Namespace'));
      const unschedulable = Object.keys(spec.unschedulable ?? {}).sort();
      const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).filter((d) => !unschedulable.includes(d)).sort();
      expect(unschedulable.filter((d) => !objects.some((o) => o.kind === 'Deployment' && o.metadata.name === d))).toEqual([]);
      const jobs = objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.name).sort();
      expect(jobs).toEqual([...spec.jobs].sort());
      const wanted = (name: string) => {
        const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === name);
        return hpa ? hpa.spec.minReplicas : objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec.replicas ?? 1;
      };
      let state = '';
      await waitFor('every Deployment Available and every Job complete', async () => {
        const ds: KubeObject[] = await api.list(`/apis/apps/v1/namespaces/${NS}/deployments`);
        const done = (await api.list(`/apis/batch/v1/namespaces/${NS}/jobs`)).filter((j: KubeObject) => j.status?.succeeded === 1).map((j: KubeObject) => j.metadata.name);
        const available = ds.filter((d) => d.status?.conditions?.some((c: any) => c.type === 'Available' && c.status === 'True')
          && (d.status?.readyReplicas ?? 0) >= wanted(d.metadata.name)).map((d) => d.metadata.name);
        state = `available: ${available.join(', ')}; Jobs succeeded: ${done.join(', ')}`;
        return available.length === deployments.length && jobs.every((j) => done.includes(j));
      }, 360 * SECOND, async () => `${state}\n${await describeNamespace()}`, 2 * SECOND);
      const took = (Date.now() - started) / SECOND;

      const ownerKind = (p: KubeObject) => (p.metadata.ownerReferences as { kind: string }[] | undefined)?.[0]?.kind;
      const pods: KubeObject[] = (await api.list(`/api/v1/namespaces/${NS}/pods`)).filter((p: KubeObject) => ownerKind(p) === 'ReplicaSet' && !p.metadata.deletionTimestamp);
      // (The chart labels each component's pods with its name, which is its Deployment's.)
      const deploymentOf = (p: KubeObject) => p.metadata.labels?.['app.kubernetes.io/component'] as string | undefined;
      for (const [name, reason] of Object.entries(spec.unschedulable ?? {})) {
        const waiting = pods.filter((p) => deploymentOf(p) === name);
        const scheduled = waiting.map((p) => p.status?.conditions?.find((c: any) => c.type === 'PodScheduled'));
        expect([waiting.length > 0, waiting.map((p) => p.spec.nodeName ?? 'none'), scheduled.map((c) => c?.reason)])
          .toEqual([true, waiting.map(() => 'none'), waiting.map(() => 'Unschedulable')]);
        for (const c of scheduled) expect(c.message).toMatch(reason);
        console.log(`compose import: ${spec.fixture}, ${name} waits for its nodes: ${scheduled[0].message}`);
      }
      const running = pods.filter((p) => !unschedulable.includes(deploymentOf(p) ?? ''));
      expect(running.filter((p: KubeObject) => !isPodReady(p)).map((p: KubeObject) => p.metadata.name)).toEqual([]);
      expect([...new Set(running.map((p: KubeObject) => p.spec.nodeName))].filter((n) => ![NODE_A, NODE_B].includes(n))).toEqual([]);
      podsReady = running.length;
      console.log(`compose import: ${spec.fixture} applied, ${podsReady} pods Ready and ${jobs.length} Jobs complete after ${took} s`);
    }, 900 * SECOND);

    test(`WHEN ${spec.fixture}'s ${spec.healthPath} and ${spec.page.path} are requested through its edge THEN the backend answers from its database`, async () => {
      await waitFor(`${CLIENT} Ready`, async () => isPodReady(await api.get(`/api/v1/namespaces/${INGRESS_NS}/pods/${CLIENT}`)), 120 * SECOND);
      // The readiness probe's path: the kit's checks, the database first.
      const health = await throughEdge(spec.healthPath);
      expect([health.status, JSON.parse(health.body).checks?.database?.status]).toEqual([200, 'ok']);
      // A table the migrate Job created and filled.
      const page = await throughEdge(spec.page.path);
      expect([page.status, page.body]).toEqual([200, spec.page.body]);
    });

    test(`WHEN one of ${spec.fixture}'s static files is requested through its edge THEN the statics bucket serves it as collectstatic uploaded it`, async () => {
      const got = await throughEdge(`/static/${spec.staticFile.url}`);
      const expected = createHash('sha256').update(readFileSync(path.join(FIXTURE, spec.staticFile.source))).digest('hex');
      expect([got.status, got.sha256]).toEqual([200, expected]);
      console.log(`compose import: ${spec.fixture}, ${podsReady} pods Ready, database reached, statics served`);
    });

    const frontendPage = spec.frontendPage;
    if (frontendPage) {
      test(`WHEN ${spec.fixture}'s ${frontendPage.path} is requested through its edge THEN its frontend renders it`, async () => {
        const got = await throughEdge(frontendPage.path);
        expect([got.status, got.body.includes(frontendPage.contains)]).toEqual([200, true]);
      });
    }

    const websocket = spec.websocket;
    if (websocket) {
      test(`WHEN a websocket is opened on ${websocket.path} through ${spec.fixture}'s edge THEN ${websocket.deployment} accepts it and echoes`, async () => {
        const edge = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'edge')!;
        const host = spec.host ?? objects.find((o) => o.kind === 'Ingress')!.spec.rules[0].host;
        // The edge's own nginx.conf routes the path to the web service (not to the backend).
        const conf = objects.filter((o) => o.kind === 'ConfigMap').map((o) => (o.data as Record<string, string> | undefined)?.['nginx.conf']).find((c) => c) ?? '';
        const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === websocket.deployment)!;
        expect(edgeRoutesTo(conf, service.metadata.name).some((p) => websocket.path.startsWith(p))).toBe(true);
        const got = await websocketEcho(INGRESS_NS, CLIENT, 'main', { host: `edge.${NS}.svc.cluster.local`, port: edge.spec.ports[0].port, path: websocket.path, virtualHost: host });
        expect([got.code, got.stdout.trim() || got.stderr.trim()]).toEqual([0, expect.stringMatching(/^ws_echo: .* echoed/)]);
        // The web service took it, not the backend (both serve the same ASGI application): daphne logs
        // each websocket it accepts, `"WSCONNECT <path>"`.
        let logged = '';
        await waitFor(`${websocket.deployment} to log the websocket`, async () => {
          logged = (await kubectl(['logs', '-n', NS, '-l', `app.kubernetes.io/component=${websocket.deployment}`, '--tail=-1'])).stdout;
          return logged.includes(`"WSCONNECT ${websocket.path}"`);
        }, 15 * SECOND, async () => `its logs:\n${logged.slice(-2000)}`, SECOND);
        console.log(`compose import: ${spec.fixture}, a websocket on ${websocket.path} through the edge, accepted by ${websocket.deployment}: ${got.stdout.trim()}`);
      });
    }

    const flower = spec.flower;
    if (flower) {
      test(`WHEN ${spec.fixture}'s Flower is requested through its edge THEN it asks for credentials, and with them lists the workers it reached through the broker`, async () => {
        expect((await throughEdge('/flower/')).status).toBe(401);
        // Flower's metrics answer without credentials, so the edge never passes them on.
        expect((await throughEdge('/flower/metrics')).status).toBe(404);
        const auth = { Authorization: `Basic ${Buffer.from(flower.credentials).toString('base64')}` };
        const page = await throughEdge('/flower/', auth);
        // (The body holds its first 2,000 characters, links and scripts under the prefix before the title.)
        expect([page.status, page.body.includes('/flower/static/')]).toEqual([200, true]);
        // Flower asks the workers over the broker (an inspect broadcast); a worker answers within a few seconds of starting.
        let last = '';
        await waitFor('Flower lists a worker', async () => {
          // status=true: only whether each worker is up ({"celery@<pod>": true}), short enough to read whole.
          const got = await throughEdge('/flower/api/workers?refresh=1&status=true', auth);
          last = `${got.status} ${got.body.slice(0, 300)}`;
          // (A worker's name is <queue>@<pod>, or celery@<pod>.)
          return got.status === 200 && Object.entries(JSON.parse(got.body)).some(([name, up]) => /^[\w-]+@worker-/.test(name) && up === true);
        }, 60 * SECOND, async () => `last answer: ${last}\n${await describeNamespace()}`, 2 * SECOND);
        console.log(`compose import: ${spec.fixture}, Flower behind basic auth lists the workers: ${last.slice(0, 120)}`);
      }, 120 * SECOND);
    }

    const task = spec.task;
    if (task) {
      test(`WHEN a task is sent from ${spec.fixture}'s backend THEN its worker runs it and ${task.page.path} shows what it wrote`, async () => {
        const started = Date.now();
        const sent = await kubectl(['exec', '-n', NS, 'deploy/backend', '--', 'python', 'manage.py', 'shell', '-c', task.send], { timeoutMs: 60 * SECOND });
        expect([sent.code, sent.code === 0 ? '' : sent.stderr.slice(-2000)]).toEqual([0, '']);
        let last = '';
        // At most 60 requests, one a second.
        await waitFor(`the worker ran the task (${task.page.path} as it writes it)`, async () => {
          const got = await throughEdge(task.page.path);
          last = `${got.status} ${got.body}`;
          return got.status === 200 && got.body === task.page.body;
        }, 60 * SECOND, async () => `last answer: ${last}\n${await describeNamespace()}`, SECOND);
        console.log(`compose import: ${spec.fixture}, a task sent from the backend and run by the worker after ${(Date.now() - started) / SECOND} s`);
      }, 150 * SECOND);
    }
  });
}
