// The gate's TypeScript, compiled into lib/ by `npx projen compile` with the rest of src/: the traffic
// model the render writes (src/platform/traffic-model.ts) and cyclonus's side of the traffic matrix
// (src/validate/cyclonus-output.ts). A missing or stale lib/ is a setup error naming the command, never a
// silent check with yesterday's code.
// Plain CommonJS, like lib.js.
'use strict';

const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const COMPILE_HINT = 'npx projen compile';

/** Throws unless lib/<module>.js exists and is not older than src/<module>.ts. */
function checkCompiled(module) {
  const src = path.join(REPO, 'src', `${module}.ts`);
  const lib = path.join(REPO, 'lib', `${module}.js`);
  if (!fs.existsSync(lib)) throw new Error(`lib/${module}.js is missing (the gate runs the compiled src/${module}.ts): run ${COMPILE_HINT}`);
  if (fs.existsSync(src) && fs.statSync(src).mtimeMs > fs.statSync(lib).mtimeMs) {
    throw new Error(`lib/${module}.js is older than src/${module}.ts: run ${COMPILE_HINT}`);
  }
  return lib;
}

/** The modules of src/ the gate requires. */
const MODULES = ['platform/traffic-model', 'validate/cyclonus-output'];

/** Throws unless every module the gate requires is compiled and current. */
function checkAllCompiled() {
  for (const m of MODULES) checkCompiled(m);
}

/** lib/platform/traffic-model.js, checked. */
function trafficModel() {
  return require(checkCompiled('platform/traffic-model'));
}

/** lib/validate/cyclonus-output.js, checked. */
function cyclonusOutput() {
  return require(checkCompiled('validate/cyclonus-output'));
}

module.exports = { checkCompiled, checkAllCompiled, trafficModel, cyclonusOutput, COMPILE_HINT };
