// cyclonus's side of the traffic matrix: the flows (built from the traffic model by the render's own
// code, lib/platform/traffic-model.js) in cyclonus's traffic format, and the tables cyclonus prints
// (`analyze --mode lint,query-traffic`) read back; also the edges of a rendered folder's README diagram.
// Plain CommonJS, like lib.js.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

/** The flow in cyclonus's traffic format (pkg/matcher/traffic.go: Traffic, TrafficPeer, InternalPeer). */
function cyclonusTraffic(f) {
  // a peer without a namespace is an address outside the cluster (traffic-model.ts: isPod)
  const peer = (p) => (p.namespace === undefined
    ? { Internal: null, IP: p.ip }
    : { Internal: { PodLabels: p.labels, NamespaceLabels: p.namespaceLabels, Namespace: p.namespace }, IP: p.ip });
  return { Source: peer(f.from), Destination: peer(f.to), ResolvedPort: f.port, ResolvedPortName: '', Protocol: f.protocol };
}

// ---------------------------------------------------------------- cyclonus output

/**
 * Splits a tablewriter table (row lines on) into rows of cells; each cell's lines are joined with "\n"
 * (tablewriter wraps long cells at spaces, so compare cell text with whitespace removed).
 * Cells that tablewriter merged with the row above (SetAutoMergeCells) come back as "".
 */
function parseTable(lines) {
  const rows = [];
  let current = null;
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
    if (!current) current = cells.map((c) => [c]);
    else cells.forEach((c, i) => { (current[i] = current[i] || []).push(c); });
  }
  if (current) rows.push(current);
  return rows.map((r) => r.map((cell) => cell.filter((x, i) => x !== '' || i === 0).join('\n').trim()));
}

/**
 * The verdicts of `cyclonus analyze --mode query-traffic`: per traffic, { allowed, ingress, egress }, where
 * each direction lists the targets (namespace and pod selector text) that allow and deny it.
 */
function parseQueryTraffic(stdout) {
  const start = stdout.indexOf('query traffic:');
  if (start < 0) throw new Error('cyclonus printed no "query traffic:" section');
  const blocks = stdout.slice(start).split(/^Traffic:$/m).slice(1);
  return blocks.map((block, i) => {
    const at = block.indexOf('Is traffic allowed?');
    if (at < 0) throw new Error(`cyclonus traffic #${i + 1}: no verdict`);
    const lines = block.slice(at).split('\n').slice(1);
    const table = [];
    for (const l of lines) {
      if (!l.trim()) { if (table.length) break; continue; }
      table.push(l);
    }
    const rows = parseTable(table);
    const result = { allowed: null, ingress: { allow: [], deny: [] }, egress: { allow: [], deny: [] } };
    let type = '';
    let action = '';
    for (const [t, a, target] of rows) {
      if (/^IS ALLOWED\?$/i.test(t)) {
        if (/^true$/i.test(a)) result.allowed = true;
        else if (/^false$/i.test(a)) result.allowed = false;
        continue;
      }
      if (/^TYPE$/i.test(t) && /^ACTION$/i.test(a)) continue;
      if (t) { type = t; action = ''; }
      if (a) action = a;
      if (!target) continue;
      const dir = /^ingress$/i.test(type) ? 'ingress' : /^egress$/i.test(type) ? 'egress' : null;
      const act = /^allow$/i.test(action) ? 'allow' : /^deny$/i.test(action) ? 'deny' : null;
      if (dir && act) result[dir][act].push(target);
    }
    if (result.allowed === null) throw new Error(`cyclonus traffic #${i + 1}: no "Is allowed?" footer in ${JSON.stringify(rows)}`);
    return result;
  });
}

/** Lint warnings from the "policy lint:" table: { origin, check, target, policies: ["ns/name", ...] }. */
function parseLint(stdout) {
  const start = stdout.indexOf('policy lint:');
  if (start < 0) throw new Error('cyclonus printed no "policy lint:" section');
  const end = stdout.indexOf('query traffic:', start);
  const lines = stdout.slice(start, end < 0 ? undefined : end).split('\n').slice(1);
  const rows = parseTable(lines);
  return rows
    .filter((r) => r.length >= 4 && /^(source|resolved)$/i.test(r[0]))
    .map(([origin, check, target, policies]) => ({
      origin: origin.toLowerCase(), check, target,
      policies: policies.split('\n').map((s) => s.trim()).filter(Boolean),
    }));
}

/** Text of a pod selector exactly as cyclonus prints it (kube.LabelSelectorTableLines), whitespace removed. */
function selectorKey(namespace, selector) {
  const sel = selector || {};
  const labels = sel.matchLabels || {};
  const exprs = sel.matchExpressions || [];
  const lines = [];
  if (!Object.keys(labels).length && !exprs.length) lines.push('all pods');
  if (Object.keys(labels).length) {
    lines.push('Match labels:');
    for (const k of Object.keys(labels).sort()) lines.push(`${k}: ${labels[k]}`);
  }
  if (exprs.length) {
    lines.push('Match expressions:');
    for (const e of [...exprs].sort((a, b) => a.key.localeCompare(b.key))) lines.push(`${e.key} ${e.operator} [${[...(e.values || [])].sort().join(' ')}]`);
  }
  return `namespace: ${namespace}\n${lines.join('\n')}`.replace(/\s+/g, '');
}

/** The NetworkPolicies (names) behind a target cyclonus printed, for one direction. */
function policiesOfTarget(target, policies, direction) {
  const key = target.replace(/\s+/g, '');
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const names = policies
    .filter((p) => (p.spec.policyTypes || []).includes(type))
    .filter((p) => selectorKey(p.metadata.namespace || '', p.spec.podSelector) === key)
    .map((p) => p.metadata.name);
  return names.length ? names : [target.replace(/\n/g, ' ')];
}

// ---------------------------------------------------------------- the README diagram

/** Component-to-component edges of the folder's README Mermaid flowchart: [{ from, to, port, protocol }]. */
function diagramEdges(readme) {
  const m = /```mermaid\n([\s\S]*?)```/.exec(readme);
  if (!m) return null;
  const names = new Map();
  const edges = [];
  for (const line of m[1].split('\n')) {
    const node = /^\s*(c_[A-Za-z0-9_]+)\["([^"<]+)(<br\/>[^"]*)?"\]\s*$/.exec(line);
    if (node) { names.set(node[1], node[2]); continue; }
    const edge = /^\s*([A-Za-z0-9_]+)\s*-->\|"([^"]*)"\|\s*([A-Za-z0-9_]+)\s*$/.exec(line);
    if (edge) {
      const ports = [...edge[2].matchAll(/:(\d+)(?:\/(TCP|UDP|SCTP))?/g)];
      for (const p of ports) edges.push({ fromId: edge[1], toId: edge[3], port: Number(p[1]), protocol: p[2] || 'TCP' });
    }
  }
  return edges
    .filter((e) => e.fromId.startsWith('c_') && e.toId.startsWith('c_'))
    .map((e) => ({ from: names.get(e.fromId) || e.fromId, to: names.get(e.toId) || e.toId, port: e.port, protocol: e.protocol }));
}

module.exports = {
  cyclonusTraffic, parseTable, parseQueryTraffic, parseLint, selectorKey, policiesOfTarget, diagramEdges,
  tmpdir: () => fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cyclonus-')),
};
