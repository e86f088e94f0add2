import { Testing } from 'cdk8s';
import { EdgeRouter, EdgeRouterProps, NginxConfig } from '../../../src';
import { DjangoBackend } from '../../../src/workloads/django-backend';
import { container, find, newChart, settings, small } from '../../support/synth';

function edge(overrides: Partial<EdgeRouterProps> = {}) {
  const chart = newChart();
  new DjangoBackend(chart, 'backend', { appName: 'shop', image: 'r.example.com/api', tag: '1', settings: settings(), resources: small });
  new DjangoBackend(chart, 'frontend', { appName: 'shop', name: 'frontend', port: 3000, image: 'r.example.com/web', tag: '1', settings: settings(), resources: small });
  const router = new EdgeRouter(chart, 'edge', {
    appName: 'shop',
    host: 'shop.example.com',
    resources: small,
    nginx: { backendUpstream: 'backend:8000', frontendUpstream: 'frontend:3000', staticOrigin: 'https://static.example.com/' },
    ...overrides,
  });
  return { chart, router, all: () => Testing.synth(chart) };
}

describe('EdgeRouter', () => {
  test('GIVEN routes to the backend and frontend THEN the edge objects match the snapshot', () => {
    const all = edge().all().filter((o) => o.metadata?.labels?.['app.kubernetes.io/component'] === 'edge');
    expect(all).toMatchSnapshot();
  });

  test('THEN nginx runs the generated config from a ConfigMap, and the pods roll when it changes', () => {
    const { router, all } = edge();
    const objects = all();
    expect(find(objects, 'ConfigMap', 'edge-nginx').data['nginx.conf']).toBe(router.config);
    const d = find(objects, 'Deployment', 'edge');
    expect(d.spec.template.metadata.annotations['checksum/config']).toBe(NginxConfig.checksum(router.config));
    expect(container(d).command).toEqual(['nginx', '-e', 'stderr', '-g', 'daemon off;', '-c', '/etc/nginx/edge/nginx.conf']);
    expect(router.config).toContain('listen 8080');
    const other = edge({ nginx: { backendUpstream: 'backend:8000', frontendUpstream: 'frontend:3000', staticOrigin: 'https://cdn.example.com/' } });
    expect(find(other.all(), 'Deployment', 'edge').spec.template.metadata.annotations['checksum/config'])
      .not.toBe(d.spec.template.metadata.annotations['checksum/config']);
  });

  test('GIVEN a cluster issuer THEN the Ingress asks cert-manager for TLS and never buffers uploads', () => {
    const ingress = find(edge({ clusterIssuer: 'letsencrypt', ingressClassName: 'public' }).all(), 'Ingress', 'edge');
    expect(ingress.metadata.annotations).toMatchObject({
      'cert-manager.io/cluster-issuer': 'letsencrypt', 'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
    });
    expect(ingress.spec.ingressClassName).toBe('public');
    expect(ingress.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'edge-tls' }]);
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'edge', port: { name: 'http' } } });
  });

  test('GIVEN no cluster issuer THEN the Ingress has no TLS', () => {
    expect(find(edge().all(), 'Ingress', 'edge').spec.tls).toBeUndefined();
  });

  test('GIVEN a route to a component that does not exist THEN validation names the field and the Services there are', () => {
    const { chart } = edge({ nginx: { backendUpstream: 'api:8000', frontendUpstream: 'frontend:3000', staticOrigin: 'https://s.example.com/' } });
    expect(() => Testing.synth(chart)).toThrow(
      'EdgeRouter \'test/edge\': nginx.backendUpstream must route to a Service this chart renders (backend:8000, edge:8080, frontend:3000); got "api:8000"');
  });

  test('GIVEN a bad host THEN synth fails naming the field', () => {
    expect(() => edge({ host: 'Not A Host' })).toThrow(/EdgeRouter 'test\/edge': host must be a DNS host name/);
  });
});
