import { deployment, service } from './helpers';
import { mermaidDiagram, topologyOf } from '../../src/topology/topology-diagram';

const brokerEnv = [{ name: 'CELERY_BROKER_URL', valueFrom: { secretKeyRef: { name: 'b', key: 'url' } } }];

describe('topology diagram', () => {
  test('draws known traffic only where both ends are rendered, and external services from env', () => {
    const t = topologyOf([
      deployment('edge'), service('edge'),
      deployment('backend', { env: brokerEnv }), service('backend', 'backend', 8000),
      deployment('worker-default', { env: brokerEnv }),
      { kind: 'ScaledObject', spec: { scaleTargetRef: { name: 'worker-default' }, triggers: [{ type: 'rabbitmq' }] } },
    ]);
    expect(t.edges).toEqual([
      { from: 'backend', to: 'broker' },
      { from: 'edge', to: 'backend' },
      { from: 'worker-default', to: 'broker' },
    ]);
    expect(t.externals.get('broker')).toBe('Celery broker (rabbitmq)');
    expect(t.components.get('backend')).toBe('Deployment · Service :8000');
  });

  test('a Service named in a ConfigMap of a component is traffic from it', () => {
    const config = { kind: 'ConfigMap', metadata: { labels: { 'app.kubernetes.io/component': 'proxy' } }, data: { 'nginx.conf': 'upstream x { server search.ns.svc.cluster.local:9200; }' } };
    const t = topologyOf([deployment('proxy'), config, deployment('search'), service('search')]);
    expect(t.edges).toEqual([{ from: 'proxy', to: 'search' }]);
  });

  test('renders a Mermaid flowchart with the namespace as a subgraph', () => {
    const text = mermaidDiagram([deployment('edge'), deployment('frontend'), service('frontend')], 'ns');
    expect(text.split('\n')[0]).toBe('flowchart LR');
    expect(text).toContain('subgraph ns["namespace ns"]');
    expect(text).toContain('c_edge --> c_frontend');
  });
});
