import { Construct } from 'constructs';
import { CeleryBroker } from './celery-broker';
import { DjangoSettings, secretVar } from './django-settings';
import { SpreadMode } from '../platform/availability';
import { checkInteger, checkSecretKey, invalid } from '../platform/errors';
import { PodHardening, PodHardeningProps } from '../platform/hardening';
import { HttpComponent } from '../platform/http-component';
import { ComponentIdentityProps, ComponentLabels } from '../platform/labels';
import { addDeployment, imageReference, RolloutKind } from '../platform/pod';
import { PodOptions, resolvePodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';
import { SecretKeyReference } from '../platform/secret-reference';
import { addService } from '../platform/service';
import { httpProbe, tcpProbe } from '../platform/web-tier';

/** The port Flower listens on (its own default). */
const FLOWER_PORT = 5555;

/** A path prefix the edge can route: starts and ends with `/`, of URL-safe segments, not `/` itself. */
const PATH_PREFIX = /^\/(?:[A-Za-z0-9._~-]+\/)+$/;

/** How Flower runs and where it is served, apart from the code (image, settings, broker, app). */
export interface CeleryFlowerOptions extends PodOptions {
  /** Requests and limits of the Flower pod. */
  readonly resources: ContainerResources;
  /**
   * The Secret key that holds Flower's HTTP basic-auth credentials, `user:password` (several pairs
   * separated by commas), passed as `FLOWER_BASIC_AUTH`. Required: Flower can revoke tasks and
   * shut workers down, so it is never served without authentication.
   */
  readonly basicAuth: SecretKeyReference;
  /**
   * The path prefix Flower is served under (`--url_prefix`), which the edge sends to it. It starts
   * and ends with `/` and is used by no other route.
   * @default '/flower/'
   */
  readonly pathPrefix?: string;
  /**
   * Object name and component label.
   * @default 'flower'
   */
  readonly name?: string;
  /**
   * Replicas (1-3). Each replica keeps its own in-memory view of the cluster's events, so two
   * replicas may show different task lists; one is enough for a dashboard.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
}

/** Flower, the Celery monitoring dashboard. */
export interface CeleryFlowerProps extends CeleryFlowerOptions, ComponentIdentityProps, PodHardeningProps {
  /** The image repository, without tag: the app's image, which has Flower installed. */
  readonly image: string;
  /** The image tag. */
  readonly tag: string;
  /** The Django settings the Celery app reads when Flower imports it. */
  readonly settings: DjangoSettings;
  /** The broker whose events and queues Flower watches. */
  readonly broker: CeleryBroker;
  /** The Celery application, passed as `celery -A <celeryApp>`. */
  readonly celeryApp: string;
}

/**
 * Flower (`celery -A <app> flower`) from the app's image, with the workers' settings and broker:
 * a Deployment of one replica and a Service on port 5555. It serves under its path prefix
 * (`--url_prefix`), asks for HTTP basic auth from a Secret key, keeps its state in memory
 * (`--persistent` stays off, so the read-only root filesystem holds), and is probed on its own
 * `<prefix>healthcheck` endpoint, which answers without credentials (readiness and startup; liveness
 * only checks that the port accepts connections). Its task views need the workers' task events
 * (`CeleryWorkerPoolOptions.taskEvents`); its Prometheus `<prefix>metrics` answers without
 * credentials too, so the edge of a DjangoAppChart blocks it (`metricsPath`).
 */
export class CeleryFlower extends HttpComponent {
  /** The path prefix Flower serves under, e.g. `/flower/`. */
  public readonly pathPrefix: string;
  /**
   * Flower's Prometheus endpoint, `<prefix>metrics`, which it serves without asking for credentials:
   * the edge answers it with 404, so it is reachable only inside the cluster.
   */
  public readonly metricsPath: string;
  /** The Secret keys Flower reads beyond the settings and the broker: its basic-auth credentials. */
  public readonly secretKeys: SecretKeyReference[];

  constructor(scope: Construct, id: string, props: CeleryFlowerProps) {
    // Flower's port is fixed (no prop sets it, not even one passed from JavaScript).
    super(scope, id, { ...props, port: FLOWER_PORT }, { name: 'flower', port: FLOWER_PORT });
    if (!props.celeryApp || !/^[A-Za-z_][\w.:]*$/.test(props.celeryApp)) {
      invalid(this, 'celeryApp', 'a Python module path such as "myapp.celery"', props.celeryApp);
    }
    if (!props.basicAuth || typeof props.basicAuth !== 'object') {
      invalid(this, 'basicAuth', 'a Secret key reference { secretName, key } to "user:password" (Flower is never served without authentication)', props.basicAuth);
    }
    checkSecretKey(this, 'basicAuth.secretName', props.basicAuth.secretName, 'basicAuth.key', props.basicAuth.key);
    this.pathPrefix = props.pathPrefix ?? '/flower/';
    if (typeof this.pathPrefix !== 'string' || !PATH_PREFIX.test(this.pathPrefix)) {
      invalid(this, 'pathPrefix', 'a path prefix other than "/" that starts and ends with "/", of letters, digits and . _ ~ - (such as "/flower/")', this.pathPrefix);
    }
    this.metricsPath = `${this.pathPrefix}metrics`;
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 1, 3);
    this.secretKeys = [{ secretName: props.basicAuth.secretName, key: props.basicAuth.key }];
    const labels = new ComponentLabels(this, props, this.name, props.tag);
    // Flower's handlers are its routes under the prefix: `/flower/`, `/flower/healthcheck`, ...
    const healthcheck = `${this.pathPrefix}healthcheck`;

    addDeployment(this, {
      name: this.name,
      labels,
      hardening: new PodHardening(this, props),
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image, props.tag),
      command: ['celery', '-A', props.celeryApp, 'flower',
        `--port=${this.port}`,
        `--url_prefix=${this.pathPrefix.replace(/^\/|\/$/g, '')}`],
      env: [
        ...props.settings.renderEnv(),
        ...props.broker.renderEnv(),
        // Flower reads every option from FLOWER_<OPTION>; the credentials never appear in the command line.
        secretVar('FLOWER_BASIC_AUTH', props.basicAuth.secretName, props.basicAuth.key),
      ],
      ports: [{ name: 'http', containerPort: this.port, protocol: 'TCP' }],
      readinessProbe: httpProbe(healthcheck, undefined, 10, 3),
      // Liveness differs from readiness (as on the web tiers): a Flower that still accepts
      // connections is not restarted for a slow answer.
      livenessProbe: tcpProbe(20, 6),
      // Importing the Celery app (and with it Django) can take a while.
      startupProbe: httpProbe(healthcheck, undefined, 5, 60),
      resources: renderResources(this, 'resources', props.resources),
      terminationGracePeriodSeconds: checkInteger(this, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 30, 1, 3600),
      spread: SpreadMode.NONE,
      replicas,
      rollout: RolloutKind.SURGE,
    });
    addService(this, this.name, labels, this.port);
  }
}
