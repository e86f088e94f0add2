// cyclonus's side of the validation gate's traffic matrix (cyclonus.ts runs cyclonus): the flows of the
// traffic model in cyclonus's traffic format, and the tables cyclonus prints (`analyze --mode
// lint,query-traffic`) read back; also the edges of a rendered folder's README diagram. Typed with the render's own types (the traffic model, the
// Kubernetes objects). Not part of the package's API: src/index.ts does not export it, and it is left out
// of the npm package (.projenrc.ts).
import { k8s } from 'cdk8s-plus-27';
import { Flow, isPod, Peer } from '../platform/traffic-model';

/** cyclonus's matcher.Traffic (pkg/matcher/traffic.go: Traffic, TrafficPeer, InternalPeer; Go field names, no JSON tags). */
export interface CyclonusTraffic {
  readonly Source: CyclonusPeer;
  readonly Destination: CyclonusPeer;
  readonly ResolvedPort: number;
  readonly ResolvedPortName: string;
  readonly Protocol: string;
}

export interface CyclonusPeer {
  readonly Internal: {
    readonly PodLabels: Record<string, string>;
    readonly NamespaceLabels: Record<string, string>;
    readonly Namespace: string;
  } | null;
  /** Every peer needs one: an empty IP makes the ipBlock matcher panic. */
  readonly IP: string;
}

export interface DirectionVerdict {
  /** The targets (namespace and pod selector, as cyclonus prints them) that allow the traffic. */
  readonly allow: string[];
  readonly deny: string[];
}

export interface Verdict {
  readonly allowed: boolean;
  readonly ingress: DirectionVerdict;
  readonly egress: DirectionVerdict;
}

export interface LintWarning {
  readonly origin: 'source' | 'resolved';
  readonly check: string;
  readonly target: string;
  /** "namespace/name" of each source policy */
  readonly policies: string[];
}

/** A NetworkPolicy of a rendered folder, as the render wrote it. */
export interface NetworkPolicyObject {
  readonly metadata: k8s.ObjectMeta;
  readonly spec: k8s.NetworkPolicySpec;
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
}

/** The flow in cyclonus's traffic format: a pod is an internal peer, an address outside the cluster is not. */
export function cyclonusTraffic(f: Flow): CyclonusTraffic {
  const peer = (p: Peer): CyclonusPeer => (isPod(p)
    ? { Internal: { PodLabels: p.labels ?? {}, NamespaceLabels: p.namespaceLabels ?? {}, Namespace: p.namespace! }, IP: p.ip! }
    : { Internal: null, IP: p.ip! });
  return { Source: peer(f.from), Destination: peer(f.to), ResolvedPort: f.port, ResolvedPortName: '', Protocol: f.protocol };
}

// ---------------------------------------------------------------- cyclonus output

/**
 * Splits a tablewriter table (row lines on) into rows of cells; each cell's lines are joined with "\n"
 * (tablewriter wraps long cells at spaces, so compare cell text with whitespace removed).
 * Cells that tablewriter merged with the row above (SetAutoMergeCells) come back as "".
 */
export function parseTable(lines: string[]): string[][] {
  const rows: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of lines) {
    // every line that starts with "+" ends a row, including the partial ones tablewriter draws
    // under merged cells ("+      +-----+")
    if (line.trim().startsWith('+')) {
      if (current) rows.push(current);
      current = null;
      continue;
    }
    if (!line.trim().startsWith('|')) continue;
    const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
    if (!current) {
      current = cells.map((c) => [c]);
    } else {
      const row: string[][] = current;
      cells.forEach((c, i) => { (row[i] = row[i] ?? []).push(c); });
    }
  }
  if (current) rows.push(current);
  return rows.map((r) => r.map((cell) => cell.filter((x, i) => x !== '' || i === 0).join('\n').trim()));
}

/**
 * The verdicts of `cyclonus analyze --mode query-traffic`: per traffic, { allowed, ingress, egress }, where
 * each direction lists the targets (namespace and pod selector text) that allow and deny it.
 */
export function parseQueryTraffic(stdout: string): Verdict[] {
  const start = stdout.indexOf('query traffic:');
  if (start < 0) throw new Error('cyclonus printed no "query traffic:" section');
  const blocks = stdout.slice(start).split(/^Traffic:$/m).slice(1);
  return blocks.map((block, i) => {
    const at = block.indexOf('Is traffic allowed?');
    if (at < 0) throw new Error(`cyclonus traffic #${i + 1}: no verdict`);
    const lines = block.slice(at).split('\n').slice(1);
    const table: string[] = [];
    for (const l of lines) {
      if (!l.trim()) {
        if (table.length) break;
        continue;
      }
      table.push(l);
    }
    const rows = parseTable(table);
    let allowed: boolean | null = null;
    const result = { ingress: { allow: [] as string[], deny: [] as string[] }, egress: { allow: [] as string[], deny: [] as string[] } };
    let type = '';
    let action = '';
    for (const [t, a, target] of rows) {
      if (/^IS ALLOWED\?$/i.test(t)) {
        if (/^true$/i.test(a)) allowed = true;
        else if (/^false$/i.test(a)) allowed = false;
        continue;
      }
      if (/^TYPE$/i.test(t) && /^ACTION$/i.test(a)) continue;
      if (t) {
        type = t;
        action = '';
      }
      if (a) action = a;
      if (!target) continue;
      const dir = /^ingress$/i.test(type) ? 'ingress' : /^egress$/i.test(type) ? 'egress' : null;
      const act = /^allow$/i.test(action) ? 'allow' : /^deny$/i.test(action) ? 'deny' : null;
      if (dir && act) result[dir][act].push(target);
    }
    if (allowed === null) throw new Error(`cyclonus traffic #${i + 1}: no "Is allowed?" footer in ${JSON.stringify(rows)}`);
    return { allowed, ...result };
  });
}

/** Lint warnings from the "policy lint:" table. */
export function parseLint(stdout: string): LintWarning[] {
  const start = stdout.indexOf('policy lint:');
  if (start < 0) throw new Error('cyclonus printed no "policy lint:" section');
  const end = stdout.indexOf('query traffic:', start);
  const lines = stdout.slice(start, end < 0 ? undefined : end).split('\n').slice(1);
  return parseTable(lines)
    .filter((r) => r.length >= 4 && /^(source|resolved)$/i.test(r[0]))
    .map(([origin, check, target, policies]) => ({
      origin: origin.toLowerCase() as LintWarning['origin'],
      check,
      target,
      policies: policies.split('\n').map((s) => s.trim()).filter(Boolean),
    }));
}

/** Text of a pod selector exactly as cyclonus prints it (kube.LabelSelectorTableLines), whitespace removed. */
export function selectorKey(namespace: string, selector: k8s.LabelSelector | undefined): string {
  const labels = selector?.matchLabels ?? {};
  const exprs = selector?.matchExpressions ?? [];
  const lines: string[] = [];
  if (!Object.keys(labels).length && !exprs.length) lines.push('all pods');
  if (Object.keys(labels).length) {
    lines.push('Match labels:');
    for (const k of Object.keys(labels).sort()) lines.push(`${k}: ${labels[k]}`);
  }
  if (exprs.length) {
    lines.push('Match expressions:');
    for (const e of [...exprs].sort((a, b) => a.key.localeCompare(b.key))) lines.push(`${e.key} ${e.operator} [${[...(e.values ?? [])].sort().join(' ')}]`);
  }
  return `namespace: ${namespace}\n${lines.join('\n')}`.replace(/\s+/g, '');
}

/** The NetworkPolicies (names) behind a target cyclonus printed, for one direction. */
export function policiesOfTarget(target: string, policies: NetworkPolicyObject[], direction: 'ingress' | 'egress'): string[] {
  const key = target.replace(/\s+/g, '');
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const names = policies
    .filter((p) => (p.spec.policyTypes ?? []).includes(type))
    .filter((p) => selectorKey(p.metadata.namespace ?? '', p.spec.podSelector) === key)
    .map((p) => p.metadata.name ?? '');
  return names.length ? names : [target.replace(/\n/g, ' ')];
}

// ---------------------------------------------------------------- the README diagram

/** Component-to-component edges of the folder's README Mermaid flowchart; null without a Mermaid block. */
export function diagramEdges(readme: string): DiagramEdge[] | null {
  const m = /```mermaid\n([\s\S]*?)```/.exec(readme);
  if (!m) return null;
  const names = new Map<string, string>();
  const edges: { fromId: string; toId: string; port: number; protocol: string }[] = [];
  for (const line of m[1].split('\n')) {
    const node = /^\s*(c_[A-Za-z0-9_]+)\["([^"<]+)(<br\/>[^"]*)?"\]\s*$/.exec(line);
    if (node) {
      names.set(node[1], node[2]);
      continue;
    }
    const edge = /^\s*([A-Za-z0-9_]+)\s*-->\|"([^"]*)"\|\s*([A-Za-z0-9_]+)\s*$/.exec(line);
    if (edge) {
      for (const p of edge[2].matchAll(/:(\d+)(?:\/(TCP|UDP|SCTP))?/g)) edges.push({ fromId: edge[1], toId: edge[3], port: Number(p[1]), protocol: p[2] ?? 'TCP' });
    }
  }
  return edges
    .filter((e) => e.fromId.startsWith('c_') && e.toId.startsWith('c_'))
    .map((e) => ({ from: names.get(e.fromId) ?? e.fromId, to: names.get(e.toId) ?? e.toId, port: e.port, protocol: e.protocol }));
}
