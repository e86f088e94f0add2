// The gate's report as text: a summary per tool, folder and target, the traffic matrix of each folder,
// the findings, and what the exceptions file accepted.
import * as path from 'path';
import type { TrafficMatrix } from './cyclonus';
import { Finding, objectRef, Tool } from './findings';

/** The count of one tool on one folder (one target: a Kubernetes version, or a part of the traffic check). */
export interface ToolResult {
  readonly tool: Tool;
  readonly env: string;
  readonly target: string;
  readonly checked: number;
  findings: number;
  excepted: number;
}

export interface TrafficResult {
  readonly env: string;
  readonly matrix: TrafficMatrix | null;
  readonly note: string;
}

export interface Report {
  readonly ok: boolean;
  readonly manifestsDir: string;
  readonly envs: string[];
  readonly tools: readonly Tool[];
  readonly findings: Finding[];
  readonly excepted: Finding[];
  readonly results: ToolResult[];
  readonly traffic: TrafficResult[];
  /** The exceptions file the run read, if any. */
  readonly exceptionsFile?: string | null;
  /** The registry hosts KSV-0125 trusted (the exceptions file's trustedRegistries). */
  readonly trustedRegistries: string[];
}

function findingRef(f: Finding): string {
  if (f.tool === 'cyclonus' && (f.kind === 'flow' || f.kind === 'edge' || !f.kind)) return '';
  return ` ${objectRef(f)}`;
}

export function formatReport(report: Report): string {
  const lines: string[] = [];
  lines.push(`validated ${report.manifestsDir} (environments: ${report.envs.join(', ')})`);
  if ((report.trustedRegistries || []).length) lines.push(`trusted registries (KSV-0125): ${report.trustedRegistries.join(', ')}`);
  lines.push('');
  lines.push(`${'tool'.padEnd(12)} ${'environment'.padEnd(14)} ${'target'.padEnd(18)} ${'checked'.padStart(7)} ${'findings'.padStart(8)} ${'excepted'.padStart(8)}`);
  for (const r of report.results) {
    lines.push(`${r.tool.padEnd(12)} ${r.env.padEnd(14)} ${(r.target || '-').padEnd(18)} ${String(r.checked).padStart(7)} ${String(r.findings).padStart(8)} ${String(r.excepted).padStart(8)}`);
  }
  if ((report.traffic || []).length) {
    lines.push('');
    lines.push('traffic matrix (cyclonus verdicts against the intended-traffic model):');
    lines.push(`${'environment'.padEnd(14)} ${'flows'.padStart(6)} ${'allowed'.padStart(7)} ${'denied'.padStart(6)} ${'mismatches'.padStart(10)} ${'diagram edges'.padStart(13)}  model`);
    for (const t of report.traffic) {
      const m = t.matrix;
      if (!m) { lines.push(`${t.env.padEnd(14)} ${'-'.padStart(6)} ${'-'.padStart(7)} ${'-'.padStart(6)} ${'-'.padStart(10)} ${'-'.padStart(13)}  ${t.note || 'no traffic model'}`); continue; }
      const d = m.diagram ? `${m.diagram.edges}/${m.diagram.allowed}` : 'no README';
      lines.push(`${t.env.padEnd(14)} ${String(m.flows).padStart(6)} ${String(m.allowed).padStart(7)} ${String(m.denied).padStart(6)} ${String(m.mismatches).padStart(10)} ${d.padStart(13)}  ${m.source}`);
    }
    lines.push('(diagram edges: component-to-component edges drawn / allowed by the engine)');
  }
  const byTool: Record<string, number> = {};
  for (const f of report.findings) byTool[f.tool] = (byTool[f.tool] || 0) + 1;
  lines.push('');
  lines.push(`per tool: ${[...new Set([...report.tools, ...Object.keys(byTool)])].map((t) => `${t} ${byTool[t] || 0}`).join(', ')}`);
  if (report.findings.length) {
    lines.push('');
    lines.push('findings:');
    for (const f of report.findings) {
      lines.push(`  [${f.tool}${f.target ? ' ' + f.target : ''}] ${f.env}${findingRef(f)} ${f.check}: ${f.message} (${path.relative(process.cwd(), f.file || '')})`);
    }
  }
  const replaced = report.excepted.filter((f) => f.replacedBy);
  const perObject = report.excepted.filter((f) => !f.replacedBy);
  if (replaced.length) {
    lines.push('');
    lines.push('replaced (the "checks" section of the exceptions file; each finding accepted only where the replacement holds):');
    const groups = new Map<string, number>();
    for (const f of replaced) {
      const k = `${f.tool} ${f.check} -> ${f.replacedBy}`;
      groups.set(k, (groups.get(k) || 0) + 1);
    }
    for (const [k, n] of groups) lines.push(`  ${k}: ${n} finding(s)`);
  }
  if (perObject.length) {
    lines.push('');
    lines.push(`excepted (${report.exceptionsFile ? path.relative(process.cwd(), report.exceptionsFile) : 'the exceptions file'}):`);
    for (const f of perObject) lines.push(`  [${f.tool}] ${f.env} ${objectRef(f)} ${f.check}: ${f.reason}${f.until ? ` [temporary, until ${f.until}]` : ''}`);
  }
  lines.push('');
  lines.push(report.ok ? 'validate: PASS, no finding' : `validate: FAIL, ${report.findings.length} finding(s)`);
  return lines.join('\n');
}
