/**
 * hack/lib/background.sh, which hack/test-all.sh uses to run the Go builds while the suites run:
 * a job's output goes to its log, await fails with a failed job, and stop_background leaves nothing
 * of a job running, grandchildren included. Runs real bash, setsid and sleep.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');

/** Runs a bash script with common.sh and background.sh sourced, logs in `logs`. */
function bash(script: string, logs: string) {
  const prelude = `set -euo pipefail; source "${REPO}/hack/lib/common.sh"; BACKGROUND_LOGS="${logs}"; source "${REPO}/hack/lib/background.sh"\n`;
  return spawnSync('bash', ['-c', prelude + script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TIMED_LOG: '' } });
}

function alive(marker: string): string[] {
  const r = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('GIVEN hack/lib/background.sh', () => {
  let logs: string;
  beforeEach(() => { logs = fs.mkdtempSync(path.join(os.tmpdir(), 'background-')); });
  afterEach(() => fs.rmSync(logs, { recursive: true, force: true }));

  test('WHEN a job succeeds THEN await returns 0, prints its log with the job name, and times the wait', () => {
    const r = bash('background ok bash -c "echo built; sleep 1"; await ok; echo after', logs);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('ok| built');
    expect(r.stderr).toMatch(/time: wait for ok: \d+\.\ds/);
    expect(r.stdout.trim()).toBe('after');
    expect(fs.readFileSync(path.join(logs, 'ok.log'), 'utf8')).toContain('built');
  });

  test('WHEN a job fails THEN await fails the script, naming the job, its exit code and its log', () => {
    const r = bash('background broken bash -c "echo cannot build >&2; exit 3"; await broken; echo not reached', logs);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('not reached');
    expect(r.stderr).toContain('broken| cannot build');
    expect(r.stderr).toContain(`background: ERROR: the background install broken failed (exit 3); its log is above and in ${path.join(logs, 'broken.log')}`);
  });

  test('WHEN the script fails while a job runs THEN the EXIT trap stops the job and everything it started', () => {
    const marker = `background-test-${process.pid}-${Date.now()}`;
    // The job starts a grandchild (a second bash running sleep), as install.sh starts go build.
    const r = bash(`trap stop_background EXIT
background slow bash -c 'bash -c "exec -a ${marker} sleep 300" & wait'
for _ in $(seq 50); do pgrep -f ${marker} >/dev/null && break; sleep 0.1; done
false`, logs);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stopping the background install slow');
    expect(alive(marker)).toEqual([]);
  });

  test('WHEN a job is started with --nice 19 THEN its session runs at nice 19 and the calling script keeps its own priority', () => {
    const autogroup = fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
    const probe = autogroup ? 'cat /proc/self/autogroup' : 'ps -o ni= -p $$';
    const r = bash(`background --nice 19 low bash -c '${probe}'; await low; ${probe}`, logs);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('started in the background: low (nice 19)');
    const job = fs.readFileSync(path.join(logs, 'low.log'), 'utf8');
    if (autogroup) {
      expect(job).toMatch(/autogroup-\d+ nice 19/);
      // The caller's line is empty when it runs in init's session: the kernel prints nothing for
      // that default autogroup. Either way it is not the job's autogroup, and not niced.
      const jobGroup = job.match(/autogroup-\d+ /)![0];
      expect(r.stdout).not.toContain(jobGroup);
      expect(r.stdout).not.toMatch(/nice 19/);
    } else {
      expect(job.trim().split('\n')[0].trim()).toBe('19');
    }
  });

  test('WHEN --nice is given a value outside 0 to 19 THEN background fails before starting anything', () => {
    const r = bash('background --nice 25 never true; echo not reached', logs);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('not reached');
    expect(r.stderr).toContain("--nice takes 0 to 19, got '25'");
    expect(fs.existsSync(path.join(logs, 'never.log'))).toBe(false);
  });

  test('WHEN await names a job that was never started THEN it fails and says so', () => {
    const r = bash('await nothing', logs);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('await nothing: it was never started');
  });
});
