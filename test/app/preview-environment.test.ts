import { Testing } from 'cdk8s';
import { BrokerKind, DjangoAppChart, DjangoAppChartProps, PreviewEnvironment, QueuePriority } from '../../src';
import { chartInputs } from '../../src/delivery/render';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

/** The base environment: backend, two queues of two priorities, beat and an edge. */
const base: DjangoAppChartProps = {
  appName: 'shop',
  namespace: 'shop-staging',
  version: '1.4.0',
  image: 'registry.example.com/shop/api',
  celeryApp: 'shop.celery',
  settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
  broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
  backend: { resources: size },
  workers: {
    queues: [
      { name: 'default', priority: QueuePriority.NORMAL, resources: size },
      { name: 'reports', priority: QueuePriority.LOW, resources: size },
    ],
  },
  beat: { resources: size },
  edge: { host: 'staging.shop.example.com', ingressNamespace: 'ingress-nginx', resources: size },
  externalServices: [
    { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
    { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379] },
  ],
};

describe('GIVEN pull request 123 under preview.shop.example.com', () => {
  const preview = new PreviewEnvironment({ pullRequest: 123, domain: 'preview.shop.example.com' });

  test('THEN the folder, host and namespace derive from the number', () => {
    expect(preview.folder).toBe('pr-123');
    expect(preview.host).toBe('pr-123.preview.shop.example.com');
    expect(preview.namespaceFor('shop')).toBe('shop-pr-123');
  });

  test('THEN the chart props keep the release and change only namespace, instance, host and the workers\' PriorityClasses', () => {
    const props = preview.chartProps(base);
    expect(props.namespace).toBe('shop-pr-123');
    expect(props.instance).toBe('shop-pr-123');
    expect(props.namespaceManagement).toBe('existing');
    expect(props.edge!.host).toBe('pr-123.preview.shop.example.com');
    expect(props.workers!.priorityClassPrefix).toBe('shop-staging-worker');
    expect(props.workers!.priorityClassManagement).toBe('existing');
    expect([props.version, props.image, props.settings]).toEqual([base.version, base.image, base.settings]);
    expect(base.namespace).toBe('shop-staging');
  });

  test('GIVEN a base whose tenants are subdomains of its host, and an old domain THEN the preview gets its own subdomains and never a host of the base', () => {
    const edge = { ...base.edge!, additionalHosts: ['*.staging.shop.example.com', 'staging.shop.example.net'] };
    expect(preview.chartProps({ ...base, edge }).edge!.additionalHosts).toEqual(['*.pr-123.preview.shop.example.com']);
    expect(preview.chartProps({ ...base, edge: { ...edge, additionalHosts: ['staging.shop.example.net'] } }).edge!.additionalHosts).toBeUndefined();
  });

  describe('WHEN the base environment and the preview render in one app', () => {
    const app = Testing.app();
    const baseChart = new DjangoAppChart(app, 'staging', base);
    const previewChart = new DjangoAppChart(app, preview.folder, preview.chartProps(base));
    const baseObjects = Testing.synth(baseChart);
    const previewObjects = Testing.synth(previewChart);

    test('THEN the preview renders no cluster-scoped object: no Namespace and no PriorityClass', () => {
      expect(previewObjects.filter((o) => !o.metadata.namespace).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
      expect(previewObjects.every((o) => o.metadata.namespace === 'shop-pr-123')).toBe(true);
    });

    test('THEN its workers run with the PriorityClasses the base environment renders', () => {
      const shared = baseObjects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name).sort();
      expect(shared).toEqual(['shop-staging-worker-low', 'shop-staging-worker-normal']);
      const used = previewObjects.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('worker-'))
        .map((d) => d.spec.template.spec.priorityClassName).sort();
      expect(used).toEqual(shared);
    });

    test('THEN the Ingress serves the preview host', () => {
      const ingress = previewObjects.find((o) => o.kind === 'Ingress');
      expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['pr-123.preview.shop.example.com']);
    });

    test('THEN the render finds no duplicate object across the two folders', () => {
      const inputs = chartInputs(app, []);
      expect(inputs.map((i) => i.name)).toEqual(['staging', 'pr-123']);
      expect(() => app.synth()).not.toThrow();
    });
  });

  test('WHEN addChart adds the preview THEN it is the chart of id pr-123 that chartProps describes, object for object', () => {
    const chart = preview.addChart(Testing.app(), base);
    expect([chart.node.id, chart.namespace]).toEqual(['pr-123', 'shop-pr-123']);
    const byHand = new DjangoAppChart(Testing.app(), preview.folder, preview.chartProps(base));
    expect(Testing.synth(chart)).toEqual(Testing.synth(byHand));
  });
});

describe('GIVEN a base chart with a name prefix and an explicit instance', () => {
  test('THEN the preview names the base\'s PriorityClasses as the base chart derives them', () => {
    const props = new PreviewEnvironment({ pullRequest: 7, domain: 'preview.example.com' })
      .chartProps({ ...base, namePrefix: 'api', instance: 'shop-eu' });
    expect(props.workers!.priorityClassPrefix).toBe('shop-eu-api-worker');
    expect(props.instance).toBe('shop-eu-pr-7');
  });
});

describe('GIVEN invalid pull request numbers and domains', () => {
  test.each([0, -4, 1.5, Number.NaN, 1_000_000_000])('WHEN the number is %p THEN the error names the prop and the range', (n) => {
    expect(() => new PreviewEnvironment({ pullRequest: n, domain: 'preview.example.com' }))
      .toThrow(/PreviewEnvironment: pullRequest must be a pull request number, an integer from 1 to 999999999/);
  });

  test('WHEN the domain is not a lowercase DNS name THEN the error names domain', () => {
    expect(() => new PreviewEnvironment({ pullRequest: 1, domain: 'Preview_Example' })).toThrow(/PreviewEnvironment: domain must be a DNS name/);
  });

  test('WHEN the app name makes the namespace longer than 63 characters THEN the error names the namespace', () => {
    const preview = new PreviewEnvironment({ pullRequest: 123456789, domain: 'preview.example.com' });
    expect(preview.namespaceFor('a'.repeat(50))).toHaveLength(63);
    expect(() => preview.namespaceFor('a'.repeat(51))).toThrow(/namespace \(<appName>-pr-<n>\) must be a DNS-1035 label .* at most 63 characters/);
  });
});

describe('GIVEN K8S_TOPOLOGY_PREVIEW_PR', () => {
  const saved = process.env.K8S_TOPOLOGY_PREVIEW_PR;
  afterEach(() => {
    if (saved === undefined) delete process.env.K8S_TOPOLOGY_PREVIEW_PR;
    else process.env.K8S_TOPOLOGY_PREVIEW_PR = saved;
  });

  test('WHEN it is unset THEN fromEnvironment gives no preview', () => {
    delete process.env.K8S_TOPOLOGY_PREVIEW_PR;
    expect(PreviewEnvironment.fromEnvironment('preview.example.com')).toBeUndefined();
  });

  test('WHEN it is 42 THEN fromEnvironment gives PR 42', () => {
    process.env.K8S_TOPOLOGY_PREVIEW_PR = '42';
    expect(PreviewEnvironment.fromEnvironment('preview.example.com')!.host).toBe('pr-42.preview.example.com');
  });

  test('WHEN it is not a number THEN the error names the variable', () => {
    process.env.K8S_TOPOLOGY_PREVIEW_PR = '12abc';
    expect(() => PreviewEnvironment.fromEnvironment('preview.example.com')).toThrow(/K8S_TOPOLOGY_PREVIEW_PR: value must be a pull request number/);
  });
});
