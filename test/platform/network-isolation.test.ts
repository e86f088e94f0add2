import { Testing } from 'cdk8s';
import { NetworkIsolation, TrafficRule } from '../../src';
import { DjangoBackend } from '../../src/workloads/django-backend';
import { find, newChart, settings, small } from '../support/synth';

function isolate(rules: TrafficRule[]) {
  const chart = newChart();
  new DjangoBackend(chart, 'backend', { appName: 'shop', image: 'r.example.com/api', tag: '1', settings: settings(), resources: small });
  new NetworkIsolation(chart, 'net', { appName: 'shop', rules });
  return chart;
}

const select = (component: string) => ({
  matchLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': component },
});

describe('NetworkIsolation', () => {
  test('GIVEN flows THEN everything is denied both ways, DNS is open, and each flow is allowed on both ends', () => {
    const all = Testing.synth(isolate([
      { fromNamespace: 'ingress-nginx', toComponent: 'backend', ports: [8000] },
      { fromComponent: 'backend', toCidrs: ['10.1.0.0/24'], ports: [5432] },
    ]));
    expect(find(all, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find(all, 'NetworkPolicy', 'allow-dns').spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    expect(find(all, 'NetworkPolicy', 'allow-backend').spec).toEqual({
      podSelector: select('backend'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    expect(all).toMatchSnapshot();
  });

  test('GIVEN a rule to a component that nothing renders THEN validation names it and the rendered ones', () => {
    const chart = isolate([{ fromComponent: 'backend', toComponent: 'search', ports: [9200] }]);
    const errors = chart.node.findAll().flatMap((c) => c.node.validate());
    expect(errors).toEqual(['NetworkIsolation \'test/net\': rules route to component "search", which no workload renders; rendered components: backend']);
  });

  test('GIVEN a service of another namespace THEN the egress peer selects that namespace AND those pods, in one entry', () => {
    const all = Testing.synth(isolate([{ fromComponent: 'backend', toNamespace: 'search', toPodLabels: { app: 'opensearch' }, ports: [9200] }]));
    expect(find(all, 'NetworkPolicy', 'allow-backend').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'search' } }, podSelector: { matchLabels: { app: 'opensearch' } } }],
      ports: [{ protocol: 'TCP', port: 9200 }],
    }]);
    expect(() => isolate([{ fromComponent: 'backend', toCidrs: ['10.0.0.0/8'], toPodLabels: { a: 'b' }, ports: [1] }])).toThrow(/rules\[0\]\.toPodLabels must be set only together with toNamespace/);
  });

  test.each([
    [{ fromComponent: 'backend', toCidrs: ['10.0.0.1/8'], ports: [1] }, /rules\[0\]\.toCidrs\[0\] must be a network address \(no host bits set after \/8\)/],
    [{ fromComponent: 'backend', toCidrs: ['300.0.0.0/8'], ports: [1] }, /rules\[0\]\.toCidrs\[0\] must be an IPv4 CIDR/],
    [{ fromComponent: 'backend', toCidrs: ['10.0.0.0/8'], ports: [70000] }, /rules\[0\]\.ports\[0\] must be an integer from 1 to 65535; got 70000/],
    [{ fromComponent: 'backend', fromNamespace: 'x', toCidrs: ['10.0.0.0/8'], ports: [1] }, /rules\[0\]\.fromComponent\/fromNamespace must be exactly one of the two/],
    [{ fromComponent: 'backend', ports: [1] }, /rules\[0\]\.toComponent\/toCidrs\/toNamespace must be exactly one of the three/],
  ])('GIVEN the bad rule %j THEN synth fails naming the field', (rule, message) => {
    expect(() => isolate([rule as TrafficRule])).toThrow(message);
  });
});
