import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkDnsLabel } from './errors';
import { canonicalQuantity } from './quantity';

/** Namespace-wide ceilings and per-container defaults. */
export interface NamespaceGuardrailsProps {
  /** Sum of CPU requests of all pods in the namespace, e.g. `20`. */
  readonly requestsCpu: string;
  /** Sum of memory requests, e.g. `40Gi`. */
  readonly requestsMemory: string;
  /** Sum of CPU limits. */
  readonly limitsCpu: string;
  /** Sum of memory limits. */
  readonly limitsMemory: string;
  /**
   * Most pods in the namespace.
   * @default 200
   */
  readonly pods?: number;
  /**
   * Largest memory limit one container may ask for.
   * @default '16Gi'
   */
  readonly maxContainerMemory?: string;
  /**
   * Largest CPU limit one container may ask for.
   * @default '8'
   */
  readonly maxContainerCpu?: string;
  /**
   * Smallest memory request a container may make (a container asking for almost nothing is
   * overcommitted without limit).
   * @default '16Mi'
   */
  readonly minContainerMemory?: string;
  /**
   * Smallest CPU request a container may make.
   * @default '10m'
   */
  readonly minContainerCpu?: string;
  /**
   * Prefix of the object names (`<prefix>-compute`, `<prefix>-container-defaults`).
   * @default - no prefix
   */
  readonly namePrefix?: string;
}

/**
 * A ResourceQuota that bounds what one environment can take from a shared cluster, and a
 * LimitRange that gives any container without sizes small defaults (ours always have them).
 */
export class NamespaceGuardrails extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceGuardrailsProps) {
    super(scope, id);
    const q = (field: string, value: string) => k8s.Quantity.fromString(canonicalQuantity(this, field, value));
    const prefix = props.namePrefix === undefined ? '' : `${checkDnsLabel(this, 'namePrefix', props.namePrefix, 40)}-`;
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: `${prefix}compute` },
      spec: {
        hard: {
          'requests.cpu': q('requestsCpu', props.requestsCpu),
          'requests.memory': q('requestsMemory', props.requestsMemory),
          'limits.cpu': q('limitsCpu', props.limitsCpu),
          'limits.memory': q('limitsMemory', props.limitsMemory),
          'pods': k8s.Quantity.fromString(String(props.pods ?? 200)),
        },
      },
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: `${prefix}container-defaults` },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
          default: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('512Mi') },
          max: { cpu: q('maxContainerCpu', props.maxContainerCpu ?? '8'), memory: q('maxContainerMemory', props.maxContainerMemory ?? '16Gi') },
          min: { cpu: q('minContainerCpu', props.minContainerCpu ?? '10m'), memory: q('minContainerMemory', props.minContainerMemory ?? '16Mi') },
        }],
      },
    });
  }
}
