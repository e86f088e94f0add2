import { NamespaceGuardrailsProps } from '../platform/guardrails';
import { ContainerResources } from '../platform/resources';
import { BrokerKind } from '../workloads/celery-broker';
import { CeleryQueueProps } from '../workloads/celery-worker-pool';

/**
 * An external service of an environment, outside the cluster, as the NetworkPolicies open it: it
 * becomes one of the chart's `externalServices` (the statistics cluster: `stats.elasticsearchCidrs`).
 * Where the app finds PostgreSQL, the broker and the cache is part of the URLs in their Secrets,
 * credentials included.
 */
export interface ExternalServiceSpec {
  readonly cidr: string;
  readonly port: number;
}

/** An external Elasticsearch cluster: its URL (without credentials, which come from Secrets) is configuration. */
export interface ExternalHttpServiceSpec extends ExternalServiceSpec {
  readonly url: string;
}

/** Replica bounds and sizes of one web tier. */
export interface WebTierSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly resources: ContainerResources;
}

/** Everything that differs between two Picvario environments. */
export interface EnvironmentSpec {
  /** Folder name of the render and part of every cluster-scoped name: `test`, `staging`, `production`. */
  readonly name: string;
  /** The namespace all of the environment's objects live in. */
  readonly namespace: string;
  /** The Picvario release deployed: the image tag of the app code and the frontend, and `app.kubernetes.io/version` of every object. */
  readonly appVersion: string;
  /** Where the images come from. */
  readonly registry: string;
  /** The public host name users reach the environment at. */
  readonly host: string;
  readonly ingress: {
    /** The ingress controller's namespace, the only one allowed to reach the edge. */
    readonly namespace: string;
    readonly className: string;
    /** cert-manager ClusterIssuer for the TLS certificate; no TLS without one. */
    readonly clusterIssuer?: string;
  };
  readonly broker: BrokerKind;
  readonly s3: {
    readonly region: string;
    readonly mediaBucket: string;
    readonly staticBucket: string;
    /**
     * An S3-compatible server instead of AWS S3, which the pods reach with the access key in the app
     * Secret (`s3-access-key`, `s3-secret-key`) rather than through their ServiceAccount's role.
     * @default - AWS S3 of the region
     */
    readonly endpoint?: string;
    readonly staticUrl?: string;
    /** Addresses of the S3 endpoints, for egress. */
    readonly cidrs: string[];
    /**
     * The port the pods open to those addresses.
     * @default 443
     */
    readonly port?: number;
  };
  readonly external: {
    readonly postgres: ExternalServiceSpec;
    readonly search: ExternalHttpServiceSpec;
    readonly stats: ExternalHttpServiceSpec;
    readonly broker: ExternalServiceSpec;
    readonly cache: ExternalServiceSpec;
  };
  /**
   * The store the External Secrets Operator copies credentials from.
   * @default - the Secrets already exist in the namespace
   */
  readonly secretStore?: string;
  readonly backend: WebTierSpec & { readonly serverWorkers: number };
  readonly frontend: WebTierSpec;
  readonly edge: WebTierSpec;
  readonly queues: CeleryQueueProps[];
  readonly beat: { readonly resources: ContainerResources };
  readonly jobs: { readonly resources: ContainerResources };
  readonly stats: { readonly logstash: ContainerResources; readonly grafana: ContainerResources };
  readonly quota: NamespaceGuardrailsProps;
}
