// The real Argo CD syncs the rendered branch, and the real KEDA scales the workers, on Picvario's
// own render (test, staging, production and the Argo CD folder), on a control plane of its own with
// Argo CD v3.6, KEDA v2.20, a Redis and a RabbitMQ (hack/control-plane/test.sh, suite "gitops").
//
// The render is made in-process from src/ as `npm run synth` makes it (the suite checks that its
// environment folders are byte for byte those of picvarioApp()), with the suite's git repository as
// argoCd.repoUrl; variants change only props of the public constructs. Each render is committed to
// branch "rendered" of a bare repository under CP_ARGOCD_GIT_ROOT with `k8s-topology publish`, and
// the repo server reads it over file://. The only objects applied by hand are the bootstrap
// (00-projects.yaml and 00-root.yaml), as docs/RENDERING.md prescribes; everything else is Argo CD's.
//
// A kwok cluster lacks controllers a real one has. Each is stood in for in the test process, doing
// only what the real one does, and printed (see docs/CONTROL-PLANE.md): the External Secrets
// Operator (stand-ins.ts), the ingress controller's load-balancer status (stand-ins.ts),
// metrics-server (fake-metrics.ts), the Celery workers that would drain the queues (the test drains
// them), and a git push webhook (the test asks Argo CD to refresh after each publish).
//
// The tests run in order and share the cluster; each fails rather than skips when what it needs is
// missing.
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
import { appState, ARGOCD_GROUP, ArgoCd, argocdLogTail, comparesSyncedHealthy, condition, describeApp, elapsed, MINUTE, need, syncedHealthy, Timeline } from './argocd';
import { FakeMetricsApi } from './fake-metrics';
import { events, KEDA_GROUP, publishMessages, rabbit, redis, replicas, ReplicaWatch, scaledObjectState, waitReplicas } from './keda';
import { Api, ApiError, kubectlOk, KubeObject, kwokNodeObject, run, sleep, waitFor } from './kube';
import { PicvarioRender, publish, renderPicvario, renderPicvarioAsShipped, RenderVariant, REPO, waveOf } from './picvario-render';
import { POOL_LABEL } from './render';
import { installExternalSecretsCrds, secretKeysRead, StandIns } from './stand-ins';
import { DjangoAppChart, DjangoAppChartProps } from '../../src/app/django-app-chart';
import { PreviewEnvironment } from '../../src/app/preview-environment';
import { DeliveryApp, DeliveryAppProps } from '../../src/delivery/delivery-app';

const FIELD_MANAGER = 'picvario-gitops-test';
const ENVS = ['test', 'staging', 'production'];
const NS: Record<string, string> = { test: 'picvario-test', staging: 'picvario-staging', production: 'picvario-production' };
const PROJECT = 'picvario';
const ROOT_APP = `${PROJECT}-apps`;
const APP = (env: string) => `${PROJECT}-${env}`;
const BROKER_SECRET = 'picvario-broker';
/** Annotations that the suite's kwok stages act on (hack/control-plane/kwok/test-stages.yaml). */
const RUN_FOR = 'cluster-test.picvario.io/run-for';
const EXIT_CODE = 'cluster-test.picvario.io/exit-code';
const MIGRATION_RUN_FOR = '5s';
const SHORT_COOLDOWN = 20;
const REDIS_DB = 3;
/** The release the suite rolls out, in staging only (one environment shows the order; three would triple the churn). */
const RELEASE = '2026.12.0';
const RELEASE_ENV = 'staging';
const STAGING_NEXT = '2026.12.1';

const figures: Record<string, string | number> = {};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'picvario-gitops-test-'));
let api: Api;
let argo: ArgoCd;
let repo = ''; // the bare repository the repo server reads
let repoUrl = '';
let standIns: StandIns | undefined;
let metrics: FakeMetricsApi | undefined;
let observer: Observer | undefined;
const renders: Record<string, PicvarioRender> = {};
const commits: Record<string, string> = {};
const rabbitUsers: Record<string, { vhost: string; user: string; password: string }> = {};
let bootstrapAt = 0;

// ---------------------------------------------------------------------------------------------
// the render variants: every change is a prop of the public constructs

function withVersion(props: DjangoAppChartProps, version: string): DjangoAppChartProps {
  return { ...props, version };
}

function withMigrationPodAnnotations(props: DjangoAppChartProps, annotations: Record<string, string>): DjangoAppChartProps {
  if (!props.migrations) throw new Error('the environment renders no migrations');
  return { ...props, migrations: { ...props.migrations, podAnnotations: { ...props.migrations.podAnnotations, ...annotations } } };
}

function release(env: string, props: DjangoAppChartProps): DjangoAppChartProps {
  if (env !== RELEASE_ENV) return props;
  return withMigrationPodAnnotations(withVersion(props, RELEASE), { [RUN_FOR]: MIGRATION_RUN_FOR });
}

function kedaVariant(env: string, props: DjangoAppChartProps): DjangoAppChartProps {
  let p = release(env, props);
  if (env === RELEASE_ENV) p = withVersion(p, STAGING_NEXT);
  // Picvario always has workers and a broker.
  p = { ...p, workers: { ...p.workers!, queues: p.workers!.queues.map((q) => ({ ...q, cooldownPeriodSeconds: SHORT_COOLDOWN })) } };
  if (env === 'test') p = { ...p, broker: { ...p.broker!, redisDatabaseIndex: REDIS_DB } };
  return p;
}

const VARIANTS: Record<string, RenderVariant> = {
  r1: { label: 'Picvario as rendered' },
  fence: {
    label: 'as rendered, plus a Role in the test folder and a ConfigMap in kube-system (objects the project does not allow)',
    extra: (env, chart) => {
      if (env !== 'test') return;
      new k8s.KubeRole(chart, 'fence-role', { metadata: { name: 'cluster-test-fence' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] });
      new k8s.KubeConfigMap(chart, 'fence-namespace', { metadata: { name: 'cluster-test-fence', namespace: 'kube-system' }, data: { note: 'outside the project' } });
    },
  },
  release: {
    label: `a release: ${RELEASE_ENV} ${RELEASE}, its migration's pod annotated ${RUN_FOR}: ${MIGRATION_RUN_FOR} (kwok completes it after 5 s); test and production as rendered`,
    props: release,
  },
  badMigration: {
    label: `${RELEASE_ENV} ${STAGING_NEXT} whose migration fails (migrations.podAnnotations ${EXIT_CODE}: "1"); test and production as in the release`,
    props: (env, props) => (env === RELEASE_ENV ? withMigrationPodAnnotations(withVersion(release(env, props), STAGING_NEXT), { [EXIT_CODE]: '1' }) : release(env, props)),
  },
  keda: {
    label: `staging ${STAGING_NEXT} with a working migration; every queue cooldownPeriodSeconds ${SHORT_COOLDOWN} (rendered: 300); test's broker redisDatabaseIndex ${REDIS_DB} (rendered: 0)`,
    props: kedaVariant,
  },
  prune: {
    label: 'the KEDA variant without test\'s storage-scan queue',
    props: (env, props) => {
      const p = kedaVariant(env, props);
      return env === 'test' ? { ...p, workers: { ...p.workers!, queues: p.workers!.queues.filter((q) => q.name !== 'storage-scan') } } : p;
    },
  },
};

function render(name: string): PicvarioRender {
  renders[name] = renderPicvario(path.join(tmp, 'renders', name), repoUrl, VARIANTS[name]);
  return renders[name];
}

async function publishRender(name: string): Promise<string> {
  const r = renders[name] ?? render(name);
  const { commit, output } = await publish(r, repo);
  commits[name] = commit;
  figures[`publish ${name}`] = `${output} [${r.label}]`;
  observer?.setRender(r);
  return commit;
}

/** After a publish: what a push webhook does, for every Application. */
async function refreshAll(): Promise<number> {
  const at = Date.now();
  for (const a of [ROOT_APP, ...ENVS.map(APP)]) await argo.refresh(a);
  return at;
}

function objectsOf(r: PicvarioRender, env: string): any[] {
  return r.objects.filter((o) => o.folder === env).map((o) => o.obj);
}

function key(kind: string, ns: string | undefined, name: string): string {
  return `${kind}/${ns ?? ''}/${name}`;
}

// ---------------------------------------------------------------------------------------------
// watching Argo CD, the hook Jobs and the backend ReplicaSets while things happen

interface SeenResource { t: number; phase: string; wave: number; hook?: string; status?: string; hookPhase?: string }
interface OperationRecord {
  app: string;
  startedAt: string;
  revision: string;
  seen: Map<string, SeenResource>;
  retries: number;
  phase: string;
  messages: string[];
}
interface JobRecord {
  ns: string;
  name: string;
  uid: string;
  image: string;
  created: string;
  startTime?: string;
  completed?: string;
  failed?: string;
  seenComplete?: number;
}
interface RsRecord { ns: string; name: string; image: string; created: string; seen: number }

class Observer {
  readonly timelines = new Map<string, Timeline>();
  readonly operations: OperationRecord[] = [];
  readonly firstHealthy = new Map<string, number>(); // "<app>@<revision>" -> ms since t0
  readonly jobs = new Map<string, JobRecord>();
  readonly replicaSets = new Map<string, RsRecord>();
  private waves = new Map<string, { wave: number; hook?: string }>();
  private running = false;
  private loop?: Promise<void>;

  constructor(readonly t0: number) {}

  setRender(r: PicvarioRender): void {
    for (const o of r.objects) this.waves.set(key(o.obj.kind, o.obj.metadata.namespace, o.obj.metadata.name), waveOf(o.obj));
  }

  start(): void {
    for (const a of [ROOT_APP, ...ENVS.map(APP)]) this.timelines.set(a, new Timeline(this.t0));
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.sample().catch(() => undefined);
        await sleep(500);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async sample(): Promise<void> {
    const now = Date.now() - this.t0;
    for (const ns of Object.values(NS)) {
      // Jobs before ReplicaSets: a ReplicaSet seen in the same round as a Job's completion came later.
      const jobs = await api.list(`/apis/batch/v1/namespaces/${ns}/jobs`).catch(() => []);
      for (const j of jobs) {
        const uid = j.metadata.uid as string;
        const rec: JobRecord = this.jobs.get(uid) ?? {
          ns, name: j.metadata.name, uid, image: j.spec.template.spec.containers[0].image, created: j.metadata.creationTimestamp as string,
        };
        rec.startTime = j.status?.startTime;
        rec.completed = j.status?.completionTime;
        const failed = (j.status?.conditions ?? []).find((c: any) => c.type === 'Failed' && c.status === 'True');
        if (failed) rec.failed = `${failed.reason}: ${failed.message}`;
        if (rec.completed && rec.seenComplete === undefined) rec.seenComplete = now;
        this.jobs.set(uid, rec);
      }
      const sets = await api.list(`/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app.kubernetes.io%2Fcomponent%3Dbackend`).catch(() => []);
      for (const rs of sets) {
        if (this.replicaSets.has(rs.metadata.uid as string)) continue;
        this.replicaSets.set(rs.metadata.uid as string, {
          ns, name: rs.metadata.name, image: rs.spec.template.spec.containers[0].image, created: rs.metadata.creationTimestamp as string, seen: now,
        });
      }
    }
    for (const name of this.timelines.keys()) {
      const app = await argo.get(name).catch(() => undefined);
      if (!app) { this.timelines.get(name)!.record('(no Application)'); continue; }
      this.timelines.get(name)!.record(appState(app));
      const rev = app.status?.sync?.revision;
      if (rev && syncedHealthy(rev)(app) && !this.firstHealthy.has(`${name}@${rev}`)) this.firstHealthy.set(`${name}@${rev}`, now);
      const op = app.status?.operationState;
      if (!op?.startedAt) continue;
      let rec = this.operations.find((o) => o.app === name && o.startedAt === op.startedAt);
      if (!rec) {
        rec = { app: name, startedAt: op.startedAt, revision: op.operation?.sync?.revision ?? '', seen: new Map(), retries: 0, phase: '', messages: [] };
        this.operations.push(rec);
      }
      rec.retries = op.retryCount ?? 0;
      rec.phase = op.phase;
      if (op.message && rec.messages[rec.messages.length - 1] !== op.message) rec.messages.push(op.message);
      rec.revision = op.syncResult?.revision ?? rec.revision;
      for (const r of op.syncResult?.resources ?? []) {
        // Argo CD names cluster-scoped objects (Namespace, PriorityClass) with the Application's namespace.
        const k = this.waves.has(key(r.kind, r.namespace, r.name)) || !this.waves.has(key(r.kind, undefined, r.name))
          ? key(r.kind, r.namespace, r.name) : key(r.kind, undefined, r.name);
        const w = this.waves.get(k) ?? { wave: 0 };
        const prev = rec.seen.get(k);
        rec.seen.set(k, { t: prev?.t ?? now, phase: r.syncPhase, wave: w.wave, hook: r.hookType, status: r.status, hookPhase: r.hookPhase });
      }
    }
  }

  /** The operations of an Application since a time (ms since t0), oldest first. */
  operationsOf(app: string, sinceMs = 0): OperationRecord[] {
    return this.operations.filter((o) => o.app === app && Date.parse(o.startedAt) >= this.t0 + sinceMs - 1000);
  }

}

/** "Sync phase, wave -2: 1 object at 17.1s | ...": the order Argo CD applied things in, as its status showed them (seconds since bootstrap). */
function wavesSeen(op: OperationRecord): string {
  const groups = new Map<string, { first: number; names: string[]; hooks: string[] }>();
  for (const [k, s] of [...op.seen.entries()].sort((a, b) => a[1].t - b[1].t)) {
    const g = `${s.phase} phase, wave ${s.wave}${s.hook ? ', hooks' : ''}`;
    if (!groups.has(g)) groups.set(g, { first: s.t, names: [], hooks: [] });
    const grp = groups.get(g)!;
    if (s.hook) grp.hooks.push(`${k.split('/')[0]}/${k.split('/')[2]} ${s.hookPhase}`);
    else grp.names.push(k);
  }
  return [...groups.entries()].sort((a, b) => a[1].first - b[1].first)
    .map(([g, v]) => `${g}: ${v.hooks.length ? v.hooks.join(', ') : `${v.names.length} object${v.names.length === 1 ? '' : 's'}`} at ${(v.first / 1000).toFixed(1)}s`)
    .join(' | ');
}

function versionOf(image: string): string {
  return image.replace(/@sha256:[0-9a-f]+$/, '').split(':').pop() ?? '';
}

/**
 * Every backend ReplicaSet of `version` in the namespace was created no earlier than a migrate Job of
 * the same version completed, and no migrate Job of that version failed before it. Returns a line
 * for the output; throws naming what broke the rule.
 */
function migrationsBeforeBackend(ns: string, version: string): string {
  const jobs = [...observer!.jobs.values()].filter((j) => j.ns === ns && j.name === 'migrate' && versionOf(j.image) === version);
  const sets = [...observer!.replicaSets.values()].filter((r) => r.ns === ns && versionOf(r.image) === version);
  const done = jobs.filter((j) => j.completed).sort((a, b) => Date.parse(a.completed!) - Date.parse(b.completed!));
  if (!sets.length) throw new Error(`${ns}: no backend ReplicaSet of ${version} was ever seen (jobs: ${JSON.stringify(jobs)})`);
  if (!done.length) throw new Error(`${ns}: backend ReplicaSets of ${version} exist (${sets.map((s) => `${s.name} created ${s.created}`).join(', ')}) but no migrate Job of ${version} completed`);
  const first = done[0];
  const early = sets.filter((s) => Date.parse(s.created) < Date.parse(first.completed!));
  if (early.length) {
    throw new Error(`${ns}: backend ReplicaSet ${early.map((s) => `${s.name} created ${s.created}`).join(', ')} before the migrate Job of ${version} completed at ${first.completed}`);
  }
  const rs = sets.sort((a, b) => Date.parse(a.created) - Date.parse(b.created))[0];
  const ran = first.startTime ? (Date.parse(first.completed!) - Date.parse(first.startTime)) / 1000 : NaN;
  return `${ns}: migrate ${version} started ${first.startTime}, completed ${first.completed} (ran ${ran}s); backend ReplicaSet ${rs.name} created ${rs.created} `
    + `(${(Date.parse(rs.created) - Date.parse(first.completed!)) / 1000}s later; seen ${((rs.seen - (first.seenComplete ?? rs.seen)) / 1000).toFixed(1)}s after the Job was seen complete)`;
}

// ---------------------------------------------------------------------------------------------
// cluster helpers

const GENERAL_NODES = ['zone-a', 'zone-b', 'zone-c'].flatMap((z) => [1, 2].map((i) => ({ name: `kwok-${z}-${i}`, zone: z, pool: undefined as string | undefined })));
const FACE_NODES = ['zone-a', 'zone-b'].map((z) => ({ name: `kwok-face-${z}`, zone: z, pool: 'face-recognition' as string | undefined }));

async function exists(urlPath: string): Promise<boolean> {
  try {
    await api.get(urlPath);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.statusCode === 404) return false;
    throw e;
  }
}

/** The Application's resources that are not Synced (hooks are not compared, so they are left out). */
function outOfSync(app: KubeObject): string[] {
  return (app.status?.resources ?? []).filter((r: any) => !r.hook && r.status !== 'Synced').map((r: any) => `${r.kind}/${r.namespace ?? ''}/${r.name}: ${r.status}`);
}

/** Refreshes every Application and waits until each has compared again after `since`; returns the Applications. */
async function compareAgain(): Promise<KubeObject[]> {
  const since = Date.now();
  await refreshAll();
  const apps: KubeObject[] = [];
  for (const a of [ROOT_APP, ...ENVS.map(APP)]) {
    let last: KubeObject | undefined;
    await waitFor(`Application ${a} to compare again`, async () => {
      last = await argo.get(a);
      const at = Date.parse(last.status?.reconciledAt ?? '1970-01-01T00:00:00Z');
      return !last.metadata.annotations?.['argocd.argoproj.io/refresh'] && at >= Math.floor(since / 1000) * 1000;
    }, 2 * MINUTE, async () => (last ? describeApp(last) : ''), 250);
    apps.push(last!);
  }
  return apps;
}

function healthOf(app: KubeObject, kind: string, name: string): { status?: string; message?: string } {
  return (app.status?.resources ?? []).find((r: any) => r.kind === kind && r.name === name)?.health ?? {};
}

/** Redis as the render reads it: the default user, with no password (see the broker setup). */
function redisCmd(db: number, ...args: string[]): Promise<string> {
  return redis(db, args, false);
}

function amqpUrl(env: string, password?: string): string {
  const u = rabbitUsers[env];
  return `amqp://${u.user}:${password ?? u.password}@${need('CP_RABBITMQ_HOST', 'the RabbitMQ broker')}:${need('CP_RABBITMQ_PORT', 'the RabbitMQ broker')}/${u.vhost}`;
}

function summary(): void {
  const lines = ['', '=== gitops test figures ===', ...Object.entries(figures).map(([k, v]) => `${k}: ${v}`), ''];
  if (standIns) lines.push(`stand-in actions (${standIns.log.length}; ${JSON.stringify(standIns.counts)}):`, ...standIns.log.slice(0, 60).map((l) => `  ${l}`), ...(standIns.log.length > 60 ? [`  ... ${standIns.log.length - 60} more`] : []), '');
  if (metrics) lines.push(`metrics.k8s.io stand-in requests served: ${JSON.stringify(metrics.served)}`, '');
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------

beforeAll(() => {
  api = new Api();
  argo = new ArgoCd(api, process.env.CP_ARGOCD_NAMESPACE ?? 'argocd');
  if (process.env.CP_START_SECONDS) figures['control plane start, with Argo CD, KEDA and brokers (s)'] = process.env.CP_START_SECONDS;
});

afterAll(async () => {
  await observer?.stop();
  await standIns?.stop();
  await metrics?.stop();
  summary();
  api?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Argo CD syncs the rendered branch and KEDA scales the workers, on Picvario\'s render', () => {
  test('the control plane runs Argo CD, KEDA and the brokers; kwok nodes, the External Secrets CRDs and the metrics API stand-in are up', async () => {
    figures['Argo CD'] = need('CP_ARGOCD_VERSION', 'Argo CD');
    figures.KEDA = need('CP_KEDA_VERSION', 'KEDA');
    need('CP_ARGOCD_GIT_ROOT', 'Argo CD');
    need('CP_REDIS_PORT', 'the Redis broker');
    need('CP_RABBITMQ_PORT', 'the RabbitMQ broker');
    for (const n of [...GENERAL_NODES, ...FACE_NODES]) await api.post('/api/v1/nodes', kwokNodeObject(n, POOL_LABEL));
    await installExternalSecretsCrds(api, FIELD_MANAGER);
    metrics = new FakeMetricsApi(api, tmp);
    await metrics.start();
    await waitFor('the APIService v1beta1.metrics.k8s.io to be Available', async () =>
      condition(await api.get('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io'), 'Available').status === 'True', MINUTE);
    expect((await api.get('/apis/metrics.k8s.io/v1beta1')).groupVersion).toBe('metrics.k8s.io/v1beta1');
    await waitFor('the kwok nodes to be Ready', async () => {
      const nodes = await api.list('/api/v1/nodes');
      return [...GENERAL_NODES, ...FACE_NODES].every((n) => nodes.some((x) => x.metadata.name === n.name && condition(x, 'Ready').status === 'True'));
    }, MINUTE);
    figures['stand-ins'] = '\n  External Secrets Operator: not run here (every environment renders ExternalSecrets, which Argo CD waits for in wave -1): '
      + 'the test writes each target Secret from its own "vault" (the real broker URL for picvario-broker, dummy values elsewhere) and sets Ready'
      + '\n  metrics-server: not run here (no container uses CPU): a metrics.k8s.io API served by the test, each container at 30% of its requests unless a test raises it, '
      + 'so the CPU/memory HPAs compute real replica counts instead of being Degraded (an Argo CD health override would hide that they work, and the HPA would still not scale)'
      + '\n  ingress controller: not run here: the test writes each Ingress\' status.loadBalancer, which Argo CD\'s Ingress health waits for'
      + '\n  Celery workers: kwok pods run nothing: the test declares the queues the workers would, and drains them'
      + '\n  git push webhook: none: the test asks each Application to refresh after a publish';
  });

  test('the render is Picvario\'s as npm run synth renders it, published to the rendered branch with k8s-topology publish', async () => {
    const gitRoot = need('CP_ARGOCD_GIT_ROOT', 'Argo CD');
    repo = path.join(gitRoot, 'picvario.git');
    repoUrl = `file://${repo}`;
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
    const shipped = renderPicvarioAsShipped();
    const r1 = render('r1');
    for (const env of ENVS) {
      expect(`${env} ${r1.digests[env]}`).toBe(`${env} ${shipped.digests[env]}`);
    }
    // The Argo CD folder differs only in the repository the Applications and projects read.
    const shippedUrl = /repoURL: (\S+)/.exec(shipped.argocdFiles['00-root.yaml'])?.[1];
    if (!shippedUrl) throw new Error('the shipped 00-root.yaml names no repoURL');
    for (const [file, content] of Object.entries(shipped.argocdFiles)) {
      if (file === 'index.json' || file === 'README.md') continue;
      expect(readFileSync(path.join(r1.dir, 'argocd', file), 'utf8')).toBe(content.split(shippedUrl).join(repoUrl));
    }
    figures['render r1'] = `environment folders identical to picvarioApp()'s (${ENVS.map((e) => `${e} ${r1.digests[e].slice(0, 19)}`).join(', ')}); argocd/ differs only in repoURL (${shippedUrl} -> ${repoUrl})`;
    await publishRender('r1');
    const tree = (await run('git', ['-C', repo, 'ls-tree', '--name-only', 'rendered'])).stdout.trim().split('\n');
    expect(tree.sort()).toEqual(['argocd', ...ENVS].sort());

    // The brokers, as their administrators would provision them for this render.
    // Redis: the test environment's render reads only redis-address (no password key), so it expects
    // a Redis that lets the default user in without a password; start.sh's has one: lift it.
    await redis(0, ['ACL', 'SETUSER', 'default', 'on', 'nopass', '~*', '&*', '+@all']);
    expect(await redisCmd(0, 'PING')).toBe('PONG');
    // RabbitMQ: a vhost and a user of each RabbitMQ environment's own, and the queues its workers
    // declare when they start (KEDA's RabbitMQ trigger fails on a queue that does not exist).
    const provisioned: string[] = [];
    for (const env of ENVS) {
      const sos = objectsOf(r1, env).filter((o) => o.kind === 'ScaledObject');
      if (!sos.some((so) => so.spec.triggers[0].type === 'rabbitmq')) continue;
      const u = { vhost: `picvario-${env}`, user: `picvario-${env}`, password: `pw-${env}-${process.pid}` };
      rabbitUsers[env] = u;
      await rabbit('PUT', `/vhosts/${u.vhost}`, {});
      await rabbit('PUT', `/users/${u.user}`, { password: u.password, tags: '' });
      await rabbit('PUT', `/permissions/${u.vhost}/${u.user}`, { configure: '.*', write: '.*', read: '.*' });
      const queues = sos.map((so) => so.spec.triggers[0].metadata.queueName);
      for (const q of queues) await rabbit('PUT', `/queues/${u.vhost}/${encodeURIComponent(q)}`, { durable: true, auto_delete: false });
      provisioned.push(`${env}: vhost ${u.vhost}, user ${u.user}, queues ${queues.join(', ')}`);
    }
    figures.brokers = `Redis ${process.env.CP_REDIS_HOST}:${process.env.CP_REDIS_PORT}, default user without password (the test render reads none); RabbitMQ ${provisioned.join('; ')}`;
    if (!rabbitUsers.staging || !rabbitUsers.production) throw new Error(`staging and production render RabbitMQ triggers; found ${Object.keys(rabbitUsers).join(', ') || 'none'}`);

    // The External Secrets stand-in's store: every remote key the ExternalSecrets name. The broker
    // Secret holds the real brokers' addresses (KEDA connects to them); the rest is never read here.
    const brokerValue = (env: string, secretKey: string): string | undefined => {
      if (secretKey === 'broker-url') return amqpUrl(env);
      if (secretKey === 'redis-address') return `${need('CP_REDIS_HOST', 'the Redis broker')}:${need('CP_REDIS_PORT', 'the Redis broker')}`;
      return undefined;
    };
    standIns = new StandIns(api, Object.values(NS));
    for (const env of ENVS) {
      const externalSecrets = objectsOf(r1, env).filter((o) => o.kind === 'ExternalSecret');
      if (!externalSecrets.length) throw new Error(`the ${env} render has no ExternalSecrets: its Secrets could not exist on an empty cluster`);
      for (const es of externalSecrets) {
        for (const item of es.spec.data) {
          const props = standIns.vault.get(item.remoteRef.key) ?? {};
          props[item.remoteRef.property] = (es.spec.target.name === BROKER_SECRET ? brokerValue(env, item.secretKey) : undefined)
            ?? `cluster-test-${env}-${item.secretKey}`;
          standIns.vault.set(item.remoteRef.key, props);
        }
      }
    }
    standIns.start();
  });

  test('bootstrap: an admin applies argocd/00-projects.yaml and argocd/00-root.yaml from the rendered branch, and nothing else', async () => {
    for (const ns of Object.values(NS)) expect(`${ns} exists: ${await exists(`/api/v1/namespaces/${ns}`)}`).toBe(`${ns} exists: false`);
    const files: string[] = [];
    for (const f of ['00-projects.yaml', '00-root.yaml']) {
      const file = path.join(tmp, f);
      writeFileSync(file, (await run('git', ['-C', repo, 'show', `rendered:argocd/${f}`])).stdout);
      files.push('-f', file);
    }
    observer = new Observer(Date.now());
    observer.setRender(renders.r1);
    bootstrapAt = Date.now();
    observer.start();
    const out = await kubectlOk(['apply', ...files]);
    figures.bootstrap = out.trim().split('\n').join('; ');
    const timeline = new Timeline(bootstrapAt);
    await argo.wait(ROOT_APP, 'Synced and Healthy', syncedHealthy(commits.r1), timeline, 3 * MINUTE);
    for (const env of ENVS) await argo.get(APP(env));
    figures['root Application Synced + Healthy after (s)'] = elapsed(bootstrapAt);
  });

  test('first sync of an empty cluster: every environment reaches Synced and Healthy with no manual step, and every Secret its pods and KEDA read exists', async () => {
    // GIVEN the bootstrap only; WHEN Argo CD syncs each environment from nothing (the Namespace,
    // then the ExternalSecrets, then the hooks, then the Deployments); THEN each reaches Synced and
    // Healthy at the published revision without anyone touching the cluster.
    await Promise.all(ENVS.map(async (env) => {
      const app = APP(env);
      const timeline = new Timeline(bootstrapAt);
      await argo.wait(app, `Synced and Healthy at ${commits.r1.slice(0, 7)}`, syncedHealthy(commits.r1), timeline, 8 * MINUTE);
      figures[`first sync ${env}: time to first Synced + Healthy (s)`] = ((observer!.firstHealthy.get(`${app}@${commits.r1}`) ?? Date.now() - bootstrapAt) / 1000).toFixed(1);
      figures[`first sync ${env}: states seen`] = timeline.toString();
    }));
    // The Secrets came from the render's ExternalSecrets (through the stand-in), none by hand.
    const missing: string[] = [];
    for (const env of ENVS) {
      for (const [name, keys] of secretKeysRead(objectsOf(renders.r1, env))) {
        const s = await api.get(`/api/v1/namespaces/${NS[env]}/secrets/${name}`).catch(() => undefined);
        const have = Object.keys(s?.data ?? {});
        const absent = [...keys].filter((k) => !have.includes(k));
        if (!s || absent.length) missing.push(`${NS[env]}/${name}${s ? ` lacks ${absent.join(', ')}` : ' does not exist'}`);
        else if (s.metadata.ownerReferences?.[0]?.kind !== 'ExternalSecret') missing.push(`${NS[env]}/${name} is not owned by an ExternalSecret`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('first sync: the migrations ran as Sync hooks in wave 0, and no backend version existed before its migrations succeeded', async () => {
    const problems: string[] = [];
    for (const env of ENVS) {
      const ops = observer!.operationsOf(APP(env));
      figures[`first sync ${env}: operations`] = ops.map((o) => `${o.phase} after ${o.retries} retries${o.messages.length ? ` (${o.messages[o.messages.length - 1]})` : ''}`).join('; ');
      const last = ops[ops.length - 1];
      if (!last) { problems.push(`${env}: no sync operation seen`); continue; }
      figures[`first sync ${env}: phases and waves seen`] = wavesSeen(last);
      const hooks = [...last.seen.entries()].filter(([, s]) => s.hook).map(([k, s]) => `${k.split('/')[0]}/${k.split('/')[2]} ${s.phase}/${s.hook} wave ${s.wave} ${s.hookPhase}`).sort();
      if (JSON.stringify(hooks) !== JSON.stringify(['Job/collectstatic Sync/Sync wave 0 Succeeded', 'Job/migrate Sync/Sync wave 0 Succeeded'])) problems.push(`${env}: hooks ${hooks.join(', ')}`);
      // In the operation that succeeded: nothing of wave 1 or 2 was seen before the hooks (wave 0).
      const hookSeen = Math.min(...[...last.seen.values()].filter((s) => s.hook).map((s) => s.t));
      const early = [...last.seen.entries()].filter(([, s]) => !s.hook && s.wave > 0 && s.t < hookSeen).map(([k]) => k);
      if (early.length) problems.push(`${env}: wave 1/2 objects seen before the hooks: ${early.slice(0, 5).join(', ')}`);
      try {
        figures[`first sync ${env}: migrations before backend`] = migrationsBeforeBackend(NS[env], versionOf(objectsOf(renders.r1, env).find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend').spec.template.spec.containers[0].image));
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    expect(problems).toEqual([]);
  });

  test('no drift: after the sync no resource is OutOfSync, also while the HPA and KEDA change the replica counts underneath', async () => {
    for (const a of await compareAgain()) expect(`${a.metadata.name}: ${outOfSync(a).join(', ')}`).toBe(`${a.metadata.name}: `);
    const backend = `${NS.test}/backend`;
    const exportWorker = `${NS.test}/worker-export`;
    const watch = new ReplicaWatch(api, [backend, exportWorker]);
    watch.start();
    const start = Date.now();
    try {
      // The HPA: the backend's pods at 150% of their CPU and memory requests (targets 70% / 80%).
      metrics!.setShare(NS.test, 'backend', 1.5);
      // KEDA: 25 tasks on the export queue (test renders Redis database 0, 10 tasks per worker, max 2).
      await redisCmd(0, 'RPUSH', 'export', ...Array.from({ length: 25 }, (_, i) => `drift-${i}`));
      await waitReplicas(api, watch, NS.test, 'backend', 3, 3 * MINUTE);
      await waitReplicas(api, watch, NS.test, 'worker-export', 2, 3 * MINUTE);
      figures['no drift: HPA backend 2 -> 3 and KEDA export 0 -> 2 in (s)'] = elapsed(start);
      const apps = await compareAgain();
      for (const a of apps) expect(`${a.metadata.name}: ${a.status.sync.status} ${outOfSync(a).join(', ')}`).toBe(`${a.metadata.name}: Synced `);
      // Argo CD left the counts alone (selfHeal would have reverted a field it owns).
      expect(await replicas(api, NS.test, 'backend')).toEqual({ spec: 3, ready: 3 });
      expect((await replicas(api, NS.test, 'worker-export')).spec).toBe(2);
      figures['no drift: Applications after the replica changes'] = apps.map((a) => `${a.metadata.name} ${a.status.sync.status}/${a.status.health.status}`).join(', ');
    } finally {
      metrics!.setShare(NS.test, 'backend', 0.3);
      await redisCmd(0, 'DEL', 'export');
      await watch.stop();
      figures['no drift: replicas over time'] = `\n${watch.report()}`;
    }
  });

  test('the AppProject fences hold: a Role in an environment folder, and an object in a namespace outside the project, are refused by Argo CD', async () => {
    const app = APP('test');
    await publishRender('fence');
    const committed = await run('git', ['-C', repo, 'show', 'rendered:argocd/00-projects.yaml']);
    // The branch's own 00-projects.yaml now allows Role (the project lists the kinds rendered), but
    // the root Application leaves that file to an admin, so the project in the cluster does not.
    expect(committed.stdout).toContain('kind: Role');
    await refreshAll();
    let last: KubeObject | undefined;
    await waitFor(`${app}: the sync of ${commits.fence.slice(0, 7)} refused`, async () => {
      last = await argo.get(app);
      const msg = last.status?.operationState?.message ?? '';
      return msg.includes('not permitted in project');
    }, 3 * MINUTE, async () => `${last ? describeApp(last) : ''}\n${await argocdLogTail()}`, 250);
    const op = last!.status.operationState;
    const refused = (op.syncResult?.resources ?? []).filter((r: any) => r.status === 'SyncFailed').map((r: any) => `${r.kind} ${r.namespace}/${r.name}: ${r.message}`).sort();
    figures['fences: operation message'] = op.message;
    figures['fences: refused'] = refused.join('; ');
    expect(op.message).toContain('one or more synchronization tasks are not valid');
    expect(refused).toEqual([
      "ConfigMap kube-system/cluster-test-fence: namespace kube-system is not permitted in project 'picvario'",
      `Role ${NS.test}/cluster-test-fence: resource rbac.authorization.k8s.io:Role is not permitted in project picvario`,
    ]);
    expect(await exists(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS.test}/roles/cluster-test-fence`)).toBe(false);
    expect(await exists('/api/v1/namespaces/kube-system/configmaps/cluster-test-fence')).toBe(false);
    const project = await api.get(`/apis/argoproj.io/v1alpha1/namespaces/${argo.namespace}/appprojects/${PROJECT}`);
    expect((project.spec.namespaceResourceWhitelist ?? []).map((k: any) => k.kind)).not.toContain('Role');
    // An operator ends the retrying operation (as `argocd app terminate-op`); the next publish (the
    // release, which has no fence objects) brings the Application back to Synced and Healthy.
    await argo.terminate(app);
    await argo.wait(app, 'the refused operation ended', (a) => !['Running', 'Terminating'].includes(a.status?.operationState?.phase), new Timeline(), 3 * MINUTE);
  });

  test(`a new release (${RELEASE_ENV} ${RELEASE}): Argo CD runs the migration hook first and only then rolls the Deployments; test, refused at the fence before, is Synced and Healthy again`, async () => {
    const before = renders.r1;
    const rev = await publishRender('release');
    const published = Date.now() - observer!.t0;
    const at = await refreshAll();
    const lines: string[] = [];
    // Staging syncs the release; test and production render the same objects as before, so they
    // compare Synced at the new revision without an operation (test's last one stays the fenced
    // sync that was ended: the release no longer holds the refused objects).
    await Promise.all(ENVS.map(async (env) => {
      const timeline = new Timeline(at);
      const done = env === RELEASE_ENV ? syncedHealthy(rev) : comparesSyncedHealthy(rev);
      await argo.wait(APP(env), `Synced and Healthy at ${rev.slice(0, 7)}`, done, timeline, 6 * MINUTE);
      figures[`release ${env}: publish -> Synced + Healthy (s)`] = elapsed(at);
      figures[`release ${env}: states seen`] = timeline.toString();
    }));
    lines.push(migrationsBeforeBackend(NS[RELEASE_ENV], RELEASE));
    for (const env of ENVS) {
      const ops = observer!.operationsOf(APP(env), published);
      if (ops.length) figures[`release ${env}: phases and waves seen`] = wavesSeen(ops[ops.length - 1]);
      // Every Deployment whose image changed runs the new one, fully rolled out.
      for (const d of objectsOf(renders.release, env).filter((o) => o.kind === 'Deployment')) {
        const old = objectsOf(before, env).find((o) => o.kind === 'Deployment' && o.metadata.name === d.metadata.name);
        const want = d.spec.template.spec.containers.map((c: any) => c.image);
        const live = await api.get(`/apis/apps/v1/namespaces/${NS[env]}/deployments/${d.metadata.name}`);
        expect(`${env}/${d.metadata.name}: ${live.spec.template.spec.containers.map((c: any) => c.image).join(',')}`).toBe(`${env}/${d.metadata.name}: ${want.join(',')}`);
        if (JSON.stringify(old?.spec.template.spec.containers.map((c: any) => c.image)) !== JSON.stringify(want)) {
          const st = live.status ?? {};
          expect(`${env}/${d.metadata.name} updated ${st.updatedReplicas ?? 0} ready ${st.readyReplicas ?? 0}`).toBe(`${env}/${d.metadata.name} updated ${live.spec.replicas} ready ${live.spec.replicas}`);
        }
      }
    }
    figures['release: migrations before backend'] = `\n  ${lines.join('\n  ')}`;
    // Each migration took its 5 s (kwok's cluster-test-pod-complete-after stage), and Argo CD waited for it.
    for (const l of lines) expect(Number(/\(ran ([\d.]+)s\)/.exec(l)?.[1])).toBeGreaterThanOrEqual(5);
  });

  test('a failing migration stops the sync: the attempt fails at the hook, the Application never gets Synced and Healthy, and the old backend keeps serving (control: a hook that fails)', async () => {
    const app = APP('staging');
    const ns = NS.staging;
    const oldImage = (await api.get(`/apis/apps/v1/namespaces/${ns}/deployments/backend`)).spec.template.spec.containers[0].image;
    expect(versionOf(oldImage)).toBe(RELEASE);
    const rev = await publishRender('badMigration');
    const published = Date.now() - observer!.t0;
    const at = await refreshAll();
    const timeline = new Timeline(at);
    const served = { polls: 0, minReady: Number.MAX_SAFE_INTEGER, images: new Set<string>(), everHealthyAtRev: false };
    const failedJobs = () => [...observer!.jobs.values()].filter((j) => j.ns === ns && j.name === 'migrate' && versionOf(j.image) === STAGING_NEXT);
    let hook: any;
    let last: KubeObject | undefined;
    // Argo CD retries a failed automated sync with a growing backoff, each attempt stopping at the
    // same hook; the first failed attempt is the proof, so the test waits for that, not the last.
    await waitFor(`${app}: a sync attempt on ${rev.slice(0, 7)} to fail at its migrate hook`, async () => {
      const d = await api.get(`/apis/apps/v1/namespaces/${ns}/deployments/backend`);
      served.polls++;
      served.images.add(d.spec.template.spec.containers[0].image);
      served.minReady = Math.min(served.minReady, d.status?.readyReplicas ?? 0);
      last = await argo.get(app);
      timeline.record(appState(last));
      if (syncedHealthy(rev)(last)) served.everHealthyAtRev = true;
      const op = last.status?.operationState;
      if (op?.operation?.sync?.revision !== rev) return false;
      hook = (op.syncResult?.resources ?? []).find((r: any) => r.hookType && r.name === 'migrate' && r.hookPhase === 'Failed') ?? hook;
      const attemptFailed = ['Failed', 'Error'].includes(op.phase) || (op.retryCount ?? 0) >= 1;
      return attemptFailed && failedJobs().some((j) => j.failed);
    }, 10 * MINUTE, async () => `${last ? describeApp(last) : ''}\n${timeline}`, 250);
    const op = last!.status.operationState;
    figures['failing migration: operation'] = `${op.phase}${op.retryCount ? ` (retry ${op.retryCount})` : ''}, ${elapsed(at)}s after the publish: ${op.message}`;
    figures['failing migration: hook'] = hook ? `${hook.kind}/${hook.name} ${hook.hookPhase}: ${hook.message}` : '(the failed hook was not seen in the operation\'s result between two polls)';
    figures['failing migration: migrate Jobs run'] = `${failedJobs().length} (${failedJobs().map((j) => j.failed ?? 'not failed').join('; ')})`;
    figures['failing migration: Application afterwards'] = `sync ${last!.status.sync.status}, health ${last!.status.health.status}`;
    figures['failing migration: old backend while it ran'] = `${served.polls} polls: images ${[...served.images].join(', ')}; at least ${served.minReady} Ready`;
    figures['failing migration: states seen'] = timeline.toString();
    const ops = observer!.operationsOf(app, published);
    if (ops.length) figures['failing migration: phases and waves seen'] = wavesSeen(ops[ops.length - 1]);
    // An operator ends the retries (`argocd app terminate-op`), as the fence test does.
    if (op.phase === 'Running') await argo.terminate(app);
    await argo.wait(app, 'the operation ended', (a) => !['Running', 'Terminating'].includes(a.status?.operationState?.phase), new Timeline(), 3 * MINUTE);
    expect(op.phase === 'Failed' || /completed unsuccessfully|failed/i.test(op.message ?? '')).toBe(true);
    expect(failedJobs().filter((j) => j.completed)).toEqual([]);
    expect(last!.status.sync.status).toBe('OutOfSync');
    // The control: the wait the first sync and the release passed (Synced + Healthy + Succeeded at
    // the revision) never held here.
    expect(served.everHealthyAtRev).toBe(false);
    expect([...served.images]).toEqual([oldImage]);
    // Nothing after the hook was applied: no backend ReplicaSet of the new version.
    expect([...observer!.replicaSets.values()].filter((r) => r.ns === ns && versionOf(r.image) === STAGING_NEXT)).toEqual([]);
    const d = await api.get(`/apis/apps/v1/namespaces/${ns}/deployments/backend`);
    expect(served.minReady).toBeGreaterThanOrEqual(d.spec.replicas);
    expect(d.status.readyReplicas).toBe(d.spec.replicas);
    // The other environments did not move.
    for (const env of ['test', 'production']) expect(comparesSyncedHealthy()(await argo.get(APP(env)))).toBe(true);
  });

  test('the fixed release and the KEDA variant sync: staging migrates, then rolls; short cooldowns and test\'s Redis database are live', async () => {
    const rev = await publishRender('keda');
    const at = await refreshAll();
    await Promise.all(ENVS.map(async (env) => {
      const timeline = new Timeline(at);
      await argo.wait(APP(env), `Synced and Healthy at ${rev.slice(0, 7)}`, syncedHealthy(rev), timeline, 6 * MINUTE);
      figures[`keda variant ${env}: publish -> Synced + Healthy (s)`] = elapsed(at);
    }));
    figures['keda variant staging: migrations before backend'] = migrationsBeforeBackend(NS.staging, STAGING_NEXT);
    for (const env of ENVS) {
      for (const so of await api.list(`${KEDA_GROUP}/namespaces/${NS[env]}/scaledobjects`)) {
        expect(`${env}/${so.metadata.name} cooldown ${so.spec.cooldownPeriod}`).toBe(`${env}/${so.metadata.name} cooldown ${SHORT_COOLDOWN}`);
        if (env === 'test') expect(so.spec.triggers[0].metadata.databaseIndex).toBe(String(REDIS_DB));
      }
    }
  });

  test('KEDA on RabbitMQ (production, its own vhost): export scales from 0 to ceil(N / 10), out to its maximum, and back to 0 after the cooldown', async () => {
    const env = 'production';
    const ns = NS[env];
    const so = objectsOf(renders.keda, env).find((o) => o.kind === 'ScaledObject' && o.metadata.name === 'worker-export');
    const perReplica = Number(so.spec.triggers[0].metadata.value);
    const max = so.spec.maxReplicaCount;
    expect(so.spec.minReplicaCount).toBe(0);
    const vhost = rabbitUsers[env].vhost;
    const queue = so.spec.triggers[0].metadata.queueName;
    const watch = new ReplicaWatch(api, [`${ns}/worker-export`]);
    watch.start();
    try {
      expect(await replicas(api, ns, 'worker-export')).toEqual({ spec: 0, ready: 0 });
      const n1 = 25;
      const want1 = Math.min(Math.ceil(n1 / perReplica), max);
      let start = Date.now();
      await publishMessages(vhost, queue, n1);
      await waitReplicas(api, watch, ns, 'worker-export', want1, 3 * MINUTE);
      figures[`KEDA rabbitmq: ${n1} messages, 0 -> ${want1} Ready replicas (ceil(${n1}/${perReplica})) in (s)`] = elapsed(start); // from the first message published
      const n2 = 100;
      const want2 = Math.min(Math.ceil((n1 + n2) / perReplica), max);
      start = Date.now();
      await publishMessages(vhost, queue, n2, 'more');
      await waitReplicas(api, watch, ns, 'worker-export', want2, 3 * MINUTE);
      figures[`KEDA rabbitmq: ${n1 + n2} messages, ${want1} -> ${want2} (ceil(${n1 + n2}/${perReplica}) = ${Math.ceil((n1 + n2) / perReplica)}, max ${max}) in (s)`] = elapsed(start);
      await sleep(10_000); // it stays at the maximum
      expect(watch.max.get(`${ns}/worker-export`)).toBe(want2);
      // While KEDA holds it at the maximum, Argo CD still reports no drift.
      const prod = (await compareAgain()).find((a) => a.metadata.name === APP(env))!;
      expect(`${prod.status.sync.status} ${outOfSync(prod).join(', ')}`).toBe('Synced ');
      // The workers (the test) drain the queue.
      await rabbit('DELETE', `/queues/${vhost}/${queue}/contents`);
      start = Date.now();
      await waitReplicas(api, watch, ns, 'worker-export', 0, 3 * MINUTE);
      figures[`KEDA rabbitmq: drained, ${want2} -> 0 in (s; cooldownPeriod ${so.spec.cooldownPeriod}, pollingInterval ${so.spec.pollingInterval})`] = elapsed(start);
    } finally {
      await watch.stop();
      figures['KEDA rabbitmq: replicas over time'] = `\n${watch.report()}`;
    }
  });

  test(`KEDA on Redis (test, database ${REDIS_DB}): export scales from 0, is capped at its maximum and returns to 0; a ScaledObject on the wrong queue, and tasks in database 0, never scale anything (control)`, async () => {
    const env = 'test';
    const ns = NS[env];
    const rendered = objectsOf(renders.keda, env);
    const so = rendered.find((o) => o.kind === 'ScaledObject' && o.metadata.name === 'worker-export');
    const dep = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker-export');
    const perReplica = Number(so.spec.triggers[0].metadata.listLength);
    const max = so.spec.maxReplicaCount;
    const list = so.spec.triggers[0].metadata.listName;
    expect(so.spec.triggers[0].metadata.databaseIndex).toBe(String(REDIS_DB));
    // The control: the rendered ScaledObject and Deployment, copied with another name and only the
    // queue changed (not Argo CD's: no tracking annotation, so the Application ignores them).
    const controlDep = {
      ...dep,
      metadata: { name: 'control-wrong-queue', namespace: ns, labels: { app: 'control-wrong-queue' } },
      spec: {
        ...dep.spec,
        replicas: 0,
        selector: { matchLabels: { app: 'control-wrong-queue' } },
        template: { ...dep.spec.template, metadata: { labels: { app: 'control-wrong-queue' } } },
      },
    };
    const controlSo = {
      ...so,
      metadata: { name: 'control-wrong-queue', namespace: ns },
      spec: {
        ...so.spec,
        scaleTargetRef: { ...so.spec.scaleTargetRef, name: 'control-wrong-queue' },
        triggers: [{ ...so.spec.triggers[0], metadata: { ...so.spec.triggers[0].metadata, listName: `${list}-wrong-queue` } }],
      },
    };
    for (const o of [controlDep, controlSo]) {
      const group = o.kind === 'Deployment' ? `/apis/apps/v1/namespaces/${ns}/deployments` : `${KEDA_GROUP}/namespaces/${ns}/scaledobjects`;
      await api.apply(`${group}/${o.metadata.name}`, o, FIELD_MANAGER);
    }
    await waitFor('the control ScaledObject to be Ready', async () => condition(await api.get(`${KEDA_GROUP}/namespaces/${ns}/scaledobjects/control-wrong-queue`), 'Ready').status === 'True',
      2 * MINUTE, () => scaledObjectState(api, ns, 'control-wrong-queue'));
    // The drift test left export scaled up on database 0's queue, with the rendered 300 s cooldown
    // (now 20 s): KEDA brings it back to 0 first.
    await waitFor(`${ns}/worker-export to be back at 0`, async () => (await replicas(api, ns, 'worker-export')).spec === 0, 6 * MINUTE,
      () => scaledObjectState(api, ns, 'worker-export'), 1000);
    const watch = new ReplicaWatch(api, [`${ns}/worker-export`, `${ns}/control-wrong-queue`]);
    watch.start();
    try {
      // Tasks in database 0, where the render as shipped (databaseIndex 0) would have looked.
      await redisCmd(0, 'RPUSH', list, ...Array.from({ length: 30 }, (_, i) => `db0-${i}`));
      await sleep(2 * (so.spec.pollingInterval + 5) * 1000);
      expect((await replicas(api, ns, 'worker-export')).spec).toBe(0);
      figures[`KEDA redis: 30 tasks in database 0 over ${2 * (so.spec.pollingInterval + 5)}s`] = 'no scaling (the ScaledObject reads database 3)';
      const n1 = 8;
      const want1 = Math.min(Math.ceil(n1 / perReplica), max);
      const start = Date.now();
      await redisCmd(REDIS_DB, 'RPUSH', list, ...Array.from({ length: n1 }, (_, i) => `task-${i}`));
      await waitReplicas(api, watch, ns, 'worker-export', want1, 3 * MINUTE);
      figures[`KEDA redis: ${n1} tasks in database ${REDIS_DB}, 0 -> ${want1} Ready replicas (ceil(${n1}/${perReplica})) in (s)`] = elapsed(start); // from the first task pushed
      const n2 = 45;
      const want2 = Math.min(Math.ceil((n1 + n2) / perReplica), max);
      const t2 = Date.now();
      await redisCmd(REDIS_DB, 'RPUSH', list, ...Array.from({ length: n2 }, (_, i) => `more-${i}`));
      await waitReplicas(api, watch, ns, 'worker-export', want2, 3 * MINUTE);
      figures[`KEDA redis: ${n1 + n2} tasks, ${want1} -> ${want2} (ceil(${n1 + n2}/${perReplica}) = ${Math.ceil((n1 + n2) / perReplica)}, max ${max}) in (s)`] = elapsed(t2);
      await sleep(15_000);
      expect(watch.max.get(`${ns}/worker-export`)).toBe(want2);
      await redisCmd(REDIS_DB, 'DEL', list); // the workers (the test) drain the queue
      const drained = Date.now();
      await waitReplicas(api, watch, ns, 'worker-export', 0, 3 * MINUTE);
      figures[`KEDA redis: drained, ${want2} -> 0 in (s; cooldownPeriod ${so.spec.cooldownPeriod}, pollingInterval ${so.spec.pollingInterval})`] = elapsed(drained);
      figures['KEDA redis: whole cycle (s)'] = elapsed(start);
    } finally {
      await watch.stop();
      figures['KEDA redis: replicas over time'] = `\n${watch.report()}`;
      await redisCmd(0, 'DEL', list);
    }
    expect(watch.max.get(`${ns}/control-wrong-queue`)).toBe(0);
    const control = await api.get(`${KEDA_GROUP}/namespaces/${ns}/scaledobjects/control-wrong-queue`);
    figures['KEDA redis, control on the wrong queue'] = `${await scaledObjectState(api, ns, 'control-wrong-queue')}; never above 0 replicas`;
    expect(`Ready=${condition(control, 'Ready').status} Active=${condition(control, 'Active').status}`).toBe('Ready=True Active=False');
    await api.delete(`${KEDA_GROUP}/namespaces/${ns}/scaledobjects/control-wrong-queue`);
    await api.delete(`/apis/apps/v1/namespaces/${ns}/deployments/control-wrong-queue`);
  });

  test('the trigger authenticates as rendered: a wrong password in picvario-broker makes production\'s ScaledObjects report the failure instead of scaling; the right one scales again', async () => {
    const env = 'production';
    const ns = NS[env];
    const u = rabbitUsers[env];
    // storage-scan (0 to 4, 10 tasks per worker) has not scaled yet, so no HPA remembers an earlier peak.
    const name = 'worker-storage-scan';
    const so = objectsOf(renders.keda, env).find((o) => o.kind === 'ScaledObject' && o.metadata.name === name);
    const queue = so.spec.triggers[0].metadata.queueName;
    const n = 25;
    const want = Math.min(Math.ceil(n / Number(so.spec.triggers[0].metadata.value)), so.spec.maxReplicaCount);
    const remote = objectsOf(renders.keda, env).find((o) => o.kind === 'ExternalSecret' && o.spec.target.name === BROKER_SECRET).spec.data
      .find((d: any) => d.secretKey === 'broker-url').remoteRef;
    const readUrl = async () => Buffer.from((await api.get(`/api/v1/namespaces/${ns}/secrets/${BROKER_SECRET}`)).data['broker-url'], 'base64').toString();
    const watch = new ReplicaWatch(api, [`${ns}/${name}`]);
    watch.start();
    try {
      // The store holds a wrong password; the External Secrets stand-in writes it into the Secret.
      standIns!.vault.get(remote.key)![remote.property] = amqpUrl(env, 'not-the-password');
      await waitFor('picvario-broker to hold the wrong password', async () => (await readUrl()).includes(':not-the-password@'), MINUTE);
      // KEDA holds its AMQP connections open; as at a broker restart, they are closed, and KEDA
      // rebuilds its scalers from the TriggerAuthentication, which reads the Secret again.
      const conns = ((await rabbit('GET', `/vhosts/${u.vhost}/connections`)) ?? []).filter((c: any) => c.user === u.user);
      for (const c of conns) await rabbit('DELETE', `/connections/${encodeURIComponent(c.name)}`);
      figures['KEDA auth: connections closed'] = conns.length;
      await publishMessages(u.vhost, queue, n, 'auth');
      let state = '';
      const t0 = Date.now();
      await waitFor(`ScaledObject ${ns}/${name} to report the failure`, async () => {
        const o = await api.get(`${KEDA_GROUP}/namespaces/${ns}/scaledobjects/${name}`);
        state = await scaledObjectState(api, ns, name);
        return condition(o, 'Ready').status === 'False';
      }, 3 * MINUTE, async () => `${state}\n${await argocdLogTail(5)}`, 500);
      figures['KEDA auth, wrong password: ScaledObject'] = `${state} (after ${elapsed(t0)}s)`;
      const warnings = (await events(api, ns, name)).filter((e: any) => e.type === 'Warning' && e.reason === 'KEDAScalerFailed');
      figures['KEDA auth, wrong password: events'] = warnings.map((e: any) => `${e.reason} (x${e.count ?? 1}): ${e.message}`).join(' | ');
      expect(warnings.map((e: any) => e.message).join('\n')).toMatch(/ACCESS_REFUSED|username or password not allowed|403/);
      // And Argo CD shows it.
      const prod = (await compareAgain()).find((a) => a.metadata.name === APP(env))!;
      const health = healthOf(prod, 'ScaledObject', name);
      figures['KEDA auth, wrong password: Argo CD'] = `${APP(env)} health ${prod.status.health.status}; ScaledObject/${name} ${health.status}: ${health.message}`;
      expect(health.status).toBe('Degraded');
      expect(prod.status.health.status).toBe('Degraded');
      await sleep(20_000);
      expect((await replicas(api, ns, name)).spec).toBe(0); // the messages wait; nothing scaled
      // The right password again: KEDA retries its scaler at each poll and picks it up.
      standIns!.vault.get(remote.key)![remote.property] = amqpUrl(env);
      const fixed = Date.now();
      await waitReplicas(api, watch, ns, name, want, 4 * MINUTE);
      figures[`KEDA auth: right password back, ${name} 0 -> ${want} (ceil(${n}/10)) in (s)`] = elapsed(fixed);
      expect(condition(await api.get(`${KEDA_GROUP}/namespaces/${ns}/scaledobjects/${name}`), 'Ready').status).toBe('True');
      await rabbit('DELETE', `/queues/${u.vhost}/${queue}/contents`);
      await waitReplicas(api, watch, ns, name, 0, 3 * MINUTE);
      await argo.wait(APP(env), 'Healthy again', (a) => a.status?.health?.status === 'Healthy', new Timeline(), 3 * MINUTE);
    } finally {
      standIns!.vault.get(remote.key)![remote.property] = amqpUrl(env);
      await watch.stop();
      figures['KEDA auth: replicas over time'] = `\n${watch.report()}`;
    }
  });

  test('prune: a queue removed from the render (its Deployment, ScaledObject, PDB, ...) is deleted from the cluster, and nothing else is', async () => {
    const env = 'test';
    const ns = NS[env];
    const app = APP(env);
    const before = objectsOf(renders.keda, env);
    const after = objectsOf(render('prune'), env);
    const k = (o: any) => key(o.kind, o.metadata.namespace, o.metadata.name);
    const removed = before.filter((o) => !after.some((a) => k(a) === k(o))).map(k).sort();
    expect(removed.filter((r) => /^(Deployment|ScaledObject|PodDisruptionBudget)\//.test(r))).toEqual([
      `Deployment/${ns}/worker-storage-scan`, `PodDisruptionBudget/${ns}/worker-storage-scan`, `ScaledObject/${ns}/worker-storage-scan`,
    ]);
    const liveBefore = (await argo.get(app)).status.resources.filter((r: any) => !r.hook);
    const uid = async (r: any) => {
      const group = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const plural = (await api.get(group)).resources.find((x: any) => x.kind === r.kind && !x.name.includes('/')).name;
      const o = await api.get(`${group}/${r.namespace ? `namespaces/${r.namespace}/` : ''}${plural}/${r.name}`).catch(() => undefined);
      return o?.metadata.uid as string | undefined;
    };
    const uids = new Map<string, string | undefined>();
    for (const r of liveBefore) uids.set(key(r.kind, r.namespace, r.name), await uid(r));
    expect(await exists(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/keda-hpa-worker-storage-scan`)).toBe(true);
    const rev = await publishRender('prune');
    const at = await refreshAll();
    await argo.wait(app, `Synced and Healthy at ${rev.slice(0, 7)}`, syncedHealthy(rev), new Timeline(at), 5 * MINUTE);
    const gone: string[] = [];
    const kept: string[] = [];
    const problems: string[] = [];
    for (const r of liveBefore) {
      const kk = key(r.kind, r.namespace, r.name);
      const now = await uid(r);
      if (removed.includes(kk)) {
        if (now) problems.push(`${kk} was removed from the render but still exists`);
        else gone.push(kk);
      } else if (now !== uids.get(kk)) {
        problems.push(`${kk} was not removed from the render, yet it ${now ? 'was recreated' : 'is gone'}`);
      } else {
        kept.push(kk);
      }
    }
    await waitFor('KEDA\'s HPA of the pruned ScaledObject to be garbage-collected', async () =>
      !(await exists(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/keda-hpa-worker-storage-scan`)), MINUTE);
    figures['prune: deleted'] = `${gone.join(', ')} (and KEDA's HPA keda-hpa-worker-storage-scan, owned by the ScaledObject) in ${elapsed(at)}s`;
    figures['prune: kept with the same uid'] = kept.length;
    expect(problems).toEqual([]);
    expect(gone.sort()).toEqual(removed.filter((r) => liveBefore.some((l: any) => key(l.kind, l.namespace, l.name) === r)).sort());
    expect(gone.length).toBeGreaterThanOrEqual(3);
    // Nothing of the other environments moved either.
    for (const e of ['staging', 'production']) expect(syncedHealthy()(await argo.get(APP(e)))).toBe(true);
  });

  test('at the end: every Application Synced and Healthy, no resource OutOfSync', async () => {
    const apps = await compareAgain();
    figures['at the end'] = apps.map((a) => `${a.metadata.name} ${a.status.sync.status}/${a.status.health.status}`).join(', ');
    for (const a of apps) expect(`${a.metadata.name}: ${a.status.sync.status}/${a.status.health.status} ${outOfSync(a).join(', ')}`).toBe(`${a.metadata.name}: Synced/Healthy `);
    for (const env of ENVS) {
      const t = observer!.timelines.get(APP(env));
      if (t) figures[`Application ${APP(env)} over the whole run`] = t.toString();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Previews: the ApplicationSet that argoCd.previews renders, on the real ApplicationSet controller,
// for a small app of its own (project "shop"), beside Picvario's and after it.

const SHOP_PREVIEWS = 'shop-previews';
const SHOP_BASE: DjangoAppChartProps = {
  appName: 'shop',
  namespace: 'shop-staging',
  version: '1.0.0',
  image: 'registry.example.com/shop/api',
  settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
  backend: { resources: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '128Mi', memoryLimit: '256Mi' }, minReplicas: 1, maxReplicas: 2 },
  externalServices: [{ name: 'postgres', cidrs: ['10.61.1.0/24'], ports: [5432] }],
};

describe('previews: the ApplicationSet of argoCd.previews makes one Application per folder under previews/, and prunes a closed one', () => {
  let shopRepo = '';
  const cli = async (...args: string[]) => {
    const r = await run('node', [path.join(REPO, 'lib/cli/main.js'), ...args], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`k8s-topology ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout.trim();
  };
  const shopApp = (outdir: string, argoCd?: DeliveryAppProps['argoCd']) =>
    new DeliveryApp({ outdir, packageName: 'shop-deploy', packageVersion: '1.0.0', annotationDomain: 'shop.example.com', argoCd });
  /** What a git push webhook does for an ApplicationSet: compare with the branch now, not at the next poll. */
  const refreshPreviews = () => api.mergePatch(`${ARGOCD_GROUP}/namespaces/${argo.namespace}/applicationsets/${SHOP_PREVIEWS}`,
    { metadata: { annotations: { 'argocd.argoproj.io/application-set-refresh': 'true' } } });
  /** Each preview renders into a folder of its own, as on its own CI run. */
  const previewOut = (pr: number) => path.join(tmp, `shop-preview-${pr}`);
  const previewObjects = (pr: number) => {
    const index = JSON.parse(readFileSync(path.join(previewOut(pr), `pr-${pr}`, 'index.json'), 'utf8'));
    return index.objects.map((o: any) => `${o.kind}/${o.namespace}/${o.name}`) as string[];
  };
  const live = async (objects: string[]) => {
    const found: string[] = [];
    for (const o of objects) {
      const [kind, ns, name] = o.split('/');
      if ((await run('kubectl', ['get', '-n', ns, kind, name, '-o', 'name'])).code === 0) found.push(o);
    }
    return found;
  };

  test('the base render with argoCd.previews is published, and an admin applies its projects and the ApplicationSet', async () => {
    shopRepo = path.join(need('CP_ARGOCD_GIT_ROOT', 'Argo CD'), 'shop.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', shopRepo]);
    const base = path.join(tmp, 'shop-base');
    const app = shopApp(base, { repoUrl: `file://${shopRepo}`, previews: {} });
    new DjangoAppChart(app, 'staging', SHOP_BASE);
    app.synth();
    await cli('publish', '--source', base, '--repo', shopRepo);
    // The root Application would sync previews.yaml like the other Applications; the base environment is not needed here.
    await kubectlOk(['apply', '-f', path.join(base, 'argocd', '00-projects.yaml'), '-f', path.join(base, 'argocd', 'previews.yaml')]);
    await waitFor(`ApplicationSet ${SHOP_PREVIEWS} to be reconciled`, async () =>
      condition(await api.get(`${ARGOCD_GROUP}/namespaces/${argo.namespace}/applicationsets/${SHOP_PREVIEWS}`), 'ResourcesUpToDate').status === 'True', MINUTE);
  });

  test('two previews published with k8s-topology preview publish become two Applications, each deploying into its own namespace', async () => {
    for (const pr of [1, 2]) {
      const app = shopApp(previewOut(pr));
      new PreviewEnvironment({ pullRequest: pr, domain: 'preview.shop.example.com' }).addChart(app, SHOP_BASE);
      app.synth();
      await cli('preview', 'publish', '--pr', String(pr), '--source', previewOut(pr), '--repo', shopRepo);
    }
    const started = Date.now();
    await refreshPreviews();
    for (const pr of [1, 2]) {
      await waitFor(`Application ${SHOP_PREVIEWS}-pr-${pr}`, async () => exists(argo.appPath(`${SHOP_PREVIEWS}-pr-${pr}`)), 2 * MINUTE, argocdLogTail);
      const app = await argo.get(`${SHOP_PREVIEWS}-pr-${pr}`);
      expect([app.spec.source.path, app.spec.destination.namespace]).toEqual([`previews/pr-${pr}`, `shop-pr-${pr}`]);
      // Every object of the preview's folder: the backend is in the last sync wave.
      await waitFor(`every object of previews/pr-${pr} in shop-pr-${pr}`, async () =>
        (await live(previewObjects(pr))).length === previewObjects(pr).length, 3 * MINUTE, async () => describeApp(await argo.get(`${SHOP_PREVIEWS}-pr-${pr}`)));
    }
    figures['previews: two Applications deployed after (s)'] = elapsed(started);
    const apps = (await api.list(`${ARGOCD_GROUP}/namespaces/${argo.namespace}/applications`)).map((a) => a.metadata.name).filter((n) => n.startsWith(SHOP_PREVIEWS));
    expect(apps.sort()).toEqual([`${SHOP_PREVIEWS}-pr-1`, `${SHOP_PREVIEWS}-pr-2`]);
  });

  test('k8s-topology preview remove --pr 1: its Application and every object it deployed are deleted; pr-2 keeps its Application and objects', async () => {
    const removed = previewObjects(1);
    expect(removed.length).toBeGreaterThanOrEqual(5);
    expect(await cli('preview', 'remove', '--pr', '1', '--repo', shopRepo)).toMatch(/remove previews\/pr-1$/);
    const started = Date.now();
    await refreshPreviews();
    await waitFor(`Application ${SHOP_PREVIEWS}-pr-1 to be deleted`, async () => !(await exists(argo.appPath(`${SHOP_PREVIEWS}-pr-1`))), 3 * MINUTE, argocdLogTail);
    // The Application goes only after its finalizer has deleted what it deployed; checked, not assumed.
    expect(await live(removed)).toEqual([]);
    figures['previews: pr-1 and its objects deleted after (s)'] = elapsed(started);
    expect(await exists(argo.appPath(`${SHOP_PREVIEWS}-pr-2`))).toBe(true);
    expect(await live(previewObjects(2))).toEqual(previewObjects(2));
  });
});
