// What a team does to the bakery's imported main.ts before its first deploy (MIGRATION.md, "What you
// must do by hand"), for the shop suite's test hosts (hack/control-plane/shop-hosts.sh) instead of
// managed services: the TODO(import) addresses become the test hosts with their real ports, the S3
// endpoint, region and keys are those of the S3 test host, and the statics bucket is the one made
// there. test/cluster/bakery.cluster.ts applies it before it renders; bakery-test-hosts.test.ts
// checks it against the importer's current output.
//
// Every edit is of main.ts, never of the rendered YAML, and each must find its target exactly once:
// when the import changes, the edit fails, naming what it looked for, instead of leaving a placeholder.

/** The import's placeholder addresses: 192.0.2.0/24, which on this machine is its own network. */
export const PLACEHOLDER = /\b192\.0\.2\.\d{1,3}\b/;

export interface TestHosts {
  readonly database: { readonly host: string; readonly port: number };
  readonly redis: { readonly host: string; readonly port: number };
  /** The S3 test host: its URL (`http://<ip>:<port>`) and the region it signs for. */
  readonly s3: { readonly endpoint: string; readonly region: string };
  /** The Secret keys the app reads the S3 access key and secret from (in its settings Secret). */
  readonly s3Keys: { readonly accessKey: string; readonly secretKey: string };
  /** The statics bucket made on the S3 test host. */
  readonly staticBucket: string;
  /**
   * The Redis database of the app's queues: the Redis test host also holds the shop's, and the two
   * apps' `default` queues must not be one.
   */
  readonly redisDatabaseIndex: number;
}

interface Edit {
  readonly why: string;
  readonly find: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

function edits(h: TestHosts): Edit[] {
  const s3 = new URL(h.s3.endpoint);
  const entry = (name: string, port: number) => new RegExp(`\\{ name: '${name}', cidrs: \\['192\\.0\\.2\\.\\d+/32'\\], ports: \\[${port}\\] \\}`);
  // An externalServices entry on one line, with the comment lines right above it.
  const entryWithComment = (name: string) => new RegExp(`(?:\\n[ \\t]*//[^\\n]*)*\\n[ \\t]*\\{ name: '${name}', cidrs: \\['192\\.0\\.2\\.\\d+/32'\\], ports: \\[\\d+\\] \\},`);
  return [
    {
      why: 'externalServices[db]: the PostgreSQL test host',
      find: entry('db', 5432),
      replace: () => `{ name: 'db', cidrs: ['${h.database.host}/32'], ports: [${h.database.port}] }`,
    },
    {
      why: 'externalServices[redis]: the Redis test host',
      find: entry('redis', 6379),
      replace: () => `{ name: 'redis', cidrs: ['${h.redis.host}/32'], ports: [${h.redis.port}] }`,
    },
    {
      why: 'externalServices[s3]: the S3 test host',
      find: /(name: 's3',\s+cidrs: \[)'192\.0\.2\.\d+\/32'(\],\s+ports: \[)443\]/,
      replace: (_, before, between) => `${before}'${s3.hostname}/32'${between}${s3.port}]`,
    },
    // The suite has no mail server and no Sentry, and the app sends neither mail nor events: their
    // network paths go, rather than point anywhere.
    { why: 'externalServices[smtp]: none in the suite', find: entryWithComment('smtp'), replace: () => '' },
    { why: 'externalServices[sentry]: none in the suite', find: entryWithComment('sentry'), replace: () => '' },
    {
      why: 'settings: the S3 test host\'s region and endpoint',
      find: /s3Region: '[a-z0-9-]+',/,
      replace: () => `s3Region: '${h.s3.region}',\n    s3Endpoint: '${h.s3.endpoint}',`,
    },
    {
      why: 'settings.secretEnv: an access key for the S3-compatible server, from the settings Secret',
      find: /secretEnv: \[\n([ \t]*)\{ name: 'SECRET_KEY', secretName: '([a-z0-9-]+)'/,
      replace: (match, indent, secret) => `secretEnv: [\n${indent}{ name: 'AWS_ACCESS_KEY_ID', secretName: '${secret}', key: '${h.s3Keys.accessKey}' },\n`
        + `${indent}{ name: 'AWS_SECRET_ACCESS_KEY', secretName: '${secret}', key: '${h.s3Keys.secretKey}' },\n${match.slice('secretEnv: [\n'.length)}`,
    },
    {
      why: 'settings.staticBucket: the statics bucket of the S3 test host',
      find: /\/\/ TODO\(import\): the statics bucket[^\n]*\n([ \t]*)staticBucket: '[a-z0-9.-]+',/,
      replace: (_, indent) => `// The statics bucket, public-read on the S3 test host.\n${indent}staticBucket: '${h.staticBucket}',`,
    },
    {
      why: 'broker: a Redis database of its own on the shared Redis test host',
      find: /broker: \{ kind: BrokerKind\.REDIS, secretName: '([a-z0-9-]+)' \}/,
      replace: (_, secret) => `broker: { kind: BrokerKind.REDIS, secretName: '${secret}', redisDatabaseIndex: ${h.redisDatabaseIndex} }`,
    },
  ];
}

/**
 * The bakery's imported main.ts, pointed at the test hosts. Throws when an edit finds its target not
 * exactly once, or when a placeholder address is left outside a comment.
 */
export function pointAtTestHosts(mainTs: string, hosts: TestHosts): string {
  let text = mainTs;
  for (const edit of edits(hosts)) {
    const found = text.match(new RegExp(edit.find.source, 'g')) ?? [];
    if (found.length !== 1) {
      throw new Error(`main.ts: ${edit.why}: expected ${edit.find} exactly once, found it ${found.length} times (the import's output changed: update test/compose/bakery-test-hosts.ts)`);
    }
    text = text.replace(edit.find, edit.replace as (substring: string, ...args: any[]) => string);
  }
  const left = placeholdersIn(text, { skipComments: true });
  if (left.length) throw new Error(`main.ts still has placeholder addresses after the edits: ${left.join('; ')}`);
  return `// Pointed at the shop suite's test hosts (test/compose/bakery-test-hosts.ts) after the import.\n${text}`;
}

/** The lines of a text that hold a placeholder address (without comment lines, for TypeScript). */
export function placeholdersIn(text: string, options: { skipComments?: boolean } = {}): string[] {
  return text.split('\n').map((line, i) => [i + 1, line] as const)
    .filter(([, line]) => PLACEHOLDER.test(line) && !(options.skipComments && /^\s*\/\//.test(line)))
    .map(([n, line]) => `line ${n}: ${line.trim()}`);
}
