// Maps the one-off commands onto the jobs: migrations (the manage.py steps of migrate services and of the
// backend's start) and collectstatic, each run once per release as an Argo CD Sync hook.
import { MigrationStyle } from '../../workloads/django-job';
import { AnalyzedCommand } from '../commands';
import { Classified } from '../roles';
import { quoteArgv } from '../shell';
import { finished, CollectStaticProps, Draft, JobStepProps, MigrationsProps } from './chart-props';
import { A, C, MappingContext } from './context';
import { DEFAULT_SIZES, resourcesOf } from './sizing';
import { dnsLabel, intOf, isObject, uniq } from './values';

export function jobsProps(ctx: MappingContext): { migrations?: MigrationsProps; collectStatic?: CollectStaticProps } {
  const steps: JobStepProps[] = [];
  const stepNames = new Set<string>();
  let collect: Classified | undefined;
  const sources: Classified[] = [];
  const addStep = (cmd: AnalyzedCommand, from: Classified) => {
    if (cmd.manage === 'collectstatic') {
      collect = collect ?? from;
      return;
    }
    let name = dnsLabel(`${cmd.manage === 'migrate_schemas' ? 'migrate' : cmd.manage}${cmd.argv.includes('--shared') ? '-shared' : ''}${cmd.argv.includes('--tenant') ? '-tenants' : ''}`);
    for (let i = 2; stepNames.has(name); i++) name = `${name.replace(/-\d+$/, '')}-${i}`;
    stepNames.add(name);
    steps.push({ name, command: cmd.argv });
    if (!sources.includes(from)) sources.push(from);
  };
  const jobServices = ctx.ofRole('migrate', 'collectstatic', 'django-management');
  for (const c of jobServices) {
    ctx.need(c, 'command');
    ctx.need(c, 'entrypoint');
    for (const cmd of c.analysis.commands) addStep(cmd, c);
  }
  // manage.py commands run by the backend before its server.
  for (const cmd of ctx.backend.analysis.commands.filter((x) => x.kind === 'manage')) {
    if (cmd.manage === 'migrate' || cmd.manage === 'migrate_schemas' || cmd.manage === 'collectstatic') {
      if (cmd.manage === 'collectstatic' || !jobServices.some((j) => j.role === 'migrate')) addStep(cmd, ctx.backend);
    }
  }
  const result: { migrations?: MigrationsProps; collectStatic?: CollectStaticProps } = {};
  if (steps.length) {
    const main = sources.find((s) => s.role === 'migrate') ?? sources[0];
    const migrations: Draft<MigrationsProps> = { resources: resourcesOf(ctx, main, 'job', 'migrations').resources, steps };
    const restart = String(main.service.spec.restart ?? '');
    const attempts = /^on-failure:(\d+)$/.exec(restart)?.[1] ?? (isObject(main.service.spec.deploy) && isObject(main.service.spec.deploy.restart_policy) ? main.service.spec.deploy.restart_policy.max_attempts : undefined);
    if (attempts !== undefined && intOf(attempts) !== undefined) migrations.backoffLimit = Math.min(10, intOf(attempts)!);
    // The style's own commands read better than the same commands spelled out.
    const same = (want: string[][]) => steps.length === want.length
      && steps.every((st, i) => JSON.stringify(st.command) === JSON.stringify(want[i]));
    if (same([['python', 'manage.py', 'migrate_schemas', '--shared', '--noinput'], ['python', 'manage.py', 'migrate_schemas', '--tenant', '--noinput']])) {
      delete migrations.steps;
      migrations.style = MigrationStyle.DJANGO_TENANTS;
    } else if (same([['python', 'manage.py', 'migrate', '--noinput']])) {
      delete migrations.steps;
    }
    result.migrations = finished(migrations);
    const tenants = steps.some((s) => JSON.stringify(s).includes('migrate_schemas'));
    ctx.comment('migrations', `compose ${sources.map((s) => s.service.name).join(', ')}: runs once per release as an Argo CD Sync hook, before the backend, workers and beat of the release.${tenants ? ' django-tenants: migrate_schemas.' : ''}`);
    for (const s of sources) {
      const o = ctx.out(s);
      if (s === ctx.backend) continue;
      const cmdKey = s.service.spec.command !== undefined ? 'command' : 'entrypoint';
      const notes: string[] = [];
      if (s.analysis.wrappers.length) notes.push(`wrappers dropped: ${s.analysis.wrappers.join('; ')} (the Job retries instead of waiting)`);
      const others = s.analysis.commands.filter((x) => x.kind !== 'manage');
      if (others.length) notes.push(`not run: ${others.map((x) => quoteArgv(x.argv)).join('; ')}`);
      const extraManage = s.analysis.commands.filter((x) => x.kind === 'manage' && !['migrate', 'migrate_schemas', 'collectstatic'].includes(x.manage ?? ''));
      if (extraManage.length) notes.push(`manage.py ${extraManage.map((x) => x.manage).join(', ')} run as steps of the migration job`);
      o.set(cmdKey, notes.length ? A : C, `the migration Job's steps (${s.analysis.commands.filter((x) => x.kind === 'manage' && x.manage !== 'collectstatic').map((x) => quoteArgv(x.argv)).join(' → ')})${collect === s ? '; collectstatic becomes its own Job' : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`);
      if (cmdKey === 'command' && s.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
      ctx.becomes.set(s.service.name, `migrate: Job, Argo CD Sync hook (wave 0)${collect === s ? ', and collectstatic' : ''}`);
      if (s.role === 'django-management') ctx.becomes.set(s.service.name, 'steps of the migrate Job (Sync hook)');
    }
  }
  if (!result.migrations) {
    // A Django app's database needs its migrations, and compose files often leave them to a person
    // (cookiecutter-django: `docker compose run --rm django python manage.py migrate`): a release
    // that needs a migration would then serve against the old schema. The chart runs them instead.
    result.migrations = { resources: { ...DEFAULT_SIZES.job } };
    ctx.comment('migrations', 'Not a compose service: no compose service runs manage.py migrate, so the migrations were run by hand; this Job runs them once per release (Sync hook), before the backend, workers and beat of the release.');
    ctx.comment('migrations.resources', 'TODO(import): a starting size for a job; measure and adjust.');
    ctx.addTodo('Data', 'No compose service runs manage.py migrate: the migrate Job (python manage.py migrate --noinput) now runs once per release, before the app tier. Stop running migrations by hand, or remove migrations from main.ts if something else runs them.');
  }
  if (collect) {
    result.collectStatic = { resources: resourcesOf(ctx, collect, 'job', 'collectStatic').resources };
    ctx.comment('collectStatic', `compose ${collect.service.name}: uploads the static files to the statics bucket once per release (Sync hook).`);
    if (collect !== ctx.backend && !sources.includes(collect)) {
      const cmdKey = collect.service.spec.command !== undefined ? 'command' : 'entrypoint';
      ctx.out(collect).set(cmdKey, C, 'the collectstatic Job (python manage.py collectstatic --noinput), a Sync hook before the app tier');
      ctx.becomes.set(collect.service.name, 'collectstatic: Job, Argo CD Sync hook (wave 0)');
    }
    ctx.addTodo('Storage', 'Point STORAGES["staticfiles"] at S3 (django-storages): collectstatic uploads to the statics bucket, and the edge serves /static/ from it.');
  } else {
    const built = imageCollectsStatic(ctx);
    if (built) {
      // The statics are in the image (WhiteNoise): nothing fills the bucket, and the backend serves them.
      ctx.addTodo('Storage', `The image collects the static files when it is built (${built}), so the backend serves them (WhiteNoise) and no collectstatic Job runs; the generated edge serves /static/ from the statics bucket, so route /static/ to the backend (edge.routing.backendPathPrefixes) or add collectStatic: {} to main.ts and point STORAGES["staticfiles"] at S3.`, [ctx.backend.service.name]);
    } else {
      // The chart's settings point STATIC_URL and STORAGES["staticfiles"] at the statics bucket; only collectstatic fills it.
      result.collectStatic = { resources: { ...DEFAULT_SIZES.job } };
      const hints = staticsOnS3(ctx);
      ctx.comment('collectStatic', `Not a compose service: the app serves its static files from the statics bucket (${hints.length ? `compose shows ${hints.join(', ')}` : 'the chart sets STATIC_URL to it'}), and this Job fills it once per release (Sync hook).`);
      ctx.comment('collectStatic.resources', 'TODO(import): a starting size for a job; measure and adjust.');
      ctx.addTodo('Storage', 'Point STORAGES["staticfiles"] at S3 (django-storages): collectstatic uploads to the statics bucket, and the edge serves /static/ from it.');
    }
  }
  for (const c of jobServices) {
    const restart = c.service.spec.restart;
    if (restart !== undefined) {
      const r = String(restart);
      ctx.out(c).set('restart', r === 'no' || r === 'false' || r.startsWith('on-failure') ? C : A, r.startsWith('on-failure')
        ? `a Job retries a failed run (backoffLimit${result.migrations?.backoffLimit !== undefined ? ` ${result.migrations.backoffLimit}` : ''})`
        : r === 'no' || r === 'false' ? 'runs once per sync as a Job' : `a Job runs to completion; "${r}" would restart it forever`);
    }
  }
  return result;
}

/** The RUN of the backend's Dockerfile that collects the static files into the image, if there is one. */
export function imageCollectsStatic(ctx: MappingContext): string | undefined {
  const run = ctx.backend.context?.runs.find((r) => /\bcollectstatic\b/.test(r));
  return run ? `${ctx.backend.context!.dockerfile}: RUN ${run.length > 80 ? `${run.slice(0, 77)}...` : run}` : undefined;
}

/** What in the compose file shows the static files on S3: a statics bucket or storage variable, a STATIC_URL, a statics volume. */
export function staticsOnS3(ctx: MappingContext): string[] {
  const hints: string[] = [];
  const envs = ctx.appCodeServices().flatMap((c) => c.service.environment);
  for (const name of ['DJANGO_STATIC_BUCKET', 'AWS_STATIC_BUCKET_NAME', 'STATIC_BUCKET', 'DJANGO_STATICFILES_STORAGE_BACKEND', 'STATICFILES_STORAGE', 'STATIC_URL', 'AWS_STORAGE_BUCKET_NAME']) {
    if (envs.some((e) => e.name === name)) hints.push(name);
  }
  return uniq(hints);
}
