import { Construct } from 'constructs';
import { EnvironmentSpec } from './environment-spec';
import { ComponentGroup } from '../app/app-parts';
import { DjangoAppChart, DjangoAppChartProps } from '../app/django-app-chart';
import { ScalingMetric } from '../platform/autoscaling';
import { ZoneSpread } from '../platform/pod-options';
import { MigrationStyle } from '../workloads/django-job';

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

/**
 * Picvario's names in the statistics Elasticsearch and Grafana. Pinned rather than left to the
 * defaults: a new name would orphan the existing indices and template, and break dashboard links.
 */
const STATS_INDEX_PREFIX = 'picvario-usage';
const STATS_DASHBOARD_TAGS = ['picvario', 'usage'];

/** Images of the third-party components, pinned. */
const LOGSTASH_TAG = '8.15.3';
const GRAFANA_TAG = '11.3.1';

/** The generic app chart's props for one Picvario environment. */
export function picvarioAppProps(spec: EnvironmentSpec): DjangoAppChartProps {
  const ext = spec.external;
  return {
    appName: APP_NAME,
    instance: `${APP_NAME}-${spec.name}`,
    namespace: spec.namespace,
    version: spec.appVersion,
    image: `${spec.registry}/backend`,
    celeryApp: 'picvario.celery',
    settings: {
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
        ...spec.s3.endpoint ? [
          { name: 'AWS_ACCESS_KEY_ID', secretName: APP_SECRET, key: 's3-access-key' },
          { name: 'AWS_SECRET_ACCESS_KEY', secretName: APP_SECRET, key: 's3-secret-key' },
        ] : [],
      ],
      env: {
        PICVARIO_ENVIRONMENT: spec.name,
        SEARCH_ELASTICSEARCH_URL: ext.search.url,
      },
    },
    broker: { kind: spec.broker, secretName: BROKER_SECRET },
    backend: {
      application: 'picvario.wsgi:application',
      serverWorkers: spec.backend.serverWorkers,
      minReplicas: spec.backend.minReplicas,
      maxReplicas: spec.backend.maxReplicas,
      resources: spec.backend.resources,
      zoneSpread: ZoneSpread.REQUIRED,
      scalingMetrics: [ScalingMetric.CPU, ScalingMetric.MEMORY],
    },
    migrations: { resources: spec.jobs.resources, style: MigrationStyle.DJANGO_TENANTS },
    collectStatic: { resources: spec.jobs.resources },
    workers: { queues: spec.queues, nodePoolLabel: NODE_POOL_LABEL },
    beat: { resources: spec.beat.resources },
    frontend: {
      image: `${spec.registry}/frontend`,
      minReplicas: spec.frontend.minReplicas,
      maxReplicas: spec.frontend.maxReplicas,
      resources: spec.frontend.resources,
      zoneSpread: ZoneSpread.REQUIRED,
      scalingMetrics: [ScalingMetric.CPU, ScalingMetric.MEMORY],
    },
    edge: {
      host: spec.host,
      // Each tenant has a subdomain of the environment's host (django-tenants picks the schema by it).
      additionalHosts: [`*.${spec.host}`],
      ingressNamespace: spec.ingress.namespace,
      ingressClassName: spec.ingress.className,
      clusterIssuer: spec.ingress.clusterIssuer,
      minReplicas: spec.edge.minReplicas,
      maxReplicas: spec.edge.maxReplicas,
      resources: spec.edge.resources,
      zoneSpread: ZoneSpread.REQUIRED,
      scalingMetrics: [ScalingMetric.CPU, ScalingMetric.MEMORY],
    },
    stats: {
      shipper: {
        tag: LOGSTASH_TAG,
        resources: spec.stats.logstash,
        replicas: 2,
        elasticsearch: { url: ext.stats.url, secretName: STATS_WRITER_SECRET },
        index: `${STATS_INDEX_PREFIX}-%{+YYYY.MM.dd}`,
        indexTemplateName: STATS_INDEX_PREFIX,
      },
      dashboards: {
        tag: GRAFANA_TAG,
        resources: spec.stats.grafana,
        elasticsearch: { url: ext.stats.url, secretName: STATS_READER_SECRET },
        adminSecretName: GRAFANA_SECRET,
        indexPattern: `${STATS_INDEX_PREFIX}-*`,
        datasourceUid: `${STATS_INDEX_PREFIX}-es`,
        tenantDashboardUid: `${STATS_INDEX_PREFIX}-tenant`,
        summaryDashboardUid: `${STATS_INDEX_PREFIX}-summary`,
        dashboardTags: STATS_DASHBOARD_TAGS,
      },
      elasticsearchCidrs: [ext.stats.cidr],
    },
    externalServices: [
      { name: 'postgres', cidrs: [ext.postgres.cidr], ports: [ext.postgres.port] },
      { name: 'search', cidrs: [ext.search.cidr], ports: [ext.search.port] },
      { name: 'broker', cidrs: [ext.broker.cidr], ports: [ext.broker.port] },
      { name: 'cache', cidrs: [ext.cache.cidr], ports: [ext.cache.port] },
      { name: 's3', cidrs: spec.s3.cidrs, ports: [spec.s3.port ?? 443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] },
    ],
    secretStore: spec.secretStore ? { storeName: spec.secretStore, remoteKeyPrefix: `${APP_NAME}/${spec.name}` } : undefined,
    guardrails: spec.quota,
  };
}

/** One Picvario environment: the generic Django app chart, with Picvario's choices. */
export class PicvarioEnvironment extends DjangoAppChart {
  constructor(scope: Construct, id: string, spec: EnvironmentSpec) {
    super(scope, id, picvarioAppProps(spec));
  }
}
