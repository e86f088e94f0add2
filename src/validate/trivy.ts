// trivy's Kubernetes misconfiguration scan (embedded checks, offline) on each environment folder, through
// trivy-k8s-config (hack/validate/trivy): what `trivy config --misconfig-scanners kubernetes` reports.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Finding, ToolRun } from './findings';
import { LoadedFolder, ManifestObject } from './manifests';
import { shellQuote } from './setup';

// trivy checks that guard the pod and container security context (Pod Security Standards, capabilities,
// host namespaces, privilege). No exception may name them.
export const TRIVY_SECURITY_CHECKS = new Set([
  'KSV-0001', // can elevate its own privileges (allowPrivilegeEscalation)
  'KSV-0002', // AppArmor profile
  'KSV-0003', // capabilities: drop ALL
  'KSV-0004', // capabilities: drop any
  'KSV-0005', // SYS_ADMIN added
  'KSV-0008', // host IPC
  'KSV-0009', // host network
  'KSV-0010', // host PID
  'KSV-0012', // runs as root
  'KSV-0014', // root file system not read-only
  'KSV-0017', // privileged
  'KSV-0020', // runAsUser <= 10000
  'KSV-0021', // runAsGroup <= 10000
  'KSV-0022', // capabilities added
  'KSV-0023', // hostPath volumes
  'KSV-0024', // host ports
  'KSV-0025', // SELinux options
  'KSV-0026', // unsafe sysctls
  'KSV-0027', // /proc mount
  'KSV-0028', // non-core volume types
  'KSV-0030', // seccomp RuntimeDefault
  'KSV-0036', // service account token automount
  'KSV-0103', // Windows host process
  'KSV-0104', // seccomp unconfined
  'KSV-0105', // runAsUser 0
  'KSV-0106', // capabilities beyond NET_BIND_SERVICE
  'KSV-0116', // root group
  'KSV-0117', // privileged ports
  'KSV-0118', // default security context
  'KSV-0119', // NET_RAW
  'KSV-0120', // SYS_MODULE
  'KSV-0121', // disallowed volumes
]);

export function isTrivySecurityCheck(id: string): boolean {
  return TRIVY_SECURITY_CHECKS.has(id);
}

/**
 * The object a trivy result is about, among the folder's objects. When the message names one object of
 * the file by kind and quoted name ("ConfigMap 'grafana-datasources' in 'ns' namespace ...") that is the
 * object: some checks (KSV-0109) give no line, or a line counted from the start of their document instead
 * of the file. Otherwise the line of the cause in the file says which document it is.
 */
export function objectAt(docs: readonly ManifestObject[], file: string, line: number, message: unknown): ManifestObject | null {
  const inFile = docs.filter((o) => o.file === file);
  const text = String(message || '');
  const named = inFile.filter((o) => o.name && text.includes(`'${o.name}'`) && text.toLowerCase().includes(String(o.kind).toLowerCase()));
  if (named.length === 1) return named[0];
  if (line) {
    const o = inFile.find((x) => line >= x.startLine && line <= x.endLine);
    if (o) return o;
  }
  return inFile.length === 1 ? inFile[0] : null;
}

/** The fields of trivy's JSON report that the gate reads (hack/validate/trivy/main.go writes them). */
interface TrivyReport {
  readonly Results?: {
    readonly Target: string;
    readonly Misconfigurations?: {
      readonly ID?: string;
      readonly AVDID?: string;
      readonly Status: string;
      readonly Severity: string;
      readonly Title: string;
      readonly Message: string;
      readonly CauseMetadata?: { readonly StartLine?: number };
    }[];
  }[];
}

export interface TrivyOptions {
  /** trivy-k8s-config */
  readonly bin: string;
  readonly manifestsDir: string;
  readonly envs: readonly string[];
  readonly loadedByEnv: Readonly<Record<string, LoadedFolder>>;
  /** The registries KSV-0125 trusts (the exceptions file's trustedRegistries). */
  readonly trustedRegistries: readonly string[];
}

/**
 * Runs trivy on each of the given environment folders and returns, per folder, { findings, checked }.
 * Every FAIL is one finding, keyed by the check id (e.g. KSV-0014) and the object it is about.
 * One scan per folder, as `trivy config <folder>` judges it: what trivy reports for a file depends on
 * the other files of the scan (the Argo CD folder's Applications pass KSV-0039 alone and fail it next to
 * an environment folder). The runs go in parallel: trivy's start-up (loading its checks) dominates.
 */
export function runTrivy(opts: TrivyOptions): Record<string, ToolRun> {
  const { bin, manifestsDir, envs, loadedByEnv, trustedRegistries } = opts;
  const out: Record<string, { findings: Finding[]; checked: number }> = {};
  for (const env of envs) out[env] = { findings: [], checked: loadedByEnv[env].objects.length };
  const scanned = envs.filter((env) => loadedByEnv[env].files.length);
  if (!scanned.length) return out;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-trivy-'));
  try {
    // The data of KSV-0125 (the only check here that documents data): the registries the app builds its own
    // images in. Without it trivy trusts only ECR, GCR and ACR.
    let configDataDir: string | undefined;
    if (trustedRegistries && trustedRegistries.length) {
      configDataDir = path.join(work, 'config-data');
      fs.mkdirSync(configDataDir);
      fs.writeFileSync(path.join(configDataDir, 'trusted-registries.json'),
        JSON.stringify({ ksv0125: { trusted_registries: trustedRegistries } }));
    }
    const script = scanned.map((env, i) => {
      const args = [
        bin, '--output', path.join(work, `report-${i}.json`),
        ...(configDataDir ? ['--config-data', configDataDir] : []),
        path.join(manifestsDir, env),
      ];
      return `( ${args.map(shellQuote).join(' ')} > ${shellQuote(path.join(work, `log-${i}.txt`))} 2>&1; echo $? > ${shellQuote(path.join(work, `rc-${i}`))} ) &`;
    }).join('\n') + '\nwait\n';
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    if (r.error) throw new Error(`bash: ${r.error.message}`);
    scanned.forEach((env, i) => {
      const envDir = path.join(manifestsDir, env);
      const rcFile = path.join(work, `rc-${i}`);
      const rc = fs.existsSync(rcFile) ? fs.readFileSync(rcFile, 'utf8').trim() : '?';
      const reportFile = path.join(work, `report-${i}.json`);
      if (rc !== '0' || !fs.existsSync(reportFile)) {
        const log = fs.existsSync(path.join(work, `log-${i}.txt`)) ? fs.readFileSync(path.join(work, `log-${i}.txt`), 'utf8') : '';
        throw new Error(`trivy exited ${rc} on ${envDir}: ${log.trim().split('\n').slice(-5).join(' | ')}`);
      }
      const report: TrivyReport = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
      for (const res of report.Results || []) {
        const file = path.resolve(envDir, res.Target);
        for (const m of res.Misconfigurations || []) {
          if (m.Status !== 'FAIL') continue;
          const line = (m.CauseMetadata && m.CauseMetadata.StartLine) || 0;
          const o = objectAt(loadedByEnv[env].objects, file, line, m.Message);
          out[env].findings.push({
            tool: 'trivy',
            env,
            target: 'embedded checks',
            check: m.ID || m.AVDID || '?',
            kind: o ? o.kind as string : '',
            namespace: o ? o.namespace : '',
            name: o ? o.name : '',
            file,
            message: `${m.Severity}: ${m.Title} - ${m.Message}${line ? ` (line ${line})` : ''}`,
            severity: m.Severity,
            title: m.Title,
          });
        }
      }
    });
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
