// Maps what the app reaches outside itself: the data stores and stateless services of the compose file,
// and the backing services its variables address (a managed database, SMTP, Sentry, S3), onto
// externalServices with their ports and the component groups that reach them.
import { ComponentGroup } from '../../app/app-parts';
import { urlsIn } from '../hosts';
import { Classified, DEFAULT_PORTS, EXTRA_ROLES, STATEFUL_ROLES } from '../roles';
import { ExternalServiceProps } from './chart-props';
import { A, BackingKind, BROKER_VARS, C, GroupName, MappingContext } from './context';
import { references } from './services';
import { classifyName, dnsLabel, intOf, ipv4, isLocalHost, parsePorts, sorted, uniq } from './values';

/** Ports of products the role table does not know, by image name. */
export const DEFAULT_IMAGE_PORTS: Record<string, number[]> = {
  meilisearch: [7700],
  typesense: [8108],
  solr: [8983],
  clickhouse: [8123],
  influxdb: [8086],
  qdrant: [6333],
  neo4j: [7687],
  cassandra: [9042],
  etcd: [2379],
  couchdb: [5984],
  nats: [4222],
  milvus: [19530],
  weaviate: [8080],
  imgproxy: [8080],
  gotenberg: [3000],
  clamav: [3310],
};

/** What a URL scheme addresses: its kind, product and default port. */
export const SCHEMES: Record<string, [BackingKind, string, number]> = {
  postgres: ['database', 'PostgreSQL', 5432],
  postgresql: ['database', 'PostgreSQL', 5432],
  postgis: ['database', 'PostgreSQL', 5432],
  pgsql: ['database', 'PostgreSQL', 5432],
  psql: ['database', 'PostgreSQL', 5432],
  mysql: ['database', 'MySQL', 3306],
  mysql2: ['database', 'MySQL', 3306],
  mariadb: ['database', 'MySQL', 3306],
  redis: ['cache', 'Redis', 6379],
  rediss: ['cache', 'Redis', 6379],
  amqp: ['broker', 'RabbitMQ', 5672],
  pyamqp: ['broker', 'RabbitMQ', 5672],
  librabbitmq: ['broker', 'RabbitMQ', 5672],
  amqps: ['broker', 'RabbitMQ', 5671],
  mongodb: ['database', 'MongoDB', 27017],
  memcache: ['cache', 'Memcached', 11211],
  memcached: ['cache', 'Memcached', 11211],
  pymemcache: ['cache', 'Memcached', 11211],
  smtp: ['mail', 'SMTP', 25],
  smtps: ['mail', 'SMTP', 465],
  submission: ['mail', 'SMTP', 587],
};

/** `<PREFIX>_HOST` variables: the kind, product and default port by prefix. */
export const HOST_PREFIXES: [RegExp, BackingKind, string, number | undefined][] = [
  [/^(POSTGRES|POSTGRESQL|PG|DB|DATABASE|SQL)$/, 'database', 'PostgreSQL', 5432],
  [/^(MYSQL|MARIADB)$/, 'database', 'MySQL', 3306],
  [/^(REDIS|CACHE)$/, 'cache', 'Redis', 6379],
  [/^(RABBITMQ|RABBIT|AMQP|BROKER)$/, 'broker', 'RabbitMQ', 5672],
  [/^(ELASTICSEARCH|ELASTIC|ES|OPENSEARCH|SEARCH)$/, 'search', 'Elasticsearch', 9200],
  [/^(EMAIL|SMTP|MAIL)$/, 'mail', 'SMTP', 25],
  [/^(MEMCACHED|MEMCACHE)$/, 'cache', 'Memcached', 11211],
  [/^(MONGO|MONGODB)$/, 'database', 'MongoDB', 27017],
];

/** http(s) variables that address a service the app calls, by name; public URLs (STATIC_URL, SITE_URL, ...) are not. */
export const HTTP_HINTS: [RegExp, BackingKind, string, string][] = [
  [/ELASTIC|OPENSEARCH|(^|_)ES_|SEARCH|SOLR|MEILI|TYPESENSE/, 'search', 'the search service', 'search'],
  [/SENTRY|(^|_)DSN$/, 'monitoring', 'Sentry', 'sentry'],
  [/(^|_)(API|SERVICE)_(URL|URI|ENDPOINT|HOST)$/, 'api', 'an API', ''],
];

export function planExternals(ctx: MappingContext): void {
  const appCode = ctx.appCodeServices();
  const groupsOf = new Map<string, Set<GroupName>>();
  const reach = (from: Classified[], group: GroupName) => {
    for (const c of from) {
      for (const r of references(ctx, c)) {
        const set = groupsOf.get(r) ?? new Set<GroupName>();
        set.add(group);
        groupsOf.set(r, set);
      }
    }
  };
  reach(appCode, 'APP_CODE');
  if (ctx.frontend) reach([ctx.frontend], 'FRONTEND');
  for (const c of ctx.classified) {
    const stateful = STATEFUL_ROLES.includes(c.role);
    const extra = EXTRA_ROLES.includes(c.role);
    if (!stateful && !extra) continue;
    const groups = groupsOf.get(c.service.name) ?? new Set<GroupName>();
    if (!groups.size) continue;
    const declared = [...parsePorts(c.service.spec.ports), ...parsePorts(c.service.spec.expose)].map((p) => p.target);
    const addressed = [...appCode, ...(ctx.frontend ? [ctx.frontend] : [])].flatMap((x) => x.service.environment)
      .flatMap((e) => urlsIn(`${e.value ?? ''} ${e.template?.raw ?? ''}`)).filter((u) => u.host === c.service.name && u.port !== undefined).map((u) => u.port!);
    const defaults = uniq([...(DEFAULT_PORTS[c.role] ?? []), ...addressed]);
    const primary = declared.filter((p) => defaults.includes(p));
    const ports = uniq(primary.length ? primary : declared.length ? declared : defaults.length ? defaults : DEFAULT_IMAGE_PORTS[c.image?.name ?? ''] ?? DEFAULT_IMAGE_PORTS[c.from?.name ?? ''] ?? []).sort((a, b) => a - b);
    if (!ports.length) continue;
    const name = dnsLabel(c.service.name);
    ctx.externals.set(c.service.name, {
      name,
      service: c,
      ports,
      groups,
      extra,
      cidr: ctx.placeholderCidr(),
    });
  }
  planAddressed(ctx);
}

/**
 * Backing services the Django code addresses by a URL or a `<PREFIX>_HOST` that no compose service answers: a managed
 * database, search, broker, SMTP, Sentry. Each becomes an external service with the port of the URL (or the product's);
 * its address is the host when the host is an IPv4 address, else a placeholder. The database (the chart always gives
 * the app DATABASE_URL) and the broker of the workers get a placeholder entry when the compose file shows no address.
 */
export function planAddressed(ctx: MappingContext): void {
  const names = new Set(ctx.project.services.map((s) => s.name));
  const add = (host: string, port: number, kind: BackingKind, what: string, label: string, variable: string) => {
    const existing = ctx.addressed.get(host);
    if (existing) {
      if (!existing.ports.includes(port)) existing.ports.push(port);
      existing.variables.add(variable);
      return;
    }
    const taken = new Set([...[...ctx.externals.values()].map((e) => e.name), ...[...ctx.addressed.values()].map((a) => a.name), 's3']);
    let name = dnsLabel(label || host.split('.')[0], 40);
    for (let i = 2; taken.has(name); i++) name = `${dnsLabel(label || host.split('.')[0], 36)}-${i}`;
    const literal = ipv4(host);
    ctx.addressed.set(host, { name, host, ports: [port], cidr: literal ? `${host}/32` : ctx.placeholderCidr(), placeholder: !literal, kind, what, variables: new Set([variable]) });
  };
  const code = ctx.appCodeServices();
  const envs = code.flatMap((c) => c.service.environment).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const literal = (name: string) => envs.find((e) => e.name === name && e.value !== undefined && e.value !== '')?.value;
  for (const e of envs) {
    const value = e.value ?? '';
    if (!value) continue;
    if (e.name === 'AWS_S3_ENDPOINT_URL') {
      const u = urlsIn(value)[0];
      if (u && !e.template && !e.fromShell && !names.has(u.host) && !isLocalHost(u.host) && /^https?$/.test(u.scheme)) ctx.s3EndpointUrl = value;
      continue;
    }
    const urls = urlsIn(value);
    for (const u of urls) {
      if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(u.host)) {
        // An interpolated host left empty by an unset variable: the address is unknowable from the file.
        if (SCHEMES[u.scheme] || /^https?$/.test(u.scheme)) ctx.unknownAddresses.add(e.name);
        continue;
      }
      if (names.has(u.host) || isLocalHost(u.host)) continue;
      const scheme = SCHEMES[u.scheme];
      if (scheme) {
        const [kind, what] = scheme;
        const brokerVar = BROKER_VARS.includes(e.name);
        add(u.host, u.port ?? scheme[2], brokerVar ? 'broker' : e.name === 'DATABASE_URL' ? 'database' : kind, what, brokerVar ? 'broker' : what === 'PostgreSQL' ? 'postgres' : what.toLowerCase(), e.name);
      } else if (/^https?$/.test(u.scheme) && !/(STATIC|MEDIA|SITE|PUBLIC|FRONTEND|BROWSER|CLIENT|REDIRECT|CALLBACK|ORIGIN|CORS|CSRF|ALLOWED|DOMAIN)/.test(e.name)) {
        const hint = HTTP_HINTS.find(([re]) => re.test(e.name));
        if (hint) add(u.host, u.port ?? (u.scheme === 'https' ? 443 : 80), hint[1], hint[2], hint[3] || e.name.replace(/_(URL|URI|ENDPOINT|HOST)$/, ''), e.name);
      }
    }
    if (!urls.length && /_URL$|_DSN$/.test(e.name) && /^[a-z][a-z0-9+.-]*:\/\/(@|:|\/|$)/i.test(value)) ctx.unknownAddresses.add(e.name);
    const host = /^(.*)_HOST$/.exec(e.name);
    if (host && !urls.length && /^[A-Za-z0-9.-]+$/.test(value) && value.includes('.') && !names.has(value) && !isLocalHost(value)) {
      const prefix = HOST_PREFIXES.find(([re]) => re.test(host[1]));
      const port = intOf(literal(`${host[1]}_PORT`) ?? '') ?? prefix?.[3];
      if (prefix && port !== undefined) add(value, port, prefix[1], prefix[2], prefix[1] === 'mail' ? 'smtp' : prefix[2] === 'PostgreSQL' ? 'postgres' : prefix[2].toLowerCase(), e.name);
    }
  }
  const reached = [...ctx.externals.values()].filter((x) => x.groups.has('APP_CODE')).map((x) => x.service.role);
  const addressedKinds = [...ctx.addressed.values()].map((a) => a.kind);
  if (!reached.some((r) => ['postgres', 'mysql', 'pgbouncer', 'mongodb'].includes(r)) && !addressedKinds.includes('database')) {
    ctx.addressed.set('', { name: 'database', host: '', ports: [5432], cidr: ctx.placeholderCidr(), placeholder: true, kind: 'database', what: 'PostgreSQL', variables: new Set(['DATABASE_URL']) });
  }
  const brokerUrl = envs.filter((e) => BROKER_VARS.includes(e.name)).flatMap((e) => urlsIn(e.value ?? ''))[0];
  const brokerReached = brokerUrl ? names.has(brokerUrl.host) || ctx.addressed.has(brokerUrl.host) : reached.some((r) => r === 'redis' || r === 'rabbitmq');
  if (ctx.ofRole('celery-worker').length && !brokerReached) {
    const rabbit = brokerUrl ? /^(amqp|pyamqp|librabbitmq)/.test(brokerUrl.scheme) : !!ctx.ofRole('rabbitmq').length;
    ctx.addressed.set(' broker', { name: 'broker', host: '', ports: [rabbit ? 5672 : 6379], cidr: ctx.placeholderCidr(), placeholder: true, kind: 'broker', what: rabbit ? 'RabbitMQ' : 'Redis', variables: new Set(['CELERY_BROKER_URL']) });
  }
}

export function externalServicesProps(ctx: MappingContext): ExternalServiceProps[] {
  const list: ExternalServiceProps[] = [];
  const group = (g: GroupName) => ComponentGroup[g];
  let i = 0;
  const outside: [string, string][] = [];
  for (const e of [...ctx.externals.values()]) {
    const c = e.service;
    const o = ctx.out(c);
    const flower: GroupName[] = ctx.flowerService && c.service.name === ctx.brokerServiceName ? ['FLOWER'] : [];
    const groups = sorted([...e.groups, ...flower]).filter((g) => g !== 'EDGE' || ctx.hasEdge).filter((g) => g !== 'FRONTEND' || !!ctx.frontend);
    const reachedBy = groups.length === 1 && groups[0] === 'APP_CODE' ? undefined : groups.map(group);
    const at = `externalServices[${i++}]`;
    list.push({ name: e.name, cidrs: [e.cidr], ports: e.ports, reachedBy });
    if (e.extra) {
      // The validation gate's traffic matrix takes CIDR externals only, so a namespace is the team's choice, not the default.
      ctx.comment(at, `compose service ${c.service.name} (${c.product ?? c.image?.repository}): the chart has no component for it. TODO(import): run it outside the app and put its address here (${e.cidr} is a placeholder); when it runs in this cluster, \`namespace: '<its namespace>'\` replaces \`cidrs\`.`);
      ctx.becomes.set(c.service.name, `externalServices: ${e.name} (ports ${e.ports.join(', ')}), run outside the app`);
      o.set('image', A, `${c.image?.ref ?? 'its build'} is not run by the generated app (the chart has no component for it): run it on its own (its Helm chart in a namespace of its own, or a managed service) and open the path to it (externalServices ${e.name})`);
      outside.push([c.service.name, `${e.name} (${c.image?.ref ?? 'its build'}, port ${e.ports.join(', ')})`]);
      ctx.needProp('DjangoAppChartProps.extraComponents', 'a stateless service of the compose file (Tika, Logstash, any image) as a hardened Deployment + Service in the app namespace, with its NetworkPolicy', c.service.name);
    } else {
      ctx.comment(at, `compose service ${c.service.name} (${c.product}): runs outside the cluster. TODO(import): its address (${e.cidr} is a placeholder).`);
      ctx.becomes.set(c.service.name, `externalServices: ${e.name} (ports ${e.ports.join(', ')}), outside the cluster${c.service.name === ctx.brokerServiceName ? '; the Celery broker' : ''}`);
      // A database image built FROM the product (postgres:16) has the product's version in its FROM.
      const img = c.from && (!c.image || !STATEFUL_ROLES.includes(classifyName(c.image.name))) ? c.from : c.image;
      const major = img?.tag && /^[0-9]/.test(img.tag) ? img.tag.split(/[.-]/)[0] : undefined;
      const key = c.image ? 'image' : 'build';
      o.set(key, A, `${c.image?.ref ?? 'its build'}${img !== c.image && img ? ` (FROM ${img.ref})` : ''}: ${c.product} holds state, so it is not run in the cluster: use a managed ${c.product}${major ? ` ${major}` : ''} (compose ran ${img?.tag ?? 'an untagged image'}) and open the path to it (externalServices ${e.name})`);
      if (c.image && c.service.spec.build !== undefined) o.set('build', A, `${c.context?.dockerfile ?? 'the build'}${c.from ? ` builds FROM ${c.from.ref}` : ''}: not built for the cluster; the managed ${c.product} replaces it`);
      ctx.addTodo('Managed services', `Provide ${c.product} for ${c.service.name} outside the cluster (a managed service${major ? `, version ${major}` : ''}) and put its addresses into externalServices[${e.name}].cidrs in main.ts (${e.cidr} is a placeholder).`, [c.service.name]);
    }
    const declared = [...parsePorts(c.service.spec.ports), ...parsePorts(c.service.spec.expose)];
    const extraPorts = declared.filter((p) => !e.ports.includes(p.target)).map((p) => p.target);
    for (const key of ['ports', 'expose']) {
      if (c.service.spec[key] === undefined) continue;
      const published = parsePorts(c.service.spec[key]).some((p) => p.published !== undefined);
      o.set(key, published || extraPorts.length ? A : C, `the app reaches ${e.ports.join(', ')}${extraPorts.length ? `; ${uniq(extraPorts).join(', ')} (admin or cluster ports) not opened` : ''}${published ? '; nothing is published on a host' : ''}`);
    }
  }
  if (outside.length) {
    ctx.addTodo('Services outside the chart', `Run these services outside the app, for example each from its Helm chart in a namespace of its own, and put each address into its externalServices entry in main.ts (cidrs, or namespace when it runs in the cluster) and into the Secret keys of the variables that address it: ${outside.map(([, d]) => d).join(', ')}.`, outside.map(([n]) => n));
  }
  const named: string[] = [];
  for (const a of ctx.addressed.values()) {
    const at = `externalServices[${i++}]`;
    // Flower reaches the broker of the workers, and nothing else.
    const flower = ctx.flowerService && !ctx.brokerServiceName && (a.kind === 'broker' || [...a.variables].some((v) => BROKER_VARS.includes(v)));
    list.push({ name: a.name, cidrs: [a.cidr], ports: [...a.ports].sort((x, y) => x - y), reachedBy: flower ? [group('APP_CODE'), group('FLOWER')] : undefined });
    const vars = sorted([...a.variables]).join(', ');
    if (!a.host) {
      const role = a.kind === 'database' ? 'the database the chart gives the app as DATABASE_URL' : 'the Celery broker of the workers';
      ctx.comment(at, `${role}: the compose file gives no address for it (${a.what} assumed). TODO(import): its address and port (${a.cidr} is a placeholder).`);
      ctx.addTodo('Managed services', `The compose file shows no address for ${role}: provide ${a.what} (or your own), and put its address and port into externalServices[${a.name}] in main.ts (${a.cidr} is a placeholder) and its URL into the Secret key that ${vars} reads.`);
    } else if (a.placeholder) {
      ctx.comment(at, `${a.what} at ${a.host} (from ${vars}), outside the cluster. TODO(import): the addresses of ${a.host}: a NetworkPolicy matches IP ranges, not names (${a.cidr} is a placeholder).`);
      named.push(`${a.name} (${a.host})`);
    } else {
      ctx.comment(at, `${a.what} at ${a.host} (from ${vars}), outside the cluster.`);
    }
  }
  if (named.length) {
    ctx.addTodo('Managed services', `Put the IP ranges of the hosts the app reaches into their externalServices cidrs in main.ts (a NetworkPolicy matches addresses, not names; the cidrs are placeholders): ${named.join(', ')}.`);
  }
  const s3Groups = ctx.hasEdge ? [group('APP_CODE'), group('EDGE')] : undefined;
  const endpoint = ctx.s3EndpointUrl ? urlsIn(ctx.s3EndpointUrl)[0] : undefined;
  if (endpoint) {
    const literal = ipv4(endpoint.host);
    const cidr = literal ? `${endpoint.host}/32` : ctx.placeholderCidr();
    list.push({ name: 's3', cidrs: [cidr], ports: [endpoint.port ?? (endpoint.scheme === 'https' ? 443 : 80)], reachedBy: s3Groups });
    ctx.comment(`externalServices[${list.length - 1}]`, `S3: the S3-compatible store at ${endpoint.host} (AWS_S3_ENDPOINT_URL), the media and statics buckets${ctx.hasEdge ? ' (the edge streams downloads and statics from it)' : ''}.${literal ? '' : ` TODO(import): the addresses of ${endpoint.host} (${cidr} is a placeholder).`}`);
    if (!literal) ctx.addTodo('Managed services', `Replace the placeholder CIDR of externalServices[s3] with the addresses of ${endpoint.host}, the S3-compatible store (AWS_S3_ENDPOINT_URL).`);
  } else {
    list.push({ name: 's3', cidrs: [ctx.placeholderCidr()], ports: [443], reachedBy: s3Groups });
    ctx.comment(`externalServices[${list.length - 1}]`, `S3: the media and statics buckets${ctx.hasEdge ? ' (the edge streams downloads and statics from it)' : ''}. TODO(import): the S3 address ranges of your region.`);
    ctx.addTodo('Managed services', 'Replace the placeholder CIDR of externalServices[s3] with the S3 address ranges of your region (or the address of your S3-compatible store).');
  }
  if (ctx.unknownAddresses.size) {
    ctx.addTodo('Network', `The NetworkPolicies deny everything the components do not need, and the compose file leaves the host of ${sorted([...ctx.unknownAddresses]).join(', ')} unknown (an unset variable): add those services to externalServices in main.ts.`);
  }
  return list;
}
