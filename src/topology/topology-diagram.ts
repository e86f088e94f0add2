import { componentOf, KubeObject, kindOf, nameOf, namespaceOf } from './kube-object';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** Traffic that Picvario's components are known to send, drawn only when both ends are rendered. */
export const KNOWN_TRAFFIC: ReadonlyArray<readonly [string, string]> = [
  ['edge', 'frontend'],
  ['edge', 'backend'],
  ['frontend', 'backend'],
];

/** Services outside the render, recognised by the environment variable that points a pod at them. */
const EXTERNAL_BY_ENV: Record<string, { id: string; label: string }> = {
  CELERY_BROKER_URL: { id: 'broker', label: 'Celery broker' },
  DATABASE_URL: { id: 'postgres', label: 'PostgreSQL' },
  AWS_STORAGE_BUCKET_NAME: { id: 's3', label: 'S3 buckets' },
};

export interface Edge {
  readonly from: string;
  readonly to: string;
}

export interface Topology {
  /** Component name → what renders it, e.g. `Deployment · Service :8000`. */
  readonly components: Map<string, string>;
  /** External id → label. */
  readonly externals: Map<string, string>;
  readonly edges: Edge[];
}

function containers(workload: KubeObject): any[] {
  const spec = workload.spec?.template?.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function brokerKind(objects: KubeObject[]): string | undefined {
  const types = new Set<string>();
  for (const o of objects) if (kindOf(o) === 'ScaledObject') for (const t of o.spec?.triggers ?? []) types.add(t.type);
  const known = ['rabbitmq', 'redis'].filter((t) => types.has(t));
  return known.length ? known.join(', ') : undefined;
}

/** Text that may name another Service: env values and the component's ConfigMaps. */
function textOf(component: string, workloads: KubeObject[], objects: KubeObject[]): string {
  const env = workloads.flatMap(containers).flatMap((c) => (c.env ?? []).map((e: any) => e.value ?? ''));
  const configs = objects.filter((o) => kindOf(o) === 'ConfigMap' && componentOf(o) === component).map((o) => Object.values(o.data ?? {}).join('\n'));
  return [...env, ...configs].join('\n');
}

function mentionsService(text: string, service: KubeObject): boolean {
  const name = nameOf(service).replace(/[.]/g, '\\.');
  const ns = namespaceOf(service);
  const qualified = ns ? `(\\.${ns}(\\.svc(\\.cluster\\.local)?)?)?` : '';
  return new RegExp(`(^|[^A-Za-z0-9.-])${name}${qualified}(:[0-9]+|[/\\s;]|$)`, 'm').test(text);
}

/**
 * Derives the components and the traffic between them from the rendered objects: workloads and
 * Services by component label, known relations where both ends exist, Services named in env
 * values or ConfigMaps, and external dependencies from the env vars that configure them.
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
  const add = (from: string, to: string) => {
    if (from !== to && !edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to });
  };
  const serves = (component: string) => services.some((s) => (componentOf(s) ?? nameOf(s)) === component);
  const runs = (component: string) => workloads.some((w) => (componentOf(w) ?? nameOf(w)) === component);
  for (const [from, to] of KNOWN_TRAFFIC) if (runs(from) && serves(to)) add(from, to);

  const externals = new Map<string, string>();
  const broker = brokerKind(objects);
  for (const component of componentNames.filter(runs)) {
    const own = workloads.filter((w) => (componentOf(w) ?? nameOf(w)) === component);
    const text = textOf(component, own, objects);
    for (const s of services) if (mentionsService(text, s)) add(component, componentOf(s) ?? nameOf(s));
    const envNames = new Set(own.flatMap(containers).flatMap((c) => (c.env ?? []).map((e: any) => e.name)));
    for (const [env, ext] of Object.entries(EXTERNAL_BY_ENV)) {
      if (!envNames.has(env)) continue;
      externals.set(ext.id, ext.id === 'broker' && broker ? `${ext.label} (${broker})` : ext.label);
      add(component, ext.id);
    }
  }
  edges.sort((a, b) => (a.from === b.from ? a.to.localeCompare(b.to) : a.from.localeCompare(b.from)));
  return { components, externals, edges };
}

function nodeId(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

/** A Mermaid flowchart of {@link topologyOf}: rendered components inside the namespace, external services outside. */
export function mermaidDiagram(objects: KubeObject[], namespace: string): string {
  const t = topologyOf(objects);
  const lines = ['flowchart LR', `  subgraph ns["namespace ${namespace}"]`];
  for (const [component, parts] of t.components) lines.push(`    c_${nodeId(component)}["${component}<br/>${parts}"]`);
  lines.push('  end');
  for (const [id, label] of [...t.externals].sort()) lines.push(`  x_${id}[("${label}<br/>outside the cluster render")]`);
  for (const e of t.edges) {
    const to = t.externals.has(e.to) ? `x_${e.to}` : `c_${nodeId(e.to)}`;
    lines.push(`  c_${nodeId(e.from)} --> ${to}`);
  }
  return lines.join('\n');
}
