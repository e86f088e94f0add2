import { Testing } from 'cdk8s';
import { shopComponent, synthShop } from './chart-fixture';
import { BrokerKind, ComponentGroup, DjangoAppChartProps, QueuePriority } from '../../src';
import { chartInputs } from '../../src/delivery/render';
import { HttpComponent } from '../../src/platform/http-component';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const small = { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '128Mi', memoryLimit: '256Mi' };
const FLOWER = { resources: small, basicAuth: { secretName: 'shop-flower', key: 'basic-auth' } };

/** A Celery app with Flower behind the edge: the broker is the one service Flower may reach. */
function flowerProps(overrides: Partial<DjangoAppChartProps> = {}): DjangoAppChartProps {
  return {
    appName: 'shop',
    namespace: 'shop',
    version: '1.4.0',
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size, minReplicas: 2, maxReplicas: 4 },
    workers: { queues: [{ name: 'default', priority: QueuePriority.NORMAL, resources: size }] },
    flower: FLOWER,
    edge: { host: 'shop.example.com', ingressNamespace: 'ingress-nginx', resources: small },
    externalServices: [
      { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
      { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.FLOWER] },
      { name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] },
    ],
    secretStore: { storeName: 'vault' },
    ...overrides,
  };
}

const synth = (overrides: Partial<DjangoAppChartProps> = {}) => synthShop(flowerProps(overrides));
const component = shopComponent;

describe('GIVEN an app with workers, an edge and Flower with basic auth from a Secret', () => {
  const { app, chart, find, policy, model } = synth();
  const deployment = find('Deployment', 'flower');
  const container = deployment.spec.template.spec.containers[0];
  const nginxConf: string = find('ConfigMap', 'edge-nginx').data['nginx.conf'];

  test('THEN Flower runs from the app image under its prefix on 5555, one replica, with the workers\' settings and broker', () => {
    const worker = find('Deployment', 'worker-default').spec.template.spec.containers[0];
    expect(chart.flower?.name).toBe('flower');
    expect(container.image).toBe(worker.image);
    expect(container.command).toEqual(['celery', '-A', 'shop.celery', 'flower', '--port=5555', '--url_prefix=flower']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 5555, protocol: 'TCP' }]);
    expect(deployment.spec.replicas).toBe(1);
    // The settings and broker variables, as the workers have them (without the workers' own).
    const names = container.env.map((e: any) => e.name);
    expect(names).toEqual(expect.arrayContaining(['DJANGO_SETTINGS_MODULE', 'DATABASE_URL', 'CELERY_BROKER_ADDRESS', 'CELERY_BROKER_URL']));
    for (const variable of container.env.filter((e: any) => e.name !== 'FLOWER_BASIC_AUTH')) expect(worker.env).toContainEqual(variable);
    expect(names).not.toContain('CELERY_WORKER_QUEUE');
  });

  test('THEN it is an HttpComponent like the other web parts: its name, port, Service URL, selector and listen port are set by the base', () => {
    const flower = chart.flower!;
    expect(flower).toBeInstanceOf(HttpComponent);
    expect([flower.name, flower.port, flower.serviceUrl, flower.listenPorts]).toEqual(['flower', 5555, 'http://flower:5555', [{ port: 5555, protocol: 'TCP' }]]);
    expect(flower.selectorLabels).toEqual(component('flower').matchLabels);
    expect(deployment.spec.selector.matchLabels).toEqual(flower.selectorLabels);
    expect(find('Service', 'flower').spec.ports).toEqual([{ name: 'http', port: 5555, protocol: 'TCP', targetPort: 'http' }]);
  });

  test('THEN the basic-auth credentials come from the Secret key, never the command line, and are synced with the other Secrets', () => {
    expect(container.env).toContainEqual({ name: 'FLOWER_BASIC_AUTH', valueFrom: { secretKeyRef: { name: 'shop-flower', key: 'basic-auth' } } });
    expect(container.command.join(' ')).not.toContain('basic');
    const synced = Testing.synth(chart).find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'shop-flower');
    expect(synced.spec.data).toEqual([{ secretKey: 'basic-auth', remoteRef: { key: 'shop/shop-flower', property: 'basic-auth' } }]);
  });

  test('THEN it is probed on Flower\'s own healthcheck under the prefix (liveness on the port), and hardened like the other pods', () => {
    for (const probe of ['readinessProbe', 'startupProbe']) {
      expect([probe, container[probe].httpGet.path]).toEqual([probe, '/flower/healthcheck']);
      expect(container[probe].httpGet.port).toBe('http');
    }
    // Liveness differs from readiness: a slow answer takes Flower out of the Service, it does not restart it.
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(container.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/tmp' }));
    expect(container.command).not.toContain('--persistent=True');
    expect(container.resources).toMatchObject({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '250m', memory: '256Mi' } });
    expect(find('Service', 'flower').spec.ports).toEqual([{ name: 'http', port: 5555, targetPort: 'http', protocol: 'TCP' }]);
  });

  test('THEN the edge sends /flower/ to it with websocket upgrades, and no other prefix', () => {
    expect(nginxConf).toContain('upstream edge_service_flower {\n        server flower:5555;');
    const block = nginxConf.slice(nginxConf.indexOf('location ^~ /flower/ {'));
    const body = block.slice(0, block.indexOf('}'));
    expect(body).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(body).toContain('proxy_read_timeout 300s;');
    expect(body).toContain('proxy_pass http://edge_service_flower;');
    expect(nginxConf.match(/proxy_pass http:\/\/edge_service_flower;/g)).toHaveLength(1);
  });

  test('THEN the edge answers Flower\'s unauthenticated /flower/metrics with 404 itself, before the /flower/ route', () => {
    expect(chart.flower?.metricsPath).toBe('/flower/metrics');
    expect(nginxConf).toContain('location = /flower/metrics {\n            return 404;\n        }');
  });

  test('THEN every worker sends task events (--task-events), which Flower\'s task views are built from', () => {
    expect(find('Deployment', 'worker-default').spec.template.spec.containers[0].command).toContain('--task-events');
  });

  test('THEN only the edge reaches it, on 5555, and it reaches only the broker and DNS', () => {
    expect(policy('flower').ingress).toEqual([{ from: [{ podSelector: component('edge') }], ports: [{ protocol: 'TCP', port: 5555 }] }]);
    const egressTo = policy('flower').egress.flatMap((r: any) => r.to ?? []);
    expect(egressTo).toContainEqual({ ipBlock: { cidr: '10.60.2.0/24' } });
    expect(egressTo).not.toContainEqual({ ipBlock: { cidr: '10.60.1.0/24' } });
    expect(egressTo).not.toContainEqual({ ipBlock: { cidr: '52.218.0.0/17' } });
    expect(policy('edge').egress).toContainEqual({ to: [{ podSelector: component('flower') }], ports: [{ protocol: 'TCP', port: 5555 }] });
    const flows = model.allowed.filter((f: any) => f.from.component === 'flower' || f.to.component === 'flower');
    expect(flows).toEqual([
      { from: { component: 'edge' }, to: { component: 'flower' }, port: 5555, protocol: 'TCP' },
      { from: { component: 'flower' }, to: { external: 'redis' }, port: 6379, protocol: 'TCP' },
    ]);
  });

  test('THEN it is an application part, in the application sync wave, and the render accepts it', () => {
    expect(deployment.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(chart.components.map((c) => c.name)).toContain('flower');
    expect(() => chartInputs(app)).not.toThrow();
  });
});

describe('GIVEN Flower with a prefix, a name prefix and two replicas', () => {
  const { find } = synth({ namePrefix: 'blue', flower: { ...FLOWER, pathPrefix: '/ops/celery/', replicas: 2 } });

  test('THEN the prefix reaches Flower\'s --url_prefix, its probes and the edge, and the name carries the prefix', () => {
    const container = find('Deployment', 'blue-flower').spec.template.spec.containers[0];
    expect(container.command).toContain('--url_prefix=ops/celery');
    expect(container.readinessProbe.httpGet.path).toBe('/ops/celery/healthcheck');
    expect(find('Deployment', 'blue-flower').spec.replicas).toBe(2);
    expect(find('ConfigMap', 'blue-edge-nginx').data['nginx.conf']).toContain('location ^~ /ops/celery/ {');
    expect(find('ConfigMap', 'blue-edge-nginx').data['nginx.conf']).toContain('location = /ops/celery/metrics {');
  });
});

describe('GIVEN a port in the Flower props, as JavaScript can pass one', () => {
  test('THEN Flower still listens on 5555: no prop sets its port', () => {
    const { chart, find } = synth({ flower: { ...FLOWER, port: 8080 } as any });
    expect(chart.flower!.port).toBe(5555);
    expect(find('Deployment', 'flower').spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 5555, protocol: 'TCP' }]);
  });
});

describe('GIVEN task events', () => {
  const command = (overrides: Partial<DjangoAppChartProps>) => synth(overrides).find('Deployment', 'worker-default').spec.template.spec.containers[0].command;

  test('WHEN the app has no Flower THEN the workers send none; WHEN workers.taskEvents says otherwise THEN that wins', () => {
    const withoutFlower = flowerProps().externalServices.map((s) => ({ ...s, reachedBy: s.name === 'redis' ? [ComponentGroup.APP_CODE] : s.reachedBy }));
    expect(command({ flower: undefined, externalServices: withoutFlower })).not.toContain('--task-events');
    const workers = { ...flowerProps().workers!, taskEvents: true };
    expect(command({ flower: undefined, externalServices: withoutFlower, workers })).toContain('--task-events');
    expect(command({ workers: { ...workers, taskEvents: false } })).not.toContain('--task-events');
  });
});

describe('GIVEN Flower props that cannot work', () => {
  const withoutFlowerGroup = flowerProps().externalServices.map((s) => ({ ...s, reachedBy: s.name === 'redis' ? undefined : s.reachedBy }));
  test.each<[string, Partial<DjangoAppChartProps>, RegExp]>([
    ['no workers', { workers: undefined, celeryApp: undefined, beat: undefined }, /DjangoAppChart 'shop': workers must be set when the app has flower/],
    ['no edge', { edge: undefined }, /DjangoAppChart 'shop': edge must be set when the app has flower/],
    ['no basic auth', { flower: { resources: small } as any }, /DjangoAppChart 'shop': flower\.basicAuth must be a Secret key reference/],
    ['a basic auth without key', { flower: { ...FLOWER, basicAuth: { secretName: 'shop-flower' } as any } }, /CeleryFlower 'shop\/flower': basicAuth\.key must be a Secret key/],
    ['a prefix of the backend', { flower: { ...FLOWER, pathPrefix: '/api/' } }, /flower\.pathPrefix must be a prefix no other route uses \(edge\.routing\.backendPathPrefixes has it too\)/],
    ['a prefix of a web service', {
      webServices: [{ name: 'ws', pathPrefixes: ['/flower/'], resources: size }],
    }, /flower\.pathPrefix must be a prefix no other route uses \(webServices\[0\]\.pathPrefixes\[0\] has it too\)/],
    ['a prefix without the trailing slash', { flower: { ...FLOWER, pathPrefix: '/flower' } }, /flower\.pathPrefix must be a path prefix other than "\/"/],
    ['a name another part has', { flower: { ...FLOWER, name: 'backend' } }, /flower\.name must be unique among the app's components \(backend\.name is "backend" too\)/],
    ['a name that is no DNS label', { flower: { ...FLOWER, name: 'Flower_1' } }, /CeleryFlower 'shop\/flower': name must be a DNS-1035 label/],
    ['four replicas', { flower: { ...FLOWER, replicas: 4 } }, /CeleryFlower 'shop\/flower': replicas must be an integer from 1 to 3/],
    ['no service listed for Flower', { externalServices: withoutFlowerGroup }, /externalServices must be a list in which the broker names ComponentGroup\.FLOWER in reachedBy/],
  ])('WHEN it has %s THEN the chart refuses it, naming the prop', (_, overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  test('WHEN a service is listed for Flower in an app without Flower THEN the chart refuses the group', () => {
    expect(() => synth({ flower: undefined })).toThrow(/externalServices\[1\]\.reachedBy\[1\] must be a group the app has/);
  });
});
