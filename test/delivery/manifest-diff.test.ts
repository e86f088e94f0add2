import * as path from 'path';
import { baseline } from './diff-fixture';
import { writeRender } from './git-fixture';
import { tempDir } from './helpers';
import { diffRenders, formatDiff, loadRender, RenderDiff } from '../../src/delivery/manifest-diff';

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
});
