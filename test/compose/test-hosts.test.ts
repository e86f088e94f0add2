import { importFixture } from './helpers';
import { FIXTURE_TEST_HOSTS, placeholdersIn, pointAtTestHosts, SuiteHosts } from './test-hosts';

// The edits the compose fixtures' cluster files (test/cluster/bakery.cluster.ts, recipes.cluster.ts,
// devstack.cluster.ts, newsroom.cluster.ts, mediahub.cluster.ts) make to their imported main.ts, checked here against the importer's current output, so that a change of the
// import shows in `npm test`, not first on the real nodes.
const SUITE: SuiteHosts = {
  database: { host: '203.0.113.10', port: 5432 },
  redis: { host: '203.0.113.11', port: 6379 },
  s3Endpoint: 'http://203.0.113.12:7070',
};
/** devstack's: its MariaDB, and the RabbitMQ test host. */
const DEVSTACK_SUITE: SuiteHosts = { ...SUITE, database: { host: '203.0.113.16', port: 3306 }, rabbitmq: { host: '203.0.113.13', port: 5672 } };

/** Each externalServices entry of a main.ts: `name cidrs ports`. */
const entries = (ts: string) => [...ts.matchAll(/name: '([a-z0-9-]+)',\s+cidrs: \[([^\]]*)\],\s+ports: \[([^\]]*)\]/g)].map((m) => m.slice(1).join(' '));

/** newsroom's: the Redis test host with a password. */
const NEWSROOM_SUITE: SuiteHosts = { ...SUITE, redis: { host: '203.0.113.17', port: 6379 } };
/** mediahub's: the RabbitMQ test host beside the others. */
const MEDIAHUB_SUITE: SuiteHosts = { ...SUITE, rabbitmq: { host: '203.0.113.13', port: 5672 } };
const SUITES = { bakery: SUITE, recipes: SUITE, devstack: DEVSTACK_SUITE, newsroom: NEWSROOM_SUITE, mediahub: MEDIAHUB_SUITE };

describe.each([
  ['bakery', ["db '203.0.113.10/32' 5432", "redis '203.0.113.11/32' 6379", "s3 '203.0.113.12/32' 7070"],
    "broker: { kind: BrokerKind.REDIS, secretName: 'bakery-broker', redisDatabaseIndex: 1 }"],
  ['recipes', ["postgres '203.0.113.10/32' 5432", "redis '203.0.113.11/32' 6379", "s3 '203.0.113.12/32' 7070"],
    "broker: { kind: BrokerKind.REDIS, secretName: 'recipes-broker', redisDatabaseIndex: 3 }"],
  ['devstack', ["mysql '203.0.113.16/32' 3306", "rabbit '203.0.113.13/32' 5672", "s3 '203.0.113.12/32' 7070"],
    "broker: { kind: BrokerKind.RABBITMQ, secretName: 'devstack-broker' }"],
  // Its Redis (with a password) is its own: the broker's database index stays the import's.
  ['newsroom', ["db '203.0.113.10/32' 5432", "cache '203.0.113.17/32' 6379", "s3 '203.0.113.12/32' 7070"],
    "broker: {\n    kind: BrokerKind.REDIS,\n    secretName: 'newsroom-broker',\n    redisPasswordKey: 'redis-password',\n    redisDatabaseIndex: 1,\n  }"],
  ['mediahub', ["postgres '203.0.113.10/32' 5432", "rabbitmq '203.0.113.13/32' 5672", "redis '203.0.113.11/32' 6379", "s3 '203.0.113.12/32' 7070"],
    "broker: { kind: BrokerKind.RABBITMQ, secretName: 'mediahub-broker' }"],
] as const)('GIVEN the %s fixture imported', (fixture, expectedEntries, expectedBroker) => {
  const mainTs = () => importFixture(fixture).files['main.ts'];
  const hosts = FIXTURE_TEST_HOSTS[fixture](SUITES[fixture]);

  test('THEN its main.ts has placeholder addresses, one per external service, which the suite must replace', () => {
    expect(placeholdersIn(mainTs(), { skipComments: true }).length).toBe(Object.keys(hosts.externalServices).length + 1);
  });

  test('WHEN pointed at the test hosts THEN no placeholder is left and every external service is a test host on its real port', () => {
    const edited = pointAtTestHosts(mainTs(), hosts);
    expect(placeholdersIn(edited, { skipComments: true })).toEqual([]);
    expect(entries(edited)).toEqual(expectedEntries);
    expect(edited).toContain("s3Region: 'eu-west-1',\n    s3Endpoint: 'http://203.0.113.12:7070',");
    expect(edited).toContain(`staticBucket: '${fixture}-static',`);
    expect(edited).toContain(expectedBroker);
    expect(edited).not.toMatch(/name: '(smtp|sentry|search)'|ingest\.sentry\.io/);
  });
});

describe('GIVEN mediahub, whose compose sizes do not fit the suite\'s two nodes', () => {
  test('WHEN pointed at the test hosts THEN every request is the suite\'s and every limit stays the import\'s', () => {
    const imported = importFixture('mediahub').files['main.ts'];
    const edited = pointAtTestHosts(imported, FIXTURE_TEST_HOSTS.mediahub(MEDIAHUB_SUITE));
    const all = (ts: string, field: string) => [...ts.matchAll(new RegExp(`${field}: '([^']+)'`, 'g'))].map((m) => m[1]);
    expect(all(imported, 'cpuRequest')).toContain('500m');
    expect([...new Set(all(edited, 'cpuRequest'))]).toEqual(['50m']);
    expect([...new Set(all(edited, 'memoryRequest'))]).toEqual(['128Mi']);
    expect(all(edited, 'cpuRequest').length).toBe(all(imported, 'cpuRequest').length);
    expect(all(edited, 'memoryLimit')).toEqual(all(imported, 'memoryLimit'));
    expect(all(edited, 'cpuLimit')).toEqual(all(imported, 'cpuLimit'));
  });

  test('WHEN the import writes no request THEN the edit fails, naming what it looked for', () => {
    const imported = importFixture('mediahub').files['main.ts'].replace(/cpuRequest: '[^']+',\s*/g, '');
    expect(() => pointAtTestHosts(imported, FIXTURE_TEST_HOSTS.mediahub(MEDIAHUB_SUITE)))
      .toThrow(/every cpuRequest: 50m: expected .* at least once, found it 0 times/);
  });
});

describe('GIVEN the bakery, whose settings leave the S3 keys to boto3', () => {
  test('WHEN pointed at the test hosts THEN AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY come from its settings Secret', () => {
    const edited = pointAtTestHosts(importFixture('bakery').files['main.ts'], FIXTURE_TEST_HOSTS.bakery(SUITE));
    expect(edited).toContain("{ name: 'AWS_ACCESS_KEY_ID', secretName: 'bakery-app', key: 's3-access-key' }");
    expect(edited).toContain("{ name: 'AWS_SECRET_ACCESS_KEY', secretName: 'bakery-app', key: 's3-secret-key' }");
  });

  test('WHEN an edit no longer finds its target THEN it fails, naming it, instead of leaving a placeholder', () => {
    const changed = importFixture('bakery').files['main.ts'].replace("{ name: 'db', cidrs", "{ name: 'database', cidrs");
    expect(() => pointAtTestHosts(changed, FIXTURE_TEST_HOSTS.bakery(SUITE)))
      .toThrow(/externalServices\[db\]: the test host 203\.0\.113\.10:5432: expected .* exactly once, found it 0 times/);
  });

  test('WHEN an externalServices entry is left out of its TestHosts THEN its placeholder fails the edit', () => {
    const hosts = FIXTURE_TEST_HOSTS.bakery(SUITE);
    const { smtp, ...withoutSmtp } = hosts.externalServices;
    expect(smtp).toBe('none');
    expect(() => pointAtTestHosts(importFixture('bakery').files['main.ts'], { ...hosts, externalServices: withoutSmtp }))
      .toThrow(/main\.ts still has placeholder addresses after the edits: line \d+: \{ name: 'smtp'/);
  });
});

describe('GIVEN newsroom, whose import writes its secretEnv on one line', () => {
  test('WHEN pointed at the test hosts THEN the S3 keys go first on that line', () => {
    const edited = pointAtTestHosts(importFixture('newsroom').files['main.ts'], FIXTURE_TEST_HOSTS.newsroom(NEWSROOM_SUITE));
    expect(edited).toContain("    secretEnv: [{ name: 'AWS_ACCESS_KEY_ID', secretName: 'newsroom-app', key: 's3-access-key' }, "
      + "{ name: 'AWS_SECRET_ACCESS_KEY', secretName: 'newsroom-app', key: 's3-secret-key' }, "
      + "{ name: 'SENTRY_DSN', secretName: 'newsroom-app', key: 'sentry-dsn' }],\n");
  });
});

describe('GIVEN devstack, whose import has no secretEnv and whose broker is RabbitMQ', () => {
  test('WHEN pointed at the test hosts THEN a secretEnv with the S3 keys is added to its settings', () => {
    const imported = importFixture('devstack').files['main.ts'];
    expect(imported).not.toContain('secretEnv');
    const edited = pointAtTestHosts(imported, FIXTURE_TEST_HOSTS.devstack(DEVSTACK_SUITE));
    expect(edited).toContain("    secretName: 'devstack-app',\n    secretEnv: [\n"
      + "      { name: 'AWS_ACCESS_KEY_ID', secretName: 'devstack-app', key: 's3-access-key' },\n"
      + "      { name: 'AWS_SECRET_ACCESS_KEY', secretName: 'devstack-app', key: 's3-secret-key' },\n    ],\n");
  });

  test('WHEN pointed at the test hosts THEN its settings are left as imported: the edge\'s host reaches ALLOWED_HOSTS through the kit', () => {
    const imported = importFixture('devstack');
    expect(imported.report.todo.map((t) => t.text)).toContainEqual(expect.stringMatching(/^No compose variable sets ALLOWED_HOSTS.*DJANGO_PUBLIC_HOSTS/));
    const edited = pointAtTestHosts(imported.files['main.ts'], FIXTURE_TEST_HOSTS.devstack(DEVSTACK_SUITE));
    expect(edited).toContain("    env: { EMAIL_HOST: 'mailhog', EMAIL_PORT: '1025' },\n");
    expect(edited).toContain("host: 'devstack.example.com',");
  });

  test('WHEN the suite hosts name no RabbitMQ THEN its TestHosts say so', () => {
    expect(() => FIXTURE_TEST_HOSTS.devstack(SUITE)).toThrow(/its broker is RabbitMQ, and the suite hosts name no RabbitMQ test host/);
  });
});
