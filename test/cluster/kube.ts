// Small client for the throw-away control plane started by hack/control-plane/start.sh:
// kubectl for apply and drain (what people and Argo CD use), plain HTTPS for fast polling.
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import * as https from 'https';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    deletionTimestamp?: string;
    generation?: number;
    [key: string]: unknown;
  };
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

/** Reads an environment variable that start.sh sets, or fails naming it. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the cluster tests through hack/control-plane/test.sh (npm run test:cluster)`);
  }
  return value;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  /** Added to the environment (jest's process.env is the test's copy, not what children inherit). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The working directory (default: the test's). */
  cwd?: string;
  onStderrLine?: (line: string) => void;
  onStdoutLine?: (line: string) => void;
}

/** Runs a command; never throws on a non-zero exit (the caller decides). */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd, ...(options.env ? { env: { ...process.env, ...options.env } } : {}) });
    let stdout = '';
    let stderr = '';
    let outRest = '';
    let errRest = '';
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.onStdoutLine) {
        const lines = (outRest + d.toString()).split('\n');
        outRest = lines.pop() ?? '';
        lines.forEach(options.onStdoutLine);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.onStderrLine) {
        const lines = (errRest + d.toString()).split('\n');
        errRest = lines.pop() ?? '';
        lines.forEach(options.onStderrLine);
      }
    });
    child.on('error', reject);
    // A command that exits without reading its input (git add) makes writing it fail with EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (options.onStdoutLine && outRest) options.onStdoutLine(outRest);
      if (options.onStderrLine && errRest) options.onStderrLine(errRest);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function kubectl(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('kubectl', args, { timeoutMs: 300_000, ...options });
}

/** kubectl that must succeed. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, { input });
  if (r.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly body: any, message: string) {
    super(message);
  }
}

/** Direct HTTPS access to the API server with the admin client certificate. */
export class Api {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor() {
    const pki = requireEnv('CP_PKI');
    this.base = new URL(requireEnv('CP_APISERVER'));
    this.agent = new https.Agent({
      ca: readFileSync(path.join(pki, 'ca.crt')),
      cert: readFileSync(path.join(pki, 'admin.crt')),
      key: readFileSync(path.join(pki, 'admin.key')),
      keepAlive: true,
      maxSockets: 8,
    });
  }

  request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: this.base.hostname,
        port: this.base.port,
        path: urlPath,
        method,
        agent: this.agent,
        timeout: 30_000,
        headers: { Accept: 'application/json', ...(data ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {}) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => {
          let parsed: any = text;
          try { parsed = JSON.parse(text); } catch { /* not JSON */ }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            resolve(parsed);
          } else {
            reject(new ApiError(code, parsed, `${method} ${urlPath}: HTTP ${code}: ${parsed?.message ?? text}`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  get(urlPath: string): Promise<any> { return this.request('GET', urlPath); }
  post(urlPath: string, body: unknown): Promise<any> { return this.request('POST', urlPath, body); }
  delete(urlPath: string): Promise<any> { return this.request('DELETE', urlPath); }
  put(urlPath: string, body: unknown): Promise<any> { return this.request('PUT', urlPath, body); }
  /** JSON merge patch (RFC 7386). */
  mergePatch(urlPath: string, body: unknown): Promise<any> { return this.request('PATCH', urlPath, body, 'application/merge-patch+json'); }
  /** Server-side apply of a whole object (or of a status subresource) as the given field manager. */
  apply(urlPath: string, body: unknown, fieldManager: string): Promise<any> {
    return this.request('PATCH', `${urlPath}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, body, 'application/apply-patch+yaml');
  }

  async list(urlPath: string): Promise<KubeObject[]> {
    return (await this.get(urlPath)).items as KubeObject[];
  }

  close(): void { this.agent.destroy(); }
}

export function isPodReady(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until check() returns true; fails with describe() after the timeout. */
export async function waitFor(
  what: string, check: () => Promise<boolean>, timeoutMs: number, describe?: () => Promise<string>, intervalMs = 500,
): Promise<number> {
  const start = Date.now();
  let lastError: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await check()) return Date.now() - start;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  const detail = describe ? await describe().catch((e) => `(could not describe: ${e})`) : '';
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `\nlast error: ${lastError}` : ''}${detail ? `\n${detail}` : ''}`);
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: any[];
}

export function labelsMatch(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !e.values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && e.values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unsupported selector operator ${e.operator}`);
    }
  }
  return true;
}

/** Parses a multi-document YAML file into objects, skipping empty documents. */
export function parseYamlObjects(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== 'object' || !obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new Error(`${source}: a document is not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    out.push(obj as KubeObject);
  }
  return out;
}

/** The REST path of an object, from a discovery map of kind -> resource. */
export function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** A fake node of the suites' clusters: kwok keeps it Ready (annotation kwok.x-k8s.io/node=fake). */
export interface KwokNode {
  readonly name: string;
  readonly zone: string;
  /** The node pool: labelled `poolLabel=<pool>` and tainted NoSchedule with it. */
  readonly pool?: string;
}

/** The Node object of a kwok node, with room for every pod a render schedules on it. */
export function kwokNodeObject(n: KwokNode, poolLabel: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'type': 'kwok',
        'kubernetes.io/hostname': n.name,
        'topology.kubernetes.io/zone': n.zone,
        'topology.kubernetes.io/region': 'test-region',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...(n.pool ? { [poolLabel]: n.pool } : {}),
      },
    },
    spec: n.pool ? { taints: [{ key: poolLabel, value: n.pool, effect: 'NoSchedule' }] } : {},
    status: {
      allocatable: { 'cpu': '64', 'memory': '256Gi', 'pods': '110', 'ephemeral-storage': '500Gi' },
      capacity: { 'cpu': '64', 'memory': '256Gi', 'pods': '110', 'ephemeral-storage': '500Gi' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'kwok', containerRuntimeVersion: 'kwok' },
    },
  };
}
