import * as fs from 'fs';
import * as path from 'path';
import { readBuildContext } from './build-context';
import { EnumRef, PlanObject, PlanValue } from './codegen';
import { AnalyzedCommand, flag, option, otherOptions, positional } from './commands';
import { ComposeProject, ComposeService, ImportError, requireResolved, ServiceEnv } from './compose';
import { hasCredentials, hostsIn, urlsIn } from './hosts';
import { NginxLocation, nginxSite, NginxSite, parseNginx } from './nginx-conf';
import { KeyOutcome, KeyStatus, MigrationReport, MissingProp, RouteOutcome, SecretKeyOutcome, ServiceOutcome, TodoItem, VolumeOutcome } from './report';
import { APP_CODE_ROLES, Classified, classify, DEFAULT_PORTS, EXTRA_ROLES, IMAGE_ROLE_NAMES, isComponentRole, Role, STATEFUL_ROLES } from './roles';
import { quoteArgv } from './shell';
import { cpuFromMillis, cpuMillis, cpuQuantity, durationSeconds, memoryBytes, memoryQuantity, parseBytes } from './units';

const C = KeyStatus.CONVERTED;
const A = KeyStatus.APPROXIMATED;
const D = KeyStatus.DROPPED;

/** The generated app, as data: the chart props, the comments above them, and the report. */
export interface MappedApp {
  readonly appName: string;
  /** The chart's id, which is also the render folder. */
  readonly chartId: string;
  readonly props: PlanObject;
  readonly comments: Map<string, string[]>;
  readonly report: MigrationReport;
  /** The package's repository URL (a placeholder the team replaces). */
  readonly repositoryUrl: string;
}

interface Resources {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
}

type SizeKind = 'backend' | 'worker' | 'beat' | 'job' | 'frontend' | 'edge';

/** Starting sizes when compose gives none: a team measures and adjusts them. */
const DEFAULT_SIZES: Record<SizeKind, Resources> = {
  backend: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  worker: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  beat: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
  job: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  frontend: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
  edge: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
};

/** Ports of products the role table does not know, by image name. */
const DEFAULT_IMAGE_PORTS: Record<string, number[]> = {
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

/** Variables the chart itself sets on the Django code (the README's app-side contract). */
const CHART_SET_APP_VARS = [
  'DJANGO_SETTINGS_MODULE', 'DATABASE_URL', 'DJANGO_SECRET_KEY', 'AWS_STORAGE_BUCKET_NAME', 'AWS_S3_REGION_NAME', 'AWS_S3_ENDPOINT_URL',
  'DJANGO_STATIC_BUCKET', 'STATIC_URL', 'DJANGO_DEFAULT_STORAGE_BACKEND', 'DJANGO_STATICFILES_STORAGE_BACKEND', 'CELERY_BROKER_URL',
  'CELERY_TASK_ACKS_LATE', 'CELERY_TASK_REJECT_ON_WORKER_LOST', 'CELERY_WORKER_PREFETCH_MULTIPLIER', 'CELERY_BROKER_VISIBILITY_TIMEOUT',
  'CELERY_WORKER_HEARTBEAT_FILE', 'CELERY_WORKER_HEARTBEAT_INTERVAL', 'CELERY_WORKER_QUEUE',
];
const CHART_SET_FRONTEND_VARS = ['NODE_ENV', 'HOST', 'PORT'];
const BROKER_VARS = ['CELERY_BROKER_URL', 'BROKER_URL', 'CELERY_BROKER'];

const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|SECRETS|TOKEN|TOKENS|KEY|KEYS|APIKEY|CREDENTIAL|CREDENTIALS|DSN|AUTH|SALT|SIGNATURE|PRIVATE|CERT|COOKIE|WEBHOOK)(_|$)/i;

/** A DNS label (RFC 1123) made from a compose name: lowercase, `-` for anything else, at most 63 characters. */
export function dnsLabel(s: string, max = 63): string {
  const label = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return label || 'app';
}

/** The Secret key for an environment variable: `SENTRY_DSN` → `sentry-dsn`. */
function secretKeyFor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'value';
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function sorted(xs: string[]): string[] {
  return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listOf(v: unknown): any[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function intOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[0-9]+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A mount of a service, normalized from the short or long syntax. */
interface Mount {
  readonly service: string;
  readonly index: number;
  readonly type: 'volume' | 'bind' | 'tmpfs' | 'anonymous' | 'other';
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
}

function parseMount(service: string, index: number, v: unknown): Mount | undefined {
  if (typeof v === 'string') {
    const parts = v.split(':');
    // Windows drive letters are not supported; a single part is an anonymous volume.
    if (parts.length === 1) return { service, index, type: 'anonymous', target: parts[0], readOnly: false };
    const [source, target, mode = ''] = parts;
    const bind = /^[.~/$]/.test(source);
    return { service, index, type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  }
  if (isObject(v) && typeof v.target === 'string') {
    const type = ['volume', 'bind', 'tmpfs'].includes(v.type) ? v.type : v.source === undefined ? 'anonymous' : 'other';
    return { service, index, type: v.type === 'volume' && v.source === undefined ? 'anonymous' : type, source: v.source, target: v.target, readOnly: v.read_only === true };
  }
  return undefined;
}

interface PortSpec {
  readonly target: number;
  readonly published?: string;
}

function parsePorts(v: unknown): PortSpec[] {
  const out: PortSpec[] = [];
  for (const p of listOf(v)) {
    if (typeof p === 'number') {
      out.push({ target: p });
    } else if (typeof p === 'string') {
      const s = p.replace(/\/(tcp|udp|sctp)$/, '');
      const parts = s.split(':');
      const target = parts[parts.length - 1];
      const range = /^([0-9]+)(?:-([0-9]+))?$/.exec(target);
      if (!range) continue;
      const published = parts.length > 1 ? parts.slice(0, -1).join(':') : undefined;
      const lo = Number(range[1]);
      const hi = range[2] ? Number(range[2]) : lo;
      for (let t = lo; t <= hi && t - lo < 100; t++) out.push({ target: t, published });
    } else if (isObject(p) && intOf(p.target) !== undefined) {
      out.push({ target: intOf(p.target)!, published: p.published !== undefined ? String(p.published) : undefined });
    }
  }
  return out;
}

/** The compose healthcheck, read. */
interface Health {
  readonly form?: 'CMD' | 'CMD-SHELL' | 'NONE';
  readonly text?: string;
  readonly path?: string;
  readonly port?: number;
  readonly interval?: number;
  readonly timeout?: number;
  readonly retries?: number;
  readonly startPeriod?: number;
  readonly disabled: boolean;
}

function readHealth(h: unknown): Health | undefined {
  if (!isObject(h)) return undefined;
  let form: Health['form'];
  let text: string | undefined;
  if (typeof h.test === 'string') {
    form = 'CMD-SHELL';
    text = h.test;
  } else if (Array.isArray(h.test) && h.test.length) {
    const [head, ...rest] = h.test.map(String);
    if (head === 'NONE') {form = 'NONE';} else if (head === 'CMD-SHELL') {
      form = 'CMD-SHELL';
      text = rest.join(' ');
    } else {
      form = 'CMD';
      text = quoteArgv(head === 'CMD' ? rest : [head, ...rest]);
    }
  }
  const url = text ? urlsIn(text).find((u) => /^https?$/.test(u.scheme)) : undefined;
  return {
    form,
    text,
    path: url ? (url.rest.replace(/[#].*$/, '') || '/') : undefined,
    port: url?.port,
    interval: durationSeconds(h.interval),
    timeout: durationSeconds(h.timeout),
    retries: intOf(h.retries),
    startPeriod: durationSeconds(h.start_period),
    disabled: h.disable === true || form === 'NONE',
  };
}

/** The workloads of the chart that take PodOptions, as props of DjangoAppChartProps. */
type Workload = 'backend' | 'workers' | 'beat' | 'migrations' | 'collectStatic' | 'frontend' | 'edge' | `webServices[${number}]`;
const APP_WORKLOADS: Workload[] = ['backend', 'workers', 'beat', 'migrations', 'collectStatic'];
const WORKLOAD_MEMBER: Record<string, string> = {
  backend: 'backend pod', workers: 'worker queue', beat: 'beat pod', migrations: 'migration run', collectStatic: 'collectstatic run', frontend: 'frontend pod', edge: 'edge pod',
};

/** Whether a workload runs the Django code: the backend, a web service, the workers, beat and the jobs. */
function isAppWorkload(w: Workload): boolean {
  return APP_WORKLOADS.includes(w) || w.startsWith('webServices[');
}

function memberOf(w: Workload): string {
  return WORKLOAD_MEMBER[w] ?? 'web service pod';
}

/** The PodOptions the import gives one workload. */
interface PodPlan {
  readonly extraEnv: Map<string, string>;
  readonly extraSecretEnv: Map<string, PlanObject>;
  readonly extraArgs: string[];
  readonly extraVolumes: Map<string, PlanObject>;
  readonly nodeSelector: Map<string, string>;
  imagePullPolicy?: EnumRef;
}

class Outcomes {
  public readonly keys = new Map<string, KeyOutcome>();
  public set(key: string, status: KeyStatus, detail: string): void {
    this.keys.set(key, { key, status, detail });
  }
  public setIfAbsent(key: string, status: KeyStatus, detail: string): void {
    if (!this.keys.has(key)) this.set(key, status, detail);
  }
  public has(key: string): boolean {
    return this.keys.has(key);
  }
}

interface EnvUse {
  readonly service: Classified;
  readonly env: ServiceEnv;
  readonly key: string;
}

interface ExternalPlan {
  readonly name: string;
  readonly service: Classified;
  readonly ports: number[];
  readonly groups: Set<string>;
  /** A stateless service the chart has no component for (Tika, Logstash, any image), as opposed to a data store. */
  readonly extra: boolean;
  readonly cidr: string;
}

/** A backing service the app code addresses by a URL or host that is not a compose service (a managed database, SMTP, Sentry). */
interface AddressPlan {
  readonly name: string;
  readonly host: string;
  readonly ports: number[];
  readonly cidr: string;
  /** Whether the address is a placeholder: the host is a name (a NetworkPolicy takes addresses) or unknown. */
  readonly placeholder: boolean;
  readonly kind: BackingKind;
  /** What it is, for comments and the report (`PostgreSQL`, `SMTP`). */
  readonly what: string;
  readonly variables: Set<string>;
}

type BackingKind = 'database' | 'broker' | 'cache' | 'search' | 'mail' | 'monitoring' | 'storage' | 'api';

/** What a URL scheme addresses: its kind, product and default port. */
const SCHEMES: Record<string, [BackingKind, string, number]> = {
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
const HOST_PREFIXES: [RegExp, BackingKind, string, number | undefined][] = [
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
const HTTP_HINTS: [RegExp, BackingKind, string, string][] = [
  [/ELASTIC|OPENSEARCH|(^|_)ES_|SEARCH|SOLR|MEILI|TYPESENSE/, 'search', 'the search service', 'search'],
  [/SENTRY|(^|_)DSN$/, 'monitoring', 'Sentry', 'sentry'],
  [/(^|_)(API|SERVICE)_(URL|URI|ENDPOINT|HOST)$/, 'api', 'an API', ''],
];

/** The role an image name alone gives (for telling a product image from a project's own image name). */
function classifyName(name: string): Role {
  return IMAGE_ROLE_NAMES.find(([re]) => re.test(name))?.[1] ?? 'stateless';
}

function isLocalHost(host: string): boolean {
  return /^(localhost|127\.|0\.0\.0\.0$|::1$|\[::1\]$|host\.docker\.internal$)/.test(host);
}

function ipv4(host: string): boolean {
  return /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/.test(host);
}

/** Maps a compose project onto the generic app chart. */
export class ComposeMapper {
  private readonly classified: Classified[];
  private readonly byName = new Map<string, Classified>();
  private readonly outcomes = new Map<string, Outcomes>();
  private readonly becomes = new Map<string, string>();
  private readonly todo: TodoItem[] = [];
  private readonly secrets = new Map<string, { secret: string; key: string; variables: Set<string>; services: Set<string>; content: string }>();
  private readonly missing = new Map<string, { why: string; services: Set<string> }>();
  private readonly comments = new Map<string, string[]>();
  private readonly volumes: VolumeOutcome[] = [];
  private readonly routes: RouteOutcome[] = [];
  private readonly externals = new Map<string, ExternalPlan>();
  /** Backing services the app code addresses outside the compose file, by host. */
  private readonly addressed = new Map<string, AddressPlan>();
  /** Variables that hold an address whose host the compose file leaves unknown (an unset interpolation). */
  private readonly unknownAddresses = new Set<string>();
  /** The S3-compatible endpoint the app uses (settings.s3Endpoint), when the compose file names one outside it. */
  private s3EndpointUrl?: string;
  /** Compose service name → the Service name it has in the generated app (for rewriting addresses). */
  private readonly componentNames = new Map<string, { name: string; port: number }>();
  private readonly appName: string;
  private readonly appSecret: string;
  private readonly brokerSecret: string;
  private backend!: Classified;
  private frontend?: Classified;
  private edgeService?: Classified;
  /** Second Django web servers that become webServices (only behind an edge, which alone routes to them). */
  private webServers: Classified[] = [];
  /** Per web service: the path prefixes the compose nginx sends to it. */
  private readonly webPrefixes = new Map<Classified, string[]>();
  private hasEdge = false;
  private placeholderCidrs = 0;
  private userProps: PlanObject = {};
  private brokerServiceName?: string;
  private brokerKind: 'REDIS' | 'RABBITMQ' = 'REDIS';
  /** The compose services whose container each workload of the chart replaces. */
  private membership = new Map<Workload, Classified[]>();
  private readonly pods = new Map<Workload, PodPlan>();
  private brokerUrlNote = '';

  constructor(private readonly project: ComposeProject) {
    this.classified = project.services.filter((s) => s.active).map((s) => classify(s, readBuildContext(project.dir, s.spec.build)));
    for (const c of this.classified) this.byName.set(c.service.name, c);
    for (const s of project.services) this.outcomes.set(s.name, new Outcomes());
    this.appName = dnsLabel(project.name, 40);
    this.appSecret = `${this.appName}-app`;
    this.brokerSecret = `${this.appName}-broker`;
  }

  private out(c: Classified | ComposeService): Outcomes {
    return this.outcomes.get('service' in c ? c.service.name : c.name)!;
  }

  private addTodo(topic: string, text: string, services: string[] = []): void {
    const existing = this.todo.find((t) => t.topic === topic && t.text === text);
    if (existing) {
      for (const s of services) if (!existing.services.includes(s)) existing.services.push(s);
    } else {
      this.todo.push({ topic, text, services: [...services] });
    }
  }

  private needProp(prop: string, why: string, service: string): void {
    const m = this.missing.get(prop) ?? { why, services: new Set<string>() };
    m.services.add(service);
    this.missing.set(prop, m);
  }

  private comment(at: string, ...lines: string[]): void {
    this.comments.set(at, [...(this.comments.get(at) ?? []), ...lines]);
  }

  private addSecret(secret: string, key: string, variable: string, service: string, content: string): void {
    const id = `${secret}/${key}`;
    const s = this.secrets.get(id) ?? { secret, key, variables: new Set<string>(), services: new Set<string>(), content };
    s.variables.add(variable);
    s.services.add(service);
    this.secrets.set(id, s);
  }

  private podOf(w: Workload): PodPlan {
    let p = this.pods.get(w);
    if (!p) {
      p = { extraEnv: new Map(), extraSecretEnv: new Map(), extraArgs: [], extraVolumes: new Map(), nodeSelector: new Map() };
      this.pods.set(w, p);
    }
    return p;
  }

  /** The workloads a compose service's container became. */
  private workloadsOf(c: Classified): Workload[] {
    return [...this.membership.entries()].filter(([, members]) => members.includes(c)).map(([w]) => w);
  }

  /** A plain variable for the workloads of one service (e.g. an alias of a variable the chart sets). */
  private groupVar(c: Classified, name: string, v: { value: string }): void {
    for (const w of this.workloadsOf(c)) this.podOf(w).extraEnv.set(name, v.value);
  }

  /** Which compose services each workload replaces, decided before any of them is mapped. */
  private computeMembership(): void {
    const m = new Map<Workload, Classified[]>();
    m.set('backend', [this.backend]);
    this.webServers.forEach((c, i) => m.set(`webServices[${i}]`, [c]));
    const workers = this.ofRole('celery-worker');
    if (workers.length) m.set('workers', workers);
    const beat = this.ofRole('celery-beat')[0];
    if (beat && workers.length) m.set('beat', [beat]);
    const jobs = this.ofRole('migrate', 'django-management', 'collectstatic');
    const migrations = jobs.filter((j) => j.analysis.commands.some((x) => x.kind === 'manage' && x.manage !== 'collectstatic'));
    const backendMigrates = this.backend.analysis.commands.some((x) => x.kind === 'manage' && (x.manage === 'migrate' || x.manage === 'migrate_schemas'));
    if (migrations.length) m.set('migrations', migrations);
    else if (backendMigrates) m.set('migrations', [this.backend]);
    const collect = [...jobs, this.backend].find((j) => j.analysis.commands.some((x) => x.kind === 'manage' && x.manage === 'collectstatic'));
    if (collect) m.set('collectStatic', [collect]);
    if (this.frontend) m.set('frontend', [this.frontend]);
    if (this.edgeService) m.set('edge', [this.edgeService]);
    this.membership = m;
  }

  /** pull_policy, placement constraints, file secrets and configs: what PodOptions express. */
  private podOptionKeys(): void {
    const policies: Record<string, string> = { missing: 'IF_NOT_PRESENT', if_not_present: 'IF_NOT_PRESENT', never: 'NEVER' };
    for (const [w, members] of this.membership) {
      if (w === 'edge') continue;
      for (const c of members) {
        const s = c.service.spec;
        const o = this.out(c);
        const shared = members.length > 1 ? `; it applies to every ${memberOf(w)}` : '';
        if (s.pull_policy !== undefined) {
          const pp = String(s.pull_policy);
          if (policies[pp]) {
            this.podOf(w).imagePullPolicy = new EnumRef('ImagePullPolicy', policies[pp]);
            o.set('pull_policy', members.length > 1 ? A : C, `${w}.imagePullPolicy ImagePullPolicy.${policies[pp]}${shared}`);
          } else if (pp === 'always') {
            o.set('pull_policy', C, 'the kubelet pulls a tagged image on every start (imagePullPolicy Always, the default)');
          } else {
            o.set('pull_policy', D, `pull_policy ${pp}: CI builds the image; the cluster only pulls it`);
          }
        }
        const placement = isObject(s.deploy) && isObject(s.deploy.placement) ? s.deploy.placement : undefined;
        if (placement) {
          const carried: string[] = [];
          const dropped: string[] = [];
          for (const x of listOf(placement.constraints).map(String)) {
            const m = /^node\.labels\.([A-Za-z0-9._/-]+)\s*==\s*(\S+)$/.exec(x);
            if (m) {
              this.podOf(w).nodeSelector.set(m[1], m[2]);
              carried.push(`${m[1]}=${m[2]}`);
            } else {
              dropped.push(x);
            }
          }
          const rest = Object.keys(placement).filter((k) => k !== 'constraints');
          o.set('deploy.placement', dropped.length || rest.length || members.length > 1 ? A : C,
            `${carried.length ? `${w}.nodeSelector ${carried.join(', ')} (the nodes must carry the label)` : 'no node label constraint'}${dropped.length ? `; not carried: ${dropped.join(', ')} (swarm node roles and names)` : ''}${rest.length ? `; ${rest.join(', ')} not carried` : ''}${shared}`);
        }
        for (const [key, kind] of [['secrets', 'secret'], ['configs', 'config']] as const) {
          if (s[key] === undefined) continue;
          const mounted: string[] = [];
          for (const x of listOf(s[key])) {
            const source = String(isObject(x) ? x.source : x);
            const target = isObject(x) && typeof x.target === 'string' ? x.target : kind === 'secret' ? source : `/${source}`;
            const mountPath = target.startsWith('/') ? target : `/run/secrets/${target}`;
            const objectName = `${this.appName}-${dnsLabel(source)}`;
            const volume: PlanObject = { name: dnsLabel(`${kind}-${source}`), mountPath, [kind === 'secret' ? 'secretName' : 'configMapName']: objectName, subPath: secretKeyFor(source) };
            this.podOf(w).extraVolumes.set(String(volume.name), volume);
            mounted.push(`${objectName} (key ${secretKeyFor(source)}) at ${mountPath}`);
            if (kind === 'config') {
              const declared = isObject(this.project.top.configs) ? this.project.top.configs[source] : undefined;
              const file = isObject(declared) ? declared.file : undefined;
              this.addTodo('Configuration', `Create the ConfigMap ${objectName} with the key ${secretKeyFor(source)}${file ? ` from ${file} (kubectl create configmap ${objectName} --from-file=${secretKeyFor(source)}=${file})` : ''}: ${w} mounts it.`, [c.service.name]);
            }
          }
          o.set(key, members.length > 1 ? A : C, `${w}.extraVolumes: ${kind === 'secret' ? 'the Secret' : 'the ConfigMap'} ${mounted.join(', ')}, read-only${shared}`);
        }
      }
    }
  }

  /** Adds each workload's PodOptions to its props. */
  private applyPodOptions(props: PlanObject): void {
    for (const [w, p] of this.pods) {
      const service = /^webServices\[([0-9]+)\]$/.exec(w);
      const target = (service ? (props.webServices as PlanObject[] | undefined)?.[Number(service[1])] : props[w]) as PlanObject | undefined;
      if (!target) continue;
      if (p.imagePullPolicy) target.imagePullPolicy = p.imagePullPolicy;
      if (p.nodeSelector.size) target.nodeSelector = Object.fromEntries([...p.nodeSelector.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      if (p.extraArgs.length) target.extraArgs = [...p.extraArgs];
      if (p.extraEnv.size) target.extraEnv = Object.fromEntries([...p.extraEnv.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      if (p.extraSecretEnv.size) target.extraSecretEnv = [...p.extraSecretEnv.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
      if (p.extraVolumes.size) target.extraVolumes = [...p.extraVolumes.values()];
    }
  }

  private need(c: Classified, key: string): void {
    requireResolved(this.project, c.service, key);
  }

  private role(name: string): Role | undefined {
    return this.byName.get(name)?.role;
  }

  private ofRole(...roles: Role[]): Classified[] {
    return this.classified.filter((c) => roles.includes(c.role));
  }

  private placeholderCidr(): string {
    this.placeholderCidrs++;
    return `192.0.2.${this.placeholderCidrs}/32`;
  }

  public map(): MappedApp {
    const backends = this.ofRole('django-backend');
    if (!backends.length) {
      const names = this.classified.map((c) => `${c.service.name} (${c.role})`).join(', ');
      throw new ImportError(`${this.project.file}: no Django web server found: no service runs gunicorn, uvicorn, daphne, hypercorn or manage.py runserver (services: ${names}); the app chart is built around one`);
    }
    const preferred = ['backend', 'web', 'api', 'django', 'app'];
    this.backend = [...backends].sort((a, b) => rank(a.service.name) - rank(b.service.name))[0];
    function rank(n: string): number {
      const i = preferred.indexOf(n);
      return i < 0 ? preferred.length : i;
    }
    this.frontend = this.ofRole('nuxt-frontend')[0];
    this.edgeService = this.ofRole('nginx-edge')[0];

    this.componentNames.set(this.backend.service.name, { name: 'backend', port: 0 });
    if (this.frontend) this.componentNames.set(this.frontend.service.name, { name: 'frontend', port: 0 });
    if (this.edgeService) this.componentNames.set(this.edgeService.service.name, { name: 'edge', port: 8080 });
    if (this.edgeService || this.publishedServices().length) this.webServers = backends.filter((c) => c !== this.backend);
    for (const c of this.webServers) this.componentNames.set(c.service.name, { name: this.webServiceName(c), port: 0 });
    this.computeMembership();

    const image = this.appImage();
    const celeryApp = this.hasWorkers() ? this.celeryApp() : undefined;
    this.planExternals();
    const broker = this.hasWorkers() ? this.broker() : undefined;
    const backend = this.webTierProps(this.backend, 'backend');
    const webServices = this.webServers.map((c, i) => this.webTierProps(c, `webServices[${i}]`));
    this.secondWebServers();
    const settings = this.settings();
    const workers = this.hasWorkers() ? this.workers() : undefined;
    const beat = this.hasWorkers() ? this.beat() : this.noCelery();
    const { migrations, collectStatic } = this.jobs();
    const edgeProps = this.edge();
    this.webServicePrefixes(webServices, edgeProps);
    for (const c of this.webServers) this.portOutcomes(c, this.componentNames.get(c.service.name)!.port, this.webServiceName(c));
    this.portOutcomes(this.backend, this.componentNames.get(this.backend.service.name)!.port, 'backend');
    const frontend = this.frontendProps();
    const externalServices = this.externalServicesProps();
    this.mapVolumes();
    this.mapDependsOn();
    this.hardening();
    this.podOptionKeys();
    for (const s of this.project.services) this.genericKeys(s);

    const props: PlanObject = {
      appName: this.appName,
      namespace: this.appName,
      version: image.version,
      image: image.repository,
      celeryApp,
      ...this.userProps,
      settings,
      broker,
      backend,
      webServices: webServices.length ? webServices : undefined,
      workers,
      beat,
      migrations,
      collectStatic,
      frontend,
      edge: edgeProps,
      externalServices,
    };
    this.applyPodOptions(props);
    if (image.versionIsPlaceholder) this.comment('version', 'TODO(import): the release, also the image tag of the Django code. Compose gave no immutable tag; see MIGRATION.md.');
    this.comment('image', `The Django code, run by ${this.appCodeServices().map((c) => c.service.name).join(', ')} in compose.`);
    // No secret value may reach an output file, wherever compose had it (a command, a healthcheck, an address).
    const redactor = new Redactor(this.secretValues());
    const safeProps = redactor.redact(props) as PlanObject;
    if (redactor.count) {
      this.addTodo('Secrets', `${redactor.count} value(s) in commands or settings of main.ts held a secret of the compose file and read <secret> now: pass the secret as an environment variable from a Secret instead.`);
    }
    const report = redactor.redact(this.report()) as unknown as MigrationReport;
    const comments = new Map([...this.comments.entries()].map(([k, v]) => [k, v.map((line) => redactor.redact(line) as string)]));
    return {
      appName: this.appName,
      chartId: 'production',
      props: safeProps,
      comments,
      report,
      repositoryUrl: `https://git.example.com/${this.appName}/deploy.git`,
    };
  }

  /** The values that must never be written: secret-looking variables of the env files and the shell, and secret-looking values of any service. */
  private secretValues(): string[] {
    const values = new Set<string>();
    for (const [name, v] of this.project.variables.entries()) if (SECRET_NAME.test(name)) values.add(v.value);
    for (const s of this.project.services) {
      for (const e of s.environment) {
        if (e.value === undefined) continue;
        if (SECRET_NAME.test(e.name)) values.add(e.value);
        for (const u of urlsIn(e.value)) if (u.password) values.add(u.password);
      }
    }
    return [...values].filter((v) => v.length >= 6);
  }

  private appCodeServices(): Classified[] {
    return this.classified.filter((c) => APP_CODE_ROLES.includes(c.role) && this.isComponent(c));
  }

  /** Whether the compose file runs Celery workers: only then does the app get a broker, workers, beat and a Celery app. */
  private hasWorkers(): boolean {
    return this.ofRole('celery-worker').length > 0;
  }

  /** Whether a service becomes a component of the generated app (not a second web server, not beat without workers). */
  private isComponent(c: Classified): boolean {
    if (!isComponentRole(c.role)) return false;
    if (c.role === 'django-backend') return c === this.backend || this.webServers.includes(c);
    if (c.role === 'celery-beat') return this.hasWorkers();
    return true;
  }

  // ------------------------------------------------------------------ image and version

  private appImage(): { repository: string; version: string; versionIsPlaceholder: boolean } {
    const b = this.backend;
    const out = this.out(b);
    this.need(b, 'image');
    let repository: string;
    let version = '0.1.0';
    let placeholder = true;
    // `image: shop_production_django` next to `build:` only names the local build (no registry, no tag): no cluster can pull it.
    const localBuild = !!b.image && b.service.spec.build !== undefined && !b.image.repository.includes('/') && !b.image.tag && !b.image.digest;
    if (b.image && !localBuild) {
      repository = b.image.repository;
      const tag = b.image.tag;
      if (tag && tag !== 'latest' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
        version = tag;
        placeholder = false;
        out.set('image', b.image.digest ? A : C, `repository ${repository}, tag ${tag} is the app version${b.image.digest ? ' (the digest is dropped: the chart pins images by tag)' : ''}`);
      } else {
        out.set('image', A, `repository ${repository}; the tag ${tag ? `"${tag}" moves under a running Deployment` : 'is missing'}, so the version is the placeholder ${version}`);
        this.addTodo('Images', `Set \`version\` in main.ts to the immutable tag CI pushes for ${repository} (compose used ${tag ?? 'no tag'}, which the chart refuses because it moves).`, [b.service.name]);
      }
    } else {
      repository = `registry.example.com/${this.appName}/${dnsLabel(b.service.name)}`;
      out.set('build', A, `${localBuild ? `the local image name ${b.image!.ref} has no registry` : 'no image'}: the generated app runs ${repository}, a placeholder`);
      if (localBuild) out.set('image', A, `${b.image!.ref} names the local build (no registry, no tag): the generated app runs the placeholder ${repository}:${version}`);
      this.addTodo('Images', `Build the Django image in CI and push it; replace the placeholder ${repository} and \`version\` in main.ts.`, [b.service.name]);
    }
    if (b.image && !localBuild && b.service.spec.build !== undefined) out.set('build', C, `CI builds and pushes ${repository}; the cluster pulls it`);
    for (const c of this.appCodeServices()) {
      if (c === b) continue;
      const o = this.out(c);
      this.need(c, 'image');
      // The same repository, or the same build (a project names one build per service: shop_production_celeryworker).
      const sameBuild = c.service.spec.build !== undefined && JSON.stringify(c.service.spec.build) === JSON.stringify(b.service.spec.build);
      const same = sameBuild || (c.image ? c.image.repository === repository : false);
      if (same) {
        if (c.image && sameBuild && c.image.repository !== b.image?.repository) o.set('image', C, `${c.image.ref} names the same build as ${b.service.name}: it runs the Django image ${repository}:${version}`);
        else if (c.image && c.image.tag !== b.image?.tag) o.set('image', A, `the same repository as ${b.service.name}; every process of the Django code runs one release (${version}), compose had tag ${c.image.tag ?? 'none'}`);
        else o.set('image', C, `the Django image ${repository}:${version}, like ${b.service.name}`);
        if (c.service.spec.build !== undefined) o.set('build', C, `the same image as ${b.service.name}, built by CI`);
      } else {
        o.set('image', A, `runs the Django image ${repository}, not ${c.image?.ref ?? 'its own build'}: the chart runs the backend, the workers, beat and the jobs from one image`);
        if (c.service.spec.build !== undefined) o.set('build', A, `the chart runs one Django image for all its processes (${repository})`);
        this.addTodo('Images', `Make these services run from the Django image ${repository} (the chart runs the backend, the workers, beat and the jobs from one image; MIGRATION.md says what each used), or split them into apps of their own.`, [c.service.name]);
      }
    }
    return { repository, version, versionIsPlaceholder: placeholder };
  }

  private celeryApp(): string {
    for (const c of this.ofRole('celery-worker', 'celery-beat')) {
      const cmd = c.analysis.commands.find((x) => x.kind === 'celery-worker' || x.kind === 'celery-beat');
      const app = cmd ? option(cmd.argv, ['-A'], ['--app']) : undefined;
      if (app && /^[A-Za-z_][\w.:]*$/.test(app)) return app;
    }
    const module = this.djangoModule();
    this.addTodo('Celery', `No Celery app found (no "celery -A <app>"): set \`celeryApp\` in main.ts (it is ${module}.celery now).`);
    return `${module}.celery`;
  }

  /** The Django project's package, from the WSGI/ASGI application or the settings module. */
  private djangoModule(): string {
    const cmd = this.backend.analysis.commands.find((c) => ['gunicorn', 'uvicorn', 'daphne', 'hypercorn'].includes(c.kind));
    const app = cmd ? positional(cmd.argv.filter((w) => !/^--?[a-z-]+=/.test(w)), ['-w', '--workers', '-b', '--bind', '-t', '--timeout', '-k', '--worker-class', '-c', '--config', '--host', '--port', '-p']) : undefined;
    if (app && /^[A-Za-z_]\w*/.test(app)) return app.split(/[.:]/)[0];
    const settings = this.backend.service.environment.find((e) => e.name === 'DJANGO_SETTINGS_MODULE')?.value;
    if (settings && /^[A-Za-z_]\w*/.test(settings)) return settings.split('.')[0];
    return 'config';
  }

  // ------------------------------------------------------------------ who talks to whom

  /** The services a service addresses: by its variables, depends_on and links. */
  private references(c: Classified): string[] {
    const names = this.project.services.map((s) => s.name);
    const found = new Set<string>();
    for (const e of c.service.environment) {
      const text = `${e.value ?? ''} ${e.template?.raw ?? ''}`;
      for (const h of hostsIn(text, names)) found.add(h);
    }
    const deps = c.service.spec.depends_on;
    for (const d of isObject(deps) ? Object.keys(deps) : listOf(deps).map(String)) found.add(d);
    for (const l of listOf(c.service.spec.links)) found.add(String(l).split(':')[0]);
    found.delete(c.service.name);
    return [...found];
  }

  private planExternals(): void {
    const appCode = this.appCodeServices();
    const groupsOf = new Map<string, Set<string>>();
    const reach = (from: Classified[], group: string) => {
      for (const c of from) {
        for (const r of this.references(c)) {
          const set = groupsOf.get(r) ?? new Set<string>();
          set.add(group);
          groupsOf.set(r, set);
        }
      }
    };
    reach(appCode, 'APP_CODE');
    if (this.frontend) reach([this.frontend], 'FRONTEND');
    for (const c of this.classified) {
      const stateful = STATEFUL_ROLES.includes(c.role);
      const extra = EXTRA_ROLES.includes(c.role);
      if (!stateful && !extra) continue;
      const groups = groupsOf.get(c.service.name) ?? new Set<string>();
      if (!groups.size) continue;
      const declared = [...parsePorts(c.service.spec.ports), ...parsePorts(c.service.spec.expose)].map((p) => p.target);
      const addressed = [...appCode, ...(this.frontend ? [this.frontend] : [])].flatMap((x) => x.service.environment)
        .flatMap((e) => urlsIn(`${e.value ?? ''} ${e.template?.raw ?? ''}`)).filter((u) => u.host === c.service.name && u.port !== undefined).map((u) => u.port!);
      const defaults = uniq([...(DEFAULT_PORTS[c.role] ?? []), ...addressed]);
      const primary = declared.filter((p) => defaults.includes(p));
      const ports = uniq(primary.length ? primary : declared.length ? declared : defaults.length ? defaults : DEFAULT_IMAGE_PORTS[c.image?.name ?? ''] ?? DEFAULT_IMAGE_PORTS[c.from?.name ?? ''] ?? []).sort((a, b) => a - b);
      if (!ports.length) continue;
      const name = dnsLabel(c.service.name);
      this.externals.set(c.service.name, {
        name,
        service: c,
        ports,
        groups,
        extra,
        cidr: this.placeholderCidr(),
      });
    }
    this.planAddressed();
  }

  /**
   * Backing services the Django code addresses by a URL or a `<PREFIX>_HOST` that no compose service answers: a managed
   * database, search, broker, SMTP, Sentry. Each becomes an external service with the port of the URL (or the product's);
   * its address is the host when the host is an IPv4 address, else a placeholder. The database (the chart always gives
   * the app DATABASE_URL) and the broker of the workers get a placeholder entry when the compose file shows no address.
   */
  private planAddressed(): void {
    const names = new Set(this.project.services.map((s) => s.name));
    const add = (host: string, port: number, kind: BackingKind, what: string, label: string, variable: string) => {
      const existing = this.addressed.get(host);
      if (existing) {
        if (!existing.ports.includes(port)) existing.ports.push(port);
        existing.variables.add(variable);
        return;
      }
      const taken = new Set([...[...this.externals.values()].map((e) => e.name), ...[...this.addressed.values()].map((a) => a.name), 's3']);
      let name = dnsLabel(label || host.split('.')[0], 40);
      for (let i = 2; taken.has(name); i++) name = `${dnsLabel(label || host.split('.')[0], 36)}-${i}`;
      const literal = ipv4(host);
      this.addressed.set(host, { name, host, ports: [port], cidr: literal ? `${host}/32` : this.placeholderCidr(), placeholder: !literal, kind, what, variables: new Set([variable]) });
    };
    const code = this.appCodeServices();
    const envs = code.flatMap((c) => c.service.environment).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const literal = (name: string) => envs.find((e) => e.name === name && e.value !== undefined && e.value !== '')?.value;
    for (const e of envs) {
      const value = e.value ?? '';
      if (!value) continue;
      if (e.name === 'AWS_S3_ENDPOINT_URL') {
        const u = urlsIn(value)[0];
        if (u && !e.template && !e.fromShell && !names.has(u.host) && !isLocalHost(u.host) && /^https?$/.test(u.scheme)) this.s3EndpointUrl = value;
        continue;
      }
      const urls = urlsIn(value);
      for (const u of urls) {
        if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(u.host)) {
          // An interpolated host left empty by an unset variable: the address is unknowable from the file.
          if (SCHEMES[u.scheme] || /^https?$/.test(u.scheme)) this.unknownAddresses.add(e.name);
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
      if (!urls.length && /_URL$|_DSN$/.test(e.name) && /^[a-z][a-z0-9+.-]*:\/\/(@|:|\/|$)/i.test(value)) this.unknownAddresses.add(e.name);
      const host = /^(.*)_HOST$/.exec(e.name);
      if (host && !urls.length && /^[A-Za-z0-9.-]+$/.test(value) && value.includes('.') && !names.has(value) && !isLocalHost(value)) {
        const prefix = HOST_PREFIXES.find(([re]) => re.test(host[1]));
        const port = intOf(literal(`${host[1]}_PORT`) ?? '') ?? prefix?.[3];
        if (prefix && port !== undefined) add(value, port, prefix[1], prefix[2], prefix[1] === 'mail' ? 'smtp' : prefix[2] === 'PostgreSQL' ? 'postgres' : prefix[2].toLowerCase(), e.name);
      }
    }
    const reached = [...this.externals.values()].filter((x) => x.groups.has('APP_CODE')).map((x) => x.service.role);
    const addressedKinds = [...this.addressed.values()].map((a) => a.kind);
    if (!reached.some((r) => ['postgres', 'mysql', 'pgbouncer', 'mongodb'].includes(r)) && !addressedKinds.includes('database')) {
      this.addressed.set('', { name: 'database', host: '', ports: [5432], cidr: this.placeholderCidr(), placeholder: true, kind: 'database', what: 'PostgreSQL', variables: new Set(['DATABASE_URL']) });
    }
    const brokerUrl = envs.filter((e) => BROKER_VARS.includes(e.name)).flatMap((e) => urlsIn(e.value ?? ''))[0];
    const brokerReached = brokerUrl ? names.has(brokerUrl.host) || this.addressed.has(brokerUrl.host) : reached.some((r) => r === 'redis' || r === 'rabbitmq');
    if (this.ofRole('celery-worker').length && !brokerReached) {
      const rabbit = brokerUrl ? /^(amqp|pyamqp|librabbitmq)/.test(brokerUrl.scheme) : !!this.ofRole('rabbitmq').length;
      this.addressed.set(' broker', { name: 'broker', host: '', ports: [rabbit ? 5672 : 6379], cidr: this.placeholderCidr(), placeholder: true, kind: 'broker', what: rabbit ? 'RabbitMQ' : 'Redis', variables: new Set(['CELERY_BROKER_URL']) });
    }
  }

  private externalServicesProps(): PlanValue[] {
    const list: PlanValue[] = [];
    const group = (g: string) => new EnumRef('ComponentGroup', g);
    let i = 0;
    const outside: [string, string][] = [];
    for (const e of [...this.externals.values()]) {
      const c = e.service;
      const o = this.out(c);
      const groups = sorted([...e.groups]).filter((g) => g !== 'EDGE' || this.hasEdge).filter((g) => g !== 'FRONTEND' || !!this.frontend);
      const reachedBy = groups.length === 1 && groups[0] === 'APP_CODE' ? undefined : groups.map(group);
      const at = `externalServices[${i++}]`;
      list.push({ name: e.name, cidrs: [e.cidr], ports: e.ports, reachedBy });
      if (e.extra) {
        // The validation gate's traffic matrix takes CIDR externals only, so a namespace is the team's choice, not the default.
        this.comment(at, `compose service ${c.service.name} (${c.product ?? c.image?.repository}): the chart has no component for it. TODO(import): run it outside the app and put its address here (${e.cidr} is a placeholder); when it runs in this cluster, \`namespace: '<its namespace>'\` replaces \`cidrs\`.`);
        this.becomes.set(c.service.name, `externalServices: ${e.name} (ports ${e.ports.join(', ')}), run outside the app`);
        o.set('image', A, `${c.image?.ref ?? 'its build'} is not run by the generated app (the chart has no component for it): run it on its own (its Helm chart in a namespace of its own, or a managed service) and open the path to it (externalServices ${e.name})`);
        outside.push([c.service.name, `${e.name} (${c.image?.ref ?? 'its build'}, port ${e.ports.join(', ')})`]);
        this.needProp('DjangoAppChartProps.extraComponents', 'a stateless service of the compose file (Tika, Logstash, any image) as a hardened Deployment + Service in the app namespace, with its NetworkPolicy', c.service.name);
      } else {
        this.comment(at, `compose service ${c.service.name} (${c.product}): runs outside the cluster. TODO(import): its address (${e.cidr} is a placeholder).`);
        this.becomes.set(c.service.name, `externalServices: ${e.name} (ports ${e.ports.join(', ')}), outside the cluster${c.service.name === this.brokerServiceName ? '; the Celery broker' : ''}`);
        // A database image built FROM the product (postgres:16) has the product's version in its FROM.
        const img = c.from && (!c.image || !STATEFUL_ROLES.includes(classifyName(c.image.name))) ? c.from : c.image;
        const major = img?.tag && /^[0-9]/.test(img.tag) ? img.tag.split(/[.-]/)[0] : undefined;
        const key = c.image ? 'image' : 'build';
        o.set(key, A, `${c.image?.ref ?? 'its build'}${img !== c.image && img ? ` (FROM ${img.ref})` : ''}: ${c.product} holds state, so it is not run in the cluster: use a managed ${c.product}${major ? ` ${major}` : ''} (compose ran ${img?.tag ?? 'an untagged image'}) and open the path to it (externalServices ${e.name})`);
        if (c.image && c.service.spec.build !== undefined) o.set('build', A, `${c.context?.dockerfile ?? 'the build'}${c.from ? ` builds FROM ${c.from.ref}` : ''}: not built for the cluster; the managed ${c.product} replaces it`);
        this.addTodo('Managed services', `Provide ${c.product} for ${c.service.name} outside the cluster (a managed service${major ? `, version ${major}` : ''}) and put its addresses into externalServices[${e.name}].cidrs in main.ts (${e.cidr} is a placeholder).`, [c.service.name]);
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
      this.addTodo('Services outside the chart', `Run these services outside the app, for example each from its Helm chart in a namespace of its own, and put each address into its externalServices entry in main.ts (cidrs, or namespace when it runs in the cluster) and into the Secret keys of the variables that address it: ${outside.map(([, d]) => d).join(', ')}.`, outside.map(([n]) => n));
    }
    const named: string[] = [];
    for (const a of this.addressed.values()) {
      const at = `externalServices[${i++}]`;
      list.push({ name: a.name, cidrs: [a.cidr], ports: [...a.ports].sort((x, y) => x - y) });
      const vars = sorted([...a.variables]).join(', ');
      if (!a.host) {
        const role = a.kind === 'database' ? 'the database the chart gives the app as DATABASE_URL' : 'the Celery broker of the workers';
        this.comment(at, `${role}: the compose file gives no address for it (${a.what} assumed). TODO(import): its address and port (${a.cidr} is a placeholder).`);
        this.addTodo('Managed services', `The compose file shows no address for ${role}: provide ${a.what} (or your own), and put its address and port into externalServices[${a.name}] in main.ts (${a.cidr} is a placeholder) and its URL into the Secret key that ${vars} reads.`);
      } else if (a.placeholder) {
        this.comment(at, `${a.what} at ${a.host} (from ${vars}), outside the cluster. TODO(import): the addresses of ${a.host}: a NetworkPolicy matches IP ranges, not names (${a.cidr} is a placeholder).`);
        named.push(`${a.name} (${a.host})`);
      } else {
        this.comment(at, `${a.what} at ${a.host} (from ${vars}), outside the cluster.`);
      }
    }
    if (named.length) {
      this.addTodo('Managed services', `Put the IP ranges of the hosts the app reaches into their externalServices cidrs in main.ts (a NetworkPolicy matches addresses, not names; the cidrs are placeholders): ${named.join(', ')}.`);
    }
    const s3Groups = this.hasEdge ? [group('APP_CODE'), group('EDGE')] : undefined;
    const endpoint = this.s3EndpointUrl ? urlsIn(this.s3EndpointUrl)[0] : undefined;
    if (endpoint) {
      const literal = ipv4(endpoint.host);
      const cidr = literal ? `${endpoint.host}/32` : this.placeholderCidr();
      list.push({ name: 's3', cidrs: [cidr], ports: [endpoint.port ?? (endpoint.scheme === 'https' ? 443 : 80)], reachedBy: s3Groups });
      this.comment(`externalServices[${list.length - 1}]`, `S3: the S3-compatible store at ${endpoint.host} (AWS_S3_ENDPOINT_URL), the media and statics buckets${this.hasEdge ? ' (the edge streams downloads and statics from it)' : ''}.${literal ? '' : ` TODO(import): the addresses of ${endpoint.host} (${cidr} is a placeholder).`}`);
      if (!literal) this.addTodo('Managed services', `Replace the placeholder CIDR of externalServices[s3] with the addresses of ${endpoint.host}, the S3-compatible store (AWS_S3_ENDPOINT_URL).`);
    } else {
      list.push({ name: 's3', cidrs: [this.placeholderCidr()], ports: [443], reachedBy: s3Groups });
      this.comment(`externalServices[${list.length - 1}]`, `S3: the media and statics buckets${this.hasEdge ? ' (the edge streams downloads and statics from it)' : ''}. TODO(import): the S3 address ranges of your region.`);
      this.addTodo('Managed services', 'Replace the placeholder CIDR of externalServices[s3] with the S3 address ranges of your region (or the address of your S3-compatible store).');
    }
    if (this.unknownAddresses.size) {
      this.addTodo('Network', `The NetworkPolicies deny everything the components do not need, and the compose file leaves the host of ${sorted([...this.unknownAddresses]).join(', ')} unknown (an unset variable): add those services to externalServices in main.ts.`);
    }
    return list;
  }

  // ------------------------------------------------------------------ broker

  private broker(): PlanObject {
    const vars = this.appCodeServices().flatMap((c) => c.service.environment.filter((e) => BROKER_VARS.includes(e.name)).map((e) => ({ c, e })));
    const text = (e: ServiceEnv) => `${e.template?.raw ?? ''} ${e.value ?? ''}`;
    const urls = vars.flatMap(({ e }) => urlsIn(text(e)));
    let kind: 'REDIS' | 'RABBITMQ' | undefined;
    let why = '';
    const url = urls.find((u) => /^(redis|rediss|amqp|amqps|pyamqp|librabbitmq)$/.test(u.scheme));
    if (url) {
      kind = url.scheme.startsWith('redis') ? 'REDIS' : 'RABBITMQ';
      why = `${vars[0].e.name} is a ${url.scheme}:// URL`;
    } else if (this.ofRole('rabbitmq').length) {
      kind = 'RABBITMQ';
      why = `the compose file runs RabbitMQ (${this.ofRole('rabbitmq')[0].service.name})`;
    } else if (this.ofRole('redis').length) {
      kind = 'REDIS';
      why = `the compose file runs Redis (${this.ofRole('redis')[0].service.name}) and names no other broker`;
    } else {
      kind = 'REDIS';
      why = 'no broker found; Redis is assumed';
      this.addTodo('Celery', 'No Celery broker found in the compose file: the generated app assumes Redis; check `broker` in main.ts.');
    }
    const brokerService = (url && this.byName.get(url.host)) ?? this.ofRole(kind === 'REDIS' ? 'redis' : 'rabbitmq')[0];
    const owner = brokerService?.service.name ?? this.backend.service.name;
    const props: PlanObject = { kind: new EnumRef('BrokerKind', kind), secretName: this.brokerSecret };
    this.brokerKind = kind;
    if (kind === 'RABBITMQ') {
      for (const c of this.appCodeServices()) {
        this.addSecret(this.brokerSecret, 'broker-url', 'CELERY_BROKER_URL', c.service.name, 'the AMQP URL of the managed RabbitMQ with user, password and vhost (amqps:// for TLS), which Celery and KEDA read');
      }
      if (url?.scheme === 'pyamqp' || url?.scheme === 'librabbitmq') {
        this.addTodo('Celery', `The compose broker URL was ${url.scheme}://: put an amqp:// (or amqps://) URL into ${this.brokerSecret}/broker-url, which KEDA reads too.`);
      }
    } else {
      // Celery's URL is composed in the pod from the keys KEDA reads: redis[s]://$(CELERY_BROKER_ADDRESS)/<db>.
      for (const c of this.appCodeServices()) {
        this.addSecret(this.brokerSecret, 'redis-address', 'CELERY_BROKER_ADDRESS', c.service.name, 'host:port of the managed Redis broker, which Celery and KEDA read');
      }
      const user = url?.user !== undefined && url.user !== '' && url.user !== 'default';
      const password = (url?.password !== undefined && url.password !== '') || this.appCodeServices().some((c) => c.service.environment.some((e) => e.name === 'REDIS_PASSWORD'));
      if (user) {
        props.redisUsernameKey = 'redis-username';
        for (const c of this.appCodeServices()) this.addSecret(this.brokerSecret, 'redis-username', 'CELERY_BROKER_USER', c.service.name, 'the Redis ACL user, which Celery and KEDA read');
      }
      if (password) {
        props.redisPasswordKey = 'redis-password';
        for (const c of this.appCodeServices()) this.addSecret(this.brokerSecret, 'redis-password', 'CELERY_BROKER_PASSWORD', c.service.name, 'the Redis password, which Celery and KEDA read');
      }
      if (user || password) {
        this.addTodo('Celery', 'Pass CELERY_BROKER_USER and CELERY_BROKER_PASSWORD to Celery as broker_user and broker_password (k8s_topology_celery.configure(app) does): the broker URL no longer carries them.');
      }
      const db = url ? /^\/([0-9]+)/.exec(url.rest)?.[1] : undefined;
      if (db !== undefined && db !== '0') props.redisDatabaseIndex = Number(db);
      if (url?.scheme === 'rediss') {
        props.transportSecurity = new EnumRef('BrokerTransportSecurity', 'TLS');
        this.addTodo('Celery', 'The broker is rediss://: set broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_REQUIRED} in the Celery configuration (kombu does not verify certificates by default).');
      }
      this.brokerUrlNote = `composed by the chart: ${url?.scheme === 'rediss' ? 'rediss' : 'redis'}://$(CELERY_BROKER_ADDRESS)/${db ?? '0'} from ${this.brokerSecret}/redis-address${password ? ', with the password in CELERY_BROKER_PASSWORD' : ''}, the same keys KEDA reads`;
      void owner;
    }
    this.comment('broker', `Celery broker: ${kind === 'REDIS' ? 'Redis' : 'RabbitMQ'} (${why}).${brokerService ? ` Compose ran it as ${brokerService.service.name}; it runs outside the cluster now.` : ''}`);
    if (brokerService) this.brokerServiceName = brokerService.service.name;
    return props;
  }

  // ------------------------------------------------------------------ environment

  private secretReason(e: ServiceEnv): string | undefined {
    const value = e.value ?? '';
    if (SECRET_NAME.test(e.name)) return 'the name looks secret';
    if (hasCredentials(value) || (e.template && hasCredentials(e.template.raw))) return 'a URL with credentials';
    if (e.template) return `it interpolates ${uniq(e.template.uses.map((u) => `\${${u.name}}`)).join(', ')}`;
    if (e.fromShell) return 'compose copies it from the shell environment';
    const externalHosts = [...this.externals.values()].map((x) => x.service.service.name);
    const stateful = hostsIn(value, externalHosts);
    if (stateful.length) return `the address of ${stateful.join(', ')}, which runs outside the app now`;
    const statefulOther = hostsIn(value, this.ofRole(...STATEFUL_ROLES).map((c) => c.service.name));
    if (statefulOther.length) return `the address of ${statefulOther.join(', ')}, which runs outside the app now`;
    if (/^[A-Za-z0-9+/=_-]{32,}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && !/^[a-z_.]+$/.test(value)) return 'the value looks like a token';
    return undefined;
  }

  /** A plain value with compose service names replaced by the Services of the generated app. */
  private rewriteAddresses(value: string): { value: string; note?: string } {
    let out = value;
    const notes: string[] = [];
    for (const u of urlsIn(value)) {
      const component = this.componentNames.get(u.host);
      const extra = this.externals.get(u.host);
      if (component) {
        const port = component.port || u.port;
        const replacement = `${u.scheme}://${component.name}${port ? `:${port}` : ''}`;
        const original = `${u.scheme}://${u.host}${u.port ? `:${u.port}` : ''}`;
        if (replacement !== original) {
          out = out.split(original).join(replacement);
          notes.push(`${u.host} is the Service ${component.name} now`);
        }
      } else if (!extra && this.byName.has(u.host)) {
        notes.push(`it names ${u.host}, which is not part of the generated app: set the production address`);
      }
    }
    // A bare host name or host:port.
    const bare = /^([A-Za-z0-9_.-]+)(:\d+)?$/.exec(value.trim());
    if (bare && out === value) {
      const component = this.componentNames.get(bare[1]);
      const extra = this.externals.get(bare[1]);
      if (component && component.name !== bare[1]) {
        out = `${component.name}${bare[2] ?? ''}`;
        notes.push(`${bare[1]} is the Service ${component.name} now`);
      } else if (!component && !extra && this.byName.has(bare[1])) {
        notes.push(`it names ${bare[1]}, which is not part of the generated app: set the production address`);
      }
    }
    return { value: out, note: notes.length ? notes.join('; ') : undefined };
  }

  private settings(): PlanObject {
    const uses = new Map<string, EnvUse[]>();
    for (const c of this.appCodeServices()) {
      for (const e of c.service.environment) {
        const key = e.origin === 'environment' ? `environment.${e.name}` : `env_file.${e.name}`;
        uses.set(e.name, [...(uses.get(e.name) ?? []), { service: c, env: e, key }]);
      }
    }
    const first = (name: string) => {
      const list = uses.get(name) ?? [];
      return list.find((u) => u.service === this.backend) ?? list[0];
    };
    const literal = (name: string): string | undefined => {
      const u = first(name);
      if (!u || u.env.template || u.env.fromShell || u.env.value === undefined || u.env.value === '') return undefined;
      return u.env.value;
    };
    const report = (name: string, status: KeyStatus, detail: string) => {
      for (const u of uses.get(name) ?? []) this.out(u.service).set(u.key, status, detail);
    };

    const props: PlanObject = {};
    // DJANGO_SETTINGS_MODULE is needed as a value.
    const settingsUse = first('DJANGO_SETTINGS_MODULE');
    let settingsModule: string;
    if (settingsUse) {
      requireResolved(this.project, settingsUse.service.service, 'environment.DJANGO_SETTINGS_MODULE');
      settingsModule = settingsUse.env.value ?? '';
      if (!/^[A-Za-z_][\w.]*$/.test(settingsModule)) throw new ImportError(`${this.project.file}: service "${settingsUse.service.service.name}": environment.DJANGO_SETTINGS_MODULE: must be a dotted module path; got ${JSON.stringify(settingsModule)}`);
      report('DJANGO_SETTINGS_MODULE', C, `settings.settingsModule (${settingsModule})`);
    } else {
      settingsModule = `${this.djangoModule()}.settings`;
      this.addTodo('Django settings', `No DJANGO_SETTINGS_MODULE in the compose file: check settings.settingsModule in main.ts (${settingsModule} is derived from the project package).`);
    }
    props.settingsModule = settingsModule;
    props.secretName = this.appSecret;

    // The database URL and the secret key are part of the contract.
    for (const c of this.appCodeServices()) {
      this.addSecret(this.appSecret, 'database-url', 'DATABASE_URL', c.service.name, 'the URL of the managed PostgreSQL database, with its user and password');
      this.addSecret(this.appSecret, 'secret-key', 'DJANGO_SECRET_KEY', c.service.name, "Django's SECRET_KEY");
    }
    if (uses.has('DATABASE_URL')) {report('DATABASE_URL', C, `Secret ${this.appSecret}, key database-url (the settings contract); the value is not written anywhere: put the managed database's URL there`);} else {
      const pieces = [...uses.keys()].filter((n) => /^(POSTGRES|DB|DATABASE|PG)_?/.test(n));
      this.addTodo('Django settings', `The chart gives the app DATABASE_URL (Secret ${this.appSecret}, key database-url)${pieces.length ? `; the compose file configured the database with ${pieces.join(', ')}, which are still set, but the app should read DATABASE_URL (e.g. with dj-database-url)` : ''}.`);
    }
    if (uses.has('DJANGO_SECRET_KEY')) report('DJANGO_SECRET_KEY', C, `Secret ${this.appSecret}, key secret-key (the settings contract)`);
    const secretEnv: PlanValue[] = [];
    const env: PlanObject = {};
    const handled = new Set<string>(['DJANGO_SETTINGS_MODULE', 'DATABASE_URL', 'DJANGO_SECRET_KEY']);
    if (uses.has('SECRET_KEY')) {
      secretEnv.push({ name: 'SECRET_KEY', secretName: this.appSecret, key: 'secret-key' });
      for (const u of uses.get('SECRET_KEY')!) this.addSecret(this.appSecret, 'secret-key', 'SECRET_KEY', u.service.service.name, "Django's SECRET_KEY");
      report('SECRET_KEY', C, `Secret ${this.appSecret}, key secret-key (also given as DJANGO_SECRET_KEY by the chart); the value is not written anywhere`);
      handled.add('SECRET_KEY');
    }
    for (const name of BROKER_VARS) {
      if (!uses.has(name) || !this.hasWorkers()) continue;
      handled.add(name);
      const rabbit = this.brokerKind === 'RABBITMQ';
      if (name === 'CELERY_BROKER_URL') {
        report(name, C, rabbit ? `from Secret ${this.brokerSecret}, key broker-url (the broker contract); the value is not written anywhere` : `${this.brokerUrlNote}; the value is not written anywhere`);
      } else if (rabbit) {
        secretEnv.push({ name, secretName: this.brokerSecret, key: 'broker-url' });
        for (const u of uses.get(name)!) this.addSecret(this.brokerSecret, 'broker-url', name, u.service.service.name, 'the Celery broker URL');
        report(name, C, `Secret ${this.brokerSecret}, key broker-url (the chart also sets CELERY_BROKER_URL from it)`);
      } else {
        for (const u of uses.get(name)!) this.groupVar(u.service, name, { value: '$(CELERY_BROKER_URL)' });
        report(name, C, `extraEnv $(CELERY_BROKER_URL): the kubelet expands the URL the chart composes (${this.brokerUrlNote})`);
      }
    }

    // S3 and statics.
    const bucket = (name: string) => {
      const v = literal(name);
      return v && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) ? v : undefined;
    };
    // cookiecutter-django's settings read the DJANGO_-prefixed names.
    const mediaVar = ['AWS_STORAGE_BUCKET_NAME', 'DJANGO_AWS_STORAGE_BUCKET_NAME'].find((n) => bucket(n));
    const media = mediaVar ? bucket(mediaVar) : undefined;
    const statics = bucket('DJANGO_STATIC_BUCKET') ?? bucket('AWS_STATIC_BUCKET_NAME') ?? bucket('STATIC_BUCKET');
    props.mediaBucket = media ?? `${this.appName}-media`;
    props.staticBucket = statics ?? `${this.appName}-static`;
    if (media) {report(mediaVar!, C, `settings.mediaBucket (${media})`);} else {
      this.comment('settings.mediaBucket', 'TODO(import): the media bucket (a placeholder). Uploads go there as S3 multipart uploads.');
      this.addTodo('Storage', `Create the media bucket and set settings.mediaBucket (${props.mediaBucket} is a placeholder); the app stores media with STORAGES["default"] on S3 (django-storages).`);
      if (uses.has('AWS_STORAGE_BUCKET_NAME')) report('AWS_STORAGE_BUCKET_NAME', A, `settings.mediaBucket is the placeholder ${props.mediaBucket}: the compose value is not a literal bucket name`);
    }
    if (statics) {
      for (const n of ['DJANGO_STATIC_BUCKET', 'AWS_STATIC_BUCKET_NAME', 'STATIC_BUCKET']) if (bucket(n) === statics) report(n, C, `settings.staticBucket (${statics})`);
    } else {
      this.comment('settings.staticBucket', 'TODO(import): the statics bucket (a placeholder), which the collectstatic job fills.');
      this.addTodo('Storage', `Create the statics bucket and set settings.staticBucket (${props.staticBucket} is a placeholder); collectstatic uploads there (STORAGES["staticfiles"]).`);
    }
    const region = literal('AWS_S3_REGION_NAME') ?? literal('DJANGO_AWS_S3_REGION_NAME') ?? literal('AWS_DEFAULT_REGION') ?? literal('AWS_REGION');
    props.s3Region = region && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(region) ? region : 'eu-west-1';
    if (region) {report('AWS_S3_REGION_NAME', C, `settings.s3Region (${props.s3Region})`);} else {
      this.comment('settings.s3Region', 'TODO(import): the region of the buckets (a placeholder).');
      this.addTodo('Storage', `Set settings.s3Region in main.ts (${props.s3Region} is a placeholder).`);
    }
    const endpoint = first('AWS_S3_ENDPOINT_URL');
    if (endpoint) {
      const v = literal('AWS_S3_ENDPOINT_URL');
      const names = this.project.services.map((s) => s.name);
      if (v && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v) && !hostsIn(v, names).length) {
        props.s3Endpoint = v;
        report('AWS_S3_ENDPOINT_URL', C, `settings.s3Endpoint (${v})`);
      } else {
        report('AWS_S3_ENDPOINT_URL', A, `not carried: it names ${hostsIn(v ?? endpoint.env.template?.raw ?? '', names).join(', ') || 'an address'} of the compose file; the app uses S3 in ${props.s3Region} (set settings.s3Endpoint for an S3-compatible store)`);
        this.addTodo('Storage', 'The compose file used an S3-compatible store inside compose (AWS_S3_ENDPOINT_URL); the generated app uses AWS S3: set settings.s3Endpoint if you keep another store.');
      }
    }
    const staticUrl = literal('STATIC_URL');
    if (uses.has('STATIC_URL')) {
      if (staticUrl && /^https?:\/\/\S+\/$/.test(staticUrl)) {
        props.staticUrl = staticUrl;
        report('STATIC_URL', C, `settings.staticUrl (${staticUrl})`);
      } else {
        report('STATIC_URL', A, `the chart sets STATIC_URL to the statics bucket's URL (compose had ${staticUrl ?? 'an interpolated value'}); set settings.staticUrl for a CDN`);
      }
    }
    for (const [name, prop] of [['DJANGO_DEFAULT_STORAGE_BACKEND', 'mediaStorageBackend'], ['DJANGO_STATICFILES_STORAGE_BACKEND', 'staticStorageBackend']]) {
      const v = literal(name);
      if (v) {
        props[prop] = v;
        report(name, C, `settings.${prop} (${v})`);
      } else if (uses.has(name)) {
        report(name, A, 'the chart\'s default storage backend (storages.backends.s3.S3Storage) is used');
      }
    }
    if (mediaVar) handled.add(mediaVar);
    for (const name of ['AWS_STORAGE_BUCKET_NAME', 'DJANGO_STATIC_BUCKET', 'AWS_S3_REGION_NAME', 'AWS_S3_ENDPOINT_URL', 'STATIC_URL', 'DJANGO_DEFAULT_STORAGE_BACKEND', 'DJANGO_STATICFILES_STORAGE_BACKEND']) handled.add(name);

    // Variables the worker contract sets.
    for (const name of CHART_SET_APP_VARS) {
      if (handled.has(name) || !uses.has(name)) continue;
      handled.add(name);
      const chartValue: Record<string, string> = { CELERY_TASK_ACKS_LATE: 'true', CELERY_TASK_REJECT_ON_WORKER_LOST: 'true', CELERY_WORKER_PREFETCH_MULTIPLIER: '1' };
      const v = literal(name);
      const same = chartValue[name] !== undefined && v === chartValue[name];
      report(name, same ? C : A, `set by the chart on the workers${chartValue[name] ? ` (${chartValue[name]})` : ''}${same ? '' : `; the compose value ${v === undefined ? '(interpolated)' : JSON.stringify(v)} is not used`}`);
    }

    for (const name of ['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES', 'CUDA_VISIBLE_DEVICES']) {
      if (!uses.has(name)) continue;
      handled.add(name);
      report(name, D, 'the NVIDIA device plugin gives a GPU pod its devices; no variable is needed');
    }

    // Everything else: shared by every process of the Django code when compose gave it to all of them alike
    // (settings.env, or settings.secretEnv when it looks secret), else the extraEnv of the workloads that had it.
    const appCode = this.appCodeServices();
    for (const name of sorted([...uses.keys()])) {
      if (handled.has(name)) continue;
      const list = uses.get(name)!;
      const reasons = list.map((u) => this.secretReason(u.env)).filter((r): r is string => r !== undefined);
      const services = uniq(list.map((u) => u.service.service.name));
      const values = uniq(list.map((u) => u.env.value ?? ''));
      const everywhere = appCode.every((c) => list.some((u) => u.service === c)) && values.length === 1;
      const key = secretKeyFor(name);
      if (reasons.length) for (const s of services) this.addSecret(this.appSecret, key, name, s, `${name} (${reasons[0]})`);
      if (name === 'AWS_SECRET_ACCESS_KEY') {
        this.addTodo('Secrets', 'Prefer a cloud identity to static AWS keys: an IAM role for the components\' ServiceAccounts (serviceAccountAnnotations, e.g. eks.amazonaws.com/role-arn), then drop AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.', services);
      }
      if (everywhere) {
        if (reasons.length) {
          secretEnv.push({ name, secretName: this.appSecret, key });
          report(name, C, `settings.secretEnv: Secret ${this.appSecret}, key ${key} (${reasons[0]}); the value is not written anywhere`);
        } else {
          const rewritten = this.rewriteAddresses(values[0]);
          env[name] = rewritten.value;
          report(name, rewritten.note ? A : C, `settings.env ${JSON.stringify(rewritten.value)}${rewritten.note ? ` (${rewritten.note})` : ''}`);
        }
        continue;
      }
      for (const [workload, members] of this.membership) {
        const having = list.filter((u) => members.includes(u.service));
        if (!having.length || !isAppWorkload(workload)) continue;
        const wValues = uniq(having.map((u) => u.env.value ?? ''));
        const representative = having.find((u) => u.service === this.backend) ?? having[0];
        const partial = having.length < members.length || wValues.length > 1;
        const differs = wValues.length > 1 ? `; compose gave ${having.map((u) => `${u.service.service.name}: ${reasons.length ? '(secret)' : JSON.stringify(u.env.value)}`).join(', ')}` : '';
        const only = having.length < members.length ? `; now for every ${memberOf(workload)}, not only ${having.map((u) => u.service.service.name).join(', ')}` : '';
        if (reasons.length) {
          this.podOf(workload).extraSecretEnv.set(name, { name, secretName: this.appSecret, key });
          for (const u of having) this.out(u.service).set(u.key, partial ? A : C, `${workload}.extraSecretEnv: Secret ${this.appSecret}, key ${key} (${reasons[0]}); the value is not written anywhere${only}${differs}`);
        } else {
          const rewritten = this.rewriteAddresses(representative.env.value ?? '');
          this.podOf(workload).extraEnv.set(name, rewritten.value);
          for (const u of having) {
            this.out(u.service).set(u.key, partial || rewritten.note ? A : C, `${workload}.extraEnv ${JSON.stringify(rewritten.value)}${rewritten.note ? ` (${rewritten.note})` : ''}${only}${differs}`);
          }
        }
      }
    }
    if (secretEnv.length) props.secretEnv = secretEnv;
    if (Object.keys(env).length) props.env = env;
    this.comment('settings', `Every process of the Django code reads these (${this.appCodeServices().map((c) => c.service.name).join(', ')} in compose). Secret values live in the Secrets named here, never in this file.`);
    return props;
  }

  // ------------------------------------------------------------------ resources, replicas, grace

  private resources(c: Classified, kind: SizeKind, at: string): { resources: PlanObject; gpus?: number } {
    const s = c.service.spec;
    const o = this.out(c);
    for (const key of ['deploy', 'mem_limit', 'mem_reservation', 'cpus']) if (s[key] !== undefined) this.need(c, key);
    const d = isObject(s.deploy) && isObject(s.deploy.resources) ? s.deploy.resources : {};
    const limits = isObject(d.limits) ? d.limits : {};
    const reservations = isObject(d.reservations) ? d.reservations : {};
    const bad = (key: string, v: unknown): never => {
      throw new ImportError(`${this.project.file}: service "${c.service.name}": ${key}: not a size compose accepts; got ${JSON.stringify(v)}`);
    };
    const cpu = (key: string, v: unknown) => (v === undefined ? undefined : cpuQuantity(v) ?? bad(key, v));
    const mem = (key: string, v: unknown) => {
      if (v === undefined) return undefined;
      const b = parseBytes(v);
      return b === undefined ? bad(key, v) : memoryQuantity(b);
    };
    let cpuLimit = cpu('deploy.resources.limits.cpus', limits.cpus) ?? cpu('cpus', s.cpus);
    let memoryLimit = mem('deploy.resources.limits.memory', limits.memory) ?? mem('mem_limit', s.mem_limit);
    let cpuRequest = cpu('deploy.resources.reservations.cpus', reservations.cpus);
    let memoryRequest = mem('deploy.resources.reservations.memory', reservations.memory) ?? mem('mem_reservation', s.mem_reservation);
    const given = [cpuLimit, memoryLimit, cpuRequest, memoryRequest].some((x) => x !== undefined);
    const derived: string[] = [];
    const base = DEFAULT_SIZES[kind];
    if (cpuLimit && !cpuRequest) {
      cpuRequest = cpuFromMillis(Math.max(10, Math.round(cpuMillis(cpuLimit) / 2 / 10) * 10));
      derived.push(`cpuRequest ${cpuRequest} (half the limit)`);
    }
    if (!cpuLimit && cpuRequest) {
      cpuLimit = cpuFromMillis(cpuMillis(cpuRequest) * 2);
      derived.push(`cpuLimit ${cpuLimit} (twice the request)`);
    }
    if (memoryLimit && !memoryRequest) {
      memoryRequest = memoryLimit;
      derived.push(`memoryRequest ${memoryRequest} (the limit: memory cannot be reclaimed, so a pod is never scheduled below what it may use)`);
    }
    if (!memoryLimit && memoryRequest) {
      memoryLimit = memoryRequest;
      derived.push(`memoryLimit ${memoryLimit} (the request)`);
    }
    if (cpuRequest && cpuLimit && cpuMillis(cpuRequest) > cpuMillis(cpuLimit)) {
      cpuLimit = cpuRequest;
      derived.push('cpuLimit raised to the request');
    }
    if (memoryRequest && memoryLimit && memoryBytes(memoryRequest) > memoryBytes(memoryLimit)) {
      memoryLimit = memoryRequest;
      derived.push('memoryLimit raised to the request');
    }
    const defaulted: string[] = [];
    if (!cpuRequest) {
      cpuRequest = base.cpuRequest;
      cpuLimit = base.cpuLimit;
      defaulted.push('cpu');
    }
    if (!memoryRequest) {
      memoryRequest = base.memoryRequest;
      memoryLimit = base.memoryLimit;
      defaulted.push('memory');
    }
    const resources: PlanObject = { cpuRequest, cpuLimit: cpuLimit!, memoryRequest, memoryLimit: memoryLimit! };
    const summary = `requests ${cpuRequest}/${memoryRequest}, limits ${cpuLimit}/${memoryLimit}`;
    let detail: string;
    let status: KeyStatus;
    if (!given) {
      status = A;
      detail = `compose sets no resources: ${summary}, a starting size for ${kind === 'edge' ? 'an' : 'a'} ${kind}; measure and adjust`;
    } else {
      status = derived.length || defaulted.length ? A : C;
      detail = `${summary} in canonical form${derived.length ? `; derived: ${derived.join(', ')}` : ''}${defaulted.length ? `; ${defaulted.join(' and ')} not given: the starting size of a ${kind}` : ''}`;
    }
    if (isObject(s.deploy) && s.deploy.resources !== undefined) o.set('deploy.resources', status, detail);
    for (const key of ['mem_limit', 'mem_reservation', 'cpus']) if (s[key] !== undefined) o.set(key, status, detail);
    if (s.cpu_shares !== undefined) o.set('cpu_shares', D, 'relative CPU weights have no Kubernetes equivalent; requests set the share');
    if (limits.pids !== undefined) o.set('deploy.resources', A, `${detail}; limits.pids is dropped (the kubelet's pod PID limit applies)`);
    if (!given) this.comment(`${at}.resources`, `TODO(import): compose sets no resources; a starting size for ${kind === 'edge' ? 'an' : 'a'} ${kind}.`);
    else if (derived.length) this.comment(`${at}.resources`, `From compose ${describeResources(limits, reservations, s)}; ${derived.join(', ')}.`);

    // GPUs: device reservations, `gpus:` and the nvidia runtime.
    let gpus: number | undefined;
    const devices = listOf(reservations.devices);
    for (const dev of devices) {
      const caps = listOf(dev.capabilities).flat().map(String);
      if (caps.includes('gpu') || dev.driver === 'nvidia') {
        const n = dev.count === 'all' || dev.count === undefined ? (listOf(dev.device_ids).length || 1) : intOf(dev.count) ?? 1;
        gpus = (gpus ?? 0) + n;
      }
    }
    if (s.gpus !== undefined) gpus = gpus ?? (intOf(s.gpus) ?? 1);
    if (s.runtime === 'nvidia') gpus = gpus ?? 1;
    return { resources, gpus };
  }

  private replicas(c: Classified): number | undefined {
    const s = c.service.spec;
    if (isObject(s.deploy) && s.deploy.replicas !== undefined) {
      this.need(c, 'deploy');
      const n = intOf(s.deploy.replicas);
      if (n === undefined) throw new ImportError(`${this.project.file}: service "${c.service.name}": deploy.replicas: must be a whole number; got ${JSON.stringify(s.deploy.replicas)}`);
      return n;
    }
    if (s.scale !== undefined) {
      this.need(c, 'scale');
      const n = intOf(s.scale);
      if (n === undefined) throw new ImportError(`${this.project.file}: service "${c.service.name}": scale: must be a whole number; got ${JSON.stringify(s.scale)}`);
      return n;
    }
    return undefined;
  }

  private webReplicas(c: Classified, target: PlanObject, what: string): void {
    const n = this.replicas(c);
    const o = this.out(c);
    const keys = [c.service.spec.scale !== undefined ? 'scale' : undefined, isObject(c.service.spec.deploy) && c.service.spec.deploy.replicas !== undefined ? 'deploy.replicas' : undefined].filter((k): k is string => !!k);
    if (n === undefined) return;
    const min = Math.max(2, n);
    target.minReplicas = min;
    target.maxReplicas = Math.max(10, min);
    for (const k of keys) {
      o.set(k, n >= 2 ? C : A, n >= 2
        ? `${what} HPA from ${min} to ${target.maxReplicas} replicas (on CPU and memory)`
        : `${what} keeps at least 2 replicas (compose had ${n}) so it survives a node loss; HPA up to ${target.maxReplicas}`);
    }
  }

  private grace(c: Classified, minimum: number, what: string): number | undefined {
    const s = c.service.spec;
    if (s.stop_grace_period === undefined) return undefined;
    this.need(c, 'stop_grace_period');
    const g = durationSeconds(s.stop_grace_period);
    if (g === undefined) throw new ImportError(`${this.project.file}: service "${c.service.name}": stop_grace_period: not a duration; got ${JSON.stringify(s.stop_grace_period)}`);
    if (g > minimum) {
      this.out(c).set('stop_grace_period', C, `terminationGracePeriodSeconds ${g}`);
      return g;
    }
    this.out(c).set('stop_grace_period', A, `compose gave ${g} s; ${what} needs more than ${minimum} s, so the chart's default applies`);
    return undefined;
  }

  // ------------------------------------------------------------------ health

  private health(c: Classified): Health | undefined {
    if (c.service.spec.healthcheck === undefined) return undefined;
    this.need(c, 'healthcheck');
    return readHealth(c.service.spec.healthcheck);
  }

  /** Reports every healthcheck sub-key of a service with one outcome each. */
  private healthKeys(c: Classified, testOutcome: [KeyStatus, string], timings: [KeyStatus, string]): void {
    const h = c.service.spec.healthcheck;
    if (!isObject(h)) return;
    const o = this.out(c);
    for (const key of Object.keys(h)) {
      if (key === 'test') o.set('healthcheck.test', ...testOutcome);
      else if (['interval', 'timeout', 'retries', 'start_period', 'start_interval'].includes(key)) o.set(`healthcheck.${key}`, ...timings);
      else if (key === 'disable') o.set('healthcheck.disable', C, h.disable ? 'no probe from the healthcheck' : 'the healthcheck is on');
      else o.set(`healthcheck.${key}`, D, 'not a healthcheck key the importer knows');
    }
  }

  /** The compose healthcheck timings as the chart's probeTimings, with what had to change. */
  private probeTimings(h: Health): { timings?: PlanObject; notes: string[] } {
    const t: PlanObject = {};
    const notes: string[] = [];
    const period = h.interval === undefined ? undefined : Math.min(300, Math.max(1, h.interval));
    if (period !== undefined) t.periodSeconds = period;
    if (h.interval !== undefined && period !== h.interval) notes.push(`interval ${h.interval} s is outside 1-300 s`);
    if (h.timeout !== undefined) {
      const limit = period ?? 5;
      t.timeoutSeconds = Math.min(limit, Math.max(1, h.timeout));
      if (h.timeout > limit) notes.push(`timeout ${h.timeout} s is longer than the ${limit} s period: ${limit} s`);
    }
    if (h.retries !== undefined) t.failureThreshold = Math.min(100, Math.max(1, h.retries));
    if (h.startPeriod !== undefined) {
      // Failures during start_period do not count in compose; then `retries` failures mark it unhealthy.
      const longest = h.startPeriod + (h.interval ?? 30) * (h.retries ?? 3);
      t.startupFailureThreshold = Math.min(1000, Math.max(1, Math.ceil(longest / 5)));
    }
    return { timings: Object.keys(t).length ? t : undefined, notes };
  }

  private timingsDetail(h: Health, target: string): [KeyStatus, string] {
    const { timings, notes } = this.probeTimings(h);
    if (!timings) return [C, "compose used docker's default timings; the chart's apply"];
    const parts = Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ');
    const liveness = timings.periodSeconds !== undefined ? `; liveness every ${2 * (timings.periodSeconds as number)} s with twice the failures` : '';
    const startup = timings.startupFailureThreshold !== undefined ? `; startup: up to ${5 * (timings.startupFailureThreshold as number)} s (start_period plus the retries)` : '';
    return [notes.length ? A : C, `${target}.probeTimings ${parts}: readiness as in compose${liveness}${startup}${notes.length ? `; ${notes.join('; ')}` : ''}`];
  }

  // ------------------------------------------------------------------ ports

  private listenPorts(c: Classified): PortSpec[] {
    for (const key of ['ports', 'expose']) if (c.service.spec[key] !== undefined) this.need(c, key);
    return [...parsePorts(c.service.spec.ports), ...parsePorts(c.service.spec.expose)];
  }

  private portOutcomes(c: Classified, port: number, serviceName: string): void {
    const o = this.out(c);
    this.listenPorts(c);
    for (const key of ['ports', 'expose']) {
      if (c.service.spec[key] === undefined) continue;
      const list = key === 'ports' ? parsePorts(c.service.spec.ports) : parsePorts(c.service.spec.expose);
      const published = list.filter((p) => p.published !== undefined);
      const others = list.filter((p) => p.target !== port);
      const parts = [`the Service ${serviceName} on port ${port}${list.some((p) => p.target === port) ? '' : ` (compose listed ${list.map((p) => p.target).join(', ')})`}`];
      if (published.length) parts.push(`not published on a host (${published.map((p) => `${p.published}:${p.target}`).join(', ')}): ${this.hasEdge ? 'the edge and its Ingress are the way in' : 'add an edge to reach it from outside'}`);
      if (others.length) parts.push(`ports ${uniq(others.map((p) => p.target)).join(', ')} are not served`);
      o.set(key, published.length || others.length || !list.some((p) => p.target === port) ? A : C, parts.join('; '));
    }
  }

  // ------------------------------------------------------------------ backend

  /**
   * The props of a Django web server: the backend, or a web service (`webServices[i]`) beside it. A web service
   * keeps daphne (AppServer.DAPHNE, one process per pod); the backend runs daphne and hypercorn as uvicorn.
   */
  private webTierProps(c: Classified, part: 'backend' | `webServices[${number}]`): PlanObject {
    const o = this.out(c);
    const isBackend = part === 'backend';
    const name = isBackend ? 'backend' : this.webServiceName(c);
    const who = isBackend ? 'the backend' : `the web service ${name}`;
    this.need(c, 'command');
    this.need(c, 'entrypoint');
    const props: PlanObject = {};
    const cmd = c.analysis.commands.find((x) => ['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'runserver'].includes(x.kind));
    const notes: string[] = [];
    let status: KeyStatus = C;
    let application: string | undefined;
    let server: 'GUNICORN' | 'UVICORN' | 'DAPHNE' = 'GUNICORN';
    let port: number | undefined;
    let workers: number | undefined;
    let timeout: number | undefined;
    if (cmd) {
      const a = cmd.argv;
      const gunicornValued = ['-w', '--workers', '-b', '--bind', '-t', '--timeout', '-k', '--worker-class', '-c', '--config', '--threads', '--max-requests', '--max-requests-jitter',
        '--graceful-timeout', '--keep-alive', '--log-level', '--access-logfile', '--error-logfile', '--chdir', '--user', '--group', '--worker-tmp-dir', '--pythonpath', '-e', '--env',
        '--name', '-n', '--forwarded-allow-ips', '--log-file', '--statsd-host', '--limit-request-line', '--access-logformat', '--worker-connections', '--backlog'];
      const uvicornValued = ['--host', '--port', '--workers', '--uds', '--fd', '--loop', '--http', '--ws', '--lifespan', '--env-file', '--log-config', '--log-level', '--root-path',
        '--limit-concurrency', '--backlog', '--limit-max-requests', '--timeout-keep-alive', '--timeout-graceful-shutdown', '--forwarded-allow-ips', '--app-dir', '-b', '--bind', '-p', '-w',
        '-k', '--worker-class', '-u', '--unix-socket', '--access-log', '--proxy-headers-host'];
      const bindPort = (bind: string | undefined) => {
        const m = bind ? /:([0-9]+)$/.exec(bind) : null;
        return m ? Number(m[1]) : undefined;
      };
      if (cmd.kind === 'gunicorn') {
        application = positional(a, gunicornValued);
        port = bindPort(option(a, ['-b'], ['--bind']));
        workers = intOf(option(a, ['-w'], ['--workers']));
        timeout = intOf(option(a, ['-t'], ['--timeout']));
        const workerClass = option(a, ['-k'], ['--worker-class']);
        if (workerClass && /uvicorn/i.test(workerClass)) {
          server = 'UVICORN';
          status = A;
          notes.push(`gunicorn with ${workerClass} becomes uvicorn --workers (ASGI)`);
        } else if (workerClass && !/sync/.test(workerClass)) {
          status = A;
          notes.push(`worker class ${workerClass} is not carried: the chart runs gunicorn's sync workers`);
        }
        if (option(a, ['-c'], ['--config'])) {
          status = A;
          notes.push(`${option(a, ['-c'], ['--config'])} is not read: its settings are not carried`);
        }
        const rest = otherOptions(a, ['-w', '--workers', '-b', '--bind', '-t', '--timeout', '-k', '--worker-class', '-c', '--config', '--access-logfile', '--forwarded-allow-ips', '--worker-tmp-dir', '--graceful-timeout'], gunicornValued);
        this.serverExtraArgs(part, rest, /^(--reload|-D$|--daemon|-p$|--pid|-u$|--user|-g$|--group|--chdir|--certfile|--keyfile|--ca-certs|--check-config|--print-config|--log-file|--error-logfile)/, notes, (a2) => {
          status = a2;
        });
      } else if (cmd.kind === 'uvicorn' || cmd.kind === 'hypercorn' || cmd.kind === 'daphne') {
        server = cmd.kind === 'daphne' && !isBackend ? 'DAPHNE' : 'UVICORN';
        application = cmd.kind === 'daphne' ? [...a].reverse().find((w, i, arr) => !w.startsWith('-') && !(arr[i + 1] ?? '').startsWith('-') && /:/.test(w)) ?? positional(a, uvicornValued) : positional(a, uvicornValued);
        port = intOf(option(a, ['-p'], ['--port'])) ?? bindPort(option(a, ['-b'], ['--bind']));
        workers = intOf(option(a, ['-w'], ['--workers']));
        if (cmd.kind !== 'uvicorn' && server === 'UVICORN') {
          status = A;
          notes.push(`${cmd.kind} becomes uvicorn (the chart's ASGI server)`);
        }
        const rest = otherOptions(a, ['--host', '--port', '--workers', '--proxy-headers', '--forwarded-allow-ips', '--timeout-graceful-shutdown', '-b', '--bind', '-p', '-w'], uvicornValued);
        if (cmd.kind === 'uvicorn') {
          this.serverExtraArgs(part, rest, /^(--reload|--uds|--fd|--env-file|--ssl-|--log-config|-u$|--unix-socket)/, notes, (a2) => {
            status = a2;
          });
        } else if (rest.length) {
          status = A;
          notes.push(`not carried: ${rest.join(' ')} (${cmd.kind} options; ${server === 'DAPHNE' ? 'the chart sets daphne\'s' : 'uvicorn runs the app'})`);
        }
        if (server === 'DAPHNE' && workers !== undefined && workers !== 1) {
          status = A;
          notes.push(`daphne runs one process per pod: ${workers} workers are not carried (scale it with replicas)`);
          workers = undefined;
        }
      } else {
        // manage.py runserver
        const addr = a.slice(a.indexOf('runserver') + 1).find((w) => !w.startsWith('-'));
        port = addr ? Number(/([0-9]+)$/.exec(addr)?.[1]) || undefined : 8000;
        status = A;
        notes.push('the development server becomes gunicorn');
      }
    } else {
      status = A;
      notes.push('compose runs the image\'s CMD; the chart runs gunicorn explicitly');
      this.addTodo('Django web tier', `${c.service.name} had no command: check ${part}.application and ${part}.server in main.ts against what the image's CMD starts.`, [c.service.name]);
    }
    if (application && !/:/.test(application) && /^[A-Za-z_][\w.]*$/.test(application)) application = `${application}:application`;
    if (!application || !/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(application)) {
      const derived = `${this.djangoModule()}.${server === 'GUNICORN' ? 'wsgi' : 'asgi'}:application`;
      if (application) notes.push(`the application ${application} is not "module:attribute"; ${derived} is used`);
      application = derived;
      status = A;
    }
    props.server = new EnumRef('AppServer', server);
    props.application = application;
    if (workers === undefined) {
      const wc = c.service.environment.find((e) => e.name === 'WEB_CONCURRENCY' || e.name === 'GUNICORN_WORKERS');
      if (wc?.value && intOf(wc.value)) workers = intOf(wc.value);
    }
    if (workers !== undefined) {
      if (workers < 1 || workers > 64) {
        notes.push(`${workers} server workers is outside 1-64; 4 are used`);
        status = A;
      } else {
        props.serverWorkers = workers;
      }
    }
    const listen = this.listenPorts(c);
    port = port ?? listen[0]?.target ?? 8000;
    if (port < 1024) {
      notes.push(`port ${port} needs root; ${who} listens on 8000 (Pod Security restricted)`);
      status = A;
      port = 8000;
    }
    if (port !== 8000) props.port = port;
    this.componentNames.set(c.service.name, { name, port });
    if (timeout !== undefined) {
      if (timeout >= 1 && timeout <= 3600) {props.requestTimeoutSeconds = timeout;} else {
        notes.push(`timeout ${timeout} s is outside 1-3600; 60 s is used`);
        status = A;
      }
    }
    const pre = c.analysis.commands.filter((x) => x !== cmd);
    if (pre.length) {
      const manage = pre.filter((x) => x.kind === 'manage');
      if (manage.length) notes.push(`manage.py ${manage.map((x) => x.manage).join(', ')} before the server: run once per release by the jobs instead of at every start`);
      const other = pre.filter((x) => x.kind !== 'manage');
      if (other.length) {
        status = A;
        notes.push(`not run: ${other.map((x) => quoteArgv(x.argv)).join('; ')}`);
      }
    }
    if (c.analysis.wrappers.length) {
      status = A;
      notes.push(`wrappers dropped: ${c.analysis.wrappers.join('; ')} (readiness probes and the jobs' retries replace waiting for dependencies)`);
    }
    const what = `${server.toLowerCase()} ${application} on port ${port}${props.serverWorkers ? ` with ${props.serverWorkers} workers` : ''}`;
    const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
    if (cmdKey) o.set(cmdKey, status, `${what}${notes.length ? `; ${notes.join('; ')}` : ''}`);
    if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so the image entrypoint and this one do not run');
    this.comment(part, `compose service ${c.service.name}: ${what}.`);

    // Probes.
    const h = this.health(c);
    if (h) {
      if (h.disabled) {
        this.healthKeys(c, [A, 'healthcheck disabled in compose; the chart still probes /healthz/ready and /healthz/live'], [D, 'no healthcheck']);
      } else if (h.path) {
        props.readinessPath = h.path;
        this.healthKeys(c,
          [A, `${h.form} ${JSON.stringify(h.text)} becomes an HTTP GET ${h.path} readiness probe on the http port (no curl needed in the image); liveness and startup stay on /healthz/live, which the app must answer${h.form === 'CMD-SHELL' ? ' (the shell command was read for its URL)' : ''}`],
          this.timingsDetail(h, part));
        this.addTodo('Django web tier', `Serve GET /healthz/live (200 while the process runs) besides ${h.path}: liveness must not depend on the database, or a slow database restarts every pod.`, [c.service.name]);
      } else {
        this.healthKeys(c, [A, `${h.form} ${JSON.stringify(h.text)} is not an HTTP check; ${who} is probed with GET /healthz/ready (readiness) and /healthz/live (liveness, startup)`], this.timingsDetail(h, part));
        this.addTodo('Django web tier', 'Serve GET /healthz/ready (200 when the pod can take traffic) and /healthz/live (200 while the process runs).', [c.service.name]);
      }
      const { timings } = this.probeTimings(h);
      if (timings && !h.disabled) props.probeTimings = timings;
    } else {
      this.addTodo('Django web tier', 'Serve GET /healthz/ready (200 when the pod can take traffic) and /healthz/live (200 while the process runs); compose had no healthcheck.', [c.service.name]);
    }

    this.webReplicas(c, props, who);
    const timeoutUsed = (props.requestTimeoutSeconds as number | undefined) ?? 60;
    const g = this.grace(c, 10 + timeoutUsed, `${who} (a 10 s drain plus the ${timeoutUsed} s request timeout)`);
    if (g !== undefined) props.terminationGracePeriodSeconds = g;
    props.resources = this.resources(c, 'backend', part).resources;
    if (isBackend) {
      this.becomes.set(c.service.name, `backend: Deployment, Service backend:${port}, HPA, PodDisruptionBudget`);
      return props;
    }
    this.becomes.set(c.service.name, `${part} ${name}: Deployment, Service ${name}:${port}, HPA, PodDisruptionBudget; the edge routes its path prefixes to it`);
    // name and pathPrefixes first read best; the prefixes are known once the edge has read the nginx routes.
    return { name, pathPrefixes: [], ...props };
  }

  /** The name of a web service: its compose name, unless another component of the chart has it. */
  private webServiceName(c: Classified): string {
    const label = dnsLabel(c.service.name, 50);
    const taken = ['backend', 'frontend', 'edge', 'beat', 'migrate', 'collectstatic'].includes(label) || label.startsWith('worker-')
      || this.webServers.some((x) => x !== c && this.webServers.indexOf(x) < this.webServers.indexOf(c) && dnsLabel(x.service.name, 50) === label);
    return taken ? `${label}-web` : label;
  }

  /**
   * The path prefixes of each web service: the locations of the compose nginx that proxy to it, else a placeholder
   * the team replaces (the edge routes nothing else to a web service, so its clients must use that prefix).
   */
  private webServicePrefixes(webServices: PlanObject[], edge: PlanObject | undefined): void {
    const routing = (edge?.routing ?? {}) as PlanObject;
    const claimed = new Set<string>([
      ...((routing.backendPathPrefixes as string[] | undefined) ?? ['/api/', '/admin/']),
      ...((routing.uploadPathPrefixes as string[] | undefined) ?? ['/upload/']),
      String(routing.staticPathPrefix ?? '/static/'), String(routing.internalS3Prefix ?? '/_s3/'),
    ]);
    this.webServers.forEach((c, i) => {
      const props = webServices[i];
      const at = `webServices[${i}]`;
      const found = (this.webPrefixes.get(c) ?? []).filter((p) => !claimed.has(p));
      if (found.length) {
        props.pathPrefixes = found;
        for (const p of found) claimed.add(p);
        this.comment(`${at}.pathPrefixes`, `The locations of the compose nginx that proxied to ${c.service.name}; the edge upgrades websockets on them.`);
        return;
      }
      const candidates = ['/ws/', `/ws/${props.name}/`, `/${props.name}/`];
      const placeholder = candidates.find((p) => !claimed.has(p))!;
      claimed.add(placeholder);
      props.pathPrefixes = [placeholder];
      this.comment(`${at}.pathPrefixes`, `TODO(import): the paths its clients use (${placeholder} is a placeholder): ${this.edgeService ? 'no location of the compose nginx proxies to it' : 'compose had no nginx'}, and the edge sends ${props.name} nothing but these prefixes.`);
      this.addTodo('Edge', `Set ${at}.pathPrefixes (${props.name}) in main.ts to the paths the clients of ${c.service.name} use (${placeholder} is a placeholder; ${this.edgeService ? 'no location of the compose nginx proxies to it' : 'compose had no nginx'}): the edge routes nothing else to it.`, [c.service.name]);
    });
  }

  /** A web server besides the backend (an ASGI server for WebSockets, say) is a web service behind the edge; without an edge, a to-do. */
  private secondWebServers(): void {
    for (const c of this.ofRole('django-backend').filter((x) => x !== this.backend && !this.webServers.includes(x))) {
      const cmd = c.analysis.commands.find((x) => ['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'runserver'].includes(x.kind));
      const a = cmd?.argv ?? [];
      const bind = option(a, ['-b'], ['--bind']);
      const port = intOf(option(a, ['-p'], ['--port'])) ?? (bind ? intOf(/:([0-9]+)$/.exec(bind)?.[1]) : undefined) ?? this.listenPorts(c)[0]?.target;
      const what = cmd ? `${quoteArgv(a.slice(0, 6))}${a.length > 6 ? ' …' : ''}` : 'the image\'s CMD';
      this.addTodo('Django web tier', `${c.service.name} runs a second web server (${what}${port ? `, port ${port}` : ''}) that the generated app does not run: the chart runs one beside the backend only as a webServices entry, which needs an edge (only the edge routes to it), and this app has none. `
        + 'Add an edge and a webServices entry for it (server, application, port and the path prefixes its clients use), or serve its routes from the backend, '
        + 'or deploy it as an app of its own.', [c.service.name]);
    }
  }

  /** Options of the web server the chart does not set itself become backend.extraArgs; dev and file options are dropped. */
  private serverExtraArgs(w: Workload, rest: string[], never: RegExp, notes: string[], approximate: (s: KeyStatus) => void): void {
    const dropped = rest.filter((r) => never.test(r));
    const carried = rest.filter((r) => !never.test(r));
    if (carried.length) {
      this.podOf(w).extraArgs.push(...carried.map((r) => (r.startsWith('--') ? r.replace(' ', '=') : r)).flatMap((r) => (r.startsWith('--') ? [r] : r.split(' '))));
      notes.push(`${w}.extraArgs ${carried.join(' ')}`);
    }
    if (dropped.length) {
      notes.push(`not carried: ${dropped.join(' ')} (reloading, daemonizing, users, files and TLS have no place in the pod)`);
      approximate(A);
    }
  }

  // ------------------------------------------------------------------ workers

  private workers(): PlanObject {
    const queues: PlanValue[] = [];
    const seen = new Map<string, string>();
    const valued = ['-A', '--app', '-Q', '--queues', '-c', '--concurrency', '-l', '--loglevel', '-n', '--hostname', '-P', '--pool', '--time-limit', '--soft-time-limit', '--autoscale',
      '--max-tasks-per-child', '--max-memory-per-child', '-O', '--prefetch-multiplier', '-X', '--exclude-queues', '--pidfile', '--logfile', '-f', '-s', '--schedule', '-b', '--broker',
      '--statedb', '-S', '--scheduler', '--uid', '--gid', '--workdir'];
    const handled = ['-A', '--app', '-Q', '--queues', '-c', '--concurrency', '--autoscale', '--time-limit', '--soft-time-limit', '-n', '--hostname',
      '--prefetch-multiplier', '--without-gossip', '--without-mingle', '-B', '--beat', '-l', '--loglevel'];
    // Options a pod cannot use: files, users, daemonizing, purging the queue at every start.
    const never = ['--detach', '-D', '--pidfile', '--logfile', '-f', '--uid', '--gid', '--purge', '--discard', '--statedb', '-X', '--exclude-queues', '--workdir', '-b', '--broker'];
    const workers = this.ofRole('celery-worker');
    const extraOf = new Map<Classified, string[][]>();
    for (const c of workers) {
      const a = c.analysis.commands.find((x) => x.kind === 'celery-worker')!.argv;
      const groups: string[][] = [];
      for (const opt of otherOptions(a, handled, valued)) {
        const [name, value] = opt.includes(' ') ? [opt.slice(0, opt.indexOf(' ')), opt.slice(opt.indexOf(' ') + 1)] : opt.split(/=(.*)/s, 2);
        if (never.includes(name)) continue;
        groups.push(value === undefined ? [name] : name.startsWith('--') ? [`${name}=${value}`] : [name, value]);
      }
      const level = option(a, ['-l'], ['--loglevel']);
      if (level && level.toLowerCase() !== 'info') groups.push([`--loglevel=${level.toUpperCase()}`]);
      extraOf.set(c, groups);
    }
    // The pool's extraArgs reach every queue: only options every worker had are carried.
    const key = (g: string[]) => g.join(' ');
    const everyWorkerHas = (g: string[]) => workers.every((w) => extraOf.get(w)!.some((x) => key(x) === key(g)));
    const common = workers.length ? extraOf.get(workers[0])!.filter(everyWorkerHas) : [];
    for (const g of common) this.podOf('workers').extraArgs.push(...g);

    for (const c of workers) {
      const o = this.out(c);
      this.need(c, 'command');
      this.need(c, 'entrypoint');
      const a = c.analysis.commands.find((x) => x.kind === 'celery-worker')!.argv;
      const notes: string[] = [];
      let status: KeyStatus = C;
      const names = (option(a, ['-Q'], ['--queues']) ?? 'celery').split(',').map((q) => q.trim()).filter(Boolean);
      let concurrency = intOf(option(a, ['-c'], ['--concurrency']));
      const autoscale = option(a, [], ['--autoscale']);
      if (concurrency === undefined && autoscale) {
        concurrency = intOf(autoscale.split(',')[0]);
        notes.push(`--autoscale ${autoscale} becomes --concurrency=${concurrency}: KEDA adds pods instead of processes`);
        status = A;
      }
      if (concurrency === undefined) {
        notes.push('no --concurrency (Celery would start one process per CPU of the node): 2 per pod, the chart\'s default');
        status = A;
      } else if (concurrency < 1 || concurrency > 64) {
        notes.push(`--concurrency ${concurrency} is outside 1-64; 2 is used`);
        concurrency = undefined;
        status = A;
      }
      let timeLimit = intOf(option(a, [], ['--time-limit']));
      const soft = intOf(option(a, [], ['--soft-time-limit']));
      if (timeLimit === undefined) {
        const env = c.service.environment.find((e) => e.name === 'CELERY_TASK_TIME_LIMIT' || e.name === 'CELERYD_TASK_TIME_LIMIT');
        if (env?.value && intOf(env.value)) timeLimit = intOf(env.value);
      }
      if (timeLimit === undefined) {
        notes.push('no --time-limit: 300 s per task (the chart requires a limit; set taskTimeLimitSeconds to the longest task)');
        status = A;
        this.addTodo('Celery', 'Set taskTimeLimitSeconds of the queues of these workers to their longest task (compose gave them no --time-limit; 300 s is used).', [c.service.name]);
      }
      if (flag(a, ['-B', '--beat'])) notes.push('-B (embedded beat) is not carried: beat runs once, as its own Deployment');
      const mine = extraOf.get(c)!;
      const carried = mine.filter((g) => common.some((x) => key(x) === key(g)));
      const perQueue = mine.filter((g) => !common.some((x) => key(x) === key(g)));
      const skipped = otherOptions(a, handled, valued).filter((opt) => never.includes(opt.split(/[ =]/)[0]));
      if (carried.length) notes.push(`workers.extraArgs ${carried.map((g) => g.join(' ')).join(' ')} (every worker had ${carried.length > 1 ? 'them' : 'it'})`);
      if (perQueue.length) {
        notes.push(`not carried: ${perQueue.map((g) => g.join(' ')).join(' ')} (only this worker had ${perQueue.length > 1 ? 'them' : 'it'}, and the pool's extraArgs reach every queue)`);
        status = A;
        this.needProp('CeleryQueueProps.extraArgs', 'worker options that only some queues had in compose', c.service.name);
        if (perQueue.some((g) => /^--max-(tasks|memory)-per-child/.test(g[0]))) {
          this.addTodo('Celery', 'These workers passed --max-tasks-per-child or --max-memory-per-child, which no queue carries: set worker_max_tasks_per_child / worker_max_memory_per_child in the Celery configuration; the memory limit restarts a leaking worker anyway.', [c.service.name]);
        }
      }
      if (skipped.length) {
        notes.push(`dropped: ${skipped.join(' ')} (files, users or daemonizing have no place in a pod)`);
        status = A;
      }
      if (names.length > 1) {
        notes.push(`one worker consumed ${names.join(', ')}: now one Deployment per queue, each scaled by KEDA on its own length`);
        status = A;
      }
      const { resources, gpus } = this.resources(c, 'worker', `workers.queues[${queues.length}]`);
      const replicas = this.replicas(c);
      for (const k of ['scale', 'deploy.replicas']) {
        if ((k === 'scale' && c.service.spec.scale !== undefined) || (k === 'deploy.replicas' && isObject(c.service.spec.deploy) && c.service.spec.deploy.replicas !== undefined)) {
          o.set(k, C, `minReplicas ${replicas} per queue; KEDA scales up to ${Math.max(10, replicas ?? 1)} on the queue length`);
        }
      }
      const grace = c.service.spec.stop_grace_period !== undefined ? (this.need(c, 'stop_grace_period'), durationSeconds(c.service.spec.stop_grace_period)) : undefined;
      const created: string[] = [];
      for (const q of names) {
        const previous = seen.get(q);
        if (previous) {
          notes.push(`queue ${q} is already served by ${previous}`);
          status = A;
          continue;
        }
        seen.set(q, c.service.name);
        // The chart derives the object name from the Celery queue name.
        const objectName = q.toLowerCase().replace(/[^a-z0-9-]/g, '-');
        const queue: PlanObject = {
          name: q,
          priority: new EnumRef('QueuePriority', priorityOf(q)),
          concurrency,
          taskTimeLimitSeconds: timeLimit,
          softTimeLimitSeconds: soft !== undefined && timeLimit !== undefined && soft <= timeLimit ? soft : undefined,
          minReplicas: replicas !== undefined && replicas !== 1 ? replicas : undefined,
          maxReplicas: replicas !== undefined && replicas > 10 ? replicas : undefined,
          resources: gpus ? { ...resources, extendedResources: { 'nvidia.com/gpu': String(gpus) } } : { ...resources },
        };
        const limit = timeLimit ?? 300;
        if (grace !== undefined) {
          if (grace > limit) queue.terminationGracePeriodSeconds = grace;
          o.set('stop_grace_period', grace > limit ? C : A, grace > limit
            ? `terminationGracePeriodSeconds ${grace} (longer than the ${limit} s task limit, so a warm shutdown finishes the task)`
            : `compose gave ${grace} s, not longer than the ${limit} s task limit: the chart uses ${limit + 30} s so a warm shutdown can finish the running task`);
        }
        if (gpus) queue.nodePool = 'gpu';
        this.comment(`workers.queues[${queues.length}]`, `compose service ${c.service.name}: ${quoteArgv(a)}`);
        if (gpus) this.comment(`workers.queues[${queues.length}].nodePool`, 'GPU worker: the node pool "gpu" (nodes labelled node-pool=gpu and tainted node-pool=gpu:NoSchedule, with the NVIDIA device plugin).');
        queues.push(queue);
        created.push(`worker-${objectName}`);
      }
      if (gpus) {
        const gpuKey = isObject(c.service.spec.deploy) && isObject(c.service.spec.deploy.resources) ? 'deploy.resources' : c.service.spec.gpus !== undefined ? 'gpus' : 'runtime';
        const prev = this.out(c).keys.get(gpuKey);
        this.out(c).set(gpuKey, prev?.status === A ? A : C,
          `${prev ? `${prev.detail}; ` : ''}${gpus} GPU: requests and limits nvidia.com/gpu: ${gpus} on the node pool gpu (its nodeSelector and toleration)`);
        if (c.service.spec.gpus !== undefined && gpuKey !== 'gpus') o.set('gpus', C, `nvidia.com/gpu: ${gpus} on the node pool gpu (see deploy.resources)`);
        if (c.service.spec.runtime !== undefined && gpuKey !== 'runtime') o.set('runtime', C, 'the NVIDIA device plugin of the GPU node pool provides the runtime');
        this.addTodo('Cluster', 'Provide a GPU node pool: nodes labelled node-pool=gpu, tainted node-pool=gpu:NoSchedule, with the NVIDIA device plugin.', [c.service.name]);
      }
      const cmdKey = c.service.spec.command !== undefined ? 'command' : 'entrypoint';
      o.set(cmdKey, status, `Celery worker of ${names.join(', ')}${concurrency ? ` with concurrency ${concurrency}` : ''}${timeLimit ? `, time limit ${timeLimit} s` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`);
      if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
      const h = this.health(c);
      if (h) {
        this.healthKeys(c, [A, `${h.form} ${JSON.stringify(h.text)} is replaced by the heartbeat-file liveness probe (no broker call: a probe through the broker restarts healthy workers when the broker is slow)`],
          [A, 'the heartbeat probe has its own timings (every heartbeat interval, 3 failures)']);
      }
      this.addTodo('Celery', 'Run the Celery app on the worker contract (README, "Celery worker contract"): k8s_topology_celery.configure(app), or by hand the heartbeat bootstep that touches CELERY_WORKER_HEARTBEAT_FILE and CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST, CELERY_WORKER_PREFETCH_MULTIPLIER mapped onto the configuration. Until then, workers.liveness: CeleryLiveness.NONE keeps the pods from being restarted for a missing heartbeat.', [c.service.name]);
      this.addTodo('Celery', 'Make every task idempotent: with acks_late a task interrupted by a scale-down or a memory kill runs again.', [c.service.name]);
      this.becomes.set(c.service.name, created.length ? `${created.join(', ')}: a Deployment, KEDA ScaledObject and PodDisruptionBudget per queue` : 'nothing (its queues are served by other workers)');
    }
    return { queues };
  }

  // ------------------------------------------------------------------ beat

  private beat(): PlanObject | undefined {
    const beats = this.ofRole('celery-beat');
    const c = beats[0];
    const props: PlanObject = {};
    if (!c) {
      // Without a beat service, beat runs only when a worker embedded it (-B); otherwise the app has none.
      const embedded = this.ofRole('celery-worker').find((w) => w.analysis.commands.some((x) => x.kind === 'celery-worker' && flag(x.argv, ['-B', '--beat'])));
      if (!embedded) return undefined;
      props.resources = { ...DEFAULT_SIZES.beat };
      this.addTodo('Celery', 'Give beat its heartbeat (README, "Celery beat"): k8s_topology_celery.HeartbeatScheduler, which configure(app) makes the default; until then beat.liveness: CeleryLiveness.NONE.', [embedded.service.name]);
      this.comment('beat', `compose ran beat inside the worker ${embedded.service.name} (-B); it runs once, as its own Deployment.`);
      return props;
    }
    const o = this.out(c);
    this.need(c, 'command');
    const cmd = c.analysis.commands.find((x) => x.kind === 'celery-beat')!;
    const a = cmd.argv;
    const notes: string[] = [];
    let status: KeyStatus = C;
    const scheduler = option(a, ['-S'], ['--scheduler']);
    if (scheduler) {
      props.scheduler = scheduler;
      notes.push(`beat.scheduler ${scheduler}`);
      this.addTodo('Celery', `Beat's liveness probe reads a heartbeat its scheduler touches on every tick: mix k8s_topology_celery.HeartbeatSchedulerMixin into ${scheduler.split(':').pop()} and name the subclass in beat.scheduler (README, "Celery beat"); until then beat.liveness: CeleryLiveness.NONE.`, [c.service.name]);
    } else {
      this.addTodo('Celery', 'Give beat its heartbeat (README, "Celery beat"): k8s_topology_celery.HeartbeatScheduler, which configure(app) makes the default; until then beat.liveness: CeleryLiveness.NONE.', [c.service.name]);
    }
    if (option(a, ['-s'], ['--schedule'])) notes.push('the schedule file is /tmp/celerybeat-schedule (the root filesystem is read-only)');
    const valued = ['-A', '--app', '-l', '--loglevel', '-S', '--scheduler', '-s', '--schedule', '--pidfile', '--max-interval', '-b', '--broker', '--logfile', '-f', '--uid', '--gid', '--workdir'];
    const rest = otherOptions(a, ['-A', '--app', '-l', '--loglevel', '-S', '--scheduler', '-s', '--schedule', '--pidfile'], valued);
    const dropped = rest.filter((r) => /^(--max-interval|--logfile|-f|--uid|--gid|--detach|--workdir|-b|--broker)\b/.test(r));
    const carried = rest.filter((r) => !dropped.includes(r));
    if (carried.length) {
      this.podOf('beat').extraArgs.push(...carried.flatMap((r) => (r.startsWith('--') ? [r.replace(' ', '=')] : r.split(' '))));
      notes.push(`beat.extraArgs ${carried.join(' ')}`);
    }
    if (dropped.length) {
      notes.push(`not carried: ${dropped.join(' ')} (the chart sets --max-interval for the heartbeat; files and users have no place in a pod)`);
      status = A;
    }
    const level = option(a, ['-l'], ['--loglevel']);
    if (level && level.toLowerCase() !== 'info') this.podOf('beat').extraArgs.push(`--loglevel=${level.toUpperCase()}`);
    if (c.analysis.wrappers.length) {
      notes.push(`wrappers dropped: ${c.analysis.wrappers.join('; ')}`);
      status = A;
    }
    const cmdKey = c.service.spec.command !== undefined ? 'command' : 'entrypoint';
    o.set(cmdKey, status, `Celery beat: one replica, Recreate strategy, never two at once${notes.length ? `; ${notes.join('; ')}` : ''}`);
    if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
    const n = this.replicas(c);
    for (const key of ['scale', 'deploy.replicas']) {
      if ((key === 'scale' && c.service.spec.scale !== undefined) || (key === 'deploy.replicas' && isObject(c.service.spec.deploy) && c.service.spec.deploy.replicas !== undefined)) {
        o.set(key, n === 1 ? C : A, n === 1 ? 'one replica' : `beat runs exactly once (compose had ${n}): two beats send every periodic task twice`);
      }
    }
    const g = this.grace(c, 0, 'beat');
    if (g !== undefined) {
      if (g <= 3600) props.terminationGracePeriodSeconds = g;
      else o.set('stop_grace_period', A, `compose gave ${g} s; beat's grace period is at most 3600 s, the chart's default (30 s) applies`);
    }
    const h = this.health(c);
    if (h) this.healthKeys(c, [A, `${h.form} ${JSON.stringify(h.text)} is replaced by the heartbeat-file liveness probe: beat's scheduler touches the file on every tick`], [A, 'the heartbeat probe has its own timings (three heartbeat intervals)']);
    props.resources = this.resources(c, 'beat', 'beat').resources;
    this.comment('beat', `compose service ${c.service.name}: ${quoteArgv(a)}`);
    this.becomes.set(c.service.name, 'beat: Deployment with 1 replica, Recreate');
    for (const extra of beats.slice(1)) {
      this.out(extra).set(extra.service.spec.command !== undefined ? 'command' : 'entrypoint', D, `a second beat (besides ${c.service.name}) would send every periodic task twice`);
      this.becomes.set(extra.service.name, 'nothing (beat runs once)');
    }
    return props;
  }

  /**
   * A compose file without Celery workers gives an app without broker, workers and beat. A beat service without a worker
   * is not run (nothing would run its periodic tasks), and a broker variable is reported.
   */
  private noCelery(): undefined {
    for (const c of this.ofRole('celery-beat')) {
      this.out(c).set(c.service.spec.command !== undefined ? 'command' : 'entrypoint', D, 'Celery beat without a worker: the chart runs beat only with workers, since nothing else would run its periodic tasks');
      this.becomes.set(c.service.name, 'nothing (beat without workers)');
      this.addTodo('Celery', 'The compose file runs Celery beat but no worker: the generated app runs neither. Add the workers (and beat, broker and celeryApp) to main.ts if the periodic tasks must run.', [c.service.name]);
    }
    const brokerVars = this.appCodeServices()
      .flatMap((c) => c.service.environment.filter((e) => BROKER_VARS.includes(e.name)).map((e) => [c.service.name, e.name]));
    if (brokerVars.length) {
      this.addTodo('Celery', `The compose file sets ${uniq(brokerVars.map(([, n]) => n)).join(', ')} but runs no Celery worker: the generated app has no broker, workers or beat, and passes the variable on as a setting. If workers run elsewhere, set broker in main.ts (the web tier then gets the broker variables).`, uniq(brokerVars.map(([s]) => s)));
    }
    return undefined;
  }

  // ------------------------------------------------------------------ jobs

  private jobs(): { migrations?: PlanObject; collectStatic?: PlanObject } {
    const steps: PlanValue[] = [];
    const stepNames = new Set<string>();
    let collect: Classified | undefined;
    const sources: Classified[] = [];
    const addStep = (cmd: AnalyzedCommand, from: Classified) => {
      if (cmd.manage === 'collectstatic') {
        collect = collect ?? from;
        return;
      }
      let name = dnsLabel(`${cmd.manage === 'migrate_schemas' ? 'migrate' : cmd.manage}${cmd.argv.includes('--shared') ? '-shared' : ''}${cmd.argv.includes('--tenant') ? '-tenants' : ''}`);
      for (let i = 2; stepNames.has(name); i++) name = `${name.replace(/-\d+$/, '')}-${i}`;
      stepNames.add(name);
      steps.push({ name, command: cmd.argv });
      if (!sources.includes(from)) sources.push(from);
    };
    const jobServices = this.ofRole('migrate', 'collectstatic', 'django-management');
    for (const c of jobServices) {
      this.need(c, 'command');
      this.need(c, 'entrypoint');
      for (const cmd of c.analysis.commands) addStep(cmd, c);
    }
    // manage.py commands run by the backend before its server.
    for (const cmd of this.backend.analysis.commands.filter((x) => x.kind === 'manage')) {
      if (cmd.manage === 'migrate' || cmd.manage === 'migrate_schemas' || cmd.manage === 'collectstatic') {
        if (cmd.manage === 'collectstatic' || !jobServices.some((j) => j.role === 'migrate')) addStep(cmd, this.backend);
      }
    }
    const result: { migrations?: PlanObject; collectStatic?: PlanObject } = {};
    if (steps.length) {
      const main = sources.find((s) => s.role === 'migrate') ?? sources[0];
      const migrations: PlanObject = { resources: this.resources(main, 'job', 'migrations').resources, steps };
      const restart = String(main.service.spec.restart ?? '');
      const attempts = /^on-failure:(\d+)$/.exec(restart)?.[1] ?? (isObject(main.service.spec.deploy) && isObject(main.service.spec.deploy.restart_policy) ? main.service.spec.deploy.restart_policy.max_attempts : undefined);
      if (attempts !== undefined && intOf(attempts) !== undefined) migrations.backoffLimit = Math.min(10, intOf(attempts)!);
      // The style's own commands read better than the same commands spelled out.
      const same = (want: string[][]) => steps.length === want.length
        && steps.every((st, i) => JSON.stringify((st as PlanObject).command) === JSON.stringify(want[i]));
      if (same([['python', 'manage.py', 'migrate_schemas', '--shared', '--noinput'], ['python', 'manage.py', 'migrate_schemas', '--tenant', '--noinput']])) {
        delete migrations.steps;
        migrations.style = new EnumRef('MigrationStyle', 'DJANGO_TENANTS');
      } else if (same([['python', 'manage.py', 'migrate', '--noinput']])) {
        delete migrations.steps;
      }
      result.migrations = migrations;
      const tenants = steps.some((s) => JSON.stringify(s).includes('migrate_schemas'));
      this.comment('migrations', `compose ${sources.map((s) => s.service.name).join(', ')}: runs once per release as an Argo CD Sync hook, before the backend, workers and beat of the release.${tenants ? ' django-tenants: migrate_schemas.' : ''}`);
      for (const s of sources) {
        const o = this.out(s);
        if (s === this.backend) continue;
        const cmdKey = s.service.spec.command !== undefined ? 'command' : 'entrypoint';
        const notes: string[] = [];
        if (s.analysis.wrappers.length) notes.push(`wrappers dropped: ${s.analysis.wrappers.join('; ')} (the Job retries instead of waiting)`);
        const others = s.analysis.commands.filter((x) => x.kind !== 'manage');
        if (others.length) notes.push(`not run: ${others.map((x) => quoteArgv(x.argv)).join('; ')}`);
        const extraManage = s.analysis.commands.filter((x) => x.kind === 'manage' && !['migrate', 'migrate_schemas', 'collectstatic'].includes(x.manage ?? ''));
        if (extraManage.length) notes.push(`manage.py ${extraManage.map((x) => x.manage).join(', ')} run as steps of the migration job`);
        o.set(cmdKey, notes.length ? A : C, `the migration Job's steps (${s.analysis.commands.filter((x) => x.kind === 'manage' && x.manage !== 'collectstatic').map((x) => quoteArgv(x.argv)).join(' → ')})${collect === s ? '; collectstatic becomes its own Job' : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`);
        if (cmdKey === 'command' && s.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
        this.becomes.set(s.service.name, `migrate: Job, Argo CD Sync hook (wave 0)${collect === s ? ', and collectstatic' : ''}`);
        if (s.role === 'django-management') this.becomes.set(s.service.name, 'steps of the migrate Job (Sync hook)');
      }
    }
    if (collect) {
      result.collectStatic = { resources: this.resources(collect, 'job', 'collectStatic').resources };
      this.comment('collectStatic', `compose ${collect.service.name}: uploads the static files to the statics bucket once per release (Sync hook).`);
      if (collect !== this.backend && !sources.includes(collect)) {
        const cmdKey = collect.service.spec.command !== undefined ? 'command' : 'entrypoint';
        this.out(collect).set(cmdKey, C, 'the collectstatic Job (python manage.py collectstatic --noinput), a Sync hook before the app tier');
        this.becomes.set(collect.service.name, 'collectstatic: Job, Argo CD Sync hook (wave 0)');
      }
      this.addTodo('Storage', 'Point STORAGES["staticfiles"] at S3 (django-storages): collectstatic uploads to the statics bucket, and the edge serves /static/ from it.');
    } else {
      const built = this.imageCollectsStatic();
      if (built) {
        // The statics are in the image (WhiteNoise): nothing fills the bucket, and the backend serves them.
        this.addTodo('Storage', `The image collects the static files when it is built (${built}), so the backend serves them (WhiteNoise) and no collectstatic Job runs; the generated edge serves /static/ from the statics bucket, so route /static/ to the backend (edge.routing.backendPathPrefixes) or add collectStatic: {} to main.ts and point STORAGES["staticfiles"] at S3.`, [this.backend.service.name]);
      } else {
        // The chart's settings point STATIC_URL and STORAGES["staticfiles"] at the statics bucket; only collectstatic fills it.
        result.collectStatic = { resources: { ...DEFAULT_SIZES.job } };
        const hints = this.staticsOnS3();
        this.comment('collectStatic', `Not a compose service: the app serves its static files from the statics bucket (${hints.length ? `compose shows ${hints.join(', ')}` : 'the chart sets STATIC_URL to it'}), and this Job fills it once per release (Sync hook).`);
        this.comment('collectStatic.resources', 'TODO(import): a starting size for a job; measure and adjust.');
        this.addTodo('Storage', 'Point STORAGES["staticfiles"] at S3 (django-storages): collectstatic uploads to the statics bucket, and the edge serves /static/ from it.');
      }
    }
    for (const c of jobServices) {
      const restart = c.service.spec.restart;
      if (restart !== undefined) {
        const r = String(restart);
        this.out(c).set('restart', r === 'no' || r === 'false' || r.startsWith('on-failure') ? C : A, r.startsWith('on-failure')
          ? `a Job retries a failed run (backoffLimit${result.migrations?.backoffLimit !== undefined ? ` ${result.migrations.backoffLimit}` : ''})`
          : r === 'no' || r === 'false' ? 'runs once per sync as a Job' : `a Job runs to completion; "${r}" would restart it forever`);
      }
    }
    return result;
  }

  /** The RUN of the backend's Dockerfile that collects the static files into the image, if there is one. */
  private imageCollectsStatic(): string | undefined {
    const run = this.backend.context?.runs.find((r) => /\bcollectstatic\b/.test(r));
    return run ? `${this.backend.context!.dockerfile}: RUN ${run.length > 80 ? `${run.slice(0, 77)}...` : run}` : undefined;
  }

  /** What in the compose file shows the static files on S3: a statics bucket or storage variable, a STATIC_URL, a statics volume. */
  private staticsOnS3(): string[] {
    const hints: string[] = [];
    const envs = this.appCodeServices().flatMap((c) => c.service.environment);
    for (const name of ['DJANGO_STATIC_BUCKET', 'AWS_STATIC_BUCKET_NAME', 'STATIC_BUCKET', 'DJANGO_STATICFILES_STORAGE_BACKEND', 'STATICFILES_STORAGE', 'STATIC_URL', 'AWS_STORAGE_BUCKET_NAME']) {
      if (envs.some((e) => e.name === name)) hints.push(name);
    }
    return uniq(hints);
  }

  // ------------------------------------------------------------------ frontend

  private frontendProps(): PlanObject | undefined {
    const c = this.frontend;
    if (!c) return undefined;
    const o = this.out(c);
    this.need(c, 'image');
    const props: PlanObject = {};
    if (c.image) {
      props.image = c.image.repository;
      const tag = c.image.tag;
      if (tag && tag !== 'latest' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
        props.tag = tag;
        o.set('image', C, `frontend.image ${c.image.repository}, tag ${tag}`);
      } else {
        o.set('image', A, `frontend.image ${c.image.repository}; the tag ${tag ?? '(none)'} moves, so it runs the app version`);
        this.addTodo('Images', `Give the frontend image ${c.image.repository} an immutable tag (frontend.tag in main.ts; it runs the app version now).`, [c.service.name]);
      }
      if (c.service.spec.build !== undefined) o.set('build', C, `CI builds and pushes ${c.image.repository}`);
    } else {
      props.image = `registry.example.com/${this.appName}/frontend`;
      o.set('build', A, `no image: the generated app runs ${props.image}, a placeholder`);
      this.addTodo('Images', `Build the frontend image in CI and push it; replace the placeholder ${props.image} in main.ts.`, [c.service.name]);
    }
    const env = c.service.environment;
    const literalPort = ['PORT', 'NUXT_PORT', 'NITRO_PORT'].map((n) => env.find((e) => e.name === n)).find((e) => e?.value && intOf(e.value));
    let port = (literalPort ? intOf(literalPort.value) : undefined) ?? this.listenPorts(c)[0]?.target ?? 3000;
    if (port < 1024) {
      this.addTodo('Frontend', `The frontend listened on ${port}; it listens on 3000 now (a non-root process cannot bind below 1024).`, [c.service.name]);
      port = 3000;
    }
    if (port !== 3000) props.port = port;
    this.componentNames.set(c.service.name, { name: 'frontend', port });
    this.portOutcomes(c, port, 'frontend');
    const backendName = this.backend.service.name;
    const notes: string[] = [];
    for (const e of env) {
      const key = e.origin === 'environment' ? `environment.${e.name}` : `env_file.${e.name}`;
      const urls = urlsIn(`${e.value ?? ''}`);
      const toBackend = urls.find((u) => u.host === backendName);
      if (literalPort && e === literalPort && !CHART_SET_FRONTEND_VARS.includes(e.name)) {
        o.set(key, C, `the frontend's port (${port}); the chart sets PORT`);
      } else if (CHART_SET_FRONTEND_VARS.includes(e.name)) {
        o.set(key, e.name === 'NODE_ENV' && e.value !== 'production' ? A : C, `set by the chart (${e.name === 'PORT' ? port : e.name === 'HOST' ? '0.0.0.0' : 'production'})`);
      } else if (toBackend && props.internalApiUrlVariable === undefined && /^https?$/.test(toBackend.scheme)) {
        if (e.name !== 'NUXT_API_BASE') props.internalApiUrlVariable = e.name;
        const apiPath = (toBackend.rest.replace(/[?#].*$/, '').replace(/\/+$/, '') || '/');
        if (apiPath !== '/api' && /^\/[\w./-]*$/.test(apiPath)) props.apiPath = apiPath;
        o.set(key, C, `the in-cluster API URL the chart gives the frontend (http://backend:<port>${apiPath === '/' ? '' : apiPath})`);
      } else if (urls.length && /API|BACKEND/i.test(e.name) && /PUBLIC|BROWSER|CLIENT/i.test(e.name) && props.publicApiUrlVariable === undefined) {
        if (e.name !== 'NUXT_PUBLIC_API_BASE') props.publicApiUrlVariable = e.name;
        o.set(key, A, `the public API URL: https://<edge host><apiPath> (compose had ${e.value})`);
        notes.push(`public API ${e.value}`);
        if (!this.hasEdge && urls[0] && /^https:\/\//.test(e.value ?? '')) props.publicApiUrl = e.value;
      } else {
        const secret = this.secretReason(e);
        if (secret) {
          const secretName = `${this.appName}-frontend`;
          this.podOf('frontend').extraSecretEnv.set(e.name, { name: e.name, secretName, key: secretKeyFor(e.name) });
          this.addSecret(secretName, secretKeyFor(e.name), e.name, c.service.name, `${e.name} (${secret})`);
          o.set(key, C, `frontend.extraSecretEnv: Secret ${secretName}, key ${secretKeyFor(e.name)} (${secret}); the value is not written anywhere`);
        } else {
          const rewritten = this.rewriteAddresses(e.value ?? '');
          this.podOf('frontend').extraEnv.set(e.name, rewritten.value);
          o.set(key, rewritten.note ? A : C, `frontend.extraEnv ${JSON.stringify(rewritten.value)}${rewritten.note ? ` (${rewritten.note})` : ''}`);
        }
      }
    }
    if (!this.hasEdge && props.publicApiUrl === undefined) {
      props.publicApiUrl = `https://${this.appName}.example.com/api`;
      this.comment('frontend.publicApiUrl', 'TODO(import): the API as browsers reach it (a placeholder: the app has no edge).');
      this.addTodo('Frontend', `Set frontend.publicApiUrl in main.ts (${props.publicApiUrl} is a placeholder).`, [c.service.name]);
    }
    const h = this.health(c);
    if (h) {
      if (h.path && !h.disabled) {
        if (h.path !== '/healthz') props.healthPath = h.path;
        this.healthKeys(c, [C, `an HTTP GET ${h.path} readiness probe on the http port; liveness and startup check the port is open`], this.timingsDetail(h, 'frontend'));
      } else {
        this.healthKeys(c, [A, `${h.form ?? ''} ${JSON.stringify(h.text ?? '')} is not an HTTP check: readiness is GET /healthz, liveness a TCP check`], this.timingsDetail(h, 'frontend'));
        this.addTodo('Frontend', 'Serve GET /healthz from the Nuxt server (200 when it can render pages).', [c.service.name]);
      }
      const { timings } = this.probeTimings(h);
      if (timings && !h.disabled) props.probeTimings = timings;
    } else {
      this.addTodo('Frontend', 'Serve GET /healthz from the Nuxt server (200 when it can render pages); compose had no healthcheck.', [c.service.name]);
    }
    const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
    if (cmdKey) o.set(cmdKey, A, `the image's entrypoint and CMD run the server (the chart sets no command for the frontend); compose ran ${quoteArgv(c.analysis.argv ?? [])}`);
    if (cmdKey) this.addTodo('Frontend', `Make the frontend image's CMD start the production server (compose ran ${quoteArgv(c.analysis.argv ?? [])}).`, [c.service.name]);
    this.webReplicas(c, props, 'the frontend');
    const g = this.grace(c, 40, 'the frontend (a 10 s drain plus the 30 s render timeout)');
    if (g !== undefined) props.terminationGracePeriodSeconds = g;
    props.resources = this.resources(c, 'frontend', 'frontend').resources;
    this.comment('frontend', `compose service ${c.service.name}: the Nuxt server (${c.recognisedBy}).`);
    this.becomes.set(c.service.name, `frontend: Deployment, Service frontend:${port}, HPA, PodDisruptionBudget`);
    return props;
  }

  // ------------------------------------------------------------------ edge

  private readNginx(c: Classified): { site?: NginxSite; files: string[]; error?: string } {
    const files: string[] = [];
    const missing: string[] = [];
    for (const [i, v] of listOf(c.service.spec.volumes).entries()) {
      const m = parseMount(c.service.name, i, v);
      if (!m || m.type !== 'bind' || !m.source) continue;
      const config = /^\/etc\/nginx\/(nginx\.conf|conf\.d|sites-enabled|sites-available|templates|http\.d)(\/|$)/.test(m.target) || /\.conf(\.template)?$/.test(m.source);
      if (!config) continue;
      const source = path.resolve(this.project.dir, m.source);
      if (!fs.existsSync(source)) {
        missing.push(m.source);
        continue;
      }
      if (fs.statSync(source).isDirectory()) {
        for (const f of fs.readdirSync(source).filter((x) => /\.conf(\.template)?$/.test(x)).sort()) files.push(path.join(source, f));
      } else {
        files.push(source);
      }
    }
    // A configuration the image's Dockerfile copies into /etc/nginx (a custom nginx image of the project).
    for (const f of c.context?.copies ?? []) {
      const file = path.resolve(this.project.dir, f.source);
      if (/^\/etc\/nginx\//.test(f.target) && /\.conf(\.template)?$/.test(f.target) && !files.includes(file)) files.push(file);
    }
    const shown = (f: string) => path.relative(this.project.dir, f).split(path.sep).join('/');
    if (!files.length) return { files, error: missing.length ? `${missing.join(', ')} not found next to the compose file` : undefined };
    const directives = [];
    for (const f of files) {
      try {
        directives.push(...parseNginx(fs.readFileSync(f, 'utf8')));
      } catch (e) {
        return { files: [], error: `${shown(f)}: ${(e as Error).message}` };
      }
    }
    return { site: nginxSite(directives), files: files.map(shown), error: missing.length ? `${missing.join(', ')} not found` : undefined };
  }

  /** The components other than the nginx edge that compose publishes on the host: with them, the app gets an edge. */
  private publishedServices(): Classified[] {
    return this.classified
      .filter((x) => isComponentRole(x.role) && x !== this.edgeService && parsePorts(x.service.spec.ports).some((p) => p.published !== undefined));
  }

  private edge(): PlanObject | undefined {
    const c = this.edgeService;
    const published = this.publishedServices();
    if (!c && !published.length) return undefined;
    this.hasEdge = true;
    const props: PlanObject = {};
    let host: string | undefined;
    let site: NginxSite | undefined;
    if (c) {
      const o = this.out(c);
      const read = this.readNginx(c);
      site = read.site;
      if (read.error) this.addTodo('Edge', `The nginx configuration could not be read (${read.error}); compare its routes with the generated edge (docs/EDGE.md).`, [c.service.name]);
      host = site?.serverNames.find((n) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n) && n.includes('.'));
      if (c.image) {
        o.set('image', A, `${c.image.ref} is replaced by the edge's unprivileged nginx (docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine, non-root, port 8080) with a generated nginx.conf`);
      }
      if (c.service.spec.build !== undefined) o.set('build', A, 'the edge runs the unprivileged nginx image with a generated nginx.conf; a custom nginx image is not built');
      const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
      if (cmdKey) o.set(cmdKey, A, 'the edge runs nginx with its generated nginx.conf');
      this.routing(c, site, props);
      const ports = this.listenPorts(c);
      for (const key of ['ports', 'expose']) {
        if (c.service.spec[key] === undefined) continue;
        const tls = ports.some((p) => p.target === 443);
        o.set(key, A, `nginx listens on 8080 behind the Ingress (host ${host ?? 'placeholder'}); ${tls ? 'TLS terminates at the ingress controller (set edge.clusterIssuer for cert-manager)' : 'nothing is published on a host'}`);
        if (tls) this.addTodo('Edge', 'TLS terminated in the compose nginx (port 443): set edge.clusterIssuer to a cert-manager ClusterIssuer, or terminate TLS at your load balancer.', [c.service.name]);
      }
      const h = this.health(c);
      if (h) this.healthKeys(c, [A, 'the edge answers GET /healthz itself (readiness) and is live while its port is open'], [A, "the chart's probe timings apply"]);
      this.webReplicas(c, props, 'the edge');
      props.resources = this.resources(c, 'edge', 'edge').resources;
      this.becomes.set(c.service.name, 'edge: nginx Deployment with a generated nginx.conf, Service, Ingress, HPA');
      this.comment('edge', `compose service ${c.service.name}: nginx in front of the app.${read.files.length ? ` Its routes (${read.files.join(', ')}) are compared with this edge in MIGRATION.md.` : ''}`);
      if (c.service.spec.stop_grace_period !== undefined) this.out(c).set('stop_grace_period', A, 'the edge\'s grace period follows its proxy read timeout');
    } else {
      props.resources = { ...DEFAULT_SIZES.edge };
      this.routes.push({
        location: '/',
        compose: `no nginx: ${published.map((p) => `${p.service.name} published ${parsePorts(p.service.spec.ports).filter((x) => x.published !== undefined).map((x) => `${x.published}:${x.target}`).join(', ')}`).join('; ')}`,
        edge: `the Ingress and the generated edge: ${this.frontend ? 'the frontend for every path no prefix claims, ' : 'the backend for every path, '}the backend for /api/ and /admin/, uploads on /upload/, /static/ from the statics bucket, X-Accel downloads from S3 under /_s3/`,
        covered: A,
      });
      this.comment('edge', `The compose file publishes ${published.map((p) => p.service.name).join(', ')} on the host; the edge and its Ingress are the way in now.`);
    }
    if (!host) {
      for (const s of [this.backend, ...this.classified]) {
        const v = s.service.environment.find((e) => ['VIRTUAL_HOST', 'DOMAIN', 'APP_HOST', 'ALLOWED_HOSTS', 'DJANGO_ALLOWED_HOSTS'].includes(e.name))?.value;
        const candidate = v?.split(/[,\s]+/).find((h) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(h) && h.includes('.') && !/^(localhost|127\.|0\.0\.0\.0)/.test(h));
        if (candidate) {
          host = candidate;
          break;
        }
      }
    }
    if (!host) {
      host = `${this.appName}.example.com`;
      this.comment('edge.host', 'TODO(import): the public host name (a placeholder).');
      this.addTodo('Edge', `Set edge.host in main.ts to the public host name (${host} is a placeholder).`);
    }
    props.host = host;
    props.ingressNamespace = 'ingress-nginx';
    this.comment('edge.ingressNamespace', "The ingress controller's namespace: the only one allowed to reach the edge.");
    this.addTodo('Edge', 'Check edge.ingressNamespace in main.ts: the namespace of your ingress controller (ingress-nginx is assumed).');
    // Key order: host first reads best.
    const ordered: PlanObject = { host: props.host, ingressNamespace: props.ingressNamespace };
    for (const [k, v] of Object.entries(props)) if (!(k in ordered)) ordered[k] = v;
    return ordered;
  }

  private routing(c: Classified, site: NginxSite | undefined, props: PlanObject): void {
    const backendHosts = new Set([this.backend.service.name]);
    const frontendHosts = new Set(this.frontend ? [this.frontend.service.name] : []);
    const webHosts = new Map<string, Classified>(this.webServers.map((w) => [w.service.name, w]));
    if (site) {
      for (const [name, servers] of Object.entries(site.upstreams)) {
        const hosts = servers.map((s) => s.replace(/:\d+$/, ''));
        if (hosts.some((h) => backendHosts.has(h))) backendHosts.add(name);
        if (hosts.some((h) => frontendHosts.has(h))) frontendHosts.add(name);
        const web = hosts.map((h) => webHosts.get(h)).find((w) => w !== undefined);
        if (web && !webHosts.has(name)) webHosts.set(name, web);
      }
    }
    const backendPrefixes: string[] = [];
    const uploadPrefixes: string[] = [];
    let staticPrefix: string | undefined;
    let internalPrefix: string | undefined;
    let uploadSize: string | undefined;
    const add = (r: RouteOutcome) => this.routes.push(r);
    const prefixOf = (p: string) => (p.endsWith('/') ? p : `${p}/`);
    const validPrefix = (p: string) => /^\/(?:[A-Za-z0-9._~-]+\/)*$/.test(p) && p !== '/';
    const big = (size?: string) => {
      const b = size ? parseBytes(size) : undefined;
      return b !== undefined && b > 10n * 1024n * 1024n;
    };
    if (!site) {
      add({ location: '/', compose: 'no nginx configuration found', edge: `the generated routes: ${this.frontend ? 'the frontend for every path no prefix claims, ' : ''}the backend for /api/ and /admin/, uploads on /upload/, /static/ from the statics bucket, X-Accel downloads from S3 under /_s3/`, covered: A });
      return;
    }
    for (const l of site.locations) {
      const loc = `${l.modifier ? `${l.modifier} ` : ''}${l.path}`;
      const compose = describeLocation(l);
      if (l.modifier === '@') {
        add({ location: loc, compose, edge: 'not carried: named locations have no counterpart', covered: D });
        continue;
      }
      if (l.modifier === '~' || l.modifier === '~*') {
        add({ location: loc, compose, edge: 'not carried: the edge routes by path prefix, not by regular expression', covered: D });
        continue;
      }
      const p = l.path;
      const toBackend = l.proxyHost !== undefined && backendHosts.has(l.proxyHost);
      const toFrontend = l.proxyHost !== undefined && frontendHosts.has(l.proxyHost);
      if (l.internal) {
        const prefix = prefixOf(p);
        if (validPrefix(prefix) && !internalPrefix) {
          internalPrefix = prefix;
          add({ location: loc, compose, edge: `X-Accel-Redirect prefix ${prefix}: nginx streams the object from S3; Django must answer X-Accel-Redirect: ${prefix}<s3 host>/<key>?<presigned query> (docs/EDGE.md) instead of a path ${l.files ? `under ${l.files}` : ''}`.trim(), covered: A });
          this.addTodo('Edge', `Change the X-Accel-Redirect answers of Django: the edge serves ${prefix}<s3 host>/<percent-encoded key>?<presigned query> from S3 (docs/EDGE.md), not files from a volume.`, [c.service.name]);
        } else {
          add({ location: loc, compose, edge: 'not carried: the edge has one internal X-Accel prefix', covered: D });
        }
        continue;
      }
      const web = l.proxyHost !== undefined ? webHosts.get(l.proxyHost) : undefined;
      if (web) {
        const prefix = prefixOf(p);
        const name = this.webServiceName(web);
        if (!validPrefix(prefix)) {
          add({ location: loc, compose, edge: `not carried: not a plain path prefix; the web service ${name} gets a placeholder prefix`, covered: D });
          continue;
        }
        this.webPrefixes.set(web, uniq([...(this.webPrefixes.get(web) ?? []), prefix]));
        add({ location: loc, compose, edge: `web service ${name} prefix ${prefix} (websocket upgrades, unbuffered, idle timeout 3600 s)`, covered: prefix === p ? C : A });
        continue;
      }
      if (l.websocket && toBackend) {
        // The edge passes upgrades on every proxied location (docs/EDGE.md), so the route carries over;
        // what differs is the idle timeout: the edge's server-wide one, unless a webServices entry gives
        // the route its own.
        const prefix = prefixOf(p);
        if (!validPrefix(prefix)) {
          add({ location: loc, compose, edge: 'not carried: not a plain path prefix', covered: D });
          continue;
        }
        backendPrefixes.push(prefix);
        add({ location: loc, compose, edge: `backend prefix ${prefix} (websocket upgrades pass; the idle timeout is the edge's server-wide one, a webServices entry gives a route its own)`, covered: A });
        continue;
      }
      if (toBackend) {
        if (p === '/') {
          add({ location: loc, compose, edge: this.frontend ? 'not carried: every path no prefix claims goes to the frontend' : 'every path no prefix claims goes to the backend', covered: this.frontend ? A : C });
          continue;
        }
        const prefix = prefixOf(p);
        if (!validPrefix(prefix)) {
          add({ location: loc, compose, edge: 'not carried: not a plain path prefix', covered: D });
          continue;
        }
        const upload = l.requestBufferingOff || big(l.bodySize);
        (upload ? uploadPrefixes : backendPrefixes).push(prefix);
        if (upload && l.bodySize) uploadSize = l.bodySize.toLowerCase();
        add({ location: loc, compose, edge: `${upload ? 'upload prefix' : 'backend prefix'} ${prefix}${upload ? ' (streamed, not buffered)' : ''}`, covered: prefix === p ? C : A });
        continue;
      }
      if (toFrontend) {
        add({ location: loc, compose, edge: 'the frontend (every path no prefix claims)', covered: p === '/' ? C : A });
        continue;
      }
      if (l.proxyHost) {
        const target = this.byName.get(l.proxyHost);
        add({ location: loc, compose, edge: `not carried: ${l.proxyHost} ${target ? `(${target.role}) is not part of the generated app` : 'is not a service of the compose file'}`, covered: D });
        continue;
      }
      if (l.files) {
        if (/static/i.test(p) || /static/i.test(l.files)) {
          const prefix = prefixOf(p);
          if (validPrefix(prefix)) staticPrefix = prefix;
          add({ location: loc, compose, edge: `${prefix}: served from the statics bucket, which collectstatic fills`, covered: A });
        } else if (/media|upload|files/i.test(p) || /media|upload|files/i.test(l.files)) {
          add({ location: loc, compose, edge: 'not carried: media are in S3; Django authorises each download and answers with X-Accel-Redirect (see the internal prefix)', covered: D });
          this.addTodo('Edge', `nginx served ${p} from ${l.files}: media live in S3 now; serve them through Django's X-Accel-Redirect answers (or presigned URLs).`, [c.service.name]);
        } else {
          add({ location: loc, compose, edge: 'not carried: files from a volume', covered: D });
        }
        continue;
      }
      if (l.returns !== undefined) {
        add({ location: loc, compose, edge: /health|ping|status/i.test(p) ? 'the edge answers /healthz itself' : 'not carried', covered: /health|ping|status/i.test(p) ? A : D });
        continue;
      }
      add({ location: loc, compose, edge: 'not carried', covered: D });
    }
    const routing: PlanObject = {};
    if (backendPrefixes.length) routing.backendPathPrefixes = uniq(backendPrefixes);
    if (uploadPrefixes.length || backendPrefixes.length) routing.uploadPathPrefixes = uniq(uploadPrefixes);
    if (!backendPrefixes.length && !uploadPrefixes.length) delete routing.uploadPathPrefixes;
    if (staticPrefix && staticPrefix !== '/static/') routing.staticPathPrefix = staticPrefix;
    if (internalPrefix && internalPrefix !== '/_s3/') routing.internalS3Prefix = internalPrefix;
    if (uploadSize && /^[0-9]+[kmg]?$/.test(uploadSize) && uploadSize !== '5g') routing.uploadMaxBodySize = uploadSize;
    const serverSize = site.bodySize?.toLowerCase();
    if (serverSize && /^[0-9]+[kmg]?$/.test(serverSize) && !/^0+[kmg]?$/.test(serverSize) && serverSize !== '10m') routing.maxBodySize = serverSize;
    const timeout = durationSeconds(site.proxyReadTimeout?.replace(/^(\d+)$/, '$1s'));
    if (timeout !== undefined && timeout >= 1 && timeout <= 86400 && timeout !== 300) routing.proxyReadTimeoutSeconds = timeout;
    // A prefix may not be claimed twice (e.g. the internal prefix also proxied).
    const claimed = new Set<string>();
    for (const k of ['backendPathPrefixes', 'uploadPathPrefixes'] as const) {
      if (routing[k]) routing[k] = (routing[k] as string[]).filter((p) => !claimed.has(p) && p !== (routing.internalS3Prefix ?? '/_s3/') && claimed.add(p));
    }
    if (Object.keys(routing).length) props.routing = routing;
  }

  // ------------------------------------------------------------------ volumes

  private mapVolumes(): void {
    const mounts: Mount[] = [];
    for (const c of this.classified) {
      for (const [i, v] of listOf(c.service.spec.volumes).entries()) {
        const m = parseMount(c.service.name, i, v);
        if (m) mounts.push(m);
        else this.out(c).set(`volumes[${i}]`, D, `not a volume the importer can read: ${JSON.stringify(v)}`);
      }
      if (c.service.spec.volumes !== undefined) this.need(c, 'volumes');
    }
    const groups = new Map<string, Mount[]>();
    for (const m of mounts) {
      const id = m.type === 'volume' ? `volume:${m.source}` : m.type === 'bind' ? `bind:${m.source}` : `${m.type}:${m.service}:${m.target}`;
      groups.set(id, [...(groups.get(id) ?? []), m]);
    }
    const topVolumes = isObject(this.project.top.volumes) ? this.project.top.volumes : {};
    for (const list of groups.values()) {
      const m = list[0];
      const services = uniq(list.map((x) => x.service));
      const shared = services.length > 1;
      const roles = services.map((s) => this.role(s)!);
      const text = `${m.source ?? ''} ${list.map((x) => x.target).join(' ')}`.toLowerCase();
      let status: KeyStatus;
      let rec: string;
      const statefulOwner = services.find((s) => STATEFUL_ROLES.includes(this.role(s)!));
      const componentUsers = services.filter((s) => isComponentRole(this.role(s)!));
      if (m.type === 'tmpfs' || (m.type === 'anonymous' && m.target === '/tmp')) {
        status = m.target === '/tmp' ? C : D;
        rec = m.target === '/tmp' ? 'every pod has a size-limited /tmp (emptyDir), the only writable path' : `only /tmp is writable (read-only root filesystem); ${m.target} is not`;
      } else if (m.type === 'bind' && /docker\.sock/.test(text)) {
        status = D;
        rec = 'the Docker socket is never mounted (Pod Security restricted)';
      } else if (statefulOwner && list.every((x) => x.target.startsWith('/docker-entrypoint-initdb.d'))) {
        status = D;
        rec = `initialisation scripts of ${statefulOwner}: run them once against the managed service (it never runs /docker-entrypoint-initdb.d)`;
        this.addTodo('Data', `Run the initialisation scripts of ${m.source} once against the managed ${this.byName.get(statefulOwner)?.product ?? 'service'} (extensions, roles).`, [statefulOwner]);
      } else if (statefulOwner && services.every((s) => !isComponentRole(this.role(s)!))) {
        status = D;
        rec = `the data of ${statefulOwner} moves with it to the managed service: ${dataHint(this.role(statefulOwner)!)}`;
        if (m.type === 'volume' && this.externals.has(statefulOwner)) this.addTodo('Data', `The volume ${m.source} of ${statefulOwner}: ${dataHint(this.role(statefulOwner)!)}.`, [statefulOwner]);
      } else if (/(media|upload|attachment|files|assets|storage|originals|thumbnails)/.test(text)) {
        status = D;
        rec = `media go to S3: the media bucket (settings.mediaBucket); uploads are S3 multipart uploads and workers read originals from S3${shared ? `. Compose shared it between ${services.length} services (${services.join(', ')}): no pod may depend on a shared volume` : ''}; copy the files over (aws s3 sync)`;
        this.addTodo('Storage', `Move the ${m.type === 'volume' ? `volume ${m.source}` : `folder ${m.source}`} (${list.map((x) => x.target)[0]}) to the media bucket (aws s3 sync) and make the code read and write media through STORAGES["default"] on S3.`, services);
      } else if (/(static|collected)/.test(text)) {
        status = A;
        rec = 'collectstatic uploads the static files to the statics bucket, and the edge serves /static/ from it';
      } else if (m.type === 'bind' && /\.(pem|crt|key|p12)$|cert|ssl|tls/.test(text)) {
        status = D;
        rec = 'certificates and keys go into a Secret (kubectl create secret tls), or TLS terminates at the ingress controller (edge.clusterIssuer)';
        this.addTodo('Edge', `Put the certificates of ${m.source} into a Secret or let cert-manager issue them (edge.clusterIssuer).`, services);
      } else if (m.type === 'bind' && list.every((x) => x.target.startsWith('/etc/nginx')) && roles.every((r) => r === 'nginx-edge')) {
        status = A;
        rec = 'replaced by the generated nginx.conf (ConfigMap edge-nginx); the edge routes below say which locations it covers';
      } else if (m.type === 'bind' && (/^\.\/?$|^\.\/(src|app|backend|frontend|code|web)\/?$/.test(m.source ?? '') || /^\/(app|code|usr\/src\/app|srv|opt\/app|home\/app)(\/|$)/.test(m.target)) && !/\.(conf|ya?ml|json|ini|toml|cfg|py|sh)$/.test(m.source ?? '')) {
        status = D;
        rec = 'a development mount of the source: the image carries the code';
      } else if (m.type === 'bind' && componentUsers.length && list.every((x) => x.readOnly || /\.[a-z]{2,5}$/.test(x.source ?? ''))) {
        // A read-only file or folder of the checkout: a ConfigMap, mounted read-only where compose mounted it.
        const base = path.basename(m.source ?? 'config');
        const configMap = dnsLabel(`${this.appName}-${base}`);
        const file = /\.[A-Za-z0-9]+$/.test(base) || (fs.existsSync(path.resolve(this.project.dir, m.source ?? '')) && fs.statSync(path.resolve(this.project.dir, m.source ?? '')).isFile());
        status = A;
        rec = `the ConfigMap ${configMap}, mounted read-only at the same path (extraVolumes); create it from the ${file ? 'file' : 'folder'}: kubectl create configmap ${configMap} --from-file=${file ? `${secretKeyFor(base)}=` : ''}${m.source}`;
        for (const x of list) {
          const c = this.byName.get(x.service)!;
          for (const w of this.workloadsOf(c)) {
            this.podOf(w).extraVolumes.set(dnsLabel(`config-${base}`), { name: dnsLabel(`config-${base}`), mountPath: x.target, configMapName: configMap, subPath: file ? secretKeyFor(base) : undefined });
          }
        }
        this.addTodo('Configuration', `Create the ConfigMap ${configMap} from ${m.source} (kubectl create configmap ${configMap} --from-file=${file ? `${secretKeyFor(base)}=` : ''}${m.source}), or bake the ${file ? 'file' : 'folder'} into the image and drop the mount.`, services);
      } else if (m.type === 'bind') {
        status = D;
        rec = componentUsers.length
          ? `a writable folder of the host (${m.target}): no pod may depend on a host or shared folder; keep this state in S3, the database or Redis`
          : `a configuration file or folder of ${services.join(', ')}, which ${services.length > 1 ? 'are' : 'is'} not part of the generated app`;
        if (componentUsers.length) this.addTodo('Storage', `${m.source} (${list.map((x) => `${x.service}:${x.target}`).join(', ')}) is a writable host folder: move what the app writes there to S3, the database or Redis.`, services);
      } else if (m.type === 'anonymous') {
        status = D;
        rec = 'an anonymous volume (a development trick to keep image files under a bind mount); the image has them';
      } else if (componentUsers.length && !shared && componentUsers.every((s) => this.role(s) === 'celery-beat')) {
        status = A;
        rec = 'beat keeps its schedule file in /tmp (per pod); with a database scheduler there is no file';
      } else if (componentUsers.length) {
        status = D;
        rec = `state of the app on a volume${shared ? ` shared between ${services.join(', ')}` : ''}: no PersistentVolumeClaim is generated; keep this state in S3, the database or Redis`;
        this.addTodo('Storage', `The volume ${m.source} (${list.map((x) => `${x.service}:${x.target}`).join(', ')}) holds state of the app: move it to S3, the database or Redis.`, services);
      } else {
        status = D;
        rec = `used by ${services.join(', ')}, which ${services.length > 1 ? 'are' : 'is'} not part of the generated app`;
      }
      const name = m.type === 'volume' ? m.source! : m.type === 'bind' ? m.source! : `${m.service}:${m.target}`;
      this.volumes.push({
        name,
        type: m.type === 'other' ? 'volume' : m.type,
        mounts: list.map((x) => `${x.service}:${x.target}`),
        shared,
        status,
        recommendation: rec,
      });
      for (const x of list) this.out(this.byName.get(x.service)!).set(`volumes[${x.index}]`, status, `${x.type === 'volume' ? `volume ${x.source}` : x.type === 'bind' ? `bind mount ${x.source}` : x.type} at ${x.target}: ${rec}`);
    }
    for (const name of Object.keys(topVolumes)) {
      if (!this.volumes.some((v) => v.type === 'volume' && v.name === name)) {
        this.volumes.push({ name, type: 'volume', mounts: [], shared: false, status: D, recommendation: 'not mounted by any active service' });
      }
    }
    this.volumes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ------------------------------------------------------------------ depends_on

  private mapDependsOn(): void {
    for (const c of this.classified) {
      const raw = c.service.spec.depends_on;
      if (raw === undefined) continue;
      const o = this.out(c);
      const deps: Record<string, any> = Array.isArray(raw) ? Object.fromEntries(raw.map((d: string) => [d, { condition: 'service_started' }])) : isObject(raw) ? raw : {};
      const mine = c.role;
      const component = this.isComponent(c);
      for (const [dep, spec] of Object.entries(deps)) {
        const key = `depends_on.${dep}`;
        const condition = isObject(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started';
        const target = this.byName.get(dep);
        const extra = isObject(spec) && (spec.restart !== undefined || spec.required !== undefined) ? ` (restart/required: ${JSON.stringify({ restart: spec.restart, required: spec.required })} have no counterpart)` : '';
        if (!component) {
          o.set(key, D, `${c.service.name} is not part of the generated app`);
          continue;
        }
        if (!target) {
          o.set(key, D, `${dep} is not an active service${this.project.services.some((s) => s.name === dep) ? ' (its profile is not enabled)' : ''}`);
          continue;
        }
        const t = target.role;
        const jobs = ['migrate', 'collectstatic', 'django-management'];
        const wave = (r: Role) => (jobs.includes(r) ? 0 : r === 'nuxt-frontend' || r === 'nginx-edge' ? 2 : 1);
        if (jobs.includes(t) && !jobs.includes(mine)) {
          o.set(key, C, `${dep} (${condition}) is an Argo CD Sync hook Job in wave 0: ${c.service.name} is applied in wave ${wave(mine)} only after it succeeded, and a failed run stops the sync${extra}`);
        } else if (jobs.includes(t) && jobs.includes(mine)) {
          o.set(key, C, `the steps run in order in one Job (init containers)${extra}`);
        } else if (isComponentRole(t) && wave(t) < wave(mine)) {
          o.set(key, condition === 'service_healthy' ? C : C, `sync waves: ${c.service.name} (wave ${wave(mine)}) is applied after ${dep} (wave ${wave(t)}) is healthy${extra}`);
        } else if (isComponentRole(t)) {
          o.set(key, D, `no Kubernetes meaning: ${dep} and ${c.service.name} are applied in the same wave; the app must tolerate ${dep} starting later (readiness keeps a pod out of its Service until it can serve)`);
        } else if (STATEFUL_ROLES.includes(t) || EXTRA_ROLES.includes(t)) {
          const retry = jobs.includes(mine) ? 'the Job retries (backoffLimit) until it is reachable'
            : ['django-backend', 'nuxt-frontend', 'nginx-edge'].includes(mine) ? `${c.service.name} must retry its connection at start (readiness keeps it out of the Service meanwhile)`
              : `${c.service.name} must retry its connection at start (Celery retries the broker by itself; a pod that exits is restarted)`;
          o.set(key, D, `no Kubernetes meaning: ${dep} runs outside the app now; ${retry}${extra}`);
        } else {
          o.set(key, D, `${dep} (${t}) is not part of the generated app`);
        }
      }
    }
  }

  // ------------------------------------------------------------------ user

  private hardening(): void {
    const users = this.classified.filter((c) => isComponentRole(c.role) && c.role !== 'nginx-edge' && c.service.spec.user !== undefined);
    let uid: number | undefined;
    let gid: number | undefined;
    for (const c of users) {
      this.need(c, 'user');
      const u = String(c.service.spec.user);
      const m = /^([0-9]+)(?::([0-9]+))?$/.exec(u);
      const o = this.out(c);
      if (u === 'root' || u === '0' || u.startsWith('0:') || u.startsWith('root:')) {
        o.set('user', D, 'root is not allowed (Pod Security restricted): the image must work as a non-root uid (10001 by default)');
        this.addTodo('Images', 'These containers ran as root: make the image work as a non-root user (runAsUser 10001 unless main.ts sets another), with its files readable by it and writes only under /tmp.', [c.service.name]);
      } else if (m) {
        const thisUid = Number(m[1]);
        const thisGid = m[2] !== undefined ? Number(m[2]) : thisUid;
        if (thisUid <= 10000) {
          o.set('user', A, `pods run as uid 10001, gid 10001, not ${u}: a uid above 10000 cannot collide with a user of the node (the validation gate requires it); the image's files must be readable by it`);
          this.addTodo('Images', `Compose ran the containers as ${u}; the pods run as 10001:10001: make the image's files readable by that uid (or build the image with a user above 10000 and set runAsUser).`, [c.service.name]);
          continue;
        }
        if (uid === undefined) {
          uid = thisUid;
          gid = thisGid;
        }
        o.set('user', uid === thisUid ? C : A, uid === thisUid ? `runAsUser ${thisUid}, runAsGroup ${thisGid} (for every component of the app)` : `the app runs as ${uid}:${gid}; ${u} is not carried`);
      } else {
        o.set('user', A, `the user name ${u} is not carried: pods run as uid ${uid ?? 10001}; the image's files must be readable by it`);
        this.addTodo('Images', `Compose ran the containers as the user "${u}"; the pods run as uid ${uid ?? 10001}: check that it can read the image's files.`, [c.service.name]);
      }
    }
    if (uid !== undefined) {
      this.userProps = { runAsUser: uid, runAsGroup: gid };
      this.comment('runAsUser', 'From the compose user; every container runs as this uid, non-root, with a read-only root filesystem.');
    }
    if (!users.length) this.addTodo('Images', 'Every container runs as uid 10001 with a read-only root filesystem and a writable /tmp: check that the images work that way (no writes outside /tmp, no root).');
  }

  // ------------------------------------------------------------------ every other key

  private genericKeys(s: ComposeService): void {
    const o = this.outcomes.get(s.name)!;
    const c = this.byName.get(s.name);
    if (!c) {
      for (const key of reportKeys(s)) o.setIfAbsent(key, D, `the profile${s.profiles.length > 1 ? 's' : ''} ${s.profiles.join(', ')} ${s.profiles.length > 1 ? 'are' : 'is'} not enabled (--profile or COMPOSE_PROFILES)`);
      this.becomes.set(s.name, 'nothing (profile not enabled)');
      return;
    }
    const component = this.isComponent(c);
    const external = this.externals.get(s.name);
    const why = component ? '' : this.notInApp(c);
    for (const key of reportKeys(s)) {
      if (o.has(key)) continue;
      const top = key.split(/[.[]/)[0];
      if (!component) {
        if ((top === 'environment' || top === 'env_file') && key.includes('.')) {
          const name = key.slice(key.indexOf('.') + 1);
          const e = s.environment.find((x) => x.name === name);
          const secret = e ? this.secretReason(e) : undefined;
          o.set(key, D, `${why}${secret ? `; ${secret}, so its value is not written anywhere` : ''}${STATEFUL_ROLES.includes(c.role) && secret ? ` (the credentials of the managed ${c.product} go into the app's Secrets)` : ''}`);
        } else if (top === 'image' && !external) {
          o.set(key, D, `${c.image?.ref ?? ''}: ${why}`);
        } else if (top === 'healthcheck') {
          o.set(key, D, external ? (external.extra ? 'probe it where it runs now (its own chart has probes)' : "the managed service's health is its provider's concern") : why);
        } else {
          o.set(key, D, why);
        }
        continue;
      }
      const rule = genericRule(top, s.spec[top], c);
      o.set(key, rule[0], rule[1]);
    }
    if (!component && !this.becomes.has(s.name)) this.becomes.set(s.name, 'nothing');
    if (component && c.role === 'django-backend' && c !== this.backend && !this.webServers.includes(c)) this.becomes.set(s.name, 'nothing');
  }

  private notInApp(c: Classified): string {
    if (c.role === 'django-backend') return `a second Django web server: the app has no edge, and only the edge routes to a web service beside the backend (${this.backend.service.name}); see the to-do`;
    if (c.role === 'celery-beat') return 'Celery beat without a worker: the chart runs beat only with workers, since nothing else would run its periodic tasks';
    if (c.role === 'celery-flower') return 'Flower is not part of the generated app: the chart has no Flower component; queue lengths are in the KEDA metrics, and Flower can run from its own chart';
    if (c.role === 'mail-catcher') return `${c.product} catches mail in development; production sends through a real SMTP service (set its address in the app's settings)`;
    if (c.role === 'admin-tool') return `${c.product} is a development tool: not part of the generated app`;
    if (c.role === 'monitoring' || c.role === 'grafana' || c.role === 'kibana') return `${c.product ?? c.role} belongs to the cluster's monitoring, not to the app: use the monitoring stack of the cluster${c.role === 'grafana' ? ' (or the chart\'s stats.dashboards for usage statistics)' : ''}`;
    if (c.role === 'reverse-proxy') return `${c.product}: the Ingress (and the edge) replace it`;
    const ext = this.externals.get(c.service.name);
    if (ext?.extra) return `${c.service.name} runs outside the generated app (externalServices ${ext.name}); the chart has no component for it`;
    if (ext) return `${c.service.name} runs outside the cluster now (externalServices ${ext.name})`;
    if (STATEFUL_ROLES.includes(c.role)) {
      const users = this.classified.filter((x) => this.references(x).includes(c.service.name)).map((x) => x.service.name);
      return `${c.product} is not reached by the generated app${users.length ? ` (only ${users.join(', ')} use it, and they are not part of it)` : ''}`;
    }
    if (EXTRA_ROLES.includes(c.role)) return `${c.product ?? c.service.name} is not reached by the Django code or the frontend: not part of the generated app`;
    return 'not part of the generated app';
  }

  // ------------------------------------------------------------------ the report

  private report(): MigrationReport {
    const services: ServiceOutcome[] = [];
    for (const s of this.project.services) {
      const c = this.byName.get(s.name);
      const o = this.outcomes.get(s.name)!;
      const order = reportKeys(s);
      const keys = [...o.keys.values()].sort((a, b) => {
        const ia = order.indexOf(a.key);
        const ib = order.indexOf(b.key);
        return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || (a.key < b.key ? -1 : 1);
      });
      const becomes = this.becomes.get(s.name) ?? 'nothing';
      const isComponent = c && this.isComponent(c);
      let status: KeyStatus;
      if (!c || becomes === 'nothing' || becomes.startsWith('nothing')) status = D;
      else if (isComponent) status = keys.every((k) => k.status === C) ? C : A;
      else status = A;
      services.push({
        name: s.name,
        role: c ? (c.role === 'django-backend' && c !== this.backend ? `django-backend (${this.webServers.includes(c) ? 'web service' : 'second'})` : c.role) : 'inactive',
        recognisedBy: c ? c.recognisedBy : `profiles ${s.profiles.join(', ')} not enabled`,
        becomes,
        status,
        keys,
      });
    }
    const topLevel = this.topLevel();
    const count = (status: KeyStatus) => services.reduce((n, s) => n + s.keys.filter((k) => k.status === status).length, 0)
      + topLevel.filter((k) => k.status === status).length;
    const secrets: SecretKeyOutcome[] = [...this.secrets.values()]
      .map((s) => ({ secret: s.secret, key: s.key, variables: sorted([...s.variables]), services: sorted([...s.services]), content: s.content }))
      .sort((a, b) => (a.secret === b.secret ? (a.key < b.key ? -1 : 1) : a.secret < b.secret ? -1 : 1));
    const missing: MissingProp[] = [...this.missing.entries()]
      .map(([prop, m]) => ({ prop, why: m.why, services: sorted([...m.services]) }))
      .sort((a, b) => (a.prop < b.prop ? -1 : 1));
    if (this.secrets.size) this.addTodo('Secrets', `Create the Secrets listed under "Secrets to create" in the namespace ${this.appName} (or sync them with the External Secrets Operator: DjangoAppChartProps.secretStore).`);
    this.addTodo('Delivery', 'Replace the placeholder repository URL in package.json: Argo CD syncs the rendered branch of that repository.');
    const topicOrder = ['Secrets', 'Managed services', 'Storage', 'Data', 'Images', 'Django settings', 'Django web tier', 'Celery', 'Frontend', 'Edge', 'Configuration', 'Services outside the chart', 'Cluster', 'Network', 'Delivery'];
    const todo = [...this.todo].map((t) => ({ ...t, services: sorted(t.services) }))
      .sort((a, b) => topicOrder.indexOf(a.topic) - topicOrder.indexOf(b.topic));
    return {
      source: this.project.file,
      app: this.appName,
      profiles: this.project.enabledProfiles,
      summary: {
        services: services.length,
        keys: { converted: count(C), approximated: count(A), dropped: count(D) },
        servicesBy: {
          converted: services.filter((s) => s.status === C).length,
          approximated: services.filter((s) => s.status === A).length,
          dropped: services.filter((s) => s.status === D).length,
        },
      },
      services,
      topLevel,
      volumes: this.volumes,
      secrets,
      edgeRoutes: this.routes,
      todo,
      missingChartProps: missing,
    };
  }

  private topLevel(): KeyOutcome[] {
    const out: KeyOutcome[] = [];
    const top = this.project.top;
    for (const key of this.project.topLevelKeys) {
      if (key === 'services') continue;
      if (key === 'version') {out.push({ key, status: D, detail: 'obsolete: compose ignores it too' });} else if (key === 'name') {out.push({ key, status: C, detail: `the app name ${this.appName}` });} else if (key.startsWith('x-')) {out.push({ key, status: C, detail: 'an extension field: its anchors and merge keys are resolved into the services that use them' });} else if (key === 'volumes') {
        for (const name of Object.keys(isObject(top.volumes) ? top.volumes : {})) {
          const v = this.volumes.find((x) => x.type === 'volume' && x.name === name);
          out.push({ key: `volumes.${name}`, status: v?.status ?? D, detail: `no PersistentVolumeClaim: ${v?.recommendation ?? 'not mounted'}` });
        }
      } else if (key === 'networks') {
        for (const name of Object.keys(isObject(top.networks) ? top.networks : {})) {
          out.push({ key: `networks.${name}`, status: A, detail: 'the NetworkPolicies the chart derives from the components replace compose networks: default deny, one allow rule per flow' });
        }
      } else if (key === 'secrets') {
        for (const name of Object.keys(isObject(top.secrets) ? top.secrets : {})) {
          const secret = `${this.appName}-${dnsLabel(name)}`;
          const users = this.classified.filter((c) => listOf(c.service.spec.secrets).some((x) => (isObject(x) ? x.source : x) === name));
          const components = users.filter((c) => this.isComponent(c));
          if (!components.length) {
            out.push({ key: `secrets.${name}`, status: D, detail: `used by ${users.map((c) => c.service.name).join(', ') || 'no active service'}, which ${users.length === 1 ? 'is' : 'are'} not part of the generated app` });
            continue;
          }
          out.push({ key: `secrets.${name}`, status: C, detail: `the Secret ${secret} with the key ${secretKeyFor(name)}, mounted read-only where compose mounted it (extraVolumes of ${components.map((c) => c.service.name).join(', ')})` });
          for (const c of components) this.addSecret(secret, secretKeyFor(name), `(file ${name})`, c.service.name, `the content of the compose secret ${name}`);
        }
      } else if (key === 'configs') {
        for (const name of Object.keys(isObject(top.configs) ? top.configs : {})) {
          const mounts = (c: Classified) => listOf(c.service.spec.configs).some((x) => (isObject(x) ? x.source : x) === name);
          const users = this.classified.filter((c) => isComponentRole(c.role) && mounts(c));
          out.push(users.length
            ? { key: `configs.${name}`, status: A, detail: `the ConfigMap ${this.appName}-${dnsLabel(name)} (to create from the file), mounted read-only by ${users.map((c) => c.service.name).join(', ')}` }
            : { key: `configs.${name}`, status: D, detail: 'used by no component of the generated app' });
        }
      } else {
        out.push({ key, status: D, detail: 'not supported by the importer' });
      }
    }
    return out;
  }
}

/** Replaces secret values, and the password of any URL, in every string of a value. */
class Redactor {
  public count = 0;
  private readonly values: string[];

  constructor(values: string[]) {
    // Longest first, so a value containing another is replaced whole.
    this.values = [...values].sort((a, b) => b.length - a.length);
  }

  public redact(v: unknown): unknown {
    if (typeof v === 'string') {
      let out = v.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)([^\s/@]+)@/gi, (m, head: string, pass: string) => (pass.startsWith('${') || pass === '***' ? m : `${head}***@`));
      for (const s of this.values) if (out.includes(s)) out = out.split(s).join('<secret>');
      if (out !== v) this.count++;
      return out;
    }
    if (v instanceof EnumRef) return v;
    if (Array.isArray(v)) return v.map((x) => this.redact(x));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.redact(x)]));
    return v;
  }
}

/** The keys of a service the report must account for: top-level keys, with environment, ports, volumes, depends_on, deploy and healthcheck one level down. */
export function reportKeys(s: ComposeService): string[] {
  const keys: string[] = [];
  for (const key of s.keys) {
    const v = s.spec[key];
    if (key === 'environment' && isObject(v)) {
      keys.push(...Object.keys(v).map((k) => `environment.${k}`));
      if (!Object.keys(v).length) keys.push('environment');
    } else if (key === 'depends_on' && (isObject(v) || Array.isArray(v))) {
      keys.push(...(Array.isArray(v) ? v.map(String) : Object.keys(v)).map((k) => `depends_on.${k}`));
    } else if ((key === 'deploy' || key === 'healthcheck') && isObject(v)) {
      keys.push(...Object.keys(v).map((k) => `${key}.${k}`));
      if (!Object.keys(v).length) keys.push(key);
    } else if (key === 'volumes' && Array.isArray(v)) {
      keys.push(...v.map((_, i) => `volumes[${i}]`));
    } else {
      keys.push(key);
    }
  }
  // Variables read from env_file(s) and not overridden by environment.
  for (const e of s.environment) if (e.origin !== 'environment') keys.push(`env_file.${e.name}`);
  return keys;
}

function dataHint(role: Role): string {
  switch (role) {
    case 'postgres': return 'copy it over with pg_dump and pg_restore (or a replica) before the switch';
    case 'mysql': return 'copy it over with mysqldump (or a replica) before the switch';
    case 'redis': return 'a broker or cache starts empty; drain the queues before the switch (copy with an RDB file only if it holds data the app needs)';
    case 'rabbitmq': return 'export the definitions (rabbitmqctl export_definitions) and drain the queues before the switch';
    case 'elasticsearch': return 'restore a snapshot, or rebuild the indices from the database';
    case 'mongodb': return 'copy it over with mongodump and mongorestore';
    case 'minio': return 'copy the buckets to S3 (mc mirror or aws s3 sync)';
    default: return 'copy it over before the switch';
  }
}

function describeResources(limits: Record<string, any>, reservations: Record<string, any>, s: Record<string, any>): string {
  const parts: string[] = [];
  if (limits.cpus !== undefined || s.cpus !== undefined) parts.push(`cpus ${limits.cpus ?? s.cpus}`);
  if (limits.memory !== undefined || s.mem_limit !== undefined) parts.push(`memory ${limits.memory ?? s.mem_limit}`);
  if (reservations.cpus !== undefined) parts.push(`reserved cpus ${reservations.cpus}`);
  if (reservations.memory !== undefined || s.mem_reservation !== undefined) parts.push(`reserved memory ${reservations.memory ?? s.mem_reservation}`);
  return parts.join(', ');
}

function describeLocation(l: NginxLocation): string {
  const parts: string[] = [];
  if (l.internal) parts.push('internal');
  if (l.proxyPass) parts.push(`proxy_pass ${l.proxyPass}`);
  if (l.files) parts.push(`files from ${l.files}`);
  if (l.returns !== undefined) parts.push(`return ${l.returns}`);
  if (l.websocket) parts.push('WebSocket upgrade');
  if (l.bodySize) parts.push(`client_max_body_size ${l.bodySize}`);
  if (l.requestBufferingOff) parts.push('proxy_request_buffering off');
  return parts.join(', ') || 'other directives';
}

function priorityOf(queue: string): string {
  if (/(^|[-_])(high|urgent|priority|critical|realtime|notif|notifications|email|mail)([-_]|$)/i.test(queue)) return 'HIGH';
  if (/(^|[-_])(low|bulk|batch|reports?|exports?|backfill|scan|cleanup|maintenance|slow)([-_]|$)/i.test(queue)) return 'LOW';
  return 'NORMAL';
}

/** What becomes of a key of a component service that no role-specific mapping claimed. */
function genericRule(key: string, value: any, c: Classified): [KeyStatus, string] {
  const job = ['migrate', 'collectstatic', 'django-management'].includes(c.role);
  switch (key) {
    case 'image': return [C, 'the image of this component'];
    case 'build': return [C, 'CI builds and pushes the image; the cluster pulls it'];
    case 'command': return [A, 'the chart runs its own command for this component'];
    case 'entrypoint': return [A, 'the chart sets the container command, so the image entrypoint does not run: whatever it did (waiting, migrating) the jobs and probes do'];
    case 'environment': return [C, 'no variables'];
    case 'env_file': return [C, 'read: its variables are listed as env_file.<NAME>'];
    case 'ports': return [A, job || c.role === 'celery-worker' || c.role === 'celery-beat' ? 'nothing listens here in the generated app: no Service' : 'see the component\'s Service'];
    case 'expose': return [A, job || c.role === 'celery-worker' || c.role === 'celery-beat' ? 'nothing listens here in the generated app: no Service' : 'see the component\'s Service'];
    case 'restart': {
      const r = String(value);
      if (job) return [r === 'no' || r.startsWith('on-failure') ? C : A, 'a Job runs once per sync'];
      return [r === 'no' || r === 'false' ? A : C, r === 'no' || r === 'false' ? 'a Deployment always restarts its pods' : 'the Deployment restarts its pods (restartPolicy Always)'];
    }
    case 'stop_grace_period': return [job ? D : A, job ? 'a Job step has 30 s to stop' : "the chart's grace period applies"];
    case 'stop_signal': return [D, 'Kubernetes always sends SIGTERM first (Celery and gunicorn shut down warmly on it)'];
    case 'container_name':
    case 'hostname':
    case 'domainname': return [D, 'names come from the component (Deployment and Service names)'];
    case 'networks':
    case 'network_mode': return [A, 'the NetworkPolicies the chart derives from the components replace compose networks'];
    case 'links':
    case 'external_links': return [A, 'Services are addressed by name in the namespace; links are not needed'];
    case 'labels': return [D, 'container labels are not carried (the chart sets the app.kubernetes.io labels)'];
    case 'logging': return [D, "containers log to stdout and stderr; the cluster's log collector reads them"];
    case 'profiles': return [C, 'the profile is enabled'];
    case 'extends': return [C, 'merged, as compose does'];
    case 'working_dir': return [D, "the chart sets no working directory: the image's WORKDIR must be where the code is"];
    case 'read_only': return [C, 'every container has a read-only root filesystem'];
    case 'tmpfs': return [listOf(value).every((t) => String(t).split(':')[0] === '/tmp') ? C : A, 'every pod has a size-limited /tmp (emptyDir); other tmpfs paths are not writable'];
    case 'init': return [D, 'no init process is injected: the image must reap its children (tini) if it forks'];
    case 'privileged':
    case 'cap_add':
    case 'security_opt':
    case 'devices':
    case 'sysctls':
    case 'pid':
    case 'ipc':
    case 'userns_mode':
    case 'cgroup':
    case 'cgroup_parent':
    case 'device_cgroup_rules': return [D, 'not allowed under Pod Security restricted'];
    case 'cap_drop': return [C, 'every container drops all capabilities'];
    case 'shm_size': return [D, 'no /dev/shm of that size (needs an emptyDir with medium Memory: PodOptions.extraVolumes)'];
    case 'ulimits': return [D, "the node's limits apply"];
    case 'extra_hosts': return [D, 'no host aliases: use DNS names'];
    case 'dns':
    case 'dns_search':
    case 'dns_opt': return [D, 'the cluster DNS is used'];
    case 'tty':
    case 'stdin_open': return [D, 'no terminal in a pod'];
    case 'platform': return [D, 'the nodes\' architecture decides; build a multi-arch image if needed'];
    case 'pull_policy': return [A, 'the chart always pulls (imagePullPolicy Always)'];
    case 'secrets': return [A, 'file secrets are not mounted: see the top-level secrets'];
    case 'configs': return [D, 'config files are not mounted: bake them into the image or mount a ConfigMap'];
    case 'scale': return [A, 'replicas follow the role'];
    case 'x-': return [D, 'an extension field'];
    default:
      if (key.startsWith('x-')) return [D, 'an extension field: compose ignores it too'];
      if (['mem_swappiness', 'memswap_limit', 'oom_kill_disable', 'oom_score_adj', 'pids_limit', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_runtime',
        'cpu_rt_period', 'cpuset', 'blkio_config', 'storage_opt', 'isolation', 'group_add', 'mac_address', 'runtime', 'gpus', 'credential_spec', 'annotations', 'attach',
        'volumes_from', 'develop', 'post_start', 'pre_stop', 'label_file', 'use_api_socket', 'provider', 'models'].includes(key)) {
        return [D, `${key} has no counterpart in the generated app`];
      }
      return [D, `${key} is not a compose key the importer knows`];
  }
}
