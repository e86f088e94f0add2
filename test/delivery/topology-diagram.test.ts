import { deployment, service } from './helpers';
import { mermaidDiagram, topologyOf } from '../../src/delivery/topology-diagram';

const select = (component: string) => ({ matchLabels: { 'app.kubernetes.io/component': component } });
const policy = (component: string, spec: any) => ({ kind: 'NetworkPolicy', metadata: { name: `allow-${component}` }, spec: { podSelector: select(component), ...spec } });

const OBJECTS = [
  deployment('edge'), service('edge'),
  deployment('backend'), service('backend', 'backend', 8000),
  { kind: 'NetworkPolicy', metadata: { name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
  policy('edge', {
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 8080 }] }],
    egress: [{ to: [{ podSelector: select('backend') }], ports: [{ port: 8000 }] }],
  }),
  policy('backend', {
    ingress: [{ from: [{ podSelector: select('edge') }], ports: [{ port: 8000 }] }],
    egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/24' } }], ports: [{ port: 5432 }] }],
  }),
];

describe('topology diagram', () => {
  test('GIVEN NetworkPolicies THEN the traffic drawn is exactly what they allow, once per flow', () => {
    const t = topologyOf(OBJECTS);
    expect(t.edges).toEqual([
      { from: 'backend', to: 'cidr 10.1.0.0/24', label: ':5432 PostgreSQL' },
      { from: 'edge', to: 'backend', label: ':8000' },
      { from: 'namespace ingress-nginx', to: 'edge', label: ':8080' },
    ]);
    expect([...t.externals.keys()].sort()).toEqual(['cidr 10.1.0.0/24', 'namespace ingress-nginx']);
    expect(t.components.get('backend')).toBe('Deployment · Service :8000');
  });

  test('GIVEN no NetworkPolicies THEN no traffic is invented', () => {
    expect(topologyOf([deployment('edge'), deployment('backend'), service('backend')]).edges).toEqual([]);
  });

  test('THEN it renders a Mermaid flowchart with the namespace as a subgraph and labelled edges', () => {
    const text = mermaidDiagram(OBJECTS, 'ns');
    expect(text.split('\n')[0]).toBe('flowchart LR');
    expect(text).toContain('subgraph ns["namespace ns"]');
    expect(text).toContain('c_edge -->|":8000"| c_backend');
    expect(text).toContain('x_namespace_ingress_nginx -->|":8080"| c_edge');
    expect(text).toContain('x_cidr_10_1_0_0_24[("10.1.0.0/24")]');
  });

  test('GIVEN a CronJob with its egress policy THEN it is drawn as a component with the traffic its policy allows', () => {
    const cronJob = {
      kind: 'CronJob',
      metadata: { name: 'clearsessions', labels: { 'app.kubernetes.io/component': 'clearsessions' } },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { 'app.kubernetes.io/component': 'clearsessions' } } } } } },
    };
    const t = topologyOf([...OBJECTS, cronJob, policy('clearsessions', { egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/24' } }], ports: [{ port: 5432 }] }] })]);
    expect(t.components.get('clearsessions')).toBe('CronJob');
    expect(t.edges).toContainEqual({ from: 'clearsessions', to: 'cidr 10.1.0.0/24', label: ':5432 PostgreSQL' });
  });
});
