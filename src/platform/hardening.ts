import { k8s } from 'cdk8s-plus-27';
import { checkInteger, Owner } from './errors';
import { canonicalQuantity } from './quantity';

/**
 * How a component's containers run. Every field has a default that passes the
 * Pod Security Standard `restricted`; there is no way to switch the standard off.
 */
export interface PodHardeningProps {
  /**
   * The uid every container runs as. Must not be 0.
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * The gid every container runs as, also used as fsGroup.
   * @default 10001
   */
  readonly runAsGroup?: number;
  /**
   * Size limit of the writable, per-pod `/tmp` (an emptyDir; the root filesystem is read-only).
   * @default '256Mi'
   */
  readonly tmpSizeLimit?: string;
}

export const TMP_VOLUME = 'tmp';

/** The resolved hardening of one pod. */
export class PodHardening {
  public readonly runAsUser: number;
  public readonly runAsGroup: number;
  public readonly tmpSizeLimit: string;

  constructor(owner: Owner, props: PodHardeningProps = {}) {
    this.runAsUser = checkInteger(owner, 'runAsUser', props.runAsUser ?? 10001, 1, 2147483647);
    this.runAsGroup = checkInteger(owner, 'runAsGroup', props.runAsGroup ?? 10001, 1, 2147483647);
    this.tmpSizeLimit = canonicalQuantity(owner, 'tmpSizeLimit', props.tmpSizeLimit ?? '256Mi');
  }

  public podSecurityContext(): k8s.PodSecurityContext {
    return {
      runAsNonRoot: true,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsGroup,
      fsGroup: this.runAsGroup,
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  public containerSecurityContext(): k8s.SecurityContext {
    return {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsGroup,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  /** A per-pod scratch space: the only writable path, never shared between pods. */
  public tmpVolume(): k8s.Volume {
    return { name: TMP_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(this.tmpSizeLimit) } };
  }

  public tmpMount(): k8s.VolumeMount {
    return { name: TMP_VOLUME, mountPath: '/tmp' };
  }
}
