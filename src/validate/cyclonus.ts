// The NetworkPolicy check of one environment folder, with cyclonus as the engine:
//   lint           cyclonus's lint of the folder's NetworkPolicies;
//   traffic        every flow of the intended-traffic matrix (built from the traffic model by the render's
//                  render's own src/platform/traffic-model.ts) queried against the real policies and the real
//                  pod labels, compared with the intended verdict;
//   diagram        the component-to-component edges of the folder's README diagram against the same verdicts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as c from './cyclonus-output';
import { CheckedFlow, Finding } from './findings';
import { LoadedFolder } from './manifests';
import { runTool } from './setup';
import * as t from '../platform/traffic-model';

export const DNS_LINT_CHECKS = ['CheckDNSBlockedOnTCP', 'CheckDNSBlockedOnUDP'];

type Direction = 'ingress' | 'egress';

function cyclonusAnalyze(bin: string, policyDir: string, modes: string[], trafficFile: string | null): ReturnType<typeof runTool> {
  const args = ['analyze', '--policy-path', policyDir, '--mode', modes.join(',')];
  if (trafficFile) args.push('--traffic-path', trafficFile);
  return runTool(bin, args, 512);
}

/** Words for one direction of a verdict, naming the policies behind it. */
function explainDirection(dir: Direction, verdict: c.Verdict, policies: c.NetworkPolicyObject[], flow: t.Flow): string {
  const d = verdict[dir];
  const names = (targets: string[]): string => [...new Set(targets.flatMap((x) => c.policiesOfTarget(x, policies, dir)))].join(', ');
  const peer = dir === 'ingress' ? flow.to : flow.from;
  if (!t.isPod(peer)) return `${dir}: not a pod, so allowed`;
  if (!d.allow.length && !d.deny.length) return `${dir}: no NetworkPolicy selects the pod, so allowed`;
  if (d.allow.length) return `${dir}: allowed by ${names(d.allow)}`;
  return `${dir}: denied; the pod is selected by ${names(d.deny)}, none of which allows it`;
}

/** The traffic matrix of one folder: the flows of its model and the engine's verdicts on them. */
export interface TrafficMatrix {
  /** where the model came from: index.json, or the fallback file */
  readonly source: string;
  flows: number;
  allowed: number;
  denied: number;
  mismatches: number;
  /** the address outside every CIDR of the model that the outside flows go to */
  readonly outside: string | undefined;
  /** the namespace, labelled like another environment, whose pods must be denied */
  readonly otherNamespace: string;
  /** every DNS flow was allowed by the engine */
  dnsProven: boolean;
  /** README diagram: component-to-component edges drawn, allowed by the engine, and the differences */
  diagram: { edges: number; allowed: number; mismatches: number } | null;
  readonly components: number;
}

export interface CyclonusOptions {
  readonly bin: string;
  readonly env: string;
  readonly envDir: string;
  readonly loaded: LoadedFolder;
  /** DIR/<environment>.json: the traffic model of a folder whose index.json has no "traffic" field */
  readonly trafficModels: string | null;
}

export interface CyclonusResult {
  readonly findings: Finding[];
  /** the NetworkPolicies linted */
  readonly checked: number;
  matrix: TrafficMatrix | null;
  lint: { warnings: number } | null;
  note: string;
  flows?: CheckedFlow[];
}

/** Optional fields of a finding of this check, beyond the object it names. */
type Extra = Partial<Pick<Finding, 'namespace' | 'file' | 'flow' | 'expected' | 'actual' | 'dnsProvenByMatrix'>>;

/** Runs the check on one folder. */
export function runCyclonus(opts: CyclonusOptions): CyclonusResult {
  const { bin, env, envDir, loaded, trafficModels } = opts;
  const findings: Finding[] = [];
  const add = (target: string, check: string, kind: string, name: string, message: string, extra: Extra = {}): void => {
    findings.push({
      tool: 'cyclonus', env, target, check, kind, namespace: extra.namespace || '', name, file: extra.file || envDir, message, ...extra,
    });
  };
  const docs = loaded.objects.map((o) => ({ obj: o.obj, file: o.file }));
  const policies = loaded.objects.filter((o) => o.kind === 'NetworkPolicy' && o.obj && o.obj.spec);
  const workloads = t.workloadsOf(docs);
  const loadedModel = t.loadTrafficModel(envDir, env, trafficModels);
  const result: CyclonusResult = { findings, checked: policies.length, matrix: null, lint: null, note: '' };

  if (loadedModel.error) {
    add('traffic', 'traffic-model-invalid', '', '', loadedModel.error, { file: loadedModel.file });
    return result;
  }
  // checked below (modelErrors) before any use as a TrafficModel
  const model = loadedModel.model as t.TrafficModel | null;
  if (!model) {
    if (workloads.length) {
      add('traffic', 'traffic-model-missing', '', '',
        `the folder renders ${workloads.length} workload(s) and ${policies.length} NetworkPolicy(s) but no traffic model: index.json has no "traffic" field${trafficModels ? ` and ${path.join(trafficModels, env + '.json')} does not exist` : ''}; the allowed traffic cannot be checked`,
        { file: loadedModel.file });
    } else {
      result.note = policies.length ? 'no workload, no traffic model: lint only' : 'no workload and no NetworkPolicy: nothing to check';
    }
    if (!policies.length) return result;
  }

  let matrix: TrafficMatrix | null = null;
  let flows: t.Flow[] = [];
  if (model) {
    const errors = t.modelErrors(model);
    if (errors.length) {
      for (const e of errors) add('traffic', 'traffic-model-invalid', '', '', `${loadedModel.source}: ${e}`, { file: loadedModel.file });
      return result;
    }
    const resolved = t.resolveComponents(model, workloads);
    for (const p of resolved.problems) add('traffic', p.check, p.kind, p.name, p.message, { namespace: model.namespace });
    const nsObject = loaded.objects.find((o) => o.kind === 'Namespace' && o.name === model.namespace);
    const nsLabels = (nsObject && nsObject.obj.metadata && nsObject.obj.metadata.labels) || {};
    const built = t.buildFlows(model, resolved.components, nsLabels);
    flows = built.flows;
    matrix = {
      // a model that was read has a source
      source: loadedModel.source!,
      flows: flows.length,
      allowed: 0,
      denied: 0,
      mismatches: 0,
      outside: built.outside,
      otherNamespace: built.otherNamespace,
      dnsProven: false,
      diagram: null,
      components: resolved.components.length,
    };
    if (!built.outside) add('traffic', 'traffic-model-invalid', '', '', `no address outside every CIDR of the model among ${t.OUTSIDE_CANDIDATES.join(', ')}`);
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cyclonus-'));
  try {
    const policyDir = path.join(work, 'policies');
    fs.mkdirSync(policyDir);
    policies.forEach((p, i) => fs.writeFileSync(path.join(policyDir, `${String(i).padStart(3, '0')}-${p.name}.json`), JSON.stringify(p.obj)));
    let trafficFile: string | null = null;
    const modes = ['lint'];
    if (matrix && flows.length) {
      trafficFile = path.join(work, 'traffic.json');
      fs.writeFileSync(trafficFile, JSON.stringify(flows.map(c.cyclonusTraffic)));
      modes.push('query-traffic');
    }
    const r = cyclonusAnalyze(bin, policyDir, modes, trafficFile);
    if (r.status !== 0) {
      const out = `${r.stderr || ''}\n${r.stdout || ''}`;
      const fatal = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(out);
      const why = fatal ? fatal[1].split('\\n')[0] : out.trim().split('\n').slice(-3).join(' | ');
      add('lint', 'cyclonus-error', '', '', `cyclonus could not read the NetworkPolicies (exit ${r.status}): ${why}`);
      return result;
    }

    // lint: one finding per warning and source policy
    const warnings = c.parseLint(r.stdout);
    result.lint = { warnings: warnings.length };
    const verdicts = modes.includes('query-traffic') ? c.parseQueryTraffic(r.stdout) : [];
    if (verdicts.length !== flows.length && modes.includes('query-traffic')) {
      throw new Error(`cyclonus answered ${verdicts.length} of ${flows.length} traffic queries for ${envDir}`);
    }

    // the flows with the engine's verdicts (none without a model)
    const checked: CheckedFlow[] = flows.map((f, i) => ({ ...f, actual: verdicts[i].allowed ? 'allow' : 'deny', verdict: verdicts[i] }));
    if (matrix) {
      const m = matrix;
      let dnsOk = true;
      let dnsFlows = 0;
      checked.forEach((f) => {
        const v = f.verdict;
        if (v.allowed) m.allowed++; else m.denied++;
        if (f.kind === 'dns') { dnsFlows++; if (!v.allowed) dnsOk = false; }
        if (f.actual !== f.expected) {
          m.mismatches++;
          const policyObjs: c.NetworkPolicyObject[] = policies.map((p) => p.obj);
          const why = (['egress', 'ingress'] as const).map((d) => explainDirection(d, v, policyObjs, f)).join('; ');
          add('traffic', 'flow', 'flow', t.flowName(f),
            `${t.flowName(f)}: expected ${f.expected === 'allow' ? 'allowed' : 'denied'}${f.kind === 'dns' ? ' (DNS)' : ''}, engine ${f.actual === 'allow' ? 'allows' : 'denies'} it (${why})`,
            { namespace: model!.namespace, flow: f, expected: f.expected, actual: f.actual });
        }
      });
      m.dnsProven = dnsOk && dnsFlows > 0;

      // README diagram: component -> component edges against the engine's verdicts
      const readme = path.join(envDir, 'README.md');
      if (fs.existsSync(readme)) {
        const edges = c.diagramEdges(fs.readFileSync(readme, 'utf8'));
        if (edges === null) {
          add('diagram', 'diagram', '', 'README.md', 'README.md has no mermaid diagram', { file: readme });
        } else {
          const key = (e: c.DiagramEdge): string => `${e.from} -> ${e.to} :${e.port}/${e.protocol}`;
          const drawn = new Set(edges.map(key));
          const allowedPairs = new Set(checked
            .filter((f) => f.kind === 'component' && f.actual === 'allow' && f.from.component !== f.to.component)
            .map((f) => key({ from: f.from.component!, to: f.to.component!, port: f.port, protocol: f.protocol })));
          let bad = 0;
          for (const k of [...drawn].sort()) {
            if (!allowedPairs.has(k)) { bad++; add('diagram', 'diagram', 'edge', k, `README.md draws ${k}, which the engine denies`, { file: readme }); }
          }
          for (const k of [...allowedPairs].sort()) {
            if (!drawn.has(k)) { bad++; add('diagram', 'diagram', 'edge', k, `the engine allows ${k}, which README.md does not draw`, { file: readme }); }
          }
          m.diagram = { edges: drawn.size, allowed: allowedPairs.size, mismatches: bad };
        }
      }
    }

    for (const w of warnings) {
      const names = w.policies.length ? w.policies : [''];
      for (const ref of names) {
        const [ns, name] = ref.includes('/') ? ref.split('/') : ['', ref];
        add('lint', w.check, 'NetworkPolicy', name,
          `${w.origin} warning ${w.check}: target ${w.target.replace(/\s*\n\s*/g, ' ')}${w.policies.length > 1 ? `; source policies ${w.policies.join(', ')}` : ''}`,
          { namespace: ns, dnsProvenByMatrix: DNS_LINT_CHECKS.includes(w.check) && !!(matrix && matrix.dnsProven) });
      }
    }
    result.matrix = matrix;
    result.flows = checked;
    return result;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
