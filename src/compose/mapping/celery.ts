// Maps Celery: the broker (Redis or RabbitMQ, from the broker URL or the services), one worker queue per
// -Q queue with its concurrency, time limits and options, and beat; or, without workers, why none runs.
import { BrokerKind, BrokerTransportSecurity } from '../../workloads/celery-broker';
import { CeleryExecutionPool, CONCURRENCY_RANGE } from '../../workloads/celery-execution-pool';
import { QueuePriority } from '../../workloads/celery-worker-pool';
import { flag, option, otherOptions } from '../commands';
import { ServiceEnv } from '../compose';
import { urlsIn } from '../hosts';
import { KeyStatus } from '../report';
import { Classified } from '../roles';
import { quoteArgv } from '../shell';
import { durationSeconds } from '../units';
import { BeatProps, BrokerProps, finished, Draft, QueueProps, WorkersProps } from './chart-props';
import { A, BROKER_VARS, C, D, MappingContext } from './context';
import { DEFAULT_SIZES, graceOf, healthKeys, healthOf, replicasOf, resourcesOf } from './sizing';
import { intOf, isObject, uniq } from './values';

/**
 * Beat's liveness reads a heartbeat file that the app-side kit's configure(app) makes whichever scheduler
 * beat runs touch (django-celery-beat's too), so the one thing the import cannot see is that call.
 */
const BEAT_HEARTBEAT_TODO = 'Give beat its heartbeat (README, "Celery beat"): k8s_topology_celery.configure(app) makes whichever scheduler beat runs touch it on every tick; until then beat.liveness: CeleryLiveness.NONE.';

export function priorityOf(queue: string): QueuePriority {
  if (/(^|[-_])(high|urgent|priority|critical|realtime|notif|notifications|email|mail)([-_]|$)/i.test(queue)) return QueuePriority.HIGH;
  if (/(^|[-_])(low|bulk|batch|reports?|exports?|backfill|scan|cleanup|maintenance|slow)([-_]|$)/i.test(queue)) return QueuePriority.LOW;
  return QueuePriority.NORMAL;
}

export function brokerProps(ctx: MappingContext): BrokerProps {
  const vars = ctx.appCodeServices().flatMap((c) => c.service.environment.filter((e) => BROKER_VARS.includes(e.name)).map((e) => ({ c, e })));
  const text = (e: ServiceEnv) => `${e.template?.raw ?? ''} ${e.value ?? ''}`;
  const urls = vars.flatMap(({ e }) => urlsIn(text(e)));
  let kind: 'REDIS' | 'RABBITMQ' | undefined;
  let why = '';
  const url = urls.find((u) => /^(redis|rediss|amqp|amqps|pyamqp|librabbitmq)$/.test(u.scheme));
  if (url) {
    kind = url.scheme.startsWith('redis') ? 'REDIS' : 'RABBITMQ';
    why = `${vars[0].e.name} is a ${url.scheme}:// URL`;
  } else if (ctx.ofRole('rabbitmq').length) {
    kind = 'RABBITMQ';
    why = `the compose file runs RabbitMQ (${ctx.ofRole('rabbitmq')[0].service.name})`;
  } else if (ctx.ofRole('redis').length) {
    kind = 'REDIS';
    why = `the compose file runs Redis (${ctx.ofRole('redis')[0].service.name}) and names no other broker`;
  } else {
    kind = 'REDIS';
    why = 'no broker found; Redis is assumed';
    ctx.addTodo('Celery', 'No Celery broker found in the compose file: the generated app assumes Redis; check `broker` in main.ts.');
  }
  const brokerService = (url && ctx.byName.get(url.host)) ?? ctx.ofRole(kind === 'REDIS' ? 'redis' : 'rabbitmq')[0];
  const owner = brokerService?.service.name ?? ctx.backend.service.name;
  const props: Draft<BrokerProps> = { kind: BrokerKind[kind], secretName: ctx.brokerSecret };
  ctx.brokerKind = kind;
  if (kind === 'RABBITMQ') {
    for (const c of ctx.appCodeServices()) {
      ctx.addSecret(ctx.brokerSecret, 'broker-url', 'CELERY_BROKER_URL', c.service.name, 'the AMQP URL of the managed RabbitMQ with user, password and vhost (amqps:// for TLS), which Celery and KEDA read');
    }
    if (url?.scheme === 'pyamqp' || url?.scheme === 'librabbitmq') {
      ctx.addTodo('Celery', `The compose broker URL was ${url.scheme}://: put an amqp:// (or amqps://) URL into ${ctx.brokerSecret}/broker-url, which KEDA reads too.`);
    }
  } else {
    // Celery's URL is composed in the pod from the keys KEDA reads: redis[s]://$(CELERY_BROKER_ADDRESS)/<db>.
    for (const c of ctx.appCodeServices()) {
      ctx.addSecret(ctx.brokerSecret, 'redis-address', 'CELERY_BROKER_ADDRESS', c.service.name, 'host:port of the managed Redis broker, which Celery and KEDA read');
    }
    const user = url?.user !== undefined && url.user !== '' && url.user !== 'default';
    const password = (url?.password !== undefined && url.password !== '') || ctx.appCodeServices().some((c) => c.service.environment.some((e) => e.name === 'REDIS_PASSWORD'));
    if (user) {
      props.redisUsernameKey = 'redis-username';
      for (const c of ctx.appCodeServices()) ctx.addSecret(ctx.brokerSecret, 'redis-username', 'CELERY_BROKER_USER', c.service.name, 'the Redis ACL user, which Celery and KEDA read');
    }
    if (password) {
      props.redisPasswordKey = 'redis-password';
      for (const c of ctx.appCodeServices()) ctx.addSecret(ctx.brokerSecret, 'redis-password', 'CELERY_BROKER_PASSWORD', c.service.name, 'the Redis password, which Celery and KEDA read');
    }
    if (user || password) {
      ctx.addTodo('Celery', 'Pass CELERY_BROKER_USER and CELERY_BROKER_PASSWORD to Celery as broker_user and broker_password (k8s_topology_celery.configure(app) does): the broker URL no longer carries them.');
    }
    const db = url ? /^\/([0-9]+)/.exec(url.rest)?.[1] : undefined;
    if (db !== undefined && db !== '0') props.redisDatabaseIndex = Number(db);
    if (url?.scheme === 'rediss') {
      props.transportSecurity = BrokerTransportSecurity.TLS;
      ctx.addTodo('Celery', 'The broker is rediss://: set broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_REQUIRED} in the Celery configuration (kombu does not verify certificates by default).');
    }
    ctx.brokerUrlNote = `composed by the chart: ${url?.scheme === 'rediss' ? 'rediss' : 'redis'}://$(CELERY_BROKER_ADDRESS)/${db ?? '0'} from ${ctx.brokerSecret}/redis-address${password ? ', with the password in CELERY_BROKER_PASSWORD' : ''}, the same keys KEDA reads`;
    void owner;
  }
  ctx.comment('broker', `Celery broker: ${kind === 'REDIS' ? 'Redis' : 'RabbitMQ'} (${why}).${brokerService ? ` Compose ran it as ${brokerService.service.name}; it runs outside the cluster now.` : ''}`);
  if (brokerService) ctx.brokerServiceName = brokerService.service.name;
  return finished(props);
}

export function workersProps(ctx: MappingContext): WorkersProps {
  const queues: QueueProps[] = [];
  const seen = new Map<string, string>();
  const valued = ['-A', '--app', '-Q', '--queues', '-c', '--concurrency', '-l', '--loglevel', '-n', '--hostname', '-P', '--pool', '--time-limit', '--soft-time-limit', '--autoscale',
    '--max-tasks-per-child', '--max-memory-per-child', '-O', '--prefetch-multiplier', '-X', '--exclude-queues', '--pidfile', '--logfile', '-f', '-s', '--schedule', '-b', '--broker',
    '--statedb', '-S', '--scheduler', '--uid', '--gid', '--workdir'];
  const handled = ['-A', '--app', '-Q', '--queues', '-c', '--concurrency', '-P', '--pool', '--autoscale', '--time-limit', '--soft-time-limit', '-n', '--hostname',
    '--prefetch-multiplier', '--without-gossip', '--without-mingle', '-B', '--beat', '-l', '--loglevel'];
  // Options a pod cannot use: files, users, daemonizing, purging the queue at every start.
  const never = ['--detach', '-D', '--pidfile', '--logfile', '-f', '--uid', '--gid', '--purge', '--discard', '--statedb', '-X', '--exclude-queues', '--workdir', '-b', '--broker'];
  const workers = ctx.ofRole('celery-worker');
  const extraOf = new Map<Classified, string[][]>();
  for (const c of workers) {
    const a = c.analysis.commands.find((x) => x.kind === 'celery-worker')!.argv;
    const groups: string[][] = [];
    for (const opt of otherOptions(a, handled, valued)) {
      const [name, value] = opt.includes(' ') ? [opt.slice(0, opt.indexOf(' ')), opt.slice(opt.indexOf(' ') + 1)] : opt.split(/=(.*)/s, 2);
      if (never.includes(name)) continue;
      groups.push(value === undefined ? [name] : name.startsWith('--') ? [`${name}=${value}`] : [name, value]);
    }
    const level = option(a, ['-l'], ['--loglevel']);
    if (level && level.toLowerCase() !== 'info') groups.push([`--loglevel=${level.toUpperCase()}`]);
    extraOf.set(c, groups);
  }
  // The pool's extraArgs reach every queue: only options every worker had are carried.
  const key = (g: string[]) => g.join(' ');
  const everyWorkerHas = (g: string[]) => workers.every((w) => extraOf.get(w)!.some((x) => key(x) === key(g)));
  const common = workers.length ? extraOf.get(workers[0])!.filter(everyWorkerHas) : [];
  for (const g of common) ctx.podOf('workers').extraArgs.push(...g);

  for (const c of workers) {
    const o = ctx.out(c);
    ctx.need(c, 'command');
    ctx.need(c, 'entrypoint');
    const a = c.analysis.commands.find((x) => x.kind === 'celery-worker')!.argv;
    const notes: string[] = [];
    let status: KeyStatus = C;
    const names = (option(a, ['-Q'], ['--queues']) ?? 'celery').split(',').map((q) => q.trim()).filter(Boolean);
    let concurrency = intOf(option(a, ['-c'], ['--concurrency']));
    const autoscale = option(a, [], ['--autoscale']);
    if (concurrency === undefined && autoscale) {
      concurrency = intOf(autoscale.split(',')[0]);
      notes.push(`--autoscale ${autoscale} becomes --concurrency=${concurrency}: KEDA adds pods instead of processes`);
      status = A;
    }
    if (concurrency === undefined) {
      notes.push('no --concurrency (Celery would start one process per CPU of the node): 2 per pod, the chart\'s default');
      status = A;
    }
    const poolName = option(a, ['-P'], ['--pool']);
    const pool = poolName === undefined ? undefined : Object.values(CeleryExecutionPool).find((p) => p === poolName.toLowerCase());
    if (poolName !== undefined && !pool) {
      notes.push(`--pool ${poolName} is not a pool the chart runs (${Object.values(CeleryExecutionPool).join(', ')}): prefork is used`);
      status = A;
    }
    const [least, most] = CONCURRENCY_RANGE[pool ?? CeleryExecutionPool.PREFORK];
    if (concurrency !== undefined && (concurrency < least || concurrency > most)) {
      notes.push(`--concurrency ${concurrency} is outside ${least}-${most} for the ${pool ?? 'prefork'} pool; ${pool === CeleryExecutionPool.SOLO ? 1 : 2} is used`);
      concurrency = undefined;
      status = A;
    }
    let timeLimit = intOf(option(a, [], ['--time-limit']));
    const soft = intOf(option(a, [], ['--soft-time-limit']));
    if (timeLimit === undefined) {
      const env = c.service.environment.find((e) => e.name === 'CELERY_TASK_TIME_LIMIT' || e.name === 'CELERYD_TASK_TIME_LIMIT');
      if (env?.value && intOf(env.value)) timeLimit = intOf(env.value);
    }
    if (timeLimit === undefined) {
      notes.push('no --time-limit: 300 s per task (the chart requires a limit; set taskTimeLimitSeconds to the longest task)');
      status = A;
      ctx.addTodo('Celery', 'Set taskTimeLimitSeconds of the queues of these workers to their longest task (compose gave them no --time-limit; 300 s is used).', [c.service.name]);
    }
    if (flag(a, ['-B', '--beat'])) notes.push('-B (embedded beat) is not carried: beat runs once, as its own Deployment');
    const mine = extraOf.get(c)!;
    const carried = mine.filter((g) => common.some((x) => key(x) === key(g)));
    const perQueue = mine.filter((g) => !common.some((x) => key(x) === key(g)));
    const skipped = otherOptions(a, handled, valued).filter((opt) => never.includes(opt.split(/[ =]/)[0]));
    if (carried.length) notes.push(`workers.extraArgs ${carried.map((g) => g.join(' ')).join(' ')} (every worker had ${carried.length > 1 ? 'them' : 'it'})`);
    if (perQueue.length) {
      notes.push(`not carried: ${perQueue.map((g) => g.join(' ')).join(' ')} (only this worker had ${perQueue.length > 1 ? 'them' : 'it'}, and the pool's extraArgs reach every queue)`);
      status = A;
      ctx.needProp('CeleryQueueProps.extraArgs', 'worker options that only some queues had in compose', c.service.name);
      if (perQueue.some((g) => /^--max-(tasks|memory)-per-child/.test(g[0]))) {
        ctx.addTodo('Celery', 'These workers passed --max-tasks-per-child or --max-memory-per-child, which no queue carries: set worker_max_tasks_per_child / worker_max_memory_per_child in the Celery configuration; the memory limit restarts a leaking worker anyway.', [c.service.name]);
      }
    }
    if (skipped.length) {
      notes.push(`dropped: ${skipped.join(' ')} (files, users or daemonizing have no place in a pod)`);
      status = A;
    }
    if (names.length > 1) {
      notes.push(`one worker consumed ${names.join(', ')}: now one Deployment per queue, each scaled by KEDA on its own length`);
      status = A;
    }
    const { resources, gpus } = resourcesOf(ctx, c, 'worker', `workers.queues[${queues.length}]`);
    const replicas = replicasOf(ctx, c);
    for (const k of ['scale', 'deploy.replicas']) {
      if ((k === 'scale' && c.service.spec.scale !== undefined) || (k === 'deploy.replicas' && isObject(c.service.spec.deploy) && c.service.spec.deploy.replicas !== undefined)) {
        o.set(k, C, `minReplicas ${replicas} per queue; KEDA scales up to ${Math.max(10, replicas ?? 1)} on the queue length`);
      }
    }
    const grace = c.service.spec.stop_grace_period !== undefined ? (ctx.need(c, 'stop_grace_period'), durationSeconds(c.service.spec.stop_grace_period)) : undefined;
    const created: string[] = [];
    for (const q of names) {
      const previous = seen.get(q);
      if (previous) {
        notes.push(`queue ${q} is already served by ${previous}`);
        status = A;
        continue;
      }
      seen.set(q, c.service.name);
      // The chart derives the object name from the Celery queue name.
      const objectName = q.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      const queue: Draft<QueueProps> = {
        name: q,
        priority: priorityOf(q),
        pool: pool === CeleryExecutionPool.PREFORK ? undefined : pool,
        concurrency,
        taskTimeLimitSeconds: timeLimit,
        softTimeLimitSeconds: soft !== undefined && timeLimit !== undefined && soft <= timeLimit ? soft : undefined,
        minReplicas: replicas !== undefined && replicas !== 1 ? replicas : undefined,
        maxReplicas: replicas !== undefined && replicas > 10 ? replicas : undefined,
        resources: gpus ? { ...resources, extendedResources: { 'nvidia.com/gpu': String(gpus) } } : { ...resources },
      };
      const limit = timeLimit ?? 300;
      if (grace !== undefined) {
        if (grace > limit) queue.terminationGracePeriodSeconds = grace;
        o.set('stop_grace_period', grace > limit ? C : A, grace > limit
          ? `terminationGracePeriodSeconds ${grace} (longer than the ${limit} s task limit, so a warm shutdown finishes the task)`
          : `compose gave ${grace} s, not longer than the ${limit} s task limit: the chart uses ${limit + 30} s so a warm shutdown can finish the running task`);
      }
      if (gpus) queue.nodePool = 'gpu';
      ctx.comment(`workers.queues[${queues.length}]`, `compose service ${c.service.name}: ${quoteArgv(a)}`);
      if (gpus) ctx.comment(`workers.queues[${queues.length}].nodePool`, 'GPU worker: the node pool "gpu" (nodes labelled node-pool=gpu and tainted node-pool=gpu:NoSchedule, with the NVIDIA device plugin).');
      queues.push(finished(queue));
      created.push(`worker-${objectName}`);
    }
    if (gpus) {
      const gpuKey = isObject(c.service.spec.deploy) && isObject(c.service.spec.deploy.resources) ? 'deploy.resources' : c.service.spec.gpus !== undefined ? 'gpus' : 'runtime';
      const prev = ctx.out(c).keys.get(gpuKey);
      ctx.out(c).set(gpuKey, prev?.status === A ? A : C,
        `${prev ? `${prev.detail}; ` : ''}${gpus} GPU: requests and limits nvidia.com/gpu: ${gpus} on the node pool gpu (its nodeSelector and toleration)`);
      if (c.service.spec.gpus !== undefined && gpuKey !== 'gpus') o.set('gpus', C, `nvidia.com/gpu: ${gpus} on the node pool gpu (see deploy.resources)`);
      if (c.service.spec.runtime !== undefined && gpuKey !== 'runtime') o.set('runtime', C, 'the NVIDIA device plugin of the GPU node pool provides the runtime');
      ctx.addTodo('Cluster', 'Provide a GPU node pool: nodes labelled node-pool=gpu, tainted node-pool=gpu:NoSchedule, with the NVIDIA device plugin.', [c.service.name]);
    }
    const cmdKey = c.service.spec.command !== undefined ? 'command' : 'entrypoint';
    o.set(cmdKey, status, `Celery worker of ${names.join(', ')}${pool && pool !== CeleryExecutionPool.PREFORK ? ` on the ${pool} pool` : ''}${concurrency ? ` with concurrency ${concurrency}` : ''}${timeLimit ? `, time limit ${timeLimit} s` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`);
    if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
    const h = healthOf(ctx, c);
    if (h) {
      healthKeys(ctx, c, [A, `${h.form} ${JSON.stringify(h.text)} is replaced by the heartbeat-file liveness probe (no broker call: a probe through the broker restarts healthy workers when the broker is slow)`],
        [A, 'the heartbeat probe has its own timings (every heartbeat interval, 3 failures)']);
    }
    ctx.addTodo('Celery', 'Run the Celery app on the worker contract (README, "Celery worker contract"): k8s_topology_celery.configure(app), or by hand the heartbeat bootstep that touches CELERY_WORKER_HEARTBEAT_FILE and CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST, CELERY_WORKER_PREFETCH_MULTIPLIER mapped onto the configuration. Until then, workers.liveness: CeleryLiveness.NONE keeps the pods from being restarted for a missing heartbeat.', [c.service.name]);
    ctx.addTodo('Celery', 'Make every task idempotent: with acks_late a task interrupted by a scale-down or a memory kill runs again.', [c.service.name]);
    ctx.becomes.set(c.service.name, created.length ? `${created.join(', ')}: a Deployment, KEDA ScaledObject and PodDisruptionBudget per queue` : 'nothing (its queues are served by other workers)');
  }
  return { queues };
}

export function beatProps(ctx: MappingContext): BeatProps | undefined {
  const beats = ctx.ofRole('celery-beat');
  const c = beats[0];
  const props: Draft<BeatProps> = {};
  if (!c) {
    // Without a beat service, beat runs only when a worker embedded it (-B); otherwise the app has none.
    const embedded = ctx.ofRole('celery-worker').find((w) => w.analysis.commands.some((x) => x.kind === 'celery-worker' && flag(x.argv, ['-B', '--beat'])));
    if (!embedded) return undefined;
    props.resources = { ...DEFAULT_SIZES.beat };
    ctx.addTodo('Celery', BEAT_HEARTBEAT_TODO, [embedded.service.name]);
    ctx.comment('beat', `compose ran beat inside the worker ${embedded.service.name} (-B); it runs once, as its own Deployment.`);
    return finished(props);
  }
  const o = ctx.out(c);
  ctx.need(c, 'command');
  const cmd = c.analysis.commands.find((x) => x.kind === 'celery-beat')!;
  const a = cmd.argv;
  const notes: string[] = [];
  let status: KeyStatus = C;
  const scheduler = option(a, ['-S'], ['--scheduler']);
  if (scheduler) {
    props.scheduler = scheduler;
    notes.push(`beat.scheduler ${scheduler}`);
  }
  ctx.addTodo('Celery', BEAT_HEARTBEAT_TODO, [c.service.name]);
  if (option(a, ['-s'], ['--schedule'])) notes.push('the schedule file is /tmp/celerybeat-schedule (the root filesystem is read-only)');
  const valued = ['-A', '--app', '-l', '--loglevel', '-S', '--scheduler', '-s', '--schedule', '--pidfile', '--max-interval', '-b', '--broker', '--logfile', '-f', '--uid', '--gid', '--workdir'];
  const rest = otherOptions(a, ['-A', '--app', '-l', '--loglevel', '-S', '--scheduler', '-s', '--schedule', '--pidfile'], valued);
  const dropped = rest.filter((r) => /^(--max-interval|--logfile|-f|--uid|--gid|--detach|--workdir|-b|--broker)\b/.test(r));
  const carried = rest.filter((r) => !dropped.includes(r));
  if (carried.length) {
    ctx.podOf('beat').extraArgs.push(...carried.flatMap((r) => (r.startsWith('--') ? [r.replace(' ', '=')] : r.split(' '))));
    notes.push(`beat.extraArgs ${carried.join(' ')}`);
  }
  if (dropped.length) {
    notes.push(`not carried: ${dropped.join(' ')} (the chart sets --max-interval for the heartbeat; files and users have no place in a pod)`);
    status = A;
  }
  const level = option(a, ['-l'], ['--loglevel']);
  if (level && level.toLowerCase() !== 'info') ctx.podOf('beat').extraArgs.push(`--loglevel=${level.toUpperCase()}`);
  if (c.analysis.wrappers.length) {
    notes.push(`wrappers dropped: ${c.analysis.wrappers.join('; ')}`);
    status = A;
  }
  const cmdKey = c.service.spec.command !== undefined ? 'command' : 'entrypoint';
  o.set(cmdKey, status, `Celery beat: one replica, Recreate strategy, never two at once${notes.length ? `; ${notes.join('; ')}` : ''}`);
  if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
  const n = replicasOf(ctx, c);
  for (const key of ['scale', 'deploy.replicas']) {
    if ((key === 'scale' && c.service.spec.scale !== undefined) || (key === 'deploy.replicas' && isObject(c.service.spec.deploy) && c.service.spec.deploy.replicas !== undefined)) {
      o.set(key, n === 1 ? C : A, n === 1 ? 'one replica' : `beat runs exactly once (compose had ${n}): two beats send every periodic task twice`);
    }
  }
  const g = graceOf(ctx, c, 0, 'beat');
  if (g !== undefined) {
    if (g <= 3600) props.terminationGracePeriodSeconds = g;
    else o.set('stop_grace_period', A, `compose gave ${g} s; beat's grace period is at most 3600 s, the chart's default (30 s) applies`);
  }
  const h = healthOf(ctx, c);
  if (h) healthKeys(ctx, c, [A, `${h.form} ${JSON.stringify(h.text)} is replaced by the heartbeat-file liveness probe: beat's scheduler touches the file on every tick`], [A, 'the heartbeat probe has its own timings (three heartbeat intervals)']);
  props.resources = resourcesOf(ctx, c, 'beat', 'beat').resources;
  ctx.comment('beat', `compose service ${c.service.name}: ${quoteArgv(a)}`);
  ctx.becomes.set(c.service.name, 'beat: Deployment with 1 replica, Recreate');
  for (const extra of beats.slice(1)) {
    ctx.out(extra).set(extra.service.spec.command !== undefined ? 'command' : 'entrypoint', D, `a second beat (besides ${c.service.name}) would send every periodic task twice`);
    ctx.becomes.set(extra.service.name, 'nothing (beat runs once)');
  }
  return finished(props);
}

/**
 * A compose file without Celery workers gives an app without broker, workers and beat. A beat service without a worker
 * is not run (nothing would run its periodic tasks), and a broker variable is reported.
 */
export function withoutCelery(ctx: MappingContext): undefined {
  for (const c of ctx.ofRole('celery-beat')) {
    ctx.out(c).set(c.service.spec.command !== undefined ? 'command' : 'entrypoint', D, 'Celery beat without a worker: the chart runs beat only with workers, since nothing else would run its periodic tasks');
    ctx.becomes.set(c.service.name, 'nothing (beat without workers)');
    ctx.addTodo('Celery', 'The compose file runs Celery beat but no worker: the generated app runs neither. Add the workers (and beat, broker and celeryApp) to main.ts if the periodic tasks must run.', [c.service.name]);
  }
  const brokerVars = ctx.appCodeServices()
    .flatMap((c) => c.service.environment.filter((e) => BROKER_VARS.includes(e.name)).map((e) => [c.service.name, e.name]));
  if (brokerVars.length) {
    ctx.addTodo('Celery', `The compose file sets ${uniq(brokerVars.map(([, n]) => n)).join(', ')} but runs no Celery worker: the generated app has no broker, workers or beat, and passes the variable on as a setting. If workers run elsewhere, set broker in main.ts (the web tier then gets the broker variables).`, uniq(brokerVars.map(([s]) => s)));
  }
  return undefined;
}
