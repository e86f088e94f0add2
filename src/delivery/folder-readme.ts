import { capacityOf, formatCpu, formatMemory } from './capacity';
import { KubeObject, kindOf } from './kube-object';
import { Provenance } from './provenance';
import { mermaidDiagram } from './topology-diagram';

export const README_FILE = 'README.md';

function kindsIn(objects: KubeObject[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(kindOf(o), (counts.get(kindOf(o)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

function capacityTable(objects: KubeObject[]): string[] {
  const { rows, atMin, atMax } = capacityOf(objects);
  const lines = [
    '| component | workload | scaling | replicas (min–max) | CPU per pod | memory per pod | CPU at min | memory at min | CPU at max | memory at max |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const at = (n: number) => [formatCpu(n * r.perPod.cpuMillis), formatMemory(n * r.perPod.memoryBytes)];
    lines.push(`| ${r.component} | ${r.workload} | ${r.scaling} | ${r.minReplicas}–${r.maxReplicas} | ${formatCpu(r.perPod.cpuMillis)} | ${formatMemory(r.perPod.memoryBytes)} | ${at(r.minReplicas).join(' | ')} | ${at(r.maxReplicas).join(' | ')} |`);
  }
  lines.push(`| **total** | | | | | | **${formatCpu(atMin.cpuMillis)}** | **${formatMemory(atMin.memoryBytes)}** | **${formatCpu(atMax.cpuMillis)}** | **${formatMemory(atMax.memoryBytes)}** |`);
  return lines;
}

/**
 * The human-readable page of a rendered folder: what runs, how it talks, what it costs.
 * Everything is derived from the rendered objects, so it cannot drift from the manifests.
 */
export function folderReadme(folder: string, namespace: string, byFile: Map<string, KubeObject[]>, provenance: Provenance): string {
  const objects = [...byFile.values()].flat();
  const versions = [...new Set(objects.map((o) => o.metadata?.labels?.['app.kubernetes.io/version']).filter(Boolean))].sort();
  return [
    `# ${folder}`,
    '',
    `Namespace \`${namespace}\`, app version ${versions.map((v) => `\`${v}\``).join(', ')}, rendered by \`${provenance.packageName}\` ${provenance.packageVersion}.`,
    'Generated from the objects in this folder; edit the construct code, not this file.',
    '',
    '## Topology',
    '',
    'Components rendered here (inside the namespace box) and the traffic the NetworkPolicies allow',
    'between them; address blocks outside the cluster and namespaces that send traffic in are drawn',
    'with rounded edges. DNS, open to every pod, is left out.',
    '',
    '```mermaid',
    mermaidDiagram(objects, namespace),
    '```',
    '',
    '## Capacity',
    '',
    'Requests reserved on the nodes: replicas (HPA or KEDA bounds, otherwise `spec.replicas`) times',
    'the pod\'s requests. CPU in cores.',
    '',
    ...capacityTable(objects),
    '',
    '## Files',
    '',
    '| file | objects |',
    '| --- | --- |',
    ...[...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([file, objs]) => `| ${file} | ${kindsIn(objs)} |`),
    '',
  ].join('\n');
}
