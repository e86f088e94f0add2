#!/usr/bin/env node
// Command line of the validation gate (called by run.sh and install.sh).
//   node cli.js paths                    print the cache paths as shell assignments
//   node cli.js check [options]          run the gate; exit 1 on any finding, 2 on a setup error
// options: --manifests DIR  --env NAME (repeatable)  --tool NAME (repeatable)
//          --exceptions FILE  --traffic-models DIR  --json
//   --traffic-models DIR: DIR/<environment>.json is the intended-traffic model of a folder whose
//                         index.json has no "traffic" field (index.json wins when it has one)
'use strict';

const lib = require('./lib');

function shellQuote(s) {
  return `'${String(s).replace(/'/g, "'\\''")}'`;
}

function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === 'paths') {
    const p = lib.resolvePaths();
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
    return 0;
  }
  if (cmd !== 'check') {
    console.error('usage: cli.js paths | check [--manifests DIR] [--env NAME]... [--tool NAME]... [--exceptions FILE] [--traffic-models DIR] [--json]');
    return 2;
  }
  const opts = {};
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const next = () => {
      if (i + 1 >= rest.length) throw new Error(`${a} needs a value`);
      return rest[++i];
    };
    if (a === '--manifests') opts.manifestsDir = next();
    else if (a === '--env') (opts.envs = opts.envs || []).push(next());
    else if (a === '--tool') (opts.tools = opts.tools || []).push(next());
    else if (a === '--exceptions') opts.exceptionsFile = next();
    else if (a === '--traffic-models') opts.trafficModels = next();
    else if (a === '--json') json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  const report = lib.validate(opts);
  console.log(json ? JSON.stringify(report, null, 2) : lib.formatReport(report));
  return report.ok ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`validate: ERROR: ${e.message}`);
  process.exitCode = 2;
}
