import { k8s } from 'cdk8s-plus-27';
import { checkDnsLabel, checkEnum, invalid, Owner } from './errors';
import { SecretEnvVar } from './secret-reference';

/** When the kubelet pulls the image. */
export enum ImagePullPolicy {
  /** On every start: the kubelet checks the registry credentials each time. */
  ALWAYS = 'Always',
  /** Only when the node does not have it: right for images pinned by digest, which cannot change. */
  IF_NOT_PRESENT = 'IfNotPresent',
  /** Never: the image must already be on the node. */
  NEVER = 'Never',
}

/** How hard the scheduler spreads a component's replicas over zones. */
export enum ZoneSpread {
  /** A replica stays Pending rather than share a zone while another zone has none; needs nodes labelled with their zone. */
  REQUIRED = 'required',
  /** Spread over zones when the nodes say which zone they are in; schedule anyway on a single-zone cluster. */
  PREFERRED = 'preferred',
  /** No zone spread (replicas are still spread over nodes). */
  NONE = 'none',
}

/** A Secret or ConfigMap mounted read-only into the container. Never a volume shared between pods. */
export interface ExtraVolume {
  /** The volume's name in the pod, a DNS label. */
  readonly name: string;
  /** Where the container sees it. */
  readonly mountPath: string;
  /**
   * The Secret to mount.
   * @default - configMapName must be set
   */
  readonly secretName?: string;
  /**
   * The ConfigMap to mount.
   * @default - secretName must be set
   */
  readonly configMapName?: string;
  /**
   * Mount only this key of the Secret or ConfigMap, as the file `mountPath`.
   * @default - every key, as files in the folder `mountPath`
   */
  readonly subPath?: string;
}

/**
 * What a platform team adjusts per component without leaving the construct: registry credentials,
 * cloud identities, scheduling, extra configuration. Everything else the construct decides; these
 * never weaken the Pod Security `restricted` baseline, and every field is checked and rendered in
 * canonical form.
 */
export interface PodOptions {
  /**
   * When the kubelet pulls the image.
   * @default - IfNotPresent for an image pinned by digest, Always otherwise
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /**
   * Secrets (of type `kubernetes.io/dockerconfigjson`) with credentials for a private registry.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Annotations of the component's ServiceAccount, e.g. `eks.amazonaws.com/role-arn` (IRSA) or
   * `iam.gke.io/gcp-service-account` (Workload Identity).
   * @default - none
   */
  readonly serviceAccountAnnotations?: { [key: string]: string };
  /**
   * Further annotations of the pod template.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * Further labels of the pod template; `app.kubernetes.io/*` keys are the platform's and refused.
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Further plain environment variables. Never put a credential here: use `extraSecretEnv`.
   * @default - none
   */
  readonly extraEnv?: { [name: string]: string };
  /**
   * Further variables read from Secrets.
   * @default - none
   */
  readonly extraSecretEnv?: SecretEnvVar[];
  /**
   * Arguments appended to the container's command.
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * Secrets and ConfigMaps mounted read-only.
   * @default - none
   */
  readonly extraVolumes?: ExtraVolume[];
  /**
   * Labels a node must have to run the pods.
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Taints the pods tolerate.
   * @default - none
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * Node and pod affinity. Each of `nodeAffinity`, `podAffinity` and `podAntiAffinity` given here
   * replaces the construct's own (which is a soft preference for different nodes).
   * @default - the construct's own
   */
  readonly affinity?: k8s.Affinity;
  /**
   * How hard the replicas are spread over zones.
   * @default ZoneSpread.PREFERRED
   */
  readonly zoneSpread?: ZoneSpread;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** PodOptions checked, with the defaults that do not depend on the pod applied. */
export interface ResolvedPodOptions {
  readonly imagePullPolicy?: ImagePullPolicy;
  readonly imagePullSecrets: string[];
  readonly serviceAccountAnnotations: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  readonly podLabels: Record<string, string>;
  readonly env: k8s.EnvVar[];
  readonly extraArgs: string[];
  readonly volumes: k8s.Volume[];
  readonly volumeMounts: k8s.VolumeMount[];
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: k8s.Toleration[];
  readonly affinity?: k8s.Affinity;
  readonly zoneSpread: ZoneSpread;
}

function checkMap(owner: Owner, field: string, map: Record<string, string> | undefined, keyRule: RegExp, valueRule?: RegExp): Record<string, string> {
  const entries = Object.entries(map ?? {});
  for (const [key, value] of entries) {
    if (!keyRule.test(key) || key.length > 316) invalid(owner, `${field}.${key}`, 'set under a valid key (an optional DNS prefix and "/", then letters, digits, "-", "_", ".")', key);
    if (typeof value !== 'string') invalid(owner, `${field}.${key}`, 'a string', value);
    if (valueRule && (value.length > 63 || !valueRule.test(value))) invalid(owner, `${field}.${key}`, 'a label value (letters, digits, "-", "_", ".", at most 63 characters)', value);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Checks every option and returns them in the form the pod template takes. */
export function resolvePodOptions(owner: Owner, options: PodOptions = {}): ResolvedPodOptions {
  const pullPolicy = options.imagePullPolicy === undefined ? undefined : checkEnum(owner, 'imagePullPolicy', options.imagePullPolicy, ImagePullPolicy);
  const pullSecrets = options.imagePullSecrets ?? [];
  pullSecrets.forEach((s, i) => {
    if (typeof s !== 'string' || !SECRET_NAME.test(s)) invalid(owner, `imagePullSecrets[${i}]`, 'the name of an existing Secret', s);
  });
  const podLabels = checkMap(owner, 'podLabels', options.podLabels, LABEL_KEY, LABEL_VALUE);
  for (const key of Object.keys(podLabels)) {
    if (key.startsWith('app.kubernetes.io/')) invalid(owner, `podLabels.${key}`, 'a key outside app.kubernetes.io/ (the platform sets those, and selectors depend on them)', key);
  }
  const env: k8s.EnvVar[] = [];
  for (const [name, value] of Object.entries(options.extraEnv ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!ENV_NAME.test(name)) invalid(owner, `extraEnv.${name}`, 'set under an environment variable name (letters, digits, "_")', name);
    if (typeof value !== 'string') invalid(owner, `extraEnv.${name}`, 'a string', value);
    env.push({ name, value });
  }
  (options.extraSecretEnv ?? []).forEach((v, i) => {
    if (!ENV_NAME.test(v?.name ?? '')) invalid(owner, `extraSecretEnv[${i}].name`, 'an environment variable name (letters, digits, "_")', v?.name);
    if (!SECRET_NAME.test(v.secretName ?? '')) invalid(owner, `extraSecretEnv[${i}].secretName`, 'the name of an existing Secret', v.secretName);
    if (!/^[-._a-zA-Z0-9]+$/.test(v.key ?? '')) invalid(owner, `extraSecretEnv[${i}].key`, 'a Secret key (letters, digits, ".", "_" or "-")', v.key);
    env.push({ name: v.name, valueFrom: { secretKeyRef: { name: v.secretName, key: v.key } } });
  });
  const extraArgs = options.extraArgs ?? [];
  extraArgs.forEach((a, i) => {
    if (typeof a !== 'string' || a === '') invalid(owner, `extraArgs[${i}]`, 'a non-empty string', a);
  });
  const volumes: k8s.Volume[] = [];
  const volumeMounts: k8s.VolumeMount[] = [];
  (options.extraVolumes ?? []).forEach((v, i) => {
    const field = `extraVolumes[${i}]`;
    checkDnsLabel(owner, `${field}.name`, v?.name);
    if (typeof v.mountPath !== 'string' || !/^\/[^\0]*$/.test(v.mountPath) || v.mountPath === '/' || v.mountPath.startsWith('/tmp')) {
      invalid(owner, `${field}.mountPath`, 'an absolute path other than /, outside /tmp (the pod\'s scratch space)', v.mountPath);
    }
    if (!!v.secretName === !!v.configMapName) invalid(owner, `${field}.secretName/configMapName`, 'exactly one of the two', v);
    const source = v.secretName ?? v.configMapName!;
    if (!SECRET_NAME.test(source)) invalid(owner, v.secretName ? `${field}.secretName` : `${field}.configMapName`, 'the name of an existing object', source);
    volumes.push(v.secretName ? { name: v.name, secret: { secretName: v.secretName } } : { name: v.name, configMap: { name: v.configMapName! } });
    volumeMounts.push({ name: v.name, mountPath: v.mountPath, readOnly: true, subPath: v.subPath });
  });
  return {
    imagePullPolicy: pullPolicy,
    imagePullSecrets: pullSecrets,
    serviceAccountAnnotations: checkMap(owner, 'serviceAccountAnnotations', options.serviceAccountAnnotations, LABEL_KEY),
    podAnnotations: checkMap(owner, 'podAnnotations', options.podAnnotations, LABEL_KEY),
    podLabels,
    env,
    extraArgs,
    volumes,
    volumeMounts,
    nodeSelector: checkMap(owner, 'nodeSelector', options.nodeSelector, LABEL_KEY, LABEL_VALUE),
    tolerations: [...(options.tolerations ?? [])],
    affinity: options.affinity,
    zoneSpread: checkEnum(owner, 'zoneSpread', options.zoneSpread ?? ZoneSpread.PREFERRED, ZoneSpread),
  };
}
