// The render's own modules, compiled into lib/ by `npx projen compile`, which the gate reads instead of
// defining them again: the traffic model (src/platform/traffic-model.ts). A missing or stale lib/ is a
// setup error naming the command, never a silent check with yesterday's code.
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
  if (!fs.existsSync(lib)) throw new Error(`lib/${module}.js is missing (the gate reads the traffic model with the render's compiled code): run ${COMPILE_HINT}`);
  if (fs.existsSync(src) && fs.statSync(src).mtimeMs > fs.statSync(lib).mtimeMs) {
    throw new Error(`lib/${module}.js is older than src/${module}.ts: run ${COMPILE_HINT}`);
  }
  return lib;
}

/** lib/platform/traffic-model.js, checked. */
function trafficModel() {
  return require(checkCompiled('platform/traffic-model'));
}

module.exports = { checkCompiled, trafficModel, COMPILE_HINT };
