import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentSpec } from './environment-spec';
import { SyncedSecret, SyncedSecretKey } from '../platform/external-secret';
import { NamespaceGuardrails } from '../platform/guardrails';
import { addRestrictedNamespace } from '../platform/namespace';
import { NetworkIsolation, TrafficRule } from '../platform/network-isolation';
import { applySyncWaves } from '../platform/sync-waves';
import { CeleryBeat } from '../workloads/celery-beat';
import { CeleryBroker } from '../workloads/celery-broker';
import { CeleryWorkerPool } from '../workloads/celery-worker-pool';
import { DjangoBackend } from '../workloads/django-backend';
import { CollectStatic, DjangoMigrations } from '../workloads/django-job';
import { DjangoSettings } from '../workloads/django-settings';
import { EdgeRouter } from '../workloads/edge/edge-router';
import { NuxtFrontend } from '../workloads/nuxt-frontend';
import { StatsDashboards, StatsShipper } from '../workloads/stats';

export const APP_NAME = 'picvario';
/** Label key of Picvario's dedicated node pools. */
export const NODE_POOL_LABEL = 'picvario.io/pool';
/** The Secret holding the database URL, Django secret key, cache URL and search credentials. */
export const APP_SECRET = 'picvario-app';
/** The Secret holding the broker connection. */
export const BROKER_SECRET = 'picvario-broker';
/** Statistics Elasticsearch users: Logstash writes, Grafana only reads. */
export const STATS_WRITER_SECRET = 'picvario-stats-writer';
export const STATS_READER_SECRET = 'picvario-stats-reader';
/** The Grafana admin password. */
export const GRAFANA_SECRET = 'picvario-grafana';

/** Every Secret the environment reads, with its keys; synced from the store where there is one. */
const SECRETS: Record<string, string[]> = {
  [APP_SECRET]: ['database-url', 'secret-key', 'cache-url', 'search-username', 'search-password'],
  [BROKER_SECRET]: ['broker-url', 'redis-address'],
  [STATS_WRITER_SECRET]: ['username', 'password'],
  [STATS_READER_SECRET]: ['username', 'password'],
  [GRAFANA_SECRET]: ['admin-password'],
};

/** Images of the third-party components, pinned. */
const LOGSTASH_TAG = '8.15.3';
const GRAFANA_TAG = '11.3.1';

/** One Picvario environment: its namespace and every component, composed from one spec. */
export class PicvarioEnvironment extends Chart {
  constructor(scope: Construct, id: string, spec: EnvironmentSpec) {
    const instanceLabels = {
      'app.kubernetes.io/name': APP_NAME,
      'app.kubernetes.io/instance': `${APP_NAME}-${spec.name}`,
      'app.kubernetes.io/part-of': APP_NAME,
      'app.kubernetes.io/version': spec.appVersion,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };
    // Objects that belong to no single component (policies, quota, secrets) still carry the release.
    super(scope, id, { namespace: spec.namespace, disableResourceNameHashes: true, labels: instanceLabels });
    const identity = { appName: APP_NAME, instance: `${APP_NAME}-${spec.name}`, version: spec.appVersion };
    addRestrictedNamespace(this, spec.namespace, instanceLabels);
    new NamespaceGuardrails(this, 'guardrails', spec.quota);
    if (spec.secretStore) {
      for (const [name, keys] of Object.entries(SECRETS)) this.syncSecret(spec, name, keys);
    }
    const shipper = new StatsShipper(this, 'stats-shipper', {
      ...identity,
      tag: LOGSTASH_TAG,
      resources: spec.stats.logstash,
      replicas: 2,
      elasticsearch: { url: spec.external.stats.url, secretName: STATS_WRITER_SECRET },
    });
    const dashboards = new StatsDashboards(this, 'grafana', {
      ...identity,
      tag: GRAFANA_TAG,
      resources: spec.stats.grafana,
      elasticsearch: { url: spec.external.stats.url, secretName: STATS_READER_SECRET },
      adminSecretName: GRAFANA_SECRET,
    });

    const settings = new DjangoSettings({
      settingsModule: 'picvario.settings.kubernetes',
      secretName: APP_SECRET,
      mediaBucket: spec.s3.mediaBucket,
      staticBucket: spec.s3.staticBucket,
      s3Region: spec.s3.region,
      s3Endpoint: spec.s3.endpoint,
      staticUrl: spec.s3.staticUrl,
      secretEnv: [
        { name: 'CACHE_URL', secretName: APP_SECRET, key: 'cache-url' },
        { name: 'SEARCH_ELASTICSEARCH_USERNAME', secretName: APP_SECRET, key: 'search-username' },
        { name: 'SEARCH_ELASTICSEARCH_PASSWORD', secretName: APP_SECRET, key: 'search-password' },
      ],
      env: {
        PICVARIO_ENVIRONMENT: spec.name,
        SEARCH_ELASTICSEARCH_URL: spec.external.search.url,
        STATS_SHIPPER_URL: shipper.url,
      },
    });
    const broker = new CeleryBroker({ kind: spec.broker, secretName: BROKER_SECRET });
    // Web, workers and beat run the same image, settings and broker.
    const appCode = { ...identity, image: `${spec.registry}/backend`, tag: spec.appVersion, settings, broker };

    const backend = new DjangoBackend(this, 'backend', {
      ...appCode,
      application: 'picvario.wsgi:application',
      serverWorkers: spec.backend.serverWorkers,
      minReplicas: spec.backend.minReplicas,
      maxReplicas: spec.backend.maxReplicas,
      resources: spec.backend.resources,
    });
    const migrate = new DjangoMigrations(this, 'migrate', { backend, resources: spec.jobs.resources });
    const collectStatic = new CollectStatic(this, 'collectstatic', { backend, resources: spec.jobs.resources });
    const workers = new CeleryWorkerPool(this, 'workers', {
      ...appCode,
      celeryApp: 'picvario.celery',
      queues: spec.queues,
      nodePoolLabel: NODE_POOL_LABEL,
    });
    const beat = new CeleryBeat(this, 'beat', {
      ...appCode,
      celeryApp: 'picvario.celery',
      resources: spec.beat.resources,
    });
    const frontend = new NuxtFrontend(this, 'frontend', {
      ...identity,
      image: `${spec.registry}/frontend`,
      tag: spec.appVersion,
      internalApiUrl: `${backend.serviceUrl}/api`,
      publicApiUrl: `https://${spec.host}/api`,
      minReplicas: spec.frontend.minReplicas,
      maxReplicas: spec.frontend.maxReplicas,
      resources: spec.frontend.resources,
    });

    const staticOrigin = `https://${spec.s3.staticBucket}.s3.${spec.s3.region}.amazonaws.com/`;
    const edge = new EdgeRouter(this, 'edge', {
      ...identity,
      host: spec.host,
      ingressClassName: spec.ingress.className,
      clusterIssuer: spec.ingress.clusterIssuer,
      minReplicas: spec.edge.minReplicas,
      maxReplicas: spec.edge.maxReplicas,
      resources: spec.edge.resources,
      nginx: {
        backendUpstream: `${backend.name}:${backend.port}`,
        frontendUpstream: `${frontend.name}:${frontend.port}`,
        staticOrigin,
        allowedS3Hosts: [`${spec.s3.mediaBucket}.s3.${spec.s3.region}.amazonaws.com`, `s3.${spec.s3.region}.amazonaws.com`],
      },
    });

    const appCodeComponents = [backend.name, ...workers.deploymentNames, beat.deploymentName, migrate.jobName, collectStatic.jobName];
    const rules: TrafficRule[] = [
      { fromNamespace: spec.ingress.namespace, toComponent: edge.name, ports: [edge.port] },
      { fromComponent: edge.name, toComponent: frontend.name, ports: [frontend.port] },
      { fromComponent: edge.name, toComponent: backend.name, ports: [backend.port] },
      { fromComponent: edge.name, toCidrs: spec.s3.cidrs, ports: [443] },
      { fromComponent: frontend.name, toComponent: backend.name, ports: [backend.port] },
      ...appCodeComponents.flatMap((component) => [
        { fromComponent: component, toCidrs: [spec.external.postgres.cidr], ports: [spec.external.postgres.port] },
        { fromComponent: component, toCidrs: [spec.external.search.cidr], ports: [spec.external.search.port] },
        { fromComponent: component, toCidrs: [spec.external.broker.cidr], ports: [spec.external.broker.port] },
        { fromComponent: component, toCidrs: [spec.external.cache.cidr], ports: [spec.external.cache.port] },
        { fromComponent: component, toCidrs: spec.s3.cidrs, ports: [443] },
        { fromComponent: component, toComponent: shipper.component, ports: [shipper.port] },
      ]),
      { fromComponent: shipper.component, toCidrs: [spec.external.stats.cidr], ports: [spec.external.stats.port] },
      { fromComponent: dashboards.component, toCidrs: [spec.external.stats.cidr], ports: [spec.external.stats.port] },
    ];
    new NetworkIsolation(this, 'network', { ...identity, rules });
    applySyncWaves(this, [frontend.name, edge.name]);
  }

  private syncSecret(spec: EnvironmentSpec, secretName: string, keys: string[]): void {
    const data: SyncedSecretKey[] = keys.map((key) => ({ secretKey: key, remoteKey: `picvario/${spec.name}/${secretName}`, property: key }));
    new SyncedSecret(this, `secret-${secretName}`, { secretName, storeName: spec.secretStore!, keys: data });
  }
}
