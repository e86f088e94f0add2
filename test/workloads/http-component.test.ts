import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { DjangoBackend, EdgeRouter, IHttpComponent, NuxtFrontend, StatsDashboards, StatsShipper } from '../../src';
import { ValidationError } from '../../src/platform/errors';
import { newChart, settings, small } from '../support/synth';

// The five HTTP components share one definition of the IHttpComponent fields (platform/http-component.ts):
// each is built here with its defaults, then with its name and port set, and with an invalid one.
const STATS_ES = { url: 'https://stats-es.internal:9200', secretName: 'stats-es' };
type Make = (scope: Construct, address: { name?: string; port?: number }) => IHttpComponent & Construct;
const KINDS: Array<[string, Make, string, number, number[]]> = [
  ['DjangoBackend', (s, a) => new DjangoBackend(s, 'c', { appName: 'shop', image: 'r.example.com/api', tag: '1.0', settings: settings(), resources: small, ...a }), 'backend', 8000, []],
  ['NuxtFrontend', (s, a) => new NuxtFrontend(s, 'c', {
    appName: 'shop',
    image: 'r.example.com/web',
    tag: '1.0',
    resources: small,
    internalApiUrl: 'http://backend:8000/api',
    publicApiUrl: 'https://shop.example.com/api',
    ...a,
  }), 'frontend', 3000, []],
  ['EdgeRouter', (s, a) => new EdgeRouter(s, 'c', {
    appName: 'shop',
    host: 'shop.example.com',
    resources: small,
    staticOrigin: 'https://static.example.com/',
    backend: new DjangoBackend(s, 'backend', { appName: 'shop', image: 'r.example.com/api', tag: '1.0', settings: settings(), resources: small }),
    ...a,
  }), 'edge', 8080, []],
  ['StatsShipper', (s, a) => new StatsShipper(s, 'c', {
    appName: 'shop', tag: '8.15.3', resources: { ...small, memoryRequest: '1Gi', memoryLimit: '1Gi' }, elasticsearch: STATS_ES, ...a,
  }), 'stats-shipper', 8080, [9600]],
  ['StatsDashboards', (s, a) => new StatsDashboards(s, 'c', {
    appName: 'shop', tag: '11.3.0', resources: small, elasticsearch: STATS_ES, adminSecretName: 'grafana-admin', ...a,
  }), 'grafana', 3000, []],
];

describe.each(KINDS)('GIVEN a %s', (kind, make, defaultName, defaultPort, extraPorts) => {
  test('WHEN name and port are left out THEN its defaults give the name, port, URL, listen ports and pod selector', () => {
    const c = make(newChart(), {});
    expect([c.name, c.port, c.serviceUrl]).toEqual([defaultName, defaultPort, `http://${defaultName}:${defaultPort}`]);
    expect(c.listenPorts).toEqual([defaultPort, ...extraPorts].map((port) => ({ port, protocol: 'TCP' })));
    expect(c.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': defaultName });
  });

  test('WHEN name and port are set THEN its Service has that name and port and selects its pods by selectorLabels', () => {
    const chart = newChart();
    const c = make(chart, { name: 'web-x', port: 9090 });
    expect([c.name, c.port, c.serviceUrl, c.listenPorts[0]]).toEqual(['web-x', 9090, 'http://web-x:9090', { port: 9090, protocol: 'TCP' }]);
    const service = Testing.synth(chart).find((o) => o.kind === 'Service' && o.metadata.name === 'web-x');
    expect(service.spec.selector).toEqual(c.selectorLabels);
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([9090]);
  });

  test.each([
    [{ name: 'Web_X' }, /name must be a DNS-1035 label .*; got "Web_X"$/],
    [{ port: 80 }, /port must be an integer from 1024 to 65535; got 80$/],
  ])('WHEN %j THEN a ValidationError names the construct, the prop and the accepted range', (address, message) => {
    const chart = newChart();
    expect(() => make(chart, address)).toThrow(ValidationError);
    expect(() => make(newChart(), address)).toThrow(new RegExp(`^${kind} '[^']*c': ${message.source}`));
  });
});
