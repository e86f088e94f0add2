import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Kinds that have no namespace, whatever the chart's namespace says (cdk8s stamps it on every object). */
const CLUSTER_SCOPED = new Set(['Namespace', 'PriorityClass', 'StorageClass', 'IngressClass', 'CustomResourceDefinition']);

/** Apps whose whole tree a render checks at once ({@link appDuplicateObjects}); their charts' own checks stand down. */
const checkedAsAWhole = new WeakSet<IConstruct>();

/**
 * The duplicates of a whole app, for the render, which checks every chart at once (names must be
 * unique across charts too). From then on the charts' own checks ({@link addUniqueObjectsValidation})
 * stand down for this app, so the validations the render runs next do not check each chart again.
 */
export function appDuplicateObjects(app: IConstruct): string[] {
  checkedAsAWhole.add(app.node.root);
  return duplicateObjects(app);
}

/**
 * Checks `chart`'s objects for duplicates when it is synthesized on its own (cdk8s's `app.synth()`);
 * a render that checks the whole app ({@link appDuplicateObjects}) skips it. `owner` starts each message.
 */
export function addUniqueObjectsValidation(chart: IConstruct, owner: string): void {
  chart.node.addValidation({
    validate: () => (checkedAsAWhole.has(chart.node.root) ? [] : duplicateObjects(chart).map((m) => `${owner}: ${m}`)),
  });
}

/**
 * Objects under `scope` that share group, kind, namespace and name with an earlier one, as messages
 * naming both constructs: Kubernetes keeps only one of them, and which one depends on the order of
 * applying. Read from the constructs (no serialization), so it is cheap enough to run on every synth.
 */
export function duplicateObjects(scope: IConstruct): string[] {
  const seen = new Map<string, string>();
  const messages: string[] = [];
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const clusterWide = CLUSTER_SCOPED.has(obj.kind) || obj.kind.startsWith('Cluster');
    const namespace = clusterWide ? '' : obj.metadata.namespace ?? '';
    const key = `${obj.apiGroup}/${obj.kind}/${namespace}/${obj.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      messages.push(`${obj.kind} ${namespace ? `${namespace}/` : ''}${obj.name} is rendered twice, by '${first}' and by '${obj.node.path}': ${hint(obj.kind, clusterWide)}`);
    } else {
      seen.set(key, obj.node.path);
    }
  }
  return messages;
}

/** What to change, by where the name must be unique. */
function hint(kind: string, clusterWide: boolean): string {
  if (kind === 'Namespace') {
    return 'one chart renders the namespace and the others use it (the app chart\'s namespaceManagement: NamespaceManagement.EXISTING)';
  }
  if (clusterWide) {
    return 'its name must be unique in the whole cluster, and an app chart\'s cluster-scoped names start with its instance: '
      + 'give each installation its own instance (or leave instance unset: the namespace is used then), or set the name';
  }
  return 'give one of them another name (set its name, or the app chart\'s namePrefix)';
}
