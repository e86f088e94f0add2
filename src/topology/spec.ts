import { ContainerResources } from '../platform/resources';
import { BrokerKind } from '../workloads/celery-broker';
import { CeleryQueueProps } from '../workloads/celery-worker-pool';

/** Everything that differs between two Picvario environments. */
export interface EnvironmentSpec {
  /** Folder name of the render and part of every cluster-scoped name: `test`, `staging`, `production`. */
  readonly name: string;
  /** The namespace all of the environment's objects live in. */
  readonly namespace: string;
  /** The Picvario release deployed: the image tag of every component and `app.kubernetes.io/version`. */
  readonly appVersion: string;
  /** Where the images come from. */
  readonly registry: string;
  readonly broker: BrokerKind;
  readonly s3: {
    readonly region: string;
    readonly mediaBucket: string;
    readonly staticBucket: string;
    readonly endpoint?: string;
    readonly staticUrl?: string;
  };
  readonly backend: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly serverWorkers: number;
    readonly resources: ContainerResources;
  };
  readonly queues: CeleryQueueProps[];
  readonly beat: { readonly resources: ContainerResources };
}
