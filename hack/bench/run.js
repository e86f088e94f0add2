#!/usr/bin/env node
// The render benchmark (`npm run bench`; docs/PERFORMANCE.md explains how to read it).
//   node hack/bench/run.js [--sizes 1,10,100] [--rounds 5] [--json FILE] [--keep] [--before DIR]
// For each N it renders N copies of the production environment plus the Argo CD folder four ways,
// each run in a child process of its own (hack/bench/variant.js):
//   render        the real render, replacing the previous render in its output folder (steady state)
//   render-empty  the real render into an output folder that does not exist yet (a fresh checkout, CI)
//   plain         plain cdk8s synthesizing the same objects as plain ApiObjects, app.synth()
//   floor         the same YAML files serialized from the same JSON with the `yaml` package, and written
// With --before DIR (another checkout, compiled, e.g. `git worktree add DIR main && cd DIR && npx projen compile`),
// a fifth variant runs that checkout's render the same way as `render`, in the same rounds, so the code
// before and after a change are compared under the same load.
// It first checks that all variants hold the same objects, then runs `--rounds` rounds; each round runs
// every N and every variant once, in an order that rotates from round to round, so slow phases of a
// busy machine hit all variants alike. It measures CPU seconds (user + system) of each child, startup
// and module loading included, and its peak RSS, and prints medians, ratios and ms per object.
// Wall time is never used: other jobs share the machine.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const YAML = require(path.join(root, 'node_modules', 'yaml'));

function parseArgs(argv) {
  const args = { sizes: [1, 10, 100], rounds: 5, json: undefined, keep: false, before: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') args.sizes = argv[++i].split(',').map(Number);
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--keep') args.keep = true;
    else if (a === '--before') args.before = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}; usage: run.js [--sizes 1,10,100] [--rounds 5] [--json FILE] [--keep] [--before DIR]`);
  }
  if (!args.sizes.every((n) => Number.isInteger(n) && n > 0) || !(args.rounds > 0)) throw new Error('sizes and rounds must be positive integers');
  return args;
}

const VARIANTS = ['render', 'render-empty', 'plain', 'floor'];
let beforeCheckout;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function run(variant, n, outdir, fixture, work) {
  const result = path.join(work, 'result.json');
  fs.rmSync(result, { force: true });
  const before = variant === 'before';
  const child = spawnSync(process.execPath, [path.join(__dirname, 'variant.js'), variant === 'render-empty' || before ? 'render' : variant, String(n), outdir, fixture, result], {
    cwd: before ? beforeCheckout : root,
    env: before ? { ...process.env, BENCH_CHECKOUT: beforeCheckout } : process.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`${variant} N=${n} failed (${child.signal || `exit ${child.status}`})`);
  return JSON.parse(fs.readFileSync(result, 'utf8'));
}

function yamlFiles(dir, all = false) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(full, all);
    return all || /\.ya?ml$/.test(e.name) ? [full] : [];
  }).sort();
}

/** Deep copy with every map's keys sorted, so objects compare by content. */
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  return value;
}

/** Every object of every YAML file under `dir`, parsed as YAML 1.1 (as cdk8s reads YAML), canonical and sorted. */
function objectsUnder(dir) {
  const objects = [];
  for (const file of yamlFiles(dir)) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { version: '1.1' })) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (value !== null && value !== undefined) objects.push(JSON.stringify(canonical(value)));
    }
  }
  return objects.sort();
}

/** Whether the YAML files (with `all`, every file) under `a` and `b` have the same names and bytes. */
function sameBytes(a, b, all = false) {
  const files = (dir) => yamlFiles(dir, all).map((f) => path.relative(dir, f));
  const fa = files(a);
  return fa.join('\n') === files(b).join('\n') && fa.every((f) => fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
}

function check(n, dirs, fixtureFile) {
  const expected = JSON.parse(fs.readFileSync(fixtureFile, 'utf8')).flatMap((f) => f.objects).map((o) => JSON.stringify(canonical(o))).sort();
  for (const variant of VARIANTS) {
    const got = objectsUnder(dirs[variant]);
    if (got.length !== expected.length || got.some((o, i) => o !== expected[i])) {
      const missing = expected.filter((o) => !got.includes(o)).length;
      throw new Error(`N=${n}: ${variant} does not hold the render's objects (${got.length} objects, expected ${expected.length}; ${missing} differ)`);
    }
  }
  return {
    objects: expected.length,
    renderEqualsFloorBytes: sameBytes(dirs.render, dirs.floor),
    ...(dirs.before ? { renderEqualsBeforeBytes: sameBytes(dirs.render, dirs.before, true) } : {}),
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.before) {
    if (!fs.existsSync(path.join(args.before, 'lib', 'picvario', 'main.js'))) throw new Error(`--before ${args.before}: no compiled lib/picvario/main.js there`);
    beforeCheckout = args.before;
    VARIANTS.push('before');
  }
  if (!fs.existsSync(path.join(root, 'lib', 'picvario', 'main.js'))) throw new Error('lib/ is missing: run npx projen compile first (npm run bench does)');
  const loadAtStart = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-topology-bench-'));
  const setups = new Map();
  try {
    for (const n of args.sizes) {
      const work = path.join(tmp, `n${n}`);
      fs.mkdirSync(work);
      const fixture = path.join(work, 'fixture.json');
      run('fixture', n, path.join(work, 'unused'), fixture, work);
      const dirs = Object.fromEntries(VARIANTS.map((v) => [v, path.join(work, v)]));
      // One unmeasured run of each: warms the file cache, leaves a previous render for `render`,
      // and gives the outputs that are checked.
      for (const v of VARIANTS) run(v, n, dirs[v], fixture, work);
      const checked = check(n, dirs, fixture);
      const yesNo = (b) => (b ? 'yes' : 'no');
      console.error(`N=${n}: ${checked.objects} objects, the same in all ${VARIANTS.length} outputs (render's YAML files byte-identical to the floor's: ${yesNo(checked.renderEqualsFloorBytes)}`
        + `${args.before ? `; every file byte-identical to the render before: ${yesNo(checked.renderEqualsBeforeBytes)}` : ''})`);
      setups.set(n, { work, fixture, dirs, ...checked, runs: Object.fromEntries(VARIANTS.map((v) => [v, []])) });
    }

    for (let round = 0; round < args.rounds; round++) {
      for (const [n, s] of setups) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
        for (const v of order) {
          // render replaces its previous output; every other variant writes to a folder that does not exist.
          if (v !== 'render') fs.rmSync(s.dirs[v], { recursive: true, force: true });
          s.runs[v].push(run(v, n, s.dirs[v], s.fixture, s.work));
        }
        console.error(`round ${round + 1}/${args.rounds} N=${n}: ${VARIANTS.map((v) => `${v} ${s.runs[v][round].cpu.toFixed(2)} s`).join(', ')}`);
      }
    }

    const rows = [...setups].map(([n, s]) => {
      const cpu = Object.fromEntries(VARIANTS.map((v) => [v, median(s.runs[v].map((r) => r.cpu))]));
      const rss = Object.fromEntries(VARIANTS.map((v) => [v, median(s.runs[v].map((r) => r.maxRssMiB))]));
      const loading = Object.fromEntries(VARIANTS.map((v) => [v, median(s.runs[v].map((r) => r.loading))]));
      const user = Object.fromEntries(VARIANTS.map((v) => [v, median(s.runs[v].map((r) => r.user))]));
      const system = Object.fromEntries(VARIANTS.map((v) => [v, median(s.runs[v].map((r) => r.system))]));
      const ratios = (v, base) => s.runs[v].map((r, i) => r.cpu / s.runs[base][i].cpu);
      return {
        n, objects: s.objects, cpu, rss, loading, user, system,
        perRound: Object.fromEntries(VARIANTS.map((v) => [v, s.runs[v].map((r) => r.cpu)])),
        vsPlain: cpu.render / cpu.plain, vsPlainRange: [Math.min(...ratios('render', 'plain')), Math.max(...ratios('render', 'plain'))],
        vsFloor: cpu.render / cpu.floor, vsFloorRange: [Math.min(...ratios('render', 'floor')), Math.max(...ratios('render', 'floor'))],
        emptyVsPlain: cpu['render-empty'] / cpu.plain,
        msPerObject: (1000 * cpu.render) / s.objects,
        emptyMsPerObject: (1000 * cpu['render-empty']) / s.objects,
        renderEqualsFloorBytes: s.renderEqualsFloorBytes,
        ...(args.before ? {
          vsBefore: cpu.render / cpu.before, vsBeforeRange: [Math.min(...ratios('render', 'before')), Math.max(...ratios('render', 'before'))],
          beforeVsPlain: cpu.before / cpu.plain, beforeVsPlainRange: [Math.min(...ratios('before', 'plain')), Math.max(...ratios('before', 'plain'))],
          renderEqualsBeforeBytes: s.renderEqualsBeforeBytes,
        } : {}),
      };
    });

    const f2 = (x) => x.toFixed(2);
    const range = ([lo, hi]) => `${f2(lo)}–${f2(hi)}`;
    const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
    const lines = [
      `CPU seconds (user + system, whole process), medians of ${args.rounds} interleaved rounds; ratios are of the medians, with the range of the per-round ratios; `
        + `${os.cpus().length} cores, node ${process.version}; load average ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end`,
      '',
      '| N | objects | render | render, empty folder | plain cdk8s | floor (`yaml`) | ÷ plain cdk8s | ÷ floor | ms/object (render) | ms/object (empty folder) | peak RSS MiB: render / plain / floor |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.n} | ${r.objects.toLocaleString('en-US')} | ${f2(r.cpu.render)} | ${f2(r.cpu['render-empty'])} | ${f2(r.cpu.plain)} | ${f2(r.cpu.floor)} `
        + `| ${f2(r.vsPlain)} (${range(r.vsPlainRange)}) | ${f2(r.vsFloor)} (${range(r.vsFloorRange)}) | ${r.msPerObject.toFixed(3)} | ${r.emptyMsPerObject.toFixed(3)} `
        + `| ${Math.round(r.rss.render)} / ${Math.round(r.rss.plain)} / ${Math.round(r.rss.floor)} |`),
      '',
      'startup and module loading (CPU seconds, medians): '
        + rows.map((r) => `N=${r.n}: render ${f2(r.loading.render)}, plain ${f2(r.loading.plain)}, floor ${f2(r.loading.floor)}`).join('; '),
      'user + system (medians; the system part is mostly the kernel creating and removing files, and moves most with the machine\'s load):',
      ...rows.map((r) => `  N=${r.n}: ${VARIANTS.map((v) => `${v} ${f2(r.user[v])} + ${f2(r.system[v])}`).join(', ')}`),
      ...(args.before ? [
        '',
        `Before and after, in the same rounds (before: ${args.before}):`,
        '',
        '| N | render before | render after | after ÷ before | before ÷ plain cdk8s | after ÷ plain cdk8s | ms/object before | ms/object after | peak RSS MiB before / after | same bytes |',
        '|---|---|---|---|---|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.n} | ${f2(r.cpu.before)} | ${f2(r.cpu.render)} | ${f2(r.vsBefore)} (${range(r.vsBeforeRange)}) | ${f2(r.beforeVsPlain)} (${range(r.beforeVsPlainRange)}) `
          + `| ${f2(r.vsPlain)} (${range(r.vsPlainRange)}) | ${((1000 * r.cpu.before) / r.objects).toFixed(3)} | ${r.msPerObject.toFixed(3)} `
          + `| ${Math.round(r.rss.before)} / ${Math.round(r.rss.render)} | ${r.renderEqualsBeforeBytes ? 'yes' : 'no'} |`),
      ] : []),
    ];
    console.log(lines.join('\n'));
    if (args.json) {
      const runs = Object.fromEntries([...setups].map(([n, s]) => [n, s.runs]));
      fs.writeFileSync(args.json, `${JSON.stringify({ rounds: args.rounds, node: process.version, cores: os.cpus().length, loadAtStart, loadAtEnd: os.loadavg(), rows, runs }, null, 2)}\n`);
    }
  } finally {
    if (args.keep) console.error(`outputs kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
