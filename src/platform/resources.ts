import { k8s } from 'cdk8s-plus-27';
import { invalid, Owner } from './errors';
import { canonicalQuantity, parseQuantity } from './quantity';

/**
 * Requests and limits of one container.
 *
 * There is deliberately no library default: every component states what it needs,
 * so nothing runs with a size that nobody chose.
 */
export interface ContainerResources {
  /** CPU the scheduler reserves, e.g. `250m` or `1`. */
  readonly cpuRequest: string;
  /** CPU the container may burst to. Must be >= cpuRequest. */
  readonly cpuLimit: string;
  /** Memory the scheduler reserves, e.g. `512Mi`. */
  readonly memoryRequest: string;
  /** Memory at which the container is OOM-killed. Must be >= memoryRequest. */
  readonly memoryLimit: string;
  /**
   * Node-local disk (logs and the container's emptyDirs) the scheduler reserves.
   * @default '256Mi'
   */
  readonly ephemeralStorageRequest?: string;
  /**
   * Node-local disk at which the pod is evicted. Must be >= ephemeralStorageRequest, and cover the emptyDirs' size limits.
   * @default '1Gi'
   */
  readonly ephemeralStorageLimit?: string;
  /**
   * Extended resources a device plugin offers, e.g. `{ 'nvidia.com/gpu': '1' }`: requested and limited
   * alike (Kubernetes requires both to be equal for them).
   * @default - none
   */
  readonly extendedResources?: { [resource: string]: string };
}

function pair(owner: Owner, field: string, resource: string, request: string, limit: string): [string, string] {
  const req = parseQuantity(owner, `${field}.${resource}Request`, request);
  const lim = parseQuantity(owner, `${field}.${resource}Limit`, limit);
  if (lim.millis < req.millis) {
    invalid(owner, `${field}.${resource}Limit`, `>= ${resource}Request (${request})`, limit);
  }
  return [canonicalQuantity(owner, field, request), canonicalQuantity(owner, field, limit)];
}

/** Validates the sizes and renders them in the canonical form the API server stores. */
export function renderResources(owner: Owner, field: string, resources: ContainerResources): k8s.ResourceRequirements {
  if (!resources) invalid(owner, field, 'explicit cpu/memory requests and limits', resources);
  const [cpuRequest, cpuLimit] = pair(owner, field, 'cpu', resources.cpuRequest, resources.cpuLimit);
  const [memoryRequest, memoryLimit] = pair(owner, field, 'memory', resources.memoryRequest, resources.memoryLimit);
  // A pod that fills the node's disk with logs or scratch files is evicted before it hurts its neighbours.
  const [diskRequest, diskLimit] = pair(owner, field, 'ephemeralStorage',
    resources.ephemeralStorageRequest ?? '256Mi', resources.ephemeralStorageLimit ?? '1Gi');
  const q = (value: string) => k8s.Quantity.fromString(value);
  const extended: Record<string, k8s.Quantity> = {};
  for (const [name, amount] of Object.entries(resources.extendedResources ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)\/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(name) || name.startsWith('kubernetes.io/')) {
      invalid(owner, `${field}.extendedResources.${name}`, 'set under a vendor resource name such as "nvidia.com/gpu"', name);
    }
    if (typeof amount !== 'string' || !/^[1-9][0-9]*$/.test(amount)) invalid(owner, `${field}.extendedResources.${name}`, 'a whole number of devices such as "1"', amount);
    extended[name] = q(amount);
  }
  return {
    requests: { 'cpu': q(cpuRequest), 'memory': q(memoryRequest), 'ephemeral-storage': q(diskRequest), ...extended },
    limits: { 'cpu': q(cpuLimit), 'memory': q(memoryLimit), 'ephemeral-storage': q(diskLimit), ...extended },
  };
}
