// Maps the environment of the Django code onto settings: the settings contract (module, database,
// secret key, buckets, statics), variables shared by every process (env, secretEnv), and the rest as
// the extraEnv / extraSecretEnv of the workloads that had them. Secret-looking values only ever go to Secrets.
import { BROKER_ENV } from '../../workloads/celery-broker';
import { WORKER_ENV } from '../../workloads/celery-worker-pool';
import { SETTINGS_ENV } from '../../workloads/django-settings';
import { positional } from '../commands';
import { ImportError, requireResolved, ServiceEnv } from '../compose';
import { hasCredentials, hostsIn, urlsIn } from '../hosts';
import { KeyStatus } from '../report';
import { Classified, STATEFUL_ROLES } from '../roles';
import { finished, Draft, SecretEnvProps, SettingsProps } from './chart-props';
import { A, BROKER_VARS, C, D, isAppWorkload, MappingContext, memberOf } from './context';
import { edgeWanted } from './routing';
import { SECRET_NAME, secretKeyFor, sorted, uniq } from './values';

export interface EnvUse {
  readonly service: Classified;
  readonly env: ServiceEnv;
  readonly key: string;
}

/**
 * Variables the chart itself sets on the Django code, from the workloads that set them: the settings
 * contract, the broker URL and the worker contract.
 */
const CHART_SET_APP_VARS: string[] = [
  ...Object.values(SETTINGS_ENV), BROKER_ENV.url, ...Object.keys(WORKER_ENV.fixed),
  WORKER_ENV.visibilityTimeout, WORKER_ENV.heartbeatFile, WORKER_ENV.heartbeatInterval, WORKER_ENV.queue,
];
/**
 * With a Redis broker the chart also sets its address and credentials, from the broker's Secret (the keys
 * KEDA reads): a compose value of them is not passed on, or the pods would have the variable twice.
 */
const REDIS_BROKER_VARS: string[] = [BROKER_ENV.redisAddress, BROKER_ENV.redisUser, BROKER_ENV.redisPassword];
/** The worker contract's values by variable. */
const WORKER_VALUES: Record<string, string> = WORKER_ENV.fixed;

export function secretReason(ctx: MappingContext, e: ServiceEnv): string | undefined {
  const value = e.value ?? '';
  if (SECRET_NAME.test(e.name)) return 'the name looks secret';
  if (hasCredentials(value) || (e.template && hasCredentials(e.template.raw))) return 'a URL with credentials';
  if (e.template) return `it interpolates ${uniq(e.template.uses.map((u) => `\${${u.name}}`)).join(', ')}`;
  if (e.fromShell) return 'compose copies it from the shell environment';
  const externalHosts = [...ctx.externals.values()].map((x) => x.service.service.name);
  const stateful = hostsIn(value, externalHosts);
  if (stateful.length) return `the address of ${stateful.join(', ')}, which runs outside the app now`;
  const statefulOther = hostsIn(value, ctx.ofRole(...STATEFUL_ROLES).map((c) => c.service.name));
  if (statefulOther.length) return `the address of ${statefulOther.join(', ')}, which runs outside the app now`;
  if (/^[A-Za-z0-9+/=_-]{32,}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && !/^[a-z_.]+$/.test(value)) return 'the value looks like a token';
  return undefined;
}

/** A plain value with compose service names replaced by the Services of the generated app. */
export function rewriteAddresses(ctx: MappingContext, value: string): { value: string; note?: string } {
  let out = value;
  const notes: string[] = [];
  for (const u of urlsIn(value)) {
    const component = ctx.componentNames.get(u.host);
    const extra = ctx.externals.get(u.host);
    if (component) {
      const port = component.port || u.port;
      const replacement = `${u.scheme}://${component.name}${port ? `:${port}` : ''}`;
      const original = `${u.scheme}://${u.host}${u.port ? `:${u.port}` : ''}`;
      if (replacement !== original) {
        out = out.split(original).join(replacement);
        notes.push(`${u.host} is the Service ${component.name} now`);
      }
    } else if (!extra && ctx.byName.has(u.host)) {
      notes.push(`it names ${u.host}, which is not part of the generated app: set the production address`);
    }
  }
  // A bare host name or host:port.
  const bare = /^([A-Za-z0-9_.-]+)(:\d+)?$/.exec(value.trim());
  if (bare && out === value) {
    const component = ctx.componentNames.get(bare[1]);
    const extra = ctx.externals.get(bare[1]);
    if (component && component.name !== bare[1]) {
      out = `${component.name}${bare[2] ?? ''}`;
      notes.push(`${bare[1]} is the Service ${component.name} now`);
    } else if (!component && !extra && ctx.byName.has(bare[1])) {
      notes.push(`it names ${bare[1]}, which is not part of the generated app: set the production address`);
    }
  }
  return { value: out, note: notes.length ? notes.join('; ') : undefined };
}

export function settingsProps(ctx: MappingContext): SettingsProps {
  const uses = new Map<string, EnvUse[]>();
  for (const c of ctx.appCodeServices()) {
    for (const e of c.service.environment) {
      const key = e.origin === 'environment' ? `environment.${e.name}` : `env_file.${e.name}`;
      uses.set(e.name, [...(uses.get(e.name) ?? []), { service: c, env: e, key }]);
    }
  }
  const first = (name: string) => {
    const list = uses.get(name) ?? [];
    return list.find((u) => u.service === ctx.backend) ?? list[0];
  };
  const literal = (name: string): string | undefined => {
    const u = first(name);
    if (!u || u.env.template || u.env.fromShell || u.env.value === undefined || u.env.value === '') return undefined;
    return u.env.value;
  };
  const report = (name: string, status: KeyStatus, detail: string) => {
    for (const u of uses.get(name) ?? []) ctx.out(u.service).set(u.key, status, detail);
  };

  const props: Draft<SettingsProps> = {};
  // DJANGO_SETTINGS_MODULE is needed as a value.
  const settingsUse = first('DJANGO_SETTINGS_MODULE');
  let settingsModule: string;
  if (settingsUse) {
    requireResolved(ctx.project, settingsUse.service.service, 'environment.DJANGO_SETTINGS_MODULE');
    settingsModule = settingsUse.env.value ?? '';
    if (!/^[A-Za-z_][\w.]*$/.test(settingsModule)) throw new ImportError(`${ctx.project.file}: service "${settingsUse.service.service.name}": environment.DJANGO_SETTINGS_MODULE: must be a dotted module path; got ${JSON.stringify(settingsModule)}`);
    report('DJANGO_SETTINGS_MODULE', C, `settings.settingsModule (${settingsModule})`);
  } else {
    settingsModule = `${djangoModule(ctx)}.settings`;
    ctx.addTodo('Django settings', `No DJANGO_SETTINGS_MODULE in the compose file: check settings.settingsModule in main.ts (${settingsModule} is derived from the project package).`);
  }
  props.settingsModule = settingsModule;
  props.secretName = ctx.appSecret;

  // The database URL and the secret key are part of the contract.
  const mysql = ctx.ofRole('mysql')[0];
  const databaseProduct = mysql ? mysql.product ?? 'MySQL' : 'PostgreSQL';
  for (const c of ctx.appCodeServices()) {
    ctx.addSecret(ctx.appSecret, 'database-url', 'DATABASE_URL', c.service.name, `the URL of the managed ${databaseProduct} database, with its user and password`);
    ctx.addSecret(ctx.appSecret, 'secret-key', 'DJANGO_SECRET_KEY', c.service.name, "Django's SECRET_KEY");
  }
  if (uses.has('DATABASE_URL')) {report('DATABASE_URL', C, `Secret ${ctx.appSecret}, key database-url (the settings contract); the value is not written anywhere: put the managed database's URL there`);} else {
    const pieces = [...uses.keys()].filter((n) => /^(POSTGRES|DB|DATABASE|PG)_?/.test(n));
    ctx.addTodo('Django settings', `The chart gives the app DATABASE_URL (Secret ${ctx.appSecret}, key database-url)${pieces.length ? `; the compose file configured the database with ${pieces.join(', ')}, which are still set, but the app should read DATABASE_URL (e.g. with dj-database-url)` : ''}.`);
  }
  if (uses.has('DJANGO_SECRET_KEY')) report('DJANGO_SECRET_KEY', C, `Secret ${ctx.appSecret}, key secret-key (the settings contract)`);
  const secretEnv: SecretEnvProps[] = [];
  const env: Record<string, string> = {};
  // The settings contract's variables are mapped above and below onto the settings props, never passed on.
  const handled = new Set<string>(Object.values(SETTINGS_ENV));
  if (uses.has('SECRET_KEY')) {
    secretEnv.push({ name: 'SECRET_KEY', secretName: ctx.appSecret, key: 'secret-key' });
    for (const u of uses.get('SECRET_KEY')!) ctx.addSecret(ctx.appSecret, 'secret-key', 'SECRET_KEY', u.service.service.name, "Django's SECRET_KEY");
    report('SECRET_KEY', C, `Secret ${ctx.appSecret}, key secret-key (also given as DJANGO_SECRET_KEY by the chart); the value is not written anywhere`);
    handled.add('SECRET_KEY');
  }
  for (const name of BROKER_VARS) {
    if (!uses.has(name) || !ctx.hasWorkers()) continue;
    handled.add(name);
    const rabbit = ctx.brokerKind === 'RABBITMQ';
    if (name === 'CELERY_BROKER_URL') {
      report(name, C, rabbit ? `from Secret ${ctx.brokerSecret}, key broker-url (the broker contract); the value is not written anywhere` : `${ctx.brokerUrlNote}; the value is not written anywhere`);
    } else if (rabbit) {
      secretEnv.push({ name, secretName: ctx.brokerSecret, key: 'broker-url' });
      for (const u of uses.get(name)!) ctx.addSecret(ctx.brokerSecret, 'broker-url', name, u.service.service.name, 'the Celery broker URL');
      report(name, C, `Secret ${ctx.brokerSecret}, key broker-url (the chart also sets CELERY_BROKER_URL from it)`);
    } else {
      for (const u of uses.get(name)!) ctx.groupVar(u.service, name, { value: '$(CELERY_BROKER_URL)' });
      report(name, C, `extraEnv $(CELERY_BROKER_URL): the kubelet expands the URL the chart composes (${ctx.brokerUrlNote})`);
    }
  }

  // S3 and statics.
  const bucket = (name: string) => {
    const v = literal(name);
    return v && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) ? v : undefined;
  };
  // cookiecutter-django's settings read the DJANGO_-prefixed names.
  const mediaVar = ['AWS_STORAGE_BUCKET_NAME', 'DJANGO_AWS_STORAGE_BUCKET_NAME'].find((n) => bucket(n));
  const media = mediaVar ? bucket(mediaVar) : undefined;
  const statics = bucket('DJANGO_STATIC_BUCKET') ?? bucket('AWS_STATIC_BUCKET_NAME') ?? bucket('STATIC_BUCKET');
  props.mediaBucket = media ?? `${ctx.appName}-media`;
  props.staticBucket = statics ?? `${ctx.appName}-static`;
  if (media) {report(mediaVar!, C, `settings.mediaBucket (${media})`);} else {
    ctx.comment('settings.mediaBucket', 'TODO(import): the media bucket (a placeholder). Uploads go there as S3 multipart uploads.');
    ctx.addTodo('Storage', `Create the media bucket and set settings.mediaBucket (${props.mediaBucket} is a placeholder); the app stores media with STORAGES["default"] on S3 (django-storages).`);
    if (uses.has('AWS_STORAGE_BUCKET_NAME')) report('AWS_STORAGE_BUCKET_NAME', A, `settings.mediaBucket is the placeholder ${props.mediaBucket}: the compose value is not a literal bucket name`);
  }
  if (statics) {
    for (const n of ['DJANGO_STATIC_BUCKET', 'AWS_STATIC_BUCKET_NAME', 'STATIC_BUCKET']) if (bucket(n) === statics) report(n, C, `settings.staticBucket (${statics})`);
  } else {
    ctx.comment('settings.staticBucket', 'TODO(import): the statics bucket (a placeholder), which the collectstatic job fills.');
    ctx.addTodo('Storage', `Create the statics bucket and set settings.staticBucket (${props.staticBucket} is a placeholder); collectstatic uploads there (STORAGES["staticfiles"]).`);
  }
  const region = literal('AWS_S3_REGION_NAME') ?? literal('DJANGO_AWS_S3_REGION_NAME') ?? literal('AWS_DEFAULT_REGION') ?? literal('AWS_REGION');
  props.s3Region = region && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(region) ? region : 'eu-west-1';
  if (region) {report('AWS_S3_REGION_NAME', C, `settings.s3Region (${props.s3Region})`);} else {
    ctx.comment('settings.s3Region', 'TODO(import): the region of the buckets (a placeholder).');
    ctx.addTodo('Storage', `Set settings.s3Region in main.ts (${props.s3Region} is a placeholder).`);
  }
  const endpoint = first('AWS_S3_ENDPOINT_URL');
  if (endpoint) {
    const v = literal('AWS_S3_ENDPOINT_URL');
    const names = ctx.project.services.map((s) => s.name);
    if (v && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v) && !hostsIn(v, names).length) {
      props.s3Endpoint = v;
      report('AWS_S3_ENDPOINT_URL', C, `settings.s3Endpoint (${v})`);
    } else {
      report('AWS_S3_ENDPOINT_URL', A, `not carried: it names ${hostsIn(v ?? endpoint.env.template?.raw ?? '', names).join(', ') || 'an address'} of the compose file; the app uses S3 in ${props.s3Region} (set settings.s3Endpoint for an S3-compatible store)`);
      ctx.addTodo('Storage', 'The compose file used an S3-compatible store inside compose (AWS_S3_ENDPOINT_URL); the generated app uses AWS S3: set settings.s3Endpoint if you keep another store.');
    }
  }
  const staticUrl = literal('STATIC_URL');
  if (uses.has('STATIC_URL')) {
    if (staticUrl && /^https?:\/\/\S+\/$/.test(staticUrl)) {
      props.staticUrl = staticUrl;
      report('STATIC_URL', C, `settings.staticUrl (${staticUrl})`);
    } else {
      report('STATIC_URL', A, `the chart sets STATIC_URL to the statics bucket's URL (compose had ${staticUrl ?? 'an interpolated value'}); set settings.staticUrl for a CDN`);
    }
  }
  for (const [name, prop] of [['DJANGO_DEFAULT_STORAGE_BACKEND', 'mediaStorageBackend'], ['DJANGO_STATICFILES_STORAGE_BACKEND', 'staticStorageBackend']] as const) {
    const v = literal(name);
    if (v) {
      props[prop] = v;
      report(name, C, `settings.${prop} (${v})`);
    } else if (uses.has(name)) {
      report(name, A, 'the chart\'s default storage backend (storages.backends.s3.S3Storage) is used');
    }
  }
  if (mediaVar) handled.add(mediaVar);

  // Variables the worker contract (and, with a Redis broker, the broker's Secret) sets.
  const redisBroker = ctx.hasWorkers() && ctx.brokerKind === 'REDIS';
  for (const name of [...CHART_SET_APP_VARS, ...(redisBroker ? REDIS_BROKER_VARS : [])]) {
    if (handled.has(name) || !uses.has(name)) continue;
    handled.add(name);
    const chartValue = WORKER_VALUES;
    const v = literal(name);
    const same = chartValue[name] !== undefined && v === chartValue[name];
    const unused = same ? '' : `; the compose value ${v === undefined ? '(interpolated)' : JSON.stringify(v)} is not used`;
    report(name, same ? C : A, REDIS_BROKER_VARS.includes(name)
      ? `set by the chart from the ${ctx.brokerSecret} Secret, the keys KEDA reads too${unused}`
      : `set by the chart on the workers${chartValue[name] ? ` (${chartValue[name]})` : ''}${unused}`);
  }

  for (const name of ['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES', 'CUDA_VISIBLE_DEVICES']) {
    if (!uses.has(name)) continue;
    handled.add(name);
    report(name, D, 'the NVIDIA device plugin gives a GPU pod its devices; no variable is needed');
  }

  // DEBUG on is a development setting, and production must not inherit it: Django then shows its settings
  // and every traceback to any visitor.
  for (const name of ['DEBUG', 'DJANGO_DEBUG']) {
    const on = (uses.get(name) ?? []).filter((u) => /^(1|true|yes|on)$/i.test(u.env.value ?? ''));
    if (!on.length) continue;
    handled.add(name);
    const services = uniq(on.map((u) => u.service.service.name));
    report(name, D, `not carried: ${name}=${on[0].env.value} is a development setting (Django then shows its settings and tracebacks to every visitor); the settings' default applies`);
    ctx.addTodo('Django settings', `Compose set ${name}=${on[0].env.value}, which is not carried: check that the settings leave DEBUG off when ${name} is unset.`, services);
  }
  // Django answers 400 to a Host header that ALLOWED_HOSTS does not list, and the edge passes the public
  // host on. The chart gives the edge's hosts to the app, and the kit's configure() allows them; an app
  // without the kit must read them. The probes need nothing: the kit's middleware answers them before
  // the Host is checked. Without an edge nothing outside the cluster reaches the app by a host name.
  if (edgeWanted(ctx) && !['ALLOWED_HOSTS', 'DJANGO_ALLOWED_HOSTS'].some((n) => uses.has(n))) {
    ctx.addTodo('Django settings', `No compose variable sets ALLOWED_HOSTS, and Django answers 400 to a Host it does not allow: the chart gives the edge's hosts as ${SETTINGS_ENV.publicHosts}, which the kit's configure() adds to ALLOWED_HOSTS; without the kit, read that variable into ALLOWED_HOSTS.`, [ctx.backend.service.name]);
  }

  // Everything else: shared by every process of the Django code when compose gave it to all of them alike
  // (settings.env, or settings.secretEnv when it looks secret), else the extraEnv of the workloads that had it.
  const appCode = ctx.appCodeServices();
  for (const name of sorted([...uses.keys()])) {
    if (handled.has(name)) continue;
    const list = uses.get(name)!;
    const reasons = list.map((u) => secretReason(ctx, u.env)).filter((r): r is string => r !== undefined);
    const services = uniq(list.map((u) => u.service.service.name));
    const values = uniq(list.map((u) => u.env.value ?? ''));
    const everywhere = appCode.every((c) => list.some((u) => u.service === c)) && values.length === 1;
    const key = secretKeyFor(name);
    if (reasons.length) for (const s of services) ctx.addSecret(ctx.appSecret, key, name, s, `${name} (${reasons[0]})`);
    if (name === 'AWS_SECRET_ACCESS_KEY') {
      ctx.addTodo('Secrets', 'Prefer a cloud identity to static AWS keys: an IAM role for the components\' ServiceAccounts (serviceAccountAnnotations, e.g. eks.amazonaws.com/role-arn), then drop AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.', services);
    }
    if (everywhere) {
      if (reasons.length) {
        secretEnv.push({ name, secretName: ctx.appSecret, key });
        report(name, C, `settings.secretEnv: Secret ${ctx.appSecret}, key ${key} (${reasons[0]}); the value is not written anywhere`);
      } else {
        const rewritten = rewriteAddresses(ctx, values[0]);
        env[name] = rewritten.value;
        report(name, rewritten.note ? A : C, `settings.env ${JSON.stringify(rewritten.value)}${rewritten.note ? ` (${rewritten.note})` : ''}`);
      }
      continue;
    }
    for (const [workload, members] of ctx.membership) {
      const having = list.filter((u) => members.includes(u.service));
      if (!having.length || !isAppWorkload(workload)) continue;
      const wValues = uniq(having.map((u) => u.env.value ?? ''));
      const representative = having.find((u) => u.service === ctx.backend) ?? having[0];
      const partial = having.length < members.length || wValues.length > 1;
      const differs = wValues.length > 1 ? `; compose gave ${having.map((u) => `${u.service.service.name}: ${reasons.length ? '(secret)' : JSON.stringify(u.env.value)}`).join(', ')}` : '';
      const only = having.length < members.length ? `; now for every ${memberOf(workload)}, not only ${having.map((u) => u.service.service.name).join(', ')}` : '';
      if (reasons.length) {
        ctx.podOf(workload).extraSecretEnv.set(name, { name, secretName: ctx.appSecret, key });
        for (const u of having) ctx.out(u.service).set(u.key, partial ? A : C, `${workload}.extraSecretEnv: Secret ${ctx.appSecret}, key ${key} (${reasons[0]}); the value is not written anywhere${only}${differs}`);
      } else {
        const rewritten = rewriteAddresses(ctx, representative.env.value ?? '');
        ctx.podOf(workload).extraEnv.set(name, rewritten.value);
        for (const u of having) {
          ctx.out(u.service).set(u.key, partial || rewritten.note ? A : C, `${workload}.extraEnv ${JSON.stringify(rewritten.value)}${rewritten.note ? ` (${rewritten.note})` : ''}${only}${differs}`);
        }
      }
    }
  }
  if (secretEnv.length) props.secretEnv = secretEnv;
  if (Object.keys(env).length) props.env = env;
  ctx.comment('settings', `Every process of the Django code reads these (${ctx.appCodeServices().map((c) => c.service.name).join(', ')} in compose). Secret values live in the Secrets named here, never in this file.`);
  return finished(props);
}

/** The Django project's package, from the WSGI/ASGI application or the settings module. */
export function djangoModule(ctx: MappingContext): string {
  const cmd = ctx.backend.analysis.commands.find((c) => ['gunicorn', 'uvicorn', 'daphne', 'hypercorn'].includes(c.kind));
  const app = cmd ? positional(cmd.argv.filter((w) => !/^--?[a-z-]+=/.test(w)), ['-w', '--workers', '-b', '--bind', '-t', '--timeout', '-k', '--worker-class', '-c', '--config', '--host', '--port', '-p']) : undefined;
  if (app && /^[A-Za-z_]\w*/.test(app)) return app.split(/[.:]/)[0];
  const settings = ctx.backend.service.environment.find((e) => e.name === 'DJANGO_SETTINGS_MODULE')?.value;
  if (settings && /^[A-Za-z_]\w*/.test(settings)) return settings.split('.')[0];
  return 'config';
}
