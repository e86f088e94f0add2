#!/usr/bin/env node
// A Node release for the package tests, from the npm registry: the package node-<platform>-<arch>@<major>
// carries that release's binary (bin/node; no npm: the machine's npm runs on whichever node is first on PATH).
// Installed once into $XDG_CACHE_HOME/picvario-k8s-topology/node/<major>/ and reused; delete that folder to
// take a newer release of the major.
//   node hack/package/node-release.js <major>   prints the bin/ folder to put first on PATH
// hack/package/readme-path.js requires it for its matrix; hack/package/test.sh runs its consumers on it.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'picvario-k8s-topology');

/** The bin/ folder of Node <major>, installed into the cache when missing. Throws, naming what failed. */
function nodeBin(major) {
  if (!/^\d+$/.test(String(major))) throw new Error(`a Node release is a major version, e.g. 24; got "${major}"`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = path.join(CACHE, 'node', String(major));
  const bin = path.join(dir, 'node_modules', pkg, 'bin');
  if (!fs.existsSync(path.join(bin, 'node'))) {
    fs.mkdirSync(dir, { recursive: true });
    const install = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error',
      '--cache', path.join(CACHE, 'package-test', 'npm'), `${pkg}@${major}`], { encoding: 'utf8' });
    if (install.error || install.status !== 0 || !fs.existsSync(path.join(bin, 'node'))) {
      const why = install.error ? install.error.message : (install.stderr || '').trim().split('\n').slice(-5).join(' | ');
      throw new Error(`could not install Node ${major} (npm install ${pkg}@${major} into ${dir}): ${why}`);
    }
  }
  return bin;
}

module.exports = { nodeBin, CACHE };

if (require.main === module) {
  try {
    console.log(nodeBin(process.argv[2]));
  } catch (e) {
    console.error(`node-release: ${e.message}`);
    process.exit(1);
  }
}
