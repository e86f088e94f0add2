import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addHorizontalAutoscaler, HorizontalScalingProps, resolveHorizontalScaling } from './autoscaling';
import { addDisruptionBudget, addOneAtATimeBudget, defaultMinAvailable, SpreadMode } from './availability';
import { checkInteger, invalid, Owner } from './errors';
import { addDeployment, PodSpecInput, RolloutKind } from './pod';
import { addService } from './service';

/** What a component serving HTTP behind a Service adds to its pod. */
export interface WebTierInput extends Omit<PodSpecInput, 'spread' | 'terminationGracePeriodSeconds' | 'preStopSleepSeconds' | 'ports'> {
  readonly port: number;
  readonly scaling: HorizontalScalingProps;
  readonly minAvailable?: number;
  readonly preStopDelaySeconds?: number;
  /** The longest request, in seconds: the grace period must outlast the drain plus this. */
  readonly requestTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds?: number;
  readonly annotations?: Record<string, string>;
}

/** Checks a TCP port a container listens on (unprivileged: the containers run as non-root). */
export function checkContainerPort(owner: Owner, field: string, port: number): number {
  return checkInteger(owner, field, port, 1024, 65535);
}

/**
 * A stateless HTTP component: a Deployment whose rollouts never drop capacity, spread strictly
 * over nodes and zones, a Service, an HPA (so no replicas on the Deployment), a
 * PodDisruptionBudget, and a graceful drain (preStop sleep, grace period covering it).
 */
export function addWebTier(scope: Construct, input: WebTierInput): void {
  const scaling = resolveHorizontalScaling(scope, input.scaling);
  const preStop = checkInteger(scope, 'preStopDelaySeconds', input.preStopDelaySeconds ?? 10, 0, 300);
  const grace = input.terminationGracePeriodSeconds ?? preStop + input.requestTimeoutSeconds + 10;
  if (!Number.isInteger(grace) || grace <= preStop + input.requestTimeoutSeconds) {
    invalid(scope, 'terminationGracePeriodSeconds',
      `an integer greater than preStopDelaySeconds + requestTimeoutSeconds (${preStop + input.requestTimeoutSeconds})`, grace);
  }
  if (input.minAvailable !== undefined) checkInteger(scope, 'minAvailable', input.minAvailable, 1, Math.max(1, scaling.minReplicas - 1));

  addDeployment(scope, {
    ...input,
    ports: [{ name: 'http', containerPort: input.port, protocol: 'TCP' }],
    preStopSleepSeconds: preStop,
    terminationGracePeriodSeconds: grace,
    spread: SpreadMode.STRICT,
    rollout: RolloutKind.SURGE,
  });
  addService(scope, input.name, input.labels, input.port);
  addHorizontalAutoscaler(scope, input.name, input.labels, scaling);
  // One replica at the minimum: a minAvailable budget would block every drain, so drains evict one pod
  // at a time (the pod comes back elsewhere) instead. From two on, all but one stay available.
  if (input.minAvailable === undefined && scaling.minReplicas < 2) addOneAtATimeBudget(scope, input.name, input.labels);
  else addDisruptionBudget(scope, input.name, input.labels, input.minAvailable ?? defaultMinAvailable(scaling.minReplicas));
}

/** How often and how patiently the kubelet probes a web tier. */
export interface ProbeTimings {
  /**
   * Seconds between two readiness probes; liveness probes run half as often.
   * @default 5
   */
  readonly periodSeconds?: number;
  /**
   * Seconds one probe may take.
   * @default 3
   */
  readonly timeoutSeconds?: number;
  /**
   * Failed readiness probes in a row before the pod leaves the Service; liveness waits twice as many before a restart.
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Startup probes (every 5 seconds) that may fail before the container is restarted: the longest start, in fives of seconds.
   * @default 60
   */
  readonly startupFailureThreshold?: number;
}

/** The checked timings: readiness, liveness and startup as period and failures. */
export interface ResolvedProbeTimings {
  readonly readiness: { readonly period: number; readonly failures: number };
  readonly liveness: { readonly period: number; readonly failures: number };
  readonly startup: { readonly period: number; readonly failures: number };
  readonly timeout: number;
}

export function resolveProbeTimings(owner: Owner, t: ProbeTimings = {}): ResolvedProbeTimings {
  const period = checkInteger(owner, 'probeTimings.periodSeconds', t.periodSeconds ?? 5, 1, 300);
  const failures = checkInteger(owner, 'probeTimings.failureThreshold', t.failureThreshold ?? 3, 1, 100);
  const timeout = checkInteger(owner, 'probeTimings.timeoutSeconds', t.timeoutSeconds ?? 3, 1, 300);
  if (timeout > period) invalid(owner, 'probeTimings.timeoutSeconds', `at most periodSeconds (${period})`, timeout);
  return {
    readiness: { period, failures },
    liveness: { period: 2 * period, failures: 2 * failures },
    startup: { period: 5, failures: checkInteger(owner, 'probeTimings.startupFailureThreshold', t.startupFailureThreshold ?? 60, 1, 1000) },
    timeout,
  };
}

/**
 * A liveness probe that only checks the server accepts connections. Liveness must differ from
 * readiness: a pod that is alive but cannot serve (a dependency down) should leave the
 * Service, not be restarted.
 */
export function tcpProbe(periodSeconds: number, failureThreshold: number, timeoutSeconds = 3): k8s.Probe {
  return { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds, failureThreshold, timeoutSeconds };
}

/** An HTTP GET probe on the named `http` port. */
export function httpProbe(path: string, host: string | undefined, periodSeconds: number, failureThreshold: number, timeoutSeconds = 3): k8s.Probe {
  return {
    httpGet: {
      path,
      port: k8s.IntOrString.fromString('http'),
      httpHeaders: host ? [{ name: 'Host', value: host }] : undefined,
    },
    periodSeconds,
    failureThreshold,
    timeoutSeconds,
  };
}
