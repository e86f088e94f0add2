/**
 * hack/render/guard.sh (`npm run diff:rendered`) in the clones CI makes: which baseline it finds, and
 * that it fails when it finds none. Runs real git, bash and this checkout's compiled CLI (lib/, which
 * `npm run synth` builds before test:integration runs) in temporary clones of this repository.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const MINUTES = 60_000;

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 5 * MINUTES, env: { ...process.env, RENDERED_BRANCH: '' } });
  if (r.error) throw r.error;
  return r;
}

function git(cwd: string, ...args: string[]): string {
  const r = run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], cwd);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A render of the current source, made once: the guard compares dist/manifests with a baseline. */
function renderOnce(into: string): void {
  const r = run('node', [path.join(REPO, 'lib/cli/main.js'), 'render', '--out', into], REPO);
  if (r.status !== 0) throw new Error(`render: ${r.stderr}`);
}

/**
 * A checkout shaped as CI's: the guard script of this working tree, this checkout's node_modules and
 * lib/, and `render` as its dist/manifests.
 */
function prepare(clone: string, render: string): void {
  fs.mkdirSync(path.join(clone, 'dist'), { recursive: true });
  fs.cpSync(render, path.join(clone, 'dist', 'manifests'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'hack/render/guard.sh'), path.join(clone, 'hack/render/guard.sh'));
  fs.copyFileSync(path.join(REPO, 'hack/lib/common.sh'), path.join(clone, 'hack/lib/common.sh'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(clone, 'node_modules'));
  fs.rmSync(path.join(clone, 'lib'), { recursive: true, force: true });
  fs.symlinkSync(path.join(REPO, 'lib'), path.join(clone, 'lib'));
}

describe('GIVEN hack/render/guard.sh in a clone of main alone (no rendered branch in it)', () => {
  let tmp: string;
  let render: string;
  /** origin: a repository with this checkout's HEAD as main and the render published as rendered. */
  let origin: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    render = path.join(tmp, 'render');
    renderOnce(render);
    origin = path.join(tmp, 'origin');
    git(tmp, 'clone', '-q', '--no-local', '--single-branch', REPO, origin);
    const publish = run('node', [path.join(REPO, 'lib/cli/main.js'), 'publish', '--source', render, '--repo', origin, '--branch', 'rendered'], origin);
    if (publish.status !== 0) throw new Error(`publish: ${publish.stderr}`);
  }, 10 * MINUTES);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('WHEN origin has the rendered branch THEN the guard fetches it and compares the render with it', () => {
    const clone = path.join(tmp, 'fetching');
    git(tmp, 'clone', '-q', '--single-branch', '--branch', 'main', origin, clone);
    expect(git(clone, 'branch', '-a')).not.toContain('rendered');
    prepare(clone, render);

    const r = run('bash', ['hack/render/guard.sh'], clone);

    expect(r.stderr).toContain('diff-rendered: dist/manifests against origin/rendered');
    expect(r.stdout).toMatch(/^0 added, 0 removed, 0 changed, \d+ unchanged$/m);
    expect(r.status).toBe(0);
  });

  test('WHEN no remote has it THEN the guard renders the commit before HEAD and compares with that', () => {
    const clone = path.join(tmp, 'history');
    git(tmp, 'clone', '-q', '--single-branch', '--branch', 'main', origin, clone);
    git(clone, 'remote', 'remove', 'origin');
    // One more commit on top of main that changes no source: its render is the render of HEAD^.
    git(clone, 'commit', '-q', '--allow-empty', '-m', 'a commit that changes nothing rendered');
    const before = git(clone, 'rev-parse', '--short', 'HEAD^');
    prepare(clone, render);

    const r = run('bash', ['hack/render/guard.sh'], clone);

    expect(r.stderr).toContain(`against the render of the commit before this one, ${before}`);
    expect(r.stdout).toMatch(/^0 added, 0 removed, 0 changed, \d+ unchanged$/m);
    expect(r.status).toBe(0);
  }, 5 * MINUTES);

  test('WHEN there is neither a rendered branch nor a commit before HEAD THEN the guard fails and says what is missing', () => {
    const clone = path.join(tmp, 'shallow');
    git(tmp, 'clone', '-q', '--depth=1', '--single-branch', '--branch', 'main', `file://${origin}`, clone);
    git(clone, 'remote', 'remove', 'origin');
    prepare(clone, render);

    const r = run('bash', ['hack/render/guard.sh'], clone);

    expect(r.status).toBe(1);
    expect(r.stderr).toContain('diff-rendered: ERROR: no branch rendered (nor origin/rendered) and no commit before HEAD to compare the render with');
  });
});
