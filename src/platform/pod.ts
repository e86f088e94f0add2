import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { hostAntiAffinity, SpreadMode, topologySpread } from './availability';
import { checkInteger, invalid, Owner } from './errors';
import { PodHardening } from './hardening';
import { ComponentLabels } from './labels';
import { ImagePullPolicy, ResolvedPodOptions, resolvePodOptions } from './pod-options';

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
  /**
   * Run the pause process as the pod's PID 1, so that the main process is not. The kernel drops a
   * signal to a namespace's PID 1 that has no handler for it, so a SIGTERM that arrives before the
   * process installs its handler is lost, and the container lives on until the grace period ends.
   */
  readonly notPid1?: boolean;
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
  /** The user's adjustments (escape hatches), already checked. */
  readonly options?: ResolvedPodOptions;
}

const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = 'sha256:[0-9a-f]{64}';
const TAG_FORMS = new RegExp(`^(?:(${TAG})(?:@(${DIGEST}))?|(${DIGEST}))$`);

/**
 * `repository:tag`, `repository:tag@sha256:…` or `repository@sha256:…` from a repository and a
 * `tag` that is a tag, a tag with its digest, or a digest alone; tags that move under a running
 * Deployment (`latest`) are refused.
 */
export function imageReference(owner: Owner, image: string, tag: string): string {
  if (!image || /\s|:[^/]*$|@/.test(image)) {
    invalid(owner, 'image', 'an image repository without tag or digest, e.g. "registry.example.com/team/app"', image);
  }
  const m = typeof tag === 'string' ? TAG_FORMS.exec(tag) : null;
  if (!m || m[1] === 'latest') invalid(owner, 'tag', IMAGE_TAG, tag);
  return m[3] ? `${image}@${m[3]}` : `${image}:${tag}`;
}

/** What an image tag may be, as error messages say it. */
export const IMAGE_TAG = 'an immutable image tag (not "latest"; letters, digits, "_", ".", "-"), optionally with "@sha256:<64 hex>", or a digest "sha256:<64 hex>" alone';

/** Whether `tag` is one that {@link imageReference} accepts. */
export function isImmutableTag(tag: unknown): boolean {
  const m = typeof tag === 'string' ? TAG_FORMS.exec(tag) : null;
  return !!m && m[1] !== 'latest';
}

/** Whether an image reference is pinned by digest, so it cannot change under a running Deployment. */
export function isPinnedByDigest(reference: string): boolean {
  return /@sha256:[0-9a-f]{64}$/.test(reference);
}

/**
 * One ServiceAccount per component, named after it, so RBAC and cloud IAM bindings can
 * tell components apart. The token is not mounted unless the component asks for it.
 */
export function addServiceAccount(scope: Construct, input: PodSpecInput): k8s.KubeServiceAccount {
  const annotations = input.options?.serviceAccountAnnotations ?? {};
  return new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: input.name, labels: input.labels.all, annotations: Object.keys(annotations).length ? annotations : undefined },
    automountServiceAccountToken: input.needsApiToken ?? false,
  });
}

/** Merges two maps, refusing a key both set: the user's options never override the construct's own. */
function merged(
  owner: Owner, field: string, own: Record<string, string> | undefined, extra: Record<string, string>,
): Record<string, string> | undefined {
  for (const key of Object.keys(extra)) {
    if (own && key in own) invalid(owner, `${field}.${key}`, 'a key the construct does not set itself', key);
  }
  const all = { ...(own ?? {}), ...extra };
  return Object.keys(all).length ? all : undefined;
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length ? list : undefined;
}

export function podTemplate(owner: Owner, input: PodSpecInput): k8s.PodTemplateSpec {
  checkInteger(owner, 'terminationGracePeriodSeconds', input.terminationGracePeriodSeconds, 1, 86400);
  const preStop = input.preStopSleepSeconds;
  if (preStop !== undefined) {
    checkInteger(owner, 'preStopDelaySeconds', preStop, 0, input.terminationGracePeriodSeconds - 1);
  }
  const { hardening } = input;
  const options = input.options ?? resolvePodOptions(owner);
  const env = [...(input.env ?? [])];
  // The settings' env and secretEnv are checked against the settings contract alone; the broker's and
  // the workers' variables join them here. A name set twice would leave the kubelet to pick one.
  const twice = env.find((e, i) => env.findIndex((o) => o.name === e.name) !== i);
  if (twice) invalid(owner, `settings.env.${twice.name}`, 'a variable the broker and the worker contract do not set themselves', twice.name);
  for (const extra of options.env) {
    if (env.some((e) => e.name === extra.name)) {
      invalid(owner, extra.value === undefined ? 'extraSecretEnv' : `extraEnv.${extra.name}`, 'a variable the construct does not set itself', extra.name);
    }
    env.push(extra);
  }
  const volumes = [hardening.tmpVolume(), ...(input.volumes ?? [])];
  for (const v of options.volumes) {
    if (volumes.some((own) => own.name === v.name)) invalid(owner, 'extraVolumes', `volume names other than the construct's own (${volumes.map((o) => o.name).join(', ')})`, v.name);
    volumes.push(v);
  }
  const ownAffinity = input.spread === SpreadMode.NONE ? undefined : hostAntiAffinity(input.labels);
  const affinity = options.affinity ? { ...ownAffinity, ...options.affinity } : ownAffinity;
  return {
    metadata: {
      labels: { ...input.labels.pod, ...options.podLabels },
      annotations: merged(owner, 'podAnnotations', input.podAnnotations, options.podAnnotations),
    },
    spec: {
      serviceAccountName: input.name,
      automountServiceAccountToken: input.needsApiToken ?? false,
      // Dozens of Services in one namespace would otherwise become dozens of env vars per pod.
      enableServiceLinks: false,
      securityContext: hardening.podSecurityContext(),
      terminationGracePeriodSeconds: input.terminationGracePeriodSeconds,
      shareProcessNamespace: input.notPid1 || undefined,
      priorityClassName: input.priorityClassName,
      nodeSelector: merged(owner, 'nodeSelector', input.nodeSelector, options.nodeSelector),
      tolerations: nonEmpty([...(input.tolerations ?? []), ...options.tolerations]),
      imagePullSecrets: nonEmpty(options.imagePullSecrets.map((name) => ({ name }))),
      topologySpreadConstraints: input.spread === SpreadMode.NONE ? undefined : topologySpread(input.labels, input.spread, options.zoneSpread),
      affinity,
      restartPolicy: input.restartPolicy,
      containers: [{
        name: input.name,
        image: input.image,
        // Pull on every start unless the image is pinned by digest: the kubelet then checks registry
        // credentials, so a pod cannot run a private image merely because another tenant's pod left
        // it cached on the node. A digest cannot point elsewhere, so a cached copy is the same image.
        imagePullPolicy: options.imagePullPolicy ?? (isPinnedByDigest(input.image) ? ImagePullPolicy.IF_NOT_PRESENT : ImagePullPolicy.ALWAYS),
        command: input.command ? [...input.command, ...options.extraArgs] : input.command,
        args: input.command ? input.args : nonEmpty([...(input.args ?? []), ...options.extraArgs]),
        env: nonEmpty(env),
        ports: input.ports,
        resources: input.resources,
        readinessProbe: input.readinessProbe,
        livenessProbe: input.livenessProbe,
        startupProbe: input.startupProbe,
        lifecycle: preStop ? { preStop: { exec: { command: ['sleep', String(preStop)] } } } : undefined,
        securityContext: hardening.containerSecurityContext(),
        volumeMounts: [hardening.tmpMount(), ...(input.volumeMounts ?? []), ...options.volumeMounts],
      }],
      volumes,
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
