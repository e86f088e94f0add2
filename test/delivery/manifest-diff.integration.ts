// The diff guard's CLI against revisions of a rendered branch: real git and ts-node, so an integration
// test (`npm run test:integration`); the rules themselves are tested in manifest-diff.test.ts.
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { baseline } from './diff-fixture';
import { BARE_GIT_ENV, sourceRepo, withEnv, writeRender } from './git-fixture';
import { tempDir } from './helpers';
import { RenderDiff } from '../../src/delivery/manifest-diff';
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

describe('RenderDiff.compare before the first publish', () => {
  test('GIVEN a repository without the rendered branch THEN compare says nothing is published and lists every object as added', () => {
    const repo = sourceRepo();
    const out = path.join(tempDir('render-out'), 'manifests');
    writeRender(out, { test: [{ file: 'all.yaml', objects: baseline() }] });

    const report = RenderDiff.compare('rendered', out, repo);
    expect(report).toMatchObject({ published: false, safe: true, added: 5, removed: 0, changed: 0, unchanged: 0, violations: [] });
    expect(report.text).toMatch(new RegExp(`^rendered: nothing published yet \\(no branch rendered in ${repo}\\), so every object of ${out} is new:$`, 'm'));
    expect(report.text).toMatch(/^5 added, 0 removed, 0 changed, 0 unchanged$/m);
    expect(RenderDiff.compare('origin/rendered', out, repo).published).toBe(false);
    // Only the rendered branch: a mistyped name or a revision expression is still a read error.
    expect(() => RenderDiff.compare('renderd', out, repo)).toThrow(/renderd is neither a folder nor a revision/);
    expect(() => RenderDiff.compare('rendered~1', out, repo)).toThrow(/rendered~1 is neither a folder nor a revision/);

    withEnv(BARE_GIT_ENV, () => publishRendered({ source: out, repo }));
    expect(RenderDiff.compare('rendered', out, repo)).toMatchObject({ published: true, safe: true, added: 0, unchanged: 5 });
  });
});
