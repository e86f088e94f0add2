// The validation gate: kubeconform (-strict, two Kubernetes versions), kube-score, an apiVersion
// lifecycle check, trivy's embedded Kubernetes checks and the NetworkPolicy traffic matrix (cyclonus),
// run on every environment folder of rendered manifests.
// Plain CommonJS so that bash, node and the jest tests can all use it without a build step.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { listFiles: listTree } = require('./gen-schemas');
const { isTrivySecurityCheck, runTrivy } = require('./trivy');
const { runCyclonus } = require('./cyclonus');
const { checkAllCompiled } = require('./compiled');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..');
const INSTALL_HINT = 'bash hack/validate/install.sh';
const ALL_TOOLS = ['kubeconform', 'kube-score', 'apiversions', 'trivy', 'cyclonus'];

// Checks that guard the container security baseline. No exception may name them.
const SECURITY_CHECKS = new Set([
  // kube-score
  'container-security-context-user-group-id',
  'container-security-context-privileged',
  'container-security-context-readonlyrootfilesystem',
  'container-seccomp-profile',
  // kube-linter names, refused as well should it be added later
  'run-as-non-root',
  'privilege-escalation-container',
  'no-read-only-root-fs',
  'drop-net-raw-capability',
  'privileged-container',
  'privileged-ports',
  'host-network',
  'host-pid',
  'host-ipc',
  'docker-sock',
  'unsafe-proc-mount',
  'writable-host-mount',
  'sensitive-host-mounts',
]);
const SECURITY_PATTERN = /security-context|capabilit|privilege|non-root|read-only-root|readonlyrootfilesystem|seccomp/i;

function isSecurityCheck(check) {
  return SECURITY_CHECKS.has(check) || SECURITY_PATTERN.test(check) || isTrivySecurityCheck(check);
}

function loadYaml() {
  try {
    return require(path.join(REPO, 'node_modules', 'yaml'));
  } catch (e) {
    throw new Error(`the npm package "yaml" is missing (run \`npm ci\`, or ${INSTALL_HINT})`);
  }
}

function readVersions() {
  const out = {};
  for (const line of fs.readFileSync(path.join(HERE, 'versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function sha(parts) {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** The files under `dir` that `pred` accepts, sorted; none when `dir` does not exist. */
function listFiles(dir, pred) {
  return fs.existsSync(dir) ? listTree(dir, pred) : [];
}

/** Every path the gate uses; the cache keys change whenever a version or a generator input changes. */
function resolvePaths(env = process.env) {
  const v = readVersions();
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  const cache = path.join(cacheHome, 'picvario-k8s-topology');
  const crdsDir = path.resolve(env.CRDS_DIR || path.join(REPO, '..', 'shared', 'crds'));
  const generator = fs.readFileSync(path.join(HERE, 'gen-schemas.js'), 'utf8');
  const crdFiles = listFiles(crdsDir, (p) => /\.ya?ml$/.test(p));
  const crdKey = sha([generator, ...crdFiles.map((f) => path.relative(crdsDir, f) + fs.readFileSync(f, 'utf8'))]);
  const k8sKey = (ver) => sha([generator, ver]);
  const trivyModule = path.join(REPO, v.TRIVY_MODULE_DIR);
  const trivyKey = sha(['go.mod', 'go.sum', 'main.go'].map((f) => f + fs.readFileSync(path.join(trivyModule, f), 'utf8')));
  return {
    repo: REPO,
    cache,
    versions: v,
    crdsDir,
    kubeconform: path.join(cache, 'bin', `kubeconform-${v.KUBECONFORM_VERSION}`, 'kubeconform'),
    kubeScore: path.join(cache, 'bin', `kube-score-${v.KUBE_SCORE_VERSION}`, 'kube-score'),
    // Keyed by the module's sources too, so an edit to the scanner's main rebuilds it.
    trivy: path.join(cache, 'bin', `trivy-k8s-config-${v.TRIVY_VERSION}-${trivyKey}`, 'trivy-k8s-config'),
    cyclonus: path.join(cache, 'bin', `cyclonus-${v.CYCLONUS_VERSION}`, 'cyclonus'),
    k8sVersions: [v.K8S_OLDEST_VERSION, v.K8S_NEWEST_VERSION],
    k8sSchemaDirs: {
      [v.K8S_OLDEST_VERSION]: path.join(cache, 'schemas', `k8s-${v.K8S_OLDEST_VERSION}-${k8sKey(v.K8S_OLDEST_VERSION)}`),
      [v.K8S_NEWEST_VERSION]: path.join(cache, 'schemas', `k8s-${v.K8S_NEWEST_VERSION}-${k8sKey(v.K8S_NEWEST_VERSION)}`),
    },
    crdSchemaDir: path.join(cache, 'schemas', `crds-${crdKey}`),
    lifecycleFile: path.join(cache, 'schemas',
      `lifecycle-${v.K8S_API_MODULE_VERSION}-${sha([generator, v.K8S_OLDEST_VERSION, v.K8S_NEWEST_VERSION])}.json`),
  };
}

/**
 * Throws, naming what is missing and how to install it, unless every binary and schema the given tools
 * need is there (all tools by default).
 */
function checkPrerequisites(paths = resolvePaths(), tools = ALL_TOOLS) {
  const missing = [];
  const need = (p, what) => { if (!fs.existsSync(p)) missing.push(`${what} (${p})`); };
  const uses = (t) => tools.includes(t);
  if (uses('kubeconform')) need(paths.kubeconform, `kubeconform ${paths.versions.KUBECONFORM_VERSION}`);
  if (uses('kube-score')) need(paths.kubeScore, `kube-score ${paths.versions.KUBE_SCORE_VERSION}`);
  if (uses('trivy')) need(paths.trivy, `trivy ${paths.versions.TRIVY_VERSION} (its Kubernetes scanner, trivy-k8s-config)`);
  if (uses('cyclonus')) need(paths.cyclonus, `cyclonus ${paths.versions.CYCLONUS_VERSION}`);
  if (uses('kubeconform')) {
    for (const ver of paths.k8sVersions) need(path.join(paths.k8sSchemaDirs[ver], 'done'), `Kubernetes ${ver} JSON schemas`);
  }
  if (uses('kubeconform') || uses('apiversions')) need(path.join(paths.crdSchemaDir, 'crd-versions.json'), `CRD JSON schemas from ${paths.crdsDir}`);
  if (uses('apiversions')) need(paths.lifecycleFile, `apiVersion lifecycle data from k8s.io/api ${paths.versions.K8S_API_MODULE_VERSION}`);
  try {
    loadYaml();
  } catch (e) {
    missing.push('npm package yaml (npm ci)');
  }
  if (missing.length) {
    throw new Error(`validation prerequisites missing: ${missing.join('; ')}. Install them with: ${INSTALL_HINT}`);
  }
  // the traffic matrix runs the compiled src/platform/traffic-model.ts and src/validate/cyclonus-output.ts
  if (uses('cyclonus')) checkAllCompiled();
}

// ---------------------------------------------------------------- manifests

/** Objects of one environment folder: only *.yaml / *.yml files count, anything else is ignored. */
function loadObjects(envDir) {
  const YAML = loadYaml();
  const objects = [];
  const parseErrors = [];
  const files = listFiles(envDir, (p) => /\.ya?ml$/.test(p));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    // line number (1-based) of each character offset, for mapping a tool's line to its document
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const lineOf = (offset) => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
      }
      return lo + 1;
    };
    const docs = YAML.parseAllDocuments(text);
    docs.forEach((doc, index) => {
      if (doc.errors && doc.errors.length) {
        parseErrors.push({ file, message: doc.errors.map((e) => e.message).join('; ') });
        return;
      }
      const o = doc.toJS();
      if (o === null || o === undefined) return;
      const meta = (o && o.metadata) || {};
      const range = doc.range || [0, text.length, text.length];
      objects.push({
        file, index,
        apiVersion: o.apiVersion, kind: o.kind,
        name: meta.name || '', namespace: meta.namespace || '',
        startLine: lineOf(range[0]), endLine: lineOf(Math.max(range[0], range[2] - 1)),
        obj: o,
      });
    });
  }
  return { files, objects, parseErrors };
}

function objectRef(o) {
  return `${o.kind}/${o.namespace ? o.namespace + '/' : ''}${o.name}`;
}

// ---------------------------------------------------------------- tools

function run(bin, args, opts = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${bin}: ${r.error.message}`);
  return r;
}

function runKubeconform(paths, env, envDir, loaded, k8sVersion) {
  const findings = [];
  if (!loaded.files.length) return { findings, checked: 0 };
  const k8s = paths.k8sSchemaDirs[k8sVersion];
  const args = [
    '-strict', '-summary', '-output', 'json', '-n', '2',
    '-kubernetes-version', k8sVersion,
    '-schema-location', `${k8s}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-schema-location', `${paths.crdSchemaDir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}{{ .StrictSuffix }}.json`,
    ...loaded.files,
  ];
  const r = run(paths.kubeconform, args);
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`kubeconform printed no JSON (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
  for (const res of out.resources || []) {
    if (res.status === 'statusValid' || res.status === 'statusSkipped') continue;
    const match = loaded.objects.find((o) => o.file === res.filename && o.kind === res.kind && o.name === res.name);
    const details = (res.validationErrors || []).map((e) => `${e.path}: ${e.msg}`).join('; ');
    findings.push({
      tool: 'kubeconform', env, target: `k8s ${k8sVersion}`,
      check: res.status === 'statusError' ? 'schema-error' : 'schema',
      kind: res.kind || '', namespace: match ? match.namespace : '', name: res.name || '',
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

const KUBE_SCORE_GRADES = { 1: 'CRITICAL', 5: 'WARNING', 7: 'ALMOST-OK', 10: 'OK' };

// kube-score judges against the oldest target: the manifests must run there.
function kubeScoreTarget(paths) {
  return `k8s ${paths.versions.K8S_OLDEST_VERSION.split('.').slice(0, 2).join('.')}`;
}

function apiVersionsTarget(paths) {
  const t = minorsBetween(paths.versions.K8S_OLDEST_VERSION, paths.versions.K8S_NEWEST_VERSION);
  return `k8s ${t[0]}..${t[t.length - 1]}`;
}

function runKubeScore(paths, env, envDir, loaded) {
  const findings = [];
  if (!loaded.files.length) return { findings, checked: 0 };
  const minor = paths.versions.K8S_OLDEST_VERSION.split('.').slice(0, 2).join('.');
  const args = [
    'score', '--output-format', 'json', '--kubernetes-version', `v${minor}`,
    '--enable-optional-test', 'container-seccomp-profile',
    '--enable-optional-test', 'container-ports-check',
    ...loaded.files,
  ];
  const r = run(paths.kubeScore, args);
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`kube-score printed no JSON (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
  for (const obj of out || []) {
    for (const c of obj.checks || []) {
      if (c.skipped || c.grade >= 10) continue;
      const comments = (c.comments || []).map((m) => `${m.path ? m.path + ': ' : ''}${m.summary}`).join('; ');
      findings.push({
        tool: 'kube-score', env, target: `k8s ${minor}`,
        check: c.check.id,
        kind: obj.type_meta.kind, namespace: (obj.object_meta && obj.object_meta.namespace) || '',
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

function minorsBetween(oldest, newest) {
  const [, a] = oldest.split('.').map(Number);
  const [, b] = newest.split('.').map(Number);
  const out = [];
  for (let m = a; m <= b; m++) out.push(`1.${m}`);
  return out;
}

const cmpMinor = (x, y) => Number(x.split('.')[1]) - Number(y.split('.')[1]);

// Built-in API groups that live outside k8s.io/api.
const EXTRA_BUILTIN_GROUPS = ['apiextensions.k8s.io', 'apiregistration.k8s.io'];

/**
 * Pluto's question: is any apiVersion deprecated or removed in a target Kubernetes version
 * (every minor from the oldest to the newest pinned release)? Answered from the prerelease-lifecycle
 * data that Kubernetes generates into k8s.io/api, from the specs each release serves, and for
 * custom resources from the served / deprecated flags of the CRD files.
 */
function runApiVersions(paths, env, envDir, loaded) {
  const lc = JSON.parse(fs.readFileSync(paths.lifecycleFile, 'utf8'));
  const crdVersions = JSON.parse(fs.readFileSync(path.join(paths.crdSchemaDir, 'crd-versions.json'), 'utf8'));
  const targets = minorsBetween(paths.versions.K8S_OLDEST_VERSION, paths.versions.K8S_NEWEST_VERSION);
  const newest = paths.versions.K8S_NEWEST_VERSION;
  const oldest = paths.versions.K8S_OLDEST_VERSION;
  const builtin = new Set([...lc.builtinGroups, ...EXTRA_BUILTIN_GROUPS]);
  const crdGroups = new Set(crdVersions.map((c) => c.group));
  const served = Object.fromEntries(Object.entries(lc.served).map(([k, list]) => [k, new Set(list)]));
  const findings = [];
  const add = (o, check, message) => findings.push({
    tool: 'apiversions', env, target: apiVersionsTarget(paths),
    check, kind: o.kind || '', namespace: o.namespace, name: o.name, file: o.file, message,
  });
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
    const removedIn = t && t.removed ? targets.filter((m) => cmpMinor(m, t.removed) >= 0) : [];
    const deprecatedIn = t && t.deprecated ? targets.filter((m) => cmpMinor(m, t.deprecated) >= 0) : [];
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

// ---------------------------------------------------------------- exceptions

const EXCEPTION_KEYS = ['tool', 'check', 'kind', 'namespace', 'name', 'env', 'reason', 'until'];
const DECISION_KEYS = ['tool', 'check', 'instead', 'reason'];

/**
 * What the gate does instead of a check that is wrong for every object. Each replacement is a check of
 * its own: a finding is accepted only when the replacement holds for that finding's object.
 */
const REPLACEMENTS = {
  // trivy KSV-0039 asks every object for a LimitRange; the question belongs to the namespace.
  'namespace-has-LimitRange': {
    checks: ['trivy KSV-0039'],
    holds: (f, ctx) => f.kind !== 'LimitRange' && ctx.kindsInNamespace(namespaceOf(f)).has('LimitRange'),
    describe: (f) => `namespace ${namespaceOf(f) || '(none)'} renders a LimitRange`,
  },
  // trivy KSV-0040 likewise for the ResourceQuota.
  'namespace-has-ResourceQuota': {
    checks: ['trivy KSV-0040'],
    holds: (f, ctx) => f.kind !== 'ResourceQuota' && ctx.kindsInNamespace(namespaceOf(f)).has('ResourceQuota'),
    describe: (f) => `namespace ${namespaceOf(f) || '(none)'} renders a ResourceQuota`,
  },
  // cyclonus's DNS lint asks every egress target alone whether it reaches 8.8.8.8:53; the traffic
  // matrix asks the engine whether every component reaches the cluster DNS.
  'traffic-matrix-dns': {
    checks: ['cyclonus CheckDNSBlockedOnTCP', 'cyclonus CheckDNSBlockedOnUDP'],
    holds: (f) => f.dnsProvenByMatrix === true,
    describe: () => 'the traffic matrix showed every component reaching the cluster DNS on each DNS port',
  },
};

function namespaceOf(f) {
  return f.kind === 'Namespace' ? f.name : f.namespace;
}

/**
 * Reads and vets the exceptions file; throws on any entry that is malformed or not allowed.
 * Returns { exceptions: one object each, decisions: check-level replacements }.
 */
function loadExceptionsFile(file) {
  if (!file || !fs.existsSync(file)) return { exceptions: [], decisions: [], trustedRegistries: [] };
  const YAML = loadYaml();
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) || {};
  for (const k of Object.keys(doc)) if (!['trustedRegistries', 'exceptions', 'checks'].includes(k)) throw new Error(`${file}: unknown top-level key "${k}" (trustedRegistries, exceptions, checks)`);
  const list = doc.exceptions || [];
  const decisions = doc.checks || [];
  const registries = doc.trustedRegistries || [];
  if (!Array.isArray(registries)) throw new Error(`${file}: "trustedRegistries" must be a list of registry hosts`);
  if (!Array.isArray(list)) throw new Error(`${file}: "exceptions" must be a list`);
  if (!Array.isArray(decisions)) throw new Error(`${file}: "checks" must be a list`);
  const errors = [];
  const securityRefusal = (where, check) => `${where}: "${check}" is a security check (run as non-root, privilege escalation, read-only root filesystem, capabilities, seccomp, host namespaces); it cannot be excepted: fix the manifest`;
  list.forEach((e, i) => {
    const where = `${file}: exception #${i + 1}`;
    if (!e || typeof e !== 'object') { errors.push(`${where} is not a mapping`); return; }
    for (const k of Object.keys(e)) if (!EXCEPTION_KEYS.includes(k)) errors.push(`${where}: unknown key "${k}"`);
    for (const k of ['tool', 'check', 'kind', 'name', 'reason']) {
      if (typeof e[k] !== 'string' || !e[k].trim()) errors.push(`${where}: "${k}" is required`);
    }
    if (e.tool && !ALL_TOOLS.includes(e.tool)) errors.push(`${where}: unknown tool "${e.tool}" (one of ${ALL_TOOLS.join(', ')})`);
    if (typeof e.reason === 'string' && e.reason.trim().length < 20) errors.push(`${where}: the reason must explain the exception (20 characters at least)`);
    if (e.until !== undefined && (typeof e.until !== 'string' || e.until.trim().length < 10)) errors.push(`${where}: "until" must name the fix that ends the exception`);
    if (e.check && isSecurityCheck(e.check)) errors.push(securityRefusal(where, e.check));
    if (e.tool === 'kubeconform') errors.push(`${where}: kubeconform findings are objects the API server would reject; they cannot be excepted`);
    if (e.tool === 'apiversions' && e.check !== 'deprecated') errors.push(`${where}: only "deprecated" apiversions findings can be excepted, not "${e.check}"`);
    if (e.tool === 'cyclonus' && !/^Check[A-Za-z]+$/.test(e.check || '')) errors.push(`${where}: only cyclonus lint findings (Check...) can be excepted; a traffic, model or diagram finding is fixed in the policies or the model, not "${e.check}"`);
    if (e.name === '*' || e.kind === '*') errors.push(`${where}: name and kind must name one object, not "*"`);
  });
  decisions.forEach((d, i) => {
    const where = `${file}: checks #${i + 1}`;
    if (!d || typeof d !== 'object') { errors.push(`${where} is not a mapping`); return; }
    for (const k of Object.keys(d)) if (!DECISION_KEYS.includes(k)) errors.push(`${where}: unknown key "${k}"`);
    for (const k of DECISION_KEYS) if (typeof d[k] !== 'string' || !d[k].trim()) errors.push(`${where}: "${k}" is required`);
    if (d.check && isSecurityCheck(d.check)) errors.push(securityRefusal(where, d.check));
    const r = REPLACEMENTS[d.instead];
    if (d.instead && !r) errors.push(`${where}: unknown replacement "${d.instead}" (one of ${Object.keys(REPLACEMENTS).join(', ')})`);
    else if (r && !r.checks.includes(`${d.tool} ${d.check}`)) errors.push(`${where}: "${d.instead}" replaces ${r.checks.join(' or ')}, not ${d.tool} ${d.check}`);
    if (typeof d.reason === 'string' && d.reason.trim().length < 40) errors.push(`${where}: the reason must explain why the check is wrong for every object (40 characters at least)`);
  });
  registries.forEach((r, i) => {
    if (typeof r !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]+)?$/.test(r)) {
      errors.push(`${file}: trustedRegistries #${i + 1}: ${JSON.stringify(r)} is not a registry host such as registry.example.com (no path, no scheme)`);
    }
  });
  if (errors.length) throw new Error(`exceptions refused:\n  ${errors.join('\n  ')}`);
  return {
    trustedRegistries: registries,
    exceptions: list.map((e) => ({ ...e, namespace: e.namespace || '', used: 0 })),
    decisions: decisions.map((d) => ({ ...d, used: 0 })),
  };
}

/** The per-object exceptions of the file (vetting the whole file). */
function loadExceptions(file) {
  return loadExceptionsFile(file).exceptions;
}

function exceptionMatches(e, f) {
  return e.tool === f.tool && e.check === f.check && e.kind === f.kind && e.name === f.name
    && e.namespace === (f.namespace || '') && (!e.env || e.env === f.env);
}

// ---------------------------------------------------------------- gate

/**
 * Runs the chosen tools on every environment folder of manifestsDir (or the given envs).
 * Returns { ok, findings, excepted, results: [{ tool, env, target, checked, findings }], traffic: [...] }.
 * Throws when a prerequisite is missing or an exception is refused.
 * opts.trafficModels: a folder of <environment>.json traffic models, used for folders whose index.json
 * carries no "traffic" field.
 */
function validate(opts = {}) {
  const paths = opts.paths || resolvePaths();
  const tools = opts.tools || ALL_TOOLS;
  for (const t of tools) if (!ALL_TOOLS.includes(t)) throw new Error(`unknown tool ${t} (one of ${ALL_TOOLS.join(', ')})`);
  checkPrerequisites(paths, tools);
  const manifestsDir = path.resolve(opts.manifestsDir || path.join(REPO, 'dist', 'manifests'));
  const exceptionsFile = opts.exceptionsFile === undefined ? path.join(HERE, 'exceptions.yaml') : opts.exceptionsFile;
  const { exceptions, decisions, trustedRegistries } = loadExceptionsFile(exceptionsFile);
  if (!fs.existsSync(manifestsDir)) throw new Error(`${manifestsDir} does not exist`);
  const envs = opts.envs || fs.readdirSync(manifestsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory()).map((d) => d.name).sort();
  if (!envs.length) throw new Error(`${manifestsDir} has no environment folder`);
  const trafficModels = opts.trafficModels ? path.resolve(opts.trafficModels) : null;

  const results = [];
  const traffic = [];
  const all = [];
  const kinds = {};
  const loadedByEnv = Object.fromEntries(envs.map((env) => [env, loadObjects(path.join(manifestsDir, env))]));
  const trivy = tools.includes('trivy')
    ? runTrivy({ bin: paths.trivy, manifestsDir, envs, loadedByEnv, trustedRegistries })
    : {};
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
        const count = (target) => res.findings.filter((f) => f.target === target).length;
        results.push({ tool, env, target: 'lint', checked: res.checked, findings: count('lint'), excepted: 0 });
        results.push({ tool, env, target: 'traffic', checked: res.matrix ? res.matrix.flows : 0, findings: count('traffic'), excepted: 0 });
        results.push({ tool, env, target: 'diagram', checked: res.matrix && res.matrix.diagram ? res.matrix.diagram.edges : 0, findings: count('diagram'), excepted: 0 });
        traffic.push({ env, matrix: res.matrix, note: res.note });
        all.push(...res.findings);
        continue;
      }
      const runs = tool === 'kubeconform'
        ? paths.k8sVersions.map((v) => ({ target: `k8s ${v}`, fn: () => runKubeconform(paths, env, envDir, loaded, v) }))
        : tool === 'kube-score'
          ? [{ target: kubeScoreTarget(paths), fn: () => runKubeScore(paths, env, envDir, loaded) }]
          : tool === 'trivy'
            ? [{ target: 'embedded checks', fn: () => trivy[env] }]
            : [{ target: apiVersionsTarget(paths), fn: () => runApiVersions(paths, env, envDir, loaded) }];
      for (const r of runs) {
        const res = r.fn();
        results.push({ tool, env, target: r.target, checked: res.checked, findings: res.findings.length, excepted: 0 });
        all.push(...res.findings);
      }
    }
  }
  const ctx = { kindsInNamespace: (env) => (ns) => (kinds[env] && kinds[env][ns]) || new Set() };
  const findings = [];
  const excepted = [];
  const accept = (f, reason, extra = {}) => {
    excepted.push({ ...f, reason, ...extra });
    const r = results.find((x) => x.tool === f.tool && x.env === f.env && x.target === f.target);
    if (r) { r.findings--; r.excepted++; }
  };
  for (const f of all) {
    const d = decisions.find((x) => x.tool === f.tool && x.check === f.check);
    if (d) {
      const rep = REPLACEMENTS[d.instead];
      if (rep.holds(f, { kindsInNamespace: ctx.kindsInNamespace(f.env) })) {
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
  for (const e of exceptions) {
    if (e.used === 0 && tools.includes(e.tool) && (!e.env || envs.includes(e.env))) {
      findings.push({
        tool: 'exceptions', env: e.env || '*', target: '', check: 'unused-exception', kind: e.kind,
        namespace: e.namespace, name: e.name, file: exceptionsFile,
        message: `exception for ${e.tool} ${e.check} on ${e.kind}/${e.namespace ? e.namespace + '/' : ''}${e.name} matched nothing: remove it`,
      });
    }
  }
  // A check-level entry is stale only if no folder needs it; a run on some folders (--env) cannot tell.
  for (const d of decisions) {
    if (d.used === 0 && tools.includes(d.tool) && !opts.envs) {
      findings.push({
        tool: 'exceptions', env: '*', target: '', check: 'unused-exception', kind: '', namespace: '', name: '', file: exceptionsFile,
        message: `check-level entry for ${d.tool} ${d.check} (instead: ${d.instead}) replaced no finding: remove it`,
      });
    }
  }
  return { ok: findings.length === 0, manifestsDir, envs, tools, findings, excepted, results, traffic, exceptionsFile, trustedRegistries };
}

function findingRef(f) {
  if (f.tool === 'cyclonus' && (f.kind === 'flow' || f.kind === 'edge' || !f.kind)) return '';
  return ` ${objectRef(f)}`;
}

function formatReport(report) {
  const lines = [];
  lines.push(`validated ${report.manifestsDir} (environments: ${report.envs.join(', ')})`);
  if ((report.trustedRegistries || []).length) lines.push(`trusted registries (KSV-0125): ${report.trustedRegistries.join(', ')}`);
  lines.push('');
  lines.push(`${'tool'.padEnd(12)} ${'environment'.padEnd(14)} ${'target'.padEnd(18)} ${'checked'.padStart(7)} ${'findings'.padStart(8)} ${'excepted'.padStart(8)}`);
  for (const r of report.results) {
    lines.push(`${r.tool.padEnd(12)} ${r.env.padEnd(14)} ${(r.target || '-').padEnd(18)} ${String(r.checked).padStart(7)} ${String(r.findings).padStart(8)} ${String(r.excepted).padStart(8)}`);
  }
  if ((report.traffic || []).length) {
    lines.push('');
    lines.push('traffic matrix (cyclonus verdicts against the intended-traffic model):');
    lines.push(`${'environment'.padEnd(14)} ${'flows'.padStart(6)} ${'allowed'.padStart(7)} ${'denied'.padStart(6)} ${'mismatches'.padStart(10)} ${'diagram edges'.padStart(13)}  model`);
    for (const t of report.traffic) {
      const m = t.matrix;
      if (!m) { lines.push(`${t.env.padEnd(14)} ${'-'.padStart(6)} ${'-'.padStart(7)} ${'-'.padStart(6)} ${'-'.padStart(10)} ${'-'.padStart(13)}  ${t.note || 'no traffic model'}`); continue; }
      const d = m.diagram ? `${m.diagram.edges}/${m.diagram.allowed}` : 'no README';
      lines.push(`${t.env.padEnd(14)} ${String(m.flows).padStart(6)} ${String(m.allowed).padStart(7)} ${String(m.denied).padStart(6)} ${String(m.mismatches).padStart(10)} ${d.padStart(13)}  ${m.source}`);
    }
    lines.push('(diagram edges: component-to-component edges drawn / allowed by the engine)');
  }
  const byTool = {};
  for (const f of report.findings) byTool[f.tool] = (byTool[f.tool] || 0) + 1;
  lines.push('');
  lines.push(`per tool: ${[...new Set([...report.tools, ...Object.keys(byTool)])].map((t) => `${t} ${byTool[t] || 0}`).join(', ')}`);
  if (report.findings.length) {
    lines.push('');
    lines.push('findings:');
    for (const f of report.findings) {
      lines.push(`  [${f.tool}${f.target ? ' ' + f.target : ''}] ${f.env}${findingRef(f)} ${f.check}: ${f.message} (${path.relative(process.cwd(), f.file || '')})`);
    }
  }
  const replaced = report.excepted.filter((f) => f.replacedBy);
  const perObject = report.excepted.filter((f) => !f.replacedBy);
  if (replaced.length) {
    lines.push('');
    lines.push('replaced (the "checks" section of the exceptions file; each finding accepted only where the replacement holds):');
    const groups = new Map();
    for (const f of replaced) {
      const k = `${f.tool} ${f.check} -> ${f.replacedBy}`;
      groups.set(k, (groups.get(k) || 0) + 1);
    }
    for (const [k, n] of groups) lines.push(`  ${k}: ${n} finding(s)`);
  }
  if (perObject.length) {
    lines.push('');
    lines.push(`excepted (${report.exceptionsFile ? path.relative(process.cwd(), report.exceptionsFile) : 'the exceptions file'}):`);
    for (const f of perObject) lines.push(`  [${f.tool}] ${f.env} ${objectRef(f)} ${f.check}: ${f.reason}${f.until ? ` [temporary, until ${f.until}]` : ''}`);
  }
  lines.push('');
  lines.push(report.ok ? 'validate: PASS, no finding' : `validate: FAIL, ${report.findings.length} finding(s)`);
  return lines.join('\n');
}

module.exports = {
  ALL_TOOLS, INSTALL_HINT, SECURITY_CHECKS,
  resolvePaths, checkPrerequisites, loadObjects, loadExceptions, loadExceptionsFile, isSecurityCheck,
  validate, formatReport, minorsBetween,
};
