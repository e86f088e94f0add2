import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DjangoBackend } from './django-backend';
import { SpreadMode } from '../platform/availability';
import { ComponentPort, IComponent } from '../platform/component';
import { checkDnsLabel, checkEnum, checkInteger, invalid, Owner } from '../platform/errors';
import { PodHardening } from '../platform/hardening';
import { ComponentLabels } from '../platform/labels';
import { addServiceAccount, podTemplate, PodSpecInput } from '../platform/pod';
import { PodOptions, ResolvedPodOptions, resolvePodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';
import { jobHookAnnotations } from '../platform/sync-waves';

/**
 * The pod options of a pod that runs the backend's image: it pulls the image as the backend does
 * (its `imagePullSecrets` and `imagePullPolicy`), and its own options add to that.
 */
export function resolveBackendPodOptions(owner: Owner, backend: DjangoBackend, options: PodOptions): ResolvedPodOptions {
  return resolvePodOptions(owner, {
    ...options,
    imagePullPolicy: options.imagePullPolicy ?? backend.imagePullPolicy,
    imagePullSecrets: [...backend.imagePullSecrets, ...(options.imagePullSecrets ?? []).filter((s) => !backend.imagePullSecrets.includes(s))],
  });
}

/** One command of a job; steps run one after the other, each in its own container. */
export interface JobStep {
  /** Container name of the step. */
  readonly name: string;
  /** The command, e.g. `["python", "manage.py", "migrate_schemas", "--shared"]`. */
  readonly command: string[];
}

/**
 * A one-off Django management job that runs the backend's code before each sync. It pulls the
 * image as the backend does (its `imagePullSecrets` and `imagePullPolicy`); its own pod options add to that.
 */
export interface DjangoManagementJobProps extends PodOptions {
  /** The backend whose image, tag, settings, identity and hardening the job reuses, so both always run the same release. */
  readonly backend: DjangoBackend;
  /** Job name, also its component label. Fixed, with no timestamp, so renders stay deterministic. */
  readonly name: string;
  /** The steps, in order. A failing step stops the job. */
  readonly steps: JobStep[];
  /** Requests and limits of each step's container. */
  readonly resources: ContainerResources;
  /**
   * The most seconds the job may run, retries included. Required: a hook without a deadline can block every sync forever.
   */
  readonly activeDeadlineSeconds: number;
  /**
   * Retries before the job, and with it the sync, fails.
   * @default 2
   */
  readonly backoffLimit?: number;
}

/**
 * A Django management Job run as an Argo CD Sync hook in the jobs wave: after the Namespace,
 * configuration and Secrets, before any Deployment of the release. It finishes before Argo CD
 * applies the new Deployments, and a failure stops the sync, so the new release never serves
 * before its job succeeded. `BeforeHookCreation` replaces the previous run, so the name stays fixed.
 */
export class DjangoManagementJob extends Construct implements IComponent {
  /** The Job's name. */
  public readonly jobName: string;
  /** The component name (the Job's name). */
  public readonly name: string;
  /** The labels that select the Job's pods. */
  public readonly selectorLabels: { [key: string]: string };
  /** None: a job only connects out. */
  public readonly listenPorts: ComponentPort[] = [];

  constructor(scope: Construct, id: string, props: DjangoManagementJobProps) {
    super(scope, id);
    this.jobName = checkDnsLabel(this, 'name', props.name);
    if (!props.steps || props.steps.length === 0) invalid(this, 'steps', 'a non-empty list of commands', props.steps);
    props.steps.forEach((step, i) => {
      checkDnsLabel(this, `steps[${i}].name`, step.name);
      if (!step.command || step.command.length === 0) invalid(this, `steps[${i}].command`, 'a non-empty argv list', step.command);
    });
    if (props.activeDeadlineSeconds === undefined) {
      invalid(this, 'activeDeadlineSeconds', 'set: a hook without a deadline can block every sync forever', props.activeDeadlineSeconds);
    }
    const deadline = checkInteger(this, 'activeDeadlineSeconds', props.activeDeadlineSeconds, 1, 86400);
    const backoffLimit = checkInteger(this, 'backoffLimit', props.backoffLimit ?? 2, 0, 10);

    const { backend } = props;
    const labels = new ComponentLabels(this, backend.identity, this.jobName, backend.identity.version ?? 'unversioned');
    this.name = this.jobName;
    this.selectorLabels = labels.selector;
    const resources = renderResources(this, 'resources', props.resources);
    const last = props.steps[props.steps.length - 1];
    const input: PodSpecInput = {
      name: this.jobName,
      labels,
      options: resolveBackendPodOptions(this, backend, props),
      hardening: new PodHardening(this, backend.hardening),
      image: backend.imageRef,
      command: last.command,
      env: backend.settings.renderEnv(),
      resources,
      terminationGracePeriodSeconds: 30,
      spread: SpreadMode.NONE,
      restartPolicy: 'Never',
    };
    const template = podTemplate(this, input);
    const main = template.spec!.containers[0];
    // Init containers run strictly in order and stop at the first failure: the steps before the last.
    const initContainers: k8s.Container[] = props.steps.slice(0, -1).map((step) => ({ ...main, name: step.name, command: step.command }));
    // A plain object of the configuration wave, so it exists before the hook runs.
    addServiceAccount(this, input);
    new k8s.KubeJob(this, 'Job', {
      metadata: { name: this.jobName, labels: labels.all, annotations: jobHookAnnotations() },
      spec: {
        backoffLimit,
        activeDeadlineSeconds: deadline,
        template: {
          ...template,
          spec: { ...template.spec!, initContainers: initContainers.length ? initContainers : undefined, containers: [{ ...main, name: last.name }] },
        },
      },
    });
  }
}

/** Which migration commands a release runs. */
export enum MigrationStyle {
  /** `python manage.py migrate --noinput`. */
  DJANGO = 'django',
  /** django-tenants: `migrate_schemas --shared`, then `migrate_schemas --tenant` (every tenant schema). */
  DJANGO_TENANTS = 'django-tenants',
}

const MIGRATION_STEPS: Record<MigrationStyle, JobStep[]> = {
  [MigrationStyle.DJANGO]: [{ name: 'migrate', command: ['python', 'manage.py', 'migrate', '--noinput'] }],
  [MigrationStyle.DJANGO_TENANTS]: [
    { name: 'migrate-shared', command: ['python', 'manage.py', 'migrate_schemas', '--shared', '--noinput'] },
    { name: 'migrate-tenants', command: ['python', 'manage.py', 'migrate_schemas', '--tenant', '--noinput'] },
  ],
};

/** How the migrations of a release run, apart from the backend they migrate. */
export interface DjangoMigrationsOptions extends PodOptions {
  /** Requests and limits of the migration containers. */
  readonly resources: ContainerResources;
  /**
   * The most seconds migrations may take.
   * @default 1800
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Retries before the sync fails.
   * @default 1
   */
  readonly backoffLimit?: number;
  /**
   * The migration commands: plain Django, or django-tenants (shared schema, then every tenant).
   * @default MigrationStyle.DJANGO
   */
  readonly style?: MigrationStyle;
  /**
   * The commands, in order, instead of the style's.
   * @default - the style's commands
   */
  readonly steps?: JobStep[];
  /**
   * Job name.
   * @default 'migrate'
   */
  readonly name?: string;
}

/** Props of {@link DjangoMigrations}. */
export interface DjangoMigrationsProps extends DjangoMigrationsOptions {
  /** The backend whose release is migrated. */
  readonly backend: DjangoBackend;
}

/** The schema migrations of a release, run before the release serves. */
export class DjangoMigrations extends DjangoManagementJob {
  constructor(scope: Construct, id: string, props: DjangoMigrationsProps) {
    super(scope, id, {
      ...props,
      backend: props.backend,
      name: props.name ?? 'migrate',
      resources: props.resources,
      activeDeadlineSeconds: props.activeDeadlineSeconds ?? 1800,
      backoffLimit: props.backoffLimit ?? 1,
      steps: props.steps ?? MIGRATION_STEPS[checkEnum(`DjangoMigrations '${[scope.node.path, id].filter(Boolean).join('/')}'`, 'style', props.style ?? MigrationStyle.DJANGO, MigrationStyle)],
    });
  }
}

/** How collectstatic runs, apart from the backend whose files it uploads. */
export interface CollectStaticOptions extends PodOptions {
  /** Requests and limits of the container. */
  readonly resources: ContainerResources;
  /**
   * The most seconds the upload may take.
   * @default 600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Job name.
   * @default 'collectstatic'
   */
  readonly name?: string;
}

/** Props of {@link CollectStatic}. */
export interface CollectStaticProps extends CollectStaticOptions {
  /** The backend whose static files are uploaded, with its storage settings. */
  readonly backend: DjangoBackend;
}

/** Uploads the release's static files to the statics bucket (`STORAGES["staticfiles"]`) before it serves. */
export class CollectStatic extends DjangoManagementJob {
  constructor(scope: Construct, id: string, props: CollectStaticProps) {
    super(scope, id, {
      ...props,
      backend: props.backend,
      name: props.name ?? 'collectstatic',
      resources: props.resources,
      activeDeadlineSeconds: props.activeDeadlineSeconds ?? 600,
      steps: [{ name: 'collectstatic', command: ['python', 'manage.py', 'collectstatic', '--noinput'] }],
    });
  }
}
