import { Testing } from 'cdk8s';
import { EdgeRouter, EdgeRouterProps, NginxConfig } from '../../../src';
import { AppServer, DjangoBackend } from '../../../src/workloads/django-backend';
import { container, find, newChart, settings, small } from '../../support/synth';

function edge(overrides: Partial<EdgeRouterProps> = {}, withFrontend = true) {
  const chart = newChart();
  const backend = new DjangoBackend(chart, 'backend', { appName: 'shop', image: 'r.example.com/api', tag: '1', settings: settings(), resources: small });
  const frontend = withFrontend
    ? new DjangoBackend(chart, 'frontend', { appName: 'shop', name: 'frontend', port: 3000, image: 'r.example.com/web', tag: '1', settings: settings(), resources: small })
    : undefined;
  const router = new EdgeRouter(chart, 'edge', {
    appName: 'shop',
    host: 'shop.example.com',
    resources: small,
    backend,
    frontend,
    staticOrigin: 'https://static.example.com/',
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
    const other = edge({ staticOrigin: 'https://cdn.example.com/' });
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

  test('GIVEN the backend and frontend objects THEN nginx routes to their Services, and the edge is a component itself', () => {
    const { router } = edge();
    expect(router.config).toContain('upstream edge_backend {\n        server backend:8000;');
    expect(router.config).toContain('upstream edge_frontend {\n        server frontend:3000;');
    expect([router.name, router.port, router.serviceUrl, router.listenPorts]).toEqual(['edge', 8080, 'http://edge:8080', [{ port: 8080, protocol: 'TCP' }]]);
    expect(router.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'edge' });
  });

  test('GIVEN no frontend THEN the backend serves every path, X-Accel-Redirect downloads included', () => {
    const { router } = edge({}, false);
    expect(router.config).not.toContain('edge_frontend');
    const root = router.config.slice(router.config.indexOf('        location / {'));
    expect(root).toContain('proxy_pass http://edge_backend;');
    expect(root).not.toContain('proxy_ignore_headers X-Accel-Redirect');
  });

  test('GIVEN routing options THEN they reach nginx and the Ingress', () => {
    const { router, all } = edge({ routing: { uploadMaxBodySize: '20g', backendPathPrefixes: ['/graphql/'] } });
    expect(router.config).toContain('location ^~ /graphql/ {');
    expect(router.config).toContain('client_max_body_size 20g;');
    expect(find(all(), 'Ingress', 'edge').metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('20g');
  });

  test('GIVEN a bad routing option THEN the error names the construct and the option as the user wrote it', () => {
    expect(() => edge({ routing: { backendPathPrefixes: ['api'] } })).toThrow(/^EdgeRouter 'test\/edge': routing\.backendPathPrefixes must be path prefixes that start and end with "\/"; got "api"$/);
    expect(() => edge({ staticOrigin: 'ftp://x' })).toThrow(/^EdgeRouter 'test\/edge': staticOrigin must be an absolute http or https URL/);
  });

  test('GIVEN tenants on subdomains and a cluster issuer THEN the Ingress has a rule for each host, all sent to the edge, and the wildcard a certificate apart from the host\'s', () => {
    const { router, all } = edge({ additionalHosts: ['*.shop.example.com', 'shop.example.net'], clusterIssuer: 'letsencrypt-dns' });
    const ingress = find(all(), 'Ingress', 'edge');
    expect(router.hosts).toEqual(['shop.example.com', '*.shop.example.com', 'shop.example.net']);
    expect(ingress.spec.rules.map((r: any) => [r.host, r.http.paths[0].backend.service.name])).toEqual([
      ['shop.example.com', 'edge'], ['*.shop.example.com', 'edge'], ['shop.example.net', 'edge'],
    ]);
    // A wildcard needs a DNS-01 solver: if the issuer has none, only the wildcard's certificate fails.
    expect(ingress.spec.tls).toEqual([
      { hosts: ['shop.example.com', 'shop.example.net'], secretName: 'edge-tls' },
      { hosts: ['*.shop.example.com'], secretName: 'edge-wildcard-tls' },
    ]);
  });

  test.each([
    [['*.*.shop.example.com'], /additionalHosts\[0\] must be a DNS host name in lowercase, or \*\. and one \(a wildcard for one label\); got "\*\.\*\.shop\.example\.com"/],
    [['Shop.example.com'], /additionalHosts\[0\] must be a DNS host name in lowercase/],
    [['a.example.com', 'a.example.com'], /additionalHosts\[1\] must be a host named once; got "a\.example\.com"/],
    [['shop.example.com'], /additionalHosts\[0\] must be a host other than host; got "shop\.example\.com"/],
  ])('GIVEN additionalHosts %j THEN synth fails naming the construct and the entry', (additionalHosts, message) => {
    expect(() => edge({ additionalHosts })).toThrow(message);
    expect(() => edge({ additionalHosts })).toThrow(/^EdgeRouter 'test\/edge': /);
  });

  test('GIVEN a bad host THEN synth fails naming the field', () => {
    expect(() => edge({ host: 'Not A Host' })).toThrow(/EdgeRouter 'test\/edge': host must be a DNS host name/);
  });

  describe('GIVEN an ASGI service for websockets beside the backend', () => {
    const EDGE_WS = { appName: 'shop', name: 'edge-ws', host: 'shop.example.com', resources: small, staticOrigin: 'https://static.example.com/' };
    function withWs(idleTimeoutSeconds?: number) {
      const made = edge({}, false);
      const ws = new DjangoBackend(made.chart, 'ws', { appName: 'shop', name: 'ws', server: AppServer.UVICORN, image: 'r.example.com/api', tag: '1', settings: settings(), resources: small });
      const router = new EdgeRouter(made.chart, 'edge-ws', {
        ...EDGE_WS,
        backend: made.chart.node.findChild('backend') as DjangoBackend,
        services: [{ component: ws, pathPrefixes: ['/ws/'], idleTimeoutSeconds }],
      });
      return { router, objects: () => Testing.synth(made.chart) };
    }

    test('THEN nginx routes its prefix to its Service with the websocket headers and a long idle timeout', () => {
      const { router } = withWs();
      expect(router.config).toContain('upstream edge_service_ws {\n        server ws:8000;');
      const ws = router.config.slice(router.config.indexOf('location ^~ /ws/ {'));
      expect(ws.slice(0, ws.indexOf('}'))).toMatch(/proxy_set_header Upgrade \$http_upgrade;[\s\S]*proxy_read_timeout 3600s;[\s\S]*proxy_pass http:\/\/edge_service_ws;/);
    });

    test('THEN the Ingress controller keeps quiet connections open as long as the edge does', () => {
      expect(find(withWs().objects(), 'Ingress', 'edge-ws').metadata.annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600', 'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      });
      expect(find(withWs(900).objects(), 'Ingress', 'edge-ws').metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('900');
    });

    test('WHEN the edge has no service THEN the Ingress keeps the controller\'s timeouts', () => {
      const annotations = find(edge().all(), 'Ingress', 'edge').metadata.annotations;
      expect(Object.keys(annotations).filter((k) => k.endsWith('-timeout'))).toEqual([]);
    });

    test('WHEN a service prefix is one the backend has THEN the error names the construct and services[i]', () => {
      const { chart, router } = edge();
      const ws = new DjangoBackend(chart, 'ws', { appName: 'shop', name: 'ws', image: 'r.example.com/api', tag: '1', settings: settings(), resources: small });
      expect(() => new EdgeRouter(chart, 'edge-ws', { ...EDGE_WS, backend: ws, services: [{ component: ws, pathPrefixes: ['/admin/'] }] })).toThrow(/^EdgeRouter 'test\/edge-ws': services\[0\]\.pathPrefixes must be prefixes that no other route uses \("\/admin\/" is also in routing\.backendPathPrefixes\); got "\/admin\/"$/);
      expect(router.config).not.toContain('edge_service');
    });
  });
});
