import { COMPONENT_LABEL, componentOf, KubeObject, kindOf, nameOf } from './kube-object';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** Names for the ports the external services of a Django + Celery app listen on. */
const WELL_KNOWN_PORTS: Record<number, string> = {
  443: 'HTTPS', 5432: 'PostgreSQL', 5672: 'AMQP', 6379: 'Redis', 9200: 'Elasticsearch',
};

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** The ports, e.g. `:5432 PostgreSQL`. */
  readonly label: string;
}

export interface Topology {
  /** Component name → what renders it, e.g. `Deployment · Service :8000`. */
  readonly components: Map<string, string>;
  /** External id → label: address blocks outside the cluster and namespaces that send traffic in. */
  readonly externals: Map<string, string>;
  readonly edges: Edge[];
}

function portsLabel(rule: any): string {
  return (rule.ports ?? []).map((p: any) => `:${p.port}${WELL_KNOWN_PORTS[p.port] ? ` ${WELL_KNOWN_PORTS[p.port]}` : ''}`).join(', ');
}

/**
 * The components (workloads and Services, by component label) and the traffic between them,
 * read from the NetworkPolicies: what is drawn is exactly what the cluster lets through.
 * Traffic between components is read from the sender's egress rules, traffic from other
 * namespaces from the receiver's ingress rules, and address blocks become external nodes.
 */
export function topologyOf(objects: KubeObject[]): Topology {
  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(kindOf(o)));
  const services = objects.filter((o) => kindOf(o) === 'Service');
  const components = new Map<string, string>();
  const componentNames = [...new Set([...workloads, ...services].map((o) => componentOf(o) ?? nameOf(o)))].sort();
  for (const component of componentNames) {
    const parts = [...workloads, ...services]
      .filter((o) => (componentOf(o) ?? nameOf(o)) === component)
      .map((o) => (kindOf(o) === 'Service' ? `Service :${(o.spec?.ports ?? []).map((p: any) => p.port).join(',')}` : kindOf(o)));
    components.set(component, [...new Set(parts)].join(' · '));
  }

  const edges: Edge[] = [];
  const externals = new Map<string, string>();
  const add = (from: string, to: string, label: string) => {
    if (from !== to && !edges.some((e) => e.from === from && e.to === to && e.label === label)) edges.push({ from, to, label });
  };
  for (const policy of objects.filter((o) => kindOf(o) === 'NetworkPolicy')) {
    const owner = policy.spec?.podSelector?.matchLabels?.[COMPONENT_LABEL];
    if (!owner) continue;
    for (const rule of policy.spec?.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const target = peer.podSelector?.matchLabels?.[COMPONENT_LABEL];
        if (target) add(owner, target, portsLabel(rule));
        if (peer.ipBlock?.cidr) {
          const id = `cidr ${peer.ipBlock.cidr}`;
          externals.set(id, peer.ipBlock.cidr);
          add(owner, id, portsLabel(rule));
        }
      }
    }
    for (const rule of policy.spec?.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        const namespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
        if (!namespace) continue;
        const id = `namespace ${namespace}`;
        externals.set(id, `namespace ${namespace}`);
        add(id, owner, portsLabel(rule));
      }
    }
  }
  edges.sort((a, b) => (a.from === b.from ? a.to.localeCompare(b.to) : a.from.localeCompare(b.from)));
  return { components, externals, edges };
}

function nodeId(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

/** A Mermaid flowchart of {@link topologyOf}: rendered components inside the namespace, the rest outside. */
export function mermaidDiagram(objects: KubeObject[], namespace: string): string {
  const t = topologyOf(objects);
  const lines = ['flowchart LR', `  subgraph ns["namespace ${namespace}"]`];
  for (const [component, parts] of t.components) lines.push(`    c_${nodeId(component)}["${component}<br/>${parts}"]`);
  lines.push('  end');
  for (const [id, label] of [...t.externals].sort()) lines.push(`  x_${nodeId(id)}[("${label}")]`);
  const node = (id: string) => (t.externals.has(id) ? `x_${nodeId(id)}` : `c_${nodeId(id)}`);
  for (const e of t.edges) lines.push(`  ${node(e.from)} -->|"${e.label}"| ${node(e.to)}`);
  return lines.join('\n');
}
