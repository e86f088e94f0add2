import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ComponentIdentityProps } from './labels';

/**
 * cdk8s stamps the chart's namespace on every object. A cluster-scoped object (Namespace,
 * PriorityClass) must not carry one: strict validators reject it, and it misleads readers.
 */
export function clusterScoped(obj: ApiObject): void {
  if (Chart.of(obj).namespace) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

/**
 * The start of an installation's cluster-scoped names. The instance when it is given; otherwise the
 * namespace of the chart, which no other installation in the cluster has (two installations in one
 * namespace differ by their name prefixes, which follow); the app name only in a chart without a namespace.
 * The app name alone would make the staging and production of one app collide.
 */
export function clusterNamePrefix(scope: IConstruct, identity: ComponentIdentityProps): string {
  return clusterNamePrefixOf(identity.instance, Chart.of(scope).namespace, identity.appName);
}

/** {@link clusterNamePrefix} from the values themselves, for deriving another chart's names. */
export function clusterNamePrefixOf(instance: string | undefined, namespace: string | undefined, appName: string): string {
  return instance ?? namespace ?? appName;
}
