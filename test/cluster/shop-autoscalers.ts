// What the shop suite's autoscaler tests do inside the real pods: queue Celery tasks from a backend
// pod (the app's own client, through the broker the render names), read a queue's length on the
// Redis test host, and burn CPU in a pod for a bounded time, so that metrics-server measures it.
import { kubectl, KubeObject, run, RunResult, sleep } from './kube';

const SECOND = 1000;
/** The file whose presence ends the CPU loops early (/tmp is the pods' emptyDir, the root is read-only). */
const STOP_FILE = '/tmp/cluster-suite-stop-cpu-load';

function exec(pod: KubeObject, command: string[], timeoutMs: number): Promise<RunResult> {
  return kubectl(['exec', '-n', pod.metadata.namespace, pod.metadata.name, '-c', pod.spec.containers[0].name, '--', ...command], { timeoutMs });
}

/** Sends `count` tasks by name through the app's Celery client in the pod (its routes pick the queue); returns their ids. */
export async function sendTasks(pod: KubeObject, celeryApp: string, task: string, count: number): Promise<string[]> {
  const sent = await exec(pod, ['python', '-c', [
    `from ${celeryApp} import app`,
    `for i in range(${count}): print(app.send_task("${task}", args=[f"suite-{i}"]).id)`,
  ].join('\n')], 60 * SECOND);
  if (sent.code !== 0) throw new Error(`sending ${count} ${task} tasks from ${pod.metadata.name} failed (exit ${sent.code}): ${sent.stderr.slice(-600)}`);
  const ids = sent.stdout.trim().split('\n');
  if (ids.length !== count || !ids.every((id) => /^[0-9a-f-]{36}$/.test(id))) throw new Error(`expected ${count} task ids; got: ${sent.stdout.slice(0, 400)}`);
  return ids;
}

/** LLEN of a Redis list, on the broker at `address` (host:port, the Secret's redis-address). */
export async function listLength(address: string, list: string, db = 0): Promise<number> {
  const [host, port] = address.split(':');
  const r = await run('redis-cli', ['-h', host, '-p', port, '-n', String(db), 'LLEN', list], { timeoutMs: 10 * SECOND });
  const n = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(n)) throw new Error(`redis-cli LLEN ${list} on ${address}: exit ${r.code}: ${r.stdout}${r.stderr}`);
  return n;
}

/**
 * Keeps one CPU busy in each pod (a Python loop in its first container) until `stop()`, or for
 * `maxSeconds` at most. The loops run as `kubectl exec` children of the test; each ends on its own
 * deadline even if the test dies.
 */
export class CpuLoad {
  private readonly runs: Promise<RunResult>[];

  constructor(private readonly pods: KubeObject[], readonly maxSeconds: number) {
    const loop = [
      'import os, time',
      `end = time.time() + ${maxSeconds}`,
      `while time.time() < end and not os.path.exists("${STOP_FILE}"):`,
      '    sum(i * i for i in range(10000))',
    ].join('\n');
    this.runs = pods.map((p) => exec(p, ['sh', '-c', `rm -f ${STOP_FILE}; exec python -c '${loop}'`], (maxSeconds + 30) * SECOND));
  }

  /** Ends every loop (through the stop file) and waits for them; returns the failures, if any. */
  async stop(): Promise<string[]> {
    await sleep(100);
    for (const p of this.pods) await exec(p, ['touch', STOP_FILE], 30 * SECOND);
    const results = await Promise.all(this.runs);
    for (const p of this.pods) await exec(p, ['rm', '-f', STOP_FILE], 30 * SECOND);
    return results.map((r, i) => (r.code === 0 ? '' : `${this.pods[i].metadata.name}: exit ${r.code} ${r.stderr.slice(-300)}`)).filter(Boolean);
  }
}
