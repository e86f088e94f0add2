import { BuildContext } from './build-context';
import { analyzeCommand, AnalyzedCommand, CommandAnalysis } from './commands';
import { ComposeService } from './compose';

/** What a compose service is, as far as the generated app is concerned. */
export type Role =
  | 'django-backend' | 'celery-worker' | 'celery-beat' | 'celery-flower'
  | 'migrate' | 'collectstatic' | 'django-management'
  | 'nuxt-frontend' | 'nginx-edge' | 'reverse-proxy'
  | 'postgres' | 'mysql' | 'redis' | 'rabbitmq' | 'elasticsearch' | 'mongodb' | 'memcached' | 'minio' | 'kafka' | 'zookeeper' | 'pgbouncer' | 'stateful'
  | 'logstash' | 'grafana' | 'kibana' | 'tika' | 'mail-catcher' | 'admin-tool' | 'monitoring' | 'stateless';

/** The groups of roles, by what the generated app does with them. */
export const APP_CODE_ROLES: Role[] = ['django-backend', 'celery-worker', 'celery-beat', 'migrate', 'collectstatic', 'django-management'];
/** Services that keep data, or that the app treats as a managed service: they become external services. */
export const STATEFUL_ROLES: Role[] = ['postgres', 'mysql', 'redis', 'rabbitmq', 'elasticsearch', 'mongodb', 'memcached', 'minio', 'kafka', 'zookeeper', 'pgbouncer', 'stateful'];
/** Stateless services the chart has no component for: reported, and reached in their own namespace when the app calls them. */
export const EXTRA_ROLES: Role[] = ['logstash', 'tika', 'stateless'];
/** Tools for people, not for the app. */
export const TOOL_ROLES: Role[] = ['celery-flower', 'grafana', 'kibana', 'mail-catcher', 'admin-tool', 'monitoring', 'reverse-proxy'];

export interface ImageRef {
  /** As written. */
  readonly ref: string;
  /** Without tag and digest. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** The last path segment of the repository. */
  readonly name: string;
}

export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { ref, repository: rest, tag: tag || undefined, digest, name: rest.slice(rest.lastIndexOf('/') + 1).toLowerCase() };
}

const IMAGE_ROLES: [RegExp, Role, string][] = [
  [/^(postgres|postgis|postgresql|timescaledb(-ha)?|pgvector|postgresql-repmgr)$/, 'postgres', 'PostgreSQL'],
  [/^(mysql|mariadb|percona(-server)?)$/, 'mysql', 'MySQL'],
  [/^(redis|redis-stack|redis-stack-server|valkey|keydb|dragonfly)$/, 'redis', 'Redis'],
  [/^rabbitmq$/, 'rabbitmq', 'RabbitMQ'],
  [/^(elasticsearch|opensearch)$/, 'elasticsearch', 'Elasticsearch'],
  [/^(mongo|mongodb)$/, 'mongodb', 'MongoDB'],
  [/^memcached$/, 'memcached', 'Memcached'],
  [/^minio$/, 'minio', 'MinIO'],
  [/^(kafka|cp-kafka|redpanda)$/, 'kafka', 'Kafka'],
  [/^(zookeeper|cp-zookeeper)$/, 'zookeeper', 'ZooKeeper'],
  [/^(pgbouncer|pgpool|pgpool2|odyssey)$/, 'pgbouncer', 'a PostgreSQL connection pooler'],
  [/^(cassandra|clickhouse|clickhouse-server|influxdb|neo4j|qdrant|weaviate|etcd|couchdb|nats|meilisearch|typesense|solr|milvus)$/, 'stateful', 'a data store'],
  [/^logstash(-oss)?$/, 'logstash', 'Logstash'],
  [/^grafana(-oss|-enterprise)?$/, 'grafana', 'Grafana'],
  [/^(kibana|opensearch-dashboards)$/, 'kibana', 'Kibana'],
  [/^(tika|tika-server)$/, 'tika', 'Apache Tika'],
  [/^(mailhog|mailpit|maildev|mailcatcher|smtp4dev)$/, 'mail-catcher', 'a mail catcher'],
  [/^(pgadmin4?|adminer|phpmyadmin|redis-commander|redisinsight)$/, 'admin-tool', 'an admin UI'],
  [/^(prometheus|alertmanager|jaeger|all-in-one|loki|promtail|node-exporter|cadvisor|otel-collector|opentelemetry-collector(-contrib)?|statsd|telegraf|datadog-agent|sentry)$/, 'monitoring', 'monitoring'],
  [/^(nginx|nginx-unprivileged|openresty|angie)$/, 'nginx-edge', 'nginx'],
  [/^(traefik|caddy|haproxy|envoy)$/, 'reverse-proxy', 'a reverse proxy'],
  [/^flower$/, 'celery-flower', 'Flower'],
];

/** The roles image names give, for the mapper. */
export const IMAGE_ROLE_NAMES: readonly [RegExp, Role, string][] = IMAGE_ROLES;

export interface Classified {
  readonly service: ComposeService;
  readonly role: Role;
  readonly recognisedBy: string;
  readonly analysis: CommandAnalysis;
  readonly image?: ImageRef;
  /** The product the image is (PostgreSQL, Redis, ...), for stateful and extra roles. */
  readonly product?: string;
  /** The build context's Dockerfile, when the service has one next to the compose file. */
  readonly context?: BuildContext;
  /** The image the Dockerfile builds on (`FROM postgres:16`). */
  readonly from?: ImageRef;
}

function productName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const SERVER_KINDS = ['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'runserver'];

function describeCommand(c: AnalyzedCommand): string {
  return c.argv.slice(0, 4).join(' ') + (c.argv.length > 4 ? ' …' : '');
}

function buildContext(spec: Record<string, any>): string | undefined {
  if (typeof spec.build === 'string') return spec.build;
  if (spec.build && typeof spec.build.context === 'string') return spec.build.context;
  return spec.build ? '.' : undefined;
}

/**
 * Recognises a service's role from its command first (through the scripts its image copies, and the image's ENTRYPOINT
 * and CMD when the service sets no command), then its image, then the image its Dockerfile builds on, then its build
 * context and name.
 */
export function classify(service: ComposeService, context?: BuildContext): Classified {
  const spec = service.spec;
  const analysis = analyzeCommand(spec, context);
  const image = typeof spec.image === 'string' && spec.image ? parseImage(spec.image) : undefined;
  const from = context?.from ? parseImage(context.from) : undefined;
  const kinds = analysis.commands.map((c) => c.kind);
  const through = `${analysis.scripts.length ? `, through the image's ${analysis.scripts.join(', ')}` : ''}${analysis.fromImage && context ? ` (the ${context.dockerfile} ENTRYPOINT/CMD)` : ''}`;
  const result = (role: Role, recognisedBy: string, product?: string): Classified => ({
    service, role, recognisedBy: recognisedBy.startsWith('command') ? `${recognisedBy}${through}` : recognisedBy, analysis, image, product, context, from,
  });

  const server = analysis.commands.find((c) => SERVER_KINDS.includes(c.kind));
  if (server) return result('django-backend', `command runs ${server.kind === 'runserver' ? 'manage.py runserver' : server.kind} (${describeCommand(server)})`);
  const worker = analysis.commands.find((c) => c.kind === 'celery-worker');
  if (worker) return result('celery-worker', `command runs a Celery worker (${describeCommand(worker)})`);
  const beat = analysis.commands.find((c) => c.kind === 'celery-beat');
  if (beat) return result('celery-beat', `command runs Celery beat (${describeCommand(beat)})`);
  const flower = analysis.commands.find((c) => c.kind === 'celery-flower');
  if (flower) return result('celery-flower', `command runs Flower (${describeCommand(flower)})`, 'Flower');
  if (kinds.length && kinds.every((k) => k === 'manage')) {
    const subs = analysis.commands.map((c) => c.manage ?? '');
    const what = `command runs manage.py ${subs.join(', ')}`;
    if (subs.some((s) => s === 'migrate' || s === 'migrate_schemas')) return result('migrate', what);
    if (subs.includes('collectstatic')) return result('collectstatic', what);
    return result('django-management', what);
  }
  if (image) {
    for (const [re, role, product] of IMAGE_ROLES) {
      if (re.test(image.name)) return result(role, `image ${image.repository}`, role === 'stateful' ? productName(image.name) : product);
    }
  }
  if (from) {
    for (const [re, role, product] of IMAGE_ROLES) {
      if (re.test(from.name)) return result(role, `${context!.dockerfile} builds FROM ${from.ref}`, role === 'stateful' ? productName(from.name) : product);
    }
  }
  if (kinds.includes('nginx')) return result('nginx-edge', 'command runs nginx', 'nginx');
  const node = analysis.commands.find((c) => c.kind === 'node');
  if (node) return result('nuxt-frontend', `command runs a Node server (${describeCommand(node)})`);
  if (image && image.name === 'node') return result('nuxt-frontend', `image ${image.repository} (a Node server)`);
  if (from && from.name === 'node') return result('nuxt-frontend', `${context!.dockerfile} builds FROM ${from.ref} (a Node server)`);
  const contextPath = buildContext(spec) ?? '';
  const name = service.name.toLowerCase();
  if (/(front|nuxt|client|web-?ui|spa)/.test(`${name} ${contextPath.toLowerCase()}`)) {
    return result('nuxt-frontend', `name or build context "${contextPath || name}" (a frontend)`);
  }
  if (/^(web|backend|api|django|app|server)$/.test(name) && (spec.build || image)) {
    return result('django-backend', `service name "${service.name}" (no command: the image's CMD is assumed to start the Django web server)`);
  }
  return result('stateless', image ? `image ${image.repository} (not a known product)` : `build ${contextPath} (not a known product)`, image?.repository ?? service.name);
}

/** Roles the generated app turns into components of the chart. */
export function isComponentRole(role: Role): boolean {
  return APP_CODE_ROLES.includes(role) || role === 'nuxt-frontend' || role === 'nginx-edge';
}

/** The port a product listens on when the compose file does not say. */
export const DEFAULT_PORTS: Partial<Record<Role, number[]>> = {
  'postgres': [5432],
  'mysql': [3306],
  'redis': [6379],
  'rabbitmq': [5672],
  'elasticsearch': [9200],
  'mongodb': [27017],
  'memcached': [11211],
  'minio': [9000],
  'kafka': [9092],
  'zookeeper': [2181],
  'pgbouncer': [6432],
  'logstash': [8080],
  'tika': [9998],
  'grafana': [3000],
  'kibana': [5601],
  'celery-flower': [5555],
};
