import { CeleryBroker, CeleryExecutionPool, CeleryLiveness, CeleryQueueProps, CeleryWorkerPool, CeleryWorkerPoolProps, QueuePriority } from '../../src';
import { container, envMap, find, newChart, objects, rabbit, redis, settings, small } from '../support/synth';

const QUEUES: CeleryQueueProps[] = [
  { name: 'media-import', priority: QueuePriority.HIGH, concurrency: 3, taskTimeLimitSeconds: 600, minReplicas: 2, maxReplicas: 8, resources: small },
  { name: 'export', priority: QueuePriority.LOW, taskTimeLimitSeconds: 1200, minReplicas: 0, maxReplicas: 4, resources: small, nodePool: 'bulk' },
];

function pool(overrides: Partial<CeleryWorkerPoolProps> = {}, broker: CeleryBroker = rabbit()) {
  const chart = newChart();
  new CeleryWorkerPool(chart, 'workers', {
    appName: 'shop',
    instance: 'shop-prod',
    image: 'registry.example.com/shop/api',
    tag: '1.4.0',
    settings: settings(),
    broker,
    celeryApp: 'shop.celery',
    queues: QUEUES,
    ...overrides,
  });
  return objects(chart);
}

describe('CeleryWorkerPool', () => {
  test('GIVEN two queues on RabbitMQ THEN the rendered objects match the snapshot', () => {
    expect(pool()).toMatchSnapshot();
  });

  test('THEN each queue has its own Deployment consuming only that queue, with prefetch 1 and its time limits', () => {
    const c = container(find(pool(), 'Deployment', 'worker-media-import'));
    expect(c.command).toEqual([
      'celery', '-A', 'shop.celery', 'worker', '--queues=media-import', '--hostname=media-import@%h', '--concurrency=3',
      '--prefetch-multiplier=1', '--time-limit=600', '--soft-time-limit=540', '--without-gossip', '--without-mingle', '--loglevel=INFO',
    ]);
  });

  test('GIVEN a Celery queue name that is not a DNS label THEN workers consume it by that name, and the objects take a derived one', () => {
    const all = pool({ queues: [{ name: 'Monthly_Reports', priority: QueuePriority.LOW, resources: small }] }, redis());
    const c = container(find(all, 'Deployment', 'worker-monthly-reports'));
    expect(c.command.slice(4, 6)).toEqual(['--queues=Monthly_Reports', '--hostname=Monthly_Reports@%h']);
    expect(envMap(c).CELERY_WORKER_QUEUE).toBe('Monthly_Reports');
    expect(find(all, 'ScaledObject', 'worker-monthly-reports').spec.triggers[0].metadata.listName).toBe('Monthly_Reports');
    const named = pool({ queues: [{ name: 'monthly_reports', componentName: 'reports', priority: QueuePriority.LOW, resources: small }] });
    expect(find(named, 'Deployment', 'worker-reports')).toBeDefined();
  });

  test('GIVEN an app without the heartbeat bootstep yet THEN workers get no liveness probe and a startup probe on their pid file, never a broker ping', () => {
    const c = container(find(pool({ liveness: CeleryLiveness.NONE }), 'Deployment', 'worker-export'));
    expect(c.livenessProbe).toBeUndefined();
    expect(c.command).toContain('--pidfile=/tmp/celery-worker.pid');
    expect(c.startupProbe.exec.command).toEqual(['python', '-c', 'import os; os.stat("/tmp/celery-worker.pid")']);
    expect(Object.keys(envMap(c))).not.toContain('CELERY_WORKER_HEARTBEAT_FILE');
    expect(JSON.stringify(c)).not.toMatch(/inspect|ping/);
  });

  test('THEN no worker is its pod\'s PID 1, so a SIGTERM that comes while it starts (KEDA scaling an idle queue down) is not lost', () => {
    const deployments = pool().filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.template.spec.shareProcessNamespace]))
      .toEqual([['worker-media-import', true], ['worker-export', true]]);
  });

  test('THEN acks_late, reject_on_worker_lost and prefetch 1 are switched on through the environment contract', () => {
    const env = envMap(container(find(pool(), 'Deployment', 'worker-export')));
    expect(env.CELERY_TASK_ACKS_LATE).toBe('true');
    expect(env.CELERY_TASK_REJECT_ON_WORKER_LOST).toBe('true');
    expect(env.CELERY_WORKER_PREFETCH_MULTIPLIER).toBe('1');
    expect(env.CELERY_WORKER_QUEUE).toBe('export');
    expect(env.CELERY_BROKER_URL).toEqual({ secretKeyRef: { name: 'broker', key: 'broker-url' } });
    expect(env.CELERY_BROKER_VISIBILITY_TIMEOUT).toBeUndefined();
  });

  test('THEN the grace period outlasts the task time limit', () => {
    const all = pool();
    expect(find(all, 'Deployment', 'worker-media-import').spec.template.spec.terminationGracePeriodSeconds).toBe(630);
    expect(find(all, 'Deployment', 'worker-export').spec.template.spec.terminationGracePeriodSeconds).toBe(1230);
  });

  test('THEN liveness reads the heartbeat file and never calls the broker', () => {
    const c = container(find(pool({ heartbeatIntervalSeconds: 5 }), 'Deployment', 'worker-export'));
    expect(c.livenessProbe.exec.command[0]).toBe('python');
    expect(c.livenessProbe.exec.command[2]).toContain('os.stat("/tmp/celery-worker-heartbeat").st_mtime < 15');
    expect(c.livenessProbe.exec.command.join(' ')).not.toMatch(/inspect|ping/);
    expect(c.livenessProbe.periodSeconds).toBe(5);
    expect(envMap(c).CELERY_WORKER_HEARTBEAT_INTERVAL).toBe('5');
  });

  test('THEN KEDA scales each queue on its length through a TriggerAuthentication that reads the Secret', () => {
    const all = pool();
    const so = find(all, 'ScaledObject', 'worker-export');
    expect(so.spec).toMatchObject({
      scaleTargetRef: { name: 'worker-export' },
      minReplicaCount: 0,
      maxReplicaCount: 4,
      pollingInterval: 15,
      cooldownPeriod: 300,
      triggers: [{ type: 'rabbitmq', metadata: { protocol: 'amqp', queueName: 'export', mode: 'QueueLength', value: '10' }, authenticationRef: { name: 'worker-broker' } }],
    });
    expect(find(all, 'TriggerAuthentication', 'worker-broker').spec.secretTargetRef).toEqual([{ parameter: 'host', name: 'broker', key: 'broker-url' }]);
    for (const d of all.filter((o) => o.kind === 'Deployment')) expect(d.spec.replicas).toBeUndefined();
  });

  test('GIVEN Redis THEN the trigger reads list length and visibility_timeout outlasts the longest task', () => {
    const all = pool({}, redis());
    expect(find(all, 'ScaledObject', 'worker-media-import').spec.triggers[0]).toMatchObject({ type: 'redis', metadata: { listName: 'media-import', listLength: '10' } });
    expect(find(all, 'TriggerAuthentication', 'worker-broker').spec.secretTargetRef).toEqual([{ parameter: 'address', name: 'broker', key: 'redis-address' }]);
    // One value for every worker on the Redis: a shorter one would redeliver another queue's running tasks.
    for (const name of ['worker-media-import', 'worker-export']) {
      expect(envMap(container(find(all, 'Deployment', name))).CELERY_BROKER_VISIBILITY_TIMEOUT).toBe('2400');
    }
  });

  test('THEN each priority level is a cluster-scoped PriorityClass that never preempts, referenced by its queues', () => {
    const all = pool();
    const high = find(all, 'PriorityClass', 'shop-prod-worker-high');
    expect(high.metadata.namespace).toBeUndefined();
    expect(high.value).toBeGreaterThan(find(all, 'PriorityClass', 'shop-prod-worker-low').value);
    expect(high.preemptionPolicy).toBe('Never');
    expect(find(all, 'Deployment', 'worker-media-import').spec.template.spec.priorityClassName).toBe('shop-prod-worker-high');
    expect(find(all, 'Deployment', 'worker-export').spec.template.spec.priorityClassName).toBe('shop-prod-worker-low');
  });

  test('GIVEN no instance THEN the PriorityClass names start with the namespace of the chart, which another installation of the app cannot share', () => {
    const names = (overrides: Partial<CeleryWorkerPoolProps>) => pool(overrides).filter((o) => o.kind === 'PriorityClass').map((p) => p.metadata.name);
    expect(names({ instance: undefined })).toEqual(['ns-worker-high', 'ns-worker-low']);
    expect(names({ instance: undefined, priorityClassPrefix: 'shop-bulk' })).toEqual(['shop-bulk-high', 'shop-bulk-low']);
  });

  test('THEN queues whose minimum is 2 or more keep all but one worker, and the others are evicted one at a time', () => {
    const pdbs = pool().filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.map((p) => [p.metadata.name, p.spec.minAvailable, p.spec.maxUnavailable])).toEqual([
      ['worker-media-import', 1, undefined],
      ['worker-export', undefined, 1],
    ]);
  });

  test('GIVEN a node pool THEN the queue is pinned to it and tolerates its taint', () => {
    const spec = find(pool({ nodePoolLabel: 'example.com/pool' }), 'Deployment', 'worker-export').spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'example.com/pool': 'bulk' });
    expect(spec.tolerations).toEqual([{ key: 'example.com/pool', operator: 'Equal', value: 'bulk', effect: 'NoSchedule' }]);
  });

  test('GIVEN a gevent queue of 300 greenlets THEN its worker runs the gevent pool at that concurrency, and prefork queues name no pool', () => {
    const all = pool({ queues: [{ ...QUEUES[0], pool: CeleryExecutionPool.GEVENT, concurrency: 300 }, QUEUES[1]] });
    expect(container(find(all, 'Deployment', 'worker-media-import')).command).toEqual(expect.arrayContaining(['--concurrency=300', '--pool=gevent']));
    expect(container(find(all, 'Deployment', 'worker-export')).command.filter((a: string) => /^--(pool|concurrency)/.test(a))).toEqual(['--concurrency=2']);
  });

  test('GIVEN the solo pool without a concurrency THEN one task at a time', () => {
    const c = container(find(pool({ queues: [{ ...QUEUES[1], pool: CeleryExecutionPool.SOLO }] }), 'Deployment', 'worker-export'));
    expect(c.command).toEqual(expect.arrayContaining(['--concurrency=1', '--pool=solo']));
  });

  const q = QUEUES[0];
  test.each([
    [{ queues: [{ ...q, concurrency: 65 }] }, /queues\[0\]\.concurrency must be an integer from 1 to 64 for the prefork pool \(queues\[0\]\.pool\); got 65/],
    [{ queues: [{ ...q, pool: CeleryExecutionPool.GEVENT, concurrency: 1001 }] }, /queues\[0\]\.concurrency must be an integer from 1 to 1000 for the gevent pool/],
    [{ queues: [{ ...q, pool: CeleryExecutionPool.SOLO, concurrency: 2 }] }, /queues\[0\]\.concurrency must be an integer equal to 1 for the solo pool/],
    [{ queues: [{ ...q, pool: 'asyncio' }] }, /queues\[0\]\.pool must be one of "prefork", "threads", "gevent", "eventlet", "solo"; got "asyncio"/],
    [{ queues: [{ ...q, name: 'media import' }] }, /queues\[0\]\.name must be a Celery queue name \(1-200 characters, no spaces or commas\)/],
    [{ queues: [{ ...q, name: 'a,b' }] }, /queues\[0\]\.name must be a Celery queue name/],
    [{ queues: [{ ...q, name: 'monthly_reports' }, { ...q, name: 'monthly.reports' }] }, /queues\[1\]\.componentName must be unique within the pool \(queues\[0\] "monthly_reports" has "monthly-reports" too; set componentName\)/],
    [{ queues: [{ ...q, name: '2fa', componentName: '2fa' }] }, /queues\[0\]\.componentName must be a DNS-1035 label/],
    [{ queues: [{ ...q, priority: 'urgent' }] }, /queues\[0\]\.priority must be one of "high", "normal", "low"; got "urgent"/],
    [{ liveness: 'ping' }, /liveness must be one of "heartbeat-file", "none"; got "ping"/],
    [{ queues: [q, { ...q }] }, /queues\[1\]\.name must be unique within the pool; got "media-import"/],
    [{ queues: [{ ...q, minReplicas: 5, maxReplicas: 2 }] }, /queues\[0\]\.minReplicas must be <= maxReplicas \(2\); got 5/],
    [{ queues: [{ ...q, maxReplicas: 0, minReplicas: 0 }] }, /queues\[0\]\.maxReplicas must be an integer >= 1; got 0/],
    [{ queues: [{ ...q, terminationGracePeriodSeconds: 300 }] }, /queues\[0\]\.terminationGracePeriodSeconds must be an integer longer than taskTimeLimitSeconds \(600\); got 300/],
    [{ queues: [{ ...q, resources: { ...small, cpuLimit: '50m' } }] }, /queues\[0\]\.resources\.cpuLimit must be >= cpuRequest/],
    [{ queues: [] }, /queues must be a non-empty list/],
    [{ visibilityTimeoutSeconds: 600 }, /visibilityTimeoutSeconds must be an integer longer than the longest task time limit \(1200s\); got 600/],
  ])('GIVEN bad props %j THEN synth fails naming CeleryWorkerPool and the field', (overrides, message) => {
    expect(() => pool(overrides as Partial<CeleryWorkerPoolProps>, redis())).toThrow(message);
    expect(() => pool(overrides as Partial<CeleryWorkerPoolProps>, redis())).toThrow(/^CeleryWorkerPool 'test\/workers': /);
  });
});
