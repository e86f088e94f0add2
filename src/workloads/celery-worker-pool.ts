import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BrokerKind, CeleryBroker } from './celery-broker';
import { CeleryExecutionPool, CONCURRENCY_RANGE } from './celery-execution-pool';
import { CeleryLiveness, fileExistsProbe, heartbeatProbe } from './celery-liveness';
import { DjangoSettings } from './django-settings';
import { ScaledObject } from '../crds/keda-scaledobject-keda.sh';
import { TriggerAuthentication, TriggerAuthenticationSpecSecretTargetRef } from '../crds/keda-triggerauthentication-keda.sh';
import { addDisruptionBudget, addOneAtATimeBudget, defaultMinAvailable, SpreadMode } from '../platform/availability';
import { clusterNamePrefix, clusterScoped } from '../platform/cluster-scoped';
import { IComponent } from '../platform/component';
import { checkDnsLabel, checkEnum, checkInteger, checkReplicaRange, invalid } from '../platform/errors';
import { PodHardening, PodHardeningProps } from '../platform/hardening';
import { ComponentIdentityProps, ComponentLabels } from '../platform/labels';
import { addDeployment, imageReference, RolloutKind } from '../platform/pod';
import { PodOptions, resolvePodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';

/**
 * How urgent a queue's tasks are. Each level becomes a PriorityClass, so when the cluster
 * is full the scheduler places pending high-priority workers first.
 */
export enum QueuePriority {
  HIGH = 'high',
  NORMAL = 'normal',
  LOW = 'low',
}

const PRIORITY_VALUE: Record<QueuePriority, number> = {
  [QueuePriority.HIGH]: 3000,
  [QueuePriority.NORMAL]: 2000,
  [QueuePriority.LOW]: 1000,
};

/** One Celery queue, served by a Deployment of its own. */
export interface CeleryQueueProps {
  /**
   * The Celery queue name, as the app routes tasks to it: any name Celery accepts (no spaces or
   * commas), e.g. `monthly_reports`.
   */
  readonly name: string;
  /**
   * The queue's part of the object names (`<namePrefix>-<componentName>`) and of its component label.
   * @default - the queue name in lowercase, with every character other than letters, digits and `-` replaced by `-`
   */
  readonly componentName?: string;
  /** Scheduling priority of this queue's workers. */
  readonly priority: QueuePriority;
  /**
   * How the worker runs its tasks (`--pool`): processes, threads or greenlets. It sets the range of
   * `concurrency`; gevent and eventlet must be installed in the image.
   * @default CeleryExecutionPool.PREFORK
   */
  readonly pool?: CeleryExecutionPool;
  /**
   * Tasks one pod runs at once (`--concurrency`): processes for prefork (1-64), threads (1-256),
   * greenlets for gevent and eventlet (1-1000), 1 for solo.
   * @default 2 (1 for CeleryExecutionPool.SOLO)
   */
  readonly concurrency?: number;
  /**
   * Hard time limit of one task, in seconds (`--time-limit`). The longest task of this queue must fit in it.
   * @default 300
   */
  readonly taskTimeLimitSeconds?: number;
  /**
   * Soft time limit in seconds (`--soft-time-limit`), when the task gets `SoftTimeLimitExceeded`.
   * @default - 90% of taskTimeLimitSeconds
   */
  readonly softTimeLimitSeconds?: number;
  /**
   * Seconds between SIGTERM and SIGKILL. Must be longer than the task time limit, so a warm
   * shutdown lets the running task finish instead of re-running it from the start.
   * @default - taskTimeLimitSeconds + 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Fewest workers. 0 lets a bulk queue scale to zero. From 2 on, the PodDisruptionBudget keeps all
   * but one available; below 2 it lets drains evict one worker at a time.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most workers.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Waiting tasks per worker that KEDA aims for.
   * @default 10
   */
  readonly tasksPerReplica?: number;
  /**
   * Seconds between two KEDA reads of the queue length.
   * @default 15
   */
  readonly pollingIntervalSeconds?: number;
  /**
   * Seconds after the last task before KEDA scales an idle queue to zero.
   * @default 300
   */
  readonly cooldownPeriodSeconds?: number;
  /** Requests and limits of one worker pod. */
  readonly resources: ContainerResources;
  /**
   * Run only on the node pool with this name: a nodeSelector on `nodePoolLabel` and a
   * toleration of the pool's `<nodePoolLabel>=<name>:NoSchedule` taint.
   * @default - any node
   */
  readonly nodePool?: string;
}

/** Who renders the cluster-scoped PriorityClasses of a worker pool. */
export enum PriorityClassManagement {
  /** The pool renders `<priorityClassPrefix>-<level>` for each priority level of its queues. */
  RENDERED = 'rendered',
  /** The PriorityClasses exist already (the base environment renders them); the workers only name them. */
  EXISTING = 'existing',
}

/** How a set of Celery queues is served, apart from the code (image, settings, broker, app). */
export interface CeleryWorkerPoolOptions extends PodOptions {
  /** The queues; each becomes a Deployment. */
  readonly queues: CeleryQueueProps[];
  /**
   * Prefix of every object name (`worker-media-import`) and the component label.
   * @default 'worker'
   */
  readonly namePrefix?: string;
  /**
   * Prefix of the cluster-scoped PriorityClass names (`<prefix>-high`). Environments that share
   * a cluster must use different prefixes.
   * @default - `<instance>-<namePrefix>`; without an instance, `<namespace of the chart>-<namePrefix>`
   */
  readonly priorityClassPrefix?: string;
  /**
   * Whether the pool renders its PriorityClasses or its workers use ones another render holds. A
   * preview environment uses its base environment's (`<priorityClassPrefix>-<level>`), since
   * cluster-scoped objects are shared by every namespace of the cluster.
   * @default PriorityClassManagement.RENDERED
   */
  readonly priorityClassManagement?: PriorityClassManagement;
  /**
   * How a stuck worker is detected.
   * @default CeleryLiveness.HEARTBEAT_FILE
   */
  readonly liveness?: CeleryLiveness;
  /**
   * The file each worker touches from its consumer loop (`CELERY_WORKER_HEARTBEAT_FILE`);
   * the liveness probe checks its age without calling the broker.
   * @default '/tmp/celery-worker-heartbeat'
   */
  readonly heartbeatFile?: string;
  /**
   * How often the worker touches the heartbeat file (`CELERY_WORKER_HEARTBEAT_INTERVAL`).
   * The probe fails when the file is older than three intervals.
   * @default 10
   */
  readonly heartbeatIntervalSeconds?: number;
  /**
   * Redis only: `visibility_timeout` in seconds (`CELERY_BROKER_VISIBILITY_TIMEOUT`). Every worker on one
   * Redis must use the same value, longer than the longest task, or a task still running is delivered twice.
   * A killed worker's task runs again between this and this + 10 s when the app also sets
   * `unacked_restore_throttle: 1` (kombu >= 5.7); up to ~100 s later otherwise.
   * @default - twice the longest taskTimeLimitSeconds of the pool
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Label key that marks dedicated node pools (see CeleryQueueProps.nodePool).
   * @default 'node-pool'
   */
  readonly nodePoolLabel?: string;
  /**
   * Whether the workers send task events (`--task-events`, Celery's `-E`): the received, started,
   * succeeded and failed events that Flower's task views are built from. Without them Flower lists
   * the workers but no task until it has switched events on by a remote-control broadcast.
   * @default - on in a DjangoAppChart with Flower, off otherwise
   */
  readonly taskEvents?: boolean;
}

/** A set of Celery queues, each with its own Deployment, ScaledObject and PriorityClass. */
export interface CeleryWorkerPoolProps extends CeleryWorkerPoolOptions, ComponentIdentityProps, PodHardeningProps {
  /** The worker image repository, without tag. */
  readonly image: string;
  /** The image tag. */
  readonly tag: string;
  /** The Django settings every worker reads. */
  readonly settings: DjangoSettings;
  /** The broker the queues live on. */
  readonly broker: CeleryBroker;
  /** The Celery application, passed as `celery -A <celeryApp>`. */
  readonly celeryApp: string;
}

/** A queue with every default applied and checked. */
interface ResolvedQueue {
  readonly props: CeleryQueueProps;
  /** The Celery queue name. */
  readonly name: string;
  /** The object-name part. */
  readonly componentName: string;
  readonly deploymentName: string;
  readonly pool: CeleryExecutionPool;
  readonly concurrency: number;
  readonly timeLimit: number;
  readonly softTimeLimit: number;
  readonly grace: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/**
 * The worker contract's variables (README, "Celery worker contract"), which CeleryWorkerPool gives
 * every worker besides the settings and the broker: Celery settings with the values every worker runs
 * with, and the names of those whose values the pool derives. The compose importer reads it to tell
 * which variables of a compose file the chart sets.
 */
export const WORKER_ENV = {
  fixed: {
    CELERY_TASK_ACKS_LATE: 'true',
    CELERY_TASK_REJECT_ON_WORKER_LOST: 'true',
    CELERY_WORKER_PREFETCH_MULTIPLIER: '1',
  },
  visibilityTimeout: 'CELERY_BROKER_VISIBILITY_TIMEOUT',
  heartbeatFile: 'CELERY_WORKER_HEARTBEAT_FILE',
  heartbeatInterval: 'CELERY_WORKER_HEARTBEAT_INTERVAL',
  queue: 'CELERY_WORKER_QUEUE',
} as const;

/**
 * Celery workers, one Deployment per queue, autoscaled by KEDA on queue length.
 *
 * Each worker runs with `acks_late`, `reject_on_worker_lost` and a prefetch of one, so a
 * worker that dies mid-task leaves the task to another worker instead of losing it.
 * See the README's "Celery worker contract" for what the app must do.
 */
export class CeleryWorkerPool extends Construct {
  /** Deployment names, one per queue, in the order given. */
  public readonly deploymentNames: string[];
  /** One component per queue, in the order given: the workers that consume it. */
  public readonly queueComponents: IComponent[];
  /** The PriorityClass names this pool renders. */
  public readonly priorityClassNames: string[];

  constructor(scope: Construct, id: string, props: CeleryWorkerPoolProps) {
    super(scope, id);
    const prefix = checkDnsLabel(this, 'namePrefix', props.namePrefix ?? 'worker', 40);
    const image = imageReference(this, props.image, props.tag);
    const hardening = new PodHardening(this, props);
    const options = resolvePodOptions(this, props);
    if (!props.celeryApp || !/^[A-Za-z_][\w.:]*$/.test(props.celeryApp)) {
      invalid(this, 'celeryApp', 'a Python module path such as "myapp.celery"', props.celeryApp);
    }
    if (!props.queues || props.queues.length === 0) invalid(this, 'queues', 'a non-empty list', props.queues);
    const queues = props.queues.map((q, i) => this.resolveQueue(prefix, q, `queues[${i}]`));
    queues.forEach((q, i) => {
      const first = queues.findIndex((o) => o.name === q.name);
      if (first !== i) invalid(this, `queues[${i}].name`, 'unique within the pool', q.name);
      const clash = queues.findIndex((o) => o.componentName === q.componentName);
      if (clash !== i) {
        invalid(this, `queues[${i}].componentName`, `unique within the pool (queues[${clash}] "${queues[clash].name}" has "${q.componentName}" too; set componentName)`, q.componentName);
      }
    });

    const livenessMode = checkEnum(this, 'liveness', props.liveness ?? CeleryLiveness.HEARTBEAT_FILE, CeleryLiveness);
    const heartbeatFile = props.heartbeatFile ?? '/tmp/celery-worker-heartbeat';
    if (!heartbeatFile.startsWith('/tmp/')) invalid(this, 'heartbeatFile', 'a path under /tmp/ (the only writable path)', heartbeatFile);
    const heartbeatInterval = checkInteger(this, 'heartbeatIntervalSeconds', props.heartbeatIntervalSeconds ?? 10, 1, 300);
    const longestTask = Math.max(...queues.map((q) => q.timeLimit));
    const visibilityTimeout = props.visibilityTimeoutSeconds ?? 2 * longestTask;
    if (props.broker.kind === BrokerKind.REDIS && (!Number.isInteger(visibilityTimeout) || visibilityTimeout <= longestTask)) {
      invalid(this, 'visibilityTimeoutSeconds', `an integer longer than the longest task time limit (${longestTask}s)`, visibilityTimeout);
    }
    const poolLabel = props.nodePoolLabel ?? 'node-pool';

    const pcPrefix = props.priorityClassPrefix ?? `${clusterNamePrefix(this, props)}-${prefix}`;
    const poolLabels = new ComponentLabels(this, props, prefix, props.tag);
    const levels = [...new Set(queues.map((q) => q.props.priority))]
      .sort((a, b) => PRIORITY_VALUE[b] - PRIORITY_VALUE[a]);
    const pcManagement = checkEnum(this, 'priorityClassManagement', props.priorityClassManagement ?? PriorityClassManagement.RENDERED, PriorityClassManagement);
    this.priorityClassNames = levels.map((level) => (pcManagement === PriorityClassManagement.RENDERED
      ? this.addPriorityClass(pcPrefix, level, poolLabels)
      : checkDnsLabel(this, 'priorityClassPrefix', `${pcPrefix}-${level}`)));

    const auth = this.addTriggerAuthentication(`${prefix}-broker`, props.broker, poolLabels);

    const shared: k8s.EnvVar[] = [
      ...props.settings.renderEnv(),
      ...props.broker.renderEnv(),
      ...Object.entries(WORKER_ENV.fixed).map(([name, value]) => ({ name, value })),
      ...(props.broker.kind === BrokerKind.REDIS ? [{ name: WORKER_ENV.visibilityTimeout, value: String(visibilityTimeout) }] : []),
      ...(livenessMode === CeleryLiveness.HEARTBEAT_FILE ? [
        { name: WORKER_ENV.heartbeatFile, value: heartbeatFile },
        { name: WORKER_ENV.heartbeatInterval, value: String(heartbeatInterval) },
      ] : []),
    ];
    const liveness = heartbeatProbe(heartbeatFile, 3 * heartbeatInterval);
    const probes: { livenessProbe?: k8s.Probe; startupProbe: k8s.Probe } = livenessMode === CeleryLiveness.HEARTBEAT_FILE
      ? {
        livenessProbe: { ...liveness, periodSeconds: heartbeatInterval, failureThreshold: 3, timeoutSeconds: 5 },
        // A cold worker may import a large app; the liveness probe waits until the first heartbeat.
        startupProbe: { ...liveness, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
      }
      : { startupProbe: { ...fileExistsProbe(WORKER_PID_FILE), periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 } };

    const components: IComponent[] = [];
    for (const q of queues) {
      const queueScope = new Construct(this, q.componentName);
      const labels = new ComponentLabels(this, props, q.deploymentName, props.tag);
      components.push({ name: q.deploymentName, selectorLabels: labels.selector, listenPorts: [] });
      addDeployment(queueScope, {
        name: q.deploymentName,
        labels,
        hardening,
        options,
        image,
        command: [
          'celery', '-A', props.celeryApp, 'worker',
          `--queues=${q.name}`,
          `--hostname=${q.name}@%h`,
          `--concurrency=${q.concurrency}`,
          // prefork is Celery's own default: renders without a pool stay as they were.
          ...(q.pool === CeleryExecutionPool.PREFORK ? [] : [`--pool=${q.pool}`]),
          '--prefetch-multiplier=1',
          `--time-limit=${q.timeLimit}`,
          `--soft-time-limit=${q.softTimeLimit}`,
          '--without-gossip',
          '--without-mingle',
          '--loglevel=INFO',
          ...(props.taskEvents ? ['--task-events'] : []),
          ...(livenessMode === CeleryLiveness.NONE ? [`--pidfile=${WORKER_PID_FILE}`] : []),
        ],
        env: [...shared, { name: WORKER_ENV.queue, value: q.name }],
        resources: renderResources(this, `queues[${queues.indexOf(q)}].resources`, q.props.resources),
        ...probes,
        terminationGracePeriodSeconds: q.grace,
        // A worker's grace lasts its time limit. KEDA scales a queue down as soon as it is idle, which can
        // be while a new worker is still importing the app: as PID 1 it would lose that SIGTERM and go on
        // taking tasks, Terminating, for the whole grace (seen on the real nodes: 3630 s).
        notPid1: true,
        priorityClassName: `${pcPrefix}-${q.props.priority}`,
        nodeSelector: q.props.nodePool ? { [poolLabel]: q.props.nodePool } : undefined,
        tolerations: q.props.nodePool
          ? [{ key: poolLabel, operator: 'Equal', value: q.props.nodePool, effect: 'NoSchedule' }]
          : undefined,
        spread: SpreadMode.PREFERRED,
        rollout: RolloutKind.SURGE,
      });
      this.addScaledObject(queueScope, q, labels, props.broker, auth.name);
      if (q.minReplicas >= 2) {
        addDisruptionBudget(queueScope, q.deploymentName, labels, defaultMinAvailable(q.minReplicas));
      } else {
        addOneAtATimeBudget(queueScope, q.deploymentName, labels);
      }
    }
    this.deploymentNames = queues.map((q) => q.deploymentName);
    this.queueComponents = components;
  }

  private resolveQueue(prefix: string, q: CeleryQueueProps, field: string): ResolvedQueue {
    if (!q || typeof q.name !== 'string' || !/^[^\s,]{1,200}$/.test(q.name)) {
      invalid(this, `${field}.name`, 'a Celery queue name (1-200 characters, no spaces or commas)', q?.name);
    }
    const derived = q.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
    const componentName = checkDnsLabel(this, q.componentName !== undefined ? `${field}.componentName` : `${field}.name`,
      q.componentName ?? derived, 62 - prefix.length);
    checkEnum(this, `${field}.priority`, q.priority, QueuePriority);
    const timeLimit = checkInteger(this, `${field}.taskTimeLimitSeconds`, q.taskTimeLimitSeconds ?? 300, 1, 86400);
    const softTimeLimit = checkInteger(this, `${field}.softTimeLimitSeconds`,
      q.softTimeLimitSeconds ?? Math.max(1, Math.floor(timeLimit * 0.9)), 1, timeLimit);
    const grace = q.terminationGracePeriodSeconds ?? timeLimit + 30;
    if (!Number.isInteger(grace) || grace <= timeLimit) {
      invalid(this, `${field}.terminationGracePeriodSeconds`, `an integer longer than taskTimeLimitSeconds (${timeLimit})`, grace);
    }
    const minReplicas = q.minReplicas ?? 1;
    const maxReplicas = q.maxReplicas ?? 10;
    checkReplicaRange(this, field, minReplicas, maxReplicas, 0);
    const pool = checkEnum(this, `${field}.pool`, q.pool ?? CeleryExecutionPool.PREFORK, CeleryExecutionPool);
    const concurrency = q.concurrency ?? (pool === CeleryExecutionPool.SOLO ? 1 : 2);
    const [least, most] = CONCURRENCY_RANGE[pool];
    if (!Number.isInteger(concurrency) || concurrency < least || concurrency > most) {
      invalid(this, `${field}.concurrency`, `an integer ${least === most ? `equal to ${least}` : `from ${least} to ${most}`} for the ${pool} pool (${field}.pool)`, concurrency);
    }
    checkInteger(this, `${field}.tasksPerReplica`, q.tasksPerReplica ?? 10, 1);
    checkInteger(this, `${field}.pollingIntervalSeconds`, q.pollingIntervalSeconds ?? 15, 1, 3600);
    checkInteger(this, `${field}.cooldownPeriodSeconds`, q.cooldownPeriodSeconds ?? 300, 0, 86400);
    if (q.nodePool !== undefined) checkDnsLabel(this, `${field}.nodePool`, q.nodePool);
    return {
      props: q,
      name: q.name,
      componentName,
      deploymentName: `${prefix}-${componentName}`,
      pool,
      concurrency,
      timeLimit,
      softTimeLimit,
      grace,
      minReplicas,
      maxReplicas,
    };
  }

  private addPriorityClass(prefix: string, level: QueuePriority, labels: ComponentLabels): string {
    const name = checkDnsLabel(this, 'priorityClassPrefix', `${prefix}-${level}`);
    const pc = new k8s.KubePriorityClass(this, `PriorityClass-${level}`, {
      metadata: { name, labels: labels.all },
      value: PRIORITY_VALUE[level],
      // Workers wait for room instead of evicting web pods, which run at the default priority.
      preemptionPolicy: 'Never',
      globalDefault: false,
      description: `Celery workers of ${level}-priority queues`,
    });
    clusterScoped(pc);
    return name;
  }

  private addTriggerAuthentication(name: string, broker: CeleryBroker, labels: ComponentLabels): TriggerAuthentication {
    const refs: TriggerAuthenticationSpecSecretTargetRef[] = broker._kedaSecretParameters()
      .map(({ parameter, key }) => ({ parameter, name: broker.secretName, key }));
    return new TriggerAuthentication(this, 'TriggerAuthentication', {
      metadata: { name, labels: labels.all },
      spec: { secretTargetRef: refs },
    });
  }

  private addScaledObject(scope: Construct, q: ResolvedQueue, labels: ComponentLabels, broker: CeleryBroker, authName: string): void {
    const metadata = broker._kedaMetadata(q.name, q.props.tasksPerReplica ?? 10);
    new ScaledObject(scope, 'ScaledObject', {
      metadata: { name: q.deploymentName, labels: labels.all },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: q.deploymentName },
        minReplicaCount: q.minReplicas,
        maxReplicaCount: q.maxReplicas,
        pollingInterval: q.props.pollingIntervalSeconds ?? 15,
        cooldownPeriod: q.props.cooldownPeriodSeconds ?? 300,
        triggers: [{ type: broker.kind, metadata, authenticationRef: { name: authName } }],
      },
    });
  }
}

/** Where a worker without the heartbeat bootstep writes its pid file, which its startup probe waits for. */
const WORKER_PID_FILE = '/tmp/celery-worker.pid';
