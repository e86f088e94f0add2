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
  return {
    requests: { cpu: k8s.Quantity.fromString(cpuRequest), memory: k8s.Quantity.fromString(memoryRequest) },
    limits: { cpu: k8s.Quantity.fromString(cpuLimit), memory: k8s.Quantity.fromString(memoryLimit) },
  };
}
