import * as fs from 'fs';
import * as path from 'path';
import { consumer, DELIVERY_APP, LIBRARY, TS_NODE } from '../delivery/consumer';
import { BARE_GIT_ENV, git, sourceRepo, withEnv, writeRender } from '../delivery/git-fixture';
import { cli, deployment, readTree } from '../delivery/helpers';

// k8s-topology preview publish and remove against a real temporary repository (`npm run test:integration`).
function preview(repo: string, pr: number) {
  const obj = deployment('backend');
  obj.metadata.namespace = `shop-pr-${pr}`;
  obj.metadata.labels['app.kubernetes.io/version'] = `1.2-pr.${pr}`;
  writeRender(path.join(repo, 'dist', 'previews'), { [`pr-${pr}`]: [{ file: 'backend.yaml', objects: [obj] }] });
}

describe('GIVEN a repository whose rendered branch holds staging', () => {
  test('WHEN the CI publishes two previews and removes one THEN the branch holds staging and the other preview', () => {
    const repo = sourceRepo();
    withEnv(BARE_GIT_ENV, () => {
      const base = deployment('backend');
      base.metadata.namespace = 'shop-staging';
      writeRender(path.join(repo, 'dist', 'manifests'), { staging: [{ file: 'backend.yaml', objects: [base] }] });
      expect(cli(repo, 'publish').code).toBe(0);
      const staging = git(repo, 'rev-parse', 'rendered:staging');

      preview(repo, 5);
      const first = cli(repo, 'preview', 'publish', '--pr', '5');
      expect([first.code, first.err]).toEqual([0, '']);
      expect(first.out).toMatch(/^rendered: committed [0-9a-f]{12}: render [0-9a-f]{12}: previews\/pr-5 1\.2-pr\.5$/);
      preview(repo, 6);
      expect(cli(repo, 'preview', 'publish', '--pr=6').code).toBe(0);
      expect(cli(repo, 'preview', 'publish', '--pr', '6').out).toBe('rendered: unchanged (previews/pr-6 is already the tip\'s); no commit made');

      const removed = cli(repo, 'preview', 'remove', '--pr', '5');
      expect(removed.out).toMatch(/^rendered: committed [0-9a-f]{12}: remove previews\/pr-5$/);
      expect(git(repo, 'ls-tree', '-r', '-d', '--name-only', 'rendered').split('\n')).toEqual(['previews', 'previews/pr-6', 'staging']);
      expect(git(repo, 'rev-parse', 'rendered:staging')).toBe(staging);
      expect(cli(repo, 'preview', 'remove', '--pr', '5').out).toBe('rendered: unchanged (no previews/pr-5); no commit made');
    });
  });

  test('WHEN a preview that was not rendered is published THEN it exits 1 and says to render first', () => {
    const repo = sourceRepo();
    const run = cli(repo, 'preview', 'publish', '--pr', '9');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/dist\/previews\/pr-9 does not exist; render first \(k8s-topology preview render --pr 9\)/);
  });
});

/** A team's app: staging, or the preview the CLI asks for, derived from staging's props. */
const PREVIEW_APP = `
const t = require(${LIBRARY});
const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const staging = {
  appName: 'shop', namespace: 'shop-staging', version: '1.4.0', image: 'registry.example.com/shop/api', celeryApp: 'shop.celery',
  settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
  broker: { kind: t.BrokerKind.REDIS, secretName: 'shop-broker' },
  backend: { resources: size },
  workers: { queues: [{ name: 'default', priority: t.QueuePriority.HIGH, resources: size }] },
  edge: { host: 'staging.shop.example.com', ingressNamespace: 'ingress-nginx', resources: size },
  externalServices: [{ name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] }, { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379] }],
};
const preview = t.PreviewEnvironment.fromEnvironment('preview.shop.example.com');
const app = new t.DeliveryApp(preview ? {} : { argoCd: { previews: {} } });
if (preview) new t.DjangoAppChart(app, preview.folder, preview.chartProps(staging));
else new t.DjangoAppChart(app, 'staging', staging);
app.synth();
`;

describe('GIVEN a team app that renders staging or the preview asked for', () => {
  test('WHEN preview render --pr 42 runs THEN dist/previews holds pr-42 only, in shop-pr-42, with no cluster-scoped object', () => {
    const dir = consumer(PREVIEW_APP);
    const run = cli(dir, 'preview', 'render', '--pr', '42', '--app', `${TS_NODE} app.ts`);
    expect([run.code, run.err]).toEqual([0, '']);
    expect(fs.readdirSync(path.join(dir, 'dist', 'previews'))).toEqual(['pr-42']);
    const files = readTree(path.join(dir, 'dist', 'previews'));
    const index = JSON.parse(files['pr-42/index.json']);
    expect(index.objects.length).toBeGreaterThan(0);
    expect(index.objects.filter((o: any) => o.namespace !== 'shop-pr-42')).toEqual([]);
    const manifests = Object.entries(files).filter(([f]) => f.endsWith('.yaml')).map(([, c]) => c).join('\n');
    expect(manifests).toContain('host: pr-42.preview.shop.example.com');
    expect(manifests).toContain('priorityClassName: shop-staging-worker-high');
    expect(manifests).not.toMatch(/kind: (PriorityClass|Namespace)$/m);
    expect(process.env.K8S_TOPOLOGY_PREVIEW_PR).toBeUndefined();

    const base = cli(dir, 'render', '--app', `${TS_NODE} app.ts`);
    expect(base.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'dist', 'manifests')).sort()).toEqual(['argocd', 'staging']);
    expect(readTree(path.join(dir, 'dist', 'manifests'))['argocd/previews.yaml']).toContain('kind: ApplicationSet');
  });

  test('WHEN the app ignores the preview THEN preview render exits 1 and keeps nothing', () => {
    const dir = consumer(DELIVERY_APP);
    const run = cli(dir, 'preview', 'render', '--pr', '7', '--app', `${TS_NODE} app.ts`);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/a preview render holds only the folder pr-7; the app rendered argocd, production/);
    expect(fs.existsSync(path.join(dir, 'dist', 'previews'))).toBe(false);
  });
});
