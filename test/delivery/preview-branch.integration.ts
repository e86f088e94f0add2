// Preview folders on the rendered branch, with real git in temporary repositories (`npm run test:integration`).
import * as fs from 'fs';
import * as path from 'path';
import { BARE_GIT_ENV, git, sourceRepo, withEnv, writeRender } from './git-fixture';
import { deployment, service, tempDir } from './helpers';
import { RenderedBranch } from '../../src/delivery/rendered-branch';

function versioned(obj: any, version: string, namespace: string) {
  obj.metadata.labels['app.kubernetes.io/version'] = version;
  obj.metadata.namespace = namespace;
  return obj;
}

/** A base render (staging, production) and one folder per preview. */
function renderBase(dir: string, version: string) {
  return writeRender(dir, {
    staging: [{ file: 'backend.yaml', objects: [versioned(deployment('backend'), version, 'shop-staging'), versioned(service('backend'), version, 'shop-staging')] }],
    production: [{ file: 'backend.yaml', objects: [versioned(deployment('backend'), '1.0', 'shop-production')] }],
  });
}

function renderPreview(dir: string, pr: number, version: string): string {
  writeRender(dir, { [`pr-${pr}`]: [{ file: 'backend.yaml', objects: [versioned(deployment('backend'), version, `shop-pr-${pr}`)] }] });
  return path.join(dir, `pr-${pr}`);
}

const folders = (repo: string, treeish: string) => git(repo, 'ls-tree', '-r', '-d', '--name-only', treeish).split('\n').filter(Boolean);
const treeOf = (repo: string, treeish: string) => git(repo, 'rev-parse', treeish);

describe('GIVEN a rendered branch with the base environments', () => {
  test('WHEN two previews are published and one removed THEN the branch holds exactly the base and the other preview, the rest untouched', () => {
    const repo = sourceRepo();
    const work = tempDir('preview-out');
    const headRef = git(repo, 'symbolic-ref', 'HEAD');
    const indexBefore = fs.readFileSync(path.join(repo, '.git', 'index'));

    withEnv(BARE_GIT_ENV, () => {
      RenderedBranch.publish({ source: renderBase(path.join(work, 'base'), '1.1'), repo });
      const staging = treeOf(repo, 'rendered:staging');
      const production = treeOf(repo, 'rendered:production');

      const first = RenderedBranch.publishFolder({ source: renderPreview(path.join(work, 'p1'), 101, '1.2-pr.101'), folder: 'previews/pr-101', repo });
      expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(git(repo, 'log', '-1', '--format=%s', 'rendered')).toMatch(/^render [0-9a-f]{12}: previews\/pr-101 1\.2-pr\.101$/);
      const second = RenderedBranch.publishFolder({ source: renderPreview(path.join(work, 'p2'), 102, '1.2-pr.102'), folder: 'previews/pr-102', repo });
      expect(second.commit).toBeDefined();
      const pr101 = treeOf(repo, 'rendered:previews/pr-101');
      expect(folders(repo, 'rendered')).toEqual(['previews', 'previews/pr-101', 'previews/pr-102', 'production', 'staging']);

      // The same preview again: the tip already has that tree.
      expect(RenderedBranch.publishFolder({ source: path.join(work, 'p2', 'pr-102'), folder: 'previews/pr-102', repo }).commit).toBeUndefined();

      const removed = RenderedBranch.removeFolder({ folder: 'previews/pr-102', repo });
      expect(removed.commit).toBeDefined();
      expect(git(repo, 'log', '-1', '--format=%s', 'rendered')).toBe('remove previews/pr-102');
      expect(folders(repo, 'rendered')).toEqual(['previews', 'previews/pr-101', 'production', 'staging']);
      expect([treeOf(repo, 'rendered:staging'), treeOf(repo, 'rendered:production'), treeOf(repo, 'rendered:previews/pr-101')]).toEqual([staging, production, pr101]);
      expect(RenderedBranch.removeFolder({ folder: 'previews/pr-102', repo }).commit).toBeUndefined();
      expect(git(repo, 'rev-list', '--count', 'rendered')).toBe('4');

      // A new base render replaces staging and keeps the previews as they are.
      RenderedBranch.publish({ source: renderBase(path.join(work, 'base'), '1.3'), repo });
      expect(folders(repo, 'rendered')).toEqual(['previews', 'previews/pr-101', 'production', 'staging']);
      expect(treeOf(repo, 'rendered:previews/pr-101')).toBe(pr101);
      expect(treeOf(repo, 'rendered:staging')).not.toBe(staging);

      // The last preview removed: no empty previews folder is left.
      RenderedBranch.removeFolder({ folder: 'previews/pr-101', repo });
      expect(folders(repo, 'rendered')).toEqual(['production', 'staging']);
    });

    expect(git(repo, 'symbolic-ref', 'HEAD')).toBe(headRef);
    expect(fs.readFileSync(path.join(repo, '.git', 'index')).equals(indexBefore)).toBe(true);
  });

  test('WHEN the same preview is published in two repositories THEN the trees are identical (deterministic)', () => {
    const work = tempDir('preview-det');
    const source = renderPreview(path.join(work, 'p'), 7, '2.0');
    const trees = [sourceRepo(), sourceRepo()].map((repo) => withEnv(BARE_GIT_ENV, () => RenderedBranch.publishFolder({ source, folder: 'previews/pr-7', repo }).tree));
    expect(trees[0]).toBe(trees[1]);
  });

  test('WHEN the folder is not a plain relative path THEN nothing is committed and the error says what is accepted', () => {
    const repo = sourceRepo();
    const source = renderPreview(path.join(tempDir('preview-bad'), 'p'), 7, '2.0');
    for (const folder of ['../x', '/abs', 'previews/PR-7', '']) {
      expect(() => RenderedBranch.publishFolder({ source, folder, repo })).toThrow(/^RenderedBranch: folder must be a relative path of lowercase names such as "previews\/pr-123"; got /);
    }
    expect(() => git(repo, 'rev-parse', '--verify', '-q', 'rendered')).toThrow();
  });

  test('WHEN a whole-tree render holds a previews folder THEN publish refuses it', () => {
    const repo = sourceRepo();
    const out = writeRender(path.join(tempDir('preview-clash'), 'm'), { previews: [{ file: 'backend.yaml', objects: [versioned(deployment('backend'), '1', 'x')] }] });
    expect(() => withEnv(BARE_GIT_ENV, () => RenderedBranch.publish({ source: out, repo }))).toThrow(/holds a folder "previews", which the branch keeps/);
  });
});
