// Types of traffic.js, for the jest tests under test/validate/.
export interface PortSpec { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }

export interface TrafficModel {
  namespace: string;
  components: Array<{ name: string; podLabels: Record<string, string>; ports: PortSpec[] }>;
  dns: { namespace: string; podLabels: Record<string, string>; ports: PortSpec[] };
  namespaces?: Array<{ name: string }>;
  externals?: Array<{ name: string; cidrs: string[]; ports: PortSpec[] }>;
  allowed: Array<{
    from: { component?: string; namespace?: string };
    to: { component?: string; external?: string };
    port: number;
    protocol: string;
  }>;
}

export interface Peer {
  type: 'component' | 'namespace' | 'other-namespace' | 'dns' | 'external' | 'outside';
  component?: string;
  namespace?: string;
  external?: string;
  labels?: Record<string, string>;
  namespaceLabels?: Record<string, string>;
  ip?: string;
}

export interface Flow {
  from: Peer;
  to: Peer;
  port: number;
  protocol: string;
  expected: 'allow' | 'deny';
  kind: 'component' | 'namespace' | 'dns' | 'external' | 'outside' | 'other-namespace';
}

export interface Workload { kind: string; name: string; namespace: string; labels: Record<string, string>; file?: string }
export interface ResolvedComponent { name: string; podLabels: Record<string, string>; ports: PortSpec[]; pods: Workload[] }

export interface DirectionVerdict { allow: string[]; deny: string[] }
export interface Verdict { allowed: boolean; ingress: DirectionVerdict; egress: DirectionVerdict }
export interface LintWarning { origin: 'source' | 'resolved'; check: string; target: string; policies: string[] }

export const OUTSIDE_CANDIDATES: string[];
export const WORKLOAD_KINDS: string[];
export function parseCidr(cidr: string): { base: number; bits: number; size: number } | null;
export function cidrContains(cidr: string, ip: string): boolean;
export function hostIn(cidr: string): string;
export function loadTrafficModel(envDir: string, env: string, fallbackDir?: string | null):
  { model?: TrafficModel | null; file: string; source?: string; error?: string };
export function modelErrors(model: unknown): string[];
export function workloadsOf(docs: Array<{ obj: any; file: string }>): Workload[];
export function resolveComponents(model: TrafficModel, workloads: Workload[]):
  { components: ResolvedComponent[]; problems: Array<{ check: string; kind: string; name: string; message: string }> };
export function buildFlows(model: TrafficModel, components: ResolvedComponent[], namespaceLabels: Record<string, string>):
  { flows: Flow[]; outside: string | undefined; otherNamespace: string; podNetwork: string | undefined };
export function flowName(flow: Flow): string;
export function cyclonusTraffic(flow: Flow): unknown;
export function parseTable(lines: string[]): string[][];
export function parseQueryTraffic(stdout: string): Verdict[];
export function parseLint(stdout: string): LintWarning[];
export function selectorKey(namespace: string, selector: unknown): string;
export function policiesOfTarget(target: string, policies: any[], direction: 'ingress' | 'egress'): string[];
export function diagramEdges(readme: string): Array<{ from: string; to: string; port: number; protocol: string }> | null;
