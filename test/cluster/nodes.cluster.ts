// Runs real containers on the two real nodes of the throw-away control plane (start.sh with
// CP_WITH_NODES=1: kubelet + containerd + kube-proxy + kube-router in a network namespace per node,
// CoreDNS as a pod behind kube-dns, metrics-server behind metrics.k8s.io). Everything the tests
// connect to is a pod they created, in 198.18.0.0/15, reached from another pod they created.
//
// Run it with `CP_SUITES=nodes npm run test:cluster` (hack/control-plane/test.sh). The tests run in
// order and share the cluster; each fails, naming what is missing, rather than skips.
import * as http from 'http';
import { Api, isPodReady, kubectl, kubectlOk, KubeObject, kwokNodeObject, requireEnv, run, waitFor } from './kube';

const NS = 'real-nodes';
const FIELD_MANAGER = 'picvario-nodes-test';
const SECOND = 1000;
const [NODE_A, NODE_B] = requireEnv('CP_NODES').split(' ');
const BUSYBOX = requireEnv('CP_BUSYBOX_IMAGE');
const PAUSE = requireEnv('CP_PAUSE_IMAGE');
const DNS_IP = requireEnv('CP_KUBE_DNS_IP');
/** A kwok node in zone-a beside the real ones: no pod of this suite may land on it. */
const KWOK_NODE = 'kwok-beside-real-nodes';
let api: Api;

async function apply(objects: KubeObject[]): Promise<void> {
  await kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
}

/** A pod of the suite's images on one node, chosen by the scheduler through its hostname label. */
function pod(name: string, node: string, image: string, command: string[] | undefined, extra: Record<string, unknown> = {}): KubeObject {
  const { labels, ...containerExtra } = extra as { labels?: Record<string, string> };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name, ...labels } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image, imagePullPolicy: 'Never', ...(command ? { command } : {}), ...containerExtra }],
    },
  };
}

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $HOSTNAME" > /www/index.html && exec httpd -f -p 8080 -h /www'];
const httpReady = { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } };

/** Runs a command in a pod (kubectl exec, bounded in time); never throws on its exit code. */
function exec(podName: string, command: string[], timeoutMs = 20 * SECOND) {
  return kubectl(['exec', '-n', NS, podName, '--', ...command], { timeoutMs });
}

/**
 * One HTTP GET from a pod (the client unless named), with a 3 s limit: busybox nc, since Debian's
 * static busybox wget crashes (SIGSEGV) before it connects. The body is what follows the headers.
 */
async function fetchFrom(host: string, port: number, fromPod = 'client'): Promise<{ ok: boolean; body: string }> {
  const r = await exec(fromPod, ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port}`]);
  const [head, ...body] = r.stdout.split(/\r?\n\r?\n/);
  const ok = r.code === 0 && /^HTTP\/1\.[01] 200/.test(head);
  return { ok, body: ok ? body.join('\n\n').trim() : (r.stdout + r.stderr).trim() };
}

async function podIp(name: string): Promise<string> {
  const p = await api.get(`/api/v1/namespaces/${NS}/pods/${name}`);
  if (!p.status?.podIP) throw new Error(`pod ${name} has no IP yet: ${JSON.stringify(p.status)}`);
  return p.status.podIP;
}

async function describePods(): Promise<string> {
  return (await kubectl(['get', 'pods', '-A', '-o', 'wide'])).stdout + (await kubectl(['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'])).stdout;
}

beforeAll(async () => {
  api = new Api();
  await apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, kwokNodeObject({ name: KWOK_NODE, zone: 'zone-a' }, 'pool')]);
  await waitFor('the default ServiceAccount', async () => {
    try { await api.get(`/api/v1/namespaces/${NS}/serviceaccounts/default`); return true; } catch { return false; }
  }, 30 * SECOND);
});

afterAll(() => api?.close());

describe('GIVEN two real nodes in two zones', () => {
  test('WHEN pods of the pause and busybox images are scheduled THEN they become Ready on both nodes, not on kwok nodes', async () => {
    const nodes: KubeObject[] = await api.list('/api/v1/nodes?labelSelector=picvario.test%2Fnode%3Dreal');
    expect(nodes.map((n) => [n.metadata.name, n.metadata.labels?.['topology.kubernetes.io/zone']]).sort())
      .toEqual([[NODE_A, 'zone-a'], [NODE_B, 'zone-b']]);
    for (const n of nodes) {
      expect(n.status.conditions.find((c: any) => c.type === 'Ready')?.status).toBe('True');
      expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
    }

    const started = Date.now();
    await apply([
      pod('pause-a', NODE_A, PAUSE, undefined),
      pod('pause-b', NODE_B, PAUSE, undefined),
      pod('server', NODE_B, BUSYBOX, HTTPD, httpReady),
      pod('client', NODE_A, BUSYBOX, ['sh', '-c', 'echo "picvario-log-line from $HOSTNAME"; exec sleep 3600']),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: NS },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              nodeSelector: { 'picvario.test/node': 'real' },
              terminationGracePeriodSeconds: 1,
              topologySpreadConstraints: [{
                maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } },
              }],
              containers: [{ name: 'main', image: BUSYBOX, imagePullPolicy: 'Never', command: HTTPD, ...httpReady }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'server', namespace: NS },
        spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    ]);
    const expected = 6;
    let pods: KubeObject[] = [];
    const took = await waitFor(`${expected} pods Ready`, async () => {
      pods = await api.list(`/api/v1/namespaces/${NS}/pods`);
      return pods.length === expected && pods.every(isPodReady);
    }, 120 * SECOND, describePods);
    expect(pods.filter((p) => p.spec.nodeName === KWOK_NODE)).toEqual([]);
    const kwok = await api.get(`/api/v1/nodes/${KWOK_NODE}`);
    expect(kwok.status.conditions.find((c: any) => c.type === 'Ready')?.status).toBe('True');
    const byNode = new Map<string, string[]>();
    for (const p of pods) byNode.set(p.spec.nodeName, [...(byNode.get(p.spec.nodeName) ?? []), p.metadata.name]);
    expect([...byNode.keys()].sort()).toEqual([NODE_A, NODE_B].sort());
    const webZones = pods.filter((p) => p.metadata.labels?.app === 'web').map((p) => p.spec.nodeName).sort();
    expect(webZones).toEqual([NODE_A, NODE_B].sort());
    for (const p of pods) expect(p.status.podIP).toMatch(/^198\.18\.[12]\./);
    console.log(`real-node: ${pods.length} pods Ready on ${byNode.size} nodes (${took / SECOND}s after apply, ${(Date.now() - started) / SECOND}s in all)`);
  });

  test('WHEN kubectl exec and kubectl logs reach a container THEN they work through the kubelet', async () => {
    const r = await exec('client', ['hostname']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('client');
    const logs = await kubectlOk(['logs', '-n', NS, 'client']);
    expect(logs).toContain('picvario-log-line from client');
  });

  test('WHEN a pod on one node calls a ClusterIP Service backed by a pod on the other THEN kube-proxy forwards it', async () => {
    const svc = await api.get(`/api/v1/namespaces/${NS}/services/server`);
    expect(svc.spec.clusterIP).toMatch(/^198\.19\./);
    let last = { ok: false, body: '' };
    await waitFor('the Service to answer', async () => {
      last = await fetchFrom(svc.spec.clusterIP, 80);
      return last.ok;
    }, 60 * SECOND, async () => `last answer: ${last.body}\n${await describePods()}`, 1000);
    expect(last.body).toBe('hello from server');
  });

  test('WHEN a pod resolves a Service name THEN CoreDNS (the kube-dns Service) answers with its ClusterIP', async () => {
    const dns = await api.get('/api/v1/namespaces/kube-system/services/kube-dns');
    expect(dns.spec.clusterIP).toBe(DNS_IP);
    const coredns: KubeObject[] = await api.list('/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns');
    expect(coredns.filter(isPodReady).length).toBeGreaterThan(0);
    const svc = await api.get(`/api/v1/namespaces/${NS}/services/server`);
    const r = await exec('client', ['nslookup', `server.${NS}.svc.cluster.local`]);
    expect(r.stdout).toContain(DNS_IP);
    expect(r.stdout).toContain(svc.spec.clusterIP);
    const byShortName = await fetchFrom('server', 80);
    expect(byShortName).toEqual({ ok: true, body: 'hello from server' });
  });

  test('WHEN a deny-all NetworkPolicy is applied THEN the connection that worked is blocked, and an allow policy re-allows it', async () => {
    const serverIp = await podIp('server');
    expect(await fetchFrom(serverIp, 8080)).toEqual({ ok: true, body: 'hello from server' });

    await apply([{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-all', namespace: NS },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    }]);
    let last = { ok: true, body: '' };
    const blockedAfter = await waitFor('kube-router to block the connection', async () => {
      last = await fetchFrom(serverIp, 8080);
      return !last.ok;
    }, 60 * SECOND, async () => `last answer: ${last.body}`, 1000);
    // Still blocked a moment later: not a passing hiccup.
    expect((await fetchFrom(serverIp, 8080)).ok).toBe(false);

    await apply([{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-client', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
      },
    }]);
    const allowedAfter = await waitFor('kube-router to allow the connection again', async () => {
      last = await fetchFrom(serverIp, 8080);
      return last.ok;
    }, 60 * SECOND, async () => `last answer: ${last.body}`, 1000);
    expect(last.body).toBe('hello from server');
    // The allow policy names the client only: a web pod is still refused.
    const web: KubeObject[] = await api.list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
    expect((await fetchFrom(serverIp, 8080, web[0].metadata.name)).ok).toBe(false);
    console.log(`real-node: NetworkPolicy blocked after ${blockedAfter / SECOND}s, re-allowed after ${allowedAfter / SECOND}s`);
    await kubectlOk(['delete', '-n', NS, 'networkpolicy', 'deny-all', 'allow-client']);
  });

  test('WHEN a liveness probe fails THEN the kubelet restarts the container', async () => {
    await apply([pod('liveness', NODE_A, BUSYBOX, ['sh', '-c', 'touch /tmp/healthy; sleep 4; rm /tmp/healthy; exec sleep 3600'], {
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 },
    })]);
    let restarts = 0;
    const took = await waitFor('a restart after the failing liveness probe', async () => {
      const p = await api.get(`/api/v1/namespaces/${NS}/pods/liveness`);
      restarts = p.status?.containerStatuses?.[0]?.restartCount ?? 0;
      return restarts >= 1;
    }, 90 * SECOND, describePods);
    const events: KubeObject[] = await api.list(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dliveness`);
    expect(events.map((e: any) => e.message).join('\n')).toMatch(/Liveness probe failed/);
    console.log(`real-node: liveness restart after ${took / SECOND}s (restartCount ${restarts})`);
  });

  test('WHEN metrics-server has scraped the kubelets THEN the metrics API and kubectl top report the pods', async () => {
    let items: any[] = [];
    await waitFor('pod metrics of the suite\'s pods', async () => {
      items = (await api.get(`/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`)).items;
      return items.some((i) => i.metadata.name === 'server');
    }, 120 * SECOND, undefined, 2000);
    const server = items.find((i) => i.metadata.name === 'server');
    expect(server.containers[0].name).toBe('main');
    expect(server.containers[0].usage.memory).toMatch(/^\d+Ki$/);
    expect(parseInt(server.containers[0].usage.memory, 10)).toBeGreaterThan(0);
    const nodeMetrics = (await api.get('/apis/metrics.k8s.io/v1beta1/nodes')).items.map((n: any) => n.metadata.name).sort();
    expect(nodeMetrics).toEqual([NODE_A, NODE_B].sort());
    const top = await run('kubectl', ['top', 'pod', '-n', NS, '--no-headers'], { timeoutMs: 30 * SECOND });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^server\s+\d+m\s+\d+Mi\s*$/m);
  });

  // The node namespaces reach nothing outside the machine (the host forwards nothing), so even a
  // broken mirror configuration could not send a request out; the stand-in shows where it went.
  test('WHEN a pod names an image of a mirrored registry host THEN the node pulls it from CP_REGISTRY', async () => {
    const registry = requireEnv('CP_REGISTRY');
    const host = requireEnv('CP_REGISTRY_HOSTS').split(' ')[0];
    const seen: string[] = [];
    let standIn: http.Server | undefined;
    if (process.env.CP_REGISTRY_STAND_IN === '1') {
      // A registry that knows no image: every request is recorded and answered 404.
      const [address, port] = registry.split(':');
      standIn = http.createServer((req, res) => { seen.push(`${req.method} ${req.url}`); res.writeHead(404).end(); });
      await new Promise<void>((ok, ko) => { standIn!.once('error', ko); standIn!.listen(Number(port), address, ok); });
    }
    try {
      await apply([pod('mirror-probe', NODE_B, `${host}/picvario/mirror-probe:1`, ['sh'], { imagePullPolicy: 'Always' })]);
      let message = '';
      await waitFor('a pull through the mirror', async () => {
        const events: KubeObject[] = await api.list(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dmirror-probe`);
        message = events.map((e: any) => e.message).filter((m: string) => /Failed to pull image/.test(m)).join('\n');
        return message !== '';
      }, 60 * SECOND, describePods, 1000);
      // A registry answered that it has no such image (not a failed connection, which would say so).
      expect(message).toContain(`${host}/picvario/mirror-probe:1: not found`);
      if (standIn) {
        expect(seen).toContainEqual(expect.stringMatching(new RegExp(`^(HEAD|GET) /v2/picvario/mirror-probe/manifests/1\\?ns=${host.replace(/\./g, '\\.')}$`)));
      }
    } finally {
      await kubectl(['delete', 'pod', '-n', NS, 'mirror-probe', '--wait=false']);
      standIn?.close();
    }
  });
});
