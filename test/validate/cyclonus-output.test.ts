// cyclonus's side of the traffic matrix (src/validate/cyclonus-output.ts): the flows in cyclonus's
// traffic format, and the parsing of cyclonus's tables (from a recorded `cyclonus analyze --mode
// lint,query-traffic` run on the test environment's policies, answering the five flows of
// fixtures/cyclonus/traffic.json). The flows come from the render's own model (src/platform/traffic-model.ts).
// Needs only npm packages.
import * as fs from 'fs';
import * as path from 'path';
import * as t from '../../src/platform/traffic-model';
import * as c from '../../src/validate/cyclonus-output';

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

describe('flows in cyclonus\'s traffic format', () => {
  const m = model();
  const built = t.buildFlows(m, t.resolveComponents(m, workloads).components, { team: 'shop' });
  const byKind = (kind: string) => built.flows.filter((f) => f.kind === kind);

  test('an address outside the cluster is no pod; a component is one, with its namespace', () => {
    expect(c.cyclonusTraffic(byKind('external')[0])).toEqual({
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

test('an external service by namespace is a pod of that namespace', () => {
  const m: t.TrafficModel = {
    ...model(),
    externals: [{ name: 'queue', namespace: 'messaging', podLabels: { app: 'rabbitmq' }, ports: [{ port: 5672, protocol: 'TCP' }] }],
    allowed: [{ from: { component: 'worker' }, to: { external: 'queue' }, port: 5672, protocol: 'TCP' }],
  };
  const built = t.buildFlows(m, t.resolveComponents(m, workloads).components, {});
  const flow = built.flows.find((f) => f.from.component === 'worker' && f.to.external === 'queue')!;
  expect(c.cyclonusTraffic(flow)).toMatchObject({
    Destination: {
      Internal: { PodLabels: { app: 'rabbitmq' }, NamespaceLabels: { 'kubernetes.io/metadata.name': 'messaging' }, Namespace: 'messaging' },
      IP: flow.to.ip,
    },
    ResolvedPort: 5672,
    Protocol: 'TCP',
  });
});

describe('cyclonus output', () => {
  const out = fs.readFileSync(RECORDED, 'utf8');

  test('query-traffic: one verdict per traffic, with the targets of each direction', () => {
    const v = c.parseQueryTraffic(out);
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
    const v = c.parseQueryTraffic(out);
    const sel = { matchLabels: { 'app.kubernetes.io/component': 'grafana', 'app.kubernetes.io/instance': 'picvario-test', 'app.kubernetes.io/name': 'picvario' } };
    const policies = [
      { metadata: { name: 'default-deny', namespace: 'picvario-test' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      { metadata: { name: 'allow-dns', namespace: 'picvario-test' }, spec: { podSelector: {}, policyTypes: ['Egress'] } },
      { metadata: { name: 'allow-grafana', namespace: 'picvario-test' }, spec: { podSelector: sel, policyTypes: ['Egress'] } },
    ];
    expect(c.policiesOfTarget(v[1].egress.allow[0], policies, 'egress')).toEqual(['default-deny', 'allow-dns']);
    expect(c.policiesOfTarget(v[1].egress.deny[0], policies, 'egress')).toEqual(['allow-grafana']);
    expect(c.policiesOfTarget(v[0].ingress.deny[1], policies, 'ingress')).toEqual(['default-deny']);
  });

  test('lint: every warning with its check and source policies', () => {
    const w = c.parseLint(out);
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
    expect(c.diagramEdges(readme)).toEqual([
      { from: 'worker-default', to: 'web', port: 8080, protocol: 'TCP' },
      { from: 'worker-default', to: 'web', port: 9090, protocol: 'TCP' },
    ]);
    expect(c.diagramEdges('no diagram here')).toBeNull();
  });
});
