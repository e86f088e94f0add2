import { SecretStoreKind } from '../platform/external-secret';
import { NetworkProtocol } from '../platform/network-isolation';
import { DjangoBackendOptions } from '../workloads/django-backend';
import { EdgeRouterOptions } from '../workloads/edge/edge-router';
import { NuxtFrontendOptions } from '../workloads/nuxt-frontend';
import { StatsDashboardsOptions, StatsShipperOptions } from '../workloads/stats';

/** Who owns the app's namespace. */
export enum NamespaceManagement {
  /** The chart renders the Namespace, with Pod Security `restricted` enforced. */
  RENDERED = 'rendered',
  /** The namespace exists already (another installation or the platform team renders it). */
  EXISTING = 'existing',
}

/** Groups of an app's components, for saying who may reach an external service. */
export enum ComponentGroup {
  /** Every process that runs the Django code: the backend, and the web services, worker queues, beat, jobs and scheduled commands the app has. */
  APP_CODE = 'app-code',
  /** The Nuxt frontend. */
  FRONTEND = 'frontend',
  /** The nginx edge (S3 downloads and static files). */
  EDGE = 'edge',
  /** The usage-statistics shipper and dashboards. */
  STATS = 'stats',
  /**
   * Flower, the Celery dashboard. It is not app code: it reaches only the services listed for this
   * group, which must include the broker (and nothing else it does not need, such as the database).
   */
  FLOWER = 'flower',
}

/**
 * A service the app uses that it does not run: PostgreSQL, the broker, a cache, S3, a search
 * cluster, or another team's service in the cluster. Its address is in the app's Secrets and
 * settings; this opens the network path to it.
 */
export interface ExternalServiceProps {
  /** A name for it, e.g. `postgres`, used in the traffic model and the reports. */
  readonly name: string;
  /** The ports the components connect to. */
  readonly ports: number[];
  /**
   * The transport protocol.
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: NetworkProtocol;
  /**
   * Its addresses, outside the cluster.
   * @default - namespace must be set
   */
  readonly cidrs?: string[];
  /**
   * A namespace of this cluster whose pods serve it.
   * @default - cidrs must be set
   */
  readonly namespace?: string;
  /**
   * With `namespace`: the labels of the pods that serve it.
   * @default - every pod of `namespace`
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * The components that connect to it.
   * @default [ComponentGroup.APP_CODE]
   */
  readonly reachedBy?: ComponentGroup[];
}

/**
 * A web component beside the backend that runs the app's image: an ASGI server for websockets
 * (Django Channels) or long-lived streamed responses. It is a `DjangoBackend` of its own, with the
 * backend's settings, broker, scaling, budget and spread, and the edge sends it `pathPrefixes`.
 *
 * Two of the backend's options read differently here (jsii lets a struct narrow no inherited field):
 * `name` is required, since every service needs a name of its own (`<namePrefix>-<name>` with the
 * chart's `namePrefix`), and `server` defaults to `AppServer.UVICORN`, since websockets need an ASGI server.
 */
export interface AppWebServiceProps extends DjangoBackendOptions {
  /**
   * The path prefixes the edge sends to it, e.g. `['/ws/']` or `['/api/stream/']`. Each starts and
   * ends with `/` and is used by no other route; one may sit under a backend prefix (the longest wins).
   */
  readonly pathPrefixes: string[];
  /**
   * How long a connection on `pathPrefixes` may stay silent in one direction before the edge and
   * the Ingress controller close it, in seconds (1-86400). Websocket clients that are quiet for
   * longer must send pings.
   * @default 3600
   */
  readonly idleTimeoutSeconds?: number;
}

/** The Nuxt frontend of an app. */
export interface AppFrontendProps extends NuxtFrontendOptions {
  /** The image repository, without tag. */
  readonly image: string;
  /**
   * The image tag.
   * @default - the app version
   */
  readonly tag?: string;
  /**
   * The path of the API below the backend's URL and the public host.
   * @default '/api'
   */
  readonly apiPath?: string;
  /**
   * The API as browsers reach it.
   * @default - `https://<edge host><apiPath>`; required without an edge
   */
  readonly publicApiUrl?: string;
}

/** The nginx edge of an app, and the ingress controller in front of it. */
export interface AppEdgeProps extends EdgeRouterOptions {
  /** The ingress controller's namespace: the only one whose pods may reach the edge. */
  readonly ingressNamespace: string;
  /**
   * Base URL the `/static/` prefix is served from.
   * @default - the statics bucket (`https://<bucket>.s3.<region>.amazonaws.com/`, or `<s3Endpoint>/<bucket>/`)
   */
  readonly staticOrigin?: string;
}

/** The usage-statistics pipeline of an app: Logstash, and optionally Grafana on top. */
export interface AppStatsProps {
  /** The shipper that app code posts usage events to. */
  readonly shipper: StatsShipperOptions;
  /**
   * The dashboards. Their `indexPattern` defaults to the shipper's `indexWildcard`.
   * @default - no dashboards
   */
  readonly dashboards?: StatsDashboardsOptions;
  /** The addresses of the statistics Elasticsearch, which the shipper and dashboards reach. */
  readonly elasticsearchCidrs: string[];
  /**
   * The variable that tells app code where the shipper is.
   * @default 'STATS_SHIPPER_URL'
   */
  readonly shipperUrlVariable?: string;
  /**
   * A namespace whose pods may open the dashboards (an admin gateway, a VPN, an ingress controller for admins).
   * @default - none: operators reach Grafana with `kubectl port-forward`, which NetworkPolicies do not filter
   */
  readonly dashboardsIngressNamespace?: string;
}

/** Where the External Secrets Operator finds the values of the app's Secrets. */
export interface AppSecretStoreProps {
  /** The SecretStore or ClusterSecretStore. */
  readonly storeName: string;
  /**
   * The store's kind.
   * @default SecretStoreKind.CLUSTER_SECRET_STORE
   */
  readonly storeKind?: SecretStoreKind;
  /**
   * The key of a Secret's entry in the store is `<remoteKeyPrefix>/<Secret name>`, one property per key.
   * @default - the namespace
   */
  readonly remoteKeyPrefix?: string;
}
