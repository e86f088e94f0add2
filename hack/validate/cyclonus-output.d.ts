// Types of cyclonus-output.js, for the jest tests under test/validate/. The flows and the traffic model
// are the render's own types (src/platform/traffic-model.ts).
import type { Flow } from '../../src/platform/traffic-model';

export interface DirectionVerdict { allow: string[]; deny: string[] }
export interface Verdict { allowed: boolean; ingress: DirectionVerdict; egress: DirectionVerdict }
export interface LintWarning { origin: 'source' | 'resolved'; check: string; target: string; policies: string[] }

export function cyclonusTraffic(flow: Flow): unknown;
export function parseTable(lines: string[]): string[][];
export function parseQueryTraffic(stdout: string): Verdict[];
export function parseLint(stdout: string): LintWarning[];
export function selectorKey(namespace: string, selector: unknown): string;
export function policiesOfTarget(target: string, policies: any[], direction: 'ingress' | 'egress'): string[];
export function diagramEdges(readme: string): Array<{ from: string; to: string; port: number; protocol: string }> | null;
export function tmpdir(): string;
