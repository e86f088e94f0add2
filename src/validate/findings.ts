// What every part of the validation gate reports: the tools it runs and the findings they produce.
import type { Verdict } from './cyclonus-output';
import type { Flow } from '../platform/traffic-model';

export const ALL_TOOLS = ['kubeconform', 'kube-score', 'apiversions', 'trivy', 'cyclonus'] as const;
export type Tool = typeof ALL_TOOLS[number];

export function isTool(name: unknown): name is Tool {
  return (ALL_TOOLS as readonly unknown[]).includes(name);
}

/** A flow of the traffic matrix with cyclonus's verdict on it. */
export interface CheckedFlow extends Flow {
  readonly actual: 'allow' | 'deny';
  readonly verdict: Verdict;
}

export interface Finding {
  /** A tool, or "gate" (the folder itself) or "exceptions" (a stale entry of the exceptions file). */
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
  flow?: CheckedFlow;
  expected?: 'allow' | 'deny';
  actual?: 'allow' | 'deny';
  /** cyclonus DNS lint findings: the traffic matrix proved every component reaches the cluster DNS */
  dnsProvenByMatrix?: boolean;
  /** trivy findings */
  severity?: string;
  title?: string;
}

/** What one tool found in one folder. */
export interface ToolRun {
  readonly findings: Finding[];
  readonly checked: number;
}

/** `Kind/namespace/name`, or `Kind/name` without a namespace. */
export function objectRef(o: { readonly kind: string; readonly namespace: string; readonly name: string }): string {
  return `${o.kind}/${o.namespace ? o.namespace + '/' : ''}${o.name}`;
}
