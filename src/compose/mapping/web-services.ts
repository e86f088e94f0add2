// Maps the Django web servers: the backend and the web services beside it (gunicorn, uvicorn, daphne,
// hypercorn or runserver), with their application, port, server options, probes and sizes.
import { AppServer } from '../../workloads/django-backend';
import { option, otherOptions, positional } from '../commands';
import { KeyStatus } from '../report';
import { Classified } from '../roles';
import { quoteArgv } from '../shell';
import { Draft, EdgeProps, WebServiceProps } from './chart-props';
import { A, C, D, MappingContext, Workload } from './context';
import { djangoModule } from './settings';
import { graceOf, healthKeys, healthOf, listenPorts, probeTimings, resourcesOf, timingsDetail, webReplicas } from './sizing';
import { dnsLabel, intOf } from './values';

/**
 * The props of a Django web server: the backend, or a web service (`webServices[i]`) beside it. A web service
 * keeps daphne (AppServer.DAPHNE, one process per pod); the backend runs daphne and hypercorn as uvicorn.
 */
export function webTierProps(ctx: MappingContext, c: Classified, part: 'backend' | `webServices[${number}]`): Draft<WebServiceProps> {
  const o = ctx.out(c);
  const isBackend = part === 'backend';
  const name = isBackend ? 'backend' : webServiceName(ctx, c);
  const who = isBackend ? 'the backend' : `the web service ${name}`;
  ctx.need(c, 'command');
  ctx.need(c, 'entrypoint');
  const props: Draft<WebServiceProps> = {};
  const cmd = c.analysis.commands.find((x) => ['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'runserver'].includes(x.kind));
  const notes: string[] = [];
  let status: KeyStatus = C;
  let application: string | undefined;
  let server: 'GUNICORN' | 'UVICORN' | 'DAPHNE' = 'GUNICORN';
  let port: number | undefined;
  let workers: number | undefined;
  let timeout: number | undefined;
  if (cmd) {
    const a = cmd.argv;
    const gunicornValued = ['-w', '--workers', '-b', '--bind', '-t', '--timeout', '-k', '--worker-class', '-c', '--config', '--threads', '--max-requests', '--max-requests-jitter',
      '--graceful-timeout', '--keep-alive', '--log-level', '--access-logfile', '--error-logfile', '--chdir', '--user', '--group', '--worker-tmp-dir', '--pythonpath', '-e', '--env',
      '--name', '-n', '--forwarded-allow-ips', '--log-file', '--statsd-host', '--limit-request-line', '--access-logformat', '--worker-connections', '--backlog'];
    const uvicornValued = ['--host', '--port', '--workers', '--uds', '--fd', '--loop', '--http', '--ws', '--lifespan', '--env-file', '--log-config', '--log-level', '--root-path',
      '--limit-concurrency', '--backlog', '--limit-max-requests', '--timeout-keep-alive', '--timeout-graceful-shutdown', '--forwarded-allow-ips', '--app-dir', '-b', '--bind', '-p', '-w',
      '-k', '--worker-class', '-u', '--unix-socket', '--access-log', '--proxy-headers-host'];
    const bindPort = (bind: string | undefined) => {
      const m = bind ? /:([0-9]+)$/.exec(bind) : null;
      return m ? Number(m[1]) : undefined;
    };
    if (cmd.kind === 'gunicorn') {
      application = positional(a, gunicornValued);
      port = bindPort(option(a, ['-b'], ['--bind']));
      workers = intOf(option(a, ['-w'], ['--workers']));
      timeout = intOf(option(a, ['-t'], ['--timeout']));
      const workerClass = option(a, ['-k'], ['--worker-class']);
      if (workerClass && /uvicorn/i.test(workerClass)) {
        server = 'UVICORN';
        status = A;
        notes.push(`gunicorn with ${workerClass} becomes uvicorn --workers (ASGI)`);
      } else if (workerClass && !/sync/.test(workerClass)) {
        status = A;
        notes.push(`worker class ${workerClass} is not carried: the chart runs gunicorn's sync workers`);
      }
      if (option(a, ['-c'], ['--config'])) {
        status = A;
        notes.push(`${option(a, ['-c'], ['--config'])} is not read: its settings are not carried`);
      }
      const rest = otherOptions(a, ['-w', '--workers', '-b', '--bind', '-t', '--timeout', '-k', '--worker-class', '-c', '--config', '--access-logfile', '--forwarded-allow-ips', '--worker-tmp-dir', '--graceful-timeout'], gunicornValued);
      serverExtraArgs(ctx, part, rest, /^(--reload|-D$|--daemon|-p$|--pid|-u$|--user|-g$|--group|--chdir|--certfile|--keyfile|--ca-certs|--check-config|--print-config|--log-file|--error-logfile)/, notes, (a2) => {
        status = a2;
      });
    } else if (cmd.kind === 'uvicorn' || cmd.kind === 'hypercorn' || cmd.kind === 'daphne') {
      server = cmd.kind === 'daphne' && !isBackend ? 'DAPHNE' : 'UVICORN';
      application = cmd.kind === 'daphne' ? [...a].reverse().find((w, i, arr) => !w.startsWith('-') && !(arr[i + 1] ?? '').startsWith('-') && /:/.test(w)) ?? positional(a, uvicornValued) : positional(a, uvicornValued);
      port = intOf(option(a, ['-p'], ['--port'])) ?? bindPort(option(a, ['-b'], ['--bind']));
      workers = intOf(option(a, ['-w'], ['--workers']));
      if (cmd.kind !== 'uvicorn' && server === 'UVICORN') {
        status = A;
        notes.push(`${cmd.kind} becomes uvicorn (the chart's ASGI server)`);
      }
      const rest = otherOptions(a, ['--host', '--port', '--workers', '--proxy-headers', '--forwarded-allow-ips', '--timeout-graceful-shutdown', '-b', '--bind', '-p', '-w'], uvicornValued);
      if (cmd.kind === 'uvicorn') {
        serverExtraArgs(ctx, part, rest, /^(--reload|--uds|--fd|--env-file|--ssl-|--log-config|-u$|--unix-socket)/, notes, (a2) => {
          status = a2;
        });
      } else if (rest.length) {
        status = A;
        notes.push(`not carried: ${rest.join(' ')} (${cmd.kind} options; ${server === 'DAPHNE' ? 'the chart sets daphne\'s' : 'uvicorn runs the app'})`);
      }
      if (server === 'DAPHNE' && workers !== undefined && workers !== 1) {
        status = A;
        notes.push(`daphne runs one process per pod: ${workers} workers are not carried (scale it with replicas)`);
        workers = undefined;
      }
    } else {
      // manage.py runserver
      const addr = a.slice(a.indexOf('runserver') + 1).find((w) => !w.startsWith('-'));
      port = addr ? Number(/([0-9]+)$/.exec(addr)?.[1]) || undefined : 8000;
      status = A;
      notes.push('the development server becomes gunicorn');
    }
  } else {
    status = A;
    notes.push('compose runs the image\'s CMD; the chart runs gunicorn explicitly');
    ctx.addTodo('Django web tier', `${c.service.name} had no command: check ${part}.application and ${part}.server in main.ts against what the image's CMD starts.`, [c.service.name]);
  }
  if (application && !/:/.test(application) && /^[A-Za-z_][\w.]*$/.test(application)) application = `${application}:application`;
  if (!application || !/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(application)) {
    const derived = `${djangoModule(ctx)}.${server === 'GUNICORN' ? 'wsgi' : 'asgi'}:application`;
    if (application) notes.push(`the application ${application} is not "module:attribute"; ${derived} is used`);
    application = derived;
    status = A;
  }
  props.server = AppServer[server];
  props.application = application;
  if (workers === undefined) {
    const wc = c.service.environment.find((e) => e.name === 'WEB_CONCURRENCY' || e.name === 'GUNICORN_WORKERS');
    if (wc?.value && intOf(wc.value)) workers = intOf(wc.value);
  }
  if (workers !== undefined) {
    if (workers < 1 || workers > 64) {
      notes.push(`${workers} server workers is outside 1-64; 4 are used`);
      status = A;
    } else {
      props.serverWorkers = workers;
    }
  }
  const listen = listenPorts(ctx, c);
  port = port ?? listen[0]?.target ?? 8000;
  if (port < 1024) {
    notes.push(`port ${port} needs root; ${who} listens on 8000 (Pod Security restricted)`);
    status = A;
    port = 8000;
  }
  if (port !== 8000) props.port = port;
  ctx.componentNames.set(c.service.name, { name, port });
  if (timeout !== undefined) {
    if (timeout >= 1 && timeout <= 3600) {props.requestTimeoutSeconds = timeout;} else {
      notes.push(`timeout ${timeout} s is outside 1-3600; 60 s is used`);
      status = A;
    }
  }
  const pre = c.analysis.commands.filter((x) => x !== cmd);
  if (pre.length) {
    const manage = pre.filter((x) => x.kind === 'manage');
    if (manage.length) notes.push(`manage.py ${manage.map((x) => x.manage).join(', ')} before the server: run once per release by the jobs instead of at every start`);
    const other = pre.filter((x) => x.kind !== 'manage');
    if (other.length) {
      status = A;
      notes.push(`not run: ${other.map((x) => quoteArgv(x.argv)).join('; ')}`);
    }
  }
  if (c.analysis.wrappers.length) {
    status = A;
    notes.push(`wrappers dropped: ${c.analysis.wrappers.join('; ')} (readiness probes and the jobs' retries replace waiting for dependencies)`);
  }
  const what = `${server.toLowerCase()} ${application} on port ${port}${props.serverWorkers ? ` with ${props.serverWorkers} workers` : ''}`;
  const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
  if (cmdKey) o.set(cmdKey, status, `${what}${notes.length ? `; ${notes.join('; ')}` : ''}`);
  if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so the image entrypoint and this one do not run');
  ctx.comment(part, `compose service ${c.service.name}: ${what}.`);

  // Probes.
  const h = healthOf(ctx, c);
  if (h) {
    if (h.disabled) {
      healthKeys(ctx, c, [A, 'healthcheck disabled in compose; the chart still probes /healthz/ready and /healthz/live'], [D, 'no healthcheck']);
    } else if (h.path) {
      props.readinessPath = h.path;
      healthKeys(ctx, c,
        [A, `${h.form} ${JSON.stringify(h.text)} becomes an HTTP GET ${h.path} readiness probe on the http port (no curl needed in the image); liveness and startup stay on /healthz/live, which the app must answer${h.form === 'CMD-SHELL' ? ' (the shell command was read for its URL)' : ''}`],
        timingsDetail(h, part));
      ctx.addTodo('Django web tier', `Serve GET /healthz/live (200 while the process runs) besides ${h.path}: liveness must not depend on the database, or a slow database restarts every pod.`, [c.service.name]);
    } else {
      healthKeys(ctx, c, [A, `${h.form} ${JSON.stringify(h.text)} is not an HTTP check; ${who} is probed with GET /healthz/ready (readiness) and /healthz/live (liveness, startup)`], timingsDetail(h, part));
      ctx.addTodo('Django web tier', 'Serve GET /healthz/ready (200 when the pod can take traffic) and /healthz/live (200 while the process runs).', [c.service.name]);
    }
    const { timings } = probeTimings(h);
    if (timings && !h.disabled) props.probeTimings = timings;
  } else {
    ctx.addTodo('Django web tier', 'Serve GET /healthz/ready (200 when the pod can take traffic) and /healthz/live (200 while the process runs); compose had no healthcheck.', [c.service.name]);
  }

  webReplicas(ctx, c, props, who);
  const timeoutUsed = props.requestTimeoutSeconds ?? 60;
  const g = graceOf(ctx, c, 10 + timeoutUsed, `${who} (a 10 s drain plus the ${timeoutUsed} s request timeout)`);
  if (g !== undefined) props.terminationGracePeriodSeconds = g;
  props.resources = resourcesOf(ctx, c, 'backend', part).resources;
  if (isBackend) {
    ctx.becomes.set(c.service.name, `backend: Deployment, Service backend:${port}, HPA, PodDisruptionBudget`);
    return props;
  }
  ctx.becomes.set(c.service.name, `${part} ${name}: Deployment, Service ${name}:${port}, HPA, PodDisruptionBudget; the edge routes its path prefixes to it`);
  // name and pathPrefixes first read best; the prefixes are known once the edge has read the nginx routes.
  return { name, pathPrefixes: [], ...props };
}

/** The name of a web service: its compose name, unless another component of the chart has it. */
export function webServiceName(ctx: MappingContext, c: Classified): string {
  const label = dnsLabel(c.service.name, 50);
  const taken = ['backend', 'frontend', 'edge', 'beat', 'migrate', 'collectstatic'].includes(label) || label.startsWith('worker-')
    || ctx.webServers.some((x) => x !== c && ctx.webServers.indexOf(x) < ctx.webServers.indexOf(c) && dnsLabel(x.service.name, 50) === label);
  return taken ? `${label}-web` : label;
}

/**
 * The path prefixes of each web service: the locations of the compose nginx that proxy to it, else a placeholder
 * the team replaces (the edge routes nothing else to a web service, so its clients must use that prefix).
 */
export function webServicePrefixes(ctx: MappingContext, webServices: Draft<WebServiceProps>[], edge: EdgeProps | undefined): void {
  const routing = edge?.routing ?? {};
  const claimed = new Set<string>([
    ...(routing.backendPathPrefixes ?? ['/api/', '/admin/']),
    ...(routing.uploadPathPrefixes ?? ['/upload/']),
    String(routing.staticPathPrefix ?? '/static/'), String(routing.internalS3Prefix ?? '/_s3/'),
  ]);
  ctx.webServers.forEach((c, i) => {
    const props = webServices[i];
    const at = `webServices[${i}]`;
    const found = (ctx.webPrefixes.get(c) ?? []).filter((p) => !claimed.has(p));
    if (found.length) {
      props.pathPrefixes = found;
      for (const p of found) claimed.add(p);
      ctx.comment(`${at}.pathPrefixes`, `The locations of the compose nginx that proxied to ${c.service.name}; the edge upgrades websockets on them.`);
      return;
    }
    const candidates = ['/ws/', `/ws/${props.name}/`, `/${props.name}/`];
    const placeholder = candidates.find((p) => !claimed.has(p))!;
    claimed.add(placeholder);
    props.pathPrefixes = [placeholder];
    ctx.comment(`${at}.pathPrefixes`, `TODO(import): the paths its clients use (${placeholder} is a placeholder): ${ctx.edgeService ? 'no location of the compose nginx proxies to it' : 'compose had no nginx'}, and the edge sends ${props.name} nothing but these prefixes.`);
    ctx.addTodo('Edge', `Set ${at}.pathPrefixes (${props.name}) in main.ts to the paths the clients of ${c.service.name} use (${placeholder} is a placeholder; ${ctx.edgeService ? 'no location of the compose nginx proxies to it' : 'compose had no nginx'}): the edge routes nothing else to it.`, [c.service.name]);
  });
}

/** A web server besides the backend (an ASGI server for WebSockets, say) is a web service behind the edge; without an edge, a to-do. */
export function secondWebServers(ctx: MappingContext): void {
  for (const c of ctx.ofRole('django-backend').filter((x) => x !== ctx.backend && !ctx.webServers.includes(x))) {
    const cmd = c.analysis.commands.find((x) => ['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'runserver'].includes(x.kind));
    const a = cmd?.argv ?? [];
    const bind = option(a, ['-b'], ['--bind']);
    const port = intOf(option(a, ['-p'], ['--port'])) ?? (bind ? intOf(/:([0-9]+)$/.exec(bind)?.[1]) : undefined) ?? listenPorts(ctx, c)[0]?.target;
    const what = cmd ? `${quoteArgv(a.slice(0, 6))}${a.length > 6 ? ' …' : ''}` : 'the image\'s CMD';
    ctx.addTodo('Django web tier', `${c.service.name} runs a second web server (${what}${port ? `, port ${port}` : ''}) that the generated app does not run: the chart runs one beside the backend only as a webServices entry, which needs an edge (only the edge routes to it), and this app has none. `
      + 'Add an edge and a webServices entry for it (server, application, port and the path prefixes its clients use), or serve its routes from the backend, '
      + 'or deploy it as an app of its own.', [c.service.name]);
  }
}

/** Options of the web server the chart does not set itself become backend.extraArgs; dev and file options are dropped. */
export function serverExtraArgs(
  ctx: MappingContext, w: Workload, rest: string[], never: RegExp, notes: string[], approximate: (s: KeyStatus) => void,
): void {
  const dropped = rest.filter((r) => never.test(r));
  const carried = rest.filter((r) => !never.test(r));
  if (carried.length) {
    ctx.podOf(w).extraArgs.push(...carried.map((r) => (r.startsWith('--') ? r.replace(' ', '=') : r)).flatMap((r) => (r.startsWith('--') ? [r] : r.split(' '))));
    notes.push(`${w}.extraArgs ${carried.join(' ')}`);
  }
  if (dropped.length) {
    notes.push(`not carried: ${dropped.join(' ')} (reloading, daemonizing, users, files and TLS have no place in the pod)`);
    approximate(A);
  }
}
