// The traffic matrix without the engine: the flows built from a model, the model's own checks, and the
// parsing of cyclonus's tables (from a recorded `cyclonus analyze --mode lint,query-traffic` run on the
// test environment's policies, answering the five flows of fixtures/cyclonus/traffic.json).
// Needs only npm packages.
import * as fs from 'fs';
import * as path from 'path';
import * as t from '../../hack/validate/traffic';

const RECORDED = path.join(__dirname, 'fixtures', 'cyclonus', 'analyze-lint-query-traffic.txt');

const model = (): t.TrafficModel => ({
  namespace: 'shop',
  components: [
    { name: 'web', podLabels: { app: 'web' }, ports: [{ port: 8080, protocol: 'TCP' }] },
    { name: 'worker', podLabels: { app: 'worker' }, ports: [] },
  ],
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
  namespaces: [{ name: 'ingress-nginx' }],
  externals: [{ name: 'db', cidrs: ['10.1.0.0/24', '10.2.0.0/24'], ports: [{ port: 5432, protocol: 'TCP' }] }],
  allowed: [
    { from: { namespace: 'ingress-nginx' }, to: { component: 'web' }, port: 8080, protocol: 'TCP' },
    { from: { component: 'worker' }, to: { component: 'web' }, port: 8080, protocol: 'TCP' },
    { from: { component: 'web' }, to: { external: 'db' }, port: 5432, protocol: 'TCP' },
  ],
});

const workloads: t.Workload[] = [
  { kind: 'Deployment', name: 'web', namespace: 'shop', labels: { app: 'web', version: '1' } },
  { kind: 'Deployment', name: 'worker', namespace: 'shop', labels: { app: 'worker', version: '1' } },
];

describe('flows built from the model', () => {
  const m = model();
  const { components, problems } = t.resolveComponents(m, workloads);
  const built = t.buildFlows(m, components, { team: 'shop' });
  const byKind = (kind: string) => built.flows.filter((f) => f.kind === kind);

  test('the components are found by their pod labels, with every workload covered', () => {
    expect(problems).toEqual([]);
    expect(components.map((c) => c.pods.map((p) => p.name))).toEqual([['web'], ['worker']]);
  });

  test('every pair of components on every port the destination listens on', () => {
    expect(byKind('component').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> web :8080/TCP deny', 'worker -> web :8080/TCP allow',
    ]);
    // the real pod labels, not only the model's
    expect(byKind('component')[0].from.labels).toEqual({ app: 'web', version: '1' });
  });

  test('listed namespaces, DNS, each CIDR of each external, and an address outside them all', () => {
    expect(byKind('namespace').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual(['namespace ingress-nginx -> web :8080/TCP allow']);
    expect(byKind('dns').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> dns kube-system/k8s-app=kube-dns :53/UDP allow', 'web -> dns kube-system/k8s-app=kube-dns :53/TCP allow',
      'worker -> dns kube-system/k8s-app=kube-dns :53/UDP allow', 'worker -> dns kube-system/k8s-app=kube-dns :53/TCP allow',
    ]);
    expect(byKind('external').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> db (10.1.0.1) :5432/TCP allow', 'web -> db (10.2.0.1) :5432/TCP allow',
      'worker -> db (10.1.0.1) :5432/TCP deny', 'worker -> db (10.2.0.1) :5432/TCP deny',
    ]);
    expect(built.outside).toBe('192.0.2.10');
    expect(byKind('outside').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> outside (192.0.2.10) :53/TCP deny', 'web -> outside (192.0.2.10) :53/UDP deny', 'web -> outside (192.0.2.10) :5432/TCP deny',
      'worker -> outside (192.0.2.10) :53/TCP deny', 'worker -> outside (192.0.2.10) :53/UDP deny', 'worker -> outside (192.0.2.10) :5432/TCP deny',
    ]);
  });

  test('pods of another namespace, labelled like another environment, are denied both ways', () => {
    expect(built.otherNamespace).toBe('shop-other');
    expect(byKind('other-namespace').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'shop-other/web -> web :8080/TCP deny', 'web -> shop-other/web :8080/TCP deny',
      'shop-other/worker -> web :8080/TCP deny', 'worker -> shop-other/web :8080/TCP deny',
    ]);
    const f = byKind('other-namespace')[0];
    expect(f.from.namespaceLabels).toEqual({ 'team': 'shop', 'kubernetes.io/metadata.name': 'shop-other' });
  });

  test('every pod gets an address of a pod network that overlaps no CIDR of the model', () => {
    expect(built.podNetwork).toBe('10.244.0.0/16');
    const ips = built.flows.flatMap((f) => [f.from, f.to]).filter((p) => p.type !== 'external' && p.type !== 'outside').map((p) => p.ip!);
    for (const ip of ips) expect(t.cidrContains('10.244.0.0/16', ip)).toBe(true);
  });

  test('in cyclonus\'s traffic format', () => {
    expect(t.cyclonusTraffic(byKind('external')[0])).toEqual({
      Source: {
        Internal: { PodLabels: { app: 'web', version: '1' }, NamespaceLabels: { 'team': 'shop', 'kubernetes.io/metadata.name': 'shop' }, Namespace: 'shop' },
        IP: '10.244.0.10',
      },
      Destination: { Internal: null, IP: '10.1.0.1' },
      ResolvedPort: 5432,
      ResolvedPortName: '',
      Protocol: 'TCP',
    });
  });
});

describe('the model itself', () => {
  test('a flow to an unknown component, a port nobody listens on and a bad CIDR are refused', () => {
    const m = model();
    m.externals![0].cidrs.push('10.3.0.0/33');
    m.allowed.push({ from: { component: 'web' }, to: { component: 'api' }, port: 80, protocol: 'TCP' });
    m.allowed.push({ from: { component: 'web' }, to: { component: 'worker' }, port: 9000, protocol: 'TCP' });
    expect(t.modelErrors(m)).toEqual([
      'externals[0].cidrs[2]: "10.3.0.0/33" is not an IPv4 CIDR',
      'allowed[3].to: "api" is not a component of the model',
      'allowed[4]: component "worker" does not listen on 9000/TCP, so the flow can never happen',
    ]);
  });

  test('a component whose labels match no pod is taken by its name, and a workload outside the model is named', () => {
    const m = model();
    m.components[0].podLabels = { app: 'web-v2' };
    const extra = [...workloads, { kind: 'Job', name: 'migrate', namespace: 'shop', labels: { app: 'migrate' } }];
    const { components, problems } = t.resolveComponents(m, extra);
    expect(components[0].pods.map((p) => p.name)).toEqual(['web']);
    expect(problems.map((p) => `${p.check} ${p.kind}/${p.name}`)).toEqual(['model-labels Deployment/web', 'workload-not-in-model Job/migrate']);
  });

  test('a CronJob is found by the pod labels of the Job it creates, not by its own labels', () => {
    const m = model();
    m.components.push({ name: 'clearsessions', podLabels: { app: 'clearsessions' }, ports: [] });
    const cronJob = {
      kind: 'CronJob',
      metadata: { name: 'clearsessions', namespace: 'shop', labels: { app: 'not-the-pods' } },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'clearsessions' } }, spec: {} } } } },
    };
    const found = t.workloadsOf([{ obj: cronJob, file: 'clearsessions.yaml' }]);
    expect(found).toEqual([{ kind: 'CronJob', name: 'clearsessions', namespace: 'shop', labels: { app: 'clearsessions' }, file: 'clearsessions.yaml' }]);
    const { components, problems } = t.resolveComponents(m, [...workloads, ...found]);
    expect(problems).toEqual([]);
    expect(components[2].pods.map((p) => `${p.kind}/${p.name}`)).toEqual(['CronJob/clearsessions']);
  });
});

describe('cyclonus output', () => {
  const out = fs.readFileSync(RECORDED, 'utf8');

  test('query-traffic: one verdict per traffic, with the targets of each direction', () => {
    const v = t.parseQueryTraffic(out);
    expect(v.map((x) => x.allowed)).toEqual([false, true, false, false, false]);
    // backend -> backend :8000: denied both ways by the backend's policy and the namespace-wide one
    expect(v[0].ingress.deny).toHaveLength(2);
    expect(v[0].egress.deny).toHaveLength(2);
    // grafana -> DNS: allowed on egress by the namespace-wide target, while grafana's own target denies it
    expect(v[1].egress.allow.map((x) => x.replace(/\s+/g, ' '))).toEqual(['namespace: picvario-test all pods']);
    expect(v[1].egress.deny).toHaveLength(1);
    expect(v[1].ingress).toEqual({ allow: [], deny: [] });
  });

  test('the targets map back to the NetworkPolicies by their pod selector', () => {
    const v = t.parseQueryTraffic(out);
    const sel = { matchLabels: { 'app.kubernetes.io/component': 'grafana', 'app.kubernetes.io/instance': 'picvario-test', 'app.kubernetes.io/name': 'picvario' } };
    const policies = [
      { metadata: { name: 'default-deny', namespace: 'picvario-test' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      { metadata: { name: 'allow-dns', namespace: 'picvario-test' }, spec: { podSelector: {}, policyTypes: ['Egress'] } },
      { metadata: { name: 'allow-grafana', namespace: 'picvario-test' }, spec: { podSelector: sel, policyTypes: ['Egress'] } },
    ];
    expect(t.policiesOfTarget(v[1].egress.allow[0], policies, 'egress')).toEqual(['default-deny', 'allow-dns']);
    expect(t.policiesOfTarget(v[1].egress.deny[0], policies, 'egress')).toEqual(['allow-grafana']);
    expect(t.policiesOfTarget(v[0].ingress.deny[1], policies, 'ingress')).toEqual(['default-deny']);
  });

  test('lint: every warning with its check and source policies', () => {
    const w = t.parseLint(out);
    expect(w).toHaveLength(31);
    expect(w.filter((x) => x.check === 'CheckTargetAllIngressBlocked').map((x) => x.policies)).toEqual([['picvario-test/default-deny']]);
    expect(w.find((x) => x.check === 'CheckDNSBlockedOnUDP' && x.policies.length === 2)!.policies)
      .toEqual(['picvario-test/allow-dns', 'picvario-test/default-deny']);
  });
});

describe('the README diagram', () => {
  test('component-to-component edges, with each port of a label', () => {
    const readme = [
      '```mermaid', 'flowchart LR', '  subgraph ns["namespace shop"]',
      '    c_web["web<br/>Deployment · Service :8080"]', '    c_worker_default["worker-default<br/>Deployment"]', '  end',
      '  x_cidr_10_1_0_0_24[("10.1.0.0/24")]',
      '  c_worker_default -->|":8080, :9090"| c_web', '  c_web -->|":5432 PostgreSQL"| x_cidr_10_1_0_0_24', '```',
    ].join('\n');
    expect(t.diagramEdges(readme)).toEqual([
      { from: 'worker-default', to: 'web', port: 8080, protocol: 'TCP' },
      { from: 'worker-default', to: 'web', port: 9090, protocol: 'TCP' },
    ]);
    expect(t.diagramEdges('no diagram here')).toBeNull();
  });
});
