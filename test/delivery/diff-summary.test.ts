import { BrokerKind, ComponentGroup, DeliveryApp, DjangoAppChart, DjangoAppChartProps, QueuePriority } from '../../src';
import { formatSummary, splitImage, summarizeRenders } from '../../src/delivery/diff-summary';
import { diffRenders, formatDiff, loadRender, PlacedObject, RenderDiff } from '../../src/delivery/manifest-diff';
import { synthAndRead, tempOutdir } from '../support/render';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const API = 'registry.example.com/shop/api';
const NGINX = 'docker.io/nginxinc/nginx-unprivileged';

interface Environment {
  readonly version: string;
  readonly nginx?: string;
  readonly change?: (props: DjangoAppChartProps) => DjangoAppChartProps;
}

/** A small app: the backend, two queues, beat, the migration job and the edge. */
function shop(name: string, env: Environment): DjangoAppChartProps {
  const props: DjangoAppChartProps = {
    appName: 'shop',
    instance: `shop-${name}`,
    namespace: `shop-${name}`,
    version: env.version,
    image: API,
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size },
    workers: {
      queues: [
        { name: 'default', priority: QueuePriority.NORMAL, resources: size },
        { name: 'reports', priority: QueuePriority.LOW, minReplicas: 0, resources: size },
      ],
    },
    beat: { resources: size },
    migrations: { resources: size },
    edge: { host: `${name}.shop.example.com`, ingressNamespace: 'ingress-nginx', resources: size, tag: env.nginx },
    externalServices: [{ name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] }],
  };
  return env.change ? env.change(props) : props;
}

/** Renders the environments with DeliveryApp.synth() into a fresh folder; returns the folder. */
function renderDir(environments: Record<string, Environment>): string {
  const app = new DeliveryApp({ packageName: 'shop-deploy', packageVersion: '3.1.0', outdir: tempOutdir('diff-summary') });
  for (const [name, env] of Object.entries(environments)) new DjangoAppChart(app, name, shop(name, env));
  synthAndRead(app);
  return app.outdir;
}

/** The render's objects placed in their folders and files, as the diff reads them. */
function render(environments: Record<string, Environment>): PlacedObject[] {
  return loadRender(renderDir(environments));
}

function diffText(before: Record<string, Environment>, after: Record<string, Environment>): string[] {
  return formatDiff(diffRenders(render(before), render(after))).split('\n');
}

describe('GIVEN a release of production and an nginx upgrade in staging', () => {
  const lines = diffText(
    { production: { version: '1.4.0' }, staging: { version: '1.5.0' } },
    { production: { version: '1.5.0' }, staging: { version: '1.5.0', nginx: '1.27.4-alpine' } },
  );

  test('WHEN diffed THEN the report opens with the release and image changes per environment, in folder order', () => {
    expect(lines.slice(0, 6)).toEqual([
      'Releases and images:',
      '  production: release 1.4.0 -> 1.5.0',
      `    image ${API}: 1.4.0 -> 1.5.0 (backend, beat, migrate, worker-default and 1 more)`,
      '  staging: release 1.5.0 unchanged',
      `    image ${NGINX}: 1.27.3-alpine -> 1.27.4-alpine (edge)`,
      '',
    ]);
  });

  test('THEN the per-object changes follow the summary and the counts close the report, as before', () => {
    const firstObject = lines.findIndex((l) => /^[~+-] /.test(l));
    expect(firstObject).toBe(6);
    expect(lines).toContain('~ Deployment shop-production/backend (production/backend.yaml): changed');
    expect(lines).toContain('~ Deployment shop-staging/edge (staging/edge.yaml): changed');
    expect(lines[lines.length - 1]).toMatch(/^0 added, 0 removed, \d+ changed, \d+ unchanged$/);
  });

  test('THEN the edge of production, whose image did not change, is not in the summary and only its metadata label changed', () => {
    expect(lines.filter((l) => l.startsWith('    image '))).toEqual([expect.stringContaining(API), expect.stringContaining(NGINX)]);
    const edge = lines.indexOf('~ Deployment shop-production/edge (production/edge.yaml): changed');
    expect(lines.slice(edge + 1, edge + 3)).toEqual(['    ~ metadata.labels.app.kubernetes.io/version: "1.4.0" -> "1.5.0"', expect.stringMatching(/^~ /)]);
  });
});

describe('GIVEN two equal renders', () => {
  test('WHEN diffed THEN the summary says so in one line before the counts', () => {
    const env = { production: { version: '1.4.0' } };
    expect(diffText(env, env)).toEqual(['Releases and images: unchanged', expect.stringMatching(/^0 added, 0 removed, 0 changed, \d+ unchanged$/)]);
  });
});

describe('GIVEN an image change and an unsafe change in one render', () => {
  test('WHEN diffed THEN the summary comes first and the violations still close the report', () => {
    const before = { production: { version: '1.4.0' } };
    const after = { production: { version: '1.5.0', change: (p: DjangoAppChartProps) => ({ ...p, backend: { ...p.backend, name: 'api' } }) } };
    const diff = diffRenders(render(before), render(after));
    const lines = formatDiff(diff).split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Releases and images:',
      '  production: release 1.4.0 -> 1.5.0',
      `    image ${API}: 1.4.0 -> 1.5.0 (api, backend, beat, migrate and 2 more)`,
    ]);
    const counts = lines.findIndex((l) => /^\d+ added/.test(l));
    expect(lines[counts + 1]).toBe('UNSAFE: 3 change(s) that Kubernetes rejects or that cause downtime:');
    expect(diff.violations.map((v) => v.object)).toEqual(['Deployment shop-production/backend', 'Service shop-production/backend', 'PodDisruptionBudget shop-production/backend']);
  });
});

describe('GIVEN workloads added and removed', () => {
  const deployment = (name: string, image: string) => ({
    folder: 'test',
    file: 'test/all.yaml',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'ns' }, spec: { template: { spec: { containers: [{ name, image }] } } } },
  });

  test('WHEN a workload with a new image is added THEN its image is listed from (none)', () => {
    expect(summarizeRenders([deployment('web', 'app:1')], [deployment('web', 'app:1'), deployment('cache', 'redis:7.4')])).toEqual([
      { folder: 'test', releasesBefore: [], releasesAfter: [], images: [{ repository: 'redis', before: [], after: ['7.4'], workloads: ['cache'] }] },
    ]);
  });

  test('WHEN the last workload of an image is removed THEN its image is listed to (none)', () => {
    expect(summarizeRenders([deployment('web', 'app:1'), deployment('cache', 'redis:7.4')], [deployment('web', 'app:1')])[0].images)
      .toEqual([{ repository: 'redis', before: ['7.4'], after: [], workloads: ['cache'] }]);
    expect(formatSummary(summarizeRenders([deployment('cache', 'redis:7.4')], []))).toEqual([
      'Releases and images:', '  test: no release label', '    image redis: 7.4 -> (none) (cache)',
    ]);
  });

  test('WHEN a workload is added with a tag the folder runs already THEN no image changed', () => {
    expect(summarizeRenders([deployment('web', 'app:1')], [deployment('web', 'app:1'), deployment('worker', 'app:1')])).toEqual([]);
  });

  test('WHEN only the workloads swap their tags THEN each retagged workload is named', () => {
    const before = [deployment('a', 'app:1'), deployment('b', 'app:2')];
    const after = [deployment('a', 'app:2'), deployment('b', 'app:1')];
    expect(summarizeRenders(before, after)[0].images).toEqual([{ repository: 'app', before: ['1', '2'], after: ['1', '2'], workloads: ['a', 'b'] }]);
  });

  test('WHEN a CronJob or an init container changes its image THEN it counts as well', () => {
    const cron = (image: string) => ({
      folder: 'test',
      file: 'test/all.yaml',
      object: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cleanup' }, spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: 'wait', image }], containers: [{ name: 'c', image: 'app:1' }] } } } } } },
    });
    expect(summarizeRenders([cron('busybox:1.36')], [cron('busybox:1.37')])[0].images).toEqual([{ repository: 'busybox', before: ['1.36'], after: ['1.37'], workloads: ['cleanup'] }]);
  });
});

describe('image references', () => {
  test.each([
    ['registry.example.com/shop/api:1.4.0', 'registry.example.com/shop/api', '1.4.0'],
    ['localhost:5000/api:1.4.0', 'localhost:5000/api', '1.4.0'],
    ['localhost:5000/api', 'localhost:5000/api', '(no tag)'],
    [`api:1.4.0@sha256:${'0123456789ab'.repeat(5)}abcd`, 'api', '1.4.0@sha256:0123456789ab'],
    [`api@sha256:${'f'.repeat(64)}`, 'api', 'sha256:ffffffffffff'],
  ])('GIVEN %s THEN the repository and tag are split', (reference, repository, tag) => {
    expect(splitImage(reference)).toEqual({ repository, tag });
  });
});

describe('GIVEN two renders written to folders', () => {
  test('WHEN RenderDiff.compare reads them THEN the report carries the summary, its text opens with it, and a release stays safe', () => {
    const report = RenderDiff.compare(renderDir({ production: { version: '1.4.0' } }), renderDir({ production: { version: '1.5.0' } }));
    expect(report.safe).toBe(true);
    expect(report.summary).toEqual([{
      folder: 'production',
      releasesBefore: ['1.4.0'],
      releasesAfter: ['1.5.0'],
      images: [{ repository: API, before: ['1.4.0'], after: ['1.5.0'], workloads: ['backend', 'beat', 'migrate', 'worker-default', 'worker-reports'] }],
    }]);
    expect(report.text.split('\n').slice(0, 3)).toEqual([
      'Releases and images:',
      '  production: release 1.4.0 -> 1.5.0',
      `    image ${API}: 1.4.0 -> 1.5.0 (backend, beat, migrate, worker-default and 1 more)`,
    ]);
  });
});

describe('GIVEN a folder without workloads, such as the Argo CD folder', () => {
  test('WHEN its version labels change THEN it is left out of the summary (its objects are still listed)', () => {
    const application = (version: string) => ({
      folder: 'argocd',
      file: 'argocd/production.yaml',
      object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop-production', namespace: 'argocd', labels: { 'app.kubernetes.io/version': version } } },
    });
    expect(summarizeRenders([application('1.4.0')], [application('1.5.0')])).toEqual([]);
    expect(formatDiff(diffRenders([application('1.4.0')], [application('1.5.0')])).split('\n').slice(0, 3)).toEqual([
      'Releases and images: unchanged', '', '~ Application argocd/shop-production (argocd/production.yaml): changed',
    ]);
  });
});
