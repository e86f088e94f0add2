import { Construct } from 'constructs';
import { CeleryBroker } from './celery-broker';
import { DjangoSettings } from './django-settings';
import { HorizontalScalingProps } from '../platform/autoscaling';
import { checkEnum, checkInteger, invalid } from '../platform/errors';
import { PodHardening, PodHardeningProps } from '../platform/hardening';
import { HttpComponent } from '../platform/http-component';
import { ComponentIdentityProps, ComponentLabels, versionOfTag } from '../platform/labels';
import { imageReference } from '../platform/pod';
import { ImagePullPolicy, PodOptions, resolvePodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';
import { addWebTier, httpProbe, ProbeTimings, resolveProbeTimings } from '../platform/web-tier';

/** The HTTP server that runs the Django app. */
export enum AppServer {
  /** `gunicorn <application>` with sync workers (WSGI). */
  GUNICORN = 'gunicorn',
  /** `uvicorn <application>` (ASGI). */
  UVICORN = 'uvicorn',
  /** `daphne <application>` (ASGI, Django Channels' own server): one process per pod, so `serverWorkers` must stay 1. */
  DAPHNE = 'daphne',
}

/** How the Django web tier runs, apart from the code it runs (image, settings, broker). */
export interface DjangoBackendOptions extends HorizontalScalingProps, PodOptions {
  /** Requests and limits of one pod. */
  readonly resources: ContainerResources;
  /**
   * Object name and component label.
   * @default 'backend'
   */
  readonly name?: string;
  /**
   * The HTTP server.
   * @default AppServer.GUNICORN
   */
  readonly server?: AppServer;
  /**
   * The app object, `module:attribute`.
   * @default - 'config.wsgi:application' for gunicorn, 'config.asgi:application' for uvicorn and daphne
   */
  readonly application?: string;
  /**
   * Server worker processes per pod. Daphne runs one (it has no worker processes): scale it with replicas.
   * @default - 4; 1 for daphne
   */
  readonly serverWorkers?: number;
  /**
   * The container port.
   * @default 8000
   */
  readonly port?: number;
  /**
   * The longest a request may take, in seconds (gunicorn `--timeout`). The grace period is derived from it.
   * @default 60
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Path that answers 200 when the pod can take traffic (readiness).
   * @default '/healthz/ready'
   */
  readonly readinessPath?: string;
  /**
   * Path that answers 200 while the process is alive (liveness and startup).
   * @default '/healthz/live'
   */
  readonly livenessPath?: string;
  /**
   * How often and how patiently the pods are probed.
   * @default - readiness every 5 s (3 failures), liveness every 10 s (6), startup up to 300 s, 3 s per probe
   */
  readonly probeTimings?: ProbeTimings;
  /**
   * Host header of probe requests, which must be in Django's ALLOWED_HOSTS
   * (the kubelet would otherwise send the pod IP, which Django rejects with 400).
   * @default 'localhost'
   */
  readonly probeHost?: string;
  /**
   * Seconds a terminating pod keeps serving, so load balancers stop sending to it first.
   * @default 10
   */
  readonly preStopDelaySeconds?: number;
  /**
   * Seconds between SIGTERM and SIGKILL. Must exceed preStopDelaySeconds + requestTimeoutSeconds,
   * so that a request that started just before the drain can finish.
   * @default - preStopDelaySeconds + requestTimeoutSeconds + 10
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * minAvailable of the PodDisruptionBudget.
   * @default - minReplicas - 1; with minReplicas 1, a budget of maxUnavailable 1 instead, so node drains are never blocked
   */
  readonly minAvailable?: number;
}

/** The Django web tier. */
export interface DjangoBackendProps extends DjangoBackendOptions, ComponentIdentityProps, PodHardeningProps {
  /** The image repository, without tag. */
  readonly image: string;
  /** The image tag. */
  readonly tag: string;
  /** The Django settings the web tier reads. */
  readonly settings: DjangoSettings;
  /**
   * The broker, when the web tier enqueues Celery tasks (`CELERY_BROKER_URL`).
   * @default - no broker variable
   */
  readonly broker?: CeleryBroker;
}

/**
 * The Django web tier: a Deployment that always keeps capacity during rollouts, a Service,
 * an HPA on CPU and memory, a PodDisruptionBudget and spreading over nodes and zones.
 */
export class DjangoBackend extends HttpComponent {
  /** The image, `repository:tag`, which jobs that run the same code reuse. */
  public readonly imageRef: string;
  /** The settings the backend runs with, which jobs that run the same code reuse. */
  public readonly settings: DjangoSettings;
  /** The identity the backend was given, which jobs that run the same code reuse. */
  public readonly identity: ComponentIdentityProps;
  /** The hardening the backend was given, which jobs that run the same code reuse. */
  public readonly hardening: PodHardeningProps;
  /** The registry credentials the backend pulls its image with, which jobs that run the same image reuse. */
  public readonly imagePullSecrets: string[];
  /** The pull policy the backend was given, if any, which jobs that run the same image reuse. */
  public readonly imagePullPolicy?: ImagePullPolicy;

  constructor(scope: Construct, id: string, props: DjangoBackendProps) {
    super(scope, id, props, { name: 'backend', port: 8000 });
    this.imageRef = imageReference(this, props.image, props.tag);
    this.settings = props.settings;
    this.identity = { appName: props.appName, instance: props.instance, version: props.version ?? versionOfTag(props.tag) };
    this.hardening = { runAsUser: props.runAsUser, runAsGroup: props.runAsGroup, tmpSizeLimit: props.tmpSizeLimit };
    this.imagePullSecrets = [...(props.imagePullSecrets ?? [])];
    this.imagePullPolicy = props.imagePullPolicy;
    const timeout = checkInteger(this, 'requestTimeoutSeconds', props.requestTimeoutSeconds ?? 60, 1, 3600);
    const liveness = props.livenessPath ?? '/healthz/live';
    const probeHost = props.probeHost ?? 'localhost';
    const t = resolveProbeTimings(this, props.probeTimings);
    const labels = new ComponentLabels(this, props, this.name, props.tag);

    addWebTier(this, {
      name: this.name,
      labels,
      hardening: new PodHardening(this, props),
      options: resolvePodOptions(this, props),
      image: this.imageRef,
      command: this.serverCommand(props, timeout),
      env: [...props.settings.renderEnv(), ...(props.broker?.renderEnv() ?? [])],
      port: this.port,
      resources: renderResources(this, 'resources', props.resources),
      readinessProbe: httpProbe(this.checkPath('readinessPath', props.readinessPath ?? '/healthz/ready'), probeHost, t.readiness.period, t.readiness.failures, t.timeout),
      livenessProbe: httpProbe(this.checkPath('livenessPath', liveness), probeHost, t.liveness.period, t.liveness.failures, t.timeout),
      startupProbe: httpProbe(liveness, probeHost, t.startup.period, t.startup.failures, t.timeout),
      scaling: props,
      minAvailable: props.minAvailable,
      preStopDelaySeconds: props.preStopDelaySeconds,
      requestTimeoutSeconds: timeout,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    });
  }

  private serverCommand(props: DjangoBackendProps, timeout: number): string[] {
    const server = checkEnum(this, 'server', props.server ?? AppServer.GUNICORN, AppServer);
    if (server === AppServer.DAPHNE && props.serverWorkers !== undefined && props.serverWorkers !== 1) {
      invalid(this, 'serverWorkers', '1 or left out with daphne (it runs one process; scale it with replicas)', props.serverWorkers);
    }
    const workers = String(checkInteger(this, 'serverWorkers', props.serverWorkers ?? 4, 1, 64));
    const application = props.application ?? (server === AppServer.GUNICORN ? 'config.wsgi:application' : 'config.asgi:application');
    if (!/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(application)) {
      invalid(this, 'application', 'a "module:attribute" path such as "config.wsgi:application"', application);
    }
    if (server === AppServer.UVICORN) {
      return ['uvicorn', application, '--host=0.0.0.0', `--port=${this.port}`, `--workers=${workers}`,
        `--timeout-graceful-shutdown=${timeout}`, '--proxy-headers', '--forwarded-allow-ips=*'];
    }
    if (server === AppServer.DAPHNE) {
      // Daphne has no graceful-shutdown timeout of its own: the pod's grace period bounds the drain.
      return ['daphne', '--bind=0.0.0.0', `--port=${this.port}`, '--proxy-headers', application];
    }
    // gunicorn keeps worker heartbeat files in a temp dir; the root filesystem is read-only.
    return ['gunicorn', application, `--bind=0.0.0.0:${this.port}`, `--workers=${workers}`, `--timeout=${timeout}`,
      `--graceful-timeout=${timeout}`, '--worker-tmp-dir=/tmp', '--access-logfile=-', '--forwarded-allow-ips=*'];
  }

  private checkPath(field: string, path: string): string {
    if (typeof path !== 'string' || !path.startsWith('/')) invalid(this, field, 'an absolute path starting with "/"', path);
    return path;
  }
}
