import { ApiObject, App, Testing } from 'cdk8s';
import {
  BrokerKind, ComponentGroup, DjangoAppChart, DjangoAppChartProps, NamespaceManagement, QueuePriority, SecretStoreKind,
} from '../../src';
import { chartInputs } from '../../src/delivery/render';
import { ValidationError } from '../../src/platform/errors';
import { TRAFFIC_METADATA } from '../../src/platform/traffic-model';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

/** A Django + Celery app with no optional web parts: a backend, two queues and beat, talking to PostgreSQL and Redis. */
function shopProps(overrides: Partial<DjangoAppChartProps> = {}): DjangoAppChartProps {
  return {
    appName: 'shop',
    namespace: 'shop',
    version: '1.4.0',
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size, minReplicas: 3, maxReplicas: 10 },
    workers: {
      queues: [
        { name: 'default', priority: QueuePriority.NORMAL, resources: size },
        { name: 'reports', priority: QueuePriority.LOW, minReplicas: 0, resources: size },
      ],
    },
    beat: { resources: size },
    externalServices: [
      { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
      { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379] },
    ],
    ...overrides,
  };
}

function synth(overrides: Partial<DjangoAppChartProps> = {}) {
  const chart = new DjangoAppChart(Testing.app(), 'shop', shopProps(overrides));
  const objects = Testing.synth(chart);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const policy = (component: string) => find('NetworkPolicy', `allow-${component}`)?.spec;
  return { chart, objects, find, policy };
}

const EDGE = { host: 'shop.example.com', ingressNamespace: 'ingress-nginx', resources: size };
const S3 = { name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] };

describe('GIVEN a backend, two queues and beat, and no other part', () => {
  const { objects, find, policy } = synth();

  test('THEN it renders the namespace, the backend, one Deployment per queue and beat, and nothing optional', () => {
    expect(objects.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['backend', 'beat', 'worker-default', 'worker-reports']);
    expect(find('Namespace', 'shop').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const kind of ['Ingress', 'Job', 'CronJob', 'ExternalSecret', 'ResourceQuota', 'LimitRange']) expect([kind, objects.filter((o) => o.kind === kind)]).toEqual([kind, []]);
  });

  test('THEN the web tier, the workers and beat run the same image, tagged with the version, with the same settings', () => {
    for (const name of ['backend', 'beat', 'worker-default']) {
      const c = find('Deployment', name).spec.template.spec.containers[0];
      expect([name, c.image]).toEqual([name, 'registry.example.com/shop/api:1.4.0']);
      expect(c.env).toContainEqual({ name: 'DJANGO_SETTINGS_MODULE', value: 'shop.settings' });
      expect(c.env).toContainEqual({ name: 'CELERY_BROKER_URL', value: 'redis://$(CELERY_BROKER_ADDRESS)/0' });
      expect(c.env).toContainEqual({ name: 'CELERY_BROKER_ADDRESS', valueFrom: { secretKeyRef: { name: 'shop-broker', key: 'redis-address' } } });
    }
  });

  test('THEN every app-code component reaches exactly the external services, and nothing reaches the backend', () => {
    for (const component of ['backend', 'beat', 'worker-default', 'worker-reports']) {
      expect([component, policy(component).egress]).toEqual([component, [
        { to: [{ ipBlock: { cidr: '10.60.1.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        { to: [{ ipBlock: { cidr: '10.60.2.0/24' } }], ports: [{ protocol: 'TCP', port: 6379 }] },
      ]]);
    }
    expect(policy('backend').ingress).toBeUndefined();
    expect(find('NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('THEN the chart records the traffic it intends, from the components', () => {
    const chart = new DjangoAppChart(new App(), 'shop', shopProps());
    const model = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)!.data;
    expect(model.components.map((c: any) => c.name)).toEqual(['backend', 'worker-default', 'worker-reports', 'beat']);
    expect(model.components[0]).toEqual({ name: 'backend', podLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'backend' }, ports: [{ port: 8000, protocol: 'TCP' }] });
    expect(model.externals).toEqual([{ name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [{ port: 5432, protocol: 'TCP' }] }, { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [{ port: 6379, protocol: 'TCP' }] }]);
    expect(model.allowed).toHaveLength(8);
    expect(model.namespaces).toEqual([]);
    expect(model.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
  });
});

describe('GIVEN a plain Django app: a backend, its migrations and an edge, and no Celery', () => {
  const plain: Partial<DjangoAppChartProps> = {
    broker: undefined,
    celeryApp: undefined,
    workers: undefined,
    beat: undefined,
    migrations: { resources: size, steps: [{ name: 'migrate', command: ['python', 'manage.py', 'migrate', '--noinput'] }] },
    edge: EDGE,
    externalServices: [{ name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] }, S3],
    secretStore: { storeName: 'vault' },
  };
  const { chart, objects, find, policy } = synth(plain);
  const podSpecs = objects.filter((o) => ['Deployment', 'Job'].includes(o.kind)).map((o) => o.spec.template.spec);

  test('THEN it renders the backend, the migration job and the edge, and no Celery object', () => {
    expect(objects.filter((o) => ['Deployment', 'Job'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Deployment/backend', 'Deployment/edge', 'Job/migrate']);
    for (const kind of ['ScaledObject', 'TriggerAuthentication', 'PriorityClass']) expect([kind, objects.filter((o) => o.kind === kind)]).toEqual([kind, []]);
    expect([chart.broker, chart.workers, chart.beat]).toEqual([undefined, undefined, undefined]);
  });

  test('THEN no container reads a broker variable or the broker Secret, and only the app Secret is synced', () => {
    for (const c of podSpecs.flatMap((p) => p.containers)) {
      expect([c.name, (c.env ?? []).map((e: any) => e.name).filter((n: string) => n.startsWith('CELERY_'))]).toEqual([c.name, []]);
    }
    expect(JSON.stringify(objects)).not.toContain('shop-broker');
    expect(objects.filter((o) => o.kind === 'ExternalSecret').map((o) => o.metadata.name)).toEqual(['shop-app']);
  });

  test('THEN the NetworkPolicies allow the backend exactly what it needs: the edge in, PostgreSQL and S3 out', () => {
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort())
      .toEqual(['allow-backend', 'allow-dns', 'allow-edge', 'allow-migrate', 'default-deny']);
    const fromEdge = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'edge' } } };
    const out = [
      { to: [{ ipBlock: { cidr: '10.60.1.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ ipBlock: { cidr: '52.218.0.0/17' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ];
    expect(policy('backend')).toMatchObject({ ingress: [{ from: [fromEdge], ports: [{ protocol: 'TCP', port: 8000 }] }], egress: out });
    expect(policy('migrate').egress).toEqual(out);
    expect(policy('edge').egress.map((e: any) => e.to[0].podSelector?.matchLabels['app.kubernetes.io/component'] ?? e.to[0].ipBlock.cidr)).toEqual(['backend', '52.218.0.0/17']);
    expect(find('NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('THEN the traffic model holds exactly the components rendered, and every flow names one of them', () => {
    const model = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)!.data;
    const components = model.components.map((c: any) => c.name);
    expect(components).toEqual(['backend', 'migrate', 'edge']);
    for (const flow of model.allowed) {
      for (const end of [flow.from.component, flow.to.component].filter((c) => c !== undefined)) expect(components).toContain(end);
    }
    const selected = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec.podSelector.matchLabels?.['app.kubernetes.io/component']).filter((c) => c);
    expect(selected.sort()).toEqual([...components].sort());
  });

  test('WHEN it has a broker and no workers THEN only the web tier enqueues: the backend reads the broker, and nothing scales on it', () => {
    const { objects: withBroker, find: findIn } = synth({ ...plain, broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' } });
    expect(findIn('Deployment', 'backend').spec.template.spec.containers[0].env)
      .toContainEqual({ name: 'CELERY_BROKER_ADDRESS', valueFrom: { secretKeyRef: { name: 'shop-broker', key: 'redis-address' } } });
    expect(findIn('ExternalSecret', 'shop-broker').spec.data.map((d: any) => d.secretKey)).toEqual(['redis-address']);
    expect(withBroker.filter((o) => ['ScaledObject', 'TriggerAuthentication', 'PriorityClass'].includes(o.kind))).toEqual([]);
  });
});

describe('GIVEN workers and no beat', () => {
  const { chart, objects, find, policy } = synth({ beat: undefined });

  test('THEN the queues render with their autoscaling and priorities, and there is no beat', () => {
    expect(objects.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['backend', 'worker-default', 'worker-reports']);
    expect(objects.filter((o) => o.kind === 'ScaledObject').map((o) => o.metadata.name)).toEqual(['worker-default', 'worker-reports']);
    expect(find('TriggerAuthentication', 'worker-broker')).toBeDefined();
    expect(objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name)).toEqual(['shop-worker-normal', 'shop-worker-low']);
    expect(chart.beat).toBeUndefined();
  });

  test('THEN the workers reach the broker, and neither a policy nor the traffic model names beat', () => {
    expect(policy('worker-default').egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.60.2.0/24' } }], ports: [{ protocol: 'TCP', port: 6379 }] });
    expect(policy('beat')).toBeUndefined();
    const model = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)!.data;
    expect(model.components.map((c: any) => c.name)).toEqual(['backend', 'worker-default', 'worker-reports']);
  });
});

describe('GIVEN an edge and no frontend', () => {
  const { find, policy } = synth({ edge: EDGE, externalServices: [...shopProps().externalServices, S3] });

  test('THEN the edge routes every path to the backend Service, and only the ingress namespace reaches the edge', () => {
    const conf = find('ConfigMap', 'edge-nginx').data['nginx.conf'];
    expect(conf).toContain('server backend:8000;');
    expect(conf).not.toContain('edge_frontend');
    expect(conf).toContain('set $edge_static_host "shop-static.s3.eu-west-1.amazonaws.com";');
    expect(conf).toContain('shop-media\\.s3\\.eu-west-1\\.amazonaws\\.com|s3\\.eu-west-1\\.amazonaws\\.com');
    expect(policy('edge').ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(policy('edge').egress.map((e: any) => e.to[0].podSelector?.matchLabels['app.kubernetes.io/component'] ?? e.to[0].ipBlock.cidr)).toEqual(['backend', '52.218.0.0/17']);
    expect(policy('backend').ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'edge' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
  });

  test('THEN the edge is applied after the app tier', () => {
    expect(find('Deployment', 'edge').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
    expect(find('Deployment', 'backend').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
  });
});

describe('GIVEN an edge with tenants on subdomains', () => {
  const publicHosts = (objects: any[]) => [...new Set(objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .flatMap((w) => w.spec.template.spec.containers).filter((c: any) => c.name !== 'edge')
    .map((c: any) => (c.env ?? []).find((e: any) => e.name === 'DJANGO_PUBLIC_HOSTS')?.value ?? 'unset'))];

  test('THEN every process of the Django code is given the edge\'s hosts in ALLOWED_HOSTS form, and the edge itself is not', () => {
    const { objects, find } = synth({ edge: { ...EDGE, additionalHosts: ['*.shop.example.com'] }, externalServices: [...shopProps().externalServices, S3] });
    expect(publicHosts(objects)).toEqual(['shop.example.com,.shop.example.com']);
    expect(find('Deployment', 'edge').spec.template.spec.containers[0].env ?? []).not.toContainEqual(expect.objectContaining({ name: 'DJANGO_PUBLIC_HOSTS' }));
  });

  test('WHEN the settings name their own public hosts THEN those are given instead', () => {
    const settings = { ...shopProps().settings, publicHosts: ['www.shop.example.com'] };
    expect(publicHosts(synth({ settings, edge: EDGE, externalServices: [...shopProps().externalServices, S3] }).objects)).toEqual(['www.shop.example.com']);
  });

  test('WHEN there is no edge THEN the variable is not set', () => {
    expect(publicHosts(synth().objects)).toEqual(['unset']);
  });

  test('WHEN an additional host is no host name THEN the error names the chart and edge.additionalHosts[i]', () => {
    expect(() => synth({ edge: { ...EDGE, additionalHosts: ['*.Shop.example.com'] }, externalServices: [...shopProps().externalServices, S3] }))
      .toThrow(/^DjangoAppChart 'shop': edge\.additionalHosts\[0\] must be a DNS host name in lowercase, or \*\. and one \(a wildcard for one label\); got "\*\.Shop\.example\.com"/);
  });
});

describe('GIVEN a frontend behind the edge', () => {
  const { find, policy } = synth({
    edge: EDGE,
    frontend: { image: 'registry.example.com/shop/web', resources: size },
    externalServices: [...shopProps().externalServices, S3],
  });

  test('THEN the frontend renders with the in-cluster API and hands browsers the public one', () => {
    const env = find('Deployment', 'frontend').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'NUXT_API_BASE', value: 'http://backend:8000/api' });
    expect(env).toContainEqual({ name: 'NUXT_PUBLIC_API_BASE', value: 'https://shop.example.com/api' });
    expect(find('Deployment', 'frontend').spec.template.spec.containers[0].image).toBe('registry.example.com/shop/web:1.4.0');
  });

  test('THEN the edge sends `/` to the frontend, and the frontend may call the backend', () => {
    expect(find('ConfigMap', 'edge-nginx').data['nginx.conf']).toContain('proxy_pass http://edge_frontend;');
    expect(policy('frontend').egress).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'backend' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
    expect(policy('backend').ingress.map((i: any) => i.from[0].podSelector.matchLabels['app.kubernetes.io/component'])).toEqual(['edge', 'frontend']);
  });
});

describe('GIVEN the optional jobs, statistics, synced Secrets and guardrails', () => {
  const { objects, find, policy } = synth({
    migrations: { resources: size, steps: [{ name: 'migrate', command: ['python', 'manage.py', 'migrate', '--noinput'] }] },
    collectStatic: { resources: size },
    stats: {
      shipper: { tag: '8.15.3', resources: { ...size, memoryLimit: '1Gi' }, elasticsearch: { url: 'https://stats.internal:9200', secretName: 'shop-stats' } },
      elasticsearchCidrs: ['10.60.3.0/24'],
    },
    secretStore: { storeName: 'vault', storeKind: SecretStoreKind.SECRET_STORE, remoteKeyPrefix: 'shop/prod' },
    guardrails: { requestsCpu: '20', requestsMemory: '40Gi', limitsCpu: '40', limitsMemory: '80Gi' },
  });

  test('THEN the jobs run the backend image and reach what the app code reaches, and the shipper gets its events', () => {
    expect(find('Job', 'migrate').spec.template.spec.containers[0].command).toEqual(['python', 'manage.py', 'migrate', '--noinput']);
    expect(find('Job', 'collectstatic').spec.template.spec.containers[0].image).toBe('registry.example.com/shop/api:1.4.0');
    expect(find('Deployment', 'backend').spec.template.spec.containers[0].env).toContainEqual({ name: 'STATS_SHIPPER_URL', value: 'http://stats-shipper:8080' });
    expect(policy('stats-shipper').ingress.map((i: any) => i.from[0].podSelector.matchLabels['app.kubernetes.io/component']))
      .toEqual(['backend', 'worker-default', 'worker-reports', 'beat', 'migrate', 'collectstatic']);
    expect(policy('stats-shipper').egress).toEqual([{ to: [{ ipBlock: { cidr: '10.60.3.0/24' } }], ports: [{ protocol: 'TCP', port: 9200 }] }]);
  });

  test('THEN one ExternalSecret per Secret, with exactly the keys the components and KEDA read', () => {
    const synced = Object.fromEntries(objects.filter((o) => o.kind === 'ExternalSecret').map((o) => [o.metadata.name, o.spec.data.map((d: any) => `${d.secretKey}<-${d.remoteRef.key}#${d.remoteRef.property}`)]));
    expect(synced).toEqual({
      'shop-app': ['database-url<-shop/prod/shop-app#database-url', 'secret-key<-shop/prod/shop-app#secret-key'],
      'shop-broker': ['redis-address<-shop/prod/shop-broker#redis-address'],
      'shop-stats': ['username<-shop/prod/shop-stats#username', 'password<-shop/prod/shop-stats#password'],
    });
    expect(objects.find((o) => o.kind === 'ExternalSecret').spec.secretStoreRef).toEqual({ name: 'vault', kind: 'SecretStore' });
  });

  test('THEN the statistics are named after the app: a shop-usage index and its template', () => {
    const conf = find('ConfigMap', 'stats-shipper-pipeline').data['usage.conf'];
    expect(conf).toContain('index => "shop-usage-%{+YYYY.MM.dd}"');
    expect(conf).toContain('template_name => "shop-usage"');
  });

  test('THEN the namespace gets its quota and limits', () => {
    expect(find('ResourceQuota', 'compute').spec.hard['requests.cpu']).toBe('20');
    expect(find('LimitRange', 'container-defaults')).toBeDefined();
  });
});

const CLEARSESSIONS = { name: 'clearsessions', schedule: '@daily', command: ['python', 'manage.py', 'clearsessions'], resources: size, activeDeadlineSeconds: 600 };
const HOUSEKEEPING = { ...CLEARSESSIONS, name: 'housekeeping', schedule: '30 3 * * *', timeZone: 'Europe/Berlin', command: ['python', 'manage.py', 'housekeeping'] };

describe('GIVEN scheduled commands beside the backend, the queues and beat, with S3, statistics and synced Secrets', () => {
  const app = Testing.app();
  const chart = new DjangoAppChart(app, 'shop', shopProps({
    cronJobs: [CLEARSESSIONS, HOUSEKEEPING],
    migrations: { resources: size },
    externalServices: [...shopProps().externalServices, { ...S3, reachedBy: [ComponentGroup.APP_CODE] }],
    stats: {
      shipper: { tag: '8.15.3', resources: size, elasticsearch: { url: 'https://stats.internal:9200', secretName: 'shop-stats' } },
      elasticsearchCidrs: ['10.60.3.0/24'],
    },
    secretStore: { storeName: 'vault' },
  }));
  const objects = Testing.synth(chart);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const policy = (component: string) => find('NetworkPolicy', `allow-${component}`)?.spec;
  const cronPod = (name: string) => find('CronJob', name).spec.jobTemplate.spec.template.spec;

  test('THEN each is a CronJob running its command with the backend image, settings and broker', () => {
    expect(chart.cronJobs.map((c) => c.name)).toEqual(['clearsessions', 'housekeeping']);
    expect(objects.filter((o) => o.kind === 'CronJob').map((o) => [o.metadata.name, o.spec.schedule, o.spec.timeZone]))
      .toEqual([['clearsessions', '@daily', undefined], ['housekeeping', '30 3 * * *', 'Europe/Berlin']]);
    const c = cronPod('clearsessions').containers[0];
    const backend = find('Deployment', 'backend').spec.template.spec.containers[0];
    expect(c.command).toEqual(['python', 'manage.py', 'clearsessions']);
    expect(c.image).toBe('registry.example.com/shop/api:1.4.0');
    // The backend's variables, the shipper's address and the broker included, so a command can enqueue tasks.
    expect(c.env).toEqual(backend.env);
    expect(c.env).toContainEqual({ name: 'CELERY_BROKER_URL', value: 'redis://$(CELERY_BROKER_ADDRESS)/0' });
  });

  test('THEN its NetworkPolicy lets out exactly what the backend and the other app code may reach, and lets nothing in', () => {
    for (const name of ['clearsessions', 'housekeeping']) {
      expect([name, policy(name).egress]).toEqual([name, policy('backend').egress]);
      expect([name, policy(name).egress]).toEqual([name, policy('worker-default').egress]);
      expect([name, policy(name).policyTypes, policy(name).ingress]).toEqual([name, ['Egress'], undefined]);
    }
    expect(policy('clearsessions').egress.map((e: any) => e.to[0].ipBlock?.cidr ?? e.to[0].podSelector.matchLabels['app.kubernetes.io/component']))
      .toEqual(['10.60.1.0/24', '10.60.2.0/24', '52.218.0.0/17', 'stats-shipper']);
    expect(policy('clearsessions').podSelector.matchLabels).toEqual(chart.cronJobs[0].selectorLabels);
    expect(find('CronJob', 'clearsessions').spec.jobTemplate.spec.template.metadata.labels).toMatchObject(chart.cronJobs[0].selectorLabels);
    // Nothing connects to it: no policy names it as a peer of its ingress or egress, but the shipper it sends to.
    const peers = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name !== 'allow-stats-shipper')
      .flatMap((o) => [...(o.spec.ingress ?? []).flatMap((r: any) => r.from), ...(o.spec.egress ?? []).flatMap((r: any) => r.to)])
      .map((peer: any) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component']);
    expect(peers).not.toContain('clearsessions');
    expect(policy('stats-shipper').ingress.map((i: any) => i.from[0].podSelector.matchLabels['app.kubernetes.io/component']))
      .toEqual(['backend', 'worker-default', 'worker-reports', 'beat', 'migrate', 'clearsessions', 'housekeeping']);
  });

  test('THEN the traffic model holds them as components that listen on nothing, with the flows of their policies', () => {
    const model = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)!.data;
    expect(model.components.find((c: any) => c.name === 'clearsessions')).toEqual({ name: 'clearsessions', podLabels: chart.cronJobs[0].selectorLabels, ports: [] });
    const flows = (from: string) => model.allowed.filter((f: any) => f.from.component === from).map((f: any) => f.to.external ?? f.to.component);
    expect(flows('clearsessions')).toEqual(flows('backend'));
    expect(model.allowed.filter((f: any) => f.to.component === 'clearsessions')).toEqual([]);
  });

  test('THEN every Secret key it reads is synced', () => {
    const synced = objects.filter((o) => o.kind === 'ExternalSecret').flatMap((o) => o.spec.data.map((d: any) => `${o.metadata.name}/${d.secretKey}`));
    const read = cronPod('clearsessions').containers[0].env.filter((e: any) => e.valueFrom).map((e: any) => `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
    expect(read).toEqual(['shop-app/database-url', 'shop-app/secret-key', 'shop-broker/redis-address']);
    for (const key of read) expect(synced).toContain(key);
  });

  test('THEN Argo CD applies it with the app tier, after the migrations, and not as a hook', () => {
    const wave = (kind: string, name: string) => find(kind, name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect([wave('CronJob', 'clearsessions'), wave('Deployment', 'backend'), wave('ServiceAccount', 'clearsessions'), find('Job', 'migrate').metadata.annotations['argocd.argoproj.io/sync-wave']])
      .toEqual(['1', '1', '-1', '0']);
    expect(find('CronJob', 'clearsessions').metadata.annotations['argocd.argoproj.io/hook']).toBeUndefined();
  });

  test('THEN the whole app validates and renders: the network check finds the CronJobs\' pods', () => {
    expect(() => chartInputs(app)).not.toThrow();
  });
});

describe('GIVEN scheduled commands and a name prefix', () => {
  test('THEN each is named after the prefix, and its policy and ServiceAccount with it', () => {
    const { find, policy } = synth({ namePrefix: 'green', cronJobs: [CLEARSESSIONS] });
    expect(find('CronJob', 'green-clearsessions').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('green-clearsessions');
    expect(find('ServiceAccount', 'green-clearsessions')).toBeDefined();
    expect(policy('green-clearsessions').egress).toEqual(policy('green-backend').egress);
  });
});

describe('GIVEN a plain Django app without a broker, and a scheduled command', () => {
  test('THEN the command reads no broker variable', () => {
    const { find } = synth({ broker: undefined, celeryApp: undefined, workers: undefined, beat: undefined, cronJobs: [CLEARSESSIONS] });
    const env = find('CronJob', 'clearsessions').spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env.filter((n: string) => n.startsWith('CELERY_'))).toEqual([]);
  });
});

describe('GIVEN scheduled commands the app cannot have', () => {
  test.each([
    ['two of one name', { cronJobs: [CLEARSESSIONS, { ...HOUSEKEEPING, name: 'clearsessions' }] },
      /^DjangoAppChart 'shop': cronJobs\[1\]\.name must be unique among the app's components \(cronJobs\[0\]\.name is "clearsessions" too\); got "clearsessions"$/],
    ['one named like beat', { cronJobs: [{ ...CLEARSESSIONS, name: 'beat' }] },
      /^DjangoAppChart 'shop': cronJobs\[0\]\.name must be unique among the app's components \(beat\.name is "beat" too\); got "beat"$/],
    ['one named like a worker queue', { cronJobs: [{ ...CLEARSESSIONS, name: 'worker-default' }] },
      /cronJobs\[0\]\.name must be unique among the app's components \(workers\.queues\[0\]\.name is "worker-default" too\)/],
    ['a name that is no DNS label', { cronJobs: [{ ...CLEARSESSIONS, name: 'Clear_Sessions' }] },
      /^DjangoAppChart 'shop': cronJobs\[0\]\.name must be a DNS-1035 label \(lowercase letters, digits and '-', starting with a letter, at most 52 characters\); got "Clear_Sessions"$/],
    ['a name too long with the prefix', { namePrefix: 'green-installation', cronJobs: [{ ...CLEARSESSIONS, name: `c${'x'.repeat(40)}` }] },
      /cronJobs\[0\]\.name must be a DNS-1035 label .*at most 33 characters/],
    ['a bad schedule', { cronJobs: [{ ...CLEARSESSIONS, schedule: '0 3 * * 8' }] },
      /^DjangoCronJob 'shop\/cron-clearsessions': schedule must be a cron schedule whose day-of-week field \(the 5th\) is "\*", a value from 0 to 6/],
    ['a time zone that is no IANA name', { cronJobs: [{ ...CLEARSESSIONS, timeZone: 'CET+1:00' }] },
      /^DjangoCronJob 'shop\/cron-clearsessions': timeZone must be an IANA time zone name/],
    ['no deadline', { cronJobs: [{ ...CLEARSESSIONS, activeDeadlineSeconds: undefined as any }] },
      /^DjangoCronJob 'shop\/cron-clearsessions': activeDeadlineSeconds must be set: a run that hangs without a deadline holds back every later run; got undefined$/],
    ['a starting deadline the controller cannot keep', { cronJobs: [{ ...CLEARSESSIONS, startingDeadlineSeconds: 1 }] },
      /^DjangoCronJob 'shop\/cron-clearsessions': startingDeadlineSeconds must be an integer from 10 to 86400; got 1$/],
    ['a list that is no list', { cronJobs: CLEARSESSIONS as any }, /^DjangoAppChart 'shop': cronJobs must be a list of scheduled commands, or left out; got \{/],
    ['an entry that is no object', { cronJobs: ['clearsessions'] as any }, /^DjangoAppChart 'shop': cronJobs\[0\] must be a scheduled command \{ name, schedule, command, resources, activeDeadlineSeconds \}; got "clearsessions"$/],
  ])('WHEN given %s THEN construction fails naming the prop', (_what, overrides, message) => {
    expect(() => synth(overrides as Partial<DjangoAppChartProps>)).toThrow(message);
  });
});

describe('GIVEN an in-cluster service of another team', () => {
  test('THEN the app code reaches its pods in that namespace, selected by namespace AND labels', () => {
    const { policy } = synth({ externalServices: [{ name: 'search', namespace: 'search', podLabels: { app: 'opensearch' }, ports: [9200] }] });
    expect(policy('backend').egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'search' } }, podSelector: { matchLabels: { app: 'opensearch' } } }],
      ports: [{ protocol: 'TCP', port: 9200 }],
    }]);
  });
});

describe('GIVEN two installations in one namespace', () => {
  test('WHEN the second has a name prefix and uses the existing namespace THEN every object name differs and nothing collides', () => {
    const app = Testing.app();
    const blue = new DjangoAppChart(app, 'blue', shopProps({ instance: 'shop-blue', guardrails: { requestsCpu: '2', requestsMemory: '4Gi', limitsCpu: '4', limitsMemory: '8Gi' } }));
    const green = new DjangoAppChart(app, 'green', shopProps({
      instance: 'shop-green',
      namePrefix: 'green',
      namespaceManagement: NamespaceManagement.EXISTING,
      guardrails: { requestsCpu: '2', requestsMemory: '4Gi', limitsCpu: '4', limitsMemory: '8Gi' },
    }));
    const names = (chart: DjangoAppChart) => Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.name}`);
    const greenNames = names(green);
    expect(greenNames).not.toContain('Namespace/shop');
    expect(greenNames).toEqual(expect.arrayContaining(['Deployment/green-backend', 'Deployment/green-worker-default', 'Deployment/green-beat',
      'NetworkPolicy/green-default-deny', 'NetworkPolicy/green-allow-dns', 'TriggerAuthentication/green-worker-broker', 'ResourceQuota/green-compute']));
    const blueNames = names(blue);
    expect(greenNames.filter((n) => blueNames.includes(n))).toEqual([]);
  });

  test('WHEN two charts render one object name in one namespace THEN the render names both constructs', () => {
    const app = Testing.app();
    new DjangoAppChart(app, 'blue', shopProps());
    new DjangoAppChart(app, 'green', shopProps({ namespaceManagement: NamespaceManagement.EXISTING }));
    expect(() => chartInputs(app)).toThrow(/Deployment shop\/backend is rendered twice, by 'blue\/backend\/Deployment' and by 'green\/backend\/Deployment'/);
  });

  test('WHEN both render the namespace THEN the render says that all but one use the existing one', () => {
    const app = Testing.app();
    new DjangoAppChart(app, 'blue', shopProps());
    new DjangoAppChart(app, 'green', shopProps({ namePrefix: 'green' }));
    expect(() => chartInputs(app)).toThrow("Namespace shop is rendered twice, by 'blue/Namespace' and by 'green/Namespace': "
      + "one chart renders the namespace and the others use it (the app chart's namespaceManagement: NamespaceManagement.EXISTING)");
  });

  test('WHEN one chart holds two objects of one name THEN its own validation names both', () => {
    const chart = new DjangoAppChart(Testing.app(), 'shop', shopProps());
    new ApiObject(chart, 'extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'edge-nginx' } });
    new ApiObject(chart, 'extra2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'edge-nginx' } });
    expect(chart.node.validate()).toEqual([
      "DjangoAppChart 'shop': ConfigMap shop/edge-nginx is rendered twice, by 'shop/extra' and by 'shop/extra2': give one of them another name (set its name, or the app chart's namePrefix)",
    ]);
  });

  test('WHEN the render takes the app THEN it checks the whole app once, and the chart\'s own check stands down', () => {
    const app = Testing.app();
    const chart = new DjangoAppChart(app, 'shop', shopProps());
    new ApiObject(chart, 'extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'edge-nginx' } });
    new ApiObject(chart, 'extra2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'edge-nginx' } });
    // Had the chart's validation run too, the render would fail with "validation failed" before its own check.
    expect(() => chartInputs(app)).toThrow(ValidationError);
    expect(() => chartInputs(app)).toThrow(new ValidationError('two objects of one name:\n  '
      + "ConfigMap shop/edge-nginx is rendered twice, by 'shop/extra' and by 'shop/extra2': give one of them another name (set its name, or the app chart's namePrefix)"));
    expect(chart.node.validate()).toEqual([]);
  });
});

describe('GIVEN two installations of one app in one cluster, each in its own namespace', () => {
  const twoEnvironments = (staging: Partial<DjangoAppChartProps>, production: Partial<DjangoAppChartProps>) => {
    const app = Testing.app();
    const charts = [
      new DjangoAppChart(app, 'staging', shopProps({ namespace: 'shop-staging', ...staging })),
      new DjangoAppChart(app, 'production', shopProps({ namespace: 'shop-production', ...production })),
    ];
    return { app, charts };
  };
  const priorityClasses = (chart: DjangoAppChart) => Testing.synth(chart).filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name);

  test('WHEN neither sets an instance THEN the cluster-scoped PriorityClasses start with the namespace, and the whole app renders', () => {
    const { app, charts: [staging, production] } = twoEnvironments({}, {});
    expect(() => chartInputs(app)).not.toThrow();
    expect(priorityClasses(staging)).toEqual(['shop-staging-worker-normal', 'shop-staging-worker-low']);
    expect(priorityClasses(production)).toEqual(['shop-production-worker-normal', 'shop-production-worker-low']);
    const worker = Testing.synth(production).find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker-default');
    expect(worker.spec.template.spec.priorityClassName).toBe('shop-production-worker-normal');
    // Labels keep their default: the instance label is the appName, so no selector changes.
    expect(worker.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe('shop');
  });

  test('WHEN each sets its own instance THEN the PriorityClasses start with the instance', () => {
    const { charts: [staging] } = twoEnvironments({ instance: 'shop-stage' }, { instance: 'shop-prod' });
    expect(priorityClasses(staging)).toEqual(['shop-stage-worker-normal', 'shop-stage-worker-low']);
  });

  test('WHEN both set one instance THEN the render fails on the PriorityClass and names instance as the fix', () => {
    const { app } = twoEnvironments({ instance: 'shop' }, { instance: 'shop' });
    expect(() => chartInputs(app)).toThrow("PriorityClass shop-worker-normal is rendered twice, by 'staging/workers/PriorityClass-normal' and by 'production/workers/PriorityClass-normal': "
      + "its name must be unique in the whole cluster, and an app chart's cluster-scoped names start with its instance: "
      + 'give each installation its own instance (or leave instance unset: the namespace is used then), or set the name');
  });
});

describe('GIVEN props that do not make a whole app', () => {
  test.each([
    ['two components of one name', { beat: { resources: size, name: 'backend' } }, /DjangoAppChart 'shop': beat.name must be unique among the app's components \(backend.name is "backend" too\); got "backend"/],
    ['a service for the edge, without an edge', { externalServices: [S3] }, /externalServices\[0\]\.reachedBy\[1\] must be a group the app has/],
    ['a frontend with no edge and no public API URL', { frontend: { image: 'r.example.com/web', resources: size } }, /frontend.publicApiUrl must be set when the app has no edge/],
    ['an edge without the ingress namespace', { edge: { host: 'shop.example.com', resources: size } as any }, /edge.ingressNamespace must be the ingress controller's namespace/],
    ['statistics without the Elasticsearch addresses', { stats: { shipper: { tag: '8.15.3', resources: size, elasticsearch: { url: 'https://s:9200', secretName: 's' } } } as any },
      /stats.elasticsearchCidrs must be the addresses of the statistics Elasticsearch/],
    ['a secret store without a name', { secretStore: { storeName: '' } }, /secretStore.storeName must be the name of a SecretStore or ClusterSecretStore/],
    ['an external service with both addresses and a namespace', { externalServices: [{ name: 'x', cidrs: ['10.0.0.0/8'], namespace: 'x', ports: [1] }] }, /externalServices\[0\]\.cidrs\/namespace must be exactly one of the two/],
    ['two external services of one name', { externalServices: [{ name: 'db', cidrs: ['10.0.0.0/8'], ports: [1] }, { name: 'db', cidrs: ['10.1.0.0/16'], ports: [2] }] }, /externalServices\[1\]\.name must be unique among the external services/],
    ['an invalid CIDR', { externalServices: [{ name: 'db', cidrs: ['10.0.0.1/8'], ports: [5432] }] }, /externalServices\[0\]\.cidrs\[0\] must be a network address/],
    ['no external services list', { externalServices: undefined as any }, /externalServices must be a list/],
    ['beat without workers', { workers: undefined },
      /^DjangoAppChart 'shop': beat must be left out, or set together with workers \(beat only sends periodic tasks to the workers' queues; without workers nothing runs them\); got \{"resources":/],
    ['workers without a broker', { broker: undefined },
      /^DjangoAppChart 'shop': broker must be set when the app has workers \(their queues live on it, and KEDA scales them on its queue lengths\); got undefined$/],
    ['workers without a Celery app', { celeryApp: undefined },
      /^DjangoAppChart 'shop': celeryApp must be set when the app has workers: the Celery application, a Python module path such as "shop.celery"; got undefined$/],
    ['a Celery app that is not a module path', { celeryApp: 'shop celery' }, /^DjangoAppChart 'shop': celeryApp must be set when the app has workers: .*; got "shop celery"$/],
    ['a Celery app without workers', { workers: undefined, beat: undefined },
      /^DjangoAppChart 'shop': celeryApp must be left out when the app has no workers \(only workers and beat run `celery -A <celeryApp>`\); got "shop.celery"$/],
    ['workers that are not an object', { workers: 'default' as any }, /^DjangoAppChart 'shop': workers must be an object, or left out; got "default"$/],
  ])('WHEN given %s THEN construction fails naming the prop', (_what, overrides, message) => {
    expect(() => synth(overrides as Partial<DjangoAppChartProps>)).toThrow(message);
  });
});

describe('GIVEN statistics with dashboards and a shipper index of its own', () => {
  const stats = (dashboards: object) => synth({
    stats: {
      shipper: { tag: '8.15.3', resources: size, index: 'events-%{+YYYY.MM}', elasticsearch: { url: 'https://stats.internal:9200', secretName: 'shop-stats' } },
      dashboards: { tag: '11.3.1', resources: size, adminSecretName: 'shop-grafana', elasticsearch: { url: 'https://stats.internal:9200', secretName: 'shop-stats-reader' }, ...dashboards },
      elasticsearchCidrs: ['10.60.3.0/24'],
    },
  });

  test('THEN the dashboards search what the shipper writes, and name the rest after the app', () => {
    const { chart, find } = stats({});
    expect(chart.statsDashboards!.indexPattern).toBe('events-*');
    expect(find('ConfigMap', 'grafana-datasources').data['usage-elasticsearch.yaml']).toContain('      index: "events-*"\n');
    expect([chart.statsDashboards!.datasourceUid, chart.statsDashboards!.tenantDashboardUid]).toEqual(['shop-usage-es', 'shop-usage-tenant']);
  });

  test('GIVEN an index pattern of the dashboards THEN it wins over the shipper\'s', () => {
    expect(stats({ indexPattern: 'archive-*' }).chart.statsDashboards!.indexPattern).toBe('archive-*');
  });
});

describe('GIVEN an edge and S3', () => {
  const edgeConf = (settings: Partial<DjangoAppChartProps['settings']>) => {
    const { find } = synth({ edge: EDGE, externalServices: [S3], settings: { ...shopProps().settings, ...settings } });
    return find('ConfigMap', 'edge-nginx').data['nginx.conf'] as string;
  };

  test('WHEN the buckets are on AWS THEN the edge fetches X-Accel downloads over TLS from the bucket hosts', () => {
    const conf = edgeConf({});
    expect(conf).toContain('proxy_pass https://$edge_s3_host$edge_s3_path_and_query;');
    // The allowed hosts, as the X-Accel path's pattern names them.
    expect(conf).toContain('shop-media\\.s3\\.eu-west-1\\.amazonaws\\.com');
  });

  test('WHEN the S3 endpoint is plain http THEN the edge speaks plain HTTP to it, as the app does', () => {
    const conf = edgeConf({ s3Endpoint: 'http://203.0.113.12:7070' });
    expect(conf).toContain('proxy_pass http://$edge_s3_host$edge_s3_path_and_query;');
    expect(conf).not.toContain('proxy_pass https://$edge_s3_host');
    expect(conf).toContain('203\\.0\\.113\\.12');
  });

  test('WHEN the S3 endpoint is https THEN the edge keeps TLS', () => {
    expect(edgeConf({ s3Endpoint: 'https://s3.example.net' })).toContain('proxy_pass https://$edge_s3_host$edge_s3_path_and_query;');
  });
});

describe('GIVEN settings whose env or secretEnv names a variable the broker sets', () => {
  test('WHEN the chart renders THEN it fails naming the variable, instead of giving the pods the variable twice', () => {
    const plain = { ...shopProps().settings, env: { CELERY_BROKER_ADDRESS: 'redis:6379' } };
    expect(() => synth({ settings: plain })).toThrow(
      /DjangoBackend 'shop\/backend': settings\.env\.CELERY_BROKER_ADDRESS must be a variable the broker and the worker contract do not set themselves; got "CELERY_BROKER_ADDRESS"/);
    const secret = { ...shopProps().settings, secretEnv: [{ name: 'CELERY_BROKER_ADDRESS', secretName: 'other', key: 'address' }] };
    expect(() => synth({ settings: secret })).toThrow(/settings\.env\.CELERY_BROKER_ADDRESS must be a variable the broker/);
  });

  test('WHEN it names one the broker does not set THEN the chart renders it once on every app container', () => {
    const { objects } = synth({ settings: { ...shopProps().settings, env: { SHOP_FEATURE: 'on' } } });
    const containers = objects.filter((o) => o.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers);
    const counts = containers.map((c: any) => (c.env ?? []).filter((e: any) => e.name === 'SHOP_FEATURE').length);
    expect(new Set(counts)).toEqual(new Set([1]));
  });
});
