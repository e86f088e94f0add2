import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENVIRONMENTS, PRODUCTION, TEST } from '../../src/topology/environments';
import { renderAll, renderEnvironment } from '../../src/topology/render';

const PICVARIO_QUEUES = ['default', 'media-import', 'storage-scan', 'export', 'face-recognition', 'notifications'];

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('the %s environment', (_name, spec) => {
  const objects = renderEnvironment(spec).objects;
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  test('THEN its rendered objects match the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

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

  test('THEN Argo CD applies namespace, then config and secrets, then the app tier, then frontend and edge; jobs are PreSync hooks', () => {
    const wave = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(wave('Namespace', spec.namespace)).toBe('-2');
    expect(wave('NetworkPolicy', 'default-deny')).toBe('-1');
    expect(wave('ConfigMap', 'edge-nginx')).toBe('-1');
    for (const name of ['backend', 'worker-default', 'beat']) expect(wave('Deployment', name)).toBe('0');
    for (const name of ['frontend', 'edge']) expect(wave('Deployment', name)).toBe('1');
    for (const job of of('Job')) expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PreSync');
    expect(of('Job').map((j) => j.metadata.name).sort()).toEqual(['collectstatic', 'migrate']);
    for (const o of objects.filter((x) => !x.metadata.annotations?.['argocd.argoproj.io/hook'])) {
      expect([o.kind, o.metadata.name, o.metadata.annotations?.['argocd.argoproj.io/sync-wave']]).toEqual([o.kind, o.metadata.name, expect.any(String)]);
    }
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

describe('differences between environments', () => {
  test('THEN face recognition runs only on its tainted pool', () => {
    const spec = renderEnvironment(PRODUCTION).objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker-face-recognition').spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'picvario.io/pool': 'face-recognition' });
    expect(spec.tolerations).toEqual([{ key: 'picvario.io/pool', operator: 'Equal', value: 'face-recognition', effect: 'NoSchedule' }]);
  });

  test('THEN production scales further and asks for more than test', () => {
    const hpa = (objects: any[]) => objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'backend').spec;
    expect(hpa(renderEnvironment(PRODUCTION).objects).maxReplicas).toBeGreaterThan(hpa(renderEnvironment(TEST).objects).maxReplicas);
  });
});

describe('bad input in an environment spec', () => {
  test.each([
    ['an invalid CIDR', { ...TEST, s3: { ...TEST.s3, cidrs: ['52.219.168.0/33'] } }, /NetworkIsolation 'test\/network': rules\[3\]\.toCidrs\[0\] must be an IPv4 CIDR/],
    ['an invalid port', { ...TEST, external: { ...TEST.external, postgres: { ...TEST.external.postgres, port: 0 } } }, /NetworkIsolation 'test\/network': rules\[\d+\]\.ports\[0\] must be an integer from 1 to 65535; got 0/],
    ['a queue limit below its request', { ...TEST, queues: [{ ...TEST.queues[0], resources: { ...TEST.queues[0].resources, memoryLimit: '1Mi' } }] },
      /CeleryWorkerPool 'test\/workers': queues\[0\]\.resources\.memoryLimit must be >= memoryRequest/],
  ])('GIVEN %s THEN the render fails naming the construct and the field, and writes nothing', (_what, spec, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
    expect(() => renderAll([spec], path.join(dir, 'manifests'))).toThrow(message);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('rendering to disk', () => {
  test('GIVEN an invalid environment WHEN rendered THEN it throws and the previous render is untouched', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
    const out = path.join(dir, 'manifests');
    renderAll([TEST], out);
    const before = fs.readFileSync(path.join(out, 'test', 'backend.yaml'), 'utf8');
    const folders = fs.readdirSync(out);
    const broken = { ...TEST, backend: { ...TEST.backend, minReplicas: 9, maxReplicas: 3 } };
    expect(() => renderAll([STAGING_LIKE, broken], out)).toThrow(/DjangoBackend 'test\/backend': scaling\.minReplicas must be <= maxReplicas \(3\); got 9/);
    expect(fs.readdirSync(out)).toEqual(folders);
    expect(folders).toContain('test');
    expect(fs.readFileSync(path.join(out, 'test', 'backend.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['manifests']);
  });
});

const STAGING_LIKE = { ...TEST, name: 'other' };

/** A canonical quantity as a number (cores or bytes). */
function parse(q: string): number {
  const units: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const [, n, unit] = /^([0-9.]+)([a-zA-Z]*)$/.exec(q)!;
  return Number(n) * (unit ? units[unit] : 1);
}
