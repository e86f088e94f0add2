import * as fs from 'fs';
import * as path from 'path';
import { consumer, DELIVERY_APP, LIBRARY, PLAIN_APP, TS_NODE } from '../delivery/consumer';
import { BARE_GIT_ENV, git, sourceRepo, withEnv } from '../delivery/git-fixture';
import { cli, readTree, tempDir } from '../delivery/helpers';

// The CLI in process, running consumer apps with ts-node and publishing with git: an integration test
// (`npm run test:integration`). What starts no process is in cli.test.ts.
describe('k8s-topology render', () => {
  test('GIVEN an app built on DeliveryApp WHEN rendered THEN its folders, with the consumer provenance, replace the output', () => {
    const dir = consumer(DELIVERY_APP);
    const run = cli(dir, 'render', '--app', `${TS_NODE} app.ts`, '--out', 'out');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['argocd', 'production']);
    expect(run.out).toMatch(/^rendered 2 folders \(\d+ objects, shop-deploy 3\.1\.0\) into out\/ in \d+ ms$/m);
    const files = readTree(path.join(dir, 'out'));
    expect(files['production/web.yaml']).toContain('shop-deploy-version: 3.1.0');
    expect(files['argocd/production.yaml']).toContain('name: shop-production');
    expect(fs.readdirSync(dir).sort()).toEqual(['app.ts', 'out', 'package.json']);
  });

  test('GIVEN a plain cdk8s App WHEN rendered THEN its chart files become the same kind of folders', () => {
    const dir = consumer(PLAIN_APP);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `app: ${TS_NODE} app.ts\noutput: rendered\n`);
    const run = cli(dir, 'render');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^staging: 1 objects in 3 files \(ConfigMap ×1\), app 6\.0\.0, sha256:[0-9a-f]{12}$/m);
    const files = readTree(path.join(dir, 'rendered'));
    expect(Object.keys(files).sort()).toEqual(['staging/00-environment.yaml', 'staging/README.md', 'staging/index.json']);
    expect(JSON.parse(files['staging/index.json']).package).toEqual({ name: 'shop-deploy', version: '3.1.0' });
  });

  test.each([
    ['an app that throws', 'throw new Error("the shop app is broken");', /the app ".*" failed \(exit 1\); the previous render is left as it was/],
    ['an app that synthesizes nothing', 'console.log("nothing");', /synthesized nothing into CDK8S_OUTDIR; the previous render is left as it was/],
    ['an app with two charts for one folder', `
      import { Chart, ApiObject } from 'cdk8s';
      const t = require(${LIBRARY});
      const app = new t.DeliveryApp();
      const a = new Chart(app, 'a'); new Chart(a, 'b');
      new ApiObject(new Chart(app, 'a-b'), 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
      app.synth();`, /failed \(exit 1\)/],
  ])('GIVEN %s THEN it exits 1 and the previous render stays as it was', (_what, app, message) => {
    const dir = consumer(app);
    fs.mkdirSync(path.join(dir, 'out', 'production'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'out', 'production', 'web.yaml'), 'kind: ConfigMap\n');
    const run = cli(dir, 'render', '--app', `${TS_NODE} app.ts`, '--out', 'out');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(message);
    expect(readTree(path.join(dir, 'out'))).toEqual({ 'production/web.yaml': 'kind: ConfigMap\n' });
    expect(fs.readdirSync(dir).sort()).toEqual(['app.ts', 'out', 'package.json']);
  });
});

describe('k8s-topology diff and publish', () => {
  test('GIVEN a render WHEN published twice and diffed THEN the branch has one commit and the diff is safe', () => {
    const repo = sourceRepo();
    fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'shop-deploy', version: '3.1.0', repository: 'https://git.example.com/shop.git' }));
    fs.writeFileSync(path.join(repo, 'app.ts'), DELIVERY_APP);
    expect(cli(repo, 'render', '--app', `${TS_NODE} app.ts`, '--out', 'dist/manifests').code).toBe(0);
    const first = withEnv(BARE_GIT_ENV, () => cli(repo, 'publish'));
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^rendered: committed [0-9a-f]{12} \(tree [0-9a-f]{12}\): render [0-9a-f]{12}: production 7\.0\.0$/);
    expect(git(repo, 'log', '-1', '--format=%an <%ae>', 'rendered')).toBe('shop-deploy render <render@localhost>');
    expect(withEnv(BARE_GIT_ENV, () => cli(repo, 'publish')).out).toMatch(/unchanged .* no commit made/);

    const diff = cli(repo, 'diff', 'rendered', 'dist/manifests');
    expect([diff.code, diff.out]).toEqual([0, expect.stringContaining('0 added, 0 removed, 0 changed, 5 unchanged')]);
  });

  test('GIVEN no rendered branch yet WHEN the first render is diffed against rendered THEN nothing is published yet: all added, exit 0', () => {
    const repo = sourceRepo();
    fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'shop-deploy', version: '3.1.0', repository: 'https://git.example.com/shop.git' }));
    fs.writeFileSync(path.join(repo, 'app.ts'), DELIVERY_APP);
    expect(cli(repo, 'render', '--app', `${TS_NODE} app.ts`, '--out', 'dist/manifests').code).toBe(0);

    const first = cli(repo, 'diff', 'rendered', 'dist/manifests');
    expect([first.code, first.err]).toEqual([0, '']);
    expect(first.out).toMatch(/^rendered: nothing published yet \(no branch rendered in this repository\), so every object of dist\/manifests is new:$/m);
    expect(first.out).toMatch(/^\+ ConfigMap shop\/settings \(production\/web\.yaml\): added$/m);
    expect(first.out).toContain('\n5 added, 0 removed, 0 changed, 0 unchanged\n');
    expect(first.out).toMatch(/Publish the render to create rendered: k8s-topology publish \(then push it\); later diffs compare with it\.$/);
    // Only the rendered branch: a mistyped name, a revision expression or a missing folder is still an error.
    expect(cli(repo, 'diff', 'renderd', 'dist/manifests')).toMatchObject({ code: 2, err: expect.stringMatching(/renderd is neither a folder nor a revision/) });
    expect(cli(repo, 'diff', 'rendered~1', 'dist/manifests')).toMatchObject({ code: 2, err: expect.stringMatching(/rendered~1 is neither a folder nor a revision/) });
    expect(cli(repo, 'diff', 'rendered', 'dist/nothing')).toMatchObject({ code: 2, err: expect.stringMatching(/dist\/nothing is neither a folder nor a revision/) });

    expect(withEnv(BARE_GIT_ENV, () => cli(repo, 'publish')).code).toBe(0);
    expect(cli(repo, 'diff', 'rendered', 'dist/manifests')).toMatchObject({ code: 0, out: expect.stringMatching(/^Releases and images: unchanged\n0 added, 0 removed, 0 changed, 5 unchanged$/) });
  });

  test('GIVEN package.json names a git author THEN publish commits as that author', () => {
    const repo = sourceRepo();
    fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'shop-deploy', version: '3.1.0', k8sTopology: { gitAuthor: 'Shop render <render@shop.example.com>' } }));
    fs.writeFileSync(path.join(repo, 'app.ts'), PLAIN_APP);
    expect(cli(repo, 'render', '--app', `${TS_NODE} app.ts`).code).toBe(0);
    expect(withEnv(BARE_GIT_ENV, () => cli(repo, 'publish')).code).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%an <%ae>', 'rendered')).toBe('Shop render <render@shop.example.com>');
  });

  test('GIVEN bad input THEN diff exits 2 and publish exits 1, naming the problem', () => {
    const dir = tempDir('nothing');
    expect(cli(dir, 'diff', 'a', 'b')).toMatchObject({ code: 2, err: expect.stringMatching(/a is neither a folder nor a revision/) });
    expect(cli(dir, 'publish')).toMatchObject({ code: 1, err: expect.stringMatching(/failed, branch not moved: dist\/manifests does not exist/) });
  });
});
