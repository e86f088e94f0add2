import { Construct } from 'constructs';
import { HorizontalScalingProps } from '../platform/autoscaling';
import { checkInteger, invalid } from '../platform/errors';
import { PodHardening, PodHardeningProps } from '../platform/hardening';
import { HttpComponent } from '../platform/http-component';
import { ComponentIdentityProps, ComponentLabels, PodImage } from '../platform/labels';
import { imageReference } from '../platform/pod';
import { PodOptions, resolvePodOptions } from '../platform/pod-options';
import { ContainerResources, renderResources } from '../platform/resources';
import { addWebTier, httpProbe, ProbeTimings, resolveProbeTimings, tcpProbe } from '../platform/web-tier';

/** How the Nuxt frontend runs, apart from its image and the API URLs it is given. */
export interface NuxtFrontendOptions extends HorizontalScalingProps, PodOptions {
  /** Requests and limits of one pod. */
  readonly resources: ContainerResources;
  /**
   * Variable that carries internalApiUrl (Nuxt maps `NUXT_API_BASE` to `runtimeConfig.apiBase`).
   * @default 'NUXT_API_BASE'
   */
  readonly internalApiUrlVariable?: string;
  /**
   * Variable that carries publicApiUrl (Nuxt maps `NUXT_PUBLIC_API_BASE` to `runtimeConfig.public.apiBase`).
   * @default 'NUXT_PUBLIC_API_BASE'
   */
  readonly publicApiUrlVariable?: string;
  /**
   * Object name and component label.
   * @default 'frontend'
   */
  readonly name?: string;
  /**
   * The port the Node server listens on (`PORT`).
   * @default 3000
   */
  readonly port?: number;
  /**
   * Path that answers 200 when the server can render pages.
   * @default '/healthz'
   */
  readonly healthPath?: string;
  /**
   * How often and how patiently the pods are probed.
   * @default - readiness every 5 s (3 failures), liveness every 10 s (6), startup up to 300 s, 3 s per probe
   */
  readonly probeTimings?: ProbeTimings;
  /**
   * The longest a server-side render may take, in seconds.
   * @default 30
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Seconds a terminating pod keeps serving while endpoints drain.
   * @default 10
   */
  readonly preStopDelaySeconds?: number;
  /**
   * Seconds between SIGTERM and SIGKILL; must exceed preStopDelaySeconds + requestTimeoutSeconds.
   * @default - preStopDelaySeconds + requestTimeoutSeconds + 10
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * minAvailable of the PodDisruptionBudget.
   * @default - minReplicas - 1; with minReplicas 1, a budget of maxUnavailable 1 instead, so node drains are never blocked
   */
  readonly minAvailable?: number;
}

/** The Nuxt server-side-rendering frontend. */
export interface NuxtFrontendProps extends NuxtFrontendOptions, ComponentIdentityProps, PodHardeningProps {
  /** The image repository, without tag. */
  readonly image: string;
  /** The image tag. */
  readonly tag: string;
  /** The backend API as the SSR server reaches it inside the cluster, e.g. `http://backend:8000/api`. */
  readonly internalApiUrl: string;
  /** The backend API as browsers reach it, e.g. `https://app.example.com/api`. */
  readonly publicApiUrl: string;
}

/**
 * The variables NuxtFrontend sets for the Nuxt server besides the API URLs: those with a fixed value,
 * and the port's. The compose importer reads it to tell which variables of a compose file the chart sets.
 */
export const FRONTEND_ENV = {
  fixed: { NODE_ENV: 'production', HOST: '0.0.0.0' },
  port: 'PORT',
} as const;

/**
 * The Nuxt SSR server: a Node process behind a Service, scaled by an HPA, budgeted and spread
 * like every web tier. It is told two API URLs: the in-cluster one it renders with, and the
 * public one it hands to browsers.
 */
export class NuxtFrontend extends HttpComponent {
  constructor(scope: Construct, id: string, props: NuxtFrontendProps) {
    super(scope, id, props, { name: 'frontend', port: 3000 });
    for (const field of ['internalApiUrl', 'publicApiUrl'] as const) {
      if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(props[field] ?? '')) invalid(this, field, 'an http(s) URL', props[field]);
    }
    const health = props.healthPath ?? '/healthz';
    if (!health.startsWith('/')) invalid(this, 'healthPath', 'an absolute path starting with "/"', health);
    const t = resolveProbeTimings(this, props.probeTimings);
    const labels = new ComponentLabels(this, props, this.name, props.tag, PodImage.OWN);

    addWebTier(this, {
      name: this.name,
      labels,
      hardening: new PodHardening(this, props),
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image, props.tag),
      env: [
        ...Object.entries(FRONTEND_ENV.fixed).map(([name, value]) => ({ name, value })),
        { name: FRONTEND_ENV.port, value: String(this.port) },
        { name: checkVariable(this, 'internalApiUrlVariable', props.internalApiUrlVariable ?? 'NUXT_API_BASE'), value: props.internalApiUrl },
        { name: checkVariable(this, 'publicApiUrlVariable', props.publicApiUrlVariable ?? 'NUXT_PUBLIC_API_BASE'), value: props.publicApiUrl },
      ],
      port: this.port,
      resources: renderResources(this, 'resources', props.resources),
      readinessProbe: httpProbe(health, undefined, t.readiness.period, t.readiness.failures, t.timeout),
      livenessProbe: tcpProbe(t.liveness.period, t.liveness.failures, t.timeout),
      startupProbe: tcpProbe(t.startup.period, t.startup.failures, t.timeout),
      scaling: props,
      minAvailable: props.minAvailable,
      preStopDelaySeconds: props.preStopDelaySeconds,
      requestTimeoutSeconds: checkInteger(this, 'requestTimeoutSeconds', props.requestTimeoutSeconds ?? 30, 1, 600),
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    });
  }
}

function checkVariable(owner: Construct, field: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) invalid(owner, field, 'an environment variable name', name);
  return name;
}
