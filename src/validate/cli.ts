// Command line of the validation gate, run compiled (node lib/validate/cli.js) by hack/validate/run.sh and
// install.sh:
//   paths                    print the cache paths as shell assignments
//   check [options]          run the gate; exit 1 on any finding, 2 on a setup error
// options: --manifests DIR  --env NAME (repeatable)  --tool NAME (repeatable)
//          --exceptions FILE  --traffic-models DIR  --json
//   --traffic-models DIR: DIR/<environment>.json is the intended-traffic model of a folder whose
//                         index.json has no "traffic" field (index.json wins when it has one)
import { formatReport, validate, ValidateOptions } from './gate';
import { resolvePaths, shellQuote } from './setup';
import { ValidationError } from '../platform/errors';

const USAGE = 'usage: cli.js paths | check [--manifests DIR] [--env NAME]... [--tool NAME]... [--exceptions FILE] [--traffic-models DIR] [--json]';

function printPaths(): void {
  const p = resolvePaths();
  const vars = {
    CACHE_DIR: p.cache,
    CRDS_DIR: p.crdsDir,
    KUBECONFORM_BIN: p.kubeconform,
    KUBE_SCORE_BIN: p.kubeScore,
    TRIVY_BIN: p.trivy,
    CYCLONUS_BIN: p.cyclonus,
    K8S_SCHEMA_DIR_OLDEST: p.k8sSchemaDirs[p.versions.K8S_OLDEST_VERSION],
    K8S_SCHEMA_DIR_NEWEST: p.k8sSchemaDirs[p.versions.K8S_NEWEST_VERSION],
    CRD_SCHEMA_DIR: p.crdSchemaDir,
    LIFECYCLE_FILE: p.lifecycleFile,
  };
  for (const [k, v] of Object.entries(vars)) console.log(`${k}=${shellQuote(v)}`);
}

/** The options of `check`; a ValidationError names a flag that is unknown or lacks its value. */
export function parseCheckArgs(args: string[]): { options: ValidateOptions; json: boolean } {
  const opts: { -readonly [K in keyof ValidateOptions]: ValidateOptions[K] } = {};
  const envs: string[] = [];
  const tools: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => {
      if (i + 1 >= args.length) throw new ValidationError(`${a} needs a value`);
      return args[++i];
    };
    if (a === '--manifests') opts.manifestsDir = next();
    else if (a === '--env') envs.push(next());
    else if (a === '--tool') tools.push(next());
    else if (a === '--exceptions') opts.exceptionsFile = next();
    else if (a === '--traffic-models') opts.trafficModels = next();
    else if (a === '--json') json = true;
    else throw new ValidationError(`unknown argument ${a}`);
  }
  if (envs.length) opts.envs = envs;
  if (tools.length) opts.tools = tools;
  return { options: opts, json };
}

/** Runs one command; returns the exit code. */
export function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === 'paths') {
    printPaths();
    return 0;
  }
  if (cmd !== 'check') {
    console.error(USAGE);
    return 2;
  }
  const { options, json } = parseCheckArgs(rest);
  const report = validate(options);
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`validate: ERROR: ${(e as Error).message}`);
    process.exitCode = 2;
  }
}
