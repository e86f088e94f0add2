import * as path from 'path';
import { APP_FIXTURES, composeFile, filesUnder, importFixture, KubeObject, objectsOf, readInput, renderApp, Run, secretValues, typeCheck, writeFixtureApp } from './helpers';
import { hostsIn } from '../../src/compose/hosts';

// Each fixture is imported into a folder of its own, type-checked with the generated tsconfig.json
// against src/, and rendered by `k8s-topology render` running the generated cdk8s.yaml's app with
// ts-node: an integration test (`npm run test:integration`). The import itself is tested in importer.test.ts.
jest.setTimeout(180_000);

interface Rendered {
  dir: string;
  run: Run;
  objects: KubeObject[];
  files: Record<string, string>;
}

const apps = new Map<string, Rendered>();
let diagnostics: string[] = [];

beforeAll(() => {
  const dirs = APP_FIXTURES.map((f) => [f, writeFixtureApp(f)] as const);
  diagnostics = typeCheck(dirs.map(([, d]) => d));
  for (const [fixture, dir] of dirs) {
    const run = renderApp(dir);
    const manifests = path.join(dir, '..', 'manifests');
    apps.set(fixture, {
      dir,
      run,
      objects: run.code === 0 ? objectsOf(path.join(manifests, 'production')) : [],
      files: run.code === 0 ? filesUnder(manifests) : {},
    });
  }
});

const POD_KINDS = ['Deployment', 'Job', 'StatefulSet', 'DaemonSet'];

test('GIVEN every fixture imported WHEN the generated apps are type-checked THEN they compile as written', () => {
  expect(diagnostics).toEqual([]);
});

describe.each(APP_FIXTURES)('GIVEN the app imported from %s WHEN rendered with k8s-topology render', (fixture) => {
  const app = () => apps.get(fixture)!;

  test('THEN it renders the production folder and the Argo CD folder', () => {
    expect(app().run.err).toBe('');
    expect(app().run.code).toBe(0);
    expect(app().run.out).toMatch(new RegExp(`rendered 2 folders \\(\\d+ objects, ${fixture}-deploy 0\\.1\\.0\\) into \\.\\./manifests/`));
    expect(Object.keys(app().files).filter((f) => f.endsWith('index.json')).sort()).toEqual(['argocd/index.json', 'production/index.json']);
  });

  test('THEN no PersistentVolumeClaim, StatefulSet or hostPath exists, and no volume is shared', () => {
    const objects = app().objects;
    expect(objects.filter((o) => ['PersistentVolumeClaim', 'StatefulSet', 'PersistentVolume'].includes(o.kind))).toEqual([]);
    for (const o of objects.filter((x) => POD_KINDS.includes(x.kind))) {
      for (const v of o.spec.template.spec.volumes ?? []) expect([o.metadata.name, v.name, Object.keys(v).sort()]).toEqual([o.metadata.name, v.name, expect.not.arrayContaining(['hostPath', 'persistentVolumeClaim'])]);
    }
  });

  test('THEN every pod template meets Pod Security restricted and has canonical requests and limits', () => {
    const pods = app().objects.filter((o) => POD_KINDS.includes(o.kind));
    expect(pods.length).toBeGreaterThan(3);
    for (const o of pods) {
      const spec = o.spec.template.spec;
      expect([o.metadata.name, spec.securityContext]).toEqual([o.metadata.name, expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })]);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect([o.metadata.name, c.securityContext]).toEqual([o.metadata.name, expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })]);
        const gpu = spec.nodeSelector?.['node-pool'] === 'gpu' ? ['nvidia.com/gpu'] : [];
        const kinds = ['cpu', 'ephemeral-storage', 'memory', ...gpu];
        const asked = [Object.keys(c.resources.requests).sort(), Object.keys(c.resources.limits).sort()];
        expect([o.metadata.name, ...asked]).toEqual([o.metadata.name, kinds, kinds]);
        for (const q of [...Object.values<string>(c.resources.requests), ...Object.values<string>(c.resources.limits)]) expect(q).toMatch(/^[0-9]+(m|Ki|Mi|Gi)?$/);
      }
    }
  });

  test('THEN every web component has readiness, liveness and startup probes, and workers a heartbeat liveness probe', () => {
    for (const o of app().objects.filter((x) => x.kind === 'Deployment')) {
      const c = o.spec.template.spec.containers[0];
      const component = o.metadata.labels!['app.kubernetes.io/component'];
      const webServer = ['gunicorn', 'uvicorn', 'daphne'].includes(c.command?.[0]);
      if (['backend', 'frontend'].includes(component) || webServer) expect([component, !!c.readinessProbe, !!c.livenessProbe, !!c.startupProbe]).toEqual([component, true, true, true]);
      if (component === 'edge') expect([component, !!c.readinessProbe, !!c.livenessProbe]).toEqual([component, true, true]);
      if (component.startsWith('worker-')) expect(c.livenessProbe.exec.command.join(' ')).toContain('celery-worker-heartbeat');
    }
  });

  test('THEN every compose service that listens and is addressed by name has a Service, or an external service in the policies', () => {
    const input = readInput(composeFile(fixture));
    const { report } = importFixture(fixture);
    const names = Object.keys(input.services);
    const services = app().objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
    const index = JSON.parse(app().files['production/index.json']);
    const external = (index.traffic.externals as { name: string }[]).map((e) => e.name);
    const components = report.services.filter((s) => /^(backend|frontend|edge|worker-|beat|migrate|collectstatic)/.test(s.becomes));
    const addressed = new Set<string>();
    for (const s of components) {
      const svc = input.services[s.name];
      const env = Array.isArray(svc.environment) ? svc.environment.join(' ') : Object.values(svc.environment ?? {}).join(' ');
      for (const h of hostsIn(env, names)) addressed.add(h);
      for (const d of Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {})) addressed.add(d);
    }
    const listening = [...addressed].filter((n) => {
      const s = report.services.find((x) => x.name === n)!;
      return s.role !== 'inactive' && (input.services[n].ports || input.services[n].expose || s.becomes.startsWith('backend') || s.becomes.startsWith('frontend') || s.becomes.startsWith('externalServices'));
    });
    expect(listening.length).toBeGreaterThan(0);
    for (const n of listening) {
      const s = report.services.find((x) => x.name === n)!;
      const service = s.becomes.match(/^(backend|frontend|edge)\b/)?.[1];
      const reached = service ? services.includes(service) : external.includes(s.becomes.match(/^externalServices: ([a-z0-9-]+)/)?.[1] ?? '?');
      expect([n, s.becomes, reached || s.status === 'dropped']).toEqual([n, s.becomes, true]);
    }
  });

  test("THEN the backend's NetworkPolicy and the traffic model let it reach the database on its port, and a collectstatic Job fills the statics bucket", () => {
    const { report, app: imported } = importFixture(fixture);
    const externals = (imported.props as any).externalServices as { name: string; cidrs: string[]; ports: number[] }[];
    const database = report.services.find((s) => ['postgres', 'mysql'].includes(s.role) && s.becomes.startsWith('externalServices'));
    const db = externals.find((e) => e.name === (database ? /^externalServices: ([a-z0-9-]+)/.exec(database.becomes)![1] : 'database'))!;
    expect(db).toBeDefined();
    const index = JSON.parse(app().files['production/index.json']);
    const flows = (index.traffic.allowed as any[]).filter((f) => f.from.component === 'backend' && f.to.external === db.name);
    expect(flows.map((f) => f.port)).toEqual(db.ports);
    const policy = app().objects.find((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels?.['app.kubernetes.io/component'] === 'backend')!;
    const egress = (policy.spec.egress as any[]).filter((r) => (r.to ?? []).some((t: any) => t.ipBlock?.cidr === db.cidrs[0]));
    expect(egress.flatMap((r) => r.ports.map((p: any) => p.port))).toEqual(expect.arrayContaining(db.ports));
    const job = app().objects.find((o) => o.kind === 'Job' && o.metadata.name === 'collectstatic');
    expect(job?.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '0' });
  });

  test('THEN no secret value appears in any rendered file, and every secret is a secretKeyRef', () => {
    for (const [file, content] of Object.entries(app().files)) {
      for (const s of secretValues(fixture)) expect([file, s, content.includes(s)]).toEqual([file, s, false]);
    }
    const backend = app().objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend')!;
    const env = backend.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
    expect(env.find((e) => e.name === 'DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: `${fixture}-app`, key: 'database-url' } } });
    for (const e of env) if (/PASSWORD|SECRET|TOKEN|_KEY$|DSN/.test(e.name)) expect([e.name, e.value]).toEqual([e.name, undefined]);
  });

  test('THEN the migration job, when there is one, is an Argo CD Sync hook before the app tier', () => {
    const job = app().objects.find((o) => o.kind === 'Job' && o.metadata.name === 'migrate');
    if (!job) return;
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '0' });
    const backend = app().objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend')!;
    expect(backend.metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe('1');
  });
});

describe('GIVEN the newsroom app (daphne beside the uvicorn backend, an edge for the published ports) WHEN rendered', () => {
  const app = () => apps.get('newsroom')!;

  test('THEN daphne runs as the web service live, and the edge routes its placeholder prefix to it with websocket upgrades', () => {
    const live = app().objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'live')!;
    expect(live.spec.template.spec.containers[0].command.slice(0, 3)).toEqual(['daphne', '--bind=0.0.0.0', '--port=8001']);
    const nginx = app().objects.find((o) => o.kind === 'ConfigMap' && Object.values<string>(o.data ?? {}).some((v) => v.includes('location ^~ /ws/')))!;
    const conf = Object.values<string>(nginx.data).find((v) => v.includes('location ^~ /ws/'))!;
    const location = conf.slice(conf.indexOf('location ^~ /ws/'));
    expect(location.slice(0, location.indexOf('}'))).toContain('proxy_pass http://edge_service_live;');
    expect(conf).toMatch(/upstream edge_service_live \{\s*server live[.:][^;]*8001;/);
  });

  test("THEN the traffic model and live's NetworkPolicy let the edge reach the daphne pods on 8001", () => {
    const index = JSON.parse(app().files['production/index.json']);
    const flows = (index.traffic.allowed as any[]).filter((f) => f.to.component === 'live');
    expect(flows.map((f) => [f.from.component, f.port])).toContainEqual(['edge', 8001]);
    const policy = app().objects.find((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels?.['app.kubernetes.io/component'] === 'live')!;
    const fromEdge = (policy.spec.ingress as any[]).filter((r) => (r.from ?? []).some((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'edge'));
    expect(fromEdge.flatMap((r) => r.ports.map((p: any) => p.port))).toEqual([8001]);
  });
});
