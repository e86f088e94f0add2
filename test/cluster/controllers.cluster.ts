// Runs the two controllers the manifests are written for, for real, on the throw-away control
// plane, each with small fixtures of its own (the rendered environments are not used here):
//   - Argo CD v3.6 (repo server + application controller) syncs folders of a local git repository:
//     automated sync with prune, selfHeal and ServerSideApply=true, a stray index.json next to the
//     YAML (fails the sync unless directory.include is '*.yaml'), and PreSync/Sync hook Jobs.
//   - KEDA v2.20 (operator + metrics adapter behind external.metrics.k8s.io) scales Deployments
//     from 0 on a RabbitMQ queue, back to 0 when drained; a ScaledObject reading the wrong queue
//     never scales, and one with a wrong password reports the failure. (Redis's scaler is covered
//     by the gitops suite on Picvario's render and by the shop suite on real worker pods.)
// Kubernetes pods are kwok pods: no container runs, so the test itself fills and drains the
// queues, standing in for producers and workers. What else a kwok cluster lacks (an ingress
// controller, metrics-server, External Secrets) is stood in for or shown, never hidden.
//
// Run it with `npm run test:cluster` (hack/control-plane/test.sh starts a control plane with
// CP_WITH_ARGOCD=1 CP_WITH_KEDA=1 CP_WITH_BROKERS=1 for this file). The tests run in order and
// share the cluster; each fails, naming what is missing, rather than skips.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArgoCd, condition, describeApp, elapsed, MINUTE, mustFail, need, syncedHealthy, Timeline } from './argocd';
import { events, KEDA_GROUP, rabbit, replicas as kedaReplicas, ReplicaWatch, scaledObjectState as soState, waitReplicas as waitReplicaCount } from './keda';
import { Api, ApiError, kubectlOk, KubeObject, run, sleep, waitFor } from './kube';

const FIELD_MANAGER = 'picvario-controllers-test';
const figures: Record<string, string | number> = {};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'picvario-controllers-test-'));
let api: Api;
let argo: ArgoCd;

// Thin bindings of the shared helpers to this suite's API client and Argo CD namespace.
const appPath = (name: string) => argo.appPath(name);
const getApp = (name: string) => argo.get(name);
const refresh = (name: string) => argo.refresh(name);
const waitApp = (name: string, what: string, check: (app: KubeObject) => boolean, timeline: Timeline, timeoutMs = 3 * MINUTE) =>
  argo.wait(name, what, check, timeline, timeoutMs);
const replicas = (ns: string, name: string) => kedaReplicas(api, ns, name);
const scaledObjectState = (ns: string, name: string) => soState(api, ns, name);

async function apply(objects: KubeObject[]): Promise<void> {
  await kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
}

// ---------------------------------------------------------------------------------------------
// nodes

const NODES = ['kwok-controllers-1', 'kwok-controllers-2'];

function nodeObject(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'type': 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    },
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: '110' },
      capacity: { cpu: '64', memory: '256Gi', pods: '110' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'kwok', containerRuntimeVersion: 'kwok' },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// fixtures

function namespace(name: string, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } };
}

function deployment(ns: string, name: string, replicaCount?: number, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, annotations, labels: { app: name } },
    spec: {
      ...(replicaCount === undefined ? {} : { replicas: replicaCount }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'main', image: 'registry.example.com/picvario/fixture:1.0.0', resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
        },
      },
    },
  };
}

function configMap(ns: string, name: string, data: Record<string, string>, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, annotations }, data };
}

function job(ns: string, name: string, annotations: Record<string, string>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns, annotations },
    spec: {
      backoffLimit: 1,
      activeDeadlineSeconds: 300,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'registry.example.com/picvario/fixture:1.0.0', command: ['true'] }],
        },
      },
    },
  };
}

function ingress(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: `${name}.${ns}.example.test`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }],
    },
  };
}

function cpuHpa(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
}

function yamlOf(objects: KubeObject[]): string {
  // JSON is valid YAML; one document per object.
  return objects.map((o) => `---\n${JSON.stringify(o, null, 2)}\n`).join('');
}

/** A stray file like the render's index.json: JSON, but not a Kubernetes object. */
function strayIndex(folder: string, files: string[]): string {
  return JSON.stringify({ folder, package: { name: '@picvario/k8s-topology', version: '0.0.0' }, digest: 'sha256:0', files: files.map((name) => ({ name, sha256: '0' })) }, null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// git

class GitRepo {
  static async create(root: string, name: string, branch: string): Promise<GitRepo> {
    const repo = new GitRepo(path.join(root, `${name}.git`), path.join(tmp, `${name}-work`), branch);
    await repo.git(['init', '-q', '--bare', '-b', branch, repo.bare], root);
    await repo.git(['init', '-q', '-b', branch, repo.work], tmp);
    await repo.git(['remote', 'add', 'origin', repo.bare]);
    return repo;
  }

  private constructor(readonly bare: string, readonly work: string, readonly branch: string) {}

  get url(): string { return `file://${this.bare}`; }

  async git(args: string[], cwd = this.work): Promise<string> {
    const r = await run('git', ['-C', cwd, '-c', 'user.name=cluster test', '-c', 'user.email=cluster-test@picvario.invalid', ...args], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout.trim();
  }

  write(file: string, content: string): void {
    mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
    writeFileSync(path.join(this.work, file), content);
  }

  remove(file: string): void { unlinkSync(path.join(this.work, file)); }

  /** Commits everything and pushes; returns the commit. */
  async commit(message: string): Promise<string> {
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '-m', message]);
    await this.git(['push', '-q', 'origin', `HEAD:${this.branch}`]);
    return this.git(['rev-parse', 'HEAD']);
  }
}

// ---------------------------------------------------------------------------------------------
// Argo CD


interface AppOptions {
  include?: string;
  syncOptions?: string[];
}

function application(name: string, repo: GitRepo, folder: string, destinationNamespace: string, opts: AppOptions = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: process.env.CP_ARGOCD_NAMESPACE },
    spec: {
      project: 'default',
      source: {
        repoURL: repo.url,
        targetRevision: repo.branch,
        path: folder,
        ...(opts.include ? { directory: { include: opts.include } } : {}),
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: destinationNamespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: opts.syncOptions ?? ['ServerSideApply=true'],
      },
    },
  };
}

/** The field managers that applied an object (server-side apply shows up as operation Apply). */
function managers(o: KubeObject): string[] {
  return ((o.metadata.managedFields as any[]) ?? []).map((m) => `${m.manager}/${m.operation}`);
}

// ---------------------------------------------------------------------------------------------
// KEDA


interface ScaledObjectOptions {
  type: 'redis' | 'rabbitmq';
  metadata: Record<string, string>;
  auth: string;
}

function scaledObject(ns: string, name: string, o: ScaledObjectOptions): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicaCount: 0,
      maxReplicaCount: 10,
      pollingInterval: 2,
      cooldownPeriod: 10,
      triggers: [{ type: o.type, metadata: o.metadata, authenticationRef: { name: o.auth } }],
    },
  };
}

function triggerAuthentication(ns: string, name: string, refs: Array<{ parameter: string; secret: string; key: string }>): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name, namespace: ns },
    spec: { secretTargetRef: refs.map((r) => ({ parameter: r.parameter, name: r.secret, key: r.key })) },
  };
}

function secret(ns: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', stringData: data } as KubeObject;
}

// ---------------------------------------------------------------------------------------------

beforeAll(() => {
  api = new Api();
  argo = new ArgoCd(api, process.env.CP_ARGOCD_NAMESPACE ?? 'argocd');
  if (process.env.CP_START_SECONDS) figures['control plane start, with Argo CD, KEDA and brokers (s)'] = process.env.CP_START_SECONDS;
});

afterAll(() => {
  const lines = ['', '=== controller test figures ===', ...Object.entries(figures).map(([k, v]) => `${k}: ${v}`), ''];
  process.stdout.write(lines.join('\n') + '\n');
  api?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Argo CD and KEDA running for real on the control plane', () => {
  test('Argo CD and KEDA are up: CRDs, namespaces, the external metrics API, and kwok nodes', async () => {
    figures['Argo CD'] = need('CP_ARGOCD_VERSION', 'Argo CD');
    figures.KEDA = need('CP_KEDA_VERSION', 'KEDA');
    need('CP_ARGOCD_GIT_ROOT', 'Argo CD');
    for (const crd of ['applications.argoproj.io', 'appprojects.argoproj.io', 'scaledobjects.keda.sh', 'triggerauthentications.keda.sh',
      'cloudeventsources.eventing.keda.sh', 'clustercloudeventsources.eventing.keda.sh']) {
      await api.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`).catch((e) => {
        throw new Error(`CRD ${crd} is not installed (start.sh applies them from CRDS_DIR): ${e}`);
      });
    }
    await api.get(`/apis/argoproj.io/v1alpha1/namespaces/${need('CP_ARGOCD_NAMESPACE', 'Argo CD')}/appprojects/default`);
    const apiService = await api.get('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.external.metrics.k8s.io');
    expect(condition(apiService, 'Available').status).toBe('True');
    const resources = await api.get('/apis/external.metrics.k8s.io/v1beta1');
    expect(resources.groupVersion).toBe('external.metrics.k8s.io/v1beta1');
    for (const n of NODES) await api.post('/api/v1/nodes', nodeObject(n));
    await waitFor('the kwok nodes to be Ready', async () => {
      const nodes = await api.list('/api/v1/nodes');
      return NODES.every((n) => nodes.some((x) => x.metadata.name === n && condition(x, 'Ready').status === 'True'));
    }, MINUTE);
  });

  describe('Argo CD', () => {
    let repo: GitRepo;
    const DEMO_NS = 'cp-argocd-demo';
    const STRICT_NS = 'cp-argocd-strict';
    const HOOKS_NS = 'cp-argocd-hooks';
    const GAPS_NS = 'cp-argocd-gaps';

    beforeAll(async () => {
      repo = await GitRepo.create(need('CP_ARGOCD_GIT_ROOT', 'Argo CD'), 'rendered', 'rendered');
      for (const [folder, ns] of [['demo', DEMO_NS], ['strict', STRICT_NS]]) {
        repo.write(`${folder}/00-environment.yaml`, yamlOf([namespace(ns)]));
        repo.write(`${folder}/app.yaml`, yamlOf([configMap(ns, 'settings', { GREETING: 'hello' }), deployment(ns, 'web')]));
        repo.write(`${folder}/index.json`, strayIndex(folder, ['00-environment.yaml', 'app.yaml']));
      }
      // As the render has it: the Namespace in the folder (sync-wave -2), configuration at -1, and
      // a PreSync hook that runs in that namespace.
      repo.write('hooks/00-environment.yaml', yamlOf([namespace(HOOKS_NS, { 'argocd.argoproj.io/sync-wave': '-2' })]));
      repo.write('hooks/app.yaml', yamlOf([
        configMap(HOOKS_NS, 'settings', { GREETING: 'hello' }, { 'argocd.argoproj.io/sync-wave': '-1' }),
        job(HOOKS_NS, 'migrate', { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }),
        job(HOOKS_NS, 'announce', { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }),
        deployment(HOOKS_NS, 'web'),
      ]));
      // What a kwok cluster lacks: no ingress controller writes the Ingress' load-balancer status,
      // and no metrics-server serves the CPU HPA's metric.
      repo.write('gaps/00-environment.yaml', yamlOf([namespace(GAPS_NS)]));
      repo.write('gaps/app.yaml', yamlOf([deployment(GAPS_NS, 'web'), ingress(GAPS_NS, 'web'), cpuHpa(GAPS_NS, 'web')]));
      figures['git revision'] = await repo.commit('render');
    });

    test('automated sync (prune, selfHeal, ServerSideApply=true) with directory.include "*.yaml" reaches Synced and Healthy', async () => {
      const timeline = new Timeline();
      await apply([application('cp-demo', repo, 'demo', DEMO_NS, { include: '*.yaml' })]);
      const ms = await waitApp('cp-demo', 'Synced and Healthy', syncedHealthy(figures['git revision'] as string), timeline);
      figures['Argo CD: time from Application to Synced + Healthy (s)'] = (ms / 1000).toFixed(1);
      figures['Argo CD: states seen'] = timeline.toString();
      const app = await getApp('cp-demo');
      const phases = (app.status.operationState?.syncResult?.resources ?? []).map((r: any) => `${r.kind}/${r.name}:${r.syncPhase}:${r.status}`);
      figures['Argo CD: synced resources (kind/name:phase:result)'] = phases.join(', ');
      expect(app.status.operationState.phase).toBe('Succeeded');
      expect((app.status.resources ?? []).map((r: any) => `${r.kind}/${r.name}`).sort()).toEqual(['ConfigMap/settings', 'Deployment/web', 'Namespace/cp-argocd-demo']);
      // Applied by Argo CD, server-side: its field manager holds the fields with operation Apply.
      const cm = await api.get(`/api/v1/namespaces/${DEMO_NS}/configmaps/settings`);
      expect(managers(cm)).toContain('argocd-controller/Apply');
      expect(cm.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toMatch(/^cp-demo:/);
      const web = await replicas(DEMO_NS, 'web');
      expect(web.ready).toBe(1);
    });

    test('selfHeal: a change made by hand is reverted', async () => {
      const start = Date.now();
      await api.mergePatch(`/api/v1/namespaces/${DEMO_NS}/configmaps/settings`, { data: { GREETING: 'changed by hand' } });
      await waitFor('Argo CD to restore the ConfigMap', async () => {
        const cm = await api.get(`/api/v1/namespaces/${DEMO_NS}/configmaps/settings`);
        return cm.data?.GREETING === 'hello';
      }, 2 * MINUTE, async () => describeApp(await getApp('cp-demo')), 250);
      figures['Argo CD: selfHeal reverted a hand edit after (s)'] = elapsed(start);
    });

    test('prune: an object whose file is gone from git is deleted', async () => {
      repo.write('demo/app.yaml', yamlOf([deployment(DEMO_NS, 'web')]));
      const revision = await repo.commit('drop the ConfigMap');
      const start = Date.now();
      await refresh('cp-demo');
      await waitApp('cp-demo', `Synced to ${revision.slice(0, 7)} and Healthy`, syncedHealthy(revision), new Timeline());
      await waitFor('the ConfigMap to be pruned', async () => {
        const e = await mustFail('reading the pruned ConfigMap', api.get(`/api/v1/namespaces/${DEMO_NS}/configmaps/settings`));
        return e instanceof ApiError && e.statusCode === 404;
      }, MINUTE);
      figures['Argo CD: push to pruned (s)'] = elapsed(start);
    });

    test('without directory.include the stray index.json fails the sync with Argo CD\'s own error; with it the same folder syncs', async () => {
      const timeline = new Timeline();
      await apply([application('cp-strict', repo, 'strict', STRICT_NS)]);
      let message = '';
      // The repo server reads index.json as a manifest (a JSON object is a valid document); the
      // controller then refuses it as a Kubernetes object. The message quotes the file's content,
      // not its name.
      await waitApp('cp-strict', 'a ComparisonError about the stray index.json', (app) => {
        const c = (app.status?.conditions ?? []).find((x: any) => x.type === 'ComparisonError');
        message = c?.message ?? '';
        return /Object 'Kind' is missing/.test(message);
      }, timeline, 2 * MINUTE);
      figures['Argo CD: without include, the error'] = message;
      figures['Argo CD: without include, states seen'] = timeline.toString();
      expect(message).toContain('Failed to load target state: failed to unmarshal manifests');
      expect(message).toContain("Object 'Kind' is missing in '{");
      expect(message).toContain('"folder":"strict"');
      expect((await getApp('cp-strict')).status.sync.status).toBe('Unknown');
      // Nothing was applied: the comparison failed before any sync.
      const e = await mustFail('reading the namespace', api.get(`/api/v1/namespaces/${STRICT_NS}`));
      expect(e instanceof ApiError && e.statusCode).toBe(404);

      await api.mergePatch(appPath('cp-strict'), { spec: { source: { directory: { include: '*.yaml' } } } });
      const fixed = new Timeline();
      const ms = await waitApp('cp-strict', 'Synced and Healthy once include is set', syncedHealthy(), fixed);
      figures['Argo CD: with include added, Synced + Healthy after (s)'] = (ms / 1000).toFixed(1);
    });

    test('hooks: the PreSync Job completes before the Sync phase, then the Sync hook Job, then the app is Healthy', async () => {
      const timeline = new Timeline();
      await apply([application('cp-hooks', repo, 'hooks', HOOKS_NS, { include: '*.yaml' })]);
      const ms = await waitApp('cp-hooks', 'Synced and Healthy', syncedHealthy(), timeline);
      figures['Argo CD: hooks app Synced + Healthy after (s)'] = (ms / 1000).toFixed(1);
      figures['Argo CD: hooks app states seen'] = timeline.toString();
      const app = await getApp('cp-hooks');
      const hooks = (app.status.operationState.syncResult.resources ?? []).filter((r: any) => r.hookType);
      figures['Argo CD: hooks run'] = hooks.map((r: any) => `${r.hookType} ${r.kind}/${r.name}: ${r.hookPhase}`).join(', ');
      expect(hooks.map((r: any) => `${r.hookType}/${r.name}/${r.hookPhase}`).sort()).toEqual(['PreSync/migrate/Succeeded', 'Sync/announce/Succeeded']);
      const phase = new Map<string, string>((app.status.operationState.syncResult.resources ?? []).map((r: any) => [`${r.kind}/${r.name}`, r.syncPhase]));
      figures['Argo CD: hooks app, phase of each object'] = [...phase].map(([k, v]) => `${k}:${v}`).join(', ');
      // Argo CD applies the Namespace in the PreSync phase, before the hook that runs in it; the
      // rest of the folder, the wave -1 ConfigMap included, only after the hook.
      expect(phase.get(`Namespace/${HOOKS_NS}`)).toBe('PreSync');
      expect(phase.get('ConfigMap/settings')).toBe('Sync');
      const migrate = await api.get(`/apis/batch/v1/namespaces/${HOOKS_NS}/jobs/migrate`);
      const announce = await api.get(`/apis/batch/v1/namespaces/${HOOKS_NS}/jobs/announce`);
      const web = await api.get(`/apis/apps/v1/namespaces/${HOOKS_NS}/deployments/web`);
      expect(migrate.status.succeeded).toBe(1);
      expect(announce.status.succeeded).toBe(1);
      // The Deployment (Sync phase) was created only after the PreSync Job had completed.
      expect(Date.parse(web.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Date.parse(migrate.status.completionTime));
    });

    test('what kwok lacks, as Argo CD sees it: the Ingress is Progressing until the test writes its load-balancer status; the CPU HPA stays Degraded without metrics-server', async () => {
      const timeline = new Timeline();
      await apply([application('cp-gaps', repo, 'gaps', GAPS_NS, { include: '*.yaml' })]);
      const healthOf = (app: KubeObject, kind: string) => (app.status?.resources ?? []).find((r: any) => r.kind === kind)?.health ?? {};
      let app: KubeObject | undefined;
      await waitApp('cp-gaps', 'Synced, the Ingress Progressing and the HPA Degraded', (a) => {
        app = a;
        return a.status?.sync?.status === 'Synced' && healthOf(a, 'Ingress').status === 'Progressing' && healthOf(a, 'HorizontalPodAutoscaler').status === 'Degraded';
      }, timeline);
      figures['Argo CD: no ingress controller, Ingress health'] = healthOf(app!, 'Ingress').status;
      figures['Argo CD: no metrics-server, HPA health'] = `${healthOf(app!, 'HorizontalPodAutoscaler').status}: ${healthOf(app!, 'HorizontalPodAutoscaler').message}`;
      expect(healthOf(app!, 'HorizontalPodAutoscaler').message).toContain('failed to get cpu utilization');
      expect(app!.status.health.status).toBe('Degraded');
      const hpa = await api.get(`/apis/autoscaling/v2/namespaces/${GAPS_NS}/horizontalpodautoscalers/web`);
      expect(condition(hpa, 'ScalingActive').reason).toBe('FailedGetResourceMetric');

      // The test stands in for the ingress controller.
      await api.mergePatch(`/apis/networking.k8s.io/v1/namespaces/${GAPS_NS}/ingresses/web/status`, { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } });
      await waitApp('cp-gaps', 'the Ingress Healthy once it has a load-balancer status', (a) => {
        app = a;
        return healthOf(a, 'Ingress').status === 'Healthy';
      }, timeline, MINUTE);
      figures['Argo CD: gaps app states seen'] = timeline.toString();
      expect(healthOf(app!, 'HorizontalPodAutoscaler').status).toBe('Degraded');
      expect(app!.status.health.status).toBe('Degraded');
    });
  });

  describe('KEDA', () => {
    const RABBIT_NS = 'cp-keda-rabbitmq';
    const VHOST = 'picvario-test';
    const QUEUE = 'celery-media-import';
    const RABBIT_USER = 'picvario-worker';
    const RABBIT_PASSWORD = `pw-${process.pid}`;

    test('rabbitmq trigger: 17 messages in a queue of a non-default vhost scale a Deployment from 0 to 4; purged, back to 0; a wrong password reports the failure', async () => {
      need('CP_KEDA_NAMESPACE', 'KEDA');
      const host = need('CP_RABBITMQ_HOST', 'the RabbitMQ broker');
      const port = need('CP_RABBITMQ_PORT', 'the RabbitMQ broker');
      await rabbit('PUT', `/vhosts/${VHOST}`, {});
      await rabbit('PUT', `/users/${RABBIT_USER}`, { password: RABBIT_PASSWORD, tags: '' });
      await rabbit('PUT', `/permissions/${VHOST}/${RABBIT_USER}`, { configure: '.*', write: '.*', read: '.*' });
      await rabbit('PUT', `/queues/${VHOST}/${QUEUE}`, { durable: true, auto_delete: false });
      await rabbit('PUT', `/queues/${VHOST}/${QUEUE}-idle`, { durable: true, auto_delete: false });
      const url = (pw: string) => `amqp://${RABBIT_USER}:${pw}@${host}:${port}/${VHOST}`;
      const trigger = (queueName: string) => ({ protocol: 'amqp', queueName, mode: 'QueueLength', value: '5' });
      await apply([
        namespace(RABBIT_NS),
        secret(RABBIT_NS, 'broker', { 'broker-url': url(RABBIT_PASSWORD) }),
        secret(RABBIT_NS, 'broker-wrong-password', { 'broker-url': url('not-the-password') }),
        triggerAuthentication(RABBIT_NS, 'broker', [{ parameter: 'host', secret: 'broker', key: 'broker-url' }]),
        triggerAuthentication(RABBIT_NS, 'broker-wrong-password', [{ parameter: 'host', secret: 'broker-wrong-password', key: 'broker-url' }]),
        deployment(RABBIT_NS, 'worker', 0), deployment(RABBIT_NS, 'worker-idle-queue', 0), deployment(RABBIT_NS, 'worker-wrong-password', 0),
        scaledObject(RABBIT_NS, 'worker', { type: 'rabbitmq', auth: 'broker', metadata: trigger(QUEUE) }),
        // Controls: an empty queue next to it, and the right queue with a wrong password.
        scaledObject(RABBIT_NS, 'worker-idle-queue', { type: 'rabbitmq', auth: 'broker', metadata: trigger(`${QUEUE}-idle`) }),
        scaledObject(RABBIT_NS, 'worker-wrong-password', { type: 'rabbitmq', auth: 'broker-wrong-password', metadata: trigger(QUEUE) }),
      ]);
      for (const so of ['worker', 'worker-idle-queue']) {
        await waitFor(`ScaledObject ${RABBIT_NS}/${so} Ready`, async () => condition(await api.get(`${KEDA_GROUP}/namespaces/${RABBIT_NS}/scaledobjects/${so}`), 'Ready').status === 'True',
          MINUTE, () => scaledObjectState(RABBIT_NS, so));
      }
      const watch = new ReplicaWatch(api, ['worker', 'worker-idle-queue', 'worker-wrong-password'].map((n) => `${RABBIT_NS}/${n}`));
      watch.start();
      try {
        const start = Date.now();
        for (let i = 0; i < 17; i++) {
          const r = await rabbit('POST', `/exchanges/${VHOST}/amq.default/publish`, { properties: { delivery_mode: 2 }, routing_key: QUEUE, payload: `task-${i}`, payload_encoding: 'string' });
          if (!r?.routed) throw new Error(`message ${i} was not routed to ${VHOST}/${QUEUE}: ${JSON.stringify(r)}`);
        }
        const up = await waitReplicaCount(api, watch, RABBIT_NS, 'worker', 4, 2 * MINUTE);
        figures['KEDA rabbitmq: 17 messages, 0 -> 4 Ready replicas in (s)'] = (up / 1000).toFixed(1);

        // The wrong password: KEDA says so on the ScaledObject and in events, and does not scale.
        let state = '';
        await waitFor('ScaledObject worker-wrong-password to report its failure', async () => {
          const o = await api.get(`${KEDA_GROUP}/namespaces/${RABBIT_NS}/scaledobjects/worker-wrong-password`);
          state = await scaledObjectState(RABBIT_NS, 'worker-wrong-password');
          return condition(o, 'Ready').status === 'False';
        }, MINUTE, async () => state);
        const failures = (await events(api, RABBIT_NS, 'worker-wrong-password')).filter((e: any) => e.type === 'Warning');
        figures['KEDA rabbitmq, wrong password: ScaledObject'] = state;
        figures['KEDA rabbitmq, wrong password: events'] = failures.map((e: any) => `${e.reason} (x${e.count ?? 1}): ${e.message}`).join(' | ');
        expect(failures.map((e: any) => `${e.reason}: ${e.message}`).join('\n')).toMatch(/KEDAScalerFailed: .*(ACCESS_REFUSED|username or password not allowed)/);

        await sleep(5_000);
        await rabbit('DELETE', `/queues/${VHOST}/${QUEUE}/contents`); // the workers (the test) drain the queue
        const drained = Date.now();
        await waitReplicaCount(api, watch, RABBIT_NS, 'worker', 0, 2 * MINUTE);
        figures['KEDA rabbitmq: purged, 4 -> 0 in (s, cooldownPeriod 10)'] = elapsed(drained);
        figures['KEDA rabbitmq: whole cycle (s)'] = elapsed(start);
      } finally {
        await watch.stop();
        figures['KEDA rabbitmq: replicas over time'] = `\n${watch.report()}`;
      }
      expect(watch.max.get(`${RABBIT_NS}/worker`)).toBe(4);
      expect(watch.max.get(`${RABBIT_NS}/worker-idle-queue`)).toBe(0);
      expect(watch.max.get(`${RABBIT_NS}/worker-wrong-password`)).toBe(0);
    });
  });
});
