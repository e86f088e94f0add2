/** A rendered Kubernetes object as plain JSON. */
export type KubeObject = Record<string, any>;

export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const VERSION_LABEL = 'app.kubernetes.io/version';

export function kindOf(obj: KubeObject): string {
  return String(obj.kind ?? '');
}

export function nameOf(obj: KubeObject): string {
  return String(obj.metadata?.name ?? '');
}

export function namespaceOf(obj: KubeObject): string | undefined {
  return obj.metadata?.namespace;
}

export function componentOf(obj: KubeObject): string | undefined {
  return obj.metadata?.labels?.[COMPONENT_LABEL];
}

/** `Kind namespace/name`, or `Kind name` for cluster-scoped objects: how every tool here names an object. */
export function describe(obj: KubeObject): string {
  const ns = namespaceOf(obj);
  return `${kindOf(obj)} ${ns ? `${ns}/` : ''}${nameOf(obj)}`;
}

/** Sorts by kind, namespace and name, for listings that must not depend on construct order. */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject) => [kindOf(o), namespaceOf(o) ?? '', nameOf(o)].join('\u0000');
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
