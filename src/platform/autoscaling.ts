import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkInteger, checkReplicaRange, Owner } from './errors';
import { ComponentLabels } from './labels';

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
   * Average memory utilisation, as a percentage of the request, that the HPA aims for.
   * @default 80
   */
  readonly targetMemoryUtilization?: number;
}

/** HorizontalScalingProps with every default applied and checked. */
export interface ResolvedHorizontalScaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  readonly targetMemoryUtilization: number;
}

export function resolveHorizontalScaling(owner: Owner, field: string, props: HorizontalScalingProps = {}): ResolvedHorizontalScaling {
  const resolved = {
    minReplicas: props.minReplicas ?? 2,
    maxReplicas: props.maxReplicas ?? 10,
    targetCpuUtilization: props.targetCpuUtilization ?? 70,
    targetMemoryUtilization: props.targetMemoryUtilization ?? 80,
  };
  checkReplicaRange(owner, field, resolved.minReplicas, resolved.maxReplicas, 1);
  checkInteger(owner, `${field}.targetCpuUtilization`, resolved.targetCpuUtilization, 1, 100);
  checkInteger(owner, `${field}.targetMemoryUtilization`, resolved.targetMemoryUtilization, 1, 100);
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
      metrics: [
        utilization('cpu', scaling.targetCpuUtilization),
        utilization('memory', scaling.targetMemoryUtilization),
      ],
    },
  });
}
