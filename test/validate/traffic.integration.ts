// Proves the NetworkPolicies with a NetworkPolicy engine (cyclonus): the real render passes the
// allowed-traffic matrix, and each control case (a copy of a real rendered folder with one defect)
// fails it, naming the flows. Needs cyclonus from `bash hack/validate/install.sh`; never skips.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import * as gate from '../../src/validate/gate';

const REPO = path.resolve(__dirname, '..', '..');
const RENDER = path.join(REPO, 'dist', 'manifests');
const ENV = 'test';
const NS = 'picvario-test';

jest.setTimeout(600_000);

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

let realRun: ReturnType<typeof spawnSync>;

beforeAll(() => {
  gate.checkPrerequisites(gate.resolvePaths(), ['cyclonus']);
  // run.sh renders first when dist/manifests is missing or older than src/, so the copies below are of
  // today's render.
  realRun = spawnSync('bash', ['hack/validate/run.sh', '--tool', 'cyclonus'], { cwd: REPO, encoding: 'utf8' });
});

/** A copy of the real rendered folder of ENV, changed by `mutate`, in a manifests folder of its own. */
function copyOfRender(mutate: (dir: string) => void = () => undefined): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-traffic-'));
  tmpDirs.push(root);
  fs.cpSync(path.join(RENDER, ENV), path.join(root, ENV), { recursive: true });
  mutate(path.join(root, ENV));
  return root;
}

/** Edits the objects of one rendered file; `fn` returns the new list of objects. */
function editObjects(dir: string, file: string, fn: (objects: any[]) => any[]): void {
  const p = path.join(dir, file);
  const objects = YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS());
  fs.writeFileSync(p, fn(objects).map((o) => YAML.stringify(o)).join('---\n'));
}

/** The file of the folder that holds the object. */
function fileOf(dir: string, kind: string, name: string): string {
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const found = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))
      .map((d) => d.toJS()).some((o) => o && o.kind === kind && o.metadata.name === name);
    if (found) return f;
  }
  throw new Error(`${kind}/${name} not found in ${dir}`);
}

function withPolicy(dir: string, name: string, fn: (p: any) => any | null): void {
  editObjects(dir, fileOf(dir, 'NetworkPolicy', name), (objects) => objects
    .map((o) => (o.kind === 'NetworkPolicy' && o.metadata.name === name ? fn(o) : o))
    .filter((o) => o !== null));
}

function matrix(root: string): gate.Report {
  return gate.validate({ manifestsDir: root, tools: ['cyclonus'], exceptionsFile: null });
}

function flowFindings(report: gate.Report): gate.Finding[] {
  return report.findings.filter((f) => f.tool === 'cyclonus' && f.check === 'flow');
}

const EDGE_SELECTOR = {
  'app.kubernetes.io/name': 'picvario', 'app.kubernetes.io/instance': NS, 'app.kubernetes.io/component': 'edge',
};

describe('the real render', () => {
  test('every environment folder passes the traffic matrix, which run.sh prints', () => {
    // (stderr carries the compiler's output when run.sh had to render first)
    expect(realRun.status).toBe(0);
    for (const env of ['production', 'staging', 'test']) {
      expect(realRun.stdout).toMatch(new RegExp(`^${env} +\\d+ +\\d+ +\\d+ +0 +\\d+/\\d+  index\\.json$`, 'm'));
    }
    expect(realRun.stdout).toMatch(/^argocd +- .* no workload and no NetworkPolicy: nothing to check$/m);
    expect(realRun.stdout).toMatch(/validate: PASS/);
  });

  test('the matrix covers every kind of flow, and the README draws exactly what the engine allows between components', () => {
    const report = matrix(copyOfRender());
    expect(report.findings.filter((f) => !f.check.startsWith('Check'))).toEqual([]);
    const m = report.traffic[0].matrix!;
    expect(m.components).toBe(14);
    expect(m.mismatches).toBe(0);
    expect(m.dnsProven).toBe(true);
    expect(m.flows).toBe(m.allowed + m.denied);
    // 67 listed flows, of which the 11 to S3 go to each of its 3 CIDRs, plus DNS (UDP and TCP) for 14 components
    expect(m.allowed).toBe(67 + 11 * 2 + 2 * 14);
    expect(m.diagram).toEqual({ edges: 13, allowed: 13, mismatches: 0 });
    expect(m.otherNamespace).toBe(`${NS}-other`);
  });

  test('a folder with NetworkPolicies and workloads but no traffic model fails, saying the model is missing', () => {
    const root = copyOfRender((dir) => {
      const { traffic: _dropped, ...index } = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    });
    const report = gate.validate({ manifestsDir: root, tools: ['cyclonus'], exceptionsFile: null });
    const missing = report.findings.filter((f) => f.check === 'traffic-model-missing');
    expect(report.ok).toBe(false);
    expect(missing).toHaveLength(1);
    expect(missing[0].message).toMatch(/14 workload\(s\) and 16 NetworkPolicy\(s\) but no traffic model: index\.json has no "traffic" field/);
  });

  test('the model is the one the render wrote into index.json: a flow it no longer intends is a mismatch', () => {
    const root = copyOfRender((dir) => {
      const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
      // this model no longer lists edge -> backend, so the engine's "allow" is a mismatch
      index.traffic.allowed = index.traffic.allowed.filter((a: any) => !(a.from.component === 'edge' && a.to.component === 'backend'));
      fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    });
    const report = matrix(root);
    expect(report.traffic[0].matrix!.source).toBe('index.json');
    expect(flowFindings(report).map((f) => f.name)).toEqual(['edge -> backend :8000/TCP']);
    expect(flowFindings(report)[0].message).toMatch(/expected denied, engine allows it \(egress: allowed by allow-edge; ingress: allowed by allow-backend\)/);
  });
});

describe('control cases: the gate fails', () => {
  test('without the allow-dns policy, every component\'s DNS flow is denied', () => {
    const report = matrix(copyOfRender((dir) => withPolicy(dir, 'allow-dns', () => null)));
    expect(report.ok).toBe(false);
    const dns = flowFindings(report).filter((f) => f.name.includes(' -> dns '));
    expect(dns).toHaveLength(14 * 2);
    expect(flowFindings(report)).toHaveLength(dns.length);
    expect(dns.find((f) => f.name === 'backend -> dns kube-system/k8s-app=kube-dns :53/UDP')!.message)
      .toMatch(/expected allowed \(DNS\), engine denies it \(egress: denied; the pod is selected by allow-backend, default-deny, none of which allows it; ingress: no NetworkPolicy selects the pod, so allowed\)/);
  });

  test('a from with the namespace and pod selectors split into two entries (OR instead of AND) lets another namespace in', () => {
    const and = {
      namespaceSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'picvario' } },
      podSelector: { matchLabels: EDGE_SELECTOR },
    };
    const fromEdge = (p: any) => (p.spec.ingress as any[]).find((r) => r.from[0].podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'edge');
    // AND: edge pods in a namespace of the app; the other environment's edge pods carry its own instance label
    const good = matrix(copyOfRender((dir) => withPolicy(dir, 'allow-backend', (p) => { fromEdge(p).from = [and]; return p; })));
    expect(flowFindings(good)).toEqual([]);
    // OR: every pod of every namespace of the app, or edge pods of this namespace
    const bad = matrix(copyOfRender((dir) => withPolicy(dir, 'allow-backend', (p) => {
      fromEdge(p).from = [{ namespaceSelector: and.namespaceSelector }, { podSelector: and.podSelector }];
      return p;
    })));
    expect(bad.ok).toBe(false);
    const names = flowFindings(bad).map((f) => f.name);
    // every pod of the other namespace reaches the backend; this namespace's pods are still held back by
    // their own egress policies
    expect(names).toHaveLength(14);
    expect(names.every((n) => n.startsWith(`${NS}-other/`) && n.endsWith(' -> backend :8000/TCP'))).toBe(true);
    expect(names).toContain(`${NS}-other/edge -> backend :8000/TCP`);
    const f = flowFindings(bad).find((x) => x.name === `${NS}-other/edge -> backend :8000/TCP`)!;
    expect(f.message).toMatch(/expected denied, engine allows it \(egress: no NetworkPolicy selects the pod, so allowed; ingress: allowed by allow-backend\)/);
  });

  test('a component that lost its allow policy is isolated', () => {
    const report = matrix(copyOfRender((dir) => withPolicy(dir, 'allow-backend', () => null)));
    expect(report.ok).toBe(false);
    const names = flowFindings(report).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining([
      'edge -> backend :8000/TCP', 'frontend -> backend :8000/TCP',
      'backend -> postgres (10.30.1.1) :5432/TCP', 'backend -> stats-shipper :8080/TCP',
    ]));
    // the two flows into it, its flow to stats-shipper and its 7 flows to external services
    expect(names).toHaveLength(10);
    for (const f of flowFindings(report)) expect(f.message).toMatch(/expected allowed, engine denies it/);
    // and the README draws edges the engine now denies
    expect(report.findings.filter((f) => f.check === 'diagram').map((f) => f.message)).toEqual([
      'README.md draws backend -> stats-shipper :8080/TCP, which the engine denies',
      'README.md draws edge -> backend :8000/TCP, which the engine denies',
      'README.md draws frontend -> backend :8000/TCP, which the engine denies',
    ]);
  });

  test('a component whose pod labels no longer match its policy is isolated', () => {
    const report = matrix(copyOfRender((dir) => editObjects(dir, 'backend.yaml', (objects) => objects.map((o) => {
      if (o.kind === 'Deployment') o.spec.template.metadata.labels['app.kubernetes.io/component'] = 'backend-v2';
      return o;
    }))));
    expect(report.ok).toBe(false);
    const labels = report.findings.filter((f) => f.check === 'model-labels');
    expect(labels).toHaveLength(1);
    expect(labels[0].message).toMatch(/component "backend": podLabels .* match no pod of the folder; Deployment\/backend \(taken instead\) has .*backend-v2/);
    const names = flowFindings(report).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['edge -> backend :8000/TCP', 'backend -> postgres (10.30.1.1) :5432/TCP']));
    const f = flowFindings(report).find((x) => x.name === 'edge -> backend :8000/TCP')!;
    expect(f.message).toMatch(/ingress: denied; the pod is selected by default-deny, none of which allows it/);
  });

  test('a README diagram that draws an edge the engine denies fails', () => {
    const report = matrix(copyOfRender((dir) => {
      const readme = path.join(dir, 'README.md');
      const text = fs.readFileSync(readme, 'utf8');
      fs.writeFileSync(readme, text.replace('  c_edge -->|":8000"| c_backend\n', '  c_edge -->|":8000"| c_backend\n  c_edge -->|":3000"| c_grafana\n'));
    }));
    expect(report.findings.filter((f) => f.check === 'diagram').map((f) => f.message))
      .toEqual(['README.md draws edge -> grafana :3000/TCP, which the engine denies']);
  });
});
