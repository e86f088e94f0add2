#!/usr/bin/env node
// The README's "Another team's path", run as written: `node hack/package/readme-path.js --tarball <npm package>`
// (hack/package/test.sh runs it on the tarball it packs; `npm run test:readme` packs one first).
//
// The section's code blocks are taken in order. A ```sh block is shell lines, run in one bash per block
// (set -e), each line echoed with its time. A ```text block is an example of what a command prints and is
// skipped. Any other block is a file: its name is the first `code` span of
// the paragraph just before it, which must end with a colon ("`cdk8s.yaml`, the command ...:"). So when the
// README changes, this runs the new text; a block it cannot place fails the run, naming its line.
//
// Each cell of the matrix is a fresh project on one Node release and one TypeScript release:
// - Node: the npm package node-<platform>-<arch>@<major> carries each release's binary; node-release.js
//   installs it once into $XDG_CACHE_HOME/picvario-k8s-topology/node/<major>/, and its bin/ goes first on
//   PATH, so that `node`, and npm and npx (whose shebang asks PATH for node), run on it.
// - The project is what the README assumes: a git repository with one commit and a remote `origin` (a bare
//   repository beside it), and nothing else. No git identity is configured: publish names the package.
// Two substitutions, both printed where they happen:
// - `npm install` of @picvario/k8s-topology installs the tarball instead (the package is not on the public
//   registry in the test): only that package spec is rewritten, to the tarball's path.
// - the cell's TypeScript release: a bare `typescript` in an `npm install` line becomes `typescript@<release>`
//   (for "latest", the line runs unchanged).
// npm uses a cache under $XDG_CACHE_HOME/picvario-k8s-topology/package-test/npm (npm_config_cache), so a
// second run downloads nothing.
//
// After the README's lines: the render must name the team's package and version everywhere
// (consumer/check-render.js), the first diff must have said that nothing is published yet, `origin` must
// have the rendered branch, --typecheck must have run the cell's TypeScript, and `cdk8s synth` (this
// repository's cdk8s-cli) must write the same folders as the render. Any failure fails the run; nothing
// is skipped.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { nodeBin, CACHE } = require('./node-release');

const ROOT = path.resolve(__dirname, '..', '..');
const SECTION = "## Another team's path";
// The LTS releases of Node (jsii supports 22 and 24; 26 is LTS since October 2026), each with another
// TypeScript release: a diagonal of the 3x3 matrix (docs/RELEASING.md has the measured cost of each).
const DEFAULT_CELLS = '22:5.9,24:6,26:7';
const LIBRARY = '@picvario/k8s-topology';

function usage(message) {
  if (message) console.error(`readme-path: ${message}`);
  console.error('usage: node hack/package/readme-path.js --tarball <file.tgz> [--cells 22:5.9,24:6,26:7] [--keep]');
  process.exit(2);
}

function fail(message) {
  console.error(`readme-path: FAILED: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { cells: process.env.README_PATH_CELLS || DEFAULT_CELLS, keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tarball') opts.tarball = argv[++i];
    else if (argv[i] === '--cells') opts.cells = argv[++i];
    else if (argv[i] === '--keep') opts.keep = true;
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!opts.tarball) usage('--tarball is required');
  opts.tarball = path.resolve(opts.tarball);
  if (!fs.existsSync(opts.tarball)) fail(`the tarball ${opts.tarball} does not exist (npx projen package:js makes it)`);
  opts.cells = opts.cells.split(',').map((cell) => {
    const m = /^(\d+):(\d+(?:\.\d+)*|latest)$/.exec(cell.trim());
    if (!m) usage(`a cell is <node major>:<typescript release>, e.g. 24:6; got "${cell}"`);
    return { node: m[1], typescript: m[2] };
  });
  return opts;
}

/** The section's blocks in order: { kind: 'sh', text, line } or { kind: 'file', name, text, line }. */
function readmeSteps(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(SECTION));
  if (start < 0) fail(`${file} has no section starting "${SECTION}"`);
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const steps = [];
  let paragraph = [];
  for (let i = start + 1; i < end; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]);
    if (!fence) {
      if (lines[i].trim() === '') {
        if (paragraph.length) paragraph = [...paragraph, ''];
      } else {
        if (paragraph[paragraph.length - 1] === '') paragraph = [];
        paragraph.push(lines[i]);
      }
      continue;
    }
    const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (close < 0 || close >= end) fail(`README.md:${i + 1}: the code block is not closed within the section`);
    const text = lines.slice(i + 1, close).join('\n') + '\n';
    const lang = fence[1];
    if (lang === 'sh' || lang === 'bash' || lang === 'shell') {
      steps.push({ kind: 'sh', text, line: i + 1 });
    } else if (lang === 'text') {
      // What a command prints (an example of its output), neither a file nor a command.
    } else {
      const before = paragraph.filter((l) => l !== '').join(' ');
      const name = /`([^`]+)`/.exec(before);
      if (!before.trimEnd().endsWith(':') || !name || !/^[\w.-]+(\/[\w.-]+)*$/.test(name[1])) {
        fail(`README.md:${i + 1}: a \`\`\`${lang} block must follow a paragraph that names its file first and ends with a colon ("\`main.ts\`, the app:"); got "${before.slice(0, 120)}"`);
      }
      steps.push({ kind: 'file', name: name[1], text, line: i + 1 });
    }
    paragraph = [];
    i = close;
  }
  const files = steps.filter((s) => s.kind === 'file').map((s) => s.name);
  const shell = steps.filter((s) => s.kind === 'sh').map((s) => s.text).join('');
  for (const needed of ['package.json', 'cdk8s.yaml', 'main.ts']) {
    if (!files.includes(needed)) fail(`the README's path writes no ${needed} (files: ${files.join(', ') || 'none'})`);
  }
  for (const needed of ['k8s-topology render', 'k8s-topology diff rendered', 'k8s-topology publish', `npm install ${LIBRARY}`]) {
    if (!shell.includes(needed)) fail(`the README's path has no shell line with "${needed}"`);
  }
  return steps;
}

/** The logical lines of a shell block: continuation lines joined, blank lines dropped. */
function shellLines(text) {
  const out = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim()) out.push(current.trim());
    current = '';
  }
  return out;
}

/** The two substitutions (see the top of this file), or the line as it is. */
function substitute(line, cell, tarball) {
  if (!/^npm (install|i|add)\b/.test(line)) return line;
  const words = line.split(/(\s+)/);
  return words.map((w) => {
    if (w === LIBRARY || w.startsWith(`${LIBRARY}@`)) return tarball;
    if (w === 'typescript' && cell.typescript !== 'latest') return `typescript@${cell.typescript}`;
    return w;
  }).join('');
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  return result;
}

function git(cwd, ...args) {
  const result = run('git', args, { cwd });
  if (result.status !== 0) fail(`git ${args.join(' ')} in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Runs one cell; returns its timings, or throws with what failed. */
function runCell(cell, steps, opts, work) {
  const started = Date.now();
  const bin = nodeBin(cell.node);
  const nodeVersion = run(path.join(bin, 'node'), ['--version']).stdout.trim();
  const label = `Node ${nodeVersion}, TypeScript ${cell.typescript}`;
  console.log(`\n== ${label}`);
  const cellDir = path.join(work, `node${cell.node}-ts${cell.typescript}`);
  const project = path.join(cellDir, 'shop-deploy');
  const origin = path.join(cellDir, 'origin.git');
  fs.mkdirSync(cellDir, { recursive: true });
  const env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    npm_config_cache: path.join(CACHE, 'package-test', 'npm'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // No git identity: what a CI runner has. The README's lines commit nothing but the render.
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  for (const k of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL', 'CDK8S_OUTDIR', 'NODE_PATH', 'NODE_OPTIONS']) delete env[k];
  // The team's repository, as the README assumes it: one commit, and origin.
  git(cellDir, 'init', '-q', '--bare', origin);
  git(cellDir, 'init', '-q', '-b', 'main', project);
  git(project, '-c', 'user.name=shop', '-c', 'user.email=shop@example.com', 'commit', '-q', '--allow-empty', '-m', 'shop: deploy repository');
  git(project, 'remote', 'add', 'origin', origin);

  const log = [];
  const timings = {};
  for (const step of steps) {
    if (step.kind === 'file') {
      fs.mkdirSync(path.dirname(path.join(project, step.name)), { recursive: true });
      fs.writeFileSync(path.join(project, step.name), step.text);
      console.log(`README.md:${step.line}: wrote ${step.name} (${step.text.split('\n').length - 1} lines)`);
      continue;
    }
    const lines = shellLines(step.text);
    // One bash per block, so that a `cd` or a variable carries to the next line, as in a terminal.
    // stderr joins stdout, so that the output reads in order.
    const script = ['set -euo pipefail', 'exec 2>&1'];
    lines.forEach((line, i) => {
      const actual = substitute(line, cell, opts.tarball);
      if (actual !== line) console.log(`README.md:${step.line}: runs "${line.replace(/\s+#.*$/, '')}" as "${actual.replace(/\s+#.*$/, '')}"`);
      script.push(`printf '%s\\n' ${JSON.stringify(`$ ${actual}`).replace(/[$`]/g, '\\$&')}`);
      script.push('t=$EPOCHREALTIME');
      script.push(actual);
      script.push(`echo "@@time ${i} $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"`);
    });
    const result = run('bash', ['-c', script.join('\n')], { cwd: project, env, timeout: 15 * 60 * 1000 });
    const output = result.stdout;
    log.push(output);
    for (const l of output.split('\n')) {
      const t = /^@@time (\d+) ([\d.]+)$/.exec(l);
      if (t) timings[lines[Number(t[1])].replace(/\s+#.*$/, '')] = Number(t[2]);
      if (t) console.log(`    (${t[2]}s)`);
      else if (l) console.log(`    ${l}`);
    }
    if (result.status !== 0) {
      throw new Error(`README.md:${step.line}: the block's lines failed (exit ${result.status}${result.signal ? `, ${result.signal}` : ''}): its output is above`);
    }
  }
  const all = log.join('\n');
  checkCell(cell, project, origin, all, env);
  return { label, timings, seconds: (Date.now() - started) / 1000, project };
}

function checkCell(cell, project, origin, output, env) {
  const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  const manifests = path.join(project, 'dist', 'manifests');
  if (!fs.existsSync(manifests)) throw new Error('the README\'s lines rendered nothing into dist/manifests');
  const check = run(process.execPath, [path.join(__dirname, 'consumer', 'check-render.js'), manifests, pkg.name, pkg.version]);
  if (check.status !== 0) throw new Error(`the render does not name ${pkg.name} ${pkg.version} throughout:\n${check.stderr}`);
  console.log(`  ${check.stdout.trim()}`);
  const installed = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', LIBRARY, 'package.json'), 'utf8'));
  if (!String(pkg.dependencies?.[LIBRARY] ?? '').startsWith('file:')) throw new Error(`package.json depends on ${LIBRARY} as ${pkg.dependencies?.[LIBRARY]}, not the tarball`);
  console.log(`  ${LIBRARY} ${installed.version} from the tarball; no ts-node installed: ${!fs.existsSync(path.join(project, 'node_modules', 'ts-node'))}`);
  if (!/^rendered: nothing published yet/m.test(output)) throw new Error('the first diff did not say that nothing is published yet');
  const published = run('git', ['--git-dir', origin, 'show', 'rendered:production/index.json'], { env });
  if (published.status !== 0 || JSON.parse(published.stdout).package.name !== pkg.name) throw new Error(`origin has no rendered branch with the render of ${pkg.name}: ${published.stderr}`);
  console.log(`  origin/rendered: ${git(project, 'log', '-1', '--format=%h %an: %s', 'rendered')}`);
  if (/--typecheck/.test(output)) {
    const ts = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
    const ran = /^type check: tsc --noEmit \(TypeScript ([^)]+)\) passed/m.exec(output);
    if (!ran) throw new Error('render --typecheck did not report a passing tsc --noEmit');
    if (ran[1] !== ts || (cell.typescript !== 'latest' && !`${ts}.`.startsWith(`${cell.typescript}.`))) {
      throw new Error(`--typecheck ran TypeScript ${ran[1]}; the cell is TypeScript ${cell.typescript} (installed: ${ts})`);
    }
    console.log(`  --typecheck ran the project's TypeScript ${ts}`);
  }
  // cdk8s synth runs the app of cdk8s.yaml as well, and writes the same folders (it empties its output first).
  const rendered = path.join(path.dirname(project), 'rendered');
  fs.cpSync(manifests, rendered, { recursive: true });
  const synth = run(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade=false'], { cwd: project, env });
  if (synth.status !== 0) throw new Error(`cdk8s synth failed (exit ${synth.status}):\n${synth.stdout}\n${synth.stderr}`);
  const differ = run('diff', ['-r', rendered, manifests]);
  if (differ.status !== 0) throw new Error(`cdk8s synth wrote other folders than k8s-topology render:\n${differ.stdout.slice(0, 2000)}`);
  console.log('  cdk8s synth (cdk8s-cli of this repository) wrote the same folders as the render');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const steps = readmeSteps(path.join(ROOT, 'README.md'));
  console.log(`README.md "${SECTION.slice(3)}": ${steps.map((s) => (s.kind === 'file' ? s.name : `sh(${shellLines(s.text).length})`)).join(', ')}`);
  console.log(`tarball ${path.relative(ROOT, opts.tarball) || opts.tarball}; cells (Node:TypeScript) ${opts.cells.map((c) => `${c.node}:${c.typescript}`).join(', ')}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-path-'));
  const started = Date.now();
  const results = [];
  const failures = [];
  for (const cell of opts.cells) {
    try {
      results.push(runCell(cell, steps, opts, work));
    } catch (e) {
      failures.push(`Node ${cell.node}, TypeScript ${cell.typescript}: ${e.message}`);
      console.error(`readme-path: Node ${cell.node}, TypeScript ${cell.typescript}: FAILED: ${e.message}`);
    }
  }
  if (opts.keep) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
  console.log('\nreadme-path: cell, total, then each README line that took a second or more');
  for (const r of results) {
    const slow = Object.entries(r.timings).filter(([, t]) => t >= 1).map(([l, t]) => `${l.replace(opts.tarball, '<tarball>')} ${t}s`);
    console.log(`  ${r.label}: ${r.seconds.toFixed(1)}s; ${slow.join('; ')}`);
  }
  if (failures.length) fail(`${failures.length} of ${opts.cells.length} cells failed:\n  ${failures.join('\n  ').slice(0, 20000)}`);
  console.log(`readme-path: ${results.length} cells passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

main();
