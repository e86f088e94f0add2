import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderEnvironment as renderFresh } from './render-picvario';
import { RenderedFolderOutput } from '../../src/delivery/render';
import { EnvironmentSpec } from '../../src/picvario/environment-spec';
import { ENVIRONMENTS, PRODUCTION, STAGING, SUITE, TEST } from '../../src/picvario/environments';
import { picvarioApp } from '../../src/picvario/main';

// Each environment is rendered once for the whole file: the tests only read the render.
const renders = new Map<EnvironmentSpec, RenderedFolderOutput>();
function renderEnvironment(spec: EnvironmentSpec): RenderedFolderOutput {
  if (!renders.has(spec)) renders.set(spec, renderFresh(spec));
  return renders.get(spec)!;
}
/** The rendered objects, read as plain YAML documents: the tests navigate them freely. */
function objectsOf(spec: EnvironmentSpec): any[] {
  return renderEnvironment(spec).objects;
}

const PICVARIO_QUEUES = ['default', 'media-import', 'storage-scan', 'export', 'face-recognition', 'notifications'];

/** The rendered environments and the suites' one, which the same code renders. */
const EVERY_SPEC = [...ENVIRONMENTS, SUITE];

describe.each(EVERY_SPEC.map((e) => [e.name, e] as const))('the %s environment', (_name, spec) => {
  const objects = objectsOf(spec);
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  test('THEN every Picvario queue has its own Deployment, ScaledObject and PriorityClass', () => {
    const priorityClasses = new Set(of('PriorityClass').map((p) => p.metadata.name));
    for (const queue of PICVARIO_QUEUES) {
      const deployment = of('Deployment').find((d) => d.metadata.name === `worker-${queue}`);
      expect(deployment).toBeDefined();
      expect(deployment.spec.template.spec.containers[0].command).toContain(`--queues=${queue}`);
      expect(of('ScaledObject').map((s) => s.spec.scaleTargetRef.name)).toContain(`worker-${queue}`);
      expect(priorityClasses).toContain(deployment.spec.template.spec.priorityClassName);
    }
  });

  test('THEN priority classes are named per environment, so environments can share a cluster', () => {
    for (const pc of of('PriorityClass')) expect(pc.metadata.name).toMatch(new RegExp(`^picvario-${spec.name}-worker-`));
  });

  test('THEN no Deployment that an HPA or ScaledObject targets has spec.replicas', () => {
    const scaled = [...of('HorizontalPodAutoscaler'), ...of('ScaledObject')].map((s) => s.spec.scaleTargetRef.name);
    expect(scaled.length).toBeGreaterThan(PICVARIO_QUEUES.length);
    for (const d of of('Deployment').filter((x) => scaled.includes(x.metadata.name))) {
      expect([d.metadata.name, d.spec.replicas]).toEqual([d.metadata.name, undefined]);
    }
  });

  test('THEN every selector uses only app.kubernetes.io/* labels', () => {
    const selectors = [
      ...of('Deployment').map((d) => d.spec.selector.matchLabels),
      ...of('Service').map((s) => s.spec.selector),
      ...of('PodDisruptionBudget').map((p) => p.spec.selector.matchLabels),
      ...of('Deployment').flatMap((d) => (d.spec.template.spec.topologySpreadConstraints ?? []).map((t: any) => t.labelSelector.matchLabels)),
    ];
    expect(selectors.length).toBeGreaterThan(0);
    for (const s of selectors) {
      expect(Object.keys(s).sort()).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
  });

  test('THEN every container has requests, limits and the restricted security context', () => {
    const pods = [...of('Deployment'), ...of('Job')].map((w) => w.spec.template.spec);
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  test('THEN Argo CD applies the namespace, then config and secrets, then the jobs (Sync hooks), then the app tier, then frontend and edge', () => {
    const wave = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(wave('Namespace', spec.namespace)).toBe('-2');
    expect(wave('NetworkPolicy', 'default-deny')).toBe('-1');
    expect(wave('ConfigMap', 'edge-nginx')).toBe('-1');
    expect(wave('ServiceAccount', 'migrate')).toBe('-1');
    if (spec.secretStore) expect(wave('ExternalSecret', 'picvario-app')).toBe('-1');
    for (const job of of('Job')) {
      expect([job.metadata.name, job.metadata.annotations['argocd.argoproj.io/hook'], wave('Job', job.metadata.name)]).toEqual([job.metadata.name, 'Sync', '0']);
    }
    for (const name of ['backend', 'worker-default', 'beat', 'stats-shipper']) expect(wave('Deployment', name)).toBe('1');
    for (const name of ['frontend', 'edge']) expect(wave('Deployment', name)).toBe('2');
    expect(of('Job').map((j) => j.metadata.name).sort()).toEqual(['collectstatic', 'migrate']);
    for (const o of objects) {
      expect([o.kind, o.metadata.name, o.metadata.annotations?.['argocd.argoproj.io/sync-wave']]).toEqual([o.kind, o.metadata.name, expect.stringMatching(/^-?[0-2]$/)]);
    }
  });

  test('THEN the first sync of an empty cluster needs no Secret made by hand: every Secret a pod or KEDA reads comes from an ExternalSecret of the same folder', () => {
    // Argo CD creates the namespace in the sync itself, so no Secret can exist in it beforehand.
    const synced = new Set(of('ExternalSecret').map((o) => o.spec.target.name));
    const read = new Set<string>();
    for (const w of [...of('Deployment'), ...of('Job')]) {
      const pod = w.spec.template.spec;
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) read.add(e.valueFrom.secretKeyRef.name);
        for (const e of c.envFrom ?? []) if (e.secretRef) read.add(e.secretRef.name);
      }
      for (const v of pod.volumes ?? []) if (v.secret) read.add(v.secret.secretName);
    }
    for (const t of of('TriggerAuthentication')) for (const r of t.spec.secretTargetRef ?? []) read.add(r.name);
    expect(read.size).toBeGreaterThan(0);
    expect([...read].filter((name) => !synced.has(name)).sort()).toEqual([]);
  });

  test('THEN no secret value appears: no Secret objects, only references and ExternalSecrets', () => {
    expect(of('Secret')).toEqual([]);
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/password=|:\/\/[^/"\s]+:[^@"\s]+@/);
    expect(of('ExternalSecret').length).toBe(spec.secretStore ? 5 : 0);
  });

  test('THEN every object carries the release version', () => {
    for (const o of objects) expect([o.kind, o.metadata.name, o.metadata.labels?.['app.kubernetes.io/version']]).toEqual([o.kind, o.metadata.name, spec.appVersion]);
  });

  test('THEN the edge is the only way in, and it reaches only the frontend, the backend and S3', () => {
    const edge = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-edge').spec;
    expect(edge.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(edge.egress.map((e: any) => e.to[0].podSelector?.matchLabels['app.kubernetes.io/component'] ?? 'cidr')).toEqual(['frontend', 'backend', 'cidr']);
  });

  test('THEN the ResourceQuota admits every component at its maximum scale, rollout surge and hooks included', () => {
    const quota = of('ResourceQuota')[0].spec.hard;
    const maxReplicas = (name: string) => {
      const scaler = [...of('HorizontalPodAutoscaler'), ...of('ScaledObject')].find((s) => s.spec.scaleTargetRef.name === name);
      return scaler ? scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount : undefined;
    };
    const sum = (resource: 'cpu' | 'memory', bound: 'requests' | 'limits') => [...of('Deployment'), ...of('Job')].reduce((total, w) => {
      // A rollout surges by 25% (rounded up) of the replicas before old pods go.
      const replicas = w.kind === 'Job' ? 1 : (maxReplicas(w.metadata.name) ?? w.spec.replicas);
      const pods = w.kind === 'Job' ? 1 : replicas + Math.ceil(replicas / 4);
      return total + pods * w.spec.template.spec.containers.reduce((t: number, c: any) => t + parse(c.resources[bound][resource]), 0);
    }, 0);
    for (const bound of ['requests', 'limits'] as const) {
      expect(sum('cpu', bound)).toBeLessThanOrEqual(parse(quota[`${bound}.cpu`]));
      expect(sum('memory', bound)).toBeLessThanOrEqual(parse(quota[`${bound}.memory`]));
    }
  });

  test('THEN only Logstash and Grafana reach the statistics Elasticsearch, and the app code reaches Logstash', () => {
    const policies = of('NetworkPolicy');
    const toStats = (p: any) => (p.spec.egress ?? []).some((e: any) => e.to.some((t: any) => t.ipBlock?.cidr === spec.external.stats.cidr));
    const reachesStats = policies.filter(toStats);
    expect(reachesStats.map((p) => p.metadata.name).sort()).toEqual(['allow-grafana', 'allow-stats-shipper']);
    const shipperIngress = policies.find((p) => p.metadata.name === 'allow-stats-shipper').spec.ingress
      .map((i: any) => i.from[0].podSelector.matchLabels['app.kubernetes.io/component']).sort();
    expect(shipperIngress).toEqual(['backend', 'beat', 'collectstatic', 'migrate', ...PICVARIO_QUEUES.map((q) => `worker-${q}`)].sort());
    const backendEnv = of('Deployment').find((d) => d.metadata.name === 'backend').spec.template.spec.containers[0].env;
    expect(backendEnv).toContainEqual({ name: 'STATS_SHIPPER_URL', value: 'http://stats-shipper:8080' });
  });

  test('THEN every object lives in the environment namespace, except cluster-scoped kinds', () => {
    for (const o of objects) {
      if (['Namespace', 'PriorityClass'].includes(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, spec.namespace]);
    }
  });
});

/** What every environment renders, component by component: the inventory a reviewer checks instead of a snapshot. */
function expectedInventory(spec: EnvironmentSpec): string[] {
  const web = (name: string) => ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount'].map((k) => `${k}/${name}`);
  const queue = (q: string) => ['Deployment', 'ScaledObject', 'PodDisruptionBudget', 'ServiceAccount'].map((k) => `${k}/worker-${q}`);
  const components = ['backend', 'beat', 'collectstatic', 'edge', 'frontend', 'grafana', 'migrate', 'stats-shipper', ...PICVARIO_QUEUES.map((q) => `worker-${q}`)];
  return [
    `Namespace/${spec.namespace}`, 'ResourceQuota/compute', 'LimitRange/container-defaults',
    'NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns', ...components.map((c) => `NetworkPolicy/allow-${c}`),
    ...(spec.secretStore ? ['picvario-app', 'picvario-broker', 'picvario-grafana', 'picvario-stats-reader', 'picvario-stats-writer'].map((n) => `ExternalSecret/${n}`) : []),
    ...web('backend'), ...web('frontend'), ...web('edge'), 'ConfigMap/edge-nginx', 'Ingress/edge',
    'Job/migrate', 'ServiceAccount/migrate', 'Job/collectstatic', 'ServiceAccount/collectstatic',
    ...PICVARIO_QUEUES.flatMap(queue), 'TriggerAuthentication/worker-broker',
    ...['high', 'normal', 'low'].map((p) => `PriorityClass/picvario-${spec.name}-worker-${p}`),
    'Deployment/beat', 'ServiceAccount/beat',
    'Deployment/stats-shipper', 'Service/stats-shipper', 'PodDisruptionBudget/stats-shipper', 'ServiceAccount/stats-shipper', 'ConfigMap/stats-shipper-pipeline',
    'Deployment/grafana', 'Service/grafana', 'ServiceAccount/grafana', 'ConfigMap/grafana-dashboard-providers', 'ConfigMap/grafana-dashboards', 'ConfigMap/grafana-datasources',
  ].sort();
}

describe.each(EVERY_SPEC.map((e) => [e.name, e] as const))('what the %s environment renders', (_name, spec) => {
  const folder = renderEnvironment(spec);
  const objects = objectsOf(spec);
  const find = (kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);

  test('THEN it renders exactly the expected objects, no more and no fewer', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(expectedInventory(spec));
  });

  test('THEN every Picvario image runs the release from the registry, the third-party images are pinned', () => {
    const images = Object.fromEntries([...objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')]
      .map((w) => [w.metadata.name, w.spec.template.spec.containers[0].image]));
    for (const name of ['backend', 'beat', 'migrate', 'collectstatic', ...PICVARIO_QUEUES.map((q) => `worker-${q}`)]) {
      expect([name, images[name]]).toEqual([name, `${spec.registry}/backend:${spec.appVersion}`]);
    }
    expect(images.frontend).toBe(`${spec.registry}/frontend:${spec.appVersion}`);
    expect(images.edge).toBe('docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine');
    expect(images['stats-shipper']).toBe('docker.elastic.co/logstash/logstash:8.15.3');
    expect(images.grafana).toBe('docker.io/grafana/grafana:11.3.1');
  });

  test("THEN the web tiers scale between the spec's bounds", () => {
    for (const [name, bounds] of [['backend', spec.backend], ['frontend', spec.frontend], ['edge', spec.edge]] as const) {
      expect([name, find('HorizontalPodAutoscaler', name).spec.minReplicas, find('HorizontalPodAutoscaler', name).spec.maxReplicas])
        .toEqual([name, bounds.minReplicas, bounds.maxReplicas]);
    }
  });

  test('THEN KEDA reads the queues from the broker the environment uses', () => {
    const triggers = objects.filter((o) => o.kind === 'ScaledObject').map((o) => o.spec.triggers[0]);
    expect(new Set(triggers.map((t) => t.type))).toEqual(new Set([spec.broker]));
    const auth = find('TriggerAuthentication', 'worker-broker').spec.secretTargetRef.map((r: any) => `${r.parameter}=${r.name}/${r.key}`);
    expect(auth).toEqual(spec.broker === 'redis' ? ['address=picvario-broker/redis-address'] : ['host=picvario-broker/broker-url']);
  });

  test('THEN the Ingress serves the host and every tenant\'s subdomain of it, with TLS exactly when a ClusterIssuer is set', () => {
    const ingress = find('Ingress', 'edge');
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual([spec.host, `*.${spec.host}`]);
    // The host's certificate stays as it was; the tenants' wildcard has its own (a DNS-01 solver's).
    expect(ingress.spec.tls).toEqual(spec.ingress.clusterIssuer
      ? [{ hosts: [spec.host], secretName: 'edge-tls' }, { hosts: [`*.${spec.host}`], secretName: 'edge-wildcard-tls' }]
      : undefined);
  });

  test('THEN the synced Secrets carry exactly the keys the components read', () => {
    const synced: Record<string, string[]> = Object.fromEntries(objects.filter((o) => o.kind === 'ExternalSecret').map((o) => [o.metadata.name, o.spec.data.map((d: any) => d.secretKey)]));
    if (!spec.secretStore) return expect(synced).toEqual({});
    const read = new Map<string, Set<string>>();
    const note = (name: string, key: string) => read.set(name, new Set([...(read.get(name) ?? []), key]));
    for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const refs = w.spec.template.spec.containers.flatMap((c: any) => c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef).filter(Boolean);
      for (const ref of refs) note(ref.name, ref.key);
    }
    for (const r of find('TriggerAuthentication', 'worker-broker').spec.secretTargetRef) note(r.name, r.key);
    expect(Object.fromEntries(Object.entries(synced).map(([n, keys]) => [n, [...keys].sort()])))
      .toEqual(Object.fromEntries([...read].map(([n, keys]) => [n, [...keys].sort()])));
  });

  test('THEN the index records the intended traffic of every component', () => {
    const traffic = folder.index.traffic as any;
    expect(traffic.namespace).toBe(spec.namespace);
    expect(traffic.components.map((c: any) => c.name).sort()).toEqual(objects.filter((o) => ['Deployment', 'Job'].includes(o.kind)).map((o) => o.metadata.name).sort());
    expect(traffic.allowed).toContainEqual({ from: { namespace: 'ingress-nginx' }, to: { component: 'edge' }, port: 8080, protocol: 'TCP' });
    expect(traffic.allowed).toContainEqual({ from: { component: 'worker-export' }, to: { external: 'postgres' }, port: 5432, protocol: 'TCP' });
    expect(traffic.externals.map((e: any) => e.name)).toEqual(['postgres', 'search', 'broker', 'cache', 's3', 'stats-elasticsearch']);
  });
});

describe('the suites\' environment (SUITE)', () => {
  const objects = objectsOf(SUITE);
  const env = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0].env;

  test('THEN every address its NetworkPolicies open is a test host in 203.0.113.0/24', () => {
    const cidrs = objects.filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((p) => p.spec.egress ?? []).flatMap((e: any) => e.to ?? []).map((t: any) => t.ipBlock?.cidr).filter(Boolean);
    expect(cidrs.length).toBeGreaterThan(0);
    expect(cidrs.filter((c: string) => !/^203\.0\.113\.\d+\/32$/.test(c))).toEqual([]);
  });

  test('THEN the app code reaches its S3-compatible server on its port, with the access key from the app Secret', () => {
    const backend = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-backend').spec.egress;
    expect(backend).toContainEqual({ to: [{ ipBlock: { cidr: '203.0.113.12/32' } }], ports: [{ protocol: 'TCP', port: 7070 }] });
    expect(env('backend')).toContainEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'picvario-app', key: 's3-access-key' } } });
    expect(env('worker-default')).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'picvario-app', key: 's3-secret-key' } } });
  });

  test('THEN the AWS environments take S3 through their role, with no access key', () => {
    const production = objectsOf(PRODUCTION).find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend').spec.template.spec.containers[0].env;
    expect(production.map((e: any) => e.name)).not.toContain('AWS_ACCESS_KEY_ID');
  });

  test('THEN it has production\'s shape: RabbitMQ, TLS, the django-tenants migrations', () => {
    expect([SUITE.broker, SUITE.ingress.clusterIssuer]).toEqual([PRODUCTION.broker, PRODUCTION.ingress.clusterIssuer]);
    const migrate = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'migrate').spec.template.spec;
    expect([...(migrate.initContainers ?? []), ...migrate.containers].map((c: any) => c.command.join(' ')))
      .toEqual(['python manage.py migrate_schemas --shared --noinput', 'python manage.py migrate_schemas --tenant --noinput']);
  });

  test('THEN `npm run synth` does not render it', () => {
    expect(ENVIRONMENTS.map((e) => e.name)).not.toContain(SUITE.name);
  });
});

describe('the Picvario render', () => {
  test('GIVEN the three environments WHEN rendered THEN the folders are the environments and the Argo CD folder, and the annotation is Picvario\'s', () => {
    const folders = picvarioApp(fs.mkdtempSync(path.join(os.tmpdir(), 'picvario-'))).renderFolders();
    expect(folders.map((f) => f.name)).toEqual(['test', 'staging', 'production', 'argocd']);
    expect(folders.find((f) => f.name === 'production')!.appVersions).toEqual([PRODUCTION.appVersion]);
    expect(folders.find((f) => f.name === 'staging')!.appVersions).toEqual([STAGING.appVersion]);
    const backend = objectsOf(TEST).find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend');
    expect(Object.keys(backend.metadata.annotations)).toContain('picvario.io/k8s-topology-version');
  });
});

describe('differences between environments', () => {
  test('THEN face recognition runs only on its tainted pool', () => {
    const spec = objectsOf(PRODUCTION).find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker-face-recognition').spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'picvario.io/pool': 'face-recognition' });
    expect(spec.tolerations).toEqual([{ key: 'picvario.io/pool', operator: 'Equal', value: 'face-recognition', effect: 'NoSchedule' }]);
  });

  test('THEN production scales further and asks for more than test', () => {
    const hpa = (objects: any[]) => objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'backend').spec;
    expect(hpa(objectsOf(PRODUCTION)).maxReplicas).toBeGreaterThan(hpa(objectsOf(TEST)).maxReplicas);
  });
});

describe('bad input in an environment spec', () => {
  test.each([
    ['an invalid S3 CIDR', { ...TEST, s3: { ...TEST.s3, cidrs: ['52.219.168.0/33'] } }, /PicvarioEnvironment 'test': externalServices\[4\]\.cidrs\[0\] must be an IPv4 CIDR/],
    ['an invalid port', { ...TEST, external: { ...TEST.external, postgres: { ...TEST.external.postgres, port: 0 } } }, /PicvarioEnvironment 'test': externalServices\[0\]\.ports\[0\] must be an integer from 1 to 65535; got 0/],
    ['a queue limit below its request', { ...TEST, queues: [{ ...TEST.queues[0], resources: { ...TEST.queues[0].resources, memoryLimit: '1Mi' } }] },
      /CeleryWorkerPool 'test\/workers': queues\[0\]\.resources\.memoryLimit must be >= memoryRequest/],
  ])('GIVEN %s THEN the render fails naming the construct and the field, and writes nothing', (_what, spec, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
    expect(() => picvarioApp(path.join(dir, 'manifests'), [spec as EnvironmentSpec]).synth()).toThrow(message);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('rendering to disk', () => {
  test('GIVEN an invalid environment WHEN rendered THEN it throws and the previous render is untouched', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
    const out = path.join(dir, 'manifests');
    jest.spyOn(console, 'log').mockImplementation(() => {});
    picvarioApp(out, [TEST]).synth();
    jest.restoreAllMocks();
    const before = fs.readFileSync(path.join(out, 'test', 'backend.yaml'), 'utf8');
    const folders = fs.readdirSync(out);
    const broken = { ...TEST, name: 'broken', backend: { ...TEST.backend, minReplicas: 9, maxReplicas: 3 } };
    expect(() => picvarioApp(out, [TEST, broken]).synth()).toThrow(/DjangoBackend 'broken\/backend': minReplicas must be <= maxReplicas \(3\); got 9/);
    expect(fs.readdirSync(out)).toEqual(folders);
    expect(folders).toEqual(['argocd', 'test']);
    expect(fs.readFileSync(path.join(out, 'test', 'backend.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['manifests']);
  });
});

/** A canonical quantity as a number (cores or bytes). */
function parse(q: string): number {
  const units: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const [, n, unit] = /^([0-9.]+)([a-zA-Z]*)$/.exec(q)!;
  return Number(n) * (unit ? units[unit] : 1);
}
