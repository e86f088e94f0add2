import { EnvironmentSpec } from './environment-spec';
import { ContainerResources } from '../platform/resources';
import { BrokerKind } from '../workloads/celery-broker';
import { CeleryQueueProps, QueuePriority } from '../workloads/celery-worker-pool';

/** The node pool that runs face recognition (GPU-less, but CPU- and memory-heavy), tainted for it alone. */
export const FACE_RECOGNITION_POOL = 'face-recognition';

function size(cpuRequest: string, cpuLimit: string, memoryRequest: string, memoryLimit: string): ContainerResources {
  return { cpuRequest, cpuLimit, memoryRequest, memoryLimit };
}

/**
 * Picvario's queues. Time limits are those of the longest task seen on each queue, with headroom;
 * `scale` multiplies the replica bounds per environment.
 */
function queues(scale: { min: (base: number) => number; max: (base: number) => number; big: boolean }): CeleryQueueProps[] {
  const r = (small: ContainerResources, large: ContainerResources) => (scale.big ? large : small);
  return [
    {
      name: 'notifications',
      priority: QueuePriority.HIGH,
      concurrency: 4,
      taskTimeLimitSeconds: 60,
      minReplicas: scale.min(1),
      maxReplicas: scale.max(4),
      resources: r(size('100m', '500m', '256Mi', '512Mi'), size('250m', '1', '512Mi', '1Gi')),
    },
    {
      name: 'media-import',
      priority: QueuePriority.HIGH,
      concurrency: 2,
      taskTimeLimitSeconds: 1800,
      minReplicas: scale.min(1),
      maxReplicas: scale.max(20),
      tasksPerReplica: 4,
      pollingIntervalSeconds: 5,
      resources: r(size('250m', '1', '512Mi', '1Gi'), size('1', '2', '2Gi', '4Gi')),
    },
    {
      name: 'default',
      priority: QueuePriority.NORMAL,
      concurrency: 4,
      taskTimeLimitSeconds: 300,
      minReplicas: scale.min(1),
      maxReplicas: scale.max(6),
      resources: r(size('100m', '500m', '256Mi', '512Mi'), size('500m', '1', '1Gi', '2Gi')),
    },
    {
      name: 'export',
      priority: QueuePriority.NORMAL,
      concurrency: 2,
      taskTimeLimitSeconds: 3600,
      minReplicas: 0,
      maxReplicas: scale.max(6),
      resources: r(size('250m', '1', '512Mi', '1Gi'), size('500m', '2', '1Gi', '4Gi')),
    },
    {
      name: 'storage-scan',
      priority: QueuePriority.LOW,
      concurrency: 2,
      taskTimeLimitSeconds: 3600,
      minReplicas: 0,
      maxReplicas: scale.max(4),
      resources: r(size('100m', '500m', '256Mi', '512Mi'), size('250m', '1', '512Mi', '1Gi')),
    },
    {
      name: 'face-recognition',
      priority: QueuePriority.LOW,
      concurrency: 1,
      taskTimeLimitSeconds: 1800,
      minReplicas: 0,
      maxReplicas: scale.max(4),
      tasksPerReplica: 2,
      nodePool: FACE_RECOGNITION_POOL,
      resources: r(size('500m', '2', '2Gi', '4Gi'), size('2', '4', '6Gi', '8Gi')),
    },
  ];
}

const REGISTRY = 'registry.picvario.example/picvario';

/**
 * The data-centre network of one environment (`10.<network>.0.0/16`), where PostgreSQL, both
 * Elasticsearch clusters, the broker and the cache run, one /24 each.
 */
function external(network: number, domain: string, broker: BrokerKind): EnvironmentSpec['external'] {
  const block = (n: number) => `10.${network}.${n}.0/24`;
  return {
    postgres: { cidr: block(1), port: 5432 },
    search: { url: `https://search.${domain}:9200`, cidr: block(2), port: 9200 },
    stats: { url: `https://stats.${domain}:9200`, cidr: block(3), port: 9200 },
    broker: { cidr: block(4), port: broker === BrokerKind.REDIS ? 6379 : 5672 },
    cache: { cidr: block(5), port: 6379 },
  };
}

/** eu-central-1 S3 endpoints (the published ranges are larger; these are the ones in use). */
const S3_CIDRS = ['52.219.168.0/24', '52.219.170.0/23', '3.5.136.0/22'];
const INGRESS = { namespace: 'ingress-nginx', className: 'nginx' };

export const TEST: EnvironmentSpec = {
  name: 'test',
  namespace: 'picvario-test',
  appVersion: '2026.11.4',
  registry: REGISTRY,
  broker: BrokerKind.REDIS,
  host: 'test.picvario.example',
  ingress: INGRESS,
  s3: { region: 'eu-central-1', mediaBucket: 'picvario-test-media', staticBucket: 'picvario-test-static', cidrs: S3_CIDRS },
  external: external(30, 'test.picvario.internal', BrokerKind.REDIS),
  // Synced like the others: the first sync creates the namespace, so no Secret can be in it before.
  secretStore: 'picvario-vault',
  backend: { minReplicas: 2, maxReplicas: 3, serverWorkers: 2, resources: size('250m', '1', '512Mi', '1Gi') },
  frontend: { minReplicas: 2, maxReplicas: 3, resources: size('100m', '500m', '256Mi', '512Mi') },
  edge: { minReplicas: 2, maxReplicas: 3, resources: size('50m', '250m', '64Mi', '128Mi') },
  queues: queues({ min: () => 1, max: (base) => Math.min(base, 2), big: false }),
  beat: { resources: size('50m', '250m', '128Mi', '256Mi') },
  jobs: { resources: size('250m', '1', '512Mi', '1Gi') },
  stats: { logstash: size('250m', '1', '1Gi', '1Gi'), grafana: size('50m', '250m', '128Mi', '256Mi') },
  quota: { requestsCpu: '16', requestsMemory: '32Gi', limitsCpu: '48', limitsMemory: '64Gi' },
};

export const STAGING: EnvironmentSpec = {
  name: 'staging',
  namespace: 'picvario-staging',
  appVersion: '2026.11.4',
  registry: REGISTRY,
  broker: BrokerKind.RABBITMQ,
  host: 'staging.picvario.example',
  ingress: { ...INGRESS, clusterIssuer: 'letsencrypt' },
  s3: { region: 'eu-central-1', mediaBucket: 'picvario-staging-media', staticBucket: 'picvario-staging-static', cidrs: S3_CIDRS },
  external: external(20, 'staging.picvario.internal', BrokerKind.RABBITMQ),
  secretStore: 'picvario-vault',
  backend: { minReplicas: 2, maxReplicas: 6, serverWorkers: 4, resources: size('500m', '1', '1Gi', '2Gi') },
  frontend: { minReplicas: 2, maxReplicas: 4, resources: size('250m', '1', '512Mi', '1Gi') },
  edge: { minReplicas: 2, maxReplicas: 4, resources: size('100m', '500m', '128Mi', '256Mi') },
  queues: queues({ min: (base) => base, max: (base) => Math.ceil(base / 2), big: false }),
  beat: { resources: size('100m', '250m', '256Mi', '512Mi') },
  jobs: { resources: size('500m', '1', '1Gi', '2Gi') },
  stats: { logstash: size('500m', '1', '1Gi', '2Gi'), grafana: size('100m', '500m', '256Mi', '512Mi') },
  quota: { requestsCpu: '32', requestsMemory: '64Gi', limitsCpu: '64', limitsMemory: '128Gi' },
};

export const PRODUCTION: EnvironmentSpec = {
  name: 'production',
  namespace: 'picvario-production',
  appVersion: '2026.11.3',
  registry: REGISTRY,
  broker: BrokerKind.RABBITMQ,
  s3: {
    region: 'eu-central-1',
    mediaBucket: 'picvario-production-media',
    staticBucket: 'picvario-production-static',
    staticUrl: 'https://static.picvario.example/',
    cidrs: S3_CIDRS,
  },
  host: 'app.picvario.example',
  ingress: { ...INGRESS, clusterIssuer: 'letsencrypt' },
  external: external(10, 'prod.picvario.internal', BrokerKind.RABBITMQ),
  secretStore: 'picvario-vault',
  backend: { minReplicas: 3, maxReplicas: 20, serverWorkers: 4, resources: size('1', '2', '2Gi', '4Gi') },
  frontend: { minReplicas: 3, maxReplicas: 12, resources: size('500m', '1', '1Gi', '2Gi') },
  edge: { minReplicas: 3, maxReplicas: 8, resources: size('250m', '1', '256Mi', '512Mi') },
  queues: queues({ min: (base) => base * 2, max: (base) => base, big: true }),
  beat: { resources: size('100m', '500m', '256Mi', '512Mi') },
  jobs: { resources: size('1', '2', '2Gi', '4Gi') },
  stats: { logstash: size('1', '2', '2Gi', '4Gi'), grafana: size('250m', '1', '512Mi', '1Gi') },
  quota: { requestsCpu: '96', requestsMemory: '256Gi', limitsCpu: '192', limitsMemory: '512Gi', pods: 400 },
};

/** Every environment, in render order. */
export const ENVIRONMENTS: EnvironmentSpec[] = [TEST, STAGING, PRODUCTION];

/** Tiny requests: the suite's two real nodes share one 2-core machine; the limits stay real. */
const SUITE_WEB = size('10m', '1', '96Mi', '512Mi');
const SUITE_SMALL = size('10m', '500m', '64Mi', '256Mi');

/**
 * Production's shape (RabbitMQ, the TLS issuer, the stats stack, required zone spread, the
 * django-tenants migrations, Secrets from the secret store) for the suites that run Picvario's render on real nodes
 * (test/cluster/picvario.cluster.ts). Rendered by the same code as the environments above; not in
 * ENVIRONMENTS, so `npm run synth` never renders it. Its external services are test hosts the suite
 * creates in 203.0.113.0/24 (RFC 5737; hack/control-plane/shop-hosts.sh): PostgreSQL on .10, the
 * cache (Redis) on .11, an S3-compatible server on .12:7070 (which signs for eu-west-1), RabbitMQ on
 * .13, and the two Elasticsearch clusters on .14 and .15 (listeners only: nothing in the suite's
 * images talks to Elasticsearch). Two replicas of each web tier (one per node, one per zone), one worker per
 * always-on queue, a 20 s queue cooldown so that KEDA's 0 -> N -> 0 fits the suite's time budget.
 */
export const SUITE: EnvironmentSpec = {
  name: 'e2e',
  namespace: 'picvario-e2e',
  appVersion: PRODUCTION.appVersion,
  registry: REGISTRY,
  broker: BrokerKind.RABBITMQ,
  host: 'e2e.picvario.example',
  ingress: { ...INGRESS, clusterIssuer: 'letsencrypt' },
  s3: {
    region: 'eu-west-1',
    endpoint: 'http://203.0.113.12:7070',
    mediaBucket: 'picvario-e2e-media',
    staticBucket: 'picvario-e2e-static',
    cidrs: ['203.0.113.12/32'],
    port: 7070,
  },
  external: {
    postgres: { cidr: '203.0.113.10/32', port: 5432 },
    search: { url: 'http://203.0.113.14:9200', cidr: '203.0.113.14/32', port: 9200 },
    stats: { url: 'http://203.0.113.15:9200', cidr: '203.0.113.15/32', port: 9200 },
    broker: { cidr: '203.0.113.13/32', port: 5672 },
    cache: { cidr: '203.0.113.11/32', port: 6379 },
  },
  secretStore: 'picvario-vault',
  backend: { minReplicas: 2, maxReplicas: 2, serverWorkers: 2, resources: SUITE_WEB },
  frontend: { minReplicas: 2, maxReplicas: 2, resources: SUITE_SMALL },
  edge: { minReplicas: 2, maxReplicas: 2, resources: SUITE_SMALL },
  queues: queues({ min: () => 1, max: (base) => Math.min(base, 2), big: false })
    .map((q) => ({ ...q, resources: SUITE_WEB, cooldownPeriodSeconds: 20 })),
  beat: { resources: SUITE_SMALL },
  jobs: { resources: SUITE_WEB },
  // Logstash's limit is the least its construct accepts (the JVM heap is half of it).
  stats: { logstash: size('10m', '500m', '64Mi', '512Mi'), grafana: SUITE_SMALL },
  quota: { requestsCpu: '4', requestsMemory: '8Gi', limitsCpu: '32', limitsMemory: '32Gi' },
};
