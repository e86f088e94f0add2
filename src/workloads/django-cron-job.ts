import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CeleryBroker } from './celery-broker';
import { DjangoBackend } from './django-backend';
import { resolveBackendPodOptions } from './django-job';
import { SpreadMode } from '../platform/availability';
import { ComponentPort, IComponent } from '../platform/component';
import { checkCronSchedule, checkTimeZone } from '../platform/cron-schedule';
import { checkDnsLabel, checkEnum, checkInteger, invalid } from '../platform/errors';
import { PodHardening } from '../platform/hardening';
import { ComponentLabels } from '../platform/labels';
import { addServiceAccount, podTemplate, PodSpecInput } from '../platform/pod';
import { PodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';

/** What happens when a run is due while the previous one still runs. There is deliberately no `Allow`: runs would pile up. */
export enum CronConcurrencyPolicy {
  /** The due run is skipped; the running one finishes. */
  FORBID = 'Forbid',
  /** The running one is stopped and the due run starts. */
  REPLACE = 'Replace',
}

/** Whether a CronJob starts runs. */
export enum ScheduleState {
  /** Runs start on the schedule. */
  ACTIVE = 'active',
  /** No run starts (one that runs already finishes); runs missed meanwhile start, when set active again, only within `startingDeadlineSeconds`. */
  SUSPENDED = 'suspended',
}

/** How a scheduled management command runs, apart from the backend whose code it runs. */
export interface DjangoCronJobOptions extends PodOptions {
  /**
   * The CronJob's name, also its component label and container name. At most 52 characters (the
   * controller appends a suffix of 11 to name each Job). In `DjangoAppChart` the chart's `namePrefix`
   * goes in front.
   */
  readonly name: string;
  /**
   * When it runs: five cron fields, `minute hour day-of-month month day-of-week` (`"30 3 * * *"`,
   * `"0,30 8-18 * * MON-FRI"`), or `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`.
   */
  readonly schedule: string;
  /** The command, e.g. `["python", "manage.py", "clearsessions"]`. */
  readonly command: string[];
  /** Requests and limits of the container. */
  readonly resources: ContainerResources;
  /**
   * The most seconds one run may take, retries included. Required: with `CronConcurrencyPolicy.FORBID`
   * a run that hangs without a deadline would hold back every later run.
   */
  readonly activeDeadlineSeconds: number;
  /**
   * The IANA time zone the schedule is read in, e.g. `Europe/Berlin`.
   * @default - the time zone of the kube-controller-manager (UTC on most clusters)
   */
  readonly timeZone?: string;
  /**
   * How late a run may still start when it could not start on time (the controller was down, or a
   * run was still going); later than that, it is skipped.
   * @default 300
   */
  readonly startingDeadlineSeconds?: number;
  /**
   * Retries of a failed run before the run fails. The next scheduled run is the real retry.
   * @default 1
   */
  readonly backoffLimit?: number;
  /**
   * What happens when a run is due while the previous one still runs.
   * @default CronConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: CronConcurrencyPolicy;
  /**
   * Whether runs start on the schedule.
   * @default ScheduleState.ACTIVE
   */
  readonly scheduleState?: ScheduleState;
  /**
   * Finished runs kept, with their pods' logs.
   * @default 1
   */
  readonly successfulJobsHistoryLimit?: number;
  /**
   * Failed runs kept, with their pods' logs.
   * @default 3
   */
  readonly failedJobsHistoryLimit?: number;
}

/** Props of {@link DjangoCronJob}. */
export interface DjangoCronJobProps extends DjangoCronJobOptions {
  /** The backend whose image, tag, settings, identity and hardening the command runs with, so both always run the same release. */
  readonly backend: DjangoBackend;
  /**
   * The broker, for a command that enqueues Celery tasks (the broker variables of the backend).
   * @default - no broker variables
   */
  readonly broker?: CeleryBroker;
}

/**
 * A Django management command run on a schedule (`clearsessions`, a nightly `housekeeping`): a
 * CronJob with the backend's image, settings, identity, hardening and registry credentials, so it
 * always runs the release that serves. It is a plain object of the application wave, applied
 * after the release's migrations. One run at a time, each bounded by a deadline, with a few retries
 * and a short history; its pods restart never (a retry is a new pod) and listen on nothing.
 */
export class DjangoCronJob extends Construct implements IComponent {
  /** The CronJob's name. */
  public readonly cronJobName: string;
  /** The component name (the CronJob's name). */
  public readonly name: string;
  /** The labels that select the pods of its runs. */
  public readonly selectorLabels: { [key: string]: string };
  /** None: a scheduled command only connects out. */
  public readonly listenPorts: ComponentPort[] = [];

  constructor(scope: Construct, id: string, props: DjangoCronJobProps) {
    super(scope, id);
    this.cronJobName = checkDnsLabel(this, 'name', props.name, 52);
    this.name = this.cronJobName;
    const schedule = checkCronSchedule(this, 'schedule', props.schedule, 'timeZone');
    const timeZone = props.timeZone === undefined ? undefined : checkTimeZone(this, 'timeZone', props.timeZone);
    if (!Array.isArray(props.command) || props.command.length === 0 || props.command.some((a) => typeof a !== 'string' || a === '')) {
      invalid(this, 'command', 'a non-empty argv list of non-empty strings, e.g. ["python", "manage.py", "clearsessions"]', props.command);
    }
    if (props.activeDeadlineSeconds === undefined) {
      invalid(this, 'activeDeadlineSeconds', 'set: a run that hangs without a deadline holds back every later run', props.activeDeadlineSeconds);
    }
    const deadline = checkInteger(this, 'activeDeadlineSeconds', props.activeDeadlineSeconds, 1, 86400);
    // The controller looks for due runs every 10 seconds: a shorter deadline can skip every run.
    const startingDeadline = checkInteger(this, 'startingDeadlineSeconds', props.startingDeadlineSeconds ?? 300, 10, 86400);
    const backoffLimit = checkInteger(this, 'backoffLimit', props.backoffLimit ?? 1, 0, 10);
    const concurrencyPolicy = checkEnum(this, 'concurrencyPolicy', props.concurrencyPolicy ?? CronConcurrencyPolicy.FORBID, CronConcurrencyPolicy);
    const state = checkEnum(this, 'scheduleState', props.scheduleState ?? ScheduleState.ACTIVE, ScheduleState);
    const successfulJobsHistoryLimit = checkInteger(this, 'successfulJobsHistoryLimit', props.successfulJobsHistoryLimit ?? 1, 0, 10);
    const failedJobsHistoryLimit = checkInteger(this, 'failedJobsHistoryLimit', props.failedJobsHistoryLimit ?? 3, 0, 10);

    const { backend } = props;
    const labels = new ComponentLabels(this, backend.identity, this.cronJobName, backend.identity.version ?? 'unversioned');
    this.selectorLabels = labels.selector;
    const input: PodSpecInput = {
      name: this.cronJobName,
      labels,
      options: resolveBackendPodOptions(this, backend, props),
      hardening: new PodHardening(this, backend.hardening),
      image: backend.imageRef,
      command: props.command,
      env: [...backend.settings.renderEnv(), ...(props.broker?.renderEnv() ?? [])],
      resources: renderResources(this, 'resources', props.resources),
      terminationGracePeriodSeconds: 30,
      spread: SpreadMode.NONE,
      restartPolicy: 'Never',
    };
    addServiceAccount(this, input);
    new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: this.cronJobName, labels: labels.all },
      spec: {
        schedule,
        timeZone,
        concurrencyPolicy,
        startingDeadlineSeconds: startingDeadline,
        suspend: state === ScheduleState.SUSPENDED,
        successfulJobsHistoryLimit,
        failedJobsHistoryLimit,
        jobTemplate: {
          metadata: { labels: labels.all },
          spec: { backoffLimit, activeDeadlineSeconds: deadline, template: podTemplate(this, input) },
        },
      },
    });
  }
}
