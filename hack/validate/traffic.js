// The allowed-traffic matrix of one environment folder: the intended flows (the traffic model the app
// composition writes into index.json, or a fallback file), the flows to check built from it, and the
// NetworkPolicy engine's verdict on each (cyclonus `analyze --mode query-traffic`).
// Plain CommonJS, like lib.js.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
// Documentation and benchmark ranges first: addresses no allowed CIDR should ever contain.
const OUTSIDE_CANDIDATES = ['192.0.2.10', '198.51.100.10', '203.0.113.10', '198.18.0.10', '8.8.8.8', '1.1.1.1'];
// Pod networks to take the pods' addresses from (the engine matches ipBlocks against pod addresses too):
// the first that overlaps no CIDR of the model.
const POD_NETWORK_CANDIDATES = ['10.244.0.0/16', '100.64.0.0/16', '172.30.0.0/16'];

// ---------------------------------------------------------------- IPv4

function ipToInt(ip) {
  const parts = String(ip).split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function intToIp(n) {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** { base, bits } of an IPv4 CIDR, or null. */
function parseCidr(cidr) {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(String(cidr));
  if (!m) return null;
  const base = ipToInt(m[1]);
  const bits = Number(m[2]);
  if (base === null || bits > 32) return null;
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), bits, size };
}

function cidrsOverlap(a, b) {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && x.base < y.base + y.size && y.base < x.base + x.size;
}

function cidrContains(cidr, ip) {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return !!c && n !== null && n >= c.base && n < c.base + c.size;
}

/** An address inside the CIDR to probe with: the first host (the address itself for a /32 or /31). */
function hostIn(cidr) {
  const c = parseCidr(cidr);
  return intToIp(c.size > 2 ? c.base + 1 : c.base);
}

// ---------------------------------------------------------------- the model

/** The traffic model of a folder: index.json's "traffic", else <fallbackDir>/<env>.json, else null. */
function loadTrafficModel(envDir, env, fallbackDir) {
  const index = path.join(envDir, 'index.json');
  if (fs.existsSync(index)) {
    let parsed;
    try {
      parsed = JSON.parse(fs.readFileSync(index, 'utf8'));
    } catch (e) {
      return { error: `${index} is not JSON: ${e.message}`, file: index };
    }
    if (parsed && parsed.traffic !== undefined) return { model: parsed.traffic, file: index, source: 'index.json' };
  }
  if (fallbackDir) {
    const file = path.join(fallbackDir, `${env}.json`);
    if (fs.existsSync(file)) {
      try {
        return { model: JSON.parse(fs.readFileSync(file, 'utf8')), file, source: path.relative(process.cwd(), file) || file };
      } catch (e) {
        return { error: `${file} is not JSON: ${e.message}`, file };
      }
    }
  }
  return { model: null, file: index };
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isLabels = (v) => isObj(v) && Object.entries(v).every(([k, x]) => typeof k === 'string' && typeof x === 'string');

function checkPorts(errors, where, ports) {
  if (!Array.isArray(ports)) { errors.push(`${where}.ports must be a list`); return; }
  ports.forEach((p, i) => {
    if (!isObj(p) || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errors.push(`${where}.ports[${i}].port must be an integer 1..65535`);
    if (!isObj(p) || !PROTOCOLS.includes(p.protocol)) errors.push(`${where}.ports[${i}].protocol must be one of ${PROTOCOLS.join(', ')}`);
  });
}

/** Every problem of the model's shape and references, as sentences; none when it is usable. */
function modelErrors(m) {
  const errors = [];
  if (!isObj(m)) return ['the traffic model must be an object'];
  if (typeof m.namespace !== 'string' || !m.namespace) errors.push('namespace must be a namespace name');
  if (!Array.isArray(m.components) || !m.components.length) errors.push('components must be a non-empty list');
  const names = new Set();
  (Array.isArray(m.components) ? m.components : []).forEach((c, i) => {
    const where = `components[${i}]`;
    if (!isObj(c) || typeof c.name !== 'string' || !c.name) { errors.push(`${where}.name is required`); return; }
    if (names.has(c.name)) errors.push(`${where}: component "${c.name}" is listed twice`);
    names.add(c.name);
    if (!isLabels(c.podLabels) || !Object.keys(c.podLabels).length) errors.push(`${where}.podLabels must be a non-empty map of strings`);
    checkPorts(errors, where, c.ports);
  });
  if (!isObj(m.dns) || typeof m.dns.namespace !== 'string' || !isLabels(m.dns.podLabels)) {
    errors.push('dns must name the DNS namespace and podLabels');
  } else {
    checkPorts(errors, 'dns', m.dns.ports);
  }
  const namespaces = new Set();
  if (m.namespaces !== undefined && !Array.isArray(m.namespaces)) errors.push('namespaces must be a list');
  (Array.isArray(m.namespaces) ? m.namespaces : []).forEach((n, i) => {
    if (!isObj(n) || typeof n.name !== 'string' || !n.name) errors.push(`namespaces[${i}].name is required`);
    else namespaces.add(n.name);
  });
  const externals = new Map();
  if (m.externals !== undefined && !Array.isArray(m.externals)) errors.push('externals must be a list');
  (Array.isArray(m.externals) ? m.externals : []).forEach((x, i) => {
    const where = `externals[${i}]`;
    if (!isObj(x) || typeof x.name !== 'string' || !x.name) { errors.push(`${where}.name is required`); return; }
    externals.set(x.name, x);
    if (!Array.isArray(x.cidrs) || !x.cidrs.length) errors.push(`${where}.cidrs must be a non-empty list`);
    else x.cidrs.forEach((c, j) => { if (!parseCidr(c)) errors.push(`${where}.cidrs[${j}]: "${c}" is not an IPv4 CIDR`); });
    checkPorts(errors, where, x.ports);
  });
  if (!Array.isArray(m.allowed)) errors.push('allowed must be a list');
  const components = new Map((Array.isArray(m.components) ? m.components : []).filter(isObj).map((c) => [c.name, c]));
  (Array.isArray(m.allowed) ? m.allowed : []).forEach((a, i) => {
    const where = `allowed[${i}]`;
    if (!isObj(a) || !isObj(a.from) || !isObj(a.to)) { errors.push(`${where} needs from and to`); return; }
    if (a.from.component !== undefined) {
      if (!components.has(a.from.component)) errors.push(`${where}.from: "${a.from.component}" is not a component of the model`);
    } else if (a.from.namespace !== undefined) {
      if (!namespaces.has(a.from.namespace)) errors.push(`${where}.from: namespace "${a.from.namespace}" is not listed in namespaces`);
    } else {
      errors.push(`${where}.from must name a component or a namespace`);
    }
    if (!Number.isInteger(a.port) || !PROTOCOLS.includes(a.protocol)) { errors.push(`${where} needs an integer port and a protocol (${PROTOCOLS.join(', ')})`); return; }
    let ports = null;
    let what = '';
    if (a.to.component !== undefined) {
      const c = components.get(a.to.component);
      if (!c) errors.push(`${where}.to: "${a.to.component}" is not a component of the model`);
      else { ports = c.ports; what = `component "${c.name}"`; }
    } else if (a.to.external !== undefined) {
      const x = externals.get(a.to.external);
      if (!x) errors.push(`${where}.to: "${a.to.external}" is not listed in externals`);
      else { ports = x.ports; what = `external "${x.name}"`; }
    } else {
      errors.push(`${where}.to must name a component or an external`);
    }
    if (Array.isArray(ports) && !ports.some((p) => p && p.port === a.port && p.protocol === a.protocol)) {
      errors.push(`${where}: ${what} does not listen on ${a.port}/${a.protocol}, so the flow can never happen`);
    }
  });
  return errors;
}

// ---------------------------------------------------------------- the objects of the folder

function labelsMatch(labels, selector) {
  return Object.entries(selector || {}).every(([k, v]) => (labels || {})[k] === v);
}

/** { kind, name, namespace, labels } of every workload's pod template (or Pod) in the folder. */
function workloadsOf(docs) {
  const out = [];
  for (const { obj, file } of docs) {
    if (!obj || !WORKLOAD_KINDS.includes(obj.kind)) continue;
    const spec = obj.spec || {};
    const template = obj.kind === 'Pod' ? obj
      : obj.kind === 'CronJob' ? (((spec.jobTemplate || {}).spec || {}).template || {})
        : (spec.template || {});
    out.push({
      kind: obj.kind, name: (obj.metadata || {}).name || '', namespace: (obj.metadata || {}).namespace || '',
      labels: ((template.metadata || {}).labels) || {}, file,
    });
  }
  return out;
}

/**
 * Each model component with the workloads that render it: the workloads in the model's namespace whose
 * pod labels carry every one of the component's podLabels. A component whose labels match nothing is
 * paired with the workload of its name (or component label), so that its flows are still checked with
 * the labels the cluster would really see; that mismatch is a finding of its own.
 */
function resolveComponents(model, workloads) {
  const problems = [];
  const inNs = workloads.filter((w) => w.namespace === model.namespace);
  const used = new Set();
  const components = model.components.map((c) => {
    let pods = inNs.filter((w) => labelsMatch(w.labels, c.podLabels));
    if (!pods.length) {
      const byName = inNs.filter((w) => w.name === c.name || w.labels['app.kubernetes.io/component'] === c.name);
      problems.push({
        check: 'model-labels', kind: byName[0] ? byName[0].kind : '', name: byName[0] ? byName[0].name : c.name,
        message: byName.length
          ? `component "${c.name}": podLabels ${JSON.stringify(c.podLabels)} match no pod of the folder; ${byName[0].kind}/${byName[0].name} (taken instead) has ${JSON.stringify(byName[0].labels)}`
          : `component "${c.name}": no workload of the folder has pod labels ${JSON.stringify(c.podLabels)}, nor its name; its flows are not checked`,
      });
      pods = byName;
    }
    pods.forEach((w) => used.add(w));
    return { ...c, pods };
  });
  for (const w of inNs) {
    if (!used.has(w)) {
      problems.push({
        check: 'workload-not-in-model', kind: w.kind, name: w.name,
        message: `${w.kind}/${w.name} (pod labels ${JSON.stringify(w.labels)}) is no component of the traffic model: every workload must be`,
      });
    }
  }
  for (const w of workloads.filter((x) => x.namespace !== model.namespace)) {
    problems.push({
      check: 'workload-not-in-model', kind: w.kind, name: w.name,
      message: `${w.kind}/${w.namespace}/${w.name} is outside the model's namespace ${model.namespace}`,
    });
  }
  return { components, problems };
}

// ---------------------------------------------------------------- flows

function portKey(p) {
  return `${p.port}/${p.protocol}`;
}

function peerName(p) {
  switch (p.type) {
    case 'component': return p.component;
    case 'namespace': return `namespace ${p.namespace}`;
    case 'other-namespace': return `${p.namespace}/${p.component}`;
    case 'dns': return `dns ${p.namespace}/${Object.entries(p.selector).map(([k, v]) => `${k}=${v}`).join(',')}`;
    case 'external': return `${p.external} (${p.ip})`;
    case 'outside': return `outside (${p.ip})`;
    default: return '?';
  }
}

function flowName(f) {
  return `${peerName(f.from)} -> ${peerName(f.to)} :${f.port}/${f.protocol}`;
}

/**
 * Every flow to check, from the model alone (the NetworkPolicies are not read here):
 * - every component to every component, on every port the destination listens on;
 * - every listed namespace to every component port;
 * - every component to the cluster DNS on each DNS port (always allowed);
 * - every component to an address in each CIDR of each external, on each of its ports;
 * - every component to an address outside every CIDR of the model, on every external and DNS port;
 * - another namespace, labelled like another environment of the app, to every component port, and every
 *   component to that namespace's pods on the same ports.
 * `expected` is "allow" when the flow is listed in `allowed` (or is DNS), "deny" otherwise.
 */
function buildFlows(model, components, namespaceLabels) {
  const flows = [];
  const modelCidrs = (model.externals || []).flatMap((x) => x.cidrs);
  const podNetwork = POD_NETWORK_CANDIDATES.find((n) => !modelCidrs.some((c) => cidrsOverlap(c, n)));
  const podIps = new Map();
  // one stable address per pod (namespace and labels), from the pod network
  const podIp = (namespace, labels) => {
    const key = `${namespace} ${JSON.stringify(Object.entries(labels).sort())}`;
    if (!podIps.has(key)) podIps.set(key, intToIp(parseCidr(podNetwork).base + 10 + podIps.size));
    return podIps.get(key);
  };
  const allowed = (from, to, port, protocol) => (model.allowed || []).some((a) => a.port === port && a.protocol === protocol
    && (from.component !== undefined ? a.from.component === from.component : a.from.namespace === from.namespace)
    && (to.component !== undefined ? a.to.component === to.component : a.to.external === to.external));
  const nsLabels = (name) => ({ ...(name === model.namespace ? namespaceLabels : {}), [NAMESPACE_NAME_LABEL]: name });
  const add = (from, to, p, expected, kind) => flows.push({ from, to, port: p.port, protocol: p.protocol, expected, kind });
  const podPeers = (c) => c.pods.map((w) => ({
    type: 'component', component: c.name, namespace: model.namespace, labels: w.labels,
    namespaceLabels: nsLabels(model.namespace), workload: `${w.kind}/${w.name}`,
  }));

  const cs = components.filter((c) => c.pods.length);
  for (const src of cs) {
    for (const dst of cs) {
      for (const p of dst.ports) {
        const ok = allowed({ component: src.name }, { component: dst.name }, p.port, p.protocol);
        for (const a of podPeers(src)) for (const b of podPeers(dst)) add(a, b, p, ok ? 'allow' : 'deny', 'component');
      }
    }
  }
  for (const ns of model.namespaces || []) {
    for (const dst of cs) {
      for (const p of dst.ports) {
        const ok = allowed({ namespace: ns.name }, { component: dst.name }, p.port, p.protocol);
        const from = { type: 'namespace', namespace: ns.name, labels: {}, namespaceLabels: nsLabels(ns.name) };
        for (const b of podPeers(dst)) add(from, b, p, ok ? 'allow' : 'deny', 'namespace');
      }
    }
  }
  const dns = {
    type: 'dns', namespace: model.dns.namespace, selector: model.dns.podLabels, labels: model.dns.podLabels,
    namespaceLabels: nsLabels(model.dns.namespace),
  };
  for (const src of cs) for (const p of model.dns.ports) for (const a of podPeers(src)) add(a, dns, p, 'allow', 'dns');

  for (const src of cs) {
    for (const x of model.externals || []) {
      for (const cidr of x.cidrs) {
        for (const p of x.ports) {
          const ok = allowed({ component: src.name }, { external: x.name }, p.port, p.protocol);
          const to = { type: 'external', external: x.name, cidr, ip: hostIn(cidr) };
          for (const a of podPeers(src)) add(a, to, p, ok ? 'allow' : 'deny', 'external');
        }
      }
    }
  }
  const outside = OUTSIDE_CANDIDATES.find((ip) => !modelCidrs.some((c) => cidrContains(c, ip)));
  const outsidePorts = [...new Map([...(model.externals || []).flatMap((x) => x.ports), ...model.dns.ports]
    .map((p) => [portKey(p), p])).values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  if (outside) {
    for (const src of cs) for (const p of outsidePorts) for (const a of podPeers(src)) add(a, { type: 'outside', ip: outside }, p, 'deny', 'outside');
  }

  const taken = new Set([model.namespace, model.dns.namespace, ...(model.namespaces || []).map((n) => n.name)]);
  let other = `${model.namespace}-other`;
  while (taken.has(other)) other += '-x';
  const otherNsLabels = { ...namespaceLabels, [NAMESPACE_NAME_LABEL]: other };
  if (otherNsLabels[INSTANCE_LABEL] !== undefined) otherNsLabels[INSTANCE_LABEL] = other;
  const otherPeers = (c) => c.pods.map((w) => {
    const labels = { ...w.labels };
    if (labels[INSTANCE_LABEL] !== undefined) labels[INSTANCE_LABEL] = other;
    return { type: 'other-namespace', component: c.name, namespace: other, labels, namespaceLabels: otherNsLabels };
  });
  for (const src of cs) {
    for (const dst of cs) {
      for (const p of dst.ports) {
        for (const a of otherPeers(src)) for (const b of podPeers(dst)) add(a, b, p, 'deny', 'other-namespace');
        for (const a of podPeers(src)) for (const b of otherPeers(dst)) add(a, b, p, 'deny', 'other-namespace');
      }
    }
  }
  for (const f of flows) {
    for (const p of [f.from, f.to]) if (p.type !== 'external' && p.type !== 'outside') p.ip = podIp(p.namespace, p.labels);
  }
  return { flows, outside, otherNamespace: other, podNetwork };
}

/** The flow in cyclonus's traffic format (pkg/matcher/traffic.go: Traffic, TrafficPeer, InternalPeer). */
function cyclonusTraffic(f) {
  const peer = (p) => (p.type === 'external' || p.type === 'outside'
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
  OUTSIDE_CANDIDATES, WORKLOAD_KINDS,
  parseCidr, cidrContains, hostIn,
  loadTrafficModel, modelErrors, workloadsOf, resolveComponents, buildFlows, flowName, peerName, cyclonusTraffic,
  parseTable, parseQueryTraffic, parseLint, selectorKey, policiesOfTarget, diagramEdges,
  tmpdir: () => fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cyclonus-')),
};
