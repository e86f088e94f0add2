// Helpers shared by the suites that run KEDA for real: replica counts over time, ScaledObject
// conditions, and clients for the Redis and RabbitMQ brokers that start.sh runs (CP_WITH_BROKERS=1).
import * as http from 'http';
import { condition, kedaLogTail, need, Timeline } from './argocd';
import { Api, KubeObject, run, RunResult, sleep, waitFor } from './kube';

export const KEDA_GROUP = '/apis/keda.sh/v1alpha1';

export async function replicas(api: Api, ns: string, name: string): Promise<{ spec: number; ready: number }> {
  const d = await api.get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  return { spec: d.spec.replicas ?? 0, ready: d.status?.readyReplicas ?? 0 };
}

export async function scaledObjectState(api: Api, ns: string, name: string): Promise<string> {
  const so = await api.get(`${KEDA_GROUP}/namespaces/${ns}/scaledobjects/${name}`);
  const ready = condition(so, 'Ready');
  const active = condition(so, 'Active');
  return `ScaledObject ${ns}/${name}: Ready=${ready.status} (${ready.reason}: ${ready.message}) Active=${active.status} (${active.reason}: ${active.message})`;
}

export async function events(api: Api, ns: string, involvedName: string): Promise<KubeObject[]> {
  const list = await api.list(`/api/v1/namespaces/${ns}/events`);
  return list.filter((e: any) => e.involvedObject?.name === involvedName);
}

/** Polls the replica counts of Deployments while something happens, recording each change. */
export class ReplicaWatch {
  readonly timelines = new Map<string, Timeline>();
  readonly max = new Map<string, number>();
  private running = false;
  private loop?: Promise<void>;

  /** names: "<namespace>/<deployment>". */
  constructor(private readonly api: Api, readonly names: string[], private readonly intervalMs = 500) {}

  start(): void {
    const t0 = Date.now();
    for (const n of this.names) { this.timelines.set(n, new Timeline(t0)); this.max.set(n, 0); }
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.sample().catch(() => undefined);
        await sleep(this.intervalMs);
      }
    })();
  }

  async sample(): Promise<void> {
    for (const n of this.names) {
      const [ns, name] = n.split('/');
      const r = await replicas(this.api, ns, name);
      this.timelines.get(n)!.record(`${r.spec} (${r.ready} Ready)`);
      this.max.set(n, Math.max(this.max.get(n)!, r.spec));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.sample();
  }

  report(): string {
    return this.names.map((n) => `  ${n}: ${this.timelines.get(n)}`).join('\n');
  }
}

/** Waits until the Deployment has `want` replicas, all Ready; returns the milliseconds. */
export async function waitReplicas(
  api: Api, watch: ReplicaWatch, ns: string, name: string, want: number, timeoutMs: number, scaledObject = name,
): Promise<number> {
  return waitFor(`${ns}/${name} to have ${want} replicas, all Ready`, async () => {
    const r = await replicas(api, ns, name);
    return r.spec === want && r.ready === want;
  }, timeoutMs, async () => `${watch.report()}\n${await scaledObjectState(api, ns, scaledObject).catch((e) => String(e))}\n${await kedaLogTail()}`, 250);
}

// --- Redis, through redis-cli (Debian's redis-tools, next to redis-server) ---

/** Runs a redis-cli command in a database; with `asAdmin` it authenticates with CP_REDIS_PASSWORD. */
export async function redis(db: number, args: string[], asAdmin = true): Promise<string> {
  const host = need('CP_REDIS_HOST', 'the Redis broker');
  const port = need('CP_REDIS_PORT', 'the Redis broker');
  const env: Record<string, string> = asAdmin ? { REDISCLI_AUTH: need('CP_REDIS_PASSWORD', 'the Redis broker') } : {};
  const r: RunResult = await run('redis-cli', ['-h', host, '-p', port, '-n', String(db), ...args], { timeoutMs: 30_000, env });
  if (r.code !== 0 || /^(ERR|WRONGTYPE|NOAUTH|WRONGPASS)/.test(r.stdout)) throw new Error(`redis-cli ${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

// --- RabbitMQ, through its management HTTP API ---

export function rabbit(method: string, apiPath: string, body?: unknown): Promise<any> {
  const base = new URL(need('CP_RABBITMQ_MANAGEMENT_URL', 'the RabbitMQ broker'));
  const auth = `${need('CP_RABBITMQ_ADMIN_USER', 'the RabbitMQ broker')}:${need('CP_RABBITMQ_ADMIN_PASSWORD', 'the RabbitMQ broker')}`;
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname,
      port: base.port,
      path: `/api${apiPath}`,
      method,
      auth,
      timeout: 30_000,
      headers: { 'Content-Type': 'application/json', ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`RabbitMQ ${method} /api${apiPath}: HTTP ${res.statusCode}: ${text}`));
        try { resolve(text ? JSON.parse(text) : undefined); } catch { resolve(text); }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`RabbitMQ ${method} /api${apiPath}: timed out`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Publishes `count` persistent messages to a queue through the default exchange; fails if one is not routed. */
export async function publishMessages(vhost: string, queue: string, count: number, prefix = 'task'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await rabbit('POST', `/exchanges/${encodeURIComponent(vhost)}/amq.default/publish`,
      { properties: { delivery_mode: 2 }, routing_key: queue, payload: `${prefix}-${i}`, payload_encoding: 'string' });
    if (!r?.routed) throw new Error(`message ${i} was not routed to ${vhost}/${queue}: ${JSON.stringify(r)}`);
  }
}

/** The queue's length as the management API reports it (its counters lag a few seconds). */
export async function queueDepth(vhost: string, queue: string): Promise<number> {
  const q = await rabbit('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
  return q.messages ?? 0;
}
