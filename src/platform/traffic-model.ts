/** Node metadata type under which a chart records the traffic it intends; the render writes it to index.json. */
export const TRAFFIC_METADATA = 'k8s-topology:traffic';

export interface TrafficPort {
  readonly port: number;
  readonly protocol: string;
}

export interface TrafficExternal {
  readonly name: string;
  readonly cidrs?: string[];
  readonly namespace?: string;
  readonly podLabels?: Record<string, string>;
  readonly ports: TrafficPort[];
}

export interface TrafficFlow {
  readonly from: { readonly component?: string; readonly namespace?: string };
  readonly to: { readonly component?: string; readonly external?: string };
  readonly port: number;
  readonly protocol: string;
}

/**
 * The intended traffic of one app: what may connect to what. Written down from the components
 * and the external services, so that the NetworkPolicies made from it (and any engine that checks
 * them) can be compared with what was meant.
 */
export interface TrafficModel {
  readonly namespace: string;
  readonly components: { readonly name: string; readonly podLabels: Record<string, string>; readonly ports: TrafficPort[] }[];
  readonly dns: { readonly namespace: string; readonly podLabels: Record<string, string>; readonly ports: TrafficPort[] };
  readonly namespaces: { readonly name: string }[];
  readonly externals: TrafficExternal[];
  readonly allowed: TrafficFlow[];
}

