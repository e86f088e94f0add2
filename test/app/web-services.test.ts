import { Testing } from 'cdk8s';
import { shopComponent, synthShop } from './chart-fixture';
import { AppServer, BrokerKind, ComponentGroup, DjangoAppChart, DjangoAppChartProps, DjangoBackend, QueuePriority } from '../../src';
import { chartInputs } from '../../src/delivery/render';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const WS = { name: 'ws', pathPrefixes: ['/ws/', '/api/stream/'], resources: size, minReplicas: 2, maxReplicas: 6 };

/** A Django Channels app: the WSGI backend, a websocket service beside it, a queue, and an edge in front. */
function channelsProps(overrides: Partial<DjangoAppChartProps> = {}): DjangoAppChartProps {
  return {
    appName: 'shop',
    namespace: 'shop',
    version: '1.4.0',
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size, minReplicas: 3, maxReplicas: 10 },
    webServices: [WS],
    workers: { queues: [{ name: 'default', priority: QueuePriority.NORMAL, resources: size }] },
    edge: { host: 'shop.example.com', ingressNamespace: 'ingress-nginx', resources: size },
    externalServices: [
      { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
      { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379] },
      { name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] },
    ],
    secretStore: { storeName: 'vault' },
    ...overrides,
  };
}

const synth = (overrides: Partial<DjangoAppChartProps> = {}) => synthShop(channelsProps(overrides));
const component = shopComponent;

describe('GIVEN a websocket service (uvicorn) beside the WSGI backend, behind the edge', () => {
  const { app, chart, objects, find, policy, model } = synth();
  const nginxConf: string = find('ConfigMap', 'edge-nginx').data['nginx.conf'];

  test('THEN it runs the app image under uvicorn with the backend\'s settings and broker', () => {
    expect(chart.webServices.map((w) => w.name)).toEqual(['ws']);
    const ws = find('Deployment', 'ws').spec.template.spec.containers[0];
    const backend = find('Deployment', 'backend').spec.template.spec.containers[0];
    expect(ws.image).toBe(backend.image);
    expect(ws.env).toEqual(backend.env);
    expect(ws.command.slice(0, 2)).toEqual(['uvicorn', 'config.asgi:application']);
    expect(ws.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(backend.command[0]).toBe('gunicorn');
  });

  test('THEN it scales, is budgeted and spread like the backend, and its Service has its own name', () => {
    expect(find('HorizontalPodAutoscaler', 'ws').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(find('PodDisruptionBudget', 'ws').spec).toMatchObject({ minAvailable: 1, selector: component('ws') });
    expect(find('Deployment', 'ws').spec.template.spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]))
      .toEqual(find('Deployment', 'backend').spec.template.spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]));
    expect(find('Service', 'ws').spec.selector).toEqual(component('ws').matchLabels);
  });

  test('THEN the edge sends its prefixes to its Service with websocket upgrades and an hour of idle time', () => {
    expect(nginxConf).toContain('upstream edge_service_ws {\n        server ws:8000;');
    for (const prefix of ['/ws/', '/api/stream/']) {
      const block = nginxConf.slice(nginxConf.indexOf(`location ^~ ${prefix} {`));
      const body = block.slice(0, block.indexOf('}'));
      expect([prefix, body]).toEqual([prefix, expect.stringContaining('proxy_set_header Upgrade $http_upgrade;')]);
      expect(body).toContain('proxy_set_header Connection $edge_connection;');
      expect(body).toContain('proxy_read_timeout 3600s;');
      expect(body).toContain('proxy_pass http://edge_service_ws;');
    }
    expect(nginxConf.slice(nginxConf.indexOf('location ^~ /api/ {'))).toMatch(/^[^}]*proxy_pass http:\/\/edge_backend;/);
  });

  test('THEN the Ingress controller keeps websockets open as long as the edge does', () => {
    expect(find('Ingress', 'edge').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
    });
  });

  test('THEN only the edge reaches it, on its port, and it reaches exactly what the backend reaches', () => {
    expect(policy('ws').podSelector).toEqual(component('ws'));
    expect(policy('ws').ingress).toEqual([{ from: [{ podSelector: component('edge') }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
    expect(policy('ws').egress).toEqual(policy('backend').egress);
    expect(policy('ws').policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy('edge').egress).toContainEqual({ to: [{ podSelector: component('ws') }], ports: [{ protocol: 'TCP', port: 8000 }] });
    // No other component is let into it, and it is let into no other component.
    const peers = objects.filter((o) => o.kind === 'NetworkPolicy' && !['allow-ws', 'allow-edge'].includes(o.metadata.name))
      .flatMap((o) => [...(o.spec.ingress ?? []).flatMap((r: any) => r.from), ...(o.spec.egress ?? []).flatMap((r: any) => r.to)])
      .map((peer: any) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component']);
    expect(peers).not.toContain('ws');
  });

  test('THEN the traffic model holds it with its port, the edge\'s flow to it, and the app code\'s flows from it', () => {
    expect(model.components.find((c: any) => c.name === 'ws')).toEqual({ name: 'ws', podLabels: component('ws').matchLabels, ports: [{ port: 8000, protocol: 'TCP' }] });
    expect(model.allowed.filter((f: any) => f.to.component === 'ws')).toEqual([{ from: { component: 'edge' }, to: { component: 'ws' }, port: 8000, protocol: 'TCP' }]);
    const flows = (from: string) => model.allowed.filter((f: any) => f.from.component === from).map((f: any) => f.to.external ?? f.to.component);
    expect(flows('ws')).toEqual(flows('backend'));
    expect(flows('ws')).toEqual(['postgres', 'redis', 's3']);
  });

  test('THEN every Secret key it reads is synced, and Argo CD applies it with the backend', () => {
    const synced = objects.filter((o) => o.kind === 'ExternalSecret').flatMap((o) => o.spec.data.map((d: any) => `${o.metadata.name}/${d.secretKey}`));
    const read = find('Deployment', 'ws').spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom)
      .map((e: any) => `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
    expect(read.length).toBeGreaterThan(0);
    for (const key of read) expect(synced).toContain(key);
    const wave = (kind: string, name: string) => find(kind, name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect([wave('Deployment', 'ws'), wave('Deployment', 'backend'), wave('Deployment', 'edge')]).toEqual(['1', '1', '2']);
  });

  test('THEN the whole app validates and renders', () => {
    expect(() => chartInputs(app)).not.toThrow();
  });
});

describe('GIVEN web services with their own server, port, timeout and a name prefix', () => {
  const { find, policy } = synth({
    namePrefix: 'green',
    webServices: [
      { ...WS, name: 'reports', server: AppServer.GUNICORN, application: 'shop.wsgi:application', pathPrefixes: ['/reports/'], idleTimeoutSeconds: 600 },
      { name: 'ws', pathPrefixes: ['/ws/'], port: 8001, application: 'shop.asgi:application', resources: size, idleTimeoutSeconds: 7200 },
    ],
  });
  const nginxConf: string = find('ConfigMap', 'green-edge-nginx').data['nginx.conf'];

  test('WHEN a service names daphne THEN it runs daphne in one process per pod', () => {
    const daphne = synth({ webServices: [{ ...WS, server: AppServer.DAPHNE }] }).find('Deployment', 'ws').spec.template.spec.containers[0];
    expect(daphne.command).toEqual(['daphne', '--bind=0.0.0.0', '--port=8000', '--proxy-headers', 'config.asgi:application']);
  });

  test('THEN each is named after the prefix and runs the server it names', () => {
    expect(find('Deployment', 'green-ws').spec.template.spec.containers[0].command.slice(0, 3)).toEqual(['uvicorn', 'shop.asgi:application', '--host=0.0.0.0']);
    expect(find('Deployment', 'green-reports').spec.template.spec.containers[0].command.slice(0, 2)).toEqual(['gunicorn', 'shop.wsgi:application']);
  });

  test('THEN the edge and the policies use each one\'s port, and the Ingress the longest idle timeout', () => {
    expect(nginxConf).toContain('server green-ws:8001;');
    expect(nginxConf).toContain('server green-reports:8000;');
    expect(policy('green-ws').ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8001 }]);
    expect(find('Ingress', 'green-edge').metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('7200');
  });
});

describe('GIVEN web services the app cannot have', () => {
  test.each([
    ['no edge', { edge: undefined },
      /^DjangoAppChart 'shop': edge must be set when the app has webServices \(only the edge routes to them; without it they would serve no one\); got undefined$/],
    ['a prefix the backend has by default', { webServices: [{ ...WS, pathPrefixes: ['/api/'] }] },
      /^DjangoAppChart 'shop': webServices\[0\]\.pathPrefixes\[0\] must be a prefix no other route uses \(edge\.routing\.backendPathPrefixes has it too\); got "\/api\/"$/],
    ['a prefix of the edge\'s upload routes', { edge: { ...channelsProps().edge!, routing: { uploadPathPrefixes: ['/ws/'] } } },
      /webServices\[0\]\.pathPrefixes\[0\] must be a prefix no other route uses \(edge\.routing\.uploadPathPrefixes has it too\); got "\/ws\/"/],
    ['a prefix two services have', { webServices: [WS, { ...WS, name: 'sse', pathPrefixes: ['/events/', '/ws/'] }] },
      /^DjangoAppChart 'shop': webServices\[1\]\.pathPrefixes\[1\] must be a prefix no other route uses \(webServices\[0\]\.pathPrefixes\[0\] has it too\); got "\/ws\/"$/],
    ['the frontend\'s "/"', { webServices: [{ ...WS, pathPrefixes: ['/'] }] },
      /^DjangoAppChart 'shop': webServices\[0\]\.pathPrefixes\[0\] must be a path prefix other than "\/" that starts and ends with "\/"/],
    ['a prefix without a trailing slash', { webServices: [{ ...WS, pathPrefixes: ['/ws'] }] }, /webServices\[0\]\.pathPrefixes\[0\] must be a path prefix other than "\/"/],
    ['a prefix under the internal X-Accel one', { webServices: [{ ...WS, pathPrefixes: ['/_s3/ws/'] }] },
      /webServices\[0\]\.pathPrefixes\[0\] must be outside the internal X-Accel prefix "\/_s3\/" \(edge\.routing\.internalS3Prefix\), and not above it; got "\/_s3\/ws\/"/],
    ['no prefix', { webServices: [{ ...WS, pathPrefixes: [] }] }, /^DjangoAppChart 'shop': webServices\[0\]\.pathPrefixes must be a non-empty list of path prefixes/],
    ['two services of one name', { webServices: [WS, { ...WS, pathPrefixes: ['/ws2/'] }] },
      /^DjangoAppChart 'shop': webServices\[1\]\.name must be unique among the app's components \(webServices\[0\]\.name is "ws" too\); got "ws"$/],
    ['the backend\'s name', { webServices: [{ ...WS, name: 'backend' }] },
      /^DjangoAppChart 'shop': webServices\[0\]\.name must be unique among the app's components \(backend\.name is "backend" too\); got "backend"$/],
    ['a worker\'s name', { webServices: [{ ...WS, name: 'worker-default' }] }, /webServices\[0\]\.name must be unique among the app's components \(workers\.queues\[0\]\.name is "worker-default" too\)/],
    ['no name', { webServices: [{ ...WS, name: undefined as any }] }, /^DjangoAppChart 'shop': webServices\[0\]\.name must be set: each web service needs a name of its own; got undefined$/],
    ['a name that is no DNS label', { webServices: [{ ...WS, name: 'Web_Socket' }] }, /^DjangoAppChart 'shop': webServices\[0\]\.name must be a DNS-1035 label/],
    ['an idle timeout of 0', { webServices: [{ ...WS, idleTimeoutSeconds: 0 }] }, /^EdgeRouter 'shop\/edge': services\[0\]\.idleTimeoutSeconds must be an integer from 1 to 86400; got 0$/],
    ['a list that is no list', { webServices: WS as any }, /^DjangoAppChart 'shop': webServices must be a list of web services, or left out; got \{/],
  ])('WHEN given %s THEN construction fails naming the prop', (_what, overrides, message) => {
    expect(() => synth(overrides as Partial<DjangoAppChartProps>)).toThrow(message);
  });
});

describe('GIVEN a second DjangoBackend added to the chart beside its props', () => {
  test('THEN the app fails validation: it would run with no route and no NetworkPolicy but the default deny', () => {
    const app = Testing.app();
    const chart = new DjangoAppChart(app, 'shop', channelsProps({ webServices: undefined }));
    new DjangoBackend(chart, 'daphne', { ...chart.backend.identity, name: 'daphne', image: 'registry.example.com/shop/api', tag: '1.4.0', settings: chart.settings, resources: size });
    expect(() => chartInputs(app)).toThrow(/DjangoAppChart 'shop': Deployment daphne runs pods of component "daphne", which is not a part of the chart: no NetworkPolicy allows traffic to or from it .*add it through DjangoAppChartProps \(webServices for a web component that runs the app's image\)/);
  });

  test('WHEN the same service comes through webServices THEN the app validates', () => {
    const { app } = synth({ webServices: [{ ...WS, name: 'daphne' }] });
    expect(() => chartInputs(app)).not.toThrow();
  });
});
