// The render's traffic model (index.json's "traffic") probed on the real nodes: for each flow that
// buildFlows derives from the model (the one definition the validators use too), one TCP connection
// attempt from a running pod of the source to a running pod (or test host) of the destination,
// compared with the flow's intended verdict. kube-router enforces the rendered NetworkPolicies.
//
// Probed: TCP flows between components, from a listed namespace (a client pod there) to components,
// to the cluster DNS over TCP, to externals by address inside the test hosts' range, and between the
// components and pods labelled like another environment's (otherNamespacePods creates them). Not
// probed, and counted as such: UDP (a connection attempt proves nothing), flows to an address outside
// the model (its candidates are real addresses beyond this machine: never contacted), and flows to an
// external by namespace (none in the shop's model).
import * as path from 'path';
import { kubectl, KubeObject, labelsMatch } from './kube';
import { suitePod } from './request-loop';
import * as t from '../../src/platform/traffic-model';

/** Externals may be probed only inside this range: the test hosts shop-hosts.sh serves. */
const TEST_HOSTS = '203.0.113.0/24';
/** Each connection attempt's bound, in seconds (a denied SYN is dropped or rejected). */
const CONNECT_TIMEOUT = 3;

export interface ProbeTarget {
  readonly flow: t.Flow;
  /** The pod the attempt starts in: namespace, name, container. */
  readonly from: { namespace: string; pod: string; container: string };
  readonly ip: string;
}

export interface ProbeResult {
  readonly flow: t.Flow;
  readonly connected: boolean;
  readonly mismatch: boolean;
}

export interface Plan {
  readonly probes: ProbeTarget[];
  /** Flows not probed, by reason. */
  readonly skipped: Record<string, number>;
}

/** The flows of the rendered folder's traffic model (as the validators build them). */
export function modelFlows(envDir: string, env: string, objects: KubeObject[]): t.Flow[] {
  const loaded = t.loadTrafficModel(envDir, env);
  if (!loaded.model) throw new Error(`${path.join(envDir, 'index.json')} has no traffic model${loaded.error ? `: ${loaded.error}` : ''}`);
  const errors = t.modelErrors(loaded.model);
  if (errors.length) throw new Error(`${loaded.file}: ${errors.join('; ')}`);
  const model = loaded.model as t.TrafficModel;
  const resolved = t.resolveComponents(model, t.workloadsOf(objects.map((obj) => ({ obj }))));
  const namespace = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === model.namespace);
  return t.buildFlows(model, resolved.components, namespace?.metadata.labels ?? {}).flows;
}

/**
 * Where each flow is attempted from and to, among the running pods: a ready pod whose labels match the
 * peer's, the given client pod for a listed namespace, the test hosts for externals by address.
 */
export function planProbes(flows: t.Flow[], pods: KubeObject[], clients: Record<string, string>): Plan {
  const probes: ProbeTarget[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => { skipped[why] = (skipped[why] ?? 0) + 1; };
  const ready = pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp
    && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
  // A pod connecting to its own address is not subject to NetworkPolicy: the destination is another pod.
  const podOf = (peer: t.Peer, not?: string): KubeObject | undefined =>
    ready.find((p) => p.metadata.namespace === peer.namespace && p.metadata.name !== not
      && labelsMatch({ matchLabels: peer.labels }, p.metadata.labels));
  for (const flow of flows) {
    if (flow.protocol !== 'TCP') { skip(`${flow.protocol} (no connection to attempt)`); continue; }
    if (flow.kind === 'outside') { skip('to an address outside the model (never contacted)'); continue; }
    if (flow.kind === 'external' && flow.to.cidr === undefined) { skip('to an external by namespace'); continue; }
    let source: { namespace: string; pod: string; container: string } | undefined;
    if (flow.from.type === 'namespace') {
      const client = clients[flow.from.namespace!];
      if (client) source = { namespace: flow.from.namespace!, pod: client, container: 'main' };
    } else {
      const pod = podOf(flow.from);
      if (pod) source = { namespace: pod.metadata.namespace!, pod: pod.metadata.name, container: pod.spec.containers[0].name };
    }
    if (!source) { skip('no running pod of the source (a Job or CronJob)'); continue; }
    let ip: string | undefined;
    if (flow.kind === 'external') {
      if (!t.cidrContains(TEST_HOSTS, flow.to.ip!)) throw new Error(`${t.flowName(flow)}: ${flow.to.ip} is outside the test hosts' range ${TEST_HOSTS}; not contacted`);
      ip = flow.to.ip;
    } else {
      ip = podOf(flow.to.type === 'dns' ? { ...flow.to, labels: flow.to.selector } : flow.to, source.pod)?.status.podIP;
    }
    if (!ip) { skip('no running pod of the destination other than the source'); continue; }
    probes.push({ flow, from: source, ip });
  }
  return { probes, skipped };
}

/** Listens on the given TCP ports and closes every connection it accepts (bounded: an hour). */
const LISTENER = `
import socket, sys, threading
def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        c.close()
for p in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(p),), daemon=True).start()
threading.Event().wait(3600)
`;

/**
 * The namespace of the model's other-namespace flows (labelled like another environment of the app) and
 * one pod there for each set of pod labels those flows name, listening on the ports the flows go to, so
 * that a denied flow is denied by a policy and not by a closed port. It has no NetworkPolicy of its own.
 */
export function otherNamespacePods(flows: t.Flow[], image: string, uid: number): KubeObject[] {
  const peers = new Map<string, { peer: t.Peer; ports: Set<number> }>();
  for (const f of flows.filter((x) => x.kind === 'other-namespace')) {
    for (const peer of [f.from, f.to]) {
      if (peer.type !== 'other-namespace') continue;
      const key = JSON.stringify(peer.labels);
      const entry = peers.get(key) ?? { peer, ports: new Set<number>() };
      if (peer === f.to) entry.ports.add(f.port);
      peers.set(key, entry);
    }
  }
  const first = [...peers.values()][0]?.peer;
  if (!first) return [];
  const { [t.NAMESPACE_NAME_LABEL]: _name, ...namespaceLabels } = first.namespaceLabels ?? {};
  const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: first.namespace!, labels: namespaceLabels } };
  return [namespace, ...[...peers.values()].map(({ peer, ports }) => suitePod(`like-${peer.component}`, peer.namespace!, image, uid,
    ['python', '-c', LISTENER, ...[...ports].sort().map(String)], { labels: peer.labels }))];
}

/** Runs the probes, one exec per source pod with its attempts side by side, and compares each with its verdict. */
export async function runProbes(probes: ProbeTarget[]): Promise<ProbeResult[]> {
  const bySource = new Map<string, ProbeTarget[]>();
  for (const p of probes) {
    const key = `${p.from.namespace}/${p.from.pod}/${p.from.container}`;
    bySource.set(key, [...(bySource.get(key) ?? []), p]);
  }
  const results: ProbeResult[] = [];
  await Promise.all([...bySource.values()].map(async (group) => {
    const { namespace, pod, container } = group[0].from;
    const targets = [...new Set(group.map((p) => `${p.ip}:${p.flow.port}`))];
    // bash's /dev/tcp, bounded by coreutils' timeout: both are in every image here (Debian's Essential set).
    const script = `for t in ${targets.join(' ')}; do (timeout ${CONNECT_TIMEOUT} bash -c "exec 3<>/dev/tcp/\${t%:*}/\${t#*:}" 2>/dev/null; echo "$t $?") & done; wait`;
    const r = await kubectl(['exec', '-n', namespace, pod, '-c', container, '--', 'bash', '-c', script], { timeoutMs: 60_000 });
    const rc = new Map(r.stdout.trim().split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
    for (const p of group) {
      const code = rc.get(`${p.ip}:${p.flow.port}`);
      if (code === undefined) throw new Error(`no result for ${t.flowName(p.flow)} from ${namespace}/${pod}: exit ${r.code}, ${r.stderr}${r.stdout}`);
      const connected = code === '0';
      results.push({ flow: p.flow, connected, mismatch: connected !== (p.flow.expected === 'allow') });
    }
  }));
  return results;
}

export function describeMismatches(results: ProbeResult[]): string[] {
  return results.filter((r) => r.mismatch)
    .map((r) => `${t.flowName(r.flow)}: expected ${r.flow.expected}, ${r.connected ? 'connected' : 'not connected'}`);
}
