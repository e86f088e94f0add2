// The app as cdk8s synth runs it, in its own ts-node process: an integration test (`npm run test:integration`).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from './render-picvario';

describe('the Picvario app (src/picvario/main.ts), as cdk8s synth and k8s-topology render run it', () => {
  const run = (outdir: string) => spawnSync(path.join(REPO, 'node_modules/.bin/ts-node'), ['--transpile-only', path.join(REPO, 'src/picvario/main.ts')], {
    cwd: REPO, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: outdir },
  });

  test('GIVEN CDK8S_OUTDIR WHEN the app runs THEN it renders every environment and the Argo CD folder there, one line per folder', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'picvario-main-')), 'manifests');
    const result = run(out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['argocd', 'production', 'staging', 'test']);
    expect(result.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(['test', 'staging', 'production', 'argocd']);
  });

  test('GIVEN an output path that cannot be written WHEN the app runs THEN it exits 1 and says the previous render is left', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'picvario-main-')), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const result = run(path.join(file, 'manifests'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^render failed, previous render left as it was: /);
  });
});
