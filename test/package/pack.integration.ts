/**
 * What the npm package ships (`npm pack --dry-run --json`): what a consumer uses, and none of the scripts,
 * suites or CI of this repository (.npmignore, from `addPackageIgnore` in .projenrc.ts). Every relative link
 * of a shipped Markdown file must lead to a shipped file, so the README works from node_modules too.
 * Runs npm on this checkout; lib/ must be compiled (`npm run synth` builds it before test:integration runs).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');

/** The docs about what the package does; the others are about this repository and stay in it. */
const CONSUMER_DOCS = ['ARCHITECTURE', 'EDGE', 'IMPORT', 'RENDERING', 'STATS', 'TOPOLOGY'].map((d) => `docs/${d}.md`);

/** The bundled dependencies and theirs: what the lockfile marks as in this package's bundle (yaml, sucrase and its tree). */
const BUNDLED = Object.entries(JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')).packages as Record<string, { inBundle?: boolean }>)
  .filter(([where, entry]) => entry.inBundle && where.split('node_modules/').length === 2)
  .map(([where]) => where);

/** Every file the package may hold. */
const SHIPPED = [
  /^lib\/.+\.(js|d\.ts)$/,
  /^\.jsii$/,
  /^(package\.json|README\.md|LICENSE|API\.md)$/,
  ...CONSUMER_DOCS.map((doc) => new RegExp(`^${doc.replace('.', '\\.')}$`)),
  // The app the README points to as "the whole file of a real one".
  /^examples\/shop\/[^/]+$/,
  // The app-side kit (Django and Celery) the README tells consumers to install: its sources, never a build.
  /^contrib\/django\/(?:[^/]+|k8s_topology_django\/(?:[^/]+\/)*[^/]+\.py)$/,
  // The bundled dependencies.
  ...BUNDLED.map((where) => new RegExp(`^${where.replace(/[.]/g, '\\.')}/`)),
];

/** Never in the package, whatever else changes. */
const NEVER = [/^hack\//, /^lib\/validate\//, /^test\//, /^src\//, /^\.ci\//, /^\.projen\//, /^projenrc\//, /^docs\/CI\.md$/, /^cdk8s\.yaml$/];

let files: string[] = [];

beforeAll(() => {
  expect(fs.existsSync(path.join(REPO, 'lib', 'index.js'))).toBe(true); // else: npx projen compile
  const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`npm pack --dry-run exited ${run.status}: ${run.stderr}`);
  files = (JSON.parse(run.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
});

test('GIVEN npm pack THEN nothing of hack/, test/, src/, .ci/, docs/CI.md or the repository\'s own cdk8s.yaml is in the package', () => {
  expect(files.filter((f) => NEVER.some((re) => re.test(f)))).toEqual([]);
});

test('GIVEN npm pack THEN every file is one a consumer uses', () => {
  expect(files.filter((f) => !SHIPPED.some((re) => re.test(f)))).toEqual([]);
});

test('GIVEN npm pack THEN the package has the library, its CLI, types, jsii assembly, bundled yaml and sucrase, docs and the app-side kit', () => {
  const bin = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).bin['k8s-topology'];
  const needed = ['lib/index.js', 'lib/index.d.ts', bin, '.jsii', 'package.json', 'README.md', 'LICENSE', 'API.md',
    'node_modules/yaml/package.json', 'node_modules/sucrase/package.json', 'node_modules/sucrase/dist/index.js', ...CONSUMER_DOCS, 'examples/shop/app.ts', 'contrib/django/pyproject.toml', 'contrib/django/k8s_topology_celery.py', 'contrib/django/k8s_topology_django/migrations/0001_initial.py'];
  expect(needed.filter((f) => !files.includes(f))).toEqual([]);
});

test('GIVEN a shipped Markdown file THEN each of its relative links leads to a shipped file', () => {
  const broken: string[] = [];
  for (const doc of files.filter((f) => f.endsWith('.md') && !f.startsWith('node_modules/'))) {
    const text = fs.readFileSync(path.join(REPO, doc), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      const file = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target.split('#')[0]));
      if (!files.includes(file)) broken.push(`${doc} -> ${target}`);
    }
  }
  expect(broken).toEqual([]);
});
