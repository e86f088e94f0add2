import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AppEdgeProps, AppFrontendProps, AppSecretStoreProps, AppStatsProps, AppWebServiceProps, ComponentGroup, ExternalServiceProps, NamespaceManagement } from './app-parts';
import { syncSecrets } from './app-secrets';
import { AppTraffic } from './app-traffic';
import { clusterNamePrefix } from '../platform/cluster-scoped';
import { IComponent } from '../platform/component';
import { checkDnsLabel, checkEnum, invalid } from '../platform/errors';
import { NamespaceGuardrails, NamespaceGuardrailsProps } from '../platform/guardrails';
import { PodHardeningProps } from '../platform/hardening';
import { ComponentIdentityProps, MANAGED_BY } from '../platform/labels';
import { addRestrictedNamespace } from '../platform/namespace';
import { NetworkIsolation, podTemplateComponents } from '../platform/network-isolation';
import { checkPublicHost, checkPublicHosts } from '../platform/public-hosts';
import { applySyncWaves } from '../platform/sync-waves';
import { addUniqueObjectsValidation } from '../platform/unique-objects';
import { CeleryBeat, CeleryBeatOptions } from '../workloads/celery-beat';
import { CeleryBroker, CeleryBrokerProps } from '../workloads/celery-broker';
import { CeleryFlower, CeleryFlowerOptions } from '../workloads/celery-flower';
import { CeleryWorkerPool, CeleryWorkerPoolOptions } from '../workloads/celery-worker-pool';
import { AppServer, DjangoBackend, DjangoBackendOptions, DjangoBackendProps } from '../workloads/django-backend';
import { DjangoCronJob, DjangoCronJobOptions } from '../workloads/django-cron-job';
import { CollectStatic, CollectStaticOptions, DjangoMigrations, DjangoMigrationsOptions } from '../workloads/django-job';
import { DjangoSettings, DjangoSettingsProps } from '../workloads/django-settings';
import { EdgeRouter } from '../workloads/edge/edge-router';
import { routingPrefixes, S3Scheme } from '../workloads/edge/nginx-config';
import { NuxtFrontend } from '../workloads/nuxt-frontend';
import { StatsDashboards, StatsShipper } from '../workloads/stats';

/** A whole Django + Celery app in one namespace: what runs, how it scales, and what may talk to what. */
export interface DjangoAppChartProps extends PodHardeningProps {
  /** The application, written to `app.kubernetes.io/name` and `part-of`. */
  readonly appName: string;
  /**
   * The installation, written to `app.kubernetes.io/instance`. When set, it also starts the
   * cluster-scoped names (the workers' PriorityClasses, `<instance>-worker-<level>`), so two
   * installations in one cluster that set it must differ here.
   * @default - the appName in labels; cluster-scoped names start with the namespace, which no other installation in the cluster has
   */
  readonly instance?: string;
  /** The namespace the app lives in. */
  readonly namespace: string;
  /**
   * Whether the chart renders the Namespace (with Pod Security `restricted` enforced) or uses one that exists.
   * @default NamespaceManagement.RENDERED
   */
  readonly namespaceManagement?: NamespaceManagement;
  /**
   * Prefix of every object name the chart derives (`<prefix>-backend`, `<prefix>-worker-default`,
   * `<prefix>-default-deny`, ...), so that two installations fit in one namespace. Names set explicitly
   * in the parts are used as they are.
   * @default - no prefix
   */
  readonly namePrefix?: string;
  /**
   * The release: `app.kubernetes.io/version` of every object and of the pod templates that run the
   * app's image, and the default image tag (of the frontend too). The edge's and the statistics'
   * pod templates carry their own image's version, so a new release does not restart them.
   */
  readonly version: string;
  /** The image repository of the Django code, which the backend, the workers, beat and the jobs run. */
  readonly image: string;
  /**
   * The tag of `image`.
   * @default - the version
   */
  readonly tag?: string;
  /** The settings every process of the Django code reads. */
  readonly settings: DjangoSettingsProps;
  /**
   * The Celery broker, which the web tier, the workers and beat read. Without workers it only gives
   * the web tier its broker variables (for tasks that workers elsewhere consume).
   * @default - no broker: no broker variables and no broker Secret; the app can have no workers
   */
  readonly broker?: CeleryBrokerProps;
  /**
   * The Celery application, `celery -A <celeryApp>`: required with `workers`, and only with them.
   * @default - none: the app has no workers
   */
  readonly celeryApp?: string;
  /** The Django web tier. */
  readonly backend: DjangoBackendOptions;
  /**
   * Web components beside the backend that run the app's image, such as an ASGI server for
   * websockets: each is a `DjangoBackend` (uvicorn by default) that the edge sends its
   * `pathPrefixes` to, with websocket upgrades and long idle timeouts. Each is app code: it reaches
   * what the app code reaches, and only the edge reaches it, on its port. They need `edge`.
   * @default - none: the backend serves every app path
   */
  readonly webServices?: AppWebServiceProps[];
  /**
   * The Celery queues and how their workers run. They need `broker` and `celeryApp`.
   * @default - no Celery workers (and then no beat): no KEDA objects, no PriorityClasses
   */
  readonly workers?: CeleryWorkerPoolOptions;
  /**
   * Celery beat. It needs `workers`, since it only sends periodic tasks to their queues.
   * @default - no beat
   */
  readonly beat?: CeleryBeatOptions;
  /**
   * Flower, the Celery dashboard, served by the edge under its `pathPrefix` (`/flower/`) behind
   * HTTP basic auth from a Secret key. It needs `workers` (it shows them) and `edge` (the only way
   * in), and reaches only the external services listed for `ComponentGroup.FLOWER` (the broker).
   * @default - no Flower
   */
  readonly flower?: CeleryFlowerOptions;
  /**
   * The schema migrations, run before each release serves.
   * @default - no migration job
   */
  readonly migrations?: DjangoMigrationsOptions;
  /**
   * The upload of the static files, run before each release serves.
   * @default - no collectstatic job
   */
  readonly collectStatic?: CollectStaticOptions;
  /**
   * Management commands run on a schedule (`clearsessions`, `housekeeping`), each a CronJob with the
   * backend's image and settings and the broker's variables. Each is app code: it reaches what the
   * app code reaches, and nothing reaches it. Each is named `<namePrefix>-<name>` when the chart has a `namePrefix`.
   * @default - none
   */
  readonly cronJobs?: DjangoCronJobOptions[];
  /**
   * The Nuxt frontend.
   * @default - no frontend
   */
  readonly frontend?: AppFrontendProps;
  /**
   * The nginx edge with its Ingress.
   * @default - no edge: nothing reaches the app from outside the namespace
   */
  readonly edge?: AppEdgeProps;
  /**
   * The usage-statistics pipeline.
   * @default - none
   */
  readonly stats?: AppStatsProps;
  /**
   * The services the app uses and does not run; everything else is denied.
   * Each is reached by the app code unless it says otherwise.
   */
  readonly externalServices: ExternalServiceProps[];
  /**
   * Sync the app's Secrets from an external store with the External Secrets Operator: one
   * ExternalSecret per Secret the components read, with exactly the keys they read.
   * @default - the Secrets already exist in the namespace
   */
  readonly secretStore?: AppSecretStoreProps;
  /**
   * A ResourceQuota and LimitRange for the namespace.
   * @default - none
   */
  readonly guardrails?: NamespaceGuardrailsProps;
  /**
   * Namespace of the cluster DNS.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * Labels of the cluster DNS pods.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: { [key: string]: string };
}

/**
 * A Django app, composed from one props object: the backend, and whichever of the Celery worker
 * queues and beat, the jobs, scheduled commands, frontend, edge, statistics pipeline, synced
 * Secrets and namespace guardrails it has. The chart wires them together through the components
 * themselves: the NetworkPolicies allow exactly the flows between the components it holds and the external
 * services it is given, the edge routes to the backend and frontend objects, Argo CD sync waves
 * follow the roles, and the Secrets synced are the ones the components read.
 */
export class DjangoAppChart extends Chart {
  /** The settings of the Django code. */
  public readonly settings: DjangoSettings;
  /** The broker, when there is one. */
  public readonly broker?: CeleryBroker;
  /** The web tier. */
  public readonly backend: DjangoBackend;
  /** The web components beside the backend, in the order given; empty when there are none. */
  public readonly webServices: DjangoBackend[];
  /** The worker queues, when there are some. */
  public readonly workers?: CeleryWorkerPool;
  /** Beat, when there is one. */
  public readonly beat?: CeleryBeat;
  /** Flower, when there is one. */
  public readonly flower?: CeleryFlower;
  /** The migration job, when there is one. */
  public readonly migrations?: DjangoMigrations;
  /** The collectstatic job, when there is one. */
  public readonly collectStatic?: CollectStatic;
  /** The scheduled management commands, in the order given; empty when there are none. */
  public readonly cronJobs: DjangoCronJob[];
  /** The frontend, when there is one. */
  public readonly frontend?: NuxtFrontend;
  /** The edge, when there is one. */
  public readonly edge?: EdgeRouter;
  /** The statistics shipper, when there is one. */
  public readonly statsShipper?: StatsShipper;
  /** The statistics dashboards, when there are some. */
  public readonly statsDashboards?: StatsDashboards;
  /** Every component, in the order they were made. */
  public readonly components: IComponent[];

  constructor(scope: Construct, id: string, props: DjangoAppChartProps) {
    const instance = props.instance ?? props.appName;
    const chartLabels = {
      'app.kubernetes.io/name': props.appName,
      'app.kubernetes.io/instance': instance,
      'app.kubernetes.io/part-of': props.appName,
      'app.kubernetes.io/version': props.version,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
    // Objects that belong to no single component (policies, quota, secrets) still carry the release.
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true, labels: chartLabels });
    for (const field of ['appName', 'namespace', 'version', 'image'] as const) {
      if (typeof props[field] !== 'string' || props[field] === '') invalid(this, field, 'a non-empty string', props[field]);
    }
    for (const field of ['settings', 'backend'] as const) {
      if (!props[field] || typeof props[field] !== 'object') invalid(this, field, 'set (it is a required part of every app)', props[field]);
    }
    this.checkCelery(props);
    if (!Array.isArray(props.externalServices)) invalid(this, 'externalServices', 'a list (empty when the app reaches nothing outside)', props.externalServices);
    const identity = { appName: props.appName, instance, version: props.version };
    const hardening = { runAsUser: props.runAsUser, runAsGroup: props.runAsGroup, tmpSizeLimit: props.tmpSizeLimit };

    if (props.namePrefix !== undefined) checkDnsLabel(this, 'namePrefix', props.namePrefix, 30);
    const named = (base: string) => (props.namePrefix ? `${props.namePrefix}-${base}` : base);
    if (checkEnum(this, 'namespaceManagement', props.namespaceManagement ?? NamespaceManagement.RENDERED, NamespaceManagement) === NamespaceManagement.RENDERED) {
      addRestrictedNamespace(this, props.namespace, chartLabels);
    }
    if (props.guardrails) new NamespaceGuardrails(this, 'guardrails', { namePrefix: props.namePrefix, ...props.guardrails });

    if (props.stats) this.checkStats(props.stats);
    this.statsShipper = props.stats
      ? new StatsShipper(this, 'stats-shipper', { ...identity, ...hardening, ...props.stats.shipper, name: props.stats.shipper.name ?? named('stats-shipper') })
      : undefined;
    this.statsDashboards = props.stats?.dashboards
      ? new StatsDashboards(this, 'grafana', {
        ...identity,
        ...hardening,
        ...props.stats.dashboards,
        name: props.stats.dashboards.name ?? named('grafana'),
        // The dashboards search what the shipper writes.
        indexPattern: props.stats.dashboards.indexPattern ?? this.statsShipper!.indexWildcard,
      })
      : undefined;

    const statsEnv = this.statsShipper ? { [props.stats!.shipperUrlVariable ?? 'STATS_SHIPPER_URL']: this.statsShipper.serviceUrl } : {};
    this.settings = new DjangoSettings({
      ...props.settings,
      publicHosts: props.settings.publicHosts ?? this.edgeHosts(props.edge),
      env: { ...props.settings.env, ...statsEnv },
    });
    this.broker = props.broker ? new CeleryBroker(props.broker) : undefined;
    // The web tier, the workers, beat and the jobs run the same image, settings and broker.
    const appCode = { ...identity, ...hardening, image: props.image, tag: props.tag ?? props.version, settings: this.settings, broker: this.broker };

    this.backend = new DjangoBackend(this, 'backend', { ...appCode, ...props.backend, name: props.backend.name ?? named('backend') });
    this.webServices = this.addWebServices(props, appCode, named);
    this.migrations = props.migrations
      ? new DjangoMigrations(this, 'migrate', { ...props.migrations, backend: this.backend, name: props.migrations.name ?? named('migrate') })
      : undefined;
    this.collectStatic = props.collectStatic
      ? new CollectStatic(this, 'collectstatic', { ...props.collectStatic, backend: this.backend, name: props.collectStatic.name ?? named('collectstatic') })
      : undefined;
    if (props.workers) {
      // checkCelery made sure that workers come with a broker and a Celery app.
      const celery = { ...appCode, broker: this.broker!, celeryApp: props.celeryApp! };
      const workerPrefix = props.workers.namePrefix ?? named('worker');
      // The explicit instance, or else the namespace: the appName alone is the same in every installation of the app.
      const priorityClassPrefix = props.workers.priorityClassPrefix ?? `${clusterNamePrefix(this, { appName: props.appName, instance: props.instance })}-${workerPrefix}`;
      // Flower's task views are built from the workers' task events.
      const taskEvents = props.workers.taskEvents ?? props.flower !== undefined;
      this.workers = new CeleryWorkerPool(this, 'workers', { ...celery, ...props.workers, namePrefix: workerPrefix, priorityClassPrefix, taskEvents });
      this.beat = props.beat ? new CeleryBeat(this, 'beat', { ...celery, ...props.beat, name: props.beat.name ?? named('beat') }) : undefined;
    }
    this.flower = props.flower ? this.addFlower(props, appCode, named('flower')) : undefined;
    this.cronJobs = this.addCronJobs(props, named);
    this.frontend = props.frontend ? this.addFrontend(props, identity, hardening, named('frontend')) : undefined;
    this.edge = props.edge ? this.addEdge(props.edge, identity, hardening, named('edge'), props.webServices ?? []) : undefined;

    const queues = this.workers?.queueComponents ?? [];
    const celeryComponents: IComponent[] = [...queues, ...(this.beat ? [this.beat] : [])];
    const appCodeComponents: IComponent[] = [
      this.backend, ...this.webServices, ...celeryComponents,
      ...(this.migrations ? [this.migrations] : []), ...(this.collectStatic ? [this.collectStatic] : []),
      ...this.cronJobs,
    ];
    this.components = [
      ...(this.statsShipper ? [this.statsShipper] : []), ...(this.statsDashboards ? [this.statsDashboards] : []),
      this.backend, ...this.webServices, ...(this.migrations ? [this.migrations] : []), ...(this.collectStatic ? [this.collectStatic] : []),
      ...celeryComponents, ...(this.flower ? [this.flower] : []), ...this.cronJobs,
      ...(this.frontend ? [this.frontend] : []), ...(this.edge ? [this.edge] : []),
    ];
    this.checkUniqueNames([
      [this.backend, 'backend.name'], [this.beat, 'beat.name'], [this.flower, 'flower.name'],
      ...queues.map((q, i) => [q, `workers.queues[${i}].name`] as [IComponent, string]),
      [this.migrations, 'migrations.name'], [this.collectStatic, 'collectStatic.name'],
      [this.frontend, 'frontend.name'], [this.edge, 'edge.name'],
      [this.statsShipper, 'stats.shipper.name'], [this.statsDashboards, 'stats.dashboards.name'],
      ...this.cronJobs.map((c, i) => [c, `cronJobs[${i}].name`] as [IComponent, string]),
      // Last, so that a clash names the service, the part most recently added to an app.
      ...this.webServices.map((w, i) => [w, `webServices[${i}].name`] as [IComponent, string]),
    ]);

    if (props.secretStore) {
      syncSecrets(this, props.secretStore, props.namespace, [
        ...this.settings.secretKeys, ...(this.broker?.secretKeys ?? []),
        ...(this.statsShipper?.secretKeys ?? []), ...(this.statsDashboards?.secretKeys ?? []),
        ...(this.flower?.secretKeys ?? []),
      ]);
    }

    const traffic = new AppTraffic(this, {
      namespace: props.namespace,
      components: this.components,
      groups: new Map<ComponentGroup, IComponent[]>([
        [ComponentGroup.APP_CODE, appCodeComponents],
        [ComponentGroup.FRONTEND, this.frontend ? [this.frontend] : []],
        [ComponentGroup.EDGE, this.edge ? [this.edge] : []],
        [ComponentGroup.STATS, [...(this.statsShipper ? [this.statsShipper] : []), ...(this.statsDashboards ? [this.statsDashboards] : [])]],
        [ComponentGroup.FLOWER, this.flower ? [this.flower] : []],
      ]),
      externalServices: props.externalServices,
      dnsNamespace: props.dnsNamespace,
      dnsPodLabels: props.dnsPodLabels,
    });
    if (this.edge) traffic.allowFromNamespace(props.edge!.ingressNamespace, this.edge, 'edge.ingressNamespace');
    if (this.statsDashboards && props.stats!.dashboardsIngressNamespace !== undefined) {
      traffic.allowFromNamespace(props.stats!.dashboardsIngressNamespace, this.statsDashboards, 'stats.dashboardsIngressNamespace');
    }
    if (this.edge) {
      if (this.frontend) traffic.allow(this.edge, this.frontend);
      traffic.allow(this.edge, this.backend);
      for (const service of this.webServices) traffic.allow(this.edge, service);
      if (this.flower) traffic.allow(this.edge, this.flower);
      traffic.allowExternal(ComponentGroup.EDGE);
    }
    if (this.frontend) {
      traffic.allow(this.frontend, this.backend);
      traffic.allowExternal(ComponentGroup.FRONTEND);
    }
    traffic.allowExternal(ComponentGroup.APP_CODE, this.statsShipper);
    if (this.statsShipper) traffic.allowStatsElasticsearch(this.statsShipper, props.stats!.elasticsearchCidrs);
    if (this.statsDashboards) traffic.allowStatsElasticsearch(this.statsDashboards, props.stats!.elasticsearchCidrs);
    traffic.allowExternal(ComponentGroup.STATS);
    traffic.allowExternal(ComponentGroup.FLOWER);
    traffic.checkGroupsUsed('externalServices');

    new NetworkIsolation(this, 'network', {
      ...identity,
      namePrefix: props.namePrefix,
      rules: traffic.rules,
      dnsNamespace: props.dnsNamespace,
      dnsPodLabels: props.dnsPodLabels,
    });
    traffic.record();
    addUniqueObjectsValidation(this, `DjangoAppChart '${this.node.path}'`);
    this.node.addValidation({ validate: () => this.workloadsOutsideTheParts() });
    applySyncWaves(this, [...(this.frontend ? [this.frontend.name] : []), ...(this.edge ? [this.edge.name] : [])]);
  }

  /**
   * One CronJob per scheduled command. Two of one name are refused here, before their constructs
   * (named after them) collide; a clash with another component is found with the others.
   */
  private addCronJobs(props: DjangoAppChartProps, named: (base: string) => string): DjangoCronJob[] {
    if (props.cronJobs === undefined) return [];
    if (!Array.isArray(props.cronJobs)) invalid(this, 'cronJobs', 'a list of scheduled commands, or left out', props.cronJobs);
    // CronJob names have room for 52 characters, the chart's prefix included.
    const room = 52 - (props.namePrefix ? props.namePrefix.length + 1 : 0);
    return props.cronJobs.map((options, i) => {
      if (!options || typeof options !== 'object') invalid(this, `cronJobs[${i}]`, 'a scheduled command { name, schedule, command, resources, activeDeadlineSeconds }', options);
      checkDnsLabel(this, `cronJobs[${i}].name`, options.name, room);
      const first = props.cronJobs!.findIndex((o) => o?.name === options.name);
      if (first < i) invalid(this, `cronJobs[${i}].name`, `unique among the app's components (cronJobs[${first}].name is "${named(options.name)}" too)`, named(options.name));
      return new DjangoCronJob(this, `cron-${options.name}`, { ...options, backend: this.backend, broker: this.broker, name: named(options.name) });
    });
  }

  /**
   * One DjangoBackend per web service, with the app's image, settings and broker. Their routes are
   * checked here, against the edge's own prefixes and each other's, so that a clash names the
   * props as they were written rather than the edge's.
   */
  private addWebServices(props: DjangoAppChartProps, appCode: Omit<DjangoBackendProps, 'resources'>, named: (base: string) => string): DjangoBackend[] {
    if (props.webServices === undefined) return [];
    if (!Array.isArray(props.webServices)) invalid(this, 'webServices', 'a list of web services, or left out', props.webServices);
    if (props.webServices.length === 0) return [];
    if (!props.edge) invalid(this, 'edge', 'set when the app has webServices (only the edge routes to them; without it they would serve no one)', props.edge);
    const claimed = new Map<string, string>(routingPrefixes(props.edge.routing).map(([prefix, field]) => [prefix, `edge.routing.${field}`]));
    const internalS3 = [...claimed].find(([, field]) => field === 'edge.routing.internalS3Prefix')![0];
    // Deployment names have room for 63 characters, the chart's prefix included.
    const room = 63 - (props.namePrefix ? props.namePrefix.length + 1 : 0);
    return props.webServices.map((options, i) => {
      const field = `webServices[${i}]`;
      if (!options || typeof options !== 'object') invalid(this, field, 'a web service { name, pathPrefixes, resources }', options);
      // DjangoBackendOptions.name is optional (the backend's defaults to "backend"); a service has no default.
      if (options.name === undefined) invalid(this, `${field}.name`, 'set: each web service needs a name of its own', options.name);
      const name = checkDnsLabel(this, `${field}.name`, options.name, room);
      const first = props.webServices!.findIndex((o) => o?.name === name);
      if (first < i) invalid(this, `${field}.name`, `unique among the app's components (webServices[${first}].name is "${named(name)}" too)`, named(name));
      if (!Array.isArray(options.pathPrefixes) || options.pathPrefixes.length === 0) {
        invalid(this, `${field}.pathPrefixes`, 'a non-empty list of path prefixes such as "/ws/" (the edge routes nothing else to it)', options.pathPrefixes);
      }
      options.pathPrefixes.forEach((prefix, j) => this.claimRoutePrefix(claimed, internalS3, `${field}.pathPrefixes[${j}]`, prefix, '/ws/'));
      return new DjangoBackend(this, `web-${name}`, {
        ...appCode,
        ...options,
        server: options.server ?? AppServer.UVICORN,
        name: named(name),
      });
    });
  }

  /**
   * Claims a path prefix of the edge for the prop `at`: a prefix no other route uses, outside the
   * internal X-Accel location and not above it.
   */
  private claimRoutePrefix(claimed: Map<string, string>, internalS3: string, at: string, prefix: string, example: string): void {
    if (typeof prefix !== 'string' || !/^\/(?:[A-Za-z0-9._~-]+\/)+$/.test(prefix)) {
      invalid(this, at, `a path prefix other than "/" that starts and ends with "/", of letters, digits and . _ ~ - (such as "${example}")`, prefix);
    }
    const owner = claimed.get(prefix);
    if (owner !== undefined) invalid(this, at, `a prefix no other route uses (${owner} has it too)`, prefix);
    if (prefix.startsWith(internalS3) || internalS3.startsWith(prefix)) {
      invalid(this, at, `outside the internal X-Accel prefix "${internalS3}" (edge.routing.internalS3Prefix), and not above it`, prefix);
    }
    claimed.set(prefix, at);
  }

  /**
   * The hosts the edge's Ingress serves, which the app must accept (ALLOWED_HOSTS), checked here under
   * the names the user wrote, before DjangoSettings sees them.
   */
  private edgeHosts(edge: AppEdgeProps | undefined): string[] | undefined {
    if (!edge || typeof edge !== 'object') return undefined;
    return [checkPublicHost(this, 'edge.host', edge.host), ...checkPublicHosts(this, 'edge.additionalHosts', edge.additionalHosts ?? [])];
  }

  /**
   * Flower, with the Celery parts' image, settings and broker. It needs the workers (checkCelery
   * made sure they come with a broker and a Celery app), the edge (the only way in), a prefix no
   * other route uses, and an external service it may reach (the broker).
   */
  private addFlower(props: DjangoAppChartProps, appCode: Omit<DjangoBackendProps, 'resources'>, name: string): CeleryFlower {
    const flower = props.flower!;
    if (typeof flower !== 'object' || flower === null) invalid(this, 'flower', 'an object, or left out', flower);
    if (props.workers === undefined) {
      invalid(this, 'workers', 'set when the app has flower (Flower shows the workers and their tasks; without workers it has nothing to show)', props.workers);
    }
    if (!props.edge) {
      invalid(this, 'edge', 'set when the app has flower (only the edge routes to it, behind its basic auth; without it Flower would serve no one)', props.edge);
    }
    if (!flower.basicAuth) {
      invalid(this, 'flower.basicAuth', 'a Secret key reference { secretName, key } to "user:password" (Flower is never served without authentication)', flower.basicAuth);
    }
    const claimed = new Map<string, string>(routingPrefixes(props.edge.routing).map(([prefix, field]) => [prefix, `edge.routing.${field}`]));
    const internalS3 = [...claimed].find(([, field]) => field === 'edge.routing.internalS3Prefix')![0];
    (props.webServices ?? []).forEach((service, i) => service.pathPrefixes.forEach((p, j) => claimed.set(p, `webServices[${i}].pathPrefixes[${j}]`)));
    this.claimRoutePrefix(claimed, internalS3, 'flower.pathPrefix', flower.pathPrefix ?? '/flower/', '/flower/');
    const reachesSomething = props.externalServices.some((s) => (s?.reachedBy ?? [ComponentGroup.APP_CODE]).includes(ComponentGroup.FLOWER));
    if (!reachesSomething) {
      invalid(this, 'externalServices', 'a list in which the broker names ComponentGroup.FLOWER in reachedBy when the app has flower (Flower reaches nothing else)',
        props.externalServices.map((s) => s?.name));
    }
    return new CeleryFlower(this, 'flower', {
      ...appCode,
      broker: this.broker!,
      celeryApp: props.celeryApp!,
      ...flower,
      name: flower.name ?? name,
    });
  }

  /**
   * Every workload of the chart must be one of its parts: the NetworkPolicies, the routes and the
   * traffic model are derived from the parts, so a Deployment added beside them (a second
   * DjangoBackend made with `new`) would be cut off by the default deny, with no route to it.
   */
  private workloadsOutsideTheParts(): string[] {
    const parts = new Set(this.components.map((c) => c.name));
    return [...podTemplateComponents(this)].filter(([component]) => !parts.has(component)).map(([component, object]) =>
      `DjangoAppChart '${this.node.path}': ${object} runs pods of component "${component}", which is not a part of the chart: `
      + 'no NetworkPolicy allows traffic to or from it (the default deny cuts it off but for DNS) and the edge routes nothing to it; '
      + 'add it through DjangoAppChartProps (webServices for a web component that runs the app\'s image), or render it in a chart of its own');
  }

  private addFrontend(props: DjangoAppChartProps, identity: ComponentIdentityProps, hardening: PodHardeningProps, name: string): NuxtFrontend {
    const frontend = props.frontend!;
    const apiPath = frontend.apiPath ?? '/api';
    if (!/^\/[\w./-]*$/.test(apiPath)) invalid(this, 'frontend.apiPath', 'an absolute path such as "/api"', apiPath);
    const publicApiUrl = frontend.publicApiUrl ?? (props.edge ? `https://${props.edge.host}${apiPath}` : undefined);
    if (publicApiUrl === undefined) invalid(this, 'frontend.publicApiUrl', 'set when the app has no edge (browsers need the API URL)', publicApiUrl);
    return new NuxtFrontend(this, 'frontend', {
      ...identity,
      ...hardening,
      ...frontend,
      name: frontend.name ?? name,
      tag: frontend.tag ?? props.version,
      internalApiUrl: `${this.backend.serviceUrl}${apiPath}`,
      publicApiUrl,
    });
  }

  private addEdge(
    edge: AppEdgeProps, identity: ComponentIdentityProps, hardening: PodHardeningProps, name: string, webServices: AppWebServiceProps[],
  ): EdgeRouter {
    if (typeof edge.ingressNamespace !== 'string' || edge.ingressNamespace === '') {
      invalid(this, 'edge.ingressNamespace', "the ingress controller's namespace (the only one allowed to reach the edge)", edge.ingressNamespace);
    }
    return new EdgeRouter(this, 'edge', {
      ...identity,
      ...hardening,
      ...edge,
      name: edge.name ?? name,
      routing: { allowedS3Hosts: this.defaultS3Hosts(), s3Scheme: this.defaultS3Scheme(), ...edge.routing },
      backend: this.backend,
      frontend: this.frontend,
      services: [
        ...this.webServices.map((component, i) => ({
          component,
          pathPrefixes: webServices[i].pathPrefixes,
          idleTimeoutSeconds: webServices[i].idleTimeoutSeconds,
        })),
        // Flower's pages poll, and Flower 1.x's dashboard updated over a websocket: the service
        // route passes upgrades, with the edge's usual read timeout as its idle time.
        ...(this.flower ? [{
          component: this.flower,
          pathPrefixes: [this.flower.pathPrefix],
          idleTimeoutSeconds: edge.routing?.proxyReadTimeoutSeconds ?? 300,
          // Flower serves its Prometheus metrics without asking for credentials: never public.
          blockedPaths: [this.flower.metricsPath],
        }] : []),
      ],
      staticOrigin: edge.staticOrigin ?? this.bucketUrl(this.settings.staticBucket),
    });
  }

  /** The S3 hosts X-Accel-Redirect may name: the media bucket's virtual host and the regional endpoint. */
  private defaultS3Hosts(): string[] {
    const s = this.settings;
    if (s.s3Endpoint) return [s.s3Endpoint.replace(/^https?:\/\//, '').replace(/\/.*$/, '')];
    return [`${s.mediaBucket}.s3.${s.s3Region}.amazonaws.com`, `s3.${s.s3Region}.amazonaws.com`];
  }

  /** The scheme of the S3 endpoint, which the edge's X-Accel location must speak (plain HTTP for an `http://` endpoint). */
  private defaultS3Scheme(): S3Scheme {
    return this.settings.s3Endpoint?.startsWith('http://') ? S3Scheme.HTTP : S3Scheme.HTTPS;
  }

  private bucketUrl(bucket: string): string {
    const s = this.settings;
    return s.s3Endpoint ? `${s.s3Endpoint}/${bucket}/` : `https://${bucket}.s3.${s.s3Region}.amazonaws.com/`;
  }

  /**
   * The Celery parts need each other: the workers consume the broker's queues with the Celery app,
   * and beat only sends periodic tasks to the workers' queues. A broker alone is a web tier that
   * enqueues for workers that run elsewhere.
   */
  private checkCelery(props: DjangoAppChartProps): void {
    for (const field of ['broker', 'workers', 'beat'] as const) {
      if (props[field] !== undefined && (props[field] === null || typeof props[field] !== 'object')) invalid(this, field, 'an object, or left out', props[field]);
    }
    if (props.beat !== undefined && props.workers === undefined) {
      invalid(this, 'beat', 'left out, or set together with workers (beat only sends periodic tasks to the workers\' queues; without workers nothing runs them)', props.beat);
    }
    if (props.workers === undefined) {
      if (props.celeryApp !== undefined) invalid(this, 'celeryApp', 'left out when the app has no workers (only workers and beat run `celery -A <celeryApp>`)', props.celeryApp);
      return;
    }
    if (props.broker === undefined) {
      invalid(this, 'broker', 'set when the app has workers (their queues live on it, and KEDA scales them on its queue lengths)', props.broker);
    }
    if (typeof props.celeryApp !== 'string' || !/^[A-Za-z_][\w.:]*$/.test(props.celeryApp)) {
      invalid(this, 'celeryApp', 'set when the app has workers: the Celery application, a Python module path such as "shop.celery"', props.celeryApp);
    }
  }

  private checkStats(stats: AppStatsProps): void {
    if (!stats.shipper) invalid(this, 'stats.shipper', 'set (the dashboards show what the shipper writes)', stats.shipper);
    if (!Array.isArray(stats.elasticsearchCidrs) || stats.elasticsearchCidrs.length === 0) {
      invalid(this, 'stats.elasticsearchCidrs', 'the addresses of the statistics Elasticsearch (a non-empty list of CIDRs)', stats.elasticsearchCidrs);
    }
  }

  /** Two components of one name would render two objects of one kind and name, and one would be lost. */
  private checkUniqueNames(named: [IComponent | undefined, string][]): void {
    const seen = new Map<string, string>();
    for (const [component, field] of named) {
      if (!component) continue;
      const first = seen.get(component.name);
      if (first !== undefined) invalid(this, field, `unique among the app's components (${first} is "${component.name}" too)`, component.name);
      seen.set(component.name, field);
    }
  }
}
