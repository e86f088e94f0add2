// What the shop suite asks of the shop's own app, run in one of its pods with `kubectl exec` (the app's
// Python, settings and connections, so nothing is reached that the pod could not reach): a user for the
// API, long tasks sent through Redis, and the runs of those tasks the workers recorded in the database.
import { kubectl } from './kube';

const SECOND = 1000;

/** A container that runs the shop's app (a backend pod's). */
export interface AppContainer {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** One finished run of shop.tasks.work, as the task recorded it (shop.models.TaskRun). */
export interface TaskRun {
  readonly taskId: string;
  readonly worker: string;
  readonly redelivered: boolean;
}

/** What became of the tasks sent: done (ran at least once), lost (never finished), and how they ran. */
export interface TaskTally {
  readonly sent: number;
  readonly done: number;
  readonly lost: string[];
  /** Tasks with a run that Redis handed out again (kombu marks a restored message redelivered). */
  readonly redelivered: number;
  /** Tasks that finished more than once. */
  readonly ranTwice: number;
}

async function python(c: AppContainer, what: string, code: string, args: string[] = []): Promise<string> {
  const r = await kubectl(['exec', '-n', c.namespace, c.pod, '-c', c.container, '--', 'python', '-c', code, ...args], { timeoutMs: 60 * SECOND });
  if (r.code !== 0) throw new Error(`${what} in ${c.namespace}/${c.pod} failed (exit ${r.code}): ${r.stderr.slice(-800)}`);
  return r.stdout.trim();
}

/** Makes a superuser (HTTP Basic works for it on the API) with manage.py createsuperuser. */
export async function createSuperuser(c: AppContainer, username: string, password: string): Promise<void> {
  const r = await kubectl(['exec', '-n', c.namespace, c.pod, '-c', c.container, '--', 'env', `DJANGO_SUPERUSER_PASSWORD=${password}`,
    'python', 'manage.py', 'createsuperuser', '--noinput', '--username', username, '--email', `${username}@example.com`], { timeoutMs: 60 * SECOND });
  if (r.code !== 0) throw new Error(`manage.py createsuperuser ${username} in ${c.namespace}/${c.pod} failed (exit ${r.code}): ${r.stderr.slice(-400)}`);
}

/** Sends `count` shop.tasks.work tasks of the batch, each sleeping `seconds`, to the default queue; resolves with their ids. */
export async function sendWork(c: AppContainer, batch: string, count: number, seconds: number): Promise<string[]> {
  const out = await python(c, 'sending shop.tasks.work', [
    'import json, sys',
    'from shop.celery import app',
    'batch, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])',
    'print(json.dumps([app.send_task("shop.tasks.work", args=[batch, seconds]).id for _ in range(count)]))',
  ].join('\n'), [batch, String(count), String(seconds)]);
  const ids = JSON.parse(out.split('\n').pop() ?? '[]') as string[];
  if (ids.length !== count) throw new Error(`sent ${ids.length} tasks of ${count}: ${out}`);
  return ids;
}

/** The runs of the batch's tasks that finished, from the database. */
export async function finishedRuns(c: AppContainer, batch: string): Promise<TaskRun[]> {
  const out = await python(c, 'reading the TaskRun rows', [
    'import json, sys, django',
    'django.setup()',
    'from shop.models import TaskRun',
    'rows = TaskRun.objects.filter(batch=sys.argv[1]).values_list("task_id", "worker", "redelivered")',
    'print(json.dumps([{"taskId": t, "worker": w, "redelivered": r} for t, w, r in rows]))',
  ].join('\n'), [batch]);
  return JSON.parse(out.split('\n').pop() ?? '[]') as TaskRun[];
}

export function tallyTasks(sent: string[], runs: TaskRun[]): TaskTally {
  const runsOf = new Map<string, number>();
  for (const r of runs) runsOf.set(r.taskId, (runsOf.get(r.taskId) ?? 0) + 1);
  const lost = sent.filter((id) => !runsOf.has(id));
  return {
    sent: sent.length,
    done: sent.length - lost.length,
    lost,
    redelivered: new Set(runs.filter((r) => r.redelivered && sent.includes(r.taskId)).map((r) => r.taskId)).size,
    ranTwice: sent.filter((id) => (runsOf.get(id) ?? 0) > 1).length,
  };
}
