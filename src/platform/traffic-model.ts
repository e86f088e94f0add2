// The intended-traffic model: what a composition records (app/app-traffic.ts), what the render writes
// into index.json, and what the validation gate (src/validate/cyclonus.ts, which imports it) reads, checks
// and turns into the flows it asks a NetworkPolicy engine about. One definition for all three; not part of the package's API (src/index.ts does not export it).
import * as fs from 'fs';
import * as path from 'path';

/** Node metadata type under which a chart records the traffic it intends; the render writes it to index.json. */
export const TRAFFIC_METADATA = 'k8s-topology:traffic';

/** The transport protocols of a port (NetworkProtocol's values). */
export const TRAFFIC_PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** The label every namespace carries with its own name (Kubernetes sets it). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** Kinds whose pod template (or, for a Pod, itself) gives pods of the folder. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod'];

/** Documentation and benchmark ranges first: addresses no allowed CIDR should ever contain. */
export const OUTSIDE_CANDIDATES = ['192.0.2.10', '198.51.100.10', '203.0.113.10', '198.18.0.10', '8.8.8.8', '1.1.1.1'];

/**
 * Pod networks to take the pods' addresses from (an engine matches ipBlocks against pod addresses too):
 * the first that overlaps no CIDR of the model.
 */
const POD_NETWORK_CANDIDATES = ['10.244.0.0/16', '100.64.0.0/16', '172.30.0.0/16'];

export interface TrafficPort {
  readonly port: number;
  readonly protocol: string;
}

/**
 * An external service, as the model records it: one the app reaches that is none of its components
 * (an `ExternalServiceProps` of the chart, or the statistics Elasticsearch): addresses outside the
 * cluster (`cidrs`), or the pods of another namespace of the cluster (`namespace`, narrowed by
 * `podLabels`). Exactly one of `cidrs` and `namespace` is set. The model's field stays `externals`
 * (and a flow's target `to.external`): it is the format of index.json, which the gate reads.
 */
export interface TrafficExternalService {
  readonly name: string;
  readonly cidrs?: string[];
  readonly namespace?: string;
  /** With `namespace`: the labels of the pods that serve it; every pod of the namespace without. */
  readonly podLabels?: Record<string, string>;
  readonly ports: TrafficPort[];
}

export interface TrafficFlow {
  readonly from: { readonly component?: string; readonly namespace?: string };
  readonly to: { readonly component?: string; readonly external?: string };
  readonly port: number;
  readonly protocol: string;
}

export interface TrafficComponent {
  readonly name: string;
  readonly podLabels: Record<string, string>;
  readonly ports: TrafficPort[];
}

/**
 * The intended traffic of one app: what may connect to what. Written down from the components
 * and the external services, so that the NetworkPolicies made from it (and any engine that checks
 * them) can be compared with what was meant.
 */
export interface TrafficModel {
  readonly namespace: string;
  readonly components: TrafficComponent[];
  readonly dns: { readonly namespace: string; readonly podLabels: Record<string, string>; readonly ports: TrafficPort[] };
  readonly namespaces?: { readonly name: string }[];
  readonly externals?: TrafficExternalService[];
  readonly allowed: TrafficFlow[];
}

// ---------------------------------------------------------------- IPv4

function ipToInt(ip: string): number | null {
  const parts = String(ip).split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** { base, bits, size } of an IPv4 CIDR, or null. */
export function parseCidr(cidr: string): { base: number; bits: number; size: number } | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(String(cidr));
  if (!m) return null;
  const base = ipToInt(m[1]);
  const bits = Number(m[2]);
  if (base === null || bits > 32) return null;
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), bits, size };
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && x.base < y.base + y.size && y.base < x.base + x.size;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return !!c && n !== null && n >= c.base && n < c.base + c.size;
}

/** An address inside the CIDR to probe with: the first host (the address itself for a /32 or /31). */
export function hostIn(cidr: string): string {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
  return intToIp(c.size > 2 ? c.base + 1 : c.base);
}

// ---------------------------------------------------------------- reading and checking the model

export interface LoadedTrafficModel {
  /** The model; null when the folder has none (undefined with an error). */
  readonly model?: unknown;
  /** The file it was read from (or would have been). */
  readonly file: string;
  /** "index.json", or the fallback file relative to the working folder. */
  readonly source?: string;
  readonly error?: string;
}

/**
 * The traffic model of a rendered folder: index.json's "traffic", else `<fallbackDir>/<env>.json`, else
 * null. Not checked: pass it to {@link modelErrors}.
 */
export function loadTrafficModel(envDir: string, env: string, fallbackDir?: string | null): LoadedTrafficModel {
  const index = path.join(envDir, 'index.json');
  if (fs.existsSync(index)) {
    let parsed: any;
    try {
      parsed = JSON.parse(fs.readFileSync(index, 'utf8'));
    } catch (e) {
      return { error: `${index} is not JSON: ${(e as Error).message}`, file: index };
    }
    if (parsed && parsed.traffic !== undefined) return { model: parsed.traffic, file: index, source: 'index.json' };
  }
  if (fallbackDir) {
    const file = path.join(fallbackDir, `${env}.json`);
    if (fs.existsSync(file)) {
      try {
        return { model: JSON.parse(fs.readFileSync(file, 'utf8')), file, source: path.relative(process.cwd(), file) || file };
      } catch (e) {
        return { error: `${file} is not JSON: ${(e as Error).message}`, file };
      }
    }
  }
  return { model: null, file: index };
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isLabels = (v: unknown): v is Record<string, string> => isObj(v) && Object.values(v).every((x) => typeof x === 'string');

function checkPorts(errors: string[], where: string, ports: unknown): void {
  if (!Array.isArray(ports)) {
    errors.push(`${where}.ports must be a list`);
    return;
  }
  ports.forEach((p, i) => {
    if (!isObj(p) || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errors.push(`${where}.ports[${i}].port must be an integer 1..65535`);
    if (!isObj(p) || !TRAFFIC_PROTOCOLS.includes(p.protocol)) errors.push(`${where}.ports[${i}].protocol must be one of ${TRAFFIC_PROTOCOLS.join(', ')}`);
  });
}

function checkExternal(errors: string[], where: string, x: Record<string, any>): void {
  const hasCidrs = x.cidrs !== undefined;
  const hasNamespace = x.namespace !== undefined;
  if (hasCidrs === hasNamespace) {
    errors.push(`${where} must name either cidrs (addresses outside the cluster) or a namespace (pods of the cluster), not ${hasCidrs ? 'both' : 'neither'}`);
  }
  if (hasCidrs) {
    if (!Array.isArray(x.cidrs) || !x.cidrs.length) errors.push(`${where}.cidrs must be a non-empty list`);
    else x.cidrs.forEach((c: unknown, j: number) => { if (!parseCidr(c as string)) errors.push(`${where}.cidrs[${j}]: "${c}" is not an IPv4 CIDR`); });
  }
  if (hasNamespace && (typeof x.namespace !== 'string' || !x.namespace)) errors.push(`${where}.namespace must be a namespace name`);
  if (x.podLabels !== undefined) {
    if (!hasNamespace) errors.push(`${where}.podLabels is only meaningful with a namespace`);
    if (!isLabels(x.podLabels)) errors.push(`${where}.podLabels must be a map of strings`);
  }
  checkPorts(errors, where, x.ports);
}

/** Every problem of the model's shape and references, as sentences; none when it is a usable {@link TrafficModel}. */
export function modelErrors(m: unknown): string[] {
  const errors: string[] = [];
  if (!isObj(m)) return ['the traffic model must be an object'];
  if (typeof m.namespace !== 'string' || !m.namespace) errors.push('namespace must be a namespace name');
  if (!Array.isArray(m.components) || !m.components.length) errors.push('components must be a non-empty list');
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const names = new Set<string>();
  list(m.components).forEach((c, i) => {
    const where = `components[${i}]`;
    if (!isObj(c) || typeof c.name !== 'string' || !c.name) {
      errors.push(`${where}.name is required`);
      return;
    }
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
  const namespaces = new Set<string>();
  if (m.namespaces !== undefined && !Array.isArray(m.namespaces)) errors.push('namespaces must be a list');
  list(m.namespaces).forEach((n, i) => {
    if (!isObj(n) || typeof n.name !== 'string' || !n.name) errors.push(`namespaces[${i}].name is required`);
    else namespaces.add(n.name);
  });
  const externals = new Map<string, Record<string, any>>();
  if (m.externals !== undefined && !Array.isArray(m.externals)) errors.push('externals must be a list');
  list(m.externals).forEach((x, i) => {
    const where = `externals[${i}]`;
    if (!isObj(x) || typeof x.name !== 'string' || !x.name) {
      errors.push(`${where}.name is required`);
      return;
    }
    if (externals.has(x.name)) errors.push(`${where}: external "${x.name}" is listed twice`);
    externals.set(x.name, x);
    checkExternal(errors, where, x);
  });
  if (!Array.isArray(m.allowed)) errors.push('allowed must be a list');
  const components = new Map(list(m.components).filter(isObj).map((c) => [c.name, c]));
  list(m.allowed).forEach((a, i) => {
    const where = `allowed[${i}]`;
    if (!isObj(a) || !isObj(a.from) || !isObj(a.to)) {
      errors.push(`${where} needs from and to`);
      return;
    }
    if (a.from.component !== undefined) {
      if (!components.has(a.from.component)) errors.push(`${where}.from: "${a.from.component}" is not a component of the model`);
    } else if (a.from.namespace !== undefined) {
      if (!namespaces.has(a.from.namespace)) errors.push(`${where}.from: namespace "${a.from.namespace}" is not listed in namespaces`);
    } else {
      errors.push(`${where}.from must name a component or a namespace`);
    }
    if (!Number.isInteger(a.port) || !TRAFFIC_PROTOCOLS.includes(a.protocol)) {
      errors.push(`${where} needs an integer port and a protocol (${TRAFFIC_PROTOCOLS.join(', ')})`);
      return;
    }
    let ports: unknown = null;
    let what = '';
    if (a.to.component !== undefined) {
      const c = components.get(a.to.component);
      if (!c) {errors.push(`${where}.to: "${a.to.component}" is not a component of the model`);} else { ports = c.ports; what = `component "${c.name}"`; }
    } else if (a.to.external !== undefined) {
      const x = externals.get(a.to.external);
      if (!x) {errors.push(`${where}.to: "${a.to.external}" is not listed in externals`);} else { ports = x.ports; what = `external "${x.name}"`; }
    } else {
      errors.push(`${where}.to must name a component or an external`);
    }
    if (Array.isArray(ports) && !ports.some((p) => p && p.port === a.port && p.protocol === a.protocol)) {
      errors.push(`${where}: ${what} does not listen on ${a.port}/${a.protocol}, so the flow can never happen`);
    }
  });
  return errors;
}

// ---------------------------------------------------------------- the workloads of a rendered folder

/** The pods of one workload of a rendered folder. */
export interface Workload {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** The labels of its pods (the pod template's). */
  readonly labels: Record<string, string>;
  readonly file?: string;
}

/** A component of the model with the workloads of the folder that render it. */
export interface ResolvedComponent extends TrafficComponent {
  readonly pods: Workload[];
}

export interface ResolveProblem {
  /** `model-labels` or `workload-not-in-model` */
  readonly check: string;
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}

function labelsMatch(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => (labels ?? {})[k] === v);
}

/** The workloads (pod templates, or Pods) among a folder's objects. */
export function workloadsOf(docs: { readonly obj: any; readonly file?: string }[]): Workload[] {
  const out: Workload[] = [];
  for (const { obj, file } of docs) {
    if (!obj || !WORKLOAD_KINDS.includes(obj.kind)) continue;
    const spec = obj.spec ?? {};
    const template = obj.kind === 'Pod' ? obj
      : obj.kind === 'CronJob' ? (spec.jobTemplate?.spec?.template ?? {})
        : (spec.template ?? {});
    out.push({
      kind: obj.kind,
      name: obj.metadata?.name ?? '',
      namespace: obj.metadata?.namespace ?? '',
      labels: template.metadata?.labels ?? {},
      file,
    });
  }
  return out;
}

/**
 * Each model component with the workloads that render it: the workloads in the model's namespace whose
 * pod labels carry every one of the component's podLabels. A component whose labels match nothing is
 * paired with the workload of its name (or component label), so that its flows are still checked with
 * the labels the cluster would really see; that mismatch is a problem of its own.
 */
export function resolveComponents(model: TrafficModel, workloads: Workload[]): { components: ResolvedComponent[]; problems: ResolveProblem[] } {
  const problems: ResolveProblem[] = [];
  const inNs = workloads.filter((w) => w.namespace === model.namespace);
  const used = new Set<Workload>();
  const components = model.components.map((c) => {
    let pods = inNs.filter((w) => labelsMatch(w.labels, c.podLabels));
    if (!pods.length) {
      const byName = inNs.filter((w) => w.name === c.name || w.labels['app.kubernetes.io/component'] === c.name);
      problems.push({
        check: 'model-labels',
        kind: byName[0] ? byName[0].kind : '',
        name: byName[0] ? byName[0].name : c.name,
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
        check: 'workload-not-in-model',
        kind: w.kind,
        name: w.name,
        message: `${w.kind}/${w.name} (pod labels ${JSON.stringify(w.labels)}) is no component of the traffic model: every workload must be`,
      });
    }
  }
  for (const w of workloads.filter((x) => x.namespace !== model.namespace)) {
    problems.push({
      check: 'workload-not-in-model',
      kind: w.kind,
      name: w.name,
      message: `${w.kind}/${w.namespace}/${w.name} is outside the model's namespace ${model.namespace}`,
    });
  }
  return { components, problems };
}

// ---------------------------------------------------------------- the flows to check

/**
 * One end of a flow. A pod (every type but `outside`, and `external` by namespace) has a namespace,
 * labels, its namespace's labels and an address of the pod network; an address outside the cluster
 * (`outside`, `external` by address) has no namespace, only `ip`.
 */
export interface Peer {
  readonly type: 'component' | 'namespace' | 'other-namespace' | 'dns' | 'external' | 'outside';
  readonly component?: string;
  readonly namespace?: string;
  /** `external`: the external's name. */
  readonly external?: string;
  /** `external` by address: the CIDR the address is taken from. */
  readonly cidr?: string;
  /** `dns`: the DNS pods' labels as the model names them. */
  readonly selector?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly namespaceLabels?: Record<string, string>;
  readonly workload?: string;
  ip?: string;
}

export type FlowKind = 'component' | 'namespace' | 'dns' | 'external' | 'outside' | 'other-namespace';

export interface Flow {
  readonly from: Peer;
  readonly to: Peer;
  readonly port: number;
  readonly protocol: string;
  readonly expected: 'allow' | 'deny';
  readonly kind: FlowKind;
}

export interface BuiltFlows {
  readonly flows: Flow[];
  /** The address outside every CIDR of the model that the outside flows go to; undefined when none is. */
  readonly outside: string | undefined;
  /** The namespace, labelled like another environment of the app, whose pods must be denied. */
  readonly otherNamespace: string;
  /** The network the pods' addresses come from. */
  readonly podNetwork: string | undefined;
}

/** Whether the peer is a pod of the cluster (it has a namespace) rather than an address outside it. */
export function isPod(p: Peer): boolean {
  return p.namespace !== undefined;
}

const labelText = (labels: Record<string, string> | undefined): string => Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');

export function peerName(p: Peer): string {
  switch (p.type) {
    case 'component': return p.component!;
    case 'namespace': return `namespace ${p.namespace}`;
    case 'other-namespace': return `${p.namespace}/${p.component}`;
    case 'dns': return `dns ${p.namespace}/${labelText(p.selector)}`;
    case 'external': return p.cidr !== undefined ? `${p.external} (${p.ip})` : `${p.external} (pod ${p.namespace}/${labelText(p.labels) || 'without labels'})`;
    case 'outside': return `outside (${p.ip})`;
    default: return '?';
  }
}

export function flowName(f: Flow): string {
  return `${peerName(f.from)} -> ${peerName(f.to)} :${f.port}/${f.protocol}`;
}

/** A namespace name that is not in `taken`: `base`, else `base` with "-x" appended until it is free. */
function freeNamespace(base: string, taken: Set<string>): string {
  let name = base;
  while (taken.has(name)) name += '-x';
  taken.add(name);
  return name;
}

/**
 * Every flow to check, from the model alone (the NetworkPolicies are not read here):
 * - every component to every component, on every port the destination listens on;
 * - every listed namespace to every component port;
 * - every component to the cluster DNS on each DNS port (always allowed);
 * - every component to an address in each CIDR of each external by address, on each of its ports;
 * - every component to each external by namespace, on each of its ports: to a pod of that namespace with
 *   the external's pod labels, to a pod of that namespace without them (when it names any), and to a pod
 *   with those labels in a namespace the model does not name;
 * - every component to an address outside every CIDR of the model, on every external and DNS port;
 * - another namespace, labelled like another environment of the app, to every component port, and every
 *   component to that namespace's pods on the same ports.
 * `expected` is "allow" when the flow is listed in `allowed` (or is DNS), "deny" otherwise; a flow to a
 * pod of another namespace is allowed when a listed flow goes to an external whose namespace and pod
 * labels that pod matches.
 */
export function buildFlows(model: TrafficModel, components: ResolvedComponent[], namespaceLabels: Record<string, string>): BuiltFlows {
  const flows: Flow[] = [];
  const externals = model.externals ?? [];
  const modelCidrs = externals.flatMap((x) => x.cidrs ?? []);
  const podNetwork = POD_NETWORK_CANDIDATES.find((n) => !modelCidrs.some((c) => cidrsOverlap(c, n)));
  const podIps = new Map<string, string>();
  // one stable address per pod (namespace and labels), from the pod network
  const podIp = (namespace: string, labels: Record<string, string>): string => {
    if (!podNetwork) throw new Error(`every pod network candidate (${POD_NETWORK_CANDIDATES.join(', ')}) overlaps a CIDR of the model`);
    const key = `${namespace} ${JSON.stringify(Object.entries(labels).sort())}`;
    if (!podIps.has(key)) podIps.set(key, intToIp(parseCidr(podNetwork)!.base + 10 + podIps.size));
    return podIps.get(key)!;
  };
  const listed = (a: TrafficFlow, from: { component?: string; namespace?: string }, port: number, protocol: string): boolean =>
    a.port === port && a.protocol === protocol
    && (from.component !== undefined ? a.from.component === from.component : a.from.namespace === from.namespace);
  const allowed = (from: { component?: string; namespace?: string }, to: { component?: string; external?: string }, port: number, protocol: string) =>
    model.allowed.some((a) => listed(a, from, port, protocol)
      && (to.component !== undefined ? a.to.component === to.component : a.to.external === to.external));
  // a pod of another namespace: allowed when a listed flow goes to an external by namespace that it matches
  const allowedToPod = (component: string, namespace: string, labels: Record<string, string>, port: number, protocol: string) =>
    model.allowed.some((a) => {
      if (!listed(a, { component }, port, protocol) || a.to.external === undefined) return false;
      const x = externals.find((e) => e.name === a.to.external);
      return !!x && x.namespace === namespace && labelsMatch(labels, x.podLabels);
    });
  const nsLabels = (name: string) => ({ ...(name === model.namespace ? namespaceLabels : {}), [NAMESPACE_NAME_LABEL]: name });
  const add = (from: Peer, to: Peer, p: TrafficPort, expected: boolean, kind: FlowKind) =>
    flows.push({ from, to, port: p.port, protocol: p.protocol, expected: expected ? 'allow' : 'deny', kind });
  const podPeers = (c: ResolvedComponent): Peer[] => c.pods.map((w) => ({
    type: 'component',
    component: c.name,
    namespace: model.namespace,
    labels: w.labels,
    namespaceLabels: nsLabels(model.namespace),
    workload: `${w.kind}/${w.name}`,
  }));

  const cs = components.filter((c) => c.pods.length);
  for (const src of cs) {
    for (const dst of cs) {
      for (const p of dst.ports) {
        const ok = allowed({ component: src.name }, { component: dst.name }, p.port, p.protocol);
        for (const a of podPeers(src)) for (const b of podPeers(dst)) add(a, b, p, ok, 'component');
      }
    }
  }
  for (const ns of model.namespaces ?? []) {
    for (const dst of cs) {
      for (const p of dst.ports) {
        const ok = allowed({ namespace: ns.name }, { component: dst.name }, p.port, p.protocol);
        const from: Peer = { type: 'namespace', namespace: ns.name, labels: {}, namespaceLabels: nsLabels(ns.name) };
        for (const b of podPeers(dst)) add(from, b, p, ok, 'namespace');
      }
    }
  }
  const dns: Peer = {
    type: 'dns',
    namespace: model.dns.namespace,
    selector: model.dns.podLabels,
    labels: model.dns.podLabels,
    namespaceLabels: nsLabels(model.dns.namespace),
  };
  for (const src of cs) for (const p of model.dns.ports) for (const a of podPeers(src)) add(a, dns, p, true, 'dns');

  const taken = new Set([
    model.namespace, model.dns.namespace, ...(model.namespaces ?? []).map((n) => n.name), ...externals.flatMap((x) => x.namespace ?? []),
  ]);
  const elsewhere = new Map<string, string>();
  for (const src of cs) {
    for (const x of externals) {
      if (x.namespace === undefined) {
        for (const cidr of x.cidrs ?? []) {
          for (const p of x.ports) {
            const ok = allowed({ component: src.name }, { external: x.name }, p.port, p.protocol);
            const to: Peer = { type: 'external', external: x.name, cidr, ip: hostIn(cidr) };
            for (const a of podPeers(src)) add(a, to, p, ok, 'external');
          }
        }
        continue;
      }
      // the pods that serve it, the other pods of its namespace, and pods labelled like them elsewhere
      const labels = x.podLabels ?? {};
      if (!elsewhere.has(x.namespace)) elsewhere.set(x.namespace, freeNamespace(`${x.namespace}-elsewhere`, taken));
      const targets: [string, Record<string, string>][] = [[x.namespace, labels]];
      if (Object.keys(labels).length) targets.push([x.namespace, {}]);
      targets.push([elsewhere.get(x.namespace)!, labels]);
      for (const [namespace, podLabels] of targets) {
        const to: Peer = { type: 'external', external: x.name, namespace, labels: podLabels, namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
        for (const p of x.ports) {
          const ok = allowedToPod(src.name, namespace, podLabels, p.port, p.protocol);
          for (const a of podPeers(src)) add(a, to, p, ok, 'external');
        }
      }
    }
  }
  const outside = OUTSIDE_CANDIDATES.find((ip) => !modelCidrs.some((c) => cidrContains(c, ip)));
  const outsidePorts = [...new Map([...externals.flatMap((x) => x.ports), ...model.dns.ports]
    .map((p) => [`${p.port}/${p.protocol}`, p])).values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  if (outside) {
    for (const src of cs) for (const p of outsidePorts) for (const a of podPeers(src)) add(a, { type: 'outside', ip: outside }, p, false, 'outside');
  }

  const other = freeNamespace(`${model.namespace}-other`, taken);
  const otherNsLabels: Record<string, string> = { ...namespaceLabels, [NAMESPACE_NAME_LABEL]: other };
  if (otherNsLabels[INSTANCE_LABEL] !== undefined) otherNsLabels[INSTANCE_LABEL] = other;
  const otherPeers = (c: ResolvedComponent): Peer[] => c.pods.map((w) => {
    const labels = { ...w.labels };
    if (labels[INSTANCE_LABEL] !== undefined) labels[INSTANCE_LABEL] = other;
    return { type: 'other-namespace', component: c.name, namespace: other, labels, namespaceLabels: otherNsLabels };
  });
  for (const src of cs) {
    for (const dst of cs) {
      for (const p of dst.ports) {
        for (const a of otherPeers(src)) for (const b of podPeers(dst)) add(a, b, p, false, 'other-namespace');
        for (const a of podPeers(src)) for (const b of otherPeers(dst)) add(a, b, p, false, 'other-namespace');
      }
    }
  }
  for (const f of flows) {
    for (const p of [f.from, f.to]) if (isPod(p)) p.ip = podIp(p.namespace!, p.labels!);
  }
  return { flows, outside, otherNamespace: other, podNetwork };
}
