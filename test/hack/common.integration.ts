/**
 * hack/lib/common.sh under the shell options every script sets (set -euo pipefail): the apt
 * helpers must report a missing package as missing, not end the script, since that is the state of
 * every Debian package on a fresh machine. Runs real bash and dpkg-query.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');

function bash(script: string) {
  return spawnSync('bash', ['-c', `set -euo pipefail; source "${REPO}/hack/lib/common.sh"\n${script}`], { encoding: 'utf8', timeout: 30_000 });
}

describe('GIVEN hack/lib/common.sh with set -euo pipefail', () => {
  test('WHEN apt_version asks for a package dpkg has never seen THEN it prints nothing and the script goes on', () => {
    const r = bash('v=$(apt_version picvario-no-such-package); echo "version=[$v]"');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('version=[]');
    expect(r.status).toBe(0);
  });

  test('WHEN apt_version asks for an installed package THEN it prints its version', () => {
    const r = bash('apt_version bash');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9][^\s]*$/);
  });
});
