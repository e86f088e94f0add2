#!/usr/bin/env node
// One measured run of the render benchmark, in a process of its own (started by hack/bench/run.js):
//   node hack/bench/variant.js <variant> <N> <outdir> <fixture.json> <result.json>
// `node --cpu-prof hack/bench/variant.js render 100 /tmp/out` profiles one render on its own.
// Variants:
//   fixture  the real render in memory; writes the objects it renders, folder by folder and file by file,
//            to <fixture.json> for the other variants (not measured)
//   render   the real render, as `npm run synth` runs it: a DeliveryApp with N copies of the production
//            environment plus the Argo CD folder, written to <outdir> (which may hold a previous render)
//   plain    plain cdk8s: an App with one Chart per folder and every object of the fixture as a plain
//            ApiObject, written with app.synth() to <outdir>
//   floor    serialize-and-write: every YAML file of the render, from the fixture's JSON, with the `yaml`
//            package and cdk8s's settings, written to <outdir>
// When the process exits it writes its own CPU time (user and system, startup and module loading
// included) and peak RSS to <result.json>.
'use strict';
const fs = require('fs');
const path = require('path');

// BENCH_CHECKOUT: another checkout (compiled) whose render to run instead, e.g. the code before a change.
const root = path.resolve(process.env.BENCH_CHECKOUT || path.join(__dirname, '..', '..'));
const [variant, n, outdir, fixtureFile, resultFile] = process.argv.slice(2);
const N = Number(n);

const cpuSeconds = (usage) => (usage.user + usage.system) / 1e6;
let loaded;
process.on('exit', () => {
  if (!resultFile) return;
  const usage = process.cpuUsage();
  fs.writeFileSync(resultFile, JSON.stringify({
    variant,
    n: N,
    cpu: cpuSeconds(usage),
    user: usage.user / 1e6,
    system: usage.system / 1e6,
    // Node's own startup plus the modules the variant loads, before it does any work.
    loading: loaded === undefined ? undefined : cpuSeconds(loaded),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }));
});

/** N copies of the production environment, each its own folder and namespace. */
function environments(lib) {
  const { PRODUCTION } = require(path.join(lib, 'picvario', 'environments'));
  return Array.from({ length: N }, (_, i) => ({ ...PRODUCTION, name: `production-${i + 1}`, namespace: `picvario-production-${i + 1}` }));
}

function objectKey(o) {
  return [o.apiVersion, o.kind, (o.metadata && o.metadata.namespace) || '', o.metadata && o.metadata.name].join('\u0000');
}

const variants = {
  fixture() {
    const lib = path.join(root, 'lib');
    const { picvarioApp } = require(path.join(lib, 'picvario', 'main'));
    const folders = picvarioApp(outdir, environments(lib))._renderOutput();
    const fixture = folders.map((folder) => {
      const position = new Map(folder.objects.map((o, i) => [objectKey(o), i]));
      const files = new Map();
      for (const entry of folder.index.objects) {
        const key = [entry.apiVersion, entry.kind, entry.namespace || '', entry.name].join('\u0000');
        files.set(entry.file, [...(files.get(entry.file) || []), position.get(key)]);
      }
      return {
        name: folder.name,
        objects: folder.objects,
        // Each YAML file of the folder, with its objects (indexes into `objects`) in the render's order.
        files: [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, indexes]) => ({ name, objects: indexes.sort((a, b) => a - b) })),
      };
    });
    fs.writeFileSync(fixtureFile, JSON.stringify(fixture));
  },

  render() {
    const lib = path.join(root, 'lib');
    const { picvarioApp } = require(path.join(lib, 'picvario', 'main'));
    const specs = environments(lib);
    loaded = process.cpuUsage();
    picvarioApp(outdir, specs).synth();
  },

  plain() {
    const { ApiObject, App, Chart } = require(path.join(root, 'node_modules', 'cdk8s'));
    loaded = process.cpuUsage();
    const fixture = JSON.parse(fs.readFileSync(fixtureFile, 'utf8'));
    const app = new App({ outdir });
    for (const folder of fixture) {
      const chart = new Chart(app, folder.name, { disableResourceNameHashes: true });
      folder.objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
    }
    app.synth();
  },

  floor() {
    const YAML = require(path.join(root, 'node_modules', 'yaml'));
    loaded = process.cpuUsage();
    const fixture = JSON.parse(fs.readFileSync(fixtureFile, 'utf8'));
    const options = { keepUndefined: true, lineWidth: 0, version: '1.1' }; // cdk8s's Yaml.stringify
    fs.mkdirSync(outdir, { recursive: true });
    for (const folder of fixture) {
      fs.mkdirSync(path.join(outdir, folder.name));
      for (const file of folder.files) {
        const text = file.objects.map((i) => YAML.stringify(folder.objects[i], options)).join('---\n');
        fs.writeFileSync(path.join(outdir, folder.name, file.name), text);
      }
    }
  },
};

if (!variants[variant] || !Number.isInteger(N) || N < 1 || !outdir || (!fixtureFile && variant !== 'render')) {
  console.error('usage: node hack/bench/variant.js fixture|render|plain|floor <N> <outdir> <fixture.json> [<result.json>]\n'
    + '       (render needs no fixture: node --cpu-prof hack/bench/variant.js render 100 /tmp/out profiles one render)');
  process.exit(2);
}
variants[variant]();
