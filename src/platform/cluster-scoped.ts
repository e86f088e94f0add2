import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * cdk8s stamps the chart's namespace on every object. A cluster-scoped object (Namespace,
 * PriorityClass) must not carry one: strict validators reject it, and it misleads readers.
 */
export function clusterScoped(obj: ApiObject): void {
  if (Chart.of(obj).namespace) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
