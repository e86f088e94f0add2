// What a team does to an imported main.ts before its first deploy (MIGRATION.md, "What you must do by
// hand"), for the shop suite's test hosts (hack/control-plane/shop-hosts.sh) instead of managed services:
// the TODO(import) addresses become the test hosts with their real ports (or go, for a service the suite
// does not have), the S3 endpoint, region and statics bucket are those of the S3 test host, and a Redis
// broker gets a Redis database of its own (a RabbitMQ broker is kept apart by the vhost of its URL, in its
// Secret). The compose fixtures' cluster files (test/cluster/bakery.cluster.ts, recipes.cluster.ts,
// devstack.cluster.ts, newsroom.cluster.ts, mediahub.cluster.ts) apply it before they render;
// test-hosts.test.ts checks it against the importer's current output.
//
// Every edit is of main.ts, never of the rendered YAML, and each must find its target exactly once (the
// requests edit, wherever a request is: at least once): when the import changes, the edit fails, naming
// what it looked for, instead of leaving a placeholder.

/** The import's placeholder addresses: 192.0.2.0/24, which on this machine is its own network. */
export const PLACEHOLDER = /\b192\.0\.2\.\d{1,3}\b/;

/** A test host: its address and the port the app reaches it on. */
export interface TestHost {
  readonly host: string;
  readonly port: number;
}

export interface TestHosts {
  /**
   * Each externalServices entry of the import but s3, by its name: the test host it now names, or
   * 'none' for a service the suite does not have (mail, Sentry), whose network path then goes rather
   * than point anywhere. Every placeholder entry must be listed.
   */
  readonly externalServices: Readonly<Record<string, TestHost | 'none'>>;
  /** The S3 test host: its URL (`http://<ip>:<port>`) and the region it signs for. */
  readonly s3: { readonly endpoint: string; readonly region: string };
  /**
   * The Secret keys of the settings Secret to pass as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for an
   * app that leaves its S3 keys to boto3's environment.
   * @default - none: the app's settings read its keys (recipes: DJANGO_AWS_ACCESS_KEY_ID, already a Secret key)
   */
  readonly s3Keys?: { readonly accessKey: string; readonly secretKey: string };
  /** The statics bucket made on the S3 test host. */
  readonly staticBucket: string;
  /**
   * The Redis database of the app's queues, for a Redis broker: the Redis test host also holds the shop's,
   * and two apps' `default` queues must not be one.
   * @default - the broker is not edited (RabbitMQ: the vhost of the URL in its Secret keeps apps apart)
   */
  readonly redisDatabaseIndex?: number;
  /**
   * The requests every component of main.ts gets instead of the import's (the limits stay), for an app
   * whose compose sizes do not fit the suite's two nodes on a 2-core machine beside the shop: a team
   * sizing a small staging cluster makes the same edit.
   * @default - the import's requests
   */
  readonly requests?: { readonly cpu: string; readonly memory: string };
}

/** The shop suite's test hosts (hack/control-plane/shop-hosts.sh), as the cluster files read them. */
export interface SuiteHosts {
  /** The fixture's database server (PostgreSQL, or MariaDB for devstack). */
  readonly database: TestHost;
  readonly redis: TestHost;
  /** The RabbitMQ test host, for a fixture whose broker is RabbitMQ. */
  readonly rabbitmq?: TestHost;
  /** The S3 test host's URL, `http://<ip>:<port>`. */
  readonly s3Endpoint: string;
}

/**
 * The edits of each compose fixture that runs on the real nodes. The Redis database indexes keep the
 * apps' queues apart on the one Redis test host (the shop's is 0, Picvario's cache 2).
 */
export const FIXTURE_TEST_HOSTS: Readonly<Record<'bakery' | 'recipes' | 'devstack' | 'newsroom' | 'mediahub', (hosts: SuiteHosts) => TestHosts>> = {
  bakery: (h) => ({
    externalServices: { db: h.database, redis: h.redis, smtp: 'none', sentry: 'none' },
    // versitygw signs for eu-west-1 (shop-hosts.sh).
    s3: { endpoint: h.s3Endpoint, region: 'eu-west-1' },
    // The bakery's settings leave its S3 keys to boto3's environment.
    s3Keys: { accessKey: 's3-access-key', secretKey: 's3-secret-key' },
    staticBucket: 'bakery-static',
    redisDatabaseIndex: 1,
  }),
  recipes: (h) => ({
    externalServices: { postgres: h.database, redis: h.redis, sentry: 'none' },
    s3: { endpoint: h.s3Endpoint, region: 'eu-west-1' },
    staticBucket: 'recipes-static',
    redisDatabaseIndex: 3,
  }),
  devstack: (h) => {
    if (!h.rabbitmq) throw new Error('devstack: its broker is RabbitMQ, and the suite hosts name no RabbitMQ test host');
    return {
      externalServices: { mysql: h.database, rabbit: h.rabbitmq },
      s3: { endpoint: h.s3Endpoint, region: 'eu-west-1' },
      // The shop's settings leave its S3 keys to boto3's environment.
      s3Keys: { accessKey: 's3-access-key', secretKey: 's3-secret-key' },
      staticBucket: 'devstack-static',
    };
  },
  // Its broker and cache are a Redis with a password (suite hosts' redis: the second one, .17), of its own,
  // so its database index stays the import's. The suite has no Meilisearch: the app never calls it.
  newsroom: (h) => ({
    externalServices: { db: h.database, cache: h.redis, search: 'none' },
    s3: { endpoint: h.s3Endpoint, region: 'eu-west-1' },
    // The newsroom's settings leave its S3 keys to boto3's environment.
    s3Keys: { accessKey: 's3-access-key', secretKey: 's3-secret-key' },
    staticBucket: 'newsroom-static',
  }),
  // Its broker is RabbitMQ (a vhost of its own), its cache and Celery's results the Redis test host (its
  // Secret's URLs name databases 4 and 5). The suite has no Elasticsearch, Logstash, Tika, ClamAV,
  // imgproxy, mail or Sentry: the app's pages and tasks the suite runs call none of them. Its compose sizes
  // (3 backends and 2 frontends at half a CPU each, media workers at a whole CPU) ask for 6.5 CPUs without
  // the GPU worker, where the two nodes have 4 between them and the shop's pods.
  mediahub: (h) => {
    if (!h.rabbitmq) throw new Error('mediahub: its broker is RabbitMQ, and the suite hosts name no RabbitMQ test host');
    return {
      externalServices: {
        postgres: h.database,
        rabbitmq: h.rabbitmq,
        redis: h.redis,
        ...Object.fromEntries(['elasticsearch', 'logstash', 'tika', 'clamav', 'imgproxy', 'smtp', 'sentry'].map((name) => [name, 'none' as const])),
      },
      s3: { endpoint: h.s3Endpoint, region: 'eu-west-1' },
      staticBucket: 'mediahub-static',
      requests: { cpu: '50m', memory: '128Mi' },
    };
  },
};

interface Edit {
  readonly why: string;
  readonly find: RegExp;
  /** Found at least once and replaced wherever it is, where an edit's target is otherwise one place. */
  readonly everywhere?: boolean;
  readonly replace: (match: string, ...groups: string[]) => string;
}

function edits(h: TestHosts, mainTs: string): Edit[] {
  const s3 = new URL(h.s3.endpoint);
  // An externalServices entry, on one line or on several; the components that reach it (reachedBy) are kept.
  const fields = (name: string) => `\\{\\s*name: '${name}',\\s*cidrs: \\['192\\.0\\.2\\.\\d+/32'\\],\\s*ports: \\[\\d+\\],?(?:\\s*reachedBy: (\\[[^\\]]*\\]),?)?\\s*\\}`;
  const entry = (name: string) => new RegExp(fields(name));
  // The same, with the comment lines right above it.
  const entryWithComment = (name: string) => new RegExp(`(?:\\n[ \\t]*//[^\\n]*)*\\n[ \\t]*${fields(name)},`);
  const services: Edit[] = Object.entries(h.externalServices).map(([name, target]) => (target === 'none'
    ? { why: `externalServices[${name}]: none in the suite`, find: entryWithComment(name), replace: () => '' }
    : {
      why: `externalServices[${name}]: the test host ${target.host}:${target.port}`,
      find: entry(name),
      replace: (_match: string, reachedBy?: string) => `{ name: '${name}', cidrs: ['${target.host}/32'], ports: [${target.port}]${reachedBy ? `, reachedBy: ${reachedBy}` : ''} }`,
    }));
  const keyEntries = (indent: string, secret: string) => `${indent}{ name: 'AWS_ACCESS_KEY_ID', secretName: '${secret}', key: '${h.s3Keys!.accessKey}' },\n`
    + `${indent}{ name: 'AWS_SECRET_ACCESS_KEY', secretName: '${secret}', key: '${h.s3Keys!.secretKey}' },\n`;
  const keys: Edit[] = !h.s3Keys ? [] : /secretEnv: \[\n/.test(mainTs) ? [{
    why: 'settings.secretEnv: an access key for the S3-compatible server, from the settings Secret',
    find: /secretEnv: \[\n([ \t]*)\{ name: '[A-Z_]+', secretName: '([a-z0-9-]+)'/,
    replace: (match, indent, secret) => `secretEnv: [\n${keyEntries(indent, secret)}${match.slice('secretEnv: [\n'.length)}`,
  }] : /secretEnv: \[/.test(mainTs) ? [{
    // The import wrote the list on one line: the keys go first on it.
    why: 'settings.secretEnv (one line): an access key for the S3-compatible server, from the settings Secret',
    find: /secretEnv: \[\{ name: '[A-Z_]+', secretName: '([a-z0-9-]+)'/,
    replace: (match, secret) => `secretEnv: [${keyEntries('', secret).trim().split('\n').join(' ')} ${match.slice('secretEnv: ['.length)}`,
  }] : [{
    // The import wrote no secretEnv (the compose file passed no other secret): the settings get one.
    why: 'settings.secretEnv (new): an access key for the S3-compatible server, from the settings Secret',
    find: /\n([ \t]*)secretName: '([a-z0-9-]+)',\n/,
    replace: (match, indent, secret) => `${match}${indent}secretEnv: [\n${keyEntries(`${indent}  `, secret)}${indent}],\n`,
  }];
  const broker: Edit[] = h.redisDatabaseIndex === undefined ? [] : [{
    why: 'broker: a Redis database of its own on the shared Redis test host',
    find: /broker: \{ kind: BrokerKind\.REDIS, secretName: '([a-z0-9-]+)' \}/,
    replace: (_, secret) => `broker: { kind: BrokerKind.REDIS, secretName: '${secret}', redisDatabaseIndex: ${h.redisDatabaseIndex} }`,
  }];
  return [
    ...services,
    {
      why: 'externalServices[s3]: the S3 test host',
      find: /(name: 's3',\s+cidrs: \[)'192\.0\.2\.\d+\/32'(\],\s+ports: \[)443\]/,
      replace: (_, before, between) => `${before}'${s3.hostname}/32'${between}${s3.port}]`,
    },
    {
      why: 'settings: the S3 test host\'s region and endpoint',
      find: /s3Region: '[a-z0-9-]+',/,
      replace: () => `s3Region: '${h.s3.region}',\n    s3Endpoint: '${h.s3.endpoint}',`,
    },
    ...keys,
    {
      why: 'settings.staticBucket: the statics bucket of the S3 test host',
      find: /\/\/ TODO\(import\): the statics bucket[^\n]*\n([ \t]*)staticBucket: '[a-z0-9.-]+',/,
      replace: (_, indent) => `// The statics bucket, public-read on the S3 test host.\n${indent}staticBucket: '${h.staticBucket}',`,
    },
    ...broker,
    ...(h.requests ? [
      { why: `every cpuRequest: ${h.requests.cpu}`, find: /cpuRequest: '[0-9.]+m?'/, replace: () => `cpuRequest: '${h.requests!.cpu}'`, everywhere: true },
      { why: `every memoryRequest: ${h.requests.memory}`, find: /memoryRequest: '[0-9.]+[KMG]i'/, replace: () => `memoryRequest: '${h.requests!.memory}'`, everywhere: true },
    ] : []),
  ];
}

/**
 * An imported main.ts, pointed at the test hosts. Throws when an edit finds its target not
 * exactly once, or when a placeholder address is left outside a comment.
 */
export function pointAtTestHosts(mainTs: string, hosts: TestHosts): string {
  let text = mainTs;
  for (const edit of edits(hosts, mainTs)) {
    const everywhere = new RegExp(edit.find.source, 'g');
    const found = text.match(everywhere) ?? [];
    if (edit.everywhere ? found.length === 0 : found.length !== 1) {
      throw new Error(`main.ts: ${edit.why}: expected ${edit.find} ${edit.everywhere ? 'at least once' : 'exactly once'}, found it ${found.length} times (the import's output changed: update test/compose/test-hosts.ts or the fixture's TestHosts)`);
    }
    text = text.replace(edit.everywhere ? everywhere : edit.find, edit.replace as (substring: string, ...args: any[]) => string);
  }
  const left = placeholdersIn(text, { skipComments: true });
  if (left.length) throw new Error(`main.ts still has placeholder addresses after the edits: ${left.join('; ')}`);
  return `// Pointed at the shop suite's test hosts (test/compose/test-hosts.ts) after the import.\n${text}`;
}

/** The lines of a text that hold a placeholder address (without comment lines, for TypeScript). */
export function placeholdersIn(text: string, options: { skipComments?: boolean } = {}): string[] {
  return text.split('\n').map((line, i) => [i + 1, line] as const)
    .filter(([, line]) => PLACEHOLDER.test(line) && !(options.skipComments && /^\s*\/\//.test(line)))
    .map(([n, line]) => `line ${n}: ${line.trim()}`);
}
