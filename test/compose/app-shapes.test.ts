import * as fs from 'fs';
import * as path from 'path';
import { TEST_LIBRARY } from './helpers';
import { readBuildContext } from '../../src/compose/build-context';
import { importCompose } from '../../src/compose/importer';
import { BrokerKind } from '../../src/workloads/celery-broker';
import { WORKER_ENV } from '../../src/workloads/celery-worker-pool';
import { AppServer } from '../../src/workloads/django-backend';
import { SETTINGS_ENV } from '../../src/workloads/django-settings';
import { tempDir } from '../delivery/helpers';

// Compose files of other shapes than the fixtures: a plain Django app, Celery without beat, backing services
// outside the compose file, images that start through scripts or collect their statics at build time.

function composeIn(text: string, files: Record<string, string> = {}): string {
  const dir = tempDir('compose-shape');
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), text);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return path.join(dir, 'docker-compose.yml');
}

function imported(text: string, files: Record<string, string> = {}) {
  const result = importCompose({ file: composeIn(text, files), environment: {}, library: TEST_LIBRARY });
  return { ...result, props: result.app.props as any, todo: result.report.todo.map((t) => t.text) };
}

const WEB = '  web:\n    image: registry.example.com/shop/web:1.2.0\n    command: gunicorn shop.wsgi --bind 0.0.0.0:8000\n';

describe('GIVEN a compose file without Celery WHEN imported', () => {
  const { props, todo } = imported(`services:\n${WEB}    environment:\n      DATABASE_URL: postgres://shop:pw@db:5432/shop\n  db:\n    image: postgres:16\n`);

  test('THEN the app has no broker, workers, beat or Celery app', () => {
    expect([props.broker, props.workers, props.beat, props.celeryApp]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('THEN no to-do speaks of Celery', () => {
    expect(todo.filter((t) => /Celery|beat|worker/.test(t))).toEqual([]);
  });
});

describe('GIVEN Celery workers and no beat WHEN imported', () => {
  const { props, report } = imported(`services:\n${WEB}    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n  worker:\n    image: registry.example.com/shop/web:1.2.0\n    command: celery -A shop worker -Q default --time-limit 60\n    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n  redis:\n    image: redis:7\n`);

  test('THEN the app has the broker and the workers, and no beat', () => {
    expect(props.workers.queues.map((q: any) => q.name)).toEqual(['default']);
    expect(props.broker.kind).toBe(BrokerKind.REDIS);
    expect(props.celeryApp).toBe('shop');
    expect(props.beat).toBeUndefined();
    expect(report.todo.filter((t) => /\bbeat\b/i.test(t.text))).toEqual([]);
  });
});

describe('GIVEN Celery beat without a worker, and a broker URL WHEN imported', () => {
  const { props, report } = imported(`services:\n${WEB}    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n  beat:\n    image: registry.example.com/shop/web:1.2.0\n    command: celery -A shop beat\n  redis:\n    image: redis:7\n`);

  test('THEN beat is not run, and both the beat service and the broker variable are to-dos', () => {
    expect([props.broker, props.workers, props.beat, props.celeryApp]).toEqual([undefined, undefined, undefined, undefined]);
    const beat = report.services.find((s) => s.name === 'beat')!;
    expect(beat).toMatchObject({ status: 'dropped', becomes: 'nothing (beat without workers)' });
    expect(report.todo.find((t) => t.services.includes('beat'))?.text).toContain('runs Celery beat but no worker');
    expect(report.todo.some((t) => t.text.startsWith('The compose file sets CELERY_BROKER_URL but runs no Celery worker'))).toBe(true);
  });
});

describe('GIVEN backing services the app addresses outside the compose file WHEN imported', () => {
  const { props, report, app } = imported(`services:\n${WEB}    environment:
      DATABASE_URL: postgres://shop:pw@db.internal.example.com:6432/shop
      ELASTICSEARCH_URL: http://10.0.4.20:9200
      AWS_S3_ENDPOINT_URL: http://10.0.9.9:9000
      STATIC_URL: https://cdn.example.com/static/
  worker:
    image: registry.example.com/shop/web:1.2.0
    command: celery -A shop worker --time-limit 60
    environment:
      CELERY_BROKER_URL: amqps://shop:pw@mq.example.com/shop
`);
  const externals = Object.fromEntries(props.externalServices.map((e: any) => [e.name, [e.cidrs[0], e.ports]]));

  test('THEN each becomes an external service on its port, an IP address as its own CIDR, a host name as a placeholder', () => {
    expect(externals).toEqual({
      broker: ['192.0.2.1/32', [5671]],
      postgres: ['192.0.2.2/32', [6432]],
      search: ['10.0.4.20/32', [9200]],
      s3: ['10.0.9.9/32', [9000]],
    });
    expect(app.comments.get('externalServices[1]')!.join(' ')).toContain('PostgreSQL at db.internal.example.com (from DATABASE_URL), outside the cluster. TODO(import)');
    expect(app.comments.get('externalServices[2]')!.join(' ')).toBe('the search service at 10.0.4.20 (from ELASTICSEARCH_URL), outside the cluster.');
    expect(app.comments.get('externalServices[3]')!.join(' ')).not.toContain('TODO(import)');
  });

  test('THEN the to-do names the host names to resolve, and the generic check of externalServices is gone', () => {
    expect(report.todo.find((t) => t.text.startsWith('Put the IP ranges'))?.text).toContain('broker (mq.example.com), postgres (db.internal.example.com)');
    expect(report.todo.filter((t) => t.topic === 'Network')).toEqual([]);
    expect(JSON.stringify(props.externalServices)).not.toContain('cdn.example.com');
  });
});

describe('GIVEN an app whose database address the compose file does not show WHEN imported', () => {
  const { props, report } = imported(`services:\n${WEB}    environment:\n      SEARCH_URL: "http://:9200"\n`);

  test('THEN a database entry with a placeholder address keeps the path open, and the to-dos say what to fill in', () => {
    expect(props.externalServices.map((e: any) => [e.name, e.ports])).toEqual([['database', [5432]], ['s3', [443]]]);
    expect(report.todo.find((t) => t.text.startsWith('The compose file shows no address for the database'))).toBeDefined();
    expect(report.todo.find((t) => t.topic === 'Network')?.text).toContain('the host of SEARCH_URL unknown');
  });
});

describe('GIVEN services that start through scripts their Dockerfile copies, and images built FROM the product WHEN imported', () => {
  const files = {
    'docker/app/Dockerfile': [
      'ARG PY=3.12', 'FROM python:${PY}-slim AS base', 'WORKDIR /srv', 'COPY docker/app/run-web.sh docker/app/run-worker.sh /usr/local/bin/',
      'COPY docker/app/entrypoint.sh /entrypoint.sh', 'RUN python manage.py collectstatic --noinput', 'ENTRYPOINT ["/entrypoint.sh"]', 'CMD ["run-web.sh"]',
    ].join('\n'),
    'docker/app/run-web.sh': '#!/bin/sh\nset -e\nexec uvicorn shop.asgi:application --host 0.0.0.0 --port 8000\n',
    'docker/app/run-worker.sh': '#!/bin/sh\nif [ "$1" = "beat" ]; then\n  exec celery -A shop beat\nfi\nexec celery -A shop worker \\\n  -Q default \\\n  --time-limit 120\n',
    'docker/app/entrypoint.sh': '#!/bin/sh\nexec "$@"\n',
    'docker/db/Dockerfile': 'FROM postgis/postgis:16-3.4\nCOPY docker/db/init.sql /docker-entrypoint-initdb.d/\n',
    'docker/db/init.sql': 'CREATE EXTENSION postgis;\n',
    'docker/proxy/Dockerfile': 'FROM traefik:v3.1\n',
  };
  const build = (d: string) => `    build:\n      context: .\n      dockerfile: docker/${d}/Dockerfile\n`;
  const { report, props } = imported(`services:
  web:
${build('app')}    environment:
      DATABASE_URL: postgres://shop:pw@db:5432/shop
      CELERY_BROKER_URL: redis://redis:6379/0
  worker:
${build('app')}    command: /usr/local/bin/run-worker.sh
  db:
${build('db')}  proxy:
${build('proxy')}    ports: ["80:80"]
  redis:
    image: redis:7
`, files);
  const role = (name: string) => report.services.find((s) => s.name === name)!;

  test('THEN the web server is read from the image CMD and its script, the worker from its script, the database and proxy from FROM', () => {
    expect(Object.fromEntries(report.services.map((s) => [s.name, s.role]))).toEqual({ web: 'django-backend', worker: 'celery-worker', db: 'postgres', proxy: 'reverse-proxy', redis: 'redis' });
    expect(role('web').recognisedBy).toBe("command runs uvicorn (uvicorn shop.asgi:application --host 0.0.0.0 …), through the image's /usr/local/bin/run-web.sh (docker/app/run-web.sh) (the docker/app/Dockerfile ENTRYPOINT/CMD)");
    expect(role('db').recognisedBy).toBe('docker/db/Dockerfile builds FROM postgis/postgis:16-3.4');
    expect(props.backend.server).toBe(AppServer.UVICORN);
    expect(props.workers.queues).toEqual([expect.objectContaining({ name: 'default', taskTimeLimitSeconds: 120 })]);
  });

  test('THEN statics collected into the image at build time give no collectstatic Job, and a to-do says how the edge must serve them', () => {
    expect(props.collectStatic).toBeUndefined();
    expect(report.todo.find((t) => t.text.startsWith('The image collects the static files when it is built'))?.text).toContain('docker/app/Dockerfile: RUN python manage.py collectstatic --noinput');
  });

  test('THEN the database built FROM postgis is reached as PostgreSQL 16', () => {
    expect(props.externalServices.find((e: any) => e.name === 'db')).toMatchObject({ ports: [5432] });
    expect(report.todo.some((t) => t.text.startsWith('Provide PostgreSQL for db outside the cluster (a managed service, version 16)'))).toBe(true);
  });
});

describe('GIVEN an ASGI server beside gunicorn that the compose nginx routes websockets to WHEN imported', () => {
  const nginx = [
    'upstream channels { server ws:9000; }',
    'server {',
    '  listen 80;',
    '  server_name shop.example.com;',
    '  location /api/ { proxy_pass http://web:8000; }',
    '  location /ws { proxy_pass http://channels; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }',
    '  location /events/ { proxy_pass http://ws:9000; }',
    '}',
  ].join('\n');
  const { props, report, todo } = imported(`services:\n${WEB}  ws:
    image: registry.example.com/shop/web:1.2.0
    command: gunicorn shop.asgi:application -k uvicorn.workers.UvicornWorker -w 3 --bind 0.0.0.0:9000
    scale: 2
    mem_limit: 2g
  nginx:
    image: nginx:1.27
    ports: ["80:80"]
    volumes:
      - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
`, { 'nginx.conf': nginx });

  test('THEN it is a web service with the server, application, port, workers, replicas and resources of its command, on the prefixes nginx sent it', () => {
    expect(props.webServices).toEqual([expect.objectContaining({
      name: 'ws',
      pathPrefixes: ['/ws/', '/events/'],
      application: 'shop.asgi:application',
      serverWorkers: 3,
      port: 9000,
      minReplicas: 2,
      resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '2Gi', memoryLimit: '2Gi' },
    })]);
    expect(props.webServices[0].server).toBe(AppServer.UVICORN);
    expect(props.edge.routing.backendPathPrefixes).toEqual(['/api/']);
  });

  test('THEN the routes say which locations reach it, and no to-do asks for its prefixes', () => {
    expect(report.edgeRoutes.find((r) => r.location === '/ws')).toMatchObject({ covered: 'approximated', edge: expect.stringContaining('web service ws prefix /ws/') });
    expect(report.edgeRoutes.find((r) => r.location === '/events/')).toMatchObject({ covered: 'converted' });
    expect(todo.filter((t) => /pathPrefixes|second web server/.test(t))).toEqual([]);
    expect(report.missingChartProps.map((m) => m.prop)).not.toContain('NginxRoutingOptions.websocketPathPrefixes');
  });
});

describe('GIVEN a second web server and no edge (nothing published, no nginx) WHEN imported', () => {
  const { props, report } = imported(`services:\n${WEB}  live:
    image: registry.example.com/shop/web:1.2.0
    command: daphne -b 0.0.0.0 -p 8001 shop.asgi:application
`);

  test('THEN there is no web service (only the edge routes to one), and one to-do names the service and what to do', () => {
    expect([props.webServices, props.edge]).toEqual([undefined, undefined]);
    expect(report.services.find((s) => s.name === 'live')).toMatchObject({ role: 'django-backend (second)', status: 'dropped' });
    const todos = report.todo.filter((t) => t.services.includes('live'));
    expect(todos).toHaveLength(1);
    expect(todos[0]).toMatchObject({ topic: 'Django web tier' });
    expect(todos[0].text).toContain('live runs a second web server (daphne -b 0.0.0.0 -p 8001 shop.asgi:application, port 8001)');
    expect(todos[0].text).toContain('Add an edge and a webServices entry for it');
  });
});

const WORKER = '  worker:\n    image: registry.example.com/shop/web:1.2.0\n    command: celery -A shop worker\n    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n  redis:\n    image: redis:7\n';
const FLOWER = '  flower:\n    image: registry.example.com/shop/web:1.2.0\n    command: celery -A shop flower --persistent=True\n';

describe('GIVEN Flower without authentication behind an nginx that routes it elsewhere than /flower/ WHEN imported', () => {
  const nginx = 'server {\n  listen 80;\n  location / { proxy_pass http://web:8000; }\n  location /ops/flower { proxy_pass http://flower:5555; }\n}\n';
  const { props, report } = imported(`services:\n${WEB}${WORKER}${FLOWER}  nginx:\n    image: nginx:1.27\n    ports: ['80:80']\n    volumes: ['./nginx.conf:/etc/nginx/conf.d/default.conf:ro']\n`, { 'nginx.conf': nginx });

  test('THEN Flower is served under the nginx prefix, and a to-do says the chart asks for credentials compose never did', () => {
    expect(props.flower).toMatchObject({ pathPrefix: '/ops/flower/', basicAuth: { secretName: expect.stringMatching(/-app$/), key: 'flower-basic-auth' } });
    expect(report.edgeRoutes.find((r) => r.location === '/ops/flower')).toMatchObject({ covered: 'approximated', edge: 'Flower prefix /ops/flower/, behind basic auth' });
    expect(report.todo.filter((t) => t.services.includes('flower')).map((t) => t.text)).toEqual([
      expect.stringMatching(/^Compose served Flower \(flower\) without authentication; the chart's Flower always asks for it/),
    ]);
    const flower = report.services.find((s) => s.name === 'flower')!;
    expect(flower.keys.find((k) => k.key === 'command')).toMatchObject({ status: 'approximated', detail: expect.stringContaining('--persistent=True not carried') });
  });
});

describe('GIVEN Flower and workers, and no edge (nothing published, no nginx) WHEN imported', () => {
  const { props, report } = imported(`services:\n${WEB}${WORKER}${FLOWER}`);

  test('THEN Flower is not generated (only the edge serves it), and a to-do says so', () => {
    expect([props.flower, props.edge]).toEqual([undefined, undefined]);
    expect(report.services.find((s) => s.name === 'flower')).toMatchObject({ status: 'dropped' });
    expect(report.todo.filter((t) => t.services.includes('flower')).map((t) => t.text)).toEqual([
      expect.stringContaining('the generated app has no edge to serve it behind basic auth'),
    ]);
  });
});

describe('GIVEN Flower and no worker WHEN imported', () => {
  const { props, report } = imported(`services:\n${WEB}    ports: ['8000:8000']\n${FLOWER}`);

  test('THEN Flower is not generated: it would have nothing to show', () => {
    expect(props.flower).toBeUndefined();
    expect(report.services.find((s) => s.name === 'flower')!.keys.find((k) => k.key === 'command')).toMatchObject({ status: 'dropped', detail: 'Flower without a worker: there is nothing for it to show' });
  });
});

describe('GIVEN a Dockerfile WHEN its build context is read', () => {
  const dir = tempDir('build-context');
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.writeFileSync(path.join(dir, 'scripts', 'start'), 'exec gunicorn app.wsgi\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), [
    '# syntax=docker/dockerfile:1', 'ARG BASE=python:3.12', 'FROM node:20 AS assets', 'COPY scripts/start /ignored', 'CMD ["node"]',
    'FROM ${BASE}', 'WORKDIR /app', 'COPY --chown=app:app scripts/ ./bin/', 'RUN pip install \\', '  gunicorn', 'CMD /app/bin/start',
  ].join('\n'));

  test('THEN the final stage counts: its FROM with ARG defaults, its copies into WORKDIR, its RUN lines joined and its shell-form CMD', () => {
    expect(readBuildContext(dir, '.')).toEqual({
      dockerfile: 'Dockerfile',
      from: 'python:3.12',
      entrypoint: undefined,
      cmd: ['/bin/sh', '-c', '/app/bin/start'],
      copies: [{ target: '/app/bin/start', source: 'scripts/start', text: 'exec gunicorn app.wsgi\n' }],
      runs: ['pip install  gunicorn'],
    });
  });

  test('THEN a build without a Dockerfile next to the compose file gives no context', () => {
    expect(readBuildContext(dir, { context: 'missing' })).toBeUndefined();
    expect(readBuildContext(dir, { context: 'https://github.com/example/app.git' })).toBeUndefined();
  });
});

describe('GIVEN a compose file that sets variables of the chart\'s own environment contract WHEN imported', () => {
  // Every variable the worker pool sets with a fixed value, with that value, and two it derives, with other values.
  const contract: Record<string, string> = { ...WORKER_ENV.fixed, [WORKER_ENV.queue]: 'everything', [SETTINGS_ENV.staticBucket]: 'Not_A_Bucket' };
  const env = Object.entries(contract).map(([name, value]) => `      ${name}: '${value}'\n`).join('');
  const { props, report } = imported(`services:\n${WEB}    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n${env}`
    + `  worker:\n    image: registry.example.com/shop/web:1.2.0\n    command: celery -A shop worker -Q default --time-limit 60\n    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n${env}`
    + '  redis:\n    image: redis:7\n');
  const web = report.services.find((s) => s.name === 'web')!;
  const outcome = (name: string) => web.keys.find((k) => k.key === `environment.${name}`);

  test('THEN the worker contract\'s variables are reported as set by the chart, converted when compose had the chart\'s value', () => {
    for (const [name, value] of Object.entries(WORKER_ENV.fixed)) {
      expect(outcome(name)).toMatchObject({ status: 'converted', detail: `set by the chart on the workers (${value})` });
    }
    expect(outcome(WORKER_ENV.queue)).toMatchObject({ status: 'approximated', detail: 'set by the chart on the workers; the compose value "everything" is not used' });
  });

  test('THEN no variable of the contract is passed on as a setting or as a workload\'s variable', () => {
    const passedOn = [props.settings.env, props.backend.extraEnv, props.workers.extraEnv].flatMap((e) => Object.keys(e ?? {}));
    expect(passedOn.filter((name) => name in contract)).toEqual([]);
    // Not a bucket name: the settings keep their placeholder rather than the compose value.
    expect(props.settings.staticBucket).toBe(`${props.appName}-static`);
  });
});

describe('GIVEN a compose file that gives the Redis broker\'s address and password as variables of their own WHEN imported', () => {
  const env = '      CELERY_BROKER_ADDRESS: redis:6379\n      CELERY_BROKER_PASSWORD: not-a-real-password\n';
  const { props, report } = imported(`services:\n${WEB}    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n${env}`
    + `  worker:\n    image: registry.example.com/shop/web:1.2.0\n    command: celery -A shop worker -Q default --time-limit 60\n    environment:\n      CELERY_BROKER_URL: redis://redis:6379/0\n${env}`
    + '  redis:\n    image: redis:7\n');
  const web = report.services.find((s) => s.name === 'web')!;

  test('THEN they are not passed on, since the chart sets them from the broker\'s Secret, and the report says so', () => {
    const passedOn = [props.settings.env, props.backend.extraEnv, props.workers.extraEnv].flatMap((e) => Object.keys(e ?? {}));
    const secretOnes = [props.settings.secretEnv, props.backend.extraSecretEnv, props.workers.extraSecretEnv]
      .flatMap((e) => (e ?? []).map((v: any) => v.name));
    expect([...passedOn, ...secretOnes].filter((name) => name.startsWith('CELERY_BROKER_'))).toEqual([]);
    expect(web.keys.find((k) => k.key === 'environment.CELERY_BROKER_ADDRESS')).toMatchObject({
      status: 'approximated',
      detail: `set by the chart from the ${props.appName}-broker Secret, the keys KEDA reads too; the compose value "redis:6379" is not used`,
    });
  });
});
