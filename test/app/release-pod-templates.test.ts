import { Testing } from 'cdk8s';
import { BrokerKind, ComponentGroup, DjangoAppChart, DjangoAppChartProps, QueuePriority } from '../../src';
import { fieldChanges } from '../../src/delivery/manifest-diff';
import { TEST } from '../../src/picvario/environments';
import { PicvarioEnvironment } from '../../src/picvario/picvario-environment';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const VERSION = 'app.kubernetes.io/version';

/** Every part of an app: the app code, and a frontend, an edge and statistics that run images of their own. */
function shop(version: string): DjangoAppChartProps {
  return {
    appName: 'shop',
    namespace: 'shop',
    version,
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size },
    workers: { queues: [{ name: 'default', priority: QueuePriority.NORMAL, resources: size }] },
    beat: { resources: size },
    migrations: { resources: size },
    frontend: { image: 'registry.example.com/shop/web', tag: 'web-7', resources: size },
    edge: { host: 'shop.example.com', ingressNamespace: 'ingress-nginx', resources: size },
    stats: {
      shipper: { tag: '8.15.3', resources: size, elasticsearch: { url: 'https://stats.internal:9200', secretName: 'shop-stats' } },
      dashboards: { tag: '11.3.1', resources: size, elasticsearch: { url: 'https://stats.internal:9200', secretName: 'shop-stats' }, adminSecretName: 'shop-grafana' },
      elasticsearchCidrs: ['10.60.3.0/24'],
    },
    externalServices: [
      { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
      { name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] },
    ],
  };
}

function objectsOf(chart: DjangoAppChart): any[] {
  return Testing.synth(chart);
}

function find(objects: any[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

describe('GIVEN an app rendered at one release and at the next', () => {
  const before = objectsOf(new DjangoAppChart(Testing.app(), 'shop', shop('1.4.0')));
  const after = objectsOf(new DjangoAppChart(Testing.app(), 'shop', shop('1.5.0')));
  const template = (objects: any[], kind: string, name: string) => find(objects, kind, name).spec.template;

  test.each(['edge', 'frontend', 'stats-shipper', 'grafana'])('WHEN only the release changed THEN the pod template of %s, which runs an image of its own, is byte-identical', (name) => {
    expect(JSON.stringify(template(after, 'Deployment', name))).toBe(JSON.stringify(template(before, 'Deployment', name)));
  });

  test.each([
    ['Deployment', 'backend'], ['Deployment', 'worker-default'], ['Deployment', 'beat'], ['Job', 'migrate'],
  ])('WHEN only the release changed THEN the pod template of %s %s, which runs the app image, changes its image and version label', (kind, name) => {
    const changes = fieldChanges(template(before, kind, name), template(after, kind, name));
    expect(changes).toContainEqual({ path: `metadata.labels.${VERSION}`, before: '1.4.0', after: '1.5.0' });
    expect(changes).toContainEqual({ path: `spec.containers[${name}].image`, before: 'registry.example.com/shop/api:1.4.0', after: 'registry.example.com/shop/api:1.5.0' });
  });

  test('THEN the pods of the own-image components carry their image tag as version, their objects the release', () => {
    for (const [name, version] of [['edge', '1.27.3-alpine'], ['frontend', 'web-7'], ['stats-shipper', '8.15.3'], ['grafana', '11.3.1']]) {
      const deployment = find(after, 'Deployment', name);
      expect([name, deployment.spec.template.metadata.labels[VERSION], deployment.metadata.labels[VERSION]]).toEqual([name, version, '1.5.0']);
    }
    expect(find(after, 'Ingress', 'edge').metadata.labels[VERSION]).toBe('1.5.0');
    expect(find(after, 'Deployment', 'backend').spec.template.metadata.labels[VERSION]).toBe('1.5.0');
  });

  test('THEN selectors never carry a version', () => {
    for (const d of after.filter((o) => o.kind === 'Deployment')) expect([d.metadata.name, d.spec.selector.matchLabels[VERSION]]).toEqual([d.metadata.name, undefined]);
  });
});

describe('GIVEN an own image pinned by a digest alone', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  test('WHEN rendered THEN its pod template carries no version label (a digest is no label value) and its objects the release', () => {
    const objects = objectsOf(new DjangoAppChart(Testing.app(), 'shop', { ...shop('1.4.0'), edge: { ...shop('1.4.0').edge!, tag: digest } }));
    const edge = find(objects, 'Deployment', 'edge');
    expect(edge.spec.template.spec.containers[0].image).toBe(`docker.io/nginxinc/nginx-unprivileged@${digest}`);
    expect(edge.spec.template.metadata.labels[VERSION]).toBeUndefined();
    expect(edge.metadata.labels[VERSION]).toBe('1.4.0');
  });

  test('WHEN its tag is no label value THEN synth fails naming the tag', () => {
    expect(() => new DjangoAppChart(Testing.app(), 'shop', { ...shop('1.4.0'), edge: { ...shop('1.4.0').edge!, tag: `1.27.3-${'x'.repeat(60)}` } }))
      .toThrow(/EdgeRouter 'shop\/edge': tag must be a label value as well, since it is the version label of the pods/);
  });
});

describe('GIVEN Picvario test at its release and at the next', () => {
  const before = objectsOf(new PicvarioEnvironment(Testing.app(), 'test', TEST));
  const after = objectsOf(new PicvarioEnvironment(Testing.app(), 'test', { ...TEST, appVersion: '2099.1.1' }));
  const template = (objects: any[], name: string) => find(objects, 'Deployment', name).spec.template;

  test.each(['edge', 'stats-shipper', 'grafana'])('THEN the pod template of %s is byte-identical', (name) => {
    expect(JSON.stringify(template(after, name))).toBe(JSON.stringify(template(before, name)));
  });

  test('THEN the frontend, built with every release, changes only its image and version label', () => {
    expect(fieldChanges(template(before, 'frontend'), template(after, 'frontend')).map((c) => c.path))
      .toEqual([`metadata.labels.${VERSION}`, 'spec.containers[frontend].image']);
  });

  test('THEN the backend pod template changes', () => {
    expect(template(after, 'backend')).not.toEqual(template(before, 'backend'));
  });
});
