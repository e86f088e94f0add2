import { Construct } from 'constructs';
import { CeleryBroker } from './celery-broker';
import { DjangoSettings } from './django-settings';
import { SpreadMode } from '../platform/availability';
import { ComponentPort, IComponent } from '../platform/component';
import { checkInteger, checkDnsLabel, invalid } from '../platform/errors';
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
      invalid(this, 'celeryApp', 'a Python module path such as "picvario.celery"', props.celeryApp);
    }
    this.deploymentName = checkDnsLabel(this, 'name', props.name ?? 'beat');
    this.name = this.deploymentName;
    const labels = new ComponentLabels(this, props, this.deploymentName, props.tag);
    this.selectorLabels = labels.selector;
    addDeployment(this, {
      name: this.deploymentName,
      labels,
      hardening: new PodHardening(this, props),
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image, props.tag),
      // The root filesystem is read-only: the schedule file and pid file live in /tmp.
      command: ['celery', '-A', props.celeryApp, 'beat', '--loglevel=INFO',
        '--schedule=/tmp/celerybeat-schedule', '--pidfile=/tmp/celerybeat.pid'],
      env: [...props.settings.renderEnv(), ...props.broker.renderEnv()],
      resources: renderResources(this, 'resources', props.resources),
      terminationGracePeriodSeconds: checkInteger(this, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 30, 1, 3600),
      spread: SpreadMode.NONE,
      replicas: 1,
      rollout: RolloutKind.RECREATE,
    });
  }
}
