// A stand-in for metrics-server: the resource metrics API (metrics.k8s.io/v1beta1), served from the
// test process behind the API server's aggregation layer, as metrics-server is.
//
// kwok runs no containers, so there is no CPU or memory to measure. Without this API every CPU or
// memory HPA reports ScalingActive=False (FailedGetResourceMetric), Argo CD calls it Degraded, and a
// sync that has a Degraded object in a wave before the last fails. With it the HPA controller
// computes replica counts for real, from the usage this server reports: a share of each container's
// requests, set per Deployment by the test (30% by default, below every rendered target, so each
// HPA stays at its minimum until a test raises it).
import { execFileSync } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';
import { Api, KubeObject, labelsMatch } from './kube';

const GROUP_VERSION = 'metrics.k8s.io/v1beta1';
const API_SERVICE = 'v1beta1.metrics.k8s.io';
const SERVICE = { namespace: 'kube-system', name: 'metrics-server' };

/** Parses a CPU quantity into millicores. */
export function cpuMillis(q: string | undefined): number {
  if (!q) return 0;
  if (q.endsWith('n')) return Number(q.slice(0, -1)) / 1e6;
  if (q.endsWith('u')) return Number(q.slice(0, -1)) / 1e3;
  if (q.endsWith('m')) return Number(q.slice(0, -1));
  return Number(q) * 1000;
}

const MEMORY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Parses a memory quantity into bytes. */
export function memoryBytes(q: string | undefined): number {
  if (!q) return 0;
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(q);
  if (!m) throw new Error(`unsupported memory quantity ${q}`);
  return Number(m[1]) * (m[2] ? MEMORY_UNITS[m[2]] ?? NaN : 1);
}

function parseSelector(s: string | null): { matchLabels: Record<string, string>; matchExpressions: any[] } {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: any[] = [];
  if (!s) return { matchLabels, matchExpressions };
  // The HPA controller sends the Deployment's matchLabels (key=value) joined by commas.
  for (const part of s.split(',')) {
    const eq = /^([^!=]+)==?(.*)$/.exec(part);
    if (eq) matchLabels[eq[1]] = eq[2];
    else throw new Error(`unsupported label selector term ${part}`);
  }
  return { matchLabels, matchExpressions };
}

export class FakeMetricsApi {
  /** Requests served, by path kind. */
  readonly served = { discovery: 0, podLists: 0, pods: 0 };
  private server?: https.Server;
  private readonly usage = new Map<string, number>(); // "<namespace>/<pod label app.kubernetes.io/component>" -> share of requests
  private defaultShare = 0.3;

  constructor(private readonly api: Api, private readonly workDir: string) {}

  /** The share of its requests that every container of a component's pods uses from now on. */
  setShare(namespace: string, component: string, share: number): void {
    this.usage.set(`${namespace}/${component}`, share);
  }

  /** Serves the API and registers it with the aggregation layer; resolves once the API server reports it Available. */
  async start(): Promise<number> {
    const pki = process.env.CP_PKI;
    if (!pki) throw new Error('CP_PKI is not set: run the cluster tests through hack/control-plane/test.sh');
    const key = path.join(this.workDir, 'metrics.key');
    const crt = path.join(this.workDir, 'metrics.crt');
    const ext = path.join(this.workDir, 'metrics.ext');
    execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=metrics-server',
      '-keyout', key, '-out', `${crt}.csr`], { stdio: 'pipe' });
    writeFileSync(ext, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n'
      + `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${SERVICE.name}.${SERVICE.namespace}.svc\n`);
    execFileSync('openssl', ['x509', '-req', '-in', `${crt}.csr`, '-CA', path.join(pki, 'ca.crt'), '-CAkey', path.join(pki, 'ca.key'),
      '-CAcreateserial', '-CAserial', path.join(this.workDir, 'metrics.srl'), '-days', '2', '-extfile', ext, '-out', crt], { stdio: 'pipe' });

    this.server = https.createServer({ key: readFileSync(key), cert: readFileSync(crt) }, (req, res) => {
      this.handle(req.method ?? 'GET', new URL(req.url ?? '/', 'https://localhost'))
        .then(([code, body]) => {
          res.writeHead(code, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        })
        .catch((e) => {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(e), code: 500 }));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;

    // As for KEDA's adapter: an ExternalName Service for localhost, which the aggregator resolves.
    await this.api.post(`/api/v1/namespaces/${SERVICE.namespace}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: SERVICE,
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] },
    });
    await this.api.post('/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: API_SERVICE },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        service: { ...SERVICE, port },
        caBundle: readFileSync(path.join(pki, 'ca.crt')).toString('base64'),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
    return port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(method: string, url: URL): Promise<[number, unknown]> {
    const p = url.pathname.replace(/\/+$/, '');
    if (p === '/healthz' || p === '/readyz' || p === '/livez') return [200, 'ok'];
    if (method !== 'GET') return [405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405 }];
    if (p === `/apis/${GROUP_VERSION}`) {
      this.served.discovery++;
      return [200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: GROUP_VERSION,
        resources: [
          { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
          { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
        ],
      }];
    }
    const list = new RegExp(`^/apis/${GROUP_VERSION}/namespaces/([^/]+)/pods$`).exec(p);
    if (list) {
      this.served.podLists++;
      const pods = await this.api.list(`/api/v1/namespaces/${list[1]}/pods`);
      const selector = parseSelector(url.searchParams.get('labelSelector'));
      const items = pods.filter((pod) => labelsMatch(selector, pod.metadata.labels ?? {})).map((pod) => this.metricsOf(pod)).filter(Boolean);
      return [200, { kind: 'PodMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items }];
    }
    const one = new RegExp(`^/apis/${GROUP_VERSION}/namespaces/([^/]+)/pods/([^/]+)$`).exec(p);
    if (one) {
      this.served.pods++;
      const pod = await this.api.get(`/api/v1/namespaces/${one[1]}/pods/${one[2]}`);
      const m = this.metricsOf(pod);
      return m ? [200, m] : [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }];
    }
    if (new RegExp(`^/apis/${GROUP_VERSION}/nodes`).test(p)) return [200, { kind: 'NodeMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items: [] }];
    return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }];
  }

  /** What metrics-server would report for a running pod: each container at the component's share of its requests. */
  private metricsOf(pod: KubeObject): unknown | undefined {
    if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return undefined;
    const component = pod.metadata.labels?.['app.kubernetes.io/component'] ?? '';
    const share = this.usage.get(`${pod.metadata.namespace}/${component}`) ?? this.defaultShare;
    return {
      kind: 'PodMetrics',
      apiVersion: GROUP_VERSION,
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels ?? {} },
      timestamp: new Date(Date.now() - 5_000).toISOString(),
      window: '15s',
      containers: (pod.spec?.containers ?? []).map((c: any) => ({
        name: c.name,
        usage: {
          cpu: `${Math.round(cpuMillis(c.resources?.requests?.cpu) * share * 1e6)}n`,
          memory: `${Math.round(memoryBytes(c.resources?.requests?.memory) * share / 1024)}Ki`,
        },
      })),
    };
  }
}
