import { Construct } from 'constructs';
import { CeleryBroker } from './celery-broker';
import { CeleryLiveness, fileExistsProbe, heartbeatProbe } from './celery-liveness';
import { DjangoSettings } from './django-settings';
import { SpreadMode } from '../platform/availability';
import { ComponentPort, IComponent } from '../platform/component';
import { checkEnum, checkInteger, checkDnsLabel, invalid } from '../platform/errors';
import { PodHardening, PodHardeningProps } from '../platform/hardening';
import { ComponentIdentityProps, ComponentLabels } from '../platform/labels';
import { addDeployment, imageReference, RolloutKind } from '../platform/pod';
import { PodOptions, resolvePodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';

/** How Celery beat runs, apart from the code (image, settings, broker, app). */
export interface CeleryBeatOptions extends PodOptions {
  /** Requests and limits of the beat pod. */
  readonly resources: ContainerResources;
  /**
   * Object name and component label.
   * @default 'beat'
   */
  readonly name?: string;
  /**
   * Replicas. Beat must run exactly once, or every periodic task is sent twice; any other value is rejected.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * The scheduler class, `celery beat --scheduler`, e.g.
   * `django_celery_beat.schedulers:DatabaseScheduler`. With the heartbeat, it is the app's own
   * subclass that touches the heartbeat file on every tick (see the README).
   * @default - Celery's own (PersistentScheduler, its schedule file in /tmp)
   */
  readonly scheduler?: string;
  /**
   * How a hung beat is detected.
   * @default CeleryLiveness.HEARTBEAT_FILE
   */
  readonly liveness?: CeleryLiveness;
  /**
   * The file beat's scheduler touches on every tick (`CELERY_BEAT_HEARTBEAT_FILE`); the liveness
   * probe checks its age.
   * @default '/tmp/celery-beat-heartbeat'
   */
  readonly heartbeatFile?: string;
  /**
   * The longest beat sleeps between two ticks (`--max-interval`, `CELERY_BEAT_HEARTBEAT_INTERVAL`).
   * The probe fails when the file is older than three intervals.
   * @default 10
   */
  readonly heartbeatIntervalSeconds?: number;
}

/** The Celery beat scheduler. */
export interface CeleryBeatProps extends CeleryBeatOptions, ComponentIdentityProps, PodHardeningProps {
  /** The image repository, without tag. */
  readonly image: string;
  /** The image tag. */
  readonly tag: string;
  /** The Django settings beat reads. */
  readonly settings: DjangoSettings;
  /** The broker beat sends due tasks to. */
  readonly broker: CeleryBroker;
  /** The Celery application, passed as `celery -A <celeryApp>`. */
  readonly celeryApp: string;
}

/**
 * Celery beat: one replica, replaced with the `Recreate` strategy so that a rollout never
 * runs two schedulers at once, and never autoscaled.
 */
export class CeleryBeat extends Construct implements IComponent {
  /** The Deployment's name. */
  public readonly deploymentName: string;
  /** The component name (the Deployment's name). */
  public readonly name: string;
  /** The labels that select the beat pod. */
  public readonly selectorLabels: { [key: string]: string };
  /** None: beat only connects out. */
  public readonly listenPorts: ComponentPort[] = [];

  constructor(scope: Construct, id: string, props: CeleryBeatProps) {
    super(scope, id);
    if ((props.replicas ?? 1) !== 1) {
      invalid(this, 'replicas', 'exactly 1 (two beats send every periodic task twice)', props.replicas);
    }
    if (!props.celeryApp || !/^[A-Za-z_][\w.:]*$/.test(props.celeryApp)) {
      invalid(this, 'celeryApp', 'a Python module path such as "myapp.celery"', props.celeryApp);
    }
    this.deploymentName = checkDnsLabel(this, 'name', props.name ?? 'beat');
    this.name = this.deploymentName;
    const labels = new ComponentLabels(this, props, this.deploymentName, props.tag);
    this.selectorLabels = labels.selector;
    const liveness = checkEnum(this, 'liveness', props.liveness ?? CeleryLiveness.HEARTBEAT_FILE, CeleryLiveness);
    const heartbeatFile = props.heartbeatFile ?? '/tmp/celery-beat-heartbeat';
    if (!/^\/tmp\/[\w./-]+$/.test(heartbeatFile)) invalid(this, 'heartbeatFile', 'a path under /tmp/ (the only writable path)', heartbeatFile);
    const interval = checkInteger(this, 'heartbeatIntervalSeconds', props.heartbeatIntervalSeconds ?? 10, 1, 300);
    if (props.scheduler !== undefined && !/^[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?$/.test(props.scheduler)) {
      invalid(this, 'scheduler', 'a scheduler class path such as "django_celery_beat.schedulers:DatabaseScheduler"', props.scheduler);
    }
    const heartbeat = liveness === CeleryLiveness.HEARTBEAT_FILE;
    const probe = heartbeatProbe(heartbeatFile, 3 * interval);
    addDeployment(this, {
      name: this.deploymentName,
      labels,
      hardening: new PodHardening(this, props),
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image, props.tag),
      // The root filesystem is read-only: the schedule file and pid file live in /tmp.
      command: ['celery', '-A', props.celeryApp, 'beat', '--loglevel=INFO',
        '--schedule=/tmp/celerybeat-schedule', '--pidfile=/tmp/celerybeat.pid',
        ...(props.scheduler ? [`--scheduler=${props.scheduler}`] : []),
        // Beat otherwise sleeps up to five minutes between ticks, and the heartbeat would go stale.
        ...(heartbeat ? [`--max-interval=${interval}`] : [])],
      env: [
        ...props.settings.renderEnv(),
        ...props.broker.renderEnv(),
        ...(heartbeat ? [
          { name: 'CELERY_BEAT_HEARTBEAT_FILE', value: heartbeatFile },
          { name: 'CELERY_BEAT_HEARTBEAT_INTERVAL', value: String(interval) },
        ] : []),
      ],
      // A hung beat silently stops every periodic task: restart it when its scheduler stops ticking.
      livenessProbe: heartbeat ? { ...probe, periodSeconds: interval, failureThreshold: 3, timeoutSeconds: 5 } : undefined,
      startupProbe: heartbeat
        ? { ...probe, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 }
        : { ...fileExistsProbe('/tmp/celerybeat.pid'), periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
      resources: renderResources(this, 'resources', props.resources),
      terminationGracePeriodSeconds: checkInteger(this, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 30, 1, 3600),
      spread: SpreadMode.NONE,
      replicas: 1,
      rollout: RolloutKind.RECREATE,
    });
  }
}
