import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addHorizontalAutoscaler, HorizontalScalingProps, resolveHorizontalScaling } from './autoscaling';
import { addDisruptionBudget, defaultMinAvailable, SpreadMode } from './availability';
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
  const scaling = resolveHorizontalScaling(scope, 'scaling', input.scaling);
  const preStop = checkInteger(scope, 'preStopDelaySeconds', input.preStopDelaySeconds ?? 10, 0, 300);
  const grace = input.terminationGracePeriodSeconds ?? preStop + input.requestTimeoutSeconds + 10;
  if (!Number.isInteger(grace) || grace <= preStop + input.requestTimeoutSeconds) {
    invalid(scope, 'terminationGracePeriodSeconds',
      `an integer greater than preStopDelaySeconds + requestTimeoutSeconds (${preStop + input.requestTimeoutSeconds})`, grace);
  }
  const minAvailable = input.minAvailable ?? defaultMinAvailable(scaling.minReplicas);
  checkInteger(scope, 'minAvailable', minAvailable, 1, Math.max(1, scaling.minReplicas - 1));

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
  addDisruptionBudget(scope, input.name, input.labels, minAvailable);
}

/**
 * A liveness probe that only checks the server accepts connections. Liveness must differ from
 * readiness: a pod that is alive but cannot serve (a dependency down) should leave the
 * Service, not be restarted.
 */
export function tcpProbe(periodSeconds: number, failureThreshold: number): k8s.Probe {
  return { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds, failureThreshold, timeoutSeconds: 3 };
}

/** An HTTP GET probe on the named `http` port. */
export function httpProbe(path: string, host: string | undefined, periodSeconds: number, failureThreshold: number): k8s.Probe {
  return {
    httpGet: {
      path,
      port: k8s.IntOrString.fromString('http'),
      httpHeaders: host ? [{ name: 'Host', value: host }] : undefined,
    },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 3,
  };
}
