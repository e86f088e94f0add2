// The checks of the manifests against Kubernetes itself: kubeconform (the schemas of the oldest and the
// newest pinned release, -strict), kube-score (against the oldest) and the apiVersion lifecycle check.
import * as fs from 'fs';
import * as path from 'path';
import { Finding, ToolRun } from './findings';
import { LoadedFolder, ManifestObject } from './manifests';
import { CrdVersion, Lifecycle } from './schemas';
import { Paths, runTool } from './setup';

/** "1.27" of "1.27.16". */
function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** Every minor release from `oldest` to `newest` ("1.27", "1.28", ...). */
export function minorsBetween(oldest: string, newest: string): string[] {
  const [, a] = oldest.split('.').map(Number);
  const [, b] = newest.split('.').map(Number);
  const out: string[] = [];
  for (let m = a; m <= b; m++) out.push(`1.${m}`);
  return out;
}

const cmpMinor = (x: string, y: string): number => Number(x.split('.')[1]) - Number(y.split('.')[1]);

/** JSON a tool printed on stdout; a setup error with its output when it printed none. */
function parseToolJson(tool: string, r: { status: number | null; stdout: string; stderr: string }): any {
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`${tool} printed no JSON (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
}

// ---------------------------------------------------------------- kubeconform

export function runKubeconform(paths: Paths, env: string, loaded: LoadedFolder, k8sVersion: string): ToolRun {
  const findings: Finding[] = [];
  if (!loaded.files.length) return { findings, checked: 0 };
  const k8s = paths.k8sSchemaDirs[k8sVersion];
  const args = [
    '-strict', '-summary', '-output', 'json', '-n', '2',
    '-kubernetes-version', k8sVersion,
    '-schema-location', `${k8s}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-schema-location', `${paths.crdSchemaDir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}{{ .StrictSuffix }}.json`,
    ...loaded.files,
  ];
  const r = runTool(paths.kubeconform, args);
  const out = parseToolJson('kubeconform', r);
  for (const res of out.resources || []) {
    if (res.status === 'statusValid' || res.status === 'statusSkipped') continue;
    const match = loaded.objects.find((o) => o.file === res.filename && o.kind === res.kind && o.name === res.name);
    const details = (res.validationErrors || []).map((e: { path: string; msg: string }) => `${e.path}: ${e.msg}`).join('; ');
    findings.push({
      tool: 'kubeconform',
      env,
      target: `k8s ${k8sVersion}`,
      check: res.status === 'statusError' ? 'schema-error' : 'schema',
      kind: res.kind || '',
      namespace: match ? match.namespace : '',
      name: res.name || '',
      file: res.filename,
      message: (res.msg || '').replace(/jsonschema validation failed with '[^']*' - /, '') + (details && !res.msg.includes(details) ? ` [${details}]` : ''),
    });
  }
  if (r.status !== 0 && findings.length === 0) {
    throw new Error(`kubeconform exited ${r.status} without a finding: ${r.stderr}`);
  }
  const s = out.summary || {};
  return { findings, checked: (s.valid || 0) + (s.invalid || 0) + (s.errors || 0) + (s.skipped || 0) };
}

// ---------------------------------------------------------------- kube-score

const KUBE_SCORE_GRADES: Record<number, string> = { 1: 'CRITICAL', 5: 'WARNING', 7: 'ALMOST-OK', 10: 'OK' };

/** kube-score judges against the oldest target: the manifests must run there. */
export function kubeScoreTarget(paths: Paths): string {
  return `k8s ${minorOf(paths.versions.K8S_OLDEST_VERSION)}`;
}

export function runKubeScore(paths: Paths, env: string, loaded: LoadedFolder): ToolRun {
  const findings: Finding[] = [];
  if (!loaded.files.length) return { findings, checked: 0 };
  const minor = minorOf(paths.versions.K8S_OLDEST_VERSION);
  const args = [
    'score', '--output-format', 'json', '--kubernetes-version', `v${minor}`,
    '--enable-optional-test', 'container-seccomp-profile',
    '--enable-optional-test', 'container-ports-check',
    ...loaded.files,
  ];
  const r = runTool(paths.kubeScore, args);
  const out = parseToolJson('kube-score', r);
  for (const obj of out || []) {
    for (const c of obj.checks || []) {
      if (c.skipped || c.grade >= 10) continue;
      const comments = (c.comments || []).map((m: { path?: string; summary: string }) => `${m.path ? m.path + ': ' : ''}${m.summary}`).join('; ');
      findings.push({
        tool: 'kube-score',
        env,
        target: `k8s ${minor}`,
        check: c.check.id,
        kind: obj.type_meta.kind,
        namespace: (obj.object_meta && obj.object_meta.namespace) || '',
        name: (obj.object_meta && obj.object_meta.name) || '',
        file: obj.file_name,
        message: `${KUBE_SCORE_GRADES[c.grade] || 'grade ' + c.grade}: ${c.check.name}${comments ? ' - ' + comments : ''}`,
      });
    }
  }
  if (r.status !== 0 && findings.length === 0) {
    throw new Error(`kube-score exited ${r.status} without a finding: ${r.stderr}`);
  }
  return { findings, checked: (out || []).length };
}

// ---------------------------------------------------------------- apiVersion lifecycle

// Built-in API groups that live outside k8s.io/api.
const EXTRA_BUILTIN_GROUPS = ['apiextensions.k8s.io', 'apiregistration.k8s.io'];

export function apiVersionsTarget(paths: Paths): string {
  const t = minorsBetween(paths.versions.K8S_OLDEST_VERSION, paths.versions.K8S_NEWEST_VERSION);
  return `k8s ${t[0]}..${t[t.length - 1]}`;
}

/**
 * Pluto's question: is any apiVersion deprecated or removed in a target Kubernetes version
 * (every minor from the oldest to the newest pinned release)? Answered from the prerelease-lifecycle
 * data that Kubernetes generates into k8s.io/api, from the specs each release serves, and for
 * custom resources from the served / deprecated flags of the CRD files.
 */
export function runApiVersions(paths: Paths, env: string, loaded: LoadedFolder): ToolRun {
  const lc: Lifecycle = JSON.parse(fs.readFileSync(paths.lifecycleFile, 'utf8'));
  const crdVersions: CrdVersion[] = JSON.parse(fs.readFileSync(path.join(paths.crdSchemaDir, 'crd-versions.json'), 'utf8'));
  const targets = minorsBetween(paths.versions.K8S_OLDEST_VERSION, paths.versions.K8S_NEWEST_VERSION);
  const newest = paths.versions.K8S_NEWEST_VERSION;
  const oldest = paths.versions.K8S_OLDEST_VERSION;
  const builtin = new Set([...lc.builtinGroups, ...EXTRA_BUILTIN_GROUPS]);
  const crdGroups = new Set(crdVersions.map((c) => c.group));
  const served = Object.fromEntries(Object.entries(lc.served).map(([k, list]) => [k, new Set(list)]));
  const findings: Finding[] = [];
  const add = (o: ManifestObject, check: string, message: string): void => {
    findings.push({
      tool: 'apiversions',
      env,
      target: apiVersionsTarget(paths),
      check,
      kind: o.kind || '',
      namespace: o.namespace,
      name: o.name,
      file: o.file,
      message,
    });
  };
  for (const o of loaded.objects) {
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      add(o, 'unknown-api', `object without apiVersion/kind in ${path.basename(o.file)} (document ${o.index + 1})`);
      continue;
    }
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    const key = `${o.apiVersion}/${o.kind}`;
    if (crdGroups.has(group)) {
      const c = crdVersions.find((x) => x.group === group && x.version === version && x.kind === o.kind);
      if (!c) add(o, 'unknown-api', `${key}: the CRD files (${path.basename(paths.crdsDir)}) define no such version of ${group}`);
      else if (!c.served) add(o, 'removed', `${key}: not served by the CRD ${c.source}; use ${crdVersions.filter((x) => x.group === group && x.kind === o.kind && x.served && !x.deprecated).map((x) => `${group}/${x.version}`).join(' or ') || 'a served version'}`);
      else if (c.deprecated) add(o, 'deprecated', `${key}: deprecated by the CRD ${c.source}${c.deprecationWarning ? ': ' + c.deprecationWarning : ''}`);
      continue;
    }
    if (!builtin.has(group)) {
      add(o, 'unknown-api', `${key}: neither a Kubernetes API nor a CRD in ${paths.crdsDir}`);
      continue;
    }
    const t = lc.types[key];
    const replacement = t && t.replacement ? `; use ${t.replacement.replace(/\/([^/]+)$/, ' $1')}` : '';
    const removedIn = t && t.removed ? targets.filter((m) => cmpMinor(m, t.removed!) >= 0) : [];
    const deprecatedIn = t && t.deprecated ? targets.filter((m) => cmpMinor(m, t.deprecated!) >= 0) : [];
    if (removedIn.length) {
      add(o, 'removed', `${key}: removed in Kubernetes ${t.removed} (deprecated in ${t.deprecated}), so removed for targets ${removedIn[0]}..${removedIn[removedIn.length - 1]}${replacement}`);
    } else if (t && !served[newest].has(key) && !served[oldest].has(key)) {
      add(o, 'removed', `${key}: served by neither Kubernetes ${oldest} nor ${newest}${replacement}`);
    } else if (!t && !served[newest].has(key)) {
      add(o, 'removed', `${key}: not served by Kubernetes ${newest} (no longer in k8s.io/api ${lc.source.split('@')[1]})`);
    } else if (deprecatedIn.length) {
      add(o, 'deprecated', `${key}: deprecated in Kubernetes ${t.deprecated}${t.removed ? ', removed in ' + t.removed : ''}, so deprecated for targets ${deprecatedIn[0]}..${deprecatedIn[deprecatedIn.length - 1]}${replacement}`);
    } else if (!served[oldest].has(key)) {
      add(o, 'not-served-by-oldest', `${key}: not served by Kubernetes ${oldest}, the oldest target`);
    }
  }
  return { findings, checked: loaded.objects.length };
}
