import { componentOf, KubeObject, kindOf, nameOf } from './kube-object';
import { parseQuantity } from '../platform/quantity';

/** Workloads that hold pods in the steady state; a Job runs once per sync (the release's hooks) and is left out. */
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'CronJob'];
/** KEDA's defaults when a ScaledObject leaves the bounds out. */
const KEDA_MIN = 0;
const KEDA_MAX = 100;

/** What one pod asks the scheduler for: millicores and bytes. */
export interface PodRequests {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** One workload's replica bounds and requests, as rendered. */
export interface CapacityRow {
  readonly component: string;
  readonly workload: string;
  /** Who sets the replica count: `HPA`, `KEDA`, `fixed`, or `schedule` (a CronJob: 0 between runs). */
  readonly scaling: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly perPod: PodRequests;
}

export interface Capacity {
  readonly rows: CapacityRow[];
  readonly atMin: PodRequests;
  readonly atMax: PodRequests;
}

function amount(text: unknown, where: string): bigint {
  if (text === undefined || text === null) return 0n;
  return parseQuantity(where, 'request', String(text)).millis;
}

/**
 * A pod's effective request: its containers run together, its init containers one after another,
 * so the scheduler reserves the larger of the containers' sum and the largest init container.
 */
export function podRequests(podSpec: any, where: string): PodRequests {
  const of = (c: any, resource: string) => amount(c?.resources?.requests?.[resource], `${where} container ${c?.name}`);
  const sum = (resource: string) => (podSpec?.containers ?? []).reduce((t: bigint, c: any) => t + of(c, resource), 0n);
  const maxInit = (resource: string) => (podSpec?.initContainers ?? [])
    .reduce((m: bigint, c: any) => (of(c, resource) > m ? of(c, resource) : m), 0n);
  const effective = (resource: string) => (sum(resource) > maxInit(resource) ? sum(resource) : maxInit(resource));
  return { cpuMillis: Number(effective('cpu')), memoryBytes: Number(effective('memory') / 1000n) };
}

function replicaBounds(workload: KubeObject, objects: KubeObject[]): { scaling: string; min: number; max: number } {
  if (kindOf(workload) === 'CronJob') {
    // Nothing runs between two runs, and one run at a time with Forbid or Replace (a Replace run
    // overlaps the one it replaces only while that one terminates). Overlapping runs (Allow) are not counted.
    const job = workload.spec?.jobTemplate?.spec ?? {};
    return { scaling: 'schedule', min: 0, max: job.parallelism ?? 1 };
  }
  const targets = (o: KubeObject) => {
    const ref = o.spec?.scaleTargetRef ?? {};
    return ref.name === nameOf(workload) && (ref.kind ?? 'Deployment') === kindOf(workload);
  };
  const hpa = objects.find((o) => kindOf(o) === 'HorizontalPodAutoscaler' && targets(o));
  if (hpa) return { scaling: 'HPA', min: hpa.spec.minReplicas ?? 1, max: hpa.spec.maxReplicas };
  const scaled = objects.find((o) => kindOf(o) === 'ScaledObject' && targets(o));
  if (scaled) return { scaling: 'KEDA', min: scaled.spec.minReplicaCount ?? KEDA_MIN, max: scaled.spec.maxReplicaCount ?? KEDA_MAX };
  const fixed = workload.spec?.replicas ?? 1;
  return { scaling: 'fixed', min: fixed, max: fixed };
}

/** Replica bounds times requests for every Deployment, StatefulSet and CronJob, read from the rendered objects alone. */
export function capacityOf(objects: KubeObject[]): Capacity {
  const rows = objects
    .filter((o) => WORKLOAD_KINDS.includes(kindOf(o)))
    .map((w) => {
      const bounds = replicaBounds(w, objects);
      return {
        component: componentOf(w) ?? nameOf(w),
        workload: `${kindOf(w)}/${nameOf(w)}`,
        scaling: bounds.scaling,
        minReplicas: bounds.min,
        maxReplicas: bounds.max,
        perPod: podRequests((kindOf(w) === 'CronJob' ? w.spec?.jobTemplate?.spec : w.spec)?.template?.spec, `${kindOf(w)} ${nameOf(w)}`),
      };
    })
    .sort((a, b) => (a.component === b.component ? a.workload.localeCompare(b.workload) : a.component.localeCompare(b.component)));
  const total = (replicas: (r: CapacityRow) => number): PodRequests => ({
    cpuMillis: rows.reduce((t, r) => t + replicas(r) * r.perPod.cpuMillis, 0),
    memoryBytes: rows.reduce((t, r) => t + replicas(r) * r.perPod.memoryBytes, 0),
  });
  return { rows, atMin: total((r) => r.minReplicas), atMax: total((r) => r.maxReplicas) };
}

/** Cores, e.g. `0.25` or `12`. */
export function formatCpu(millis: number): string {
  // Rounded to whole millicores first, so sums of floats never print as 0.30000000000000004.
  return String(Math.round(millis) / 1000);
}

/** Mi below one GiB, Gi (up to two decimals) above, e.g. `512Mi`, `1.5Gi`. */
export function formatMemory(bytes: number): string {
  if (bytes === 0) return '0';
  const mib = bytes / 1024 ** 2;
  if (mib < 1024) return `${Math.round(mib * 100) / 100}Mi`;
  return `${Math.round((mib / 1024) * 100) / 100}Gi`;
}
