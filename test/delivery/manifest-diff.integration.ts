// The diff guard's CLI against revisions of a rendered branch: real git and ts-node, so an integration
// test (`npm run test:integration`); the rules themselves are tested in manifest-diff.test.ts.
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { baseline } from './diff-fixture';
import { BARE_GIT_ENV, sourceRepo, withEnv, writeRender } from './git-fixture';
import { tempDir } from './helpers';
import { publishRendered } from '../../src/delivery/rendered-branch';

describe('diff guard', () => {
  test('the CLI reads rendered-branch revisions and exits 1 naming the object and field, 0 when safe', () => {
    const repo = sourceRepo();
    const out = path.join(tempDir('render-out'), 'manifests');
    withEnv(BARE_GIT_ENV, () => {
      writeRender(out, { test: [{ file: 'all.yaml', objects: baseline() }] });
      publishRendered({ source: out, repo });
      const changed = baseline();
      changed[0].spec.selector.matchLabels.extra = 'x';
      writeRender(out, { test: [{ file: 'all.yaml', objects: changed }] });
      publishRendered({ source: out, repo });
    });
    const cli = path.resolve(__dirname, '../../src/cli/main.ts');
    const tsNode = path.resolve(__dirname, '../../node_modules/.bin/ts-node');
    const run = (...args: string[]) => spawnSync(tsNode, ['--transpile-only', cli, 'diff', ...args], { cwd: repo, encoding: 'utf8' });
    const unsafe = run('rendered~1', 'rendered');
    expect(unsafe.stdout).toContain('Deployment ns/backend [test]: spec.selector changed');
    expect(unsafe.status).toBe(1);
    const safe = run('rendered', 'rendered');
    expect(safe.stdout).toContain('0 added, 0 removed, 0 changed, 5 unchanged');
    expect(safe.status).toBe(0);
    expect(run('no-such-rev', 'rendered').status).toBe(2);
    expect(execFileSync('git', ['rev-list', '--count', 'rendered'], { cwd: repo, encoding: 'utf8' }).trim()).toBe('2');
  });
});
