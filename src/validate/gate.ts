// The validation gate: kubeconform (-strict, two Kubernetes versions), kube-score, an apiVersion
// lifecycle check, trivy's embedded Kubernetes checks and the NetworkPolicy traffic matrix (cyclonus),
// run on every environment folder of rendered manifests. `validate` runs them and applies the exceptions
// file; the command line is cli.ts (hack/validate/run.sh runs it compiled, from lib/validate/).
import * as fs from 'fs';
import * as path from 'path';
import { runCyclonus } from './cyclonus';
import { Decision, exceptionMatches, loadExceptionsFile, REPLACEMENTS } from './exceptions';
import { ALL_TOOLS, Finding, isTool, Tool, ToolRun } from './findings';
import { apiVersionsTarget, kubeScoreTarget, runApiVersions, runKubeconform, runKubeScore } from './kube-checks';
import { loadObjects } from './manifests';
import { Report, ToolResult, TrafficResult } from './report';
import { checkPrerequisites, HACK_DIR, Paths, REPO, resolvePaths } from './setup';
import { runTrivy } from './trivy';
import { ValidationError } from '../platform/errors';

// What the tests and the command line use of the gate, in one place.
export { loadExceptions, loadExceptionsFile, isSecurityCheck, SECURITY_CHECKS } from './exceptions';
export { ALL_TOOLS } from './findings';
export type { Finding, Tool } from './findings';
export { minorsBetween } from './kube-checks';
export { loadObjects } from './manifests';
export { formatReport } from './report';
export { Report, ToolResult, TrafficResult } from './report';
export { checkPrerequisites, INSTALL_HINT, resolvePaths } from './setup';
export type { Paths } from './setup';

export interface ValidateOptions {
  /** The folder of environment folders; dist/manifests by default. */
  readonly manifestsDir?: string;
  /** Only these environment folders; every folder by default. */
  readonly envs?: string[];
  /** Only these tools; every tool by default. */
  readonly tools?: readonly string[];
  /** null: no exceptions file; undefined: hack/validate/exceptions.yaml */
  readonly exceptionsFile?: string | null;
  /** DIR/<environment>.json: the traffic model of a folder whose index.json has no "traffic" field */
  readonly trafficModels?: string;
  readonly paths?: Paths;
}

/**
 * Runs the chosen tools on every environment folder of manifestsDir (or the given envs).
 * Throws when a prerequisite is missing, a tool is unknown or an exception is refused.
 */
export function validate(opts: ValidateOptions = {}): Report {
  const paths = opts.paths || resolvePaths();
  const given = opts.tools || ALL_TOOLS;
  for (const t of given) if (!isTool(t)) throw new ValidationError(`unknown tool ${t} (one of ${ALL_TOOLS.join(', ')})`);
  const tools = given as readonly Tool[];
  checkPrerequisites(paths, tools);
  const manifestsDir = path.resolve(opts.manifestsDir || path.join(REPO, 'dist', 'manifests'));
  const exceptionsFile = opts.exceptionsFile === undefined ? path.join(HACK_DIR, 'exceptions.yaml') : opts.exceptionsFile;
  const { exceptions, decisions, trustedRegistries } = loadExceptionsFile(exceptionsFile);
  if (!fs.existsSync(manifestsDir)) throw new Error(`${manifestsDir} does not exist`);
  const envs = opts.envs || fs.readdirSync(manifestsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory()).map((d) => d.name).sort();
  if (!envs.length) throw new Error(`${manifestsDir} has no environment folder`);
  const trafficModels = opts.trafficModels ? path.resolve(opts.trafficModels) : null;

  const results: ToolResult[] = [];
  const traffic: TrafficResult[] = [];
  const all: Finding[] = [];
  const kinds: Record<string, Record<string, Set<unknown>>> = {};
  const loadedByEnv = Object.fromEntries(envs.map((env) => [env, loadObjects(path.join(manifestsDir, env))]));
  const trivy = tools.includes('trivy')
    ? runTrivy({ bin: paths.trivy, manifestsDir, envs, loadedByEnv, trustedRegistries })
    : {} as Record<string, ToolRun>;
  for (const env of envs) {
    const envDir = path.join(manifestsDir, env);
    const loaded = loadedByEnv[env];
    kinds[env] = {};
    for (const o of loaded.objects) {
      const ns = o.kind === 'Namespace' ? o.name : o.namespace;
      (kinds[env][ns] = kinds[env][ns] || new Set()).add(o.kind);
    }
    if (!loaded.files.length) {
      all.push({ tool: 'gate', env, target: '', check: 'no-manifests', kind: '', namespace: '', name: '', file: envDir, message: `${envDir} has no *.yaml file` });
    }
    for (const pe of loaded.parseErrors) {
      all.push({ tool: 'gate', env, target: '', check: 'yaml-parse', kind: '', namespace: '', name: '', file: pe.file, message: pe.message });
    }
    for (const tool of tools) {
      if (tool === 'cyclonus') {
        const res = runCyclonus({ bin: paths.cyclonus, env, envDir, loaded, trafficModels });
        const count = (target: string): number => res.findings.filter((f) => f.target === target).length;
        results.push({ tool, env, target: 'lint', checked: res.checked, findings: count('lint'), excepted: 0 });
        results.push({ tool, env, target: 'traffic', checked: res.matrix ? res.matrix.flows : 0, findings: count('traffic'), excepted: 0 });
        results.push({ tool, env, target: 'diagram', checked: res.matrix && res.matrix.diagram ? res.matrix.diagram.edges : 0, findings: count('diagram'), excepted: 0 });
        traffic.push({ env, matrix: res.matrix, note: res.note });
        all.push(...res.findings);
        continue;
      }
      const runs: { target: string; fn: () => ToolRun }[] = tool === 'kubeconform'
        ? paths.k8sVersions.map((v) => ({ target: `k8s ${v}`, fn: () => runKubeconform(paths, env, loaded, v) }))
        : tool === 'kube-score'
          ? [{ target: kubeScoreTarget(paths), fn: () => runKubeScore(paths, env, loaded) }]
          : tool === 'trivy'
            ? [{ target: 'embedded checks', fn: () => trivy[env] }]
            : [{ target: apiVersionsTarget(paths), fn: () => runApiVersions(paths, env, loaded) }];
      for (const r of runs) {
        const res = r.fn();
        results.push({ tool, env, target: r.target, checked: res.checked, findings: res.findings.length, excepted: 0 });
        all.push(...res.findings);
      }
    }
  }
  const kindsInNamespace = (env: string) => (ns: string): Set<unknown> => (kinds[env] && kinds[env][ns]) || new Set();
  const findings: Finding[] = [];
  const excepted: Finding[] = [];
  const accept = (f: Finding, reason: string, extra: Partial<Finding> = {}): void => {
    excepted.push({ ...f, reason, ...extra });
    const r = results.find((x) => x.tool === f.tool && x.env === f.env && x.target === f.target);
    if (r) { r.findings--; r.excepted++; }
  };
  for (const f of all) {
    const d: Decision | undefined = decisions.find((x) => x.tool === f.tool && x.check === f.check);
    if (d) {
      const rep = REPLACEMENTS[d.instead];
      if (rep.holds(f, { kindsInNamespace: kindsInNamespace(f.env) })) {
        d.used++;
        accept(f, `replaced by ${d.instead}: ${rep.describe(f)}`, { replacedBy: d.instead });
        continue;
      }
      f.message += ` (the replacement ${d.instead} does not hold here: it needs that ${rep.describe(f)})`;
    }
    const e = exceptions.find((x) => exceptionMatches(x, f));
    if (e) {
      e.used++;
      accept(f, e.reason, e.until ? { until: e.until } : {});
    } else {
      findings.push(f);
    }
  }
  const ran = (tool: string): boolean => (tools as readonly string[]).includes(tool);
  // the entries below come from a file, so exceptionsFile names it
  for (const e of exceptions) {
    if (e.used === 0 && ran(e.tool) && (!e.env || envs.includes(e.env))) {
      findings.push({
        tool: 'exceptions',
        env: e.env || '*',
        target: '',
        check: 'unused-exception',
        kind: e.kind,
        namespace: e.namespace,
        name: e.name,
        file: exceptionsFile!,
        message: `exception for ${e.tool} ${e.check} on ${e.kind}/${e.namespace ? e.namespace + '/' : ''}${e.name} matched nothing: remove it`,
      });
    }
  }
  // A check-level entry is stale only if no folder needs it; a run on some folders (--env) cannot tell.
  for (const d of decisions) {
    if (d.used === 0 && ran(d.tool) && !opts.envs) {
      findings.push({
        tool: 'exceptions',
        env: '*',
        target: '',
        check: 'unused-exception',
        kind: '',
        namespace: '',
        name: '',
        file: exceptionsFile!,
        message: `check-level entry for ${d.tool} ${d.check} (instead: ${d.instead}) replaced no finding: remove it`,
      });
    }
  }
  return { ok: findings.length === 0, manifestsDir, envs, tools, findings, excepted, results, traffic, exceptionsFile, trustedRegistries };
}
