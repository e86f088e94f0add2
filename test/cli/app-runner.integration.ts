/**
 * `k8s-topology run` and `render` running TypeScript apps with the runner of the package, in processes of
 * their own as a team runs them: the compiled CLI (lib/ must be compiled, as for pack.integration.ts), a
 * project whose node_modules links this repository as @picvario/k8s-topology, and a PATH without ts-node.
 * `--typecheck` runs this repository's TypeScript, linked into the project; `cdk8s synth` this repository's
 * cdk8s-cli.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readTree, tempDir } from '../delivery/helpers';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'lib', 'cli', 'main.js');
const SHOP = path.join(REPO, 'examples', 'shop');
// The tsconfig.json the README gives a team.
// The shop's own tsconfig: it reads releases.json beside it with Node's path and __dirname, hence types: node.
const TSCONFIG = JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'shop', 'tsconfig.json'), 'utf8'));

interface Run { code: number | null; out: string; err: string }

/** A shop project: examples/shop's app.ts and main.ts, its package.json, a cdk8s.yaml with `app`, the package linked in. */
function shopProject(app: string, typescript = false): string {
  const dir = tempDir('shop-runner');
  for (const f of ['app.ts', 'main.ts', 'package.json', 'releases.json']) fs.copyFileSync(path.join(SHOP, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `app: ${app}\noutput: dist/manifests\n`);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  fs.mkdirSync(path.join(dir, 'node_modules', '@picvario'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'));
  fs.symlinkSync(REPO, path.join(dir, 'node_modules', '@picvario', 'k8s-topology'));
  // What npm links as the package's bin: an executable that runs the CLI.
  fs.writeFileSync(path.join(dir, 'node_modules', '.bin', 'k8s-topology'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
  if (typescript) {
    fs.symlinkSync(path.join(REPO, 'node_modules', 'typescript'), path.join(dir, 'node_modules', 'typescript'));
    fs.mkdirSync(path.join(dir, 'node_modules', '@types'));
    fs.symlinkSync(path.join(REPO, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'));
  }
  return dir;
}

/** Runs a command in `cwd` with node, npx and the system tools on PATH, and no ts-node anywhere on it. */
function run(cwd: string, command: string, args: string[]): Run {
  const PATH = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, PATH, CDK8S_OUTDIR: undefined } });
  if (result.error) throw result.error;
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const k8sTopology = (cwd: string, ...args: string[]) => run(cwd, process.execPath, [CLI, ...args]);

beforeAll(() => {
  expect(fs.existsSync(CLI)).toBe(true); // else: npx projen compile
  expect(spawnSync('sh', ['-c', 'PATH=/usr/local/bin:/usr/bin:/bin command -v ts-node']).status).not.toBe(0);
});

describe('k8s-topology render with the TypeScript runner', () => {
  test.each(['ts-node main.ts', 'main.ts', 'npx k8s-topology run main.ts'])('GIVEN app: %s THEN a two-file TypeScript app renders without ts-node', (app) => {
    const dir = shopProject(app);
    const render = k8sTopology(dir, 'render');
    expect(render.err).toBe('');
    expect(render.code).toBe(0);
    expect(render.out).toMatch(/^running main\.ts with the TypeScript runner of @picvario\/k8s-topology \(types not checked/m);
    expect(render.out).toMatch(/^rendered 3 folders \(\d+ objects, shop-deploy 1\.4\.0\) into dist\/manifests\/ in \d+ ms$/m);
    expect(fs.readdirSync(path.join(dir, 'dist', 'manifests')).sort()).toEqual(['argocd', 'production', 'staging']);
  });

  test('GIVEN app: npx k8s-topology run main.ts THEN cdk8s synth runs the same app and writes the same folders', () => {
    const dir = shopProject('npx k8s-topology run main.ts');
    expect(k8sTopology(dir, 'render', '--out', 'rendered').code).toBe(0);
    const synth = run(dir, path.join(REPO, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade=false']);
    expect([synth.code, synth.err]).toEqual([0, expect.anything()]);
    expect(synth.out).toMatch(/dist\/manifests\/production\/backend\.yaml/);
    expect(readTree(path.join(dir, 'dist', 'manifests'))).toEqual(readTree(path.join(dir, 'rendered')));
  });

  test('GIVEN --typecheck and the project\'s TypeScript THEN tsc --noEmit runs first, and a type error renders nothing', () => {
    const dir = shopProject('npx k8s-topology run main.ts', true);
    const checked = k8sTopology(dir, 'render', '--typecheck');
    expect(checked.code).toBe(0);
    expect(checked.out).toMatch(/^type check: tsc --noEmit \(TypeScript \d+\.\d+\.\d+\) passed in \d+ ms$/m);
    expect(checked.out).toMatch(/^running main\.ts with the TypeScript runner of @picvario\/k8s-topology$/m);
    const before = readTree(path.join(dir, 'dist', 'manifests'));

    fs.appendFileSync(path.join(dir, 'app.ts'), "\nexport const replicas: number = 'three';\n");
    const failed = k8sTopology(dir, 'render', '--typecheck');
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/app\.ts\(\d+,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
    expect(failed.err).toMatch(/tsc --noEmit \(TypeScript [\d.]+\) found errors \(exit 2\); nothing was rendered; the previous render is left as it was/);
    expect(readTree(path.join(dir, 'dist', 'manifests'))).toEqual(before);
    // Without --typecheck the runner does not look at types: the same app renders.
    expect(k8sTopology(dir, 'render').code).toBe(0);
  });
});

describe('k8s-topology run', () => {
  test('GIVEN an app of several .ts files THEN relative imports, ./x.js specifiers, type-only imports, enums and arguments work', () => {
    const dir = tempDir('run');
    fs.writeFileSync(path.join(dir, 'sizes.ts'), "export interface Size { cpu: string }\nexport enum Tier { WEB = 'web' }\n");
    fs.writeFileSync(path.join(dir, 'chart.cts'), "import { Tier, type Size } from './sizes.js';\nexport const describe = (s: Size): string => `${Tier.WEB}:${s.cpu}`;\n");
    fs.writeFileSync(path.join(dir, 'main.ts'), [
      "import type { Size } from './sizes';",
      "import { describe } from './chart.cjs';",
      "const size: Size = { cpu: '250m' };",
      "console.log(describe(size), process.argv.slice(2).join(' '), require.main === module);",
    ].join('\n'));
    expect(k8sTopology(dir, 'run', 'main.ts', '--env', 'prod')).toEqual({ code: 0, out: 'web:250m --env prod true\n', err: '' });
  });

  test('GIVEN an app that throws THEN it exits 1 with the stack at the line of the .ts file', () => {
    const dir = tempDir('run');
    fs.writeFileSync(path.join(dir, 'main.ts'), 'const replicas: number = 3;\n\nthrow new Error(`bad replicas ${replicas}`);\n');
    const failed = k8sTopology(dir, 'run', 'main.ts');
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^k8s-topology run: main\.ts failed: Error: bad replicas 3\n\s+at .*main\.ts:3:7\)/);
  });
});
