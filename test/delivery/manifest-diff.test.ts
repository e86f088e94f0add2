import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { BARE_GIT_ENV, sourceRepo, withEnv, writeRender } from './git-fixture';
import { deployment, service, tempDir } from './helpers';
import { diffRenders, formatDiff, loadRender, RenderDiff } from '../../src/delivery/manifest-diff';
import { publishRendered } from '../../src/delivery/rendered-branch';

function pdb(name: string) {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': name } }, spec: { minAvailable: 1 } };
}

function job(name: string, image: string, hook: boolean) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': 'migrate' }, annotations: hook ? { 'argocd.argoproj.io/hook': 'PreSync' } : undefined },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] } } },
  };
}

function baseline(): any[] {
  return [deployment('backend'), service('backend'), pdb('backend'), job('migrate', 'app:1', false), job('migrate-hook', 'app:1', true)];
}

function diffOf(change: (objects: any[]) => any[]) {
  const dir = tempDir('diff');
  const before = writeRender(path.join(dir, 'before'), { test: [{ file: 'all.yaml', objects: baseline() }] });
  const after = writeRender(path.join(dir, 'after'), { test: [{ file: 'all.yaml', objects: change(baseline()) }] });
  return diffRenders(loadRender(before), loadRender(after));
}

const byName = (objects: any[], name: string, kind: string) => objects.find((o) => o.metadata.name === name && o.kind === kind);

describe('diff guard', () => {
  test('an image change is shown field by field and is safe', () => {
    const diff = diffOf((objs) => {
      byName(objs, 'backend', 'Deployment').spec.template.spec.containers[0].image = 'img/backend:2';
      return objs;
    });
    expect(diff.violations).toEqual([]);
    const text = formatDiff(diff);
    expect(text).toContain('~ Deployment ns/backend (test/all.yaml): changed');
    expect(text).toContain('~ spec.template.spec.containers[backend].image: "img/backend:1" -> "img/backend:2"');
    expect(text).toContain('0 added, 0 removed, 1 changed, 4 unchanged');
    expect(text.split('\n').slice(0, 4)).toEqual(['Releases and images:', '  test: release 1.0 unchanged', '    image img/backend: 1 -> 2 (backend)', '']);
  });

  test('a changed Deployment selector is unsafe', () => {
    const diff = diffOf((objs) => {
      byName(objs, 'backend', 'Deployment').spec.selector.matchLabels.extra = 'x';
      return objs;
    });
    expect(diff.violations).toEqual([expect.objectContaining({ object: 'Deployment ns/backend', field: 'spec.selector' })]);
  });

  test('a removed Service is unsafe', () => {
    const diff = diffOf((objs) => objs.filter((o) => o.kind !== 'Service'));
    expect(diff.violations).toEqual([expect.objectContaining({ object: 'Service ns/backend', reason: expect.stringMatching(/^removed/) })]);
  });

  test('a renamed Deployment (removed and added in the same component) is unsafe and named as a rename', () => {
    const diff = diffOf((objs) => {
      byName(objs, 'backend', 'Deployment').metadata.name = 'backend-v2';
      return objs;
    });
    expect(diff.violations).toEqual([expect.objectContaining({ object: 'Deployment ns/backend', reason: expect.stringMatching(/^renamed to backend-v2/) })]);
  });

  test('a removed PodDisruptionBudget is unsafe', () => {
    const diff = diffOf((objs) => objs.filter((o) => o.kind !== 'PodDisruptionBudget'));
    expect(diff.violations).toEqual([expect.objectContaining({ object: 'PodDisruptionBudget ns/backend' })]);
  });

  test('a changed template of a non-hook Job is unsafe; of a hook Job it is not', () => {
    const diff = diffOf((objs) => {
      byName(objs, 'migrate', 'Job').spec.template.spec.containers[0].image = 'app:2';
      byName(objs, 'migrate-hook', 'Job').spec.template.spec.containers[0].image = 'app:2';
      return objs;
    });
    expect(diff.violations).toEqual([expect.objectContaining({ object: 'Job ns/migrate', field: 'spec.template' })]);
  });

  test('RenderDiff.compare reports counts, safety and the violations, for folders and revisions alike', () => {
    const dir = tempDir('diff-api');
    const before = writeRender(path.join(dir, 'before'), { test: [{ file: 'all.yaml', objects: baseline() }] });
    const changed = baseline();
    changed[0].spec.selector.matchLabels.extra = 'x';
    const after = writeRender(path.join(dir, 'after'), { test: [{ file: 'all.yaml', objects: changed }] });
    const report = RenderDiff.compare(before, after);
    expect([report.safe, report.added, report.removed, report.changed, report.unchanged]).toEqual([false, 0, 0, 1, 4]);
    expect(report.violations).toEqual([expect.objectContaining({ object: 'Deployment ns/backend', field: 'spec.selector' })]);
    expect(report.text).toContain('UNSAFE: 1 change(s)');
    expect(RenderDiff.compare(before, before).safe).toBe(true);
  });

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
    const cli = path.resolve(__dirname, '../../src/delivery/cli/main.ts');
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
