import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { hostAntiAffinity, SpreadMode, topologySpread } from './availability';
import { checkInteger, invalid, Owner } from './errors';
import { PodHardening } from './hardening';
import { ComponentLabels } from './labels';

/** Everything that differs between the pods of two components; the rest is platform policy. */
export interface PodSpecInput {
  readonly name: string;
  readonly labels: ComponentLabels;
  readonly hardening: PodHardening;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: k8s.EnvVar[];
  readonly ports?: k8s.ContainerPort[];
  readonly resources: k8s.ResourceRequirements;
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  readonly startupProbe?: k8s.Probe;
  /** Seconds to keep serving after the pod is marked for deletion, while endpoints drain. */
  readonly preStopSleepSeconds?: number;
  readonly terminationGracePeriodSeconds: number;
  readonly priorityClassName?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: k8s.Toleration[];
  /** Spread over nodes and zones. */
  readonly spread: SpreadMode;
  readonly podAnnotations?: Record<string, string>;
  readonly volumes?: k8s.Volume[];
  readonly volumeMounts?: k8s.VolumeMount[];
  readonly restartPolicy?: string;
  /** Mount the ServiceAccount token; only components that call the Kubernetes API need it. */
  readonly needsApiToken?: boolean;
}

/** `repository:tag`, refusing tags that move under a running Deployment. */
export function imageReference(owner: Owner, image: string, tag: string): string {
  if (!image || /\s|:[^/]*$|@/.test(image)) {
    invalid(owner, 'image', 'an image repository without tag or digest, e.g. "registry.example.com/team/app"', image);
  }
  if (!tag || tag === 'latest' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    invalid(owner, 'tag', 'an immutable image tag (not "latest"; letters, digits, "_", ".", "-")', tag);
  }
  return `${image}:${tag}`;
}

/**
 * One ServiceAccount per component, named after it, so RBAC and cloud IAM bindings can
 * tell components apart. The token is not mounted unless the component asks for it.
 */
export function addServiceAccount(scope: Construct, input: PodSpecInput): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: input.name, labels: input.labels.all },
    automountServiceAccountToken: input.needsApiToken ?? false,
  });
}

export function podTemplate(owner: Owner, input: PodSpecInput): k8s.PodTemplateSpec {
  checkInteger(owner, 'terminationGracePeriodSeconds', input.terminationGracePeriodSeconds, 1, 86400);
  const preStop = input.preStopSleepSeconds;
  if (preStop !== undefined) {
    checkInteger(owner, 'preStopDelaySeconds', preStop, 0, input.terminationGracePeriodSeconds - 1);
  }
  const { hardening } = input;
  return {
    metadata: {
      labels: input.labels.all,
      annotations: input.podAnnotations && Object.keys(input.podAnnotations).length ? input.podAnnotations : undefined,
    },
    spec: {
      serviceAccountName: input.name,
      automountServiceAccountToken: input.needsApiToken ?? false,
      // Dozens of Services in one namespace would otherwise become dozens of env vars per pod.
      enableServiceLinks: false,
      securityContext: hardening.podSecurityContext(),
      terminationGracePeriodSeconds: input.terminationGracePeriodSeconds,
      priorityClassName: input.priorityClassName,
      nodeSelector: input.nodeSelector,
      tolerations: input.tolerations,
      topologySpreadConstraints: input.spread === SpreadMode.NONE ? undefined : topologySpread(input.labels, input.spread),
      affinity: input.spread === SpreadMode.NONE ? undefined : hostAntiAffinity(input.labels),
      restartPolicy: input.restartPolicy,
      containers: [{
        name: input.name,
        image: input.image,
        // Pull on every start: the kubelet then checks registry credentials, so a pod cannot run a
        // private image merely because another tenant's pod left it cached on the node.
        imagePullPolicy: 'Always',
        command: input.command,
        args: input.args,
        env: input.env && input.env.length ? input.env : undefined,
        ports: input.ports,
        resources: input.resources,
        readinessProbe: input.readinessProbe,
        livenessProbe: input.livenessProbe,
        startupProbe: input.startupProbe,
        lifecycle: preStop ? { preStop: { exec: { command: ['sleep', String(preStop)] } } } : undefined,
        securityContext: hardening.containerSecurityContext(),
        volumeMounts: [hardening.tmpMount(), ...(input.volumeMounts ?? [])],
      }],
      volumes: [hardening.tmpVolume(), ...(input.volumes ?? [])],
    },
  };
}

/** How a Deployment replaces its pods. */
export enum RolloutKind {
  /** Surge new pods before removing old ones: capacity never drops. */
  SURGE,
  /** Stop the old pod before starting the new one: never two at once (singletons such as beat). */
  RECREATE,
}

export interface DeploymentInput extends PodSpecInput {
  /** Leave unset when an HPA or ScaledObject owns the replica count. */
  readonly replicas?: number;
  readonly rollout: RolloutKind;
  readonly annotations?: Record<string, string>;
}

function strategy(rollout: RolloutKind): k8s.DeploymentStrategy {
  if (rollout === RolloutKind.RECREATE) return { type: 'Recreate' };
  return {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString('25%') },
  };
}

/** A Deployment carrying every platform policy, plus its ServiceAccount. */
export function addDeployment(scope: Construct, input: DeploymentInput): k8s.KubeDeployment {
  addServiceAccount(scope, input);
  return new k8s.KubeDeployment(scope, 'Deployment', {
    metadata: { name: input.name, labels: input.labels.all, annotations: input.annotations },
    spec: {
      replicas: input.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: input.labels.selector },
      strategy: strategy(input.rollout),
      template: podTemplate(scope, input),
    },
  });
}
