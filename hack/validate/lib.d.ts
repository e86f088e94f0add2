// Types of lib.js, for the jest tests under test/validate/.
export type Tool = 'kubeconform' | 'kube-score' | 'apiversions' | 'trivy' | 'cyclonus';

export interface Finding {
  tool: string;
  env: string;
  target: string;
  check: string;
  kind: string;
  namespace: string;
  name: string;
  file: string;
  message: string;
  reason?: string;
  /** excepted only: the check-level replacement that accepted it */
  replacedBy?: string;
  /** excepted only: the fix that ends a temporary exception */
  until?: string;
  /** cyclonus traffic findings */
  expected?: 'allow' | 'deny';
  actual?: 'allow' | 'deny';
  /** trivy findings */
  severity?: string;
}

export interface ToolResult {
  tool: Tool;
  env: string;
  target: string;
  checked: number;
  findings: number;
  excepted: number;
}

export interface TrafficMatrix {
  /** where the model came from: index.json, or the fallback file */
  source: string;
  components: number;
  flows: number;
  allowed: number;
  denied: number;
  mismatches: number;
  /** the address outside every CIDR of the model that the outside flows go to */
  outside: string;
  /** the namespace, labelled like another environment, whose pods must be denied */
  otherNamespace: string;
  /** every DNS flow was allowed by the engine */
  dnsProven: boolean;
  /** README diagram: component-to-component edges drawn, allowed by the engine, and the differences */
  diagram: { edges: number; allowed: number; mismatches: number } | null;
}

export interface TrafficResult {
  env: string;
  matrix: TrafficMatrix | null;
  note: string;
}

export interface Report {
  ok: boolean;
  traffic: TrafficResult[];
  manifestsDir: string;
  envs: string[];
  tools: Tool[];
  findings: Finding[];
  excepted: Finding[];
  results: ToolResult[];
  /** The exceptions file the run read, if any. */
  exceptionsFile?: string | null;
  /** The registry hosts KSV-0125 trusted (the exceptions file's trustedRegistries). */
  trustedRegistries: string[];
}

export interface Paths {
  repo: string;
  cache: string;
  versions: Record<string, string>;
  crdsDir: string;
  kubeconform: string;
  kubeScore: string;
  trivy: string;
  cyclonus: string;
  k8sVersions: string[];
  k8sSchemaDirs: Record<string, string>;
  crdSchemaDir: string;
  lifecycleFile: string;
}

export interface ValidateOptions {
  manifestsDir?: string;
  envs?: string[];
  tools?: Tool[];
  /** null: no exceptions file; undefined: hack/validate/exceptions.yaml */
  exceptionsFile?: string | null;
  /** DIR/<environment>.json: the traffic model of a folder whose index.json has no "traffic" field */
  trafficModels?: string;
  paths?: Paths;
}

export const ALL_TOOLS: Tool[];
export const INSTALL_HINT: string;
export const SECURITY_CHECKS: Set<string>;
export function resolvePaths(env?: NodeJS.ProcessEnv): Paths;
export function checkPrerequisites(paths?: Paths, tools?: Tool[]): void;
export function loadExceptions(file: string): Array<Record<string, string>>;
export function loadExceptionsFile(file: string): { exceptions: Array<Record<string, string>>; decisions: Array<Record<string, string>>; trustedRegistries: string[] };
export function isSecurityCheck(check: string): boolean;
export function validate(opts?: ValidateOptions): Report;
export function formatReport(report: Report): string;
export function minorsBetween(oldest: string, newest: string): string[];
