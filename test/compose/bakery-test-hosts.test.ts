import { placeholdersIn, pointAtTestHosts, TestHosts } from './bakery-test-hosts';
import { importFixture } from './helpers';

// The edits test/cluster/bakery.cluster.ts makes to the bakery's imported main.ts, checked here against
// the importer's current output, so that a change of the import shows in `npm test`, not first on the
// real nodes.
const HOSTS: TestHosts = {
  database: { host: '203.0.113.10', port: 5432 },
  redis: { host: '203.0.113.11', port: 6379 },
  s3: { endpoint: 'http://203.0.113.12:7070', region: 'eu-west-1' },
  s3Keys: { accessKey: 's3-access-key', secretKey: 's3-secret-key' },
  staticBucket: 'bakery-static',
  redisDatabaseIndex: 1,
};

const mainTs = () => importFixture('bakery').files['main.ts'];

describe('GIVEN the bakery fixture imported', () => {
  test('THEN its main.ts has placeholder addresses, which the suite must replace', () => {
    expect(placeholdersIn(mainTs(), { skipComments: true }).length).toBeGreaterThanOrEqual(5);
  });

  test('WHEN pointed at the test hosts THEN no placeholder is left and every external service is a test host on its real port', () => {
    const edited = pointAtTestHosts(mainTs(), HOSTS);
    expect(placeholdersIn(edited, { skipComments: true })).toEqual([]);
    const entries = [...edited.matchAll(/name: '([a-z0-9-]+)',\s+cidrs: \[([^\]]*)\],\s+ports: \[([^\]]*)\]/g)].map((m) => m.slice(1).join(' '));
    expect(entries).toEqual(["db '203.0.113.10/32' 5432", "redis '203.0.113.11/32' 6379", "s3 '203.0.113.12/32' 7070"]);
    expect(edited).toContain("s3Region: 'eu-west-1',\n    s3Endpoint: 'http://203.0.113.12:7070',");
    expect(edited).toContain("{ name: 'AWS_ACCESS_KEY_ID', secretName: 'bakery-app', key: 's3-access-key' }");
    expect(edited).toContain("{ name: 'AWS_SECRET_ACCESS_KEY', secretName: 'bakery-app', key: 's3-secret-key' }");
    expect(edited).toContain("staticBucket: 'bakery-static',");
    expect(edited).toContain("broker: { kind: BrokerKind.REDIS, secretName: 'bakery-broker', redisDatabaseIndex: 1 }");
    expect(edited).not.toMatch(/name: '(smtp|sentry)'|ingest\.sentry\.io/);
  });

  test('WHEN an edit no longer finds its target THEN it fails, naming it, instead of leaving a placeholder', () => {
    const changed = mainTs().replace('ports: [5432]', 'ports: [5433]');
    expect(() => pointAtTestHosts(changed, HOSTS)).toThrow(/externalServices\[db\]: the PostgreSQL test host: expected .* exactly once, found it 0 times/);
  });
});
