// The state of one import, shared by the mapping modules: the classified services, which workload each
// service became, the PodOptions collected per workload, and the report's outcomes, to-dos, Secrets and
// comments. The modules write into it; the orchestrator (../mapper.ts) assembles props and report from it.
import { ComponentGroup } from '../../app/app-parts';
import { DjangoAppChartProps } from '../../app/django-app-chart';
import { ImagePullPolicy } from '../../platform/pod-options';
import { BROKER_ENV } from '../../workloads/celery-broker';
import { readBuildContext } from '../build-context';
import { ComposeProject, ComposeService, requireResolved } from '../compose';
import { KeyOutcome, KeyStatus, RouteOutcome, TodoItem, VolumeOutcome } from '../report';
import { APP_CODE_ROLES, Classified, classify, isComponentRole, Role } from '../roles';
import { Draft, ExtraVolumeProps, SecretEnvProps } from './chart-props';
import { dnsLabel } from './values';

/** A ComponentGroup by its member name (`APP_CODE`), as the report and the sorting of reachedBy use it. */
export type GroupName = keyof typeof ComponentGroup;

// The outcomes of a compose key, short: every module records dozens of them.
export const C = KeyStatus.CONVERTED;
export const A = KeyStatus.APPROXIMATED;
export const D = KeyStatus.DROPPED;

/** The names compose files give the Celery broker URL: the chart's own, and the older ones apps read. */
export const BROKER_VARS = [BROKER_ENV.url, 'BROKER_URL', 'CELERY_BROKER'];

/** The workloads of the chart that take PodOptions, as props of DjangoAppChartProps. */
export type Workload = 'backend' | 'workers' | 'beat' | 'migrations' | 'collectStatic' | 'frontend' | 'edge' | `webServices[${number}]`;
const APP_WORKLOADS: Workload[] = ['backend', 'workers', 'beat', 'migrations', 'collectStatic'];
/** What one instance of a workload is, for the report ("it applies to every worker queue"). */
const WORKLOAD_MEMBER: Record<string, string> = {
  backend: 'backend pod', workers: 'worker queue', beat: 'beat pod', migrations: 'migration run', collectStatic: 'collectstatic run', frontend: 'frontend pod', edge: 'edge pod',
};

/** Whether a workload runs the Django code: the backend, a web service, the workers, beat and the jobs. */
export function isAppWorkload(w: Workload): boolean {
  return APP_WORKLOADS.includes(w) || w.startsWith('webServices[');
}

export function memberOf(w: Workload): string {
  return WORKLOAD_MEMBER[w] ?? 'web service pod';
}

/** The PodOptions the import gives one workload. */
export interface PodPlan {
  readonly extraEnv: Map<string, string>;
  readonly extraSecretEnv: Map<string, SecretEnvProps>;
  readonly extraArgs: string[];
  readonly extraVolumes: Map<string, ExtraVolumeProps>;
  readonly nodeSelector: Map<string, string>;
  imagePullPolicy?: ImagePullPolicy;
}

export class Outcomes {
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

export interface ExternalPlan {
  readonly name: string;
  readonly service: Classified;
  readonly ports: number[];
  /** The groups that reach it, by their ComponentGroup member names. */
  readonly groups: Set<GroupName>;
  /** A stateless service the chart has no component for (Tika, Logstash, any image), as opposed to a data store. */
  readonly extra: boolean;
  readonly cidr: string;
}

/** A backing service the app code addresses by a URL or host that is not a compose service (a managed database, SMTP, Sentry). */
export interface AddressPlan {
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

export type BackingKind = 'database' | 'broker' | 'cache' | 'search' | 'mail' | 'monitoring' | 'storage' | 'api';

/** The state of one import, shared by the modules that map each part. */
export class MappingContext {
  public readonly classified: Classified[];
  public readonly byName = new Map<string, Classified>();
  public readonly outcomes = new Map<string, Outcomes>();
  public readonly becomes = new Map<string, string>();
  public readonly todo: TodoItem[] = [];
  public readonly secrets = new Map<string, { secret: string; key: string; variables: Set<string>; services: Set<string>; content: string }>();
  public readonly missing = new Map<string, { why: string; services: Set<string> }>();
  public readonly comments = new Map<string, string[]>();
  public readonly volumes: VolumeOutcome[] = [];
  public readonly routes: RouteOutcome[] = [];
  public readonly externals = new Map<string, ExternalPlan>();
  /** Backing services the app code addresses outside the compose file, by host. */
  public readonly addressed = new Map<string, AddressPlan>();
  /** Variables that hold an address whose host the compose file leaves unknown (an unset interpolation). */
  public readonly unknownAddresses = new Set<string>();
  /** The S3-compatible endpoint the app uses (settings.s3Endpoint), when the compose file names one outside it. */
  public s3EndpointUrl?: string;
  /** Compose service name → the Service name it has in the generated app (for rewriting addresses). */
  public readonly componentNames = new Map<string, { name: string; port: number }>();
  public readonly appName: string;
  public readonly appSecret: string;
  public readonly brokerSecret: string;
  public backend!: Classified;
  public frontend?: Classified;
  public edgeService?: Classified;
  /** Second Django web servers that become webServices (only behind an edge, which alone routes to them). */
  public webServers: Classified[] = [];
  /** Per web service: the path prefixes the compose nginx sends to it. */
  public readonly webPrefixes = new Map<Classified, string[]>();
  /** The compose service that becomes the chart's Flower (only with workers and an edge). */
  public flowerService?: Classified;
  /** The path prefix the compose nginx sends to Flower, when it routes to it. */
  public flowerPrefix?: string;
  public hasEdge = false;
  public placeholderCidrs = 0;
  public userProps: Draft<Pick<DjangoAppChartProps, 'runAsUser' | 'runAsGroup'>> = {};
  public brokerServiceName?: string;
  public brokerKind: 'REDIS' | 'RABBITMQ' = 'REDIS';
  /** The compose services whose container each workload of the chart replaces. */
  public membership = new Map<Workload, Classified[]>();
  public readonly pods = new Map<Workload, PodPlan>();
  public brokerUrlNote = '';

  constructor(public readonly project: ComposeProject) {
    this.classified = project.services.filter((s) => s.active).map((s) => classify(s, readBuildContext(project.dir, s.spec.build)));
    for (const c of this.classified) this.byName.set(c.service.name, c);
    for (const s of project.services) this.outcomes.set(s.name, new Outcomes());
    this.appName = dnsLabel(project.name, 40);
    this.appSecret = `${this.appName}-app`;
    this.brokerSecret = `${this.appName}-broker`;
  }

  public out(c: Classified | ComposeService): Outcomes {
    return this.outcomes.get('service' in c ? c.service.name : c.name)!;
  }

  public addTodo(topic: string, text: string, services: string[] = []): void {
    const existing = this.todo.find((t) => t.topic === topic && t.text === text);
    if (existing) {
      for (const s of services) if (!existing.services.includes(s)) existing.services.push(s);
    } else {
      this.todo.push({ topic, text, services: [...services] });
    }
  }

  public needProp(prop: string, why: string, service: string): void {
    const m = this.missing.get(prop) ?? { why, services: new Set<string>() };
    m.services.add(service);
    this.missing.set(prop, m);
  }

  public comment(at: string, ...lines: string[]): void {
    this.comments.set(at, [...(this.comments.get(at) ?? []), ...lines]);
  }

  public addSecret(secret: string, key: string, variable: string, service: string, content: string): void {
    const id = `${secret}/${key}`;
    const s = this.secrets.get(id) ?? { secret, key, variables: new Set<string>(), services: new Set<string>(), content };
    s.variables.add(variable);
    s.services.add(service);
    this.secrets.set(id, s);
  }

  public podOf(w: Workload): PodPlan {
    let p = this.pods.get(w);
    if (!p) {
      p = { extraEnv: new Map(), extraSecretEnv: new Map(), extraArgs: [], extraVolumes: new Map(), nodeSelector: new Map() };
      this.pods.set(w, p);
    }
    return p;
  }

  /** The workloads a compose service's container became. */
  public workloadsOf(c: Classified): Workload[] {
    return [...this.membership.entries()].filter(([, members]) => members.includes(c)).map(([w]) => w);
  }

  /** A plain variable for the workloads of one service (e.g. an alias of a variable the chart sets). */
  public groupVar(c: Classified, name: string, v: { value: string }): void {
    for (const w of this.workloadsOf(c)) this.podOf(w).extraEnv.set(name, v.value);
  }

  /** Which compose services each workload replaces, decided before any of them is mapped. */
  public computeMembership(): void {
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

  public need(c: Classified, key: string): void {
    requireResolved(this.project, c.service, key);
  }

  public role(name: string): Role | undefined {
    return this.byName.get(name)?.role;
  }

  public ofRole(...roles: Role[]): Classified[] {
    return this.classified.filter((c) => roles.includes(c.role));
  }

  public placeholderCidr(): string {
    this.placeholderCidrs++;
    return `192.0.2.${this.placeholderCidrs}/32`;
  }

  public appCodeServices(): Classified[] {
    return this.classified.filter((c) => APP_CODE_ROLES.includes(c.role) && this.isComponent(c));
  }

  /** Whether the compose file runs Celery workers: only then does the app get a broker, workers, beat and a Celery app. */
  public hasWorkers(): boolean {
    return this.ofRole('celery-worker').length > 0;
  }

  /** Whether a service becomes a component of the generated app (not a second web server, not beat without workers, the one Flower). */
  public isComponent(c: Classified): boolean {
    if (c.role === 'celery-flower') return c === this.flowerService;
    if (!isComponentRole(c.role)) return false;
    if (c.role === 'django-backend') return c === this.backend || this.webServers.includes(c);
    if (c.role === 'celery-beat') return this.hasWorkers();
    return true;
  }
}
