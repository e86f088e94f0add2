import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Objects under `scope` that share group, kind, namespace and name with an earlier one, as messages
 * naming both constructs: Kubernetes keeps only one of them, and which one depends on the order of
 * applying. Read from the constructs (no serialization), so it is cheap enough to run on every synth.
 */
/** Kinds that have no namespace, whatever the chart's namespace says (cdk8s stamps it on every object). */
const CLUSTER_SCOPED = new Set(['Namespace', 'PriorityClass', 'StorageClass', 'IngressClass', 'CustomResourceDefinition']);

export function duplicateObjects(scope: IConstruct): string[] {
  const seen = new Map<string, string>();
  const messages: string[] = [];
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const namespace = CLUSTER_SCOPED.has(obj.kind) || obj.kind.startsWith('Cluster') ? '' : obj.metadata.namespace ?? '';
    const key = `${obj.apiGroup}/${obj.kind}/${namespace}/${obj.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      messages.push(`${obj.kind} ${namespace ? `${namespace}/` : ''}${obj.name} is rendered twice, by '${first}' and by '${obj.node.path}': `
        + 'give one of them another name (set its name, or the app chart\'s namePrefix)');
    } else {
      seen.set(key, obj.node.path);
    }
  }
  return messages;
}
