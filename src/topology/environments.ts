import { EnvironmentSpec } from './spec';
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

export const TEST: EnvironmentSpec = {
  name: 'test',
  namespace: 'picvario-test',
  appVersion: '2026.11.4',
  registry: REGISTRY,
  broker: BrokerKind.REDIS,
  s3: { region: 'eu-central-1', mediaBucket: 'picvario-test-media', staticBucket: 'picvario-test-static' },
  backend: { minReplicas: 2, maxReplicas: 3, serverWorkers: 2, resources: size('250m', '1', '512Mi', '1Gi') },
  queues: queues({ min: () => 1, max: (base) => Math.min(base, 2), big: false }),
  beat: { resources: size('50m', '250m', '128Mi', '256Mi') },
};

export const STAGING: EnvironmentSpec = {
  name: 'staging',
  namespace: 'picvario-staging',
  appVersion: '2026.11.4',
  registry: REGISTRY,
  broker: BrokerKind.RABBITMQ,
  s3: { region: 'eu-central-1', mediaBucket: 'picvario-staging-media', staticBucket: 'picvario-staging-static' },
  backend: { minReplicas: 2, maxReplicas: 6, serverWorkers: 4, resources: size('500m', '1', '1Gi', '2Gi') },
  queues: queues({ min: (base) => base, max: (base) => Math.ceil(base / 2), big: false }),
  beat: { resources: size('100m', '250m', '256Mi', '512Mi') },
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
  },
  backend: { minReplicas: 3, maxReplicas: 20, serverWorkers: 4, resources: size('1', '2', '2Gi', '4Gi') },
  queues: queues({ min: (base) => base * 2, max: (base) => base, big: true }),
  beat: { resources: size('100m', '500m', '256Mi', '512Mi') },
};

/** Every environment, in render order. */
export const ENVIRONMENTS: EnvironmentSpec[] = [TEST, STAGING, PRODUCTION];
