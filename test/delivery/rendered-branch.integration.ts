// publishRendered with real git in temporary repositories: an integration test (`npm run test:integration`).
import * as fs from 'fs';
import * as path from 'path';
import { BARE_GIT_ENV, git, sourceRepo, withEnv, writeRender } from './git-fixture';
import { deployment, service, tempDir } from './helpers';
import { publishRendered, RenderedBranch } from '../../src/delivery/rendered-branch';

function labelled(obj: any, version: string) {
  obj.metadata.labels['app.kubernetes.io/version'] = version;
  return obj;
}

function render(dir: string, version: string, withWorker: boolean) {
  return writeRender(dir, {
    test: [
      { file: 'backend.yaml', objects: [labelled(deployment('backend'), version), labelled(service('backend'), version)] },
      ...(withWorker ? [{ file: 'worker.yaml', objects: [labelled(deployment('worker'), version)] }] : []),
    ],
    production: [{ file: 'backend.yaml', objects: [labelled(deployment('backend'), '1.0'), labelled(service('backend'), '1.0')] }],
  });
}

describe('publishRendered', () => {
  test('commits with plumbing only, once per distinct tree, and removed files leave the branch', () => {
    const repo = sourceRepo();
    const out = path.join(tempDir('render-out'), 'manifests');
    const head = git(repo, 'rev-parse', 'HEAD');
    const headRef = git(repo, 'symbolic-ref', 'HEAD');
    const indexFile = path.join(repo, '.git', 'index');
    const indexBefore = fs.readFileSync(indexFile);
    const statusBefore = git(repo, 'status', '--porcelain');

    withEnv(BARE_GIT_ENV, () => {
      render(out, '1.0', true);
      const first = publishRendered({ source: out, repo });
      expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
      const second = publishRendered({ source: out, repo });
      expect(second.commit).toBeUndefined();
      expect(git(repo, 'rev-list', '--count', 'rendered')).toBe('1');

      const message = git(repo, 'log', '-1', '--format=%B', 'rendered');
      expect(message).toContain(`Source: ${head} (with uncommitted changes) feat: first`);
      expect(message).toContain('test: app 1.0');
      expect(message).toContain('Package: @shop/deploy 2.3.4');
      expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn', 'rendered')).toBe('@shop/deploy render <render@localhost>|@shop/deploy render');
      expect(git(repo, 'ls-tree', '-r', '--name-only', 'rendered').split('\n').sort()).toEqual([
        'production/backend.yaml', 'production/index.json', 'test/backend.yaml', 'test/index.json', 'test/worker.yaml',
      ]);

      render(out, '1.1', false);
      const third = publishRendered({ source: out, repo });
      expect(third.commit).toBeDefined();
      expect(git(repo, 'rev-list', '--count', 'rendered')).toBe('2');
      expect(git(repo, 'rev-parse', 'rendered~1')).toBe(first.commit);
      expect(git(repo, 'ls-tree', '-r', '--name-only', 'rendered')).not.toContain('test/worker.yaml');
      expect(git(repo, 'log', '-1', '--format=%s', 'rendered')).toBe(`render ${head.slice(0, 12)}: production 1.0; test 1.1`);
    });

    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo, 'symbolic-ref', 'HEAD')).toBe(headRef);
    expect(fs.readFileSync(indexFile).equals(indexBefore)).toBe(true);
    expect(git(repo, 'status', '--porcelain')).toBe(statusBefore);
    expect(fs.readFileSync(path.join(repo, 'app.txt'), 'utf8')).toBe('v2 staged\n');
    expect(fs.readdirSync(repo).sort()).toEqual(['.git', 'app.txt', 'untracked.txt']);
  });

  test('refuses a render whose files do not match their index, and leaves the branch alone', () => {
    const repo = sourceRepo();
    const out = render(path.join(tempDir('render-out'), 'manifests'), '1.0', true);
    fs.appendFileSync(path.join(out, 'test', 'backend.yaml'), '# hand edit\n');
    expect(() => publishRendered({ source: out, repo })).toThrow(/digest/);
    expect(() => git(repo, 'rev-parse', '--verify', '-q', 'refs/heads/rendered')).toThrow();
  });

  test('refuses a branch name git does not take, naming it', () => {
    const repo = sourceRepo();
    const out = render(path.join(tempDir('render-out'), 'manifests'), '1.0', true);
    expect(() => publishRendered({ source: out, repo, branch: 'bad..name' })).toThrow(/^RenderedBranch: branch must be a branch name \(git check-ref-format --branch\); got "bad\.\.name"$/);
  });

  test('refuses to move the branch that is checked out', () => {
    const repo = sourceRepo();
    const out = render(path.join(tempDir('render-out'), 'manifests'), '1.0', true);
    expect(() => publishRendered({ source: out, repo, branch: 'main' })).toThrow(/checked out/);
  });

  test('GIVEN a fallback identity WHEN git has none THEN the commit carries it', () => {
    const repo = sourceRepo();
    const out = render(path.join(tempDir('render-out'), 'manifests'), '1.0', true);
    const result = withEnv(BARE_GIT_ENV, () => RenderedBranch.publish({ source: out, repo, authorName: 'Shop render', authorEmail: 'render@shop.example.com' }));
    expect(result.branch).toBe('rendered');
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'rendered')).toBe('Shop render <render@shop.example.com>|Shop render <render@shop.example.com>');
  });

  test('takes a configured identity over the default', () => {
    const repo = sourceRepo();
    const out = render(path.join(tempDir('render-out'), 'manifests'), '1.0', true);
    withEnv({ ...BARE_GIT_ENV, GIT_AUTHOR_NAME: 'CI bot', GIT_AUTHOR_EMAIL: 'ci@example.com' }, () => publishRendered({ source: out, repo, sourceCommit: 'abc123' }));
    expect(git(repo, 'log', '-1', '--format=%an <%ae>', 'rendered')).toBe('CI bot <ci@example.com>');
    expect(git(repo, 'log', '-1', '--format=%B', 'rendered')).toContain('Source: abc123\n');
  });
});
