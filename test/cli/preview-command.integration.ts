import * as path from 'path';
import { BARE_GIT_ENV, git, sourceRepo, withEnv, writeRender } from '../delivery/git-fixture';
import { cli, deployment } from '../delivery/helpers';

// k8s-topology preview publish and remove against a real temporary repository (`npm run test:integration`).
function preview(repo: string, pr: number) {
  const obj = deployment('backend');
  obj.metadata.namespace = `shop-pr-${pr}`;
  obj.metadata.labels['app.kubernetes.io/version'] = `1.2-pr.${pr}`;
  writeRender(path.join(repo, 'dist', 'previews'), { [`pr-${pr}`]: [{ file: 'backend.yaml', objects: [obj] }] });
}

describe('GIVEN a repository whose rendered branch holds staging', () => {
  test('WHEN the CI publishes two previews and removes one THEN the branch holds staging and the other preview', () => {
    const repo = sourceRepo();
    withEnv(BARE_GIT_ENV, () => {
      const base = deployment('backend');
      base.metadata.namespace = 'shop-staging';
      writeRender(path.join(repo, 'dist', 'manifests'), { staging: [{ file: 'backend.yaml', objects: [base] }] });
      expect(cli(repo, 'publish').code).toBe(0);
      const staging = git(repo, 'rev-parse', 'rendered:staging');

      preview(repo, 5);
      const first = cli(repo, 'preview', 'publish', '--pr', '5');
      expect([first.code, first.err]).toEqual([0, '']);
      expect(first.out).toMatch(/^rendered: committed [0-9a-f]{12}: render [0-9a-f]{12}: previews\/pr-5 1\.2-pr\.5$/);
      preview(repo, 6);
      expect(cli(repo, 'preview', 'publish', '--pr=6').code).toBe(0);
      expect(cli(repo, 'preview', 'publish', '--pr', '6').out).toBe('rendered: unchanged (previews/pr-6 is already the tip\'s); no commit made');

      const removed = cli(repo, 'preview', 'remove', '--pr', '5');
      expect(removed.out).toMatch(/^rendered: committed [0-9a-f]{12}: remove previews\/pr-5$/);
      expect(git(repo, 'ls-tree', '-r', '-d', '--name-only', 'rendered').split('\n')).toEqual(['previews', 'previews/pr-6', 'staging']);
      expect(git(repo, 'rev-parse', 'rendered:staging')).toBe(staging);
      expect(cli(repo, 'preview', 'remove', '--pr', '5').out).toBe('rendered: unchanged (no previews/pr-5); no commit made');
    });
  });

  test('WHEN a preview that was not rendered is published THEN it exits 1 and says to render first', () => {
    const repo = sourceRepo();
    const run = cli(repo, 'preview', 'publish', '--pr', '9');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/dist\/previews\/pr-9 does not exist; render first \(k8s-topology preview render --pr 9\)/);
  });
});
