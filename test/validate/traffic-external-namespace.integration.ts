// An external service by namespace (ExternalServiceProps.namespace and podLabels: pods of another namespace
// of the cluster instead of addresses) end to end: the app composition records it in the traffic model,
// the render writes it into index.json, and the gate's traffic matrix probes it with cyclonus as pods of
// that namespace. Renders a small app into a temporary folder. Needs cyclonus from
// `bash hack/validate/install.sh`; never skips.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { BrokerKind, DjangoAppChart, QueuePriority } from '../../src';
import { DeliveryApp } from '../../src/delivery/delivery-app';
import * as gate from '../../src/validate/gate';

jest.setTimeout(300_000);

const NS = 'shop';
const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The app rendered into <root>/staging/, its policies changed by `mutate`; returns root. */
function render(mutate: (policy: any) => void = () => undefined): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-external-ns-'));
  tmpDirs.push(root);
  const app = new DeliveryApp({ outdir: root, packageName: '@shop/deploy', packageVersion: '1.0.0' });
  new DjangoAppChart(app, 'staging', {
    appName: 'shop',
    namespace: NS,
    version: '1.4.0',
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size, minReplicas: 2, maxReplicas: 4 },
    workers: { queues: [{ name: 'default', priority: QueuePriority.NORMAL, resources: size }] },
    beat: { resources: size },
    externalServices: [
      { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
      // another team's Redis, in a namespace of the same cluster
      { name: 'redis', namespace: 'cache', podLabels: { 'app.kubernetes.io/name': 'redis' }, ports: [6379] },
    ],
  });
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    app.synth();
  } finally {
    log.mockRestore();
  }
  const dir = path.join(root, 'staging');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const p = path.join(dir, file);
    const objects = YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS());
    if (!objects.some((o) => o && o.kind === 'NetworkPolicy')) continue;
    for (const o of objects) if (o && o.kind === 'NetworkPolicy') mutate(o);
    fs.writeFileSync(p, objects.map((o) => YAML.stringify(o)).join('---\n'));
  }
  return root;
}

/** The repository's two checks replaced by the matrix's DNS flows, and the folder's deny-all policy. */
function exceptionsFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-external-ns-exceptions-'));
  tmpDirs.push(dir);
  const file = path.join(dir, 'exceptions.yaml');
  fs.writeFileSync(file, YAML.stringify({
    checks: ['CheckDNSBlockedOnUDP', 'CheckDNSBlockedOnTCP'].map((check) => ({
      tool: 'cyclonus', check, instead: 'traffic-matrix-dns', reason: 'the traffic matrix proves DNS for every component',
    })),
    exceptions: [{
      tool: 'cyclonus',
      check: 'CheckTargetAllIngressBlocked',
      kind: 'NetworkPolicy',
      namespace: NS,
      name: 'default-deny',
      reason: 'default-deny blocks all ingress on purpose; the allow policies open each flow',
    }],
  }));
  return file;
}

function matrix(root: string, exceptions: string | null = null): gate.Report {
  return gate.validate({ manifestsDir: root, tools: ['cyclonus'], exceptionsFile: exceptions });
}

/** The egress peers of the policy that go to the namespace "cache". */
function cachePeers(policy: any): any[] {
  return (policy.spec.egress ?? []).filter((r: any) => (r.to ?? []).some((p: any) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'cache'));
}

const flows = (report: gate.Report) => report.findings.filter((f) => f.tool === 'cyclonus' && f.check === 'flow').map((f) => f.name);

describe('an external service by namespace', () => {
  test('is recorded in index.json and passes the gate', () => {
    const root = render();
    const index = JSON.parse(fs.readFileSync(path.join(root, 'staging', 'index.json'), 'utf8'));
    expect(index.traffic.externals).toContainEqual({
      name: 'redis', namespace: 'cache', podLabels: { 'app.kubernetes.io/name': 'redis' }, ports: [{ port: 6379, protocol: 'TCP' }],
    });
    const report = matrix(root, exceptionsFile());
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    const m = report.traffic[0].matrix!;
    expect(m.mismatches).toBe(0);
    expect(m.dnsProven).toBe(true);
  });

  test('a policy that opens every pod of the namespace fails, naming the pods that are not the service', () => {
    const report = matrix(render((p) => {
      for (const rule of cachePeers(p)) for (const peer of rule.to) delete peer.podSelector;
    }));
    expect(report.ok).toBe(false);
    const names = flows(report);
    expect(names).toEqual(['backend', 'worker-default', 'beat'].map((c) => `${c} -> redis (pod cache/without labels) :6379/TCP`));
  });

  test('a policy whose namespace and pod selectors are two peers (OR) fails, naming the other pods of the namespace', () => {
    const report = matrix(render((p) => {
      for (const rule of cachePeers(p)) {
        rule.to = rule.to.flatMap((peer: any) => [{ namespaceSelector: peer.namespaceSelector }, { podSelector: peer.podSelector }]);
      }
    }));
    expect(report.ok).toBe(false);
    expect(flows(report)).toEqual(['backend', 'worker-default', 'beat'].map((c) => `${c} -> redis (pod cache/without labels) :6379/TCP`));
  });

  test('a policy that selects the pods in every namespace fails, naming Redis pods of another namespace', () => {
    const report = matrix(render((p) => {
      for (const rule of cachePeers(p)) for (const peer of rule.to) peer.namespaceSelector = {};
    }));
    expect(report.ok).toBe(false);
    expect(flows(report)).toEqual(['backend', 'worker-default', 'beat'].map((c) => `${c} -> redis (pod cache-elsewhere/app.kubernetes.io/name=redis) :6379/TCP`));
  });

  test('a policy without the rule denies the flow the model intends', () => {
    const report = matrix(render((p) => {
      if (p.spec.egress) p.spec.egress = p.spec.egress.filter((r: any) => !cachePeers({ spec: { egress: [r] } }).length);
    }));
    expect(report.ok).toBe(false);
    expect(flows(report)).toContain('backend -> redis (pod cache/app.kubernetes.io/name=redis) :6379/TCP');
    const f = report.findings.find((x) => x.name === 'backend -> redis (pod cache/app.kubernetes.io/name=redis) :6379/TCP')!;
    expect(f.message).toMatch(/expected allowed, engine denies it \(egress: denied; .*ingress: no NetworkPolicy selects the pod, so allowed\)/);
  });
});
