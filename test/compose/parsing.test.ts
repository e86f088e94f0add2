import { ComponentGroup } from '../../src/app/app-parts';
import { enumsUsed, Printer } from '../../src/compose/codegen';
import { analyzeCommand, option } from '../../src/compose/commands';
import { hasCredentials, hostsIn, urlsIn } from '../../src/compose/hosts';
import { nginxSite, parseNginx } from '../../src/compose/nginx-conf';
import { parseImage } from '../../src/compose/roles';
import { scriptCommands, splitWords } from '../../src/compose/shell';
import { cpuQuantity, durationSeconds, memoryQuantity, parseBytes } from '../../src/compose/units';
import { AppServer } from '../../src/workloads/django-backend';

describe('shell words and commands', () => {
  test('GIVEN a compose string command THEN it is split like compose splits it (quotes, escapes), operators stay words', () => {
    expect(splitWords('gunicorn app.wsgi -b "0.0.0.0:8000" --log-level=\'debug\' a\\ b')).toEqual(['gunicorn', 'app.wsgi', '-b', '0.0.0.0:8000', '--log-level=debug', 'a b']);
    expect(scriptCommands('set -e\ncd /app && exec python manage.py migrate; FOO=1 gunicorn x # start')).toEqual([['python', 'manage.py', 'migrate'], ['gunicorn', 'x']]);
  });

  test('GIVEN a start script with lines continued by backslashes and a loop THEN the continuation adds no empty word and the loop keywords are no command', () => {
    expect(scriptCommands('until timeout 10 celery inspect ping; do\n  sleep 1\ndone\nexec celery \\\n    -A app \\\n    flower')).toEqual([
      ['until', 'timeout', '10', 'celery', 'inspect', 'ping'], ['done'], ['celery', '-A', 'app', 'flower'],
    ]);
    expect(scriptCommands('if [ "$1" = beat ]; then exec celery -A app beat; fi')).toEqual([['if', '[', '$1', '=', 'beat', ']'], ['celery', '-A', 'app', 'beat'], ['fi']]);
  });

  test.each([
    [{ command: 'gunicorn a.wsgi' }, ['gunicorn'], []],
    [{ command: ['sh', '-c', 'python manage.py migrate && python manage.py collectstatic --noinput'] }, ['manage', 'manage'], []],
    [{ entrypoint: ['./wait-for-it.sh', 'db:5432', '--'], command: ['uvicorn', 'a.asgi:application'] }, ['uvicorn'], ['./wait-for-it.sh db:5432 --']],
    [{ command: 'dockerize -wait tcp://db:5432 -timeout 30s python -m celery -A a worker' }, ['celery-worker'], ['dockerize -wait tcp://db:5432 -timeout 30s']],
    [{ command: 'poetry run celery -A a beat' }, ['celery-beat'], ['poetry run']],
    [{ entrypoint: '/docker-entrypoint.sh', command: 'npm run start' }, ['node'], ['/docker-entrypoint.sh']],
    [{ command: 'celery --broker=amqp://x flower' }, ['celery-flower'], []],
    [{ command: 'python manage.py runserver 0.0.0.0:8000' }, ['runserver'], []],
  ])('GIVEN %j THEN it runs %j behind the wrappers %j', (spec, kinds, wrappers) => {
    const a = analyzeCommand(spec);
    expect(a.commands.map((c) => c.kind)).toEqual(kinds);
    expect(a.wrappers).toEqual(wrappers);
  });

  test('GIVEN options in every spelling THEN the last one wins', () => {
    expect(option(['celery', '-A', 'a', 'worker', '-Qx,y', '--concurrency=3'], ['-Q'], ['--queues'])).toBe('x,y');
    expect(option(['celery', '-c', '2', '--concurrency', '5'], ['-c'], ['--concurrency'])).toBe('5');
  });
});

describe('compose units to canonical quantities', () => {
  test.each([
    ['512M', '512Mi'], ['2g', '2Gi'], ['1.5G', '1536Mi'], ['1gb', '1Gi'], ['1024k', '1Mi'], [1073741824, '1Gi'], ['1000000', '1Mi'],
  ])('GIVEN memory %j THEN it is %s', (input, expected) => {
    expect(memoryQuantity(parseBytes(input)!)).toBe(expected);
  });

  test.each([['0.5', '500m'], [2, '2'], ['1.25', '1250m'], ['0.001', '1m']])('GIVEN cpus %j THEN it is %s', (input, expected) => {
    expect(cpuQuantity(input)).toBe(expected);
  });

  test.each([['1m30s', 90], ['2h5m', 7500], ['500ms', 1], ['45s', 45], ['1.5m', 90], ['nonsense', undefined]])('GIVEN %s THEN it is %j seconds', (input, expected) => {
    expect(durationSeconds(input)).toBe(expected);
  });
});

describe('addresses and images', () => {
  test('GIVEN URLs with and without credentials THEN hosts, ports and passwords are read', () => {
    expect(urlsIn('redis://:s3cret@cache:6379/1')[0]).toMatchObject({ scheme: 'redis', password: 's3cret', host: 'cache', port: 6379, rest: '/1' });
    expect([hasCredentials('amqp://u:p@rabbit//'), hasCredentials('http://tika:9998')]).toEqual([true, false]);
    expect(hostsIn('db:5432,redis tika', ['db', 'redis', 'tika', 'web'])).toEqual(['db', 'redis', 'tika']);
  });

  test('GIVEN image references THEN repository, tag and digest are split at the right colon', () => {
    expect(parseImage('registry.example.com:5000/team/app:1.2@sha256:abc')).toMatchObject({ repository: 'registry.example.com:5000/team/app', tag: '1.2', digest: 'sha256:abc', name: 'app' });
    expect(parseImage('postgres')).toMatchObject({ repository: 'postgres', tag: undefined, name: 'postgres' });
  });
});

describe('nginx configuration', () => {
  test('GIVEN server blocks with upstreams, internal, WebSocket and regex locations THEN each location is read', () => {
    const site = nginxSite(parseNginx(`
      http { client_max_body_size 20m; upstream django { server web:8000; }
        server { listen 443 ssl; server_name shop.example.com _;
          location /api/ { proxy_pass http://django; }
          location /ws/ { proxy_pass http://django; proxy_set_header Upgrade $http_upgrade; }
          location /protected/ { internal; alias /srv/media/; }
          location ~* "\\.map$" { deny all; }
        } }`));
    expect(site.serverNames).toEqual(['shop.example.com']);
    expect(site.upstreams).toEqual({ django: ['web:8000'] });
    expect(site.bodySize).toBe('20m');
    expect(site.locations.map((l) => [l.modifier, l.path, l.proxyHost, l.internal, l.websocket])).toEqual([
      ['', '/api/', 'django', false, false], ['', '/ws/', 'django', false, true], ['', '/protected/', undefined, true, false], ['~*', '\\.map$', undefined, false, false],
    ]);
  });

  test('GIVEN unbalanced braces THEN parsing fails', () => {
    expect(() => parseNginx('server { location / { }')).toThrow('missing "}"');
  });
});

describe('the code printer', () => {
  test('GIVEN props with enums, comments and long lists THEN it prints idiomatic TypeScript', () => {
    const printer = new Printer(new Map([['backend', ['compose service web.']]]));
    const text = printer.print({ appName: 'shop', backend: { server: AppServer.UVICORN, port: 8080 }, labels: { 'nvidia.com/gpu': '1' }, note: "it's" }, '', '');
    expect(text).toBe([
      '{',
      "  appName: 'shop',",
      '  // compose service web.',
      '  backend: { server: AppServer.UVICORN, port: 8080 },',
      "  labels: { 'nvidia.com/gpu': '1' },",
      "  note: 'it\\'s',",
      '}',
    ].join('\n'));
  });

  test('GIVEN enum values in lists and strings that equal an enum value elsewhere THEN only the enum props print as members', () => {
    const props = {
      workers: { queues: [{ name: 'high', priority: 'high' }] },
      externalServices: [{ name: 'edge', reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] }],
    };
    const text = new Printer().print(props, '', '');
    expect(text).toContain("queues: [{ name: 'high', priority: QueuePriority.HIGH }]");
    expect(text).toContain("{ name: 'edge', reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] }");
    expect([...enumsUsed(props)].sort()).toEqual(['ComponentGroup', 'QueuePriority']);
  });

  test('GIVEN a value that is not a member of its prop\'s enum THEN printing fails and names the prop and the members', () => {
    expect(() => new Printer().print({ backend: { server: 'waitress' } }, '', ''))
      .toThrow('backend.server: "waitress" is not a member of AppServer (accepted: "gunicorn", "uvicorn", "daphne")');
  });
});
