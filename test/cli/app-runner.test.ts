import * as fs from 'fs';
import * as path from 'path';
import { isTypeScript, transpile } from '../../src/cli/app-runner';
import { runnerModule } from '../../src/cli/render-command';
import { consumer, PLAIN_APP } from '../delivery/consumer';
import { cli, tempDir } from '../delivery/helpers';

// The TypeScript runner's parts that start no process: what it makes of a .ts file, which "app" commands
// render runs with it, and the errors given before any app runs. Running apps is in app-runner.integration.ts.
describe('the TypeScript runner', () => {
  test('GIVEN the README app\'s kind of TypeScript THEN it becomes CommonJS, types gone, lines kept', () => {
    const source = [
      "import { DeliveryApp, QueuePriority } from '@picvario/k8s-topology';",
      "import type { Size } from './size';",
      'interface Props { readonly size: Size }',
      "const size: Size = { cpuRequest: '250m' } as Size;",
      'enum Tier { WEB = \'web\' }',
      'export const props: Props = { size };',
      'new DeliveryApp({ priority: QueuePriority.LOW, tier: Tier.WEB });',
    ].join('\n');
    const js = transpile(source, '/app/main.ts');
    expect(js).toContain('require(\'@picvario/k8s-topology\')');
    expect(js).not.toMatch(/\.\/size|interface|: Size|as Size/);
    expect(js).toMatch(/exports\.props = props/);
    expect(js.split('\n').findIndex((l) => l.includes('_k8stopology.DeliveryApp)('))).toBe(6);
    // It is JavaScript: Node's own parser accepts it.
    expect(() => new Function('require', 'exports', 'module', js)).not.toThrow();
  });

  test('GIVEN file names THEN .ts and .cts are TypeScript, declarations and JavaScript are not', () => {
    expect(['main.ts', 'lib/app.cts', 'main.d.ts', 'main.js', 'main.mts', 'main'].map(isTypeScript)).toEqual([true, true, false, false, false, false]);
  });
});

describe('render runs these "app" commands with the TypeScript runner', () => {
  test.each([
    ['npx k8s-topology run main.ts', { module: 'main.ts', args: [] }],
    ['k8s-topology run app/main.ts --env prod', { module: 'app/main.ts', args: ['--env', 'prod'] }],
    ['npx --no-install k8s-topology run main.js', { module: 'main.js', args: [] }],
    ['ts-node main.ts', { module: 'main.ts', args: [] }],
    ['npx ts-node --transpile-only main.ts', { module: 'main.ts', args: [] }],
    ['ts-node -T src/main.cts x', { module: 'src/main.cts', args: ['x'] }],
    ['  main.ts  ', { module: 'main.ts', args: [] }],
  ])('GIVEN "%s" THEN the runner runs the module', (command, expected) => {
    expect(runnerModule(command)).toEqual(expected);
  });

  test.each([
    'node main.js',
    'ts-node -P other.json main.ts',
    'ts-node --esm main.ts',
    'TS_NODE_PROJECT=x ts-node main.ts',
    'ts-node main.ts && echo done',
    'ts-node "main.ts"',
    'npx main.ts',
    'npx k8s-topology run --help',
    'ts-node main.js',
    'python main.py',
  ])('GIVEN "%s" THEN it runs as written, in sh', (command) => {
    expect(runnerModule(command)).toBeUndefined();
  });
});

describe('k8s-topology run and render, before any app runs', () => {
  test('GIVEN no module or a missing one THEN run exits 2 and names it', () => {
    const dir = tempDir('run');
    expect(cli(dir, 'run')).toMatchObject({ code: 2, err: expect.stringMatching(/run needs the app module to run\n\nusage: k8s-topology run/) });
    expect(cli(dir, 'run', 'main.ts')).toMatchObject({ code: 2, err: expect.stringContaining(`main.ts does not exist in ${fs.realpathSync(dir)}`) });
    expect(cli(dir, 'run', '--help').out).toMatch(/^usage: k8s-topology run/);
  });

  test('GIVEN cdk8s.yaml whose app module is missing THEN render exits 2 naming the module and the line', () => {
    const dir = consumer(PLAIN_APP);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: ts-node main.ts\n');
    expect(cli(dir, 'render')).toMatchObject({ code: 2, err: expect.stringMatching(/the app module main\.ts does not exist in .* \(the "app" of cdk8s\.yaml is "ts-node main\.ts"\)/) });
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('GIVEN --typecheck without TypeScript or without tsconfig.json THEN render exits 2 and says what to install or write', () => {
    const dir = consumer(PLAIN_APP);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: npx k8s-topology run app.ts\n');
    expect(cli(dir, 'render', '--typecheck')).toMatchObject({ code: 2, err: expect.stringMatching(/--typecheck runs the project's own TypeScript \(tsc --noEmit\), and there is none in .*: npm install --save-dev typescript/) });
    // The typescript package is found as Node finds it from the project: here, a link to this repository's.
    const withTypeScript = consumer(PLAIN_APP);
    fs.writeFileSync(path.join(withTypeScript, 'cdk8s.yaml'), 'app: npx k8s-topology run app.ts\n');
    fs.mkdirSync(path.join(withTypeScript, 'node_modules'));
    fs.symlinkSync(path.resolve(__dirname, '../../node_modules/typescript'), path.join(withTypeScript, 'node_modules', 'typescript'));
    expect(cli(withTypeScript, 'render', '--typecheck')).toMatchObject({ code: 2, err: expect.stringMatching(/with the project's tsconfig\.json, and there is none in /) });
  });
});
