import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shopApp, shopSuiteApp, shopSuitePreviewApp, SUITE_ENVIRONMENT } from '../../examples/shop/app';
import { PREVIEW_PR_VARIABLE } from '../../src/app/preview-environment';
import { cli } from '../delivery/helpers';
import { synthAndRead, tempOutdir } from '../support/render';

// The example app imports '@picvario/k8s-topology' by name; jest maps it to src/ (see .projenrc.ts).
/** Renders the way the shop team does: from the app's own folder, whose package.json names the package. */
function renderShop(releases?: string) {
  const before = process.cwd();
  process.chdir(path.resolve(__dirname, '../../examples/shop'));
  try {
    return synthAndRead(shopApp(tempOutdir('shop'), releases));
  } finally {
    process.chdir(before);
  }
}

describe('GIVEN the shop example, a Django app that is not Picvario', () => {
  const folders = renderShop();
  const production = folders.find((f) => f.name === 'production')!;
  // The index's traffic is typed `unknown` (the render knows no app); the tests read it as the app chart writes it.
  const traffic = production.index.traffic as any;
  const find = (kind: string, name: string) => production.objects.find((o) => o.kind === kind && o.metadata.name === name);

  test('THEN it renders a folder per environment and the Argo CD folder, named after the shop', () => {
    expect(folders.map((f) => f.name)).toEqual(['argocd', 'production', 'staging']);
    const argocd = folders.find((f) => f.name === 'argocd')!;
    expect(argocd.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['AppProject/shop', 'AppProject/shop-apps', 'Application/shop-apps', 'Application/shop-production', 'Application/shop-staging', 'ApplicationSet/shop-previews']);
  });

  test("THEN every object names the shop's package and version, and nothing names Picvario", () => {
    for (const o of production.objects) expect([o.kind, o.metadata.annotations['shop.example.com/shop-deploy-version']]).toEqual([o.kind, '1.4.0']);
    expect(production.index.package).toEqual({ name: 'shop-deploy', version: '1.4.0' });
    // No label, annotation, index, README or generated config names the library (nginx.conf names only NginxConfig).
    const mentions = folders.flatMap((f) => f.files.flatMap((file) => file.content.split('\n').filter((l) => /picvario|k8s-topology/i.test(l)).map((l) => `${f.name}/${file.name}: ${l.trim()}`)));
    expect(mentions).toEqual([]);
  });

  test('THEN it is shaped unlike Picvario: Redis queues, plain migrate, an edge in front of the backend and a websocket service', () => {
    expect(production.objects.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['backend', 'beat', 'edge', 'flower', 'worker-default', 'worker-reports', 'ws']);
    expect(find('ScaledObject', 'worker-reports').spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 3, triggers: [{ type: 'redis', metadata: { listName: 'reports' } }] });
    expect(find('Job', 'migrate').spec.template.spec.containers[0].command).toEqual(['python', 'manage.py', 'migrate', '--noinput']);
    expect(find('ConfigMap', 'edge-nginx').data['nginx.conf']).not.toContain('edge_frontend');
    expect(find('HorizontalPodAutoscaler', 'backend').spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
  });

  test('THEN clearsessions runs nightly in Dublin time as a CronJob, reaching what the backend reaches and reached by nothing', () => {
    const cronJob = find('CronJob', 'clearsessions');
    expect([cronJob.spec.schedule, cronJob.spec.timeZone, cronJob.spec.concurrencyPolicy]).toEqual(['15 3 * * *', 'Europe/Dublin', 'Forbid']);
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['python', 'manage.py', 'clearsessions']);
    const policy = find('NetworkPolicy', 'allow-clearsessions').spec;
    expect(policy.egress).toEqual(find('NetworkPolicy', 'allow-backend').spec.egress);
    expect(policy.ingress).toBeUndefined();
    expect(production.files.find((f) => f.name === 'clearsessions.yaml')).toBeDefined();
    expect(traffic.components.map((c: any) => c.name)).toContain('clearsessions');
  });

  test('THEN /ws/ reaches the uvicorn service through the edge, with websocket upgrades, and nothing else reaches it', () => {
    expect(find('Deployment', 'ws').spec.template.spec.containers[0].command.slice(0, 2)).toEqual(['uvicorn', 'shop.asgi:application']);
    const conf: string = find('ConfigMap', 'edge-nginx').data['nginx.conf'];
    const ws = conf.slice(conf.indexOf('location ^~ /ws/ {'));
    expect(ws.slice(0, ws.indexOf('}'))).toMatch(/proxy_set_header Upgrade \$http_upgrade;[\s\S]*proxy_read_timeout 3600s;[\s\S]*proxy_pass http:\/\/edge_service_ws;/);
    expect(find('Ingress', 'edge').metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
    const policy = find('NetworkPolicy', 'allow-ws').spec;
    expect(policy.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop-production', 'app.kubernetes.io/component': 'edge' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
    expect(policy.egress).toEqual(find('NetworkPolicy', 'allow-backend').spec.egress);
    expect(production.files.find((f) => f.name === 'ws.yaml')).toBeDefined();
    expect(traffic.allowed).toContainEqual({ from: { component: 'edge' }, to: { component: 'ws' }, port: 8000, protocol: 'TCP' });
  });

  test('THEN Flower is served on /flower/ through the edge, asks for basic auth from its Secret, and reaches only Redis', () => {
    const container = find('Deployment', 'flower').spec.template.spec.containers[0];
    expect(container.command).toEqual(['celery', '-A', 'shop.celery', 'flower', '--port=5555', '--url_prefix=flower']);
    expect(container.env).toContainEqual({ name: 'FLOWER_BASIC_AUTH', valueFrom: { secretKeyRef: { name: 'shop-flower', key: 'basic-auth' } } });
    expect(container.readinessProbe.httpGet.path).toBe('/flower/healthcheck');
    const conf: string = find('ConfigMap', 'edge-nginx').data['nginx.conf'];
    expect(conf).toContain('location ^~ /flower/ {');
    const flows = traffic.allowed.filter((f: any) => f.from.component === 'flower' || f.to.component === 'flower');
    expect(flows).toEqual([
      { from: { component: 'edge' }, to: { component: 'flower' }, port: 5555, protocol: 'TCP' },
      { from: { component: 'flower' }, to: { external: 'redis' }, port: 6379, protocol: 'TCP' },
    ]);
  });
});

describe('GIVEN the shop example, whose releases are pinned in examples/shop/releases.json', () => {
  /** A copy of the shop's releases.json in a fresh folder. */
  function copyOfPins(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-pins-'));
    fs.copyFileSync(path.resolve(__dirname, '../../examples/shop/releases.json'), path.join(dir, 'releases.json'));
    return dir;
  }
  const releaseOf = (folders: ReturnType<typeof renderShop>) => Object.fromEntries(folders.map((f) => [f.name, f.index.appVersions]));

  test('THEN each environment renders the release pinned for it', () => {
    expect(releaseOf(renderShop())).toEqual({ staging: ['1.5.0-rc.1'], production: ['1.4.0'], argocd: ['1.4.0', '1.5.0-rc.1'] });
  });

  test('WHEN CI moves staging with k8s-topology release THEN staging renders the new release and tag, production is unchanged', () => {
    const dir = copyOfPins();
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(cli(dir, 'release', 'staging', '1.5.0', '--tag', `1.5.0@${digest}`)).toMatchObject({ code: 0, out: `releases.json: staging 1.5.0-rc.1 -> 1.5.0 (tag 1.5.0@${digest})` });
    const before = renderShop();
    const after = renderShop(path.join(dir, 'releases.json'));
    expect(releaseOf(after)).toMatchObject({ staging: ['1.5.0'], production: ['1.4.0'] });
    const folder = (folders: typeof after, name: string) => folders.find((f) => f.name === name)!;
    const backend = folder(after, 'staging').objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend');
    expect(backend.spec.template.spec.containers[0].image).toBe(`registry.example.com/shop/api:1.5.0@${digest}`);
    expect(folder(after, 'production').files).toEqual(folder(before, 'production').files);
  });

  test('WHEN the file has no pin for an environment THEN the render fails naming the file and the environment', () => {
    const dir = copyOfPins();
    const file = path.join(dir, 'releases.json');
    fs.writeFileSync(file, JSON.stringify({ production: { version: '1.4.0' } }));
    expect(() => renderShop(file)).toThrow(`${file}: no pin for environment "staging" (pinned: production)`);
  });
});

describe('GIVEN the shop rendered as `k8s-topology preview render --pr 42` runs it', () => {
  const saved = process.env[PREVIEW_PR_VARIABLE];
  process.env[PREVIEW_PR_VARIABLE] = '42';
  let folders: ReturnType<typeof renderShop>;
  try {
    folders = renderShop();
  } finally {
    if (saved === undefined) delete process.env[PREVIEW_PR_VARIABLE];
    else process.env[PREVIEW_PR_VARIABLE] = saved;
  }
  const objects = folders[0].objects;

  test('THEN it renders only the folder pr-42: namespace shop-pr-42, host pr-42.preview.shop.example.com, staging\'s release', () => {
    expect(folders.map((f) => f.name)).toEqual(['pr-42']);
    expect([...new Set(objects.filter((o) => o.metadata.namespace).map((o) => o.metadata.namespace))]).toEqual(['shop-pr-42']);
    const ingress = objects.find((o) => o.kind === 'Ingress');
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['pr-42.preview.shop.example.com']);
    const staging = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../examples/shop/releases.json'), 'utf8')).staging.version;
    const versions = new Set(objects.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.labels['app.kubernetes.io/version']));
    expect([...versions]).toEqual([staging]);
  });

  test('THEN it renders no Namespace and no cluster-scoped object: Argo CD creates the namespace, the workers use staging\'s PriorityClasses', () => {
    expect(objects.filter((o) => !o.metadata.namespace).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const worker = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker-default');
    expect(worker.spec.template.spec.priorityClassName).toBe('shop-staging-worker-normal');
  });
});

describe('GIVEN the suite environment of the shop, rendered by the same code for a small test cluster', () => {
  const [e2e] = synthAndRead(shopSuiteApp(tempOutdir('shop-e2e'), '1.5.0-rc.1'));
  const of = (kind: string) => e2e.objects.filter((o) => o.kind === kind);
  const find = (kind: string, name: string) => of(kind).find((o) => o.metadata.name === name);
  const env = (name: string) => find('Deployment', 'backend').spec.template.spec.containers[0].env.find((e: any) => e.name === name)?.value;

  test('THEN it is one folder, e2e, at the given version, with the same components as production', () => {
    expect(e2e.name).toBe('e2e');
    expect(e2e.index.appVersions).toEqual(['1.5.0-rc.1']);
    expect(of('Deployment').map((d) => d.metadata.name).sort()).toEqual(['backend', 'beat', 'edge', 'flower', 'worker-default', 'worker-reports', 'ws']);
    expect(find('Job', 'migrate').metadata.namespace).toBe('shop-e2e');
  });

  test('THEN every external service is a test host in 203.0.113.0/24, and S3 is the S3-compatible endpoint on its own port', () => {
    const egress = of('NetworkPolicy').flatMap((p) => p.spec.egress ?? []);
    const blocks = [...new Set(egress.flatMap((rule: any) => (rule.to ?? []).flatMap((t: any) => (t.ipBlock ? [`${t.ipBlock.cidr}:${rule.ports.map((x: any) => x.port).join(',')}`] : []))))].sort();
    expect(blocks).toEqual(['203.0.113.10/32:5432', '203.0.113.11/32:6379', '203.0.113.12/32:7070']);
    expect([env('AWS_S3_ENDPOINT_URL'), env('STATIC_URL')]).toEqual([SUITE_ENVIRONMENT.s3.endpoint, 'http://203.0.113.12:7070/shop-e2e-static/']);
  });

  test('THEN its sizes fit two nodes on a 2-core machine: two replicas of each web component, requests of at most 50m CPU', () => {
    expect(of('HorizontalPodAutoscaler').map((h) => [h.metadata.name, h.spec.minReplicas, h.spec.maxReplicas]).sort())
      .toEqual([['backend', 2, 2], ['edge', 2, 2], ['ws', 2, 2]]);
    const requests = [...of('Deployment'), ...of('Job')].flatMap((o) => o.spec.template.spec.containers.map((c: any) => c.resources.requests.cpu));
    expect(requests.every((cpu: string) => ['20m', '50m'].includes(cpu))).toBe(true);
  });

  test('THEN a drain of one of its two nodes can go through: budgets keep one web replica, and a cordoned node leaves the spread', () => {
    const budgets = Object.fromEntries(of('PodDisruptionBudget').map((b) => [b.metadata.name, b.spec.minAvailable]));
    expect([budgets.backend, budgets.edge, budgets.ws]).toEqual([1, 1, 1]);
    // One node per zone: with the cordoned node still counted, the strict node spread would keep an
    // evicted replica Pending (skew 2 against an empty node), and the next eviction would wait on the budget.
    const spread = find('Deployment', 'edge').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.nodeTaintsPolicy])).toEqual([
      ['kubernetes.io/hostname', 'DoNotSchedule', 'Honor'],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 'Honor'],
    ]);
  });

  test('THEN its workers\' time limits are short, so that a killed worker\'s task is back within a minute, where production\'s waits two hours', () => {
    const limits = (objects: any[]) => objects.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('worker-')).map((d) => {
      const c = d.spec.template.spec.containers[0];
      return [d.metadata.name, c.command.find((a: string) => a.startsWith('--time-limit=')),
        c.env.find((e: any) => e.name === 'CELERY_BROKER_VISIBILITY_TIMEOUT').value];
    }).sort();
    expect(limits(e2e.objects)).toEqual([['worker-default', '--time-limit=20', '40'], ['worker-reports', '--time-limit=20', '40']]);
    const production = renderShop().find((f) => f.name === 'production')!;
    expect(limits(production.objects)).toEqual([['worker-default', '--time-limit=300', '7200'], ['worker-reports', '--time-limit=3600', '7200']]);
  });

  test('THEN staging and production keep their data-centre networks and AWS S3', () => {
    const production = renderShop().find((f) => f.name === 'production')!;
    const backend = production.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend');
    expect(backend.spec.template.spec.containers[0].env.map((e: any) => e.name)).not.toContain('AWS_S3_ENDPOINT_URL');
    const policy = production.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-backend');
    expect(JSON.stringify(policy.spec.egress)).toContain('"cidr":"10.60.1.0/24"');
  });
});

describe('GIVEN the preview of a pull request derived from the suite environment, for the shop suite', () => {
  const [e2e] = synthAndRead(shopSuiteApp(tempOutdir('shop-e2e'), '1.5.0-rc.1'));
  const folders = synthAndRead(shopSuitePreviewApp(tempOutdir('shop-e2e-preview'), '1.5.0-rc.1', 24));
  const objects = folders[0].objects;
  const names = (list: any[]) => list.map((o) => `${o.kind}/${o.metadata.name}`).sort();

  test('THEN it is the folder pr-24 alone: namespace shop-pr-24, instance shop-e2e-pr-24, host pr-24.preview.shop.example.com', () => {
    expect(folders.map((f) => f.name)).toEqual(['pr-24']);
    expect([...new Set(objects.map((o) => o.metadata.namespace))]).toEqual(['shop-pr-24']);
    expect([...new Set(objects.map((o) => o.metadata.labels['app.kubernetes.io/instance']))]).toEqual(['shop-e2e-pr-24']);
    expect(objects.find((o) => o.kind === 'Ingress').spec.rules.map((r: any) => r.host)).toEqual(['pr-24.preview.shop.example.com']);
  });

  test('THEN it holds the suite environment\'s namespaced objects, on its test hosts, and its workers name the suite environment\'s PriorityClasses', () => {
    const namespaced = e2e.objects.filter((o) => o.metadata.namespace);
    expect(names(objects)).toEqual(names(namespaced));
    const egress = objects.filter((o) => o.kind === 'NetworkPolicy').flatMap((p) => p.spec.egress ?? [])
      .flatMap((rule: any) => (rule.to ?? []).flatMap((t: any) => (t.ipBlock ? [t.ipBlock.cidr] : [])));
    expect([...new Set(egress)].sort()).toEqual(['203.0.113.10/32', '203.0.113.11/32', '203.0.113.12/32']);
    const classes = e2e.objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name);
    const named = objects.filter((o) => o.kind === 'Deployment' && o.spec.template.spec.priorityClassName).map((d) => d.spec.template.spec.priorityClassName);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n: string) => !classes.includes(n))).toEqual([]);
  });
});
