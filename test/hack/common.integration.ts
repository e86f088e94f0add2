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

/**
 * The Debian pins (APT_PINS) name upstream versions; apt_pin_choose picks the revision to install from
 * `apt-cache policy` output. Each case feeds it a recorded-shape policy, so none depends on what
 * Debian's archive serves today.
 */
function policy(pkg: string, installed: string, versions: string[]): string {
  const rows = versions.flatMap((v) => [
    `${v === installed ? ' *** ' : '     '}${v} 500`,
    '        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages',
    ...(v === installed ? ['        100 /var/lib/dpkg/status'] : []),
  ]);
  return [`${pkg}:`, `  Installed: ${installed || '(none)'}`, `  Candidate: ${versions[0] ?? '(none)'}`, '  Version table:', ...rows, ''].join('\n');
}

function choose(pkg: string, pin: string, policyText: string, env: Record<string, string> = {}) {
  return spawnSync('bash', ['-c', `set -euo pipefail; source "${REPO}/hack/lib/common.sh"\napt_pin_choose "$1" "$2"`, 'bash', pkg, pin], {
    encoding: 'utf8', timeout: 30_000, input: policyText, env: { ...process.env, ...env },
  });
}

describe('GIVEN Debian pins by upstream version (APT_PINS in hack/lib/common.sh)', () => {
  test('WHEN the pins are read THEN none names a Debian revision, only an upstream version', () => {
    const r = bash('for p in "${!APT_PINS[@]}"; do echo "$p=${APT_PINS[$p]}"; done');
    expect(r.status).toBe(0);
    const pins = r.stdout.trim().split('\n').sort();
    expect(pins).toEqual([
      'busybox-static=1.35.0', 'conntrack=1.4.7', 'containerd=1.6.20', 'containernetworking-plugins=1.1.1',
      'ipset=7.17', 'iptables=1.8.9', 'mmdebstrap=1.3.5', 'nginx=1.22.1', 'python3=3.11.2', 'rabbitmq-server=3.10.8',
      'redis-server=7.0.15', 'runc=1.1.5', 'shellcheck=0.9.0', 'skopeo=1.9.3', 'umoci=0.4.7',
    ]);
  });

  test.each([
    ['5:7.0.15-1~deb12u10', '7.0.15'],
    ['1.22.1-9+deb12u12', '1.22.1'],
    ['3.10.8-1.1+deb12u1', '3.10.8'],
    ['0.9.0-1', '0.9.0'],
    ['0.9', '0.9'],
    ['1.6.20~ds1-1+deb12u3', '1.6.20'],
    ['1.1.5+ds1-1+deb12u1', '1.1.5'],
    ['1:1.35.0-4+deb12u1+b1', '1.35.0'],
  ])('WHEN apt_upstream reads %s THEN the upstream part is %s', (full, upstream) => {
    const r = bash(`apt_upstream '${full}'`);
    expect(r.stdout.trim()).toBe(upstream);
  });

  test('WHEN apt offers a newer Debian revision of the pinned upstream version THEN that revision is chosen', () => {
    const r = choose('nginx', '1.22.1', policy('nginx', '', ['1.22.1-9+deb12u12', '1.22.1-9+deb12u9']));
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('1.22.1-9+deb12u12');
    expect(r.stderr).toBe('');
  });

  test('WHEN the pinned upstream version is only the second row (installed, with an epoch) THEN it is chosen over a newer upstream', () => {
    const r = choose('redis-server', '7.0.15', policy('redis-server', '5:7.0.15-1~deb12u10', ['5:7.2.4-1~bpo12+1', '5:7.0.15-1~deb12u10']));
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('5:7.0.15-1~deb12u10');
  });

  test('WHEN apt offers only a newer upstream version THEN it fails naming the package, the pin, the offer and the line to change', () => {
    const r = choose('nginx', '1.22.1', policy('nginx', '', ['1.24.0-2+deb13u1']));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nginx: pinned upstream 1.22.1; apt offers 1.24.0-2+deb13u1 (upstream 1.24.0, newer)');
    expect(r.stderr).toContain('APT_PINS[nginx]=1.24.0 in hack/lib/common.sh');
  });

  test('WHEN apt offers only a newer upstream version and APT_PIN_MISMATCH=warn THEN it chooses the offer with a warning', () => {
    const r = choose('nginx', '1.22.1', policy('nginx', '', ['1.24.0-2+deb13u1']), { APT_PIN_MISMATCH: 'warn' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('1.24.0-2+deb13u1');
    expect(r.stderr).toContain('WARNING: installing it anyway (APT_PIN_MISMATCH=warn)');
  });

  test('WHEN apt offers an older upstream version only THEN the message says older', () => {
    const r = choose('shellcheck', '0.9.0', policy('shellcheck', '', ['0.8.0-2']));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('apt offers 0.8.0-2 (upstream 0.8.0, older)');
  });

  test('WHEN apt offers nothing at all THEN it fails even with APT_PIN_MISMATCH=warn, and says to update the package lists', () => {
    for (const env of [{}, { APT_PIN_MISMATCH: 'warn' }] as Record<string, string>[]) {
      const r = choose('rabbitmq-server', '3.10.8', '', env);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('rabbitmq-server: apt offers no version of it (pin: upstream 3.10.8). Run apt-get update');
    }
  });

  test('WHEN an installed package has another revision of the pinned upstream THEN it is accepted; another upstream fails', () => {
    const ok = bash('apt_pin_check_installed nginx 1.22.1-9+deb12u99 && echo accepted');
    expect(ok.stdout.trim()).toBe('accepted');
    const bad = bash('apt_pin_check_installed nginx 1.24.0-1 || echo "rc=$?"');
    expect(bad.stdout.trim()).toBe('rc=1');
    expect(bad.stderr).toContain('nginx: pinned upstream 1.22.1; 1.24.0-1 is installed (upstream 1.24.0)');
  });

  test('WHEN APT_PIN_MISMATCH has a value other than fail or warn THEN apt_ensure refuses it before installing anything', () => {
    const r = spawnSync('bash', ['-c', `set -euo pipefail; source "${REPO}/hack/lib/common.sh"\napt_ensure t bash`], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, APT_PIN_MISMATCH: 'ignore' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('t: ERROR: APT_PIN_MISMATCH=ignore: expected fail or warn');
  });
});
