// Maps what sizes and probes a pod: deploy.resources (and cpus, mem_limit, GPUs) onto resources,
// replicas and scale, stop_grace_period, the healthcheck onto probe paths and probeTimings, and the ports
// of the components that get a Service.
import { ImportError } from '../compose';
import { KeyStatus } from '../report';
import { Classified } from '../roles';
import { cpuFromMillis, cpuMillis, cpuQuantity, durationSeconds, memoryBytes, memoryQuantity, parseBytes } from '../units';
import { BackendProps, Draft, ProbeTimingsProps, ResourcesProps } from './chart-props';
import { A, C, D, MappingContext } from './context';
import { Health, intOf, isObject, listOf, parsePorts, PortSpec, readHealth, uniq } from './values';

export type SizeKind = 'backend' | 'worker' | 'beat' | 'job' | 'frontend' | 'edge' | 'flower';

/** Starting sizes when compose gives none: a team measures and adjusts them. */
export const DEFAULT_SIZES: Record<SizeKind, ResourcesProps> = {
  backend: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  worker: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  beat: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
  job: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  frontend: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
  edge: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
  // Flower imports the Celery app (and so Django) and keeps the events it has seen in memory.
  flower: { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
};

export function describeResources(limits: Record<string, any>, reservations: Record<string, any>, s: Record<string, any>): string {
  const parts: string[] = [];
  if (limits.cpus !== undefined || s.cpus !== undefined) parts.push(`cpus ${limits.cpus ?? s.cpus}`);
  if (limits.memory !== undefined || s.mem_limit !== undefined) parts.push(`memory ${limits.memory ?? s.mem_limit}`);
  if (reservations.cpus !== undefined) parts.push(`reserved cpus ${reservations.cpus}`);
  if (reservations.memory !== undefined || s.mem_reservation !== undefined) parts.push(`reserved memory ${reservations.memory ?? s.mem_reservation}`);
  return parts.join(', ');
}

export function resourcesOf(ctx: MappingContext, c: Classified, kind: SizeKind, at: string): { resources: ResourcesProps; gpus?: number } {
  const s = c.service.spec;
  const o = ctx.out(c);
  for (const key of ['deploy', 'mem_limit', 'mem_reservation', 'cpus']) if (s[key] !== undefined) ctx.need(c, key);
  const d = isObject(s.deploy) && isObject(s.deploy.resources) ? s.deploy.resources : {};
  const limits = isObject(d.limits) ? d.limits : {};
  const reservations = isObject(d.reservations) ? d.reservations : {};
  const bad = (key: string, v: unknown): never => {
    throw new ImportError(`${ctx.project.file}: service "${c.service.name}": ${key}: not a size compose accepts; got ${JSON.stringify(v)}`);
  };
  const cpu = (key: string, v: unknown) => (v === undefined ? undefined : cpuQuantity(v) ?? bad(key, v));
  const mem = (key: string, v: unknown) => {
    if (v === undefined) return undefined;
    const b = parseBytes(v);
    return b === undefined ? bad(key, v) : memoryQuantity(b);
  };
  let cpuLimit = cpu('deploy.resources.limits.cpus', limits.cpus) ?? cpu('cpus', s.cpus);
  let memoryLimit = mem('deploy.resources.limits.memory', limits.memory) ?? mem('mem_limit', s.mem_limit);
  let cpuRequest = cpu('deploy.resources.reservations.cpus', reservations.cpus);
  let memoryRequest = mem('deploy.resources.reservations.memory', reservations.memory) ?? mem('mem_reservation', s.mem_reservation);
  const given = [cpuLimit, memoryLimit, cpuRequest, memoryRequest].some((x) => x !== undefined);
  const derived: string[] = [];
  const base = DEFAULT_SIZES[kind];
  if (cpuLimit && !cpuRequest) {
    cpuRequest = cpuFromMillis(Math.max(10, Math.round(cpuMillis(cpuLimit) / 2 / 10) * 10));
    derived.push(`cpuRequest ${cpuRequest} (half the limit)`);
  }
  if (!cpuLimit && cpuRequest) {
    cpuLimit = cpuFromMillis(cpuMillis(cpuRequest) * 2);
    derived.push(`cpuLimit ${cpuLimit} (twice the request)`);
  }
  if (memoryLimit && !memoryRequest) {
    memoryRequest = memoryLimit;
    derived.push(`memoryRequest ${memoryRequest} (the limit: memory cannot be reclaimed, so a pod is never scheduled below what it may use)`);
  }
  if (!memoryLimit && memoryRequest) {
    // A reservation is a floor, and compose set no ceiling: the process could grow past it (a prefork
    // worker's children do). A limit at the reservation would kill what ran in compose, so the limit is
    // the starting one of the kind, or the reservation when that is larger.
    const floor = memoryBytes(memoryRequest) >= memoryBytes(base.memoryLimit!);
    memoryLimit = floor ? memoryRequest : base.memoryLimit!;
    derived.push(`memoryLimit ${memoryLimit} (compose set no limit: ${floor ? 'the reservation' : `the starting limit of a ${kind}, above the reservation`})`);
  }
  if (cpuRequest && cpuLimit && cpuMillis(cpuRequest) > cpuMillis(cpuLimit)) {
    cpuLimit = cpuRequest;
    derived.push('cpuLimit raised to the request');
  }
  if (memoryRequest && memoryLimit && memoryBytes(memoryRequest) > memoryBytes(memoryLimit)) {
    memoryLimit = memoryRequest;
    derived.push('memoryLimit raised to the request');
  }
  const defaulted: string[] = [];
  if (!cpuRequest) {
    cpuRequest = base.cpuRequest;
    cpuLimit = base.cpuLimit;
    defaulted.push('cpu');
  }
  if (!memoryRequest) {
    memoryRequest = base.memoryRequest;
    memoryLimit = base.memoryLimit;
    defaulted.push('memory');
  }
  const resources: ResourcesProps = { cpuRequest, cpuLimit: cpuLimit!, memoryRequest, memoryLimit: memoryLimit! };
  const summary = `requests ${cpuRequest}/${memoryRequest}, limits ${cpuLimit}/${memoryLimit}`;
  let detail: string;
  let status: KeyStatus;
  if (!given) {
    status = A;
    detail = `compose sets no resources: ${summary}, a starting size for ${kind === 'edge' ? 'an' : 'a'} ${kind}; measure and adjust`;
  } else {
    status = derived.length || defaulted.length ? A : C;
    detail = `${summary} in canonical form${derived.length ? `; derived: ${derived.join(', ')}` : ''}${defaulted.length ? `; ${defaulted.join(' and ')} not given: the starting size of a ${kind}` : ''}`;
  }
  if (isObject(s.deploy) && s.deploy.resources !== undefined) o.set('deploy.resources', status, detail);
  for (const key of ['mem_limit', 'mem_reservation', 'cpus']) if (s[key] !== undefined) o.set(key, status, detail);
  if (s.cpu_shares !== undefined) o.set('cpu_shares', D, 'relative CPU weights have no Kubernetes equivalent; requests set the share');
  if (limits.pids !== undefined) o.set('deploy.resources', A, `${detail}; limits.pids is dropped (the kubelet's pod PID limit applies)`);
  if (!given) ctx.comment(`${at}.resources`, `TODO(import): compose sets no resources; a starting size for ${kind === 'edge' ? 'an' : 'a'} ${kind}.`);
  else if (derived.length) ctx.comment(`${at}.resources`, `From compose ${describeResources(limits, reservations, s)}; ${derived.join(', ')}.`);

  // GPUs: device reservations, `gpus:` and the nvidia runtime.
  let gpus: number | undefined;
  const devices = listOf(reservations.devices);
  for (const dev of devices) {
    const caps = listOf(dev.capabilities).flat().map(String);
    if (caps.includes('gpu') || dev.driver === 'nvidia') {
      const n = dev.count === 'all' || dev.count === undefined ? (listOf(dev.device_ids).length || 1) : intOf(dev.count) ?? 1;
      gpus = (gpus ?? 0) + n;
    }
  }
  if (s.gpus !== undefined) gpus = gpus ?? (intOf(s.gpus) ?? 1);
  if (s.runtime === 'nvidia') gpus = gpus ?? 1;
  return { resources, gpus };
}

export function replicasOf(ctx: MappingContext, c: Classified): number | undefined {
  const s = c.service.spec;
  if (isObject(s.deploy) && s.deploy.replicas !== undefined) {
    ctx.need(c, 'deploy');
    const n = intOf(s.deploy.replicas);
    if (n === undefined) throw new ImportError(`${ctx.project.file}: service "${c.service.name}": deploy.replicas: must be a whole number; got ${JSON.stringify(s.deploy.replicas)}`);
    return n;
  }
  if (s.scale !== undefined) {
    ctx.need(c, 'scale');
    const n = intOf(s.scale);
    if (n === undefined) throw new ImportError(`${ctx.project.file}: service "${c.service.name}": scale: must be a whole number; got ${JSON.stringify(s.scale)}`);
    return n;
  }
  return undefined;
}

export function webReplicas(ctx: MappingContext, c: Classified, target: Draft<Pick<BackendProps, 'minReplicas' | 'maxReplicas'>>, what: string): void {
  const n = replicasOf(ctx, c);
  const o = ctx.out(c);
  const keys = [c.service.spec.scale !== undefined ? 'scale' : undefined, isObject(c.service.spec.deploy) && c.service.spec.deploy.replicas !== undefined ? 'deploy.replicas' : undefined].filter((k): k is string => !!k);
  if (n === undefined) return;
  const min = Math.max(2, n);
  target.minReplicas = min;
  target.maxReplicas = Math.max(10, min);
  for (const k of keys) {
    o.set(k, n >= 2 ? C : A, n >= 2
      ? `${what} HPA from ${min} to ${target.maxReplicas} replicas (on CPU and memory)`
      : `${what} keeps at least 2 replicas (compose had ${n}) so it survives a node loss; HPA up to ${target.maxReplicas}`);
  }
}

export function graceOf(ctx: MappingContext, c: Classified, minimum: number, what: string): number | undefined {
  const s = c.service.spec;
  if (s.stop_grace_period === undefined) return undefined;
  ctx.need(c, 'stop_grace_period');
  const g = durationSeconds(s.stop_grace_period);
  if (g === undefined) throw new ImportError(`${ctx.project.file}: service "${c.service.name}": stop_grace_period: not a duration; got ${JSON.stringify(s.stop_grace_period)}`);
  if (g > minimum) {
    ctx.out(c).set('stop_grace_period', C, `terminationGracePeriodSeconds ${g}`);
    return g;
  }
  ctx.out(c).set('stop_grace_period', A, `compose gave ${g} s; ${what} needs more than ${minimum} s, so the chart's default applies`);
  return undefined;
}

export function healthOf(ctx: MappingContext, c: Classified): Health | undefined {
  if (c.service.spec.healthcheck === undefined) return undefined;
  ctx.need(c, 'healthcheck');
  return readHealth(c.service.spec.healthcheck);
}

/** Reports every healthcheck sub-key of a service with one outcome each. */
export function healthKeys(ctx: MappingContext, c: Classified, testOutcome: [KeyStatus, string], timings: [KeyStatus, string]): void {
  const h = c.service.spec.healthcheck;
  if (!isObject(h)) return;
  const o = ctx.out(c);
  for (const key of Object.keys(h)) {
    if (key === 'test') o.set('healthcheck.test', ...testOutcome);
    else if (['interval', 'timeout', 'retries', 'start_period', 'start_interval'].includes(key)) o.set(`healthcheck.${key}`, ...timings);
    else if (key === 'disable') o.set('healthcheck.disable', C, h.disable ? 'no probe from the healthcheck' : 'the healthcheck is on');
    else o.set(`healthcheck.${key}`, D, 'not a healthcheck key the importer knows');
  }
}

/** The compose healthcheck timings as the chart's probeTimings, with what had to change. */
export function probeTimings(h: Health): { timings?: ProbeTimingsProps; notes: string[] } {
  const t: Draft<ProbeTimingsProps> = {};
  const notes: string[] = [];
  const period = h.interval === undefined ? undefined : Math.min(300, Math.max(1, h.interval));
  if (period !== undefined) t.periodSeconds = period;
  if (h.interval !== undefined && period !== h.interval) notes.push(`interval ${h.interval} s is outside 1-300 s`);
  if (h.timeout !== undefined) {
    const limit = period ?? 5;
    t.timeoutSeconds = Math.min(limit, Math.max(1, h.timeout));
    if (h.timeout > limit) notes.push(`timeout ${h.timeout} s is longer than the ${limit} s period: ${limit} s`);
  }
  if (h.retries !== undefined) t.failureThreshold = Math.min(100, Math.max(1, h.retries));
  if (h.startPeriod !== undefined) {
    // Failures during start_period do not count in compose; then `retries` failures mark it unhealthy.
    const longest = h.startPeriod + (h.interval ?? 30) * (h.retries ?? 3);
    t.startupFailureThreshold = Math.min(1000, Math.max(1, Math.ceil(longest / 5)));
  }
  return { timings: Object.keys(t).length ? t : undefined, notes };
}

export function timingsDetail(h: Health, target: string): [KeyStatus, string] {
  const { timings, notes } = probeTimings(h);
  if (!timings) return [C, "compose used docker's default timings; the chart's apply"];
  const parts = Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ');
  const liveness = timings.periodSeconds !== undefined ? `; liveness every ${2 * timings.periodSeconds} s with twice the failures` : '';
  const startup = timings.startupFailureThreshold !== undefined ? `; startup: up to ${5 * timings.startupFailureThreshold} s (start_period plus the retries)` : '';
  return [notes.length ? A : C, `${target}.probeTimings ${parts}: readiness as in compose${liveness}${startup}${notes.length ? `; ${notes.join('; ')}` : ''}`];
}

export function listenPorts(ctx: MappingContext, c: Classified): PortSpec[] {
  for (const key of ['ports', 'expose']) if (c.service.spec[key] !== undefined) ctx.need(c, key);
  return [...parsePorts(c.service.spec.ports), ...parsePorts(c.service.spec.expose)];
}

export function portOutcomes(ctx: MappingContext, c: Classified, port: number, serviceName: string): void {
  const o = ctx.out(c);
  listenPorts(ctx, c);
  for (const key of ['ports', 'expose']) {
    if (c.service.spec[key] === undefined) continue;
    const list = key === 'ports' ? parsePorts(c.service.spec.ports) : parsePorts(c.service.spec.expose);
    const published = list.filter((p) => p.published !== undefined);
    const others = list.filter((p) => p.target !== port);
    const parts = [`the Service ${serviceName} on port ${port}${list.some((p) => p.target === port) ? '' : ` (compose listed ${list.map((p) => p.target).join(', ')})`}`];
    if (published.length) parts.push(`not published on a host (${published.map((p) => `${p.published}:${p.target}`).join(', ')}): ${ctx.hasEdge ? 'the edge and its Ingress are the way in' : 'add an edge to reach it from outside'}`);
    if (others.length) parts.push(`ports ${uniq(others.map((p) => p.target)).join(', ')} are not served`);
    o.set(key, published.length || others.length || !list.some((p) => p.target === port) ? A : C, parts.join('; '));
  }
}
