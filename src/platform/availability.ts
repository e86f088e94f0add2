import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ComponentLabels } from './labels';
import { ZoneSpread } from './pod-options';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

/** How hard the scheduler must spread a component's replicas. */
export enum SpreadMode {
  /** Singletons: nothing to spread. */
  NONE,
  /** Web tiers: a replica stays pending rather than share a node or zone while another is free. */
  STRICT,
  /** Workers: spread when possible, but capacity matters more than placement. */
  PREFERRED,
}

/**
 * Spread replicas over nodes and zones, so one node or one zone never holds them all.
 *
 * - maxSkew 1: no two replicas share a node, or a zone, while an emptier one exists
 *   (strictly with `DoNotSchedule`, as a preference with `ScheduleAnyway`). The node spread
 *   follows the component's mode, the zone spread its `zoneSpread` option.
 * - `nodeTaintsPolicy: Honor`: tainted nodes (a dedicated pool, a cordoned node) are not
 *   counted as empty domains that the skew would have to match.
 * - `matchLabelKeys: [pod-template-hash]`: during a rollout the old and new ReplicaSets
 *   are spread independently, so the surge pod is never blocked by the old pods.
 */
export function topologySpread(labels: ComponentLabels, mode: SpreadMode, zone: ZoneSpread): k8s.TopologySpreadConstraint[] {
  if (mode === SpreadMode.NONE) return [];
  const constraint = (topologyKey: string, strict: boolean): k8s.TopologySpreadConstraint => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: strict ? 'DoNotSchedule' : 'ScheduleAnyway',
    nodeTaintsPolicy: 'Honor',
    labelSelector: { matchLabels: labels.selector },
    matchLabelKeys: ['pod-template-hash'],
  });
  // Every node has a hostname label, so a strict hostname spread schedules on any cluster; a node
  // without a zone label can never take a pod with a strict zone constraint, hence the choice.
  return [
    constraint(HOSTNAME_KEY, mode === SpreadMode.STRICT),
    ...(zone === ZoneSpread.NONE ? [] : [constraint(ZONE_KEY, zone === ZoneSpread.REQUIRED)]),
  ];
}

/**
 * A soft preference for replicas on different nodes. The spread constraints already decide
 * placement; this keeps the scheduler's scoring pointing the same way when they allow a tie.
 */
export function hostAntiAffinity(labels: ComponentLabels): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: HOSTNAME_KEY, labelSelector: { matchLabels: labels.selector } },
      }],
    },
  };
}

/**
 * A PodDisruptionBudget that keeps `minAvailable` pods through voluntary disruptions
 * (node drains, cluster upgrades). Only for workloads that can run more than one replica:
 * a budget on a single replica blocks every drain.
 */
export function addDisruptionBudget(scope: Construct, name: string, labels: ComponentLabels, minAvailable: number): k8s.KubePodDisruptionBudget {
  return budget(scope, name, labels, { minAvailable: k8s.IntOrString.fromNumber(minAvailable) });
}

/**
 * A budget for a workload that may run a single replica, or none: drains evict its pods one at
 * a time instead of all at once, and never block on it.
 */
export function addOneAtATimeBudget(scope: Construct, name: string, labels: ComponentLabels): k8s.KubePodDisruptionBudget {
  return budget(scope, name, labels, { maxUnavailable: k8s.IntOrString.fromNumber(1) });
}

function budget(scope: Construct, name: string, labels: ComponentLabels, limit: Partial<k8s.PodDisruptionBudgetSpec>): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name, labels: labels.all },
    spec: {
      ...limit,
      selector: { matchLabels: labels.selector },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/** The default budget for a workload whose minimum is `minReplicas`: allow one pod down at a time. */
export function defaultMinAvailable(minReplicas: number): number {
  return Math.max(1, minReplicas - 1);
}
