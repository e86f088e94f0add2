import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkEnum, checkInteger, checkReplicaRange, invalid, Owner } from './errors';
import { ComponentLabels } from './labels';

/** A resource an HPA scales on, as a percentage of the pods' requests. */
export enum ScalingMetric {
  CPU = 'cpu',
  MEMORY = 'memory',
}

/** Replica bounds and utilisation targets of a HorizontalPodAutoscaler. */
export interface HorizontalScalingProps {
  /**
   * Fewest replicas. Two or more keeps the component available through a node loss.
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Average CPU utilisation, as a percentage of the request, that the HPA aims for.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
  /**
   * Average memory utilisation, as a percentage of the request, that the HPA aims for (with ScalingMetric.MEMORY).
   * @default 80
   */
  readonly targetMemoryUtilization?: number;
  /**
   * What the HPA scales on. Memory suits few apps: Python processes rarely give memory back, so a
   * memory target often scales up and never down.
   * @default [ScalingMetric.CPU]
   */
  readonly scalingMetrics?: ScalingMetric[];
}

/** HorizontalScalingProps with every default applied and checked. */
export interface ResolvedHorizontalScaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  readonly targetMemoryUtilization: number;
  readonly metrics: ScalingMetric[];
}

/** Checks the props, named as the user wrote them (`minReplicas`, not a path of ours). */
export function resolveHorizontalScaling(owner: Owner, props: HorizontalScalingProps = {}): ResolvedHorizontalScaling {
  const metrics = props.scalingMetrics ?? [ScalingMetric.CPU];
  if (!Array.isArray(metrics) || metrics.length === 0) invalid(owner, 'scalingMetrics', 'a non-empty list of ScalingMetric', metrics);
  metrics.forEach((m, i) => checkEnum(owner, `scalingMetrics[${i}]`, m, ScalingMetric));
  if (new Set(metrics).size !== metrics.length) invalid(owner, 'scalingMetrics', 'a list without repeats', metrics);
  const resolved = {
    minReplicas: props.minReplicas ?? 2,
    maxReplicas: props.maxReplicas ?? 10,
    targetCpuUtilization: props.targetCpuUtilization ?? 70,
    targetMemoryUtilization: props.targetMemoryUtilization ?? 80,
    metrics,
  };
  checkReplicaRange(owner, '', resolved.minReplicas, resolved.maxReplicas, 1);
  checkInteger(owner, 'targetCpuUtilization', resolved.targetCpuUtilization, 1, 100);
  checkInteger(owner, 'targetMemoryUtilization', resolved.targetMemoryUtilization, 1, 100);
  return resolved;
}

function utilization(name: string, averageUtilization: number): k8s.MetricSpecV2 {
  return { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } };
}

/** An autoscaling/v2 HPA. The Deployment it targets must not write `spec.replicas`. */
export function addHorizontalAutoscaler(
  scope: Construct, deploymentName: string, labels: ComponentLabels, scaling: ResolvedHorizontalScaling,
): k8s.KubeHorizontalPodAutoscalerV2 {
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    metadata: { name: deploymentName, labels: labels.all },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: scaling.metrics.map((m) => utilization(m, m === ScalingMetric.CPU ? scaling.targetCpuUtilization : scaling.targetMemoryUtilization)),
    },
  });
}
