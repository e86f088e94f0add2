import { Testing } from 'cdk8s';
import { CeleryBeat, DjangoBackend, DjangoBackendProps, DjangoMigrations, ImagePullPolicy, MigrationStyle, ZoneSpread } from '../../src';
import { container, find, newChart, redis, settings, small } from '../support/synth';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function backend(overrides: Partial<DjangoBackendProps> = {}) {
  const chart = newChart();
  const b = new DjangoBackend(chart, 'backend', { appName: 'shop', image: 'registry.example.com/shop/api', tag: '1.4.0', settings: settings(), resources: small, ...overrides });
  const all = Testing.synth(chart);
  const deployment = find(all, 'Deployment', 'backend');
  return { chart, b, all, deployment, pod: deployment.spec.template.spec, c: container(deployment) };
}

describe('GIVEN an image pinned by digest', () => {
  test('WHEN the tag carries the digest THEN the reference keeps both, the pull policy is IfNotPresent and the version is the tag', () => {
    const { c, deployment } = backend({ tag: `1.4.0@${DIGEST}` });
    expect(c.image).toBe(`registry.example.com/shop/api:1.4.0@${DIGEST}`);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('1.4.0');
  });

  test('WHEN the tag is a digest alone THEN the reference is repository@digest, and the version must be given', () => {
    expect(backend({ tag: DIGEST, version: '1.4.0' }).c.image).toBe(`registry.example.com/shop/api@${DIGEST}`);
    expect(() => backend({ tag: DIGEST })).toThrow(/DjangoBackend 'test\/backend': version must be set when the image is pinned by a digest alone/);
  });

  test('WHEN the pull policy is given THEN it wins; a tag alone pulls Always', () => {
    expect(backend({ tag: `1.4.0@${DIGEST}`, imagePullPolicy: ImagePullPolicy.ALWAYS }).c.imagePullPolicy).toBe('Always');
    expect(backend().c.imagePullPolicy).toBe('Always');
    expect(() => backend({ imagePullPolicy: 'Sometimes' as any })).toThrow(/imagePullPolicy must be one of "Always", "IfNotPresent", "Never"; got "Sometimes"/);
  });

  test.each([['latest'], [`1.4.0@sha256:${'x'.repeat(64)}`], ['sha256:abc'], ['a b']])('WHEN the tag is %j THEN it is refused, naming the forms accepted', (tag) => {
    expect(() => backend({ tag })).toThrow(/tag must be an immutable image tag .* or a digest "sha256:<64 hex>" alone/);
  });
});

describe('GIVEN the escape hatches of a component', () => {
  test('THEN registry credentials, the ServiceAccount identity, pod annotations and labels are rendered', () => {
    const { all, pod, deployment } = backend({
      imagePullSecrets: ['registry-credentials'],
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop' },
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      podLabels: { 'team.example.com/owner': 'shop' },
    });
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(find(all, 'ServiceAccount', 'backend').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop' });
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(deployment.spec.template.metadata.labels['team.example.com/owner']).toBe('shop');
    expect(deployment.spec.selector.matchLabels).not.toHaveProperty('team.example.com/owner');
  });

  test('THEN extra variables, arguments and read-only Secret or ConfigMap files are added after the construct\'s own', () => {
    const { c, pod } = backend({
      extraEnv: { FEATURE_X: 'on', A_FIRST: '1' },
      extraSecretEnv: [{ name: 'SENTRY_DSN', secretName: 'shop-sentry', key: 'dsn' }],
      extraArgs: ['--max-requests=1000'],
      extraVolumes: [
        { name: 'ca', mountPath: '/etc/shop/ca', configMapName: 'shop-ca' },
        { name: 'gcp', mountPath: '/etc/shop/gcp.json', secretName: 'shop-gcp', subPath: 'key.json' },
      ],
    });
    expect(c.env.slice(-3)).toEqual([
      { name: 'A_FIRST', value: '1' }, { name: 'FEATURE_X', value: 'on' },
      { name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'shop-sentry', key: 'dsn' } } },
    ]);
    expect(c.command[0]).toBe('gunicorn');
    expect(c.command[c.command.length - 1]).toBe('--max-requests=1000');
    expect(pod.volumes.slice(1)).toEqual([{ name: 'ca', configMap: { name: 'shop-ca' } }, { name: 'gcp', secret: { secretName: 'shop-gcp' } }]);
    expect(c.volumeMounts.slice(1)).toEqual([
      { name: 'ca', mountPath: '/etc/shop/ca', readOnly: true },
      { name: 'gcp', mountPath: '/etc/shop/gcp.json', readOnly: true, subPath: 'key.json' },
    ]);
  });

  test('THEN scheduling options reach the pod, and the user\'s affinity replaces only the parts it sets', () => {
    const { pod } = backend({
      nodeSelector: { 'node.example.com/pool': 'web' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'arch', operator: 'In', values: ['arm64'] }] }] } } },
    });
    expect(pod.nodeSelector).toEqual({ 'node.example.com/pool': 'web' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }]);
    expect(Object.keys(pod.affinity).sort()).toEqual(['nodeAffinity', 'podAntiAffinity']);
  });

  test.each([
    [{ podLabels: { 'app.kubernetes.io/component': 'x' } }, /podLabels.app.kubernetes.io\/component must be a key outside app.kubernetes.io\//],
    [{ extraEnv: { DJANGO_SETTINGS_MODULE: 'other' } }, /extraEnv.DJANGO_SETTINGS_MODULE must be a variable the construct does not set itself/],
    [{ extraEnv: { 'not-a-name': 'x' } }, /extraEnv.not-a-name must be set under an environment variable name/],
    [{ extraVolumes: [{ name: 'x', mountPath: '/tmp/x', secretName: 's' }] }, /extraVolumes\[0\]\.mountPath must be an absolute path other than \/, outside \/tmp/],
    [{ extraVolumes: [{ name: 'x', mountPath: '/etc/x', secretName: 's', configMapName: 'c' }] }, /extraVolumes\[0\]\.secretName\/configMapName must be exactly one of the two/],
    [{ extraVolumes: [{ name: 'tmp', mountPath: '/etc/x', secretName: 's' }] }, /extraVolumes must be volume names other than the construct's own \(tmp\); got "tmp"/],
    [{ imagePullSecrets: ['Bad_Name'] }, /imagePullSecrets\[0\] must be the name of an existing Secret/],
    [{ zoneSpread: 'always' as any }, /zoneSpread must be one of "required", "preferred", "none"/],
  ])('WHEN given %j THEN the construct refuses it, naming the field', (overrides, message) => {
    expect(() => backend(overrides as Partial<DjangoBackendProps>)).toThrow(message);
  });
});

describe('GIVEN the zone spread choice', () => {
  const zone = (zoneSpread?: ZoneSpread) => backend({ zoneSpread }).pod.topologySpreadConstraints
    .filter((t: any) => t.topologyKey === 'topology.kubernetes.io/zone').map((t: any) => t.whenUnsatisfiable);

  test('THEN the default schedules on a cluster without zones; REQUIRED is strict; NONE leaves zones out; nodes stay strict', () => {
    expect(zone()).toEqual(['ScheduleAnyway']);
    expect(zone(ZoneSpread.REQUIRED)).toEqual(['DoNotSchedule']);
    expect(zone(ZoneSpread.NONE)).toEqual([]);
    expect(backend().pod.topologySpreadConstraints.find((t: any) => t.topologyKey === 'kubernetes.io/hostname').whenUnsatisfiable).toBe('DoNotSchedule');
  });
});

describe('GIVEN the migrations of a release', () => {
  function migrations(props: any = {}) {
    const chart = newChart();
    const b = new DjangoBackend(chart, 'backend', { appName: 'shop', image: 'registry.example.com/shop/api', tag: '1.4.0', settings: settings(), resources: small, imagePullSecrets: ['registry-credentials'] });
    new DjangoMigrations(chart, 'migrate', { backend: b, resources: small, ...props });
    return find(Testing.synth(chart), 'Job', 'migrate').spec.template.spec;
  }

  test('THEN a plain Django app runs `migrate` by default, and django-tenants is a choice', () => {
    expect(migrations().containers.map((c: any) => c.command)).toEqual([['python', 'manage.py', 'migrate', '--noinput']]);
    const tenants = migrations({ style: MigrationStyle.DJANGO_TENANTS });
    expect([...tenants.initContainers, ...tenants.containers].map((c: any) => c.command.slice(2, 4))).toEqual([['migrate_schemas', '--shared'], ['migrate_schemas', '--tenant']]);
    expect(() => migrations({ style: 'south' })).toThrow(/DjangoMigrations 'test\/migrate': style must be one of "django", "django-tenants"; got "south"/);
  });

  test('THEN the job pulls the image with the backend\'s credentials, and adds its own', () => {
    expect(migrations().imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(migrations({ imagePullSecrets: ['other'] }).imagePullSecrets).toEqual([{ name: 'registry-credentials' }, { name: 'other' }]);
  });
});

describe('GIVEN options on beat', () => {
  test('THEN beat takes them like any component', () => {
    const chart = newChart();
    new CeleryBeat(chart, 'beat', {
      appName: 'shop',
      image: 'registry.example.com/shop/api',
      tag: '1',
      settings: settings(),
      broker: redis(),
      celeryApp: 'shop.celery',
      resources: small,
      nodeSelector: { pool: 'system' },
      extraEnv: { TZ: 'UTC' },
    });
    const pod = find(Testing.synth(chart), 'Deployment', 'beat').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ pool: 'system' });
    expect(container({ spec: { template: { spec: pod } } }).env).toContainEqual({ name: 'TZ', value: 'UTC' });
  });
});
