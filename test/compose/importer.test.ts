import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { APP_FIXTURES, cli, composeFile, FIXTURES, importFixture, LIBRARY, readInput, REPO, secretValues, TEST_LIBRARY } from './helpers';
import { ComponentGroup } from '../../src/app/app-parts';
import { libraryPackage } from '../../src/cli/library-package';
import { ImportError } from '../../src/compose/compose';
import { importCompose, libraryRange } from '../../src/compose/importer';
import { KeyStatus, MigrationReport, ServiceOutcome } from '../../src/compose/report';
import { BrokerKind } from '../../src/workloads/celery-broker';
import { CeleryExecutionPool } from '../../src/workloads/celery-execution-pool';
import { QueuePriority } from '../../src/workloads/celery-worker-pool';
import { AppServer } from '../../src/workloads/django-backend';
import { MigrationStyle } from '../../src/workloads/django-job';
import { tempDir } from '../delivery/helpers';

const results = Object.fromEntries(APP_FIXTURES.map((f) => [f, importFixture(f)]));
const service = (report: MigrationReport, name: string): ServiceOutcome => report.services.find((s) => s.name === name)!;
const key = (report: MigrationReport, name: string, k: string) => service(report, name).keys.find((x) => x.key === k);
const props = (fixture: string): any => results[fixture].app.props;

/** The keys the report must account for, read from the input by the test itself. */
function expectedKeys(svc: Record<string, any>): string[] {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(svc)) {
    if (k === 'environment' && Array.isArray(v)) keys.push(...v.map((e: string) => `environment.${e.split('=')[0]}`));
    else if (k === 'environment' && v && typeof v === 'object') keys.push(...Object.keys(v).map((n) => `environment.${n}`));
    else if (k === 'depends_on') keys.push(...(Array.isArray(v) ? v : Object.keys(v)).map((d: string) => `depends_on.${d}`));
    else if ((k === 'deploy' || k === 'healthcheck') && v && typeof v === 'object') keys.push(...Object.keys(v).map((n) => `${k}.${n}`));
    else if (k === 'volumes' && Array.isArray(v)) keys.push(...v.map((_: unknown, i: number) => `volumes[${i}]`));
    else keys.push(k);
  }
  return keys;
}

/** Variables of the env files a service reads, by the test's own reading of the files. */
function envFileVariables(fixture: string, svc: Record<string, any>): string[] {
  const files = svc.env_file === undefined ? [] : (Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file]).map((e: any) => (typeof e === 'string' ? e : e.path));
  return files.flatMap((f: string) => {
    const file = path.join(FIXTURES, fixture, f);
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').map((l) => /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(l.trim())?.[1]).filter((n): n is string => !!n);
  });
}

describe.each(APP_FIXTURES)('GIVEN the %s compose file WHEN imported', (fixture) => {
  const { files, report } = results[fixture];

  test('THEN it writes the app, its project files and the report', () => {
    expect(Object.keys(files)).toEqual(['main.ts', 'package.json', 'cdk8s.yaml', 'tsconfig.json', '.gitignore', 'MIGRATION.md', 'migration.json']);
    expect(JSON.parse(files['package.json']).dependencies[LIBRARY]).toBe('*');
    expect(files['cdk8s.yaml']).toBe('language: typescript\napp: npx k8s-topology run main.ts\noutput: dist/manifests\n');
    expect(JSON.parse(files['migration.json'])).toEqual(JSON.parse(JSON.stringify(report)));
  });

  test('THEN two imports are byte-identical, from any working directory, and no output names a local path', () => {
    const before = process.cwd();
    let again;
    try {
      process.chdir(os.tmpdir());
      again = importCompose({ file: path.relative(os.tmpdir(), composeFile(fixture)), environment: {}, library: TEST_LIBRARY });
    } finally {
      process.chdir(before);
    }
    expect(again.files).toEqual(files);
    for (const [name, content] of Object.entries(files)) {
      for (const local of [REPO, FIXTURES, process.cwd(), `${os.homedir()}/`]) expect([name, content.includes(local)]).toEqual([name, false]);
      expect([name, /\b20\d\d-\d\d-\d\dT\d\d:\d\d/.test(content)]).toEqual([name, false]);
    }
  });

  test('THEN no secret value of the compose file or its env files appears in any output file', () => {
    const secrets = secretValues(fixture);
    expect(secrets.length).toBeGreaterThan(0);
    for (const [name, content] of Object.entries(files)) {
      for (const s of secrets) expect([name, s, content.includes(s)]).toEqual([name, s, false]);
    }
  });

  test('THEN the report accounts for every key of every service and every top-level key of the input', () => {
    const input = readInput(composeFile(fixture));
    expect(report.services.map((s) => s.name)).toEqual(Object.keys(input.services));
    for (const [name, svc] of Object.entries<Record<string, any>>(input.services)) {
      const reported = service(report, name).keys.map((k) => k.key);
      const active = service(report, name).role !== 'inactive';
      const expected = [...expectedKeys(svc), ...(active ? envFileVariables(fixture, svc).filter((v) => !expectedKeys(svc).includes(`environment.${v}`)).map((v) => `env_file.${v}`) : [])];
      for (const k of expected) expect([name, k, reported.includes(k)]).toEqual([name, k, true]);
    }
    const top = report.topLevel.map((k) => k.key);
    for (const [k, v] of Object.entries<any>(input)) {
      if (k === 'services') continue;
      const expected = ['volumes', 'networks', 'secrets', 'configs'].includes(k) ? Object.keys(v ?? {}).map((n) => `${k}.${n}`) : [k];
      for (const e of expected) expect([e, top.includes(e)]).toEqual([e, true]);
    }
  });

  test('THEN every outcome is converted, approximated or dropped with a reason, and the summary adds up', () => {
    const all = [...report.services.flatMap((s) => s.keys), ...report.topLevel];
    for (const k of all) {
      expect(Object.values(KeyStatus)).toContain(k.status);
      expect(k.detail.length).toBeGreaterThan(5);
    }
    expect(report.summary.keys).toEqual({
      converted: all.filter((k) => k.status === KeyStatus.CONVERTED).length,
      approximated: all.filter((k) => k.status === KeyStatus.APPROXIMATED).length,
      dropped: all.filter((k) => k.status === KeyStatus.DROPPED).length,
    });
    expect(report.summary.services).toBe(report.services.length);
  });

  test('THEN the app has no in-cluster database: every stateful service is an external service or reported', () => {
    const stateful = report.services.filter((s) => ['postgres', 'mysql', 'redis', 'rabbitmq', 'elasticsearch', 'stateful'].includes(s.role));
    const external = (props(fixture).externalServices as any[]).map((e) => e.name);
    for (const s of stateful) {
      expect([s.name, s.becomes.startsWith('externalServices') || s.status === KeyStatus.DROPPED]).toEqual([s.name, true]);
      if (s.becomes.startsWith('externalServices')) expect(external).toContain(s.name);
    }
    expect(files['main.ts']).not.toMatch(/PersistentVolumeClaim|StatefulSet/);
  });

  test('THEN each to-do is one line: no two differ only in the services they name, and none waits for optional workers', () => {
    const names = report.services.map((s) => s.name).sort((a, b) => b.length - a.length);
    const generic = report.todo.map((t) => names.reduce((text, n) => text.split(n).join('<service>'), `${t.topic}: ${t.text}`));
    expect(generic.filter((t, i) => generic.indexOf(t) !== i)).toEqual([]);
    expect(files['MIGRATION.md']).not.toMatch(/once the chart makes workers optional|the chart always runs one/);
  });

  test('THEN the app reaches its database and fills the statics bucket it serves from', () => {
    const externals = props(fixture).externalServices as any[];
    const database = report.services.find((s) => ['postgres', 'mysql'].includes(s.role) && s.becomes.startsWith('externalServices'));
    const entry = externals.find((e) => e.name === (database ? /^externalServices: ([a-z0-9-]+)/.exec(database.becomes)![1] : 'database'));
    expect(entry).toBeDefined();
    expect(entry.ports.some((p: number) => [5432, 3306].includes(p))).toBe(true);
    expect(entry.reachedBy).toBeUndefined();
    expect(props(fixture).collectStatic).toBeDefined();
  });

  test('THEN MIGRATION.md has the to-do list, the services, the Secrets and every key', () => {
    const md = files['MIGRATION.md'];
    for (const heading of ['## What you must do by hand', '## Services', '## Every key', '### Top-level keys']) expect(md).toContain(heading);
    for (const s of report.services) expect(md).toContain(`### ${s.name}: `);
    for (const s of report.secrets) expect(md).toContain(`| \`${s.secret}\` | \`${s.key}\` |`);
  });
});

describe("GIVEN this library's package.json WHEN k8s-topology import writes an app", () => {
  const own = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const dir = tempDir('library-name');
  fs.copyFileSync(composeFile(APP_FIXTURES[0]), path.join(dir, 'docker-compose.yml'));
  for (const extra of fs.readdirSync(path.dirname(composeFile(APP_FIXTURES[0])))) {
    const from = path.join(path.dirname(composeFile(APP_FIXTURES[0])), extra);
    if (extra !== 'docker-compose.yml') fs.cpSync(from, path.join(dir, extra), { recursive: true });
  }
  const run = cli(dir, 'import', 'docker-compose.yml', '--out', 'deploy');
  const read = (name: string) => fs.readFileSync(path.join(dir, 'deploy', name), 'utf8');

  test("THEN the library's name and version are that file's", () => {
    expect(run.code).toBe(0);
    expect(libraryPackage()).toEqual({ name: own.name, version: own.version });
  });

  test('THEN main.ts imports the library by that name, and package.json depends on it in the range of its version', () => {
    const imports = read('main.ts').split('\n').filter((l) => l.startsWith('import ')).map((l) => /from '([^']+)';$/.exec(l)?.[1]);
    expect(imports).toEqual([own.name]);
    const deps = JSON.parse(read('package.json')).dependencies;
    expect(Object.keys(deps)).toEqual([own.name, 'cdk8s', 'cdk8s-plus-27', 'constructs']);
    expect(deps[own.name]).toBe(own.version === '0.0.0' ? '*' : `^${own.version}`);
  });

  test.each([['0.0.0', '*'], ['1.4.2', '^1.4.2']])('THEN a library at %s is depended on as %s', (version, range) => {
    expect(libraryRange(version)).toBe(range);
  });
});

describe('GIVEN the mediahub file (26 services, Picvario-like) WHEN imported', () => {
  const { report } = results.mediahub;
  const p = props('mediahub');
  const queue = (name: string) => p.workers.queues.find((q: any) => q.name === name);

  test('THEN each service is recognised by its command or image', () => {
    expect(Object.fromEntries(report.services.map((s) => [s.name, s.role]))).toEqual({
      'nginx': 'nginx-edge',
      'frontend': 'nuxt-frontend',
      'backend': 'django-backend',
      'migrate': 'migrate',
      'collectstatic': 'collectstatic',
      'worker-default': 'celery-worker',
      'worker-media': 'celery-worker',
      'worker-storage-scan': 'celery-worker',
      'worker-export': 'celery-worker',
      'worker-face': 'celery-worker',
      'worker-notifications': 'celery-worker',
      'beat': 'celery-beat',
      'flower': 'celery-flower',
      'postgres': 'postgres',
      'rabbitmq': 'rabbitmq',
      'redis': 'redis',
      'elasticsearch': 'elasticsearch',
      'elasticsearch-stats': 'elasticsearch',
      'logstash': 'logstash',
      'grafana': 'grafana',
      'kibana': 'inactive',
      'tika': 'tika',
      'clamav': 'stateless',
      'imgproxy': 'stateless',
      'mailpit': 'inactive',
      'pgadmin': 'inactive',
    });
  });

  test('THEN gunicorn becomes the backend with its workers, timeout, port, replicas, grace period and readiness path', () => {
    expect(p.backend).toMatchObject({
      application: 'mediahub.wsgi:application',
      serverWorkers: 6,
      requestTimeoutSeconds: 120,
      readinessPath: '/health/ready/',
      minReplicas: 3,
      terminationGracePeriodSeconds: 150,
      extraArgs: ['--max-requests=2000'],
      resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' },
    });
    expect(p.backend.server).toBe(AppServer.GUNICORN);
    expect(key(report, 'backend', 'command')?.detail).toContain('backend.extraArgs --max-requests 2000');
  });

  test('THEN every queue of every worker becomes a queue of its Celery name with its concurrency, time limits and canonical resources', () => {
    expect(p.workers.queues.map((q: any) => [q.name, q.concurrency, q.taskTimeLimitSeconds, q.priority])).toEqual([
      ['default', 4, 600, QueuePriority.NORMAL], ['media_import', 2, 3600, QueuePriority.NORMAL], ['media_process', 2, 3600, QueuePriority.NORMAL], ['storage_scan', 2, 7200, QueuePriority.LOW],
      ['export', 2, 1800, QueuePriority.LOW], ['face_recognition', 1, 900, QueuePriority.NORMAL], ['notifications', 8, 60, QueuePriority.HIGH],
    ]);
    expect(service(report, 'worker-media').becomes).toBe('worker-media-import, worker-media-process: a Deployment, KEDA ScaledObject and PodDisruptionBudget per queue');
    expect(key(report, 'worker-media', 'command')?.detail).toContain("not carried: --max-tasks-per-child=50 (only this worker had it, and the pool's extraArgs reach every queue)");
    expect(queue('default')).toMatchObject({ softTimeLimitSeconds: 540, minReplicas: 2, resources: { memoryRequest: '1536Mi', memoryLimit: '1536Mi', cpuRequest: '500m', cpuLimit: '1' } });
    expect(queue('storage_scan').terminationGracePeriodSeconds).toBe(7500);
    expect(key(report, 'worker-media', 'command')?.status).toBe(KeyStatus.APPROXIMATED);
    expect(key(report, 'worker-media', 'command')?.detail).toMatch(/one worker consumed media_import, media_process: now one Deployment per queue/);
  });

  test('THEN the GPU reservation requests nvidia.com/gpu on the gpu node pool', () => {
    expect(queue('face_recognition')).toMatchObject({ nodePool: 'gpu', resources: { cpuLimit: '4', memoryLimit: '8Gi', extendedResources: { 'nvidia.com/gpu': '1' } } });
    expect(key(report, 'worker-face', 'deploy.resources')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('1 GPU: requests and limits nvidia.com/gpu: 1 on the node pool gpu') });
    expect(key(report, 'worker-face', 'environment.NVIDIA_VISIBLE_DEVICES')?.status).toBe(KeyStatus.DROPPED);
    expect(report.todo.some((t) => t.topic === 'Cluster' && t.text.includes('nodes labelled node-pool=gpu'))).toBe(true);
  });

  test('THEN migrate_schemas runs as the django-tenants migration job and collectstatic as its own job, both before the app tier', () => {
    expect(p.migrations.style).toBe(MigrationStyle.DJANGO_TENANTS);
    expect(p.migrations.steps).toBeUndefined();
    expect(p.migrations.backoffLimit).toBe(2);
    expect(p.collectStatic).toBeDefined();
    expect(key(report, 'backend', 'depends_on.migrate')).toMatchObject({ status: KeyStatus.CONVERTED, detail: expect.stringContaining('Argo CD Sync hook Job in wave 0') });
    expect(key(report, 'worker-default', 'depends_on.postgres')?.status).toBe(KeyStatus.DROPPED);
  });

  test('THEN the nginx config becomes the edge routing, and each location is reported as covered or not', () => {
    expect(p.edge).toMatchObject({
      host: 'app.mediahub.example.com',
      // server_name's other entry: the tenants' subdomains.
      additionalHosts: ['*.mediahub.example.com'],
      routing: { backendPathPrefixes: ['/api/', '/admin/', '/ws/'], uploadPathPrefixes: ['/api/upload/'], internalS3Prefix: '/protected/', uploadMaxBodySize: '10g', maxBodySize: '20m', proxyReadTimeoutSeconds: 120 },
    });
    expect(Object.fromEntries(report.edgeRoutes.map((r) => [r.location, r.covered]))).toEqual({
      '/api/': 'converted',
      '/admin/': 'converted',
      '/api/upload/': 'converted',
      '/ws/': 'approximated',
      '/static/': 'approximated',
      '/media/': 'dropped',
      '/protected/': 'approximated',
      '/flower/': 'converted',
      '= /healthz': 'approximated',
      '~* \\.map$': 'dropped',
      '/': 'converted',
    });
  });

  test('THEN Flower, which compose ran from mher/flower, runs from the Django image under the nginx /flower/ prefix, with a to-do to install it there', () => {
    expect(p.flower).toMatchObject({ basicAuth: { secretName: 'mediahub-app', key: 'flower-basic-auth' } });
    expect(p.flower.pathPrefix).toBeUndefined();
    expect(p.externalServices.find((e: any) => e.name === 'rabbitmq').reachedBy).toEqual([ComponentGroup.APP_CODE, ComponentGroup.FLOWER]);
    expect(key(report, 'flower', 'environment.FLOWER_BASIC_AUTH')?.status).toBe(KeyStatus.CONVERTED);
    expect(key(report, 'flower', 'image')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('not mher/flower:2.0') });
    expect(report.todo.filter((t) => t.services.includes('flower')).map((t) => t.text)).toEqual([
      "Compose ran Flower from mher/flower:2.0 (flower); the chart runs it from the Django image with the app's settings: add flower to the app's requirements.",
    ]);
  });

  test('THEN the services the app reaches become external services with placeholder addresses, the others are reported', () => {
    expect(p.externalServices.map((e: any) => [e.name, e.ports, e.cidrs[0]])).toEqual([
      ['postgres', [5432], '192.0.2.1/32'], ['rabbitmq', [5672], '192.0.2.2/32'], ['redis', [6379], '192.0.2.3/32'], ['elasticsearch', [9200], '192.0.2.4/32'],
      ['logstash', [8080], '192.0.2.5/32'], ['tika', [9998], '192.0.2.6/32'], ['clamav', [3310], '192.0.2.7/32'], ['imgproxy', [8080], '192.0.2.8/32'],
      // The hosts of the env file: EMAIL_HOST with EMAIL_PORT, and SENTRY_DSN.
      ['smtp', [587], '192.0.2.9/32'], ['sentry', [443], '192.0.2.10/32'], ['s3', [443], '192.0.2.11/32'],
    ]);
    expect(results.mediahub.app.comments.get('externalServices[8]')!.join(' ')).toContain('SMTP at smtp.eu.mailgun.org (from EMAIL_HOST), outside the cluster. TODO(import): the addresses of smtp.eu.mailgun.org');
    expect(service(report, 'tika')).toMatchObject({ status: KeyStatus.APPROXIMATED, becomes: 'externalServices: tika (ports 9998), run outside the app' });
    expect(service(report, 'elasticsearch-stats').status).toBe(KeyStatus.DROPPED);
    expect(service(report, 'grafana').status).toBe(KeyStatus.DROPPED);
    expect(p.broker.kind).toBe(BrokerKind.RABBITMQ);
  });

  test('THEN secret-looking variables become Secret references with their keys, and interpolated URLs never become values', () => {
    const secretEnv = Object.fromEntries(p.settings.secretEnv.map((s: any) => [s.name, `${s.secretName}/${s.key}`]));
    expect(secretEnv).toEqual({
      SECRET_KEY: 'mediahub-app/secret-key',
      AWS_ACCESS_KEY_ID: 'mediahub-app/aws-access-key-id',
      AWS_SECRET_ACCESS_KEY: 'mediahub-app/aws-secret-access-key',
      CACHE_URL: 'mediahub-app/cache-url',
      CELERY_RESULT_BACKEND: 'mediahub-app/celery-result-backend',
      ELASTICSEARCH_URL: 'mediahub-app/elasticsearch-url',
      EMAIL_HOST_PASSWORD: 'mediahub-app/email-host-password',
      SENTRY_DSN: 'mediahub-app/sentry-dsn',
      CLAMAV_HOST: 'mediahub-app/clamav-host',
      IMGPROXY_URL: 'mediahub-app/imgproxy-url',
      STATS_SHIPPER_URL: 'mediahub-app/stats-shipper-url',
      TIKA_URL: 'mediahub-app/tika-url',
    });
    expect(key(report, 'backend', 'environment.TIKA_URL')?.detail).toContain('the address of tika, which runs outside the app now');
    expect(key(report, 'backend', 'environment.DATABASE_URL')?.detail).toContain('Secret mediahub-app, key database-url');
    expect(report.secrets.map((s) => `${s.secret}/${s.key}`)).toEqual(expect.arrayContaining(['mediahub-broker/broker-url', 'mediahub-app/database-url']));
  });

  test('THEN shared volumes produce no claim: media are moved to S3, database data to the managed service', () => {
    const media = report.volumes.find((v) => v.name === 'media')!;
    expect(media).toMatchObject({ shared: true, status: KeyStatus.DROPPED });
    expect(media.mounts).toHaveLength(8);
    expect(media.recommendation).toMatch(/media go to S3/);
    expect(report.volumes.find((v) => v.name === 'pgdata')?.recommendation).toMatch(/pg_dump and pg_restore/);
    expect(report.volumes.find((v) => v.name === './nginx/nginx.conf')?.recommendation).toMatch(/replaced by the generated nginx.conf/);
  });

  test('THEN the chart props that would express the file exactly are named', () => {
    expect(report.missingChartProps.map((m) => m.prop)).toEqual(['CeleryQueueProps.extraArgs', 'DjangoAppChartProps.extraComponents']);
  });

  test("THEN nginx's WebSocket route to the backend is a backend prefix, approximated for its idle timeout, and no to-do", () => {
    const ws = report.edgeRoutes.find((r) => r.location === '/ws/');
    expect(ws).toMatchObject({ covered: KeyStatus.APPROXIMATED });
    expect(ws!.edge).toMatch(/^backend prefix \/ws\/ \(websocket upgrades pass/);
    expect(report.todo.map((t) => t.text).join('\n')).not.toMatch(/WebSockets on/);
  });

  test("THEN the compose timings become probe timings, the beat scheduler is kept, and one worker's variable is the pool's", () => {
    expect(p.backend.probeTimings).toEqual({ periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, startupFailureThreshold: 18 });
    expect(p.frontend.probeTimings).toEqual({ periodSeconds: 15 });
    expect(p.beat.scheduler).toBe('django_celery_beat.schedulers:DatabaseScheduler');
    expect(p.workers.extraEnv).toEqual({ FACE_MODEL: 'buffalo_l' });
    expect(key(report, 'worker-face', 'environment.FACE_MODEL')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('now for every worker queue, not only worker-face') });
  });
});

describe('GIVEN the bakery file (Django, Celery on Redis, PostgreSQL) WHEN imported', () => {
  const { report } = results.bakery;
  const p = props('bakery');

  test('THEN the worker consuming two queues becomes two queues, and the published web port an edge with its host', () => {
    expect(p.workers.queues.map((q: any) => [q.name, q.concurrency])).toEqual([['default', 4], ['orders', 4]]);
    expect(p.edge).toMatchObject({ host: 'shop.bakery.example.com', ingressNamespace: 'ingress-nginx' });
    expect(p.broker).toEqual({ kind: BrokerKind.REDIS, secretName: 'bakery-broker' });
    expect(report.secrets.filter((s) => s.secret === 'bakery-broker').map((s) => s.key)).toEqual(['redis-address']);
  });

  test('THEN the CMD-SHELL healthcheck becomes an HTTP readiness probe on its path, and its timings are reported', () => {
    expect(p.backend.readinessPath).toBe('/health/');
    expect(key(report, 'web', 'healthcheck.test')?.detail).toMatch(/becomes an HTTP GET \/health\/ readiness probe/);
    expect(p.backend.probeTimings).toEqual({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 5, startupFailureThreshold: 16 });
    expect(key(report, 'web', 'healthcheck.interval')).toEqual({
      key: 'healthcheck.interval',
      status: KeyStatus.CONVERTED,
      detail: 'backend.probeTimings periodSeconds 10, timeoutSeconds 3, failureThreshold 5, startupFailureThreshold 16: readiness as in compose; liveness every 20 s with twice the failures; startup: up to 80 s (start_period plus the retries)',
    });
  });

  test('THEN limits only give derived requests, reported as such', () => {
    expect(p.backend.resources).toEqual({ cpuRequest: '500m', cpuLimit: '1', memoryRequest: '768Mi', memoryLimit: '768Mi' });
    expect(key(report, 'web', 'deploy.resources')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('derived: cpuRequest 500m (half the limit)') });
  });

  test('THEN an unset ${POSTGRES_PASSWORD} inside DATABASE_URL needs no value: it is the database-url Secret key', () => {
    expect(key(report, 'web', 'environment.DATABASE_URL')?.status).toBe(KeyStatus.CONVERTED);
    expect(results.bakery.files['main.ts']).not.toContain('postgres://');
  });
});

describe('GIVEN the newsroom file (edge cases of the syntax) WHEN imported', () => {
  const { report } = results.newsroom;
  const p = props('newsroom');

  test('THEN a worker with only a memory reservation gets a limit above it (the starting limit of a worker), never the reservation itself', () => {
    // compose: reservations 256M and no limit, --autoscale=8,2: eight prefork children outgrow 256 MiB.
    expect(p.workers.queues.find((q: any) => q.name === 'celery').resources).toEqual({ cpuRequest: '250m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '1Gi' });
    expect(key(report, 'worker', 'deploy.resources')?.detail).toContain('memoryLimit 1Gi (compose set no limit: the starting limit of a worker, above the reservation)');
    // transcode extends it with limits.memory 6g: compose's limit is kept.
    expect(p.workers.queues.find((q: any) => q.name === 'video').resources).toMatchObject({ memoryRequest: '256Mi', memoryLimit: '6Gi' });
  });

  test('THEN uvicorn behind wait-for-it becomes the ASGI backend on its port, and the wrapper is reported', () => {
    expect(p.backend).toMatchObject({ application: 'newsroom.asgi:application', serverWorkers: 2, port: 8080, readinessPath: '/api/health', minReplicas: 2 });
    expect(p.backend.server).toBe(AppServer.UVICORN);
    expect(key(report, 'api', 'command')?.detail).toContain('wrappers dropped: ./wait-for-it.sh db:5432 -t 60 --');
    expect(key(report, 'api', 'stop_grace_period')?.status).toBe(KeyStatus.APPROXIMATED);
  });

  test('THEN the second web server (daphne) becomes a web service behind the edge, on a placeholder prefix since compose had no nginx', () => {
    expect(p.webServices).toHaveLength(1);
    expect(p.webServices[0]).toMatchObject({ name: 'live', pathPrefixes: ['/ws/'], application: 'newsroom.asgi:application', port: 8001 });
    expect(p.webServices[0].server).toBe(AppServer.DAPHNE);
    expect(p.webServices[0].serverWorkers).toBeUndefined();
    expect(p.webServices[0].extraSecretEnv.map((s: any) => s.name)).toEqual(p.backend.extraSecretEnv.map((s: any) => s.name));
    expect(service(report, 'live')).toMatchObject({ role: 'django-backend (web service)', status: KeyStatus.APPROXIMATED });
    expect(service(report, 'live').becomes).toMatch(/^webServices\[0\] live: Deployment, Service live:8001/);
    expect(key(report, 'live', 'command')).toMatchObject({ status: KeyStatus.CONVERTED, detail: 'daphne newsroom.asgi:application on port 8001' });
    expect(results.newsroom.files['main.ts']).toContain('// TODO(import): the paths its clients use (/ws/ is a placeholder)');
    const todos = report.todo.filter((t) => t.services.includes('live'));
    expect(todos.filter((t) => t.topic === 'Edge').map((t) => t.text)).toEqual([
      'Set webServices[0].pathPrefixes (live) in main.ts to the paths the clients of live use (/ws/ is a placeholder; compose had no nginx): the edge routes nothing else to it.',
    ]);
    expect(todos.some((t) => /second web server/.test(t.text))).toBe(false);
    expect(report.missingChartProps.map((m) => m.prop)).not.toContain('DjangoAppChartProps (a second web component)');
  });

  test('THEN unknown keys and extension fields of a service are reported as dropped with the key', () => {
    expect(key(report, 'api', 'frobnicate')).toEqual({ key: 'frobnicate', status: KeyStatus.DROPPED, detail: 'frobnicate is not a compose key the importer knows' });
    expect(key(report, 'api', 'x-owner')?.status).toBe(KeyStatus.DROPPED);
    expect(key(report, 'api', 'security_opt')?.detail).toBe('not allowed under Pod Security restricted');
  });

  test('THEN the profiled worker is imported, the debug tools are not, and the GPU runtime is a node pool', () => {
    expect(p.workers.queues.map((q: any) => q.name)).toEqual(['celery', 'breaking_news', 'monthly_reports', 'video']);
    expect(p.workers.queues[3]).toMatchObject({ nodePool: 'gpu', resources: { memoryLimit: '6Gi', extendedResources: { 'nvidia.com/gpu': '1' } } });
    expect(service(report, 'mailhog')).toMatchObject({ role: 'inactive', status: KeyStatus.DROPPED });
    expect(key(report, 'reports-worker', 'command')?.detail).toBe('Celery worker of monthly_reports on the threads pool with concurrency 1, time limit 14400 s');
    expect(p.workers.queues[2]).toMatchObject({ pool: CeleryExecutionPool.THREADS, concurrency: 1 });
    expect(p.workers.nodeSelector).toEqual({ tier: 'workers' });
  });

  test('THEN the setup script is split into migration steps and a collectstatic job', () => {
    expect(p.migrations.steps.map((s: any) => s.name)).toEqual(['migrate', 'createcachetable']);
    expect(p.collectStatic).toBeDefined();
  });

  test('THEN the frontend keeps its variable for the in-cluster API URL, and a root user is refused', () => {
    expect(p.frontend).toMatchObject({ image: 'ghcr.io/newsroom/web', internalApiUrlVariable: 'API_INTERNAL_URL', healthPath: '/' });
    expect(p.frontend.tag).toBeUndefined();
    expect(key(report, 'scheduler', 'user')?.status).toBe(KeyStatus.DROPPED);
    expect(p.broker).toMatchObject({ redisPasswordKey: 'redis-password', redisDatabaseIndex: 1 });
    expect(p.frontend.extraEnv).toBeUndefined();
    expect(key(report, 'web', 'environment.NITRO_PORT')?.detail).toBe("the frontend's port (3000); the chart sets PORT");
    expect(p.frontend.extraSecretEnv).toEqual([{ name: 'NUXT_SESSION_PASSWORD', secretName: 'newsroom-frontend', key: 'nuxt-session-password' }]);
  });

  test('THEN the file secret is mounted from a Secret and the config from a ConfigMap, where compose mounted them', () => {
    expect(p.backend.extraVolumes).toEqual([{ name: 'secret-payments-key', mountPath: '/run/secrets/payments.pem', secretName: 'newsroom-payments-key', subPath: 'payments-key' }]);
    expect(p.frontend.extraVolumes).toEqual([{ name: 'config-robots', mountPath: '/srv/web/public/robots.txt', configMapName: 'newsroom-robots', subPath: 'robots' }]);
    expect(report.topLevel.find((k) => k.key === 'secrets.db_password')?.status).toBe(KeyStatus.DROPPED);
  });

  test('THEN interpolations and shell pass-throughs become Secret references, $$ stays a literal $, and what the workers lacked is per workload', () => {
    expect(p.settings.secretEnv).toEqual([{ name: 'SENTRY_DSN', secretName: 'newsroom-app', key: 'sentry-dsn' }]);
    expect(p.backend.extraSecretEnv.map((s: any) => s.name)).toEqual(['CDN_HOST', 'REDIS_URL', 'SEARCH_API_TOKEN', 'SEARCH_URL']);
    expect(p.beat.extraSecretEnv.map((s: any) => s.name)).toEqual(['CDN_HOST', 'REDIS_URL', 'SEARCH_API_TOKEN', 'SEARCH_URL']);
    expect(p.backend.extraEnv.PRICE_TEMPLATE).toBe('$PRICE EUR');
    expect(key(report, 'api', 'environment.REDIS_URL')).toEqual({
      key: 'environment.REDIS_URL',
      status: KeyStatus.CONVERTED,
      detail: 'backend.extraSecretEnv: Secret newsroom-app, key redis-url (a URL with credentials); the value is not written anywhere',
    });
  });
});

describe('GIVEN the devstack file (a development compose file) WHEN imported', () => {
  const { report } = results.devstack;
  const p = props('devstack');

  test('THEN runserver becomes gunicorn, the build-only image a placeholder, the embedded beat its own beat', () => {
    expect(p.backend).toMatchObject({ application: 'shopdev.wsgi:application' });
    expect(key(report, 'django', 'command')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('the development server becomes gunicorn') });
    expect(p.image).toBe('registry.example.com/devstack/django');
    expect(key(report, 'celery', 'command')?.detail).toMatch(/-B \(embedded beat\) is not carried/);
  });

  test('THEN the gevent worker keeps its pool and its 100 greenlets, which prefork\'s range would have cut to 2', () => {
    expect(p.workers.queues[0]).toMatchObject({ pool: CeleryExecutionPool.GEVENT, concurrency: 100 });
    expect(JSON.stringify(p.workers.extraArgs ?? [])).not.toMatch(/pool/);
    expect(results.devstack.files['main.ts']).toContain('pool: CeleryExecutionPool.GEVENT,');
  });

  test('THEN the database is MySQL: the Secret key says so, and no to-do, since the kit\'s configure() reads mysql:// URLs', () => {
    const { secrets } = results.devstack.report;
    expect(secrets.find((x) => x.key === 'database-url')?.content).toBe('the URL of the managed MySQL database, with its user and password');
    expect(report.todo.filter((t) => /\bmysql\b|MySQL/.test(t.text) && t.topic === 'Django settings')).toEqual([]);
    expect(results.recipes.report.secrets.find((x) => x.key === 'database-url')?.content).toBe('the URL of the managed PostgreSQL database, with its user and password');
  });

  test('THEN DEBUG=1 does not reach production, and to-dos say to keep DEBUG off and to allow the public host', () => {
    expect(p.settings.env).toEqual({ EMAIL_HOST: 'mailhog', EMAIL_PORT: '1025' });
    expect(key(report, 'django', 'environment.DEBUG')).toMatchObject({ status: KeyStatus.DROPPED, detail: expect.stringMatching(/^not carried: DEBUG=1 is a development setting/) });
    expect(report.todo.filter((t) => t.topic === 'Django settings').map((t) => [t.text, t.services])).toEqual([
      ['Compose set DEBUG=1, which is not carried: check that the settings leave DEBUG off when DEBUG is unset.', ['celery', 'django']],
      ["No compose variable sets ALLOWED_HOSTS, and Django answers 400 to a Host it does not allow: the chart gives the edge's hosts as DJANGO_PUBLIC_HOSTS, which the kit's configure() adds to ALLOWED_HOSTS; without the kit, read that variable into ALLOWED_HOSTS.", ['django']],
    ]);
    // The fixtures that set ALLOWED_HOSTS (or cookiecutter's DJANGO_ALLOWED_HOSTS) get no such to-do.
    for (const other of ['bakery', 'recipes'] as const) expect(results[other].report.todo.filter((t) => /ALLOWED_HOSTS|DEBUG/.test(t.text))).toEqual([]);
  });

  test('THEN the source mount and the dev tools are dropped with a reason, and a mailhog address is flagged', () => {
    expect(key(report, 'django', 'volumes[0]')?.detail).toMatch(/a development mount of the source/);
    expect(key(report, 'celery', 'deploy.mode')).toEqual({
      key: 'deploy.mode',
      status: KeyStatus.APPROXIMATED,
      detail: "one replica per node (global) is not carried: the replicas follow its queue's length (KEDA), spread across nodes and zones",
    });
    expect(service(report, 'mailhog')).toMatchObject({ role: 'mail-catcher', status: KeyStatus.DROPPED });
    expect(key(report, 'django', 'environment.EMAIL_HOST')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('it names mailhog') });
  });
});

describe('GIVEN the recipes file (a cookiecutter-django-style project: start scripts in the image, images built FROM the product) WHEN imported', () => {
  const { report, files } = results.recipes;
  const p = props('recipes');

  test('THEN each service is recognised by what its image runs: the copied start scripts, and the Dockerfile FROM', () => {
    expect(Object.fromEntries(report.services.map((s) => [s.name, s.role]))).toEqual({
      django: 'django-backend',
      postgres: 'postgres',
      traefik: 'reverse-proxy',
      redis: 'redis',
      celeryworker: 'celery-worker',
      celerybeat: 'celery-beat',
      flower: 'celery-flower',
      nginx: 'nginx-edge',
    });
    expect(service(report, 'celeryworker').recognisedBy).toBe("command runs a Celery worker (celery -A config.celery_app worker …), through the image's /start-celeryworker (compose/production/django/celery/worker/start)");
    expect(service(report, 'flower').recognisedBy).toContain("through the image's /start-flower (compose/production/django/celery/flower/start)");
    expect(service(report, 'postgres').recognisedBy).toBe('compose/production/postgres/Dockerfile builds FROM docker.io/postgres:16');
    expect(service(report, 'traefik').recognisedBy).toBe('compose/production/traefik/Dockerfile builds FROM docker.io/traefik:3.1.2');
    expect(service(report, 'nginx').recognisedBy).toBe('compose/production/nginx/Dockerfile builds FROM docker.io/nginx:1.27.1-alpine');
  });

  test('THEN /start becomes the backend and the collectstatic Job, and the Celery scripts the worker and beat of the Celery app', () => {
    expect(p.backend).toMatchObject({ application: 'config.wsgi:application', port: 5000 });
    expect(p.backend.server).toBe(AppServer.GUNICORN);
    expect(p.collectStatic).toBeDefined();
    expect(p.celeryApp).toBe('config.celery_app');
    expect(p.workers.queues.map((q: any) => q.name)).toEqual(['celery']);
    expect(p.beat).toBeDefined();
    expect(p.broker.kind).toBe(BrokerKind.REDIS);
  });

  test('THEN Flower becomes the chart\'s Flower from the Django image, behind basic auth from a Secret key the team fills, reaching only the broker', () => {
    expect(p.flower).toEqual({
      basicAuth: { secretName: 'recipes-app', key: 'flower-basic-auth' },
      resources: { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
    });
    expect(p.externalServices.filter((e: any) => e.reachedBy?.includes(ComponentGroup.FLOWER)).map((e: any) => e.name)).toEqual(['redis']);
    expect(service(report, 'flower')).toMatchObject({ status: KeyStatus.APPROXIMATED, becomes: expect.stringMatching(/^flower: the chart's Flower under \/flower\//) });
    expect(key(report, 'flower', 'image')).toMatchObject({ status: KeyStatus.CONVERTED, detail: expect.stringContaining('the Django image registry.example.com/recipes/django') });
    expect(key(report, 'flower', 'env_file.CELERY_FLOWER_PASSWORD')).toMatchObject({ status: KeyStatus.APPROXIMATED, detail: expect.stringContaining('key flower-basic-auth holds user:password') });
    expect(report.secrets.find((x) => x.key === 'flower-basic-auth')).toMatchObject({ secret: 'recipes-app', variables: ['FLOWER_BASIC_AUTH'], services: ['flower'] });
    // The start script's credentials were a pair of variables: Flower's own key has them, so no to-do asks for authentication.
    expect(report.todo.filter((t) => t.services.includes('flower') && t.text.includes('Flower'))).toEqual([]);
  });

  test('THEN the migrations, which compose left to a person, run as the migrate Job, with a to-do saying so', () => {
    expect(p.migrations).toEqual({ resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' } });
    expect(report.todo.filter((t) => t.text.startsWith('No compose service runs manage.py migrate')).map((t) => t.topic)).toEqual(['Data']);
    expect(files['main.ts']).toMatch(/no compose service runs manage\.py migrate, so the migrations were run by hand/);
  });

  test('THEN the database built FROM postgres:16 is a managed PostgreSQL 16 the app reaches on 5432', () => {
    expect(p.externalServices.map((e: any) => [e.name, e.ports])).toEqual([['postgres', [5432]], ['redis', [6379]], ['sentry', [443]], ['s3', [443]]]);
    expect(report.todo.find((t) => t.services.includes('postgres') && t.topic === 'Managed services')?.text).toContain('Provide PostgreSQL for postgres outside the cluster (a managed service, version 16)');
    expect(key(report, 'postgres', 'build')?.detail).toContain('compose/production/postgres/Dockerfile builds FROM docker.io/postgres:16');
  });

  test('THEN the local image names run one placeholder Django image, and the nginx image\'s copied configuration is read', () => {
    expect(p.image).toBe('registry.example.com/recipes/django');
    expect(key(report, 'celeryworker', 'image')?.detail).toBe('recipes_production_celeryworker names the same build as django: it runs the Django image registry.example.com/recipes/django:0.1.0');
    expect(report.edgeRoutes.map((r) => [r.location, r.covered])).toEqual([['/media/', 'dropped']]);
    expect(p.settings.mediaBucket).toBe('recipes-media');
    expect(service(report, 'traefik').status).toBe(KeyStatus.DROPPED);
    expect(files['main.ts']).not.toContain('recipes_production_');
  });
});

describe('GIVEN a value the importer needs refers to a variable without a value THEN the import fails naming the service and key', () => {
  const errors = path.join(FIXTURES, 'errors');
  test.each([
    ['unset-tag.yml', 'unset-tag.yml: service "web": image: variable TAG is not set (no default, not in the environment, and no .env or --env-file); the importer needs this value'],
    ['unset-port.yml', 'unset-port.yml: service "web": ports[0]: variable WEB_PORT is not set'],
    ['unset-replicas.yml', 'unset-replicas.yml: service "worker": deploy.replicas: variable WORKER_REPLICAS is not set'],
    ['required-variable.yml', 'required-variable.yml: service "web": image: variable TAG is required: set TAG to the release you deploy'],
    ['no-web-server.yml', 'no-web-server.yml: no Django web server found'],
  ])('%s', (file, message) => {
    const run = () => importCompose({ file: path.join(errors, file), environment: {}, library: TEST_LIBRARY });
    expect(run).toThrow(ImportError);
    expect(run).toThrow(message);
  });

  test('GIVEN the variable in the environment or in --env-file THEN the same file imports', () => {
    const file = path.join(errors, 'unset-tag.yml');
    expect(importCompose({ file, environment: { TAG: '3.2.1' }, library: TEST_LIBRARY }).app.props.version).toBe('3.2.1');
    const envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'env-')), 'prod.env');
    fs.writeFileSync(envFile, 'TAG=4.0.0\n');
    expect(importCompose({ file, environment: {}, envFile, library: TEST_LIBRARY }).app.props.version).toBe('4.0.0');
  });
});
