// Proves that the validation gate (hack/validate/) can fail: each validator rejects a fixture with a
// defect it is known to catch, and passes the clean fixture. The binaries and schemas come from
// `bash hack/validate/install.sh`; when they are missing these tests fail and say so, they never skip.
// Every run here uses the check-level entries ("checks:") of the committed exceptions file and none of its
// per-object exceptions, which name Picvario objects.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import * as gate from '../../src/validate/gate';

const REPO = path.resolve(__dirname, '..', '..');
const CLEAN = path.join(__dirname, 'fixtures', 'clean');
const DEFECTS = path.join(__dirname, 'fixtures', 'defects');
const TIMEOUT = 180_000;
const COMMITTED = path.join(REPO, 'hack', 'validate', 'exceptions.yaml');
const CHECK_LEVEL = YAML.stringify({ checks: YAML.parse(fs.readFileSync(COMMITTED, 'utf8')).checks });

jest.setTimeout(TIMEOUT);

const tmpDirs: string[] = [];

/** A copy of the clean fixture in a temporary folder, changed by `mutate`. */
function fixture(mutate: (dir: string) => void = () => undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-fixture-'));
  tmpDirs.push(dir);
  fs.cpSync(CLEAN, dir, { recursive: true });
  mutate(dir);
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const before = fs.readFileSync(file, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`fixture edit did not apply to ${file}: ${from}`);
  fs.writeFileSync(file, after);
}

function checks(report: gate.Report, tool: string): string[] {
  return report.findings.filter((f) => f.tool === tool).map((f) => f.check);
}

function toolsWithFindings(report: gate.Report): string[] {
  return [...new Set(report.findings.map((f) => f.tool))].sort();
}

/** The registry the fixtures' own image comes from. */
const TRUSTED = 'trustedRegistries: [registry.picvario.example]\n';

/** An exceptions file with `body`, the committed check-level entries and (unless told otherwise) the fixtures' registry. */
function writeExceptions(body: string, trusted: string = TRUSTED): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-exceptions-'));
  tmpDirs.push(dir);
  const file = path.join(dir, 'exceptions.yaml');
  fs.writeFileSync(file, `${trusted}${body}\n${CHECK_LEVEL}`);
  return file;
}

let CHECKS_ONLY: string;

beforeAll(() => {
  // Fails (never skips) with the name of what is missing and the install command.
  gate.checkPrerequisites();
  CHECKS_ONLY = writeExceptions('exceptions: []\n');
});

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('clean fixture', () => {
  test('passes every validator in every environment, ignoring non-YAML files', () => {
    const report = gate.validate({ manifestsDir: CLEAN, exceptionsFile: CHECKS_ONLY });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.envs).toEqual(['app', 'argocd']);
    // kubeconform twice (oldest and newest Kubernetes), kube-score, apiversions and trivy once, and the three
    // parts of the NetworkPolicy check, per environment
    const perEnv = (env: string) => [
      `kubeconform ${env} k8s 1.27.16`, `kubeconform ${env} k8s 1.37.2`, `kube-score ${env} k8s 1.27`, `apiversions ${env} k8s 1.27..1.37`,
      `trivy ${env} embedded checks`, `cyclonus ${env} lint`, `cyclonus ${env} traffic`, `cyclonus ${env} diagram`,
    ];
    expect(report.results.map((r) => `${r.tool} ${r.env} ${r.target}`)).toEqual([...perEnv('app'), ...perEnv('argocd')]);
    // app holds 9 objects in 3 YAML files, next to a README.md and an index.json that the YAML tools ignore
    const app = report.results.filter((r) => r.env === 'app' && ['kubeconform', 'apiversions', 'trivy'].includes(r.tool));
    for (const r of app) expect(r.checked).toBe(9);
    expect(report.results.find((r) => r.tool === 'kubeconform' && r.env === 'argocd')!.checked).toBe(1);
    // the traffic model in app/index.json: one component, so 8 flows
    expect(report.traffic.find((t) => t.env === 'app')!.matrix).toMatchObject({ source: 'index.json', flows: 8, allowed: 3, denied: 5, mismatches: 0 });
  });

  test('the committed exceptions file is accepted', () => {
    expect(() => gate.loadExceptions(COMMITTED)).not.toThrow();
  });
});

describe('kubeconform', () => {
  test('fails an unknown field, for both Kubernetes versions', () => {
    const dir = fixture((d) => edit(path.join(d, 'app', 'web.yaml'), '  revisionHistoryLimit: 5\n', '  revisionHistoryLimit: 5\n  replica: 3\n'));
    const report = gate.validate({ manifestsDir: dir, exceptionsFile: CHECKS_ONLY });
    expect(report.ok).toBe(false);
    expect(toolsWithFindings(report)).toEqual(['kubeconform']);
    expect(report.findings.map((f) => `${f.target} ${f.kind}/${f.namespace}/${f.name}`)).toEqual([
      'k8s 1.27.16 Deployment/fixture/web', 'k8s 1.37.2 Deployment/fixture/web',
    ]);
    for (const f of report.findings) expect(f.message).toMatch(/additional properties 'replica' not allowed/);
  });

  test('fails a wrong type in a custom resource (KEDA CRD schema)', () => {
    const dir = fixture((d) => edit(path.join(d, 'app', 'worker.yaml'), 'maxReplicaCount: 10', 'maxReplicaCount: ten'));
    const report = gate.validate({ manifestsDir: dir, tools: ['kubeconform'], exceptionsFile: CHECKS_ONLY });
    expect(report.findings.map((f) => `${f.kind}/${f.name} ${f.check}`)).toEqual([
      'ScaledObject/web schema', 'ScaledObject/web schema',
    ]);
    expect(report.findings[0].message).toMatch(/maxReplicaCount/);
  });

  test('fails a field unknown to an Argo CD Application', () => {
    const dir = fixture((d) => edit(path.join(d, 'argocd', 'app.yaml'), '    automated:\n', '    automatic:\n'));
    const report = gate.validate({ manifestsDir: dir, tools: ['kubeconform'], exceptionsFile: CHECKS_ONLY });
    expect(report.ok).toBe(false);
    expect(report.findings.every((f) => f.kind === 'Application' && f.env === 'argocd')).toBe(true);
    expect(report.findings[0].message).toMatch(/automatic/);
  });
});

describe('kube-score', () => {
  test('fails a Deployment without probes', () => {
    const dir = fixture((d) => edit(path.join(d, 'app', 'web.yaml'), /          readinessProbe:[\s\S]*?failureThreshold: 6\n/, ''));
    const report = gate.validate({ manifestsDir: dir, exceptionsFile: CHECKS_ONLY });
    expect(report.ok).toBe(false);
    expect(toolsWithFindings(report)).toEqual(['kube-score']);
    expect(checks(report, 'kube-score')).toContain('pod-probes');
    const probe = report.findings.find((f) => f.check === 'pod-probes')!;
    expect(`${probe.kind}/${probe.namespace}/${probe.name}`).toBe('Deployment/fixture/web');
    expect(probe.message).toMatch(/readinessProbe/);
  });

  test('fails a container that may run as root with a writable root filesystem', () => {
    const dir = fixture((d) => edit(path.join(d, 'app', 'web.yaml'), '            readOnlyRootFilesystem: true\n', '            readOnlyRootFilesystem: false\n'));
    const report = gate.validate({ manifestsDir: dir, exceptionsFile: CHECKS_ONLY });
    expect(checks(report, 'kube-score')).toEqual(['container-security-context-readonlyrootfilesystem']);
  });
});

describe('trivy (embedded checks, offline)', () => {
  test('KSV-0125 trusts exactly the registries of the exceptions file\'s trustedRegistries', () => {
    const untrusted = gate.validate({ manifestsDir: CLEAN, tools: ['trivy'], exceptionsFile: writeExceptions('exceptions: []\n', '') });
    expect(untrusted.findings.map((f) => `${f.check} ${f.kind}/${f.name}`)).toEqual(['KSV-0125 Deployment/web']);
    const trusted = gate.validate({ manifestsDir: CLEAN, tools: ['trivy'], exceptionsFile: CHECKS_ONLY });
    expect(trusted.findings).toEqual([]);
    expect(trusted.trustedRegistries).toEqual(['registry.picvario.example']);
  });

  test('a trustedRegistries entry that is not a registry host is refused', () => {
    for (const bad of ['registry.picvario.example/picvario', 'https://registry.picvario.example', 'localhost']) {
      expect(() => gate.loadExceptionsFile(writeExceptions('exceptions: []\n', `trustedRegistries: [${JSON.stringify(bad)}]\n`)))
        .toThrow(`trustedRegistries #1: ${JSON.stringify(bad)} is not a registry host such as registry.example.com (no path, no scheme)`);
    }
  });

  test('fails a privileged container', () => {
    const dir = fixture((d) => edit(path.join(d, 'app', 'web.yaml'), '            privileged: false\n', '            privileged: true\n'));
    const report = gate.validate({ manifestsDir: dir, exceptionsFile: CHECKS_ONLY });
    expect(report.ok).toBe(false);
    const privileged = report.findings.filter((f) => f.tool === 'trivy' && f.check === 'KSV-0017');
    expect(privileged.map((f) => `${f.kind}/${f.namespace}/${f.name}`)).toEqual(['Deployment/fixture/web']);
    expect(privileged[0].message).toMatch(/^HIGH: Privileged - Container 'web' of Deployment 'web' should set 'securityContext.privileged' to false/);
    // kube-score sees it too; the other tools do not
    expect(toolsWithFindings(report)).toEqual(['kube-score', 'trivy']);
  });

  test('fails a ConfigMap that stores a password, and an exception for one object accepts that one only', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n  namespace: fixture\ndata:\n  settings.ini: |\n    password = hunter2\n';
    const dir = fixture((d) => fs.writeFileSync(path.join(d, 'app', 'config.yaml'), `${cm.replace('NAME', 'one')}---\n${cm.replace('NAME', 'two')}`));
    const bare = gate.validate({ manifestsDir: dir, tools: ['trivy'], exceptionsFile: CHECKS_ONLY });
    expect(bare.findings.map((f) => `${f.check} ${f.kind}/${f.name}`)).toEqual(['KSV-0109 ConfigMap/one', 'KSV-0109 ConfigMap/two']);
    const file = writeExceptions(`exceptions:
  - tool: trivy
    check: KSV-0109
    kind: ConfigMap
    namespace: fixture
    name: one
    reason: test fixture, to prove that a trivy exception names one object
`);
    const one = gate.validate({ manifestsDir: dir, tools: ['trivy'], exceptionsFile: file });
    expect(one.findings.map((f) => `${f.check} ${f.kind}/${f.name}`)).toEqual(['KSV-0109 ConfigMap/two']);
    expect(one.excepted.filter((f) => f.check === 'KSV-0109').map((f) => f.name)).toEqual(['one']);
  });

  test('KSV-0039 and KSV-0040 are accepted only in a namespace that renders a LimitRange and a ResourceQuota', () => {
    const dir = fixture((d) => {
      const web = fs.readFileSync(path.join(d, 'app', 'web.yaml'), 'utf8').split('\n---\n')[0];
      fs.writeFileSync(path.join(d, 'app', 'elsewhere.yaml'), web.replace(/namespace: fixture/g, 'namespace: elsewhere'));
    });
    const report = gate.validate({ manifestsDir: dir, tools: ['trivy'], exceptionsFile: CHECKS_ONLY });
    expect(report.findings.map((f) => `${f.check} ${f.kind}/${f.namespace}/${f.name}`)).toEqual([
      'KSV-0039 Deployment/elsewhere/web', 'KSV-0040 Deployment/elsewhere/web',
    ]);
    expect(report.findings[0].message).toMatch(/the replacement namespace-has-LimitRange does not hold here: it needs that namespace elsewhere renders a LimitRange/);
    expect(report.excepted.filter((f) => f.namespace === 'fixture' && f.check === 'KSV-0039').map((f) => f.replacedBy))
      .toEqual(Array(7).fill('namespace-has-LimitRange'));
  });

  test.each(['KSV-0001', 'KSV-0012', 'KSV-0014', 'KSV-0017', 'KSV-0020', 'KSV-0030', 'KSV-0106', 'KSV-0118'])(
    'refuses any exception for the security-context check %s', (check) => {
      const file = writeExceptions(`exceptions:
  - tool: trivy
    check: ${check}
    kind: Deployment
    namespace: fixture
    name: web
    reason: this image needs it, which is exactly what must be refused
`);
      expect(() => gate.validate({ manifestsDir: CLEAN, exceptionsFile: file })).toThrow(/is a security check .*cannot be excepted/);
    });
});

describe('apiversions (deprecated and removed apiVersions, Kubernetes 1.27 to the newest)', () => {
  test('fails policy/v1beta1 PodDisruptionBudget and extensions/v1beta1 Ingress as removed', () => {
    const dir = fixture((d) => fs.copyFileSync(path.join(DEFECTS, 'removed-apis.yaml'), path.join(d, 'app', 'old.yaml')));
    const report = gate.validate({ manifestsDir: dir, tools: ['apiversions'], exceptionsFile: CHECKS_ONLY });
    expect(report.findings.map((f) => `${f.kind}/${f.name} ${f.check}`)).toEqual([
      'PodDisruptionBudget/old-pdb removed', 'Ingress/old-ingress removed', 'FlowSchema/old-flowschema removed',
    ]);
    expect(report.findings[0].message).toMatch(/policy\/v1beta1\/PodDisruptionBudget: removed in Kubernetes 1\.25 .*targets 1\.27\.\.1\.37; use policy\/v1 PodDisruptionBudget/);
    expect(report.findings[1].message).toMatch(/removed in Kubernetes 1\.22/);
    // removed in 1.32: fine for 1.27..1.31, removed for 1.32..1.37
    expect(report.findings[2].message).toMatch(/removed in Kubernetes 1\.32 .*targets 1\.32\.\.1\.37/);
  });

  test('the full gate fails them too, and kubeconform finds no schema for them', () => {
    const dir = fixture((d) => fs.copyFileSync(path.join(DEFECTS, 'removed-apis.yaml'), path.join(d, 'app', 'old.yaml')));
    const report = gate.validate({ manifestsDir: dir, exceptionsFile: CHECKS_ONLY });
    expect(checks(report, 'apiversions')).toEqual(['removed', 'removed', 'removed']);
    const kc = report.findings.filter((f) => f.tool === 'kubeconform' && f.kind === 'PodDisruptionBudget');
    expect(kc.map((f) => f.message)).toEqual(['could not find schema for PodDisruptionBudget', 'could not find schema for PodDisruptionBudget']);
  });

  test('fails a CRD version that the CRD no longer serves, and an unknown API group', () => {
    const dir = fixture((d) => fs.copyFileSync(path.join(DEFECTS, 'crd-apis.yaml'), path.join(d, 'app', 'crd.yaml')));
    const report = gate.validate({ manifestsDir: dir, tools: ['apiversions'], exceptionsFile: CHECKS_ONLY });
    expect(report.findings.map((f) => `${f.kind}/${f.name} ${f.check}`)).toEqual([
      'ExternalSecret/old-secret removed', 'Widget/unknown unknown-api',
    ]);
    expect(report.findings[0].message).toMatch(/use external-secrets\.io\/v1/);
  });

  test('target versions cover every minor from 1.27 to the newest pinned release', () => {
    const paths = gate.resolvePaths();
    expect(gate.minorsBetween(paths.versions.K8S_OLDEST_VERSION, paths.versions.K8S_NEWEST_VERSION))
      .toEqual(['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37']);
  });
});

describe('exceptions', () => {
  const noProbes = (): string => fixture((d) => edit(path.join(d, 'app', 'web.yaml'), /          readinessProbe:[\s\S]*?failureThreshold: 6\n/, ''));

  test('an exception naming the check and the object accepts that finding only', () => {
    const file = writeExceptions(`exceptions:
  - tool: kube-score
    check: pod-probes
    kind: Deployment
    namespace: fixture
    name: web
    reason: test fixture without probes, to prove that a precise exception applies
`);
    const report = gate.validate({ manifestsDir: noProbes(), exceptionsFile: file });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.excepted.filter((f) => !f.replacedBy).map((f) => f.check)).toEqual(['pod-probes']);
  });

  test('an exception for another namespace does not apply, and is reported as unused', () => {
    const file = writeExceptions(`exceptions:
  - tool: kube-score
    check: pod-probes
    kind: Deployment
    namespace: elsewhere
    name: web
    reason: matches nothing, so both the finding and the stale exception must be reported
`);
    const report = gate.validate({ manifestsDir: noProbes(), exceptionsFile: file });
    expect(report.findings.map((f) => `${f.tool} ${f.check}`)).toEqual(['kube-score pod-probes', 'exceptions unused-exception']);
  });

  test.each([
    'container-security-context-user-group-id',
    'container-security-context-privileged',
    'container-security-context-readonlyrootfilesystem',
    'container-seccomp-profile',
    'run-as-non-root',
    'privilege-escalation-container',
    'no-read-only-root-fs',
    'drop-net-raw-capability',
    'privileged-container',
  ])('refuses any exception for the security check %s', (check) => {
    const file = writeExceptions(`exceptions:
  - tool: kube-score
    check: ${check}
    kind: Deployment
    namespace: fixture
    name: web
    reason: this image needs it, which is exactly what must be refused
`);
    expect(() => gate.validate({ manifestsDir: CLEAN, exceptionsFile: file })).toThrow(/is a security check .*cannot be excepted/);
  });

  test('refuses kubeconform exceptions, wildcards, and exceptions without a reason', () => {
    const file = writeExceptions(`exceptions:
  - tool: kubeconform
    check: schema
    kind: Deployment
    name: web
    reason: the API server would reject it anyway, so this must be refused
  - tool: kube-score
    check: pod-probes
    kind: Deployment
    name: "*"
    reason: wildcards hide new objects, so this must be refused too
  - tool: kube-score
    check: pod-probes
    kind: Deployment
    name: web
`);
    expect(() => gate.validate({ manifestsDir: CLEAN, exceptionsFile: file }))
      .toThrow(/kubeconform findings .* cannot be excepted[\s\S]*not "\*"[\s\S]*"reason" is required/);
  });
});

describe('setup', () => {
  test('a missing binary is an error naming it and the install command', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-empty-cache-'));
    tmpDirs.push(empty);
    const paths = gate.resolvePaths({ ...process.env, XDG_CACHE_HOME: empty });
    expect(() => gate.validate({ manifestsDir: CLEAN, paths }))
      .toThrow(/kubeconform v0\.8\.0 .*kube-score v1\.20\.0 .*trivy v0\.74\.0 .*cyclonus v0\.5\.6 .*Install them with: bash hack\/validate\/install\.sh/);
  });

  test('run.sh prints a summary per tool and environment, exits 0 when clean and 1 on a finding', () => {
    const clean = spawnSync('bash', ['hack/validate/run.sh', '--manifests', CLEAN, '--exceptions', writeExceptions('exceptions: []\n')], { cwd: REPO, encoding: 'utf8' });
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/kubeconform +app +k8s 1\.27\.16 +9 +0 +0/);
    expect(clean.stdout).toMatch(/kube-score +argocd/);
    expect(clean.stdout).toMatch(/per tool: kubeconform 0, kube-score 0, apiversions 0, trivy 0, cyclonus 0/);
    expect(clean.stdout).toMatch(/^app +8 +3 +5 +0 +0\/0  index\.json$/m);
    expect(clean.stdout).toMatch(/validate: PASS/);

    const dir = fixture((d) => fs.copyFileSync(path.join(DEFECTS, 'removed-apis.yaml'), path.join(d, 'app', 'old.yaml')));
    const bad = spawnSync('bash', ['hack/validate/run.sh', '--manifests', dir, '--tool', 'apiversions'], { cwd: REPO, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/\[apiversions k8s 1\.27\.\.1\.37\] app PodDisruptionBudget\/fixture\/old-pdb removed/);
    expect(bad.stdout).toMatch(/validate: FAIL, 3 finding\(s\)/);
  });
});
