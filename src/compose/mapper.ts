// Maps a compose project onto DjangoAppChartProps: the orchestrator. Each part is mapped by a module of
// mapping/ (services and roles, settings, Celery, Flower, jobs, web services, routing, frontend, external
// services, volumes, PodOptions, the report); this file decides the order and assembles the props.
import { ComposeProject, ImportError } from './compose';
import { DjangoAppChartProps } from '../app/django-app-chart';
import { beatProps, brokerProps, withoutCelery, workersProps } from './mapping/celery';
import { BackendProps, finished, Draft, WebServiceProps } from './mapping/chart-props';
import { MappingContext } from './mapping/context';
import { externalServicesProps, planExternals } from './mapping/externals';
import { flowerProps, planFlower } from './mapping/flower';
import { frontendProps } from './mapping/frontend';
import { jobsProps } from './mapping/jobs';
import { migrationReport, Redactor, secretValues } from './mapping/outcomes';
import { applyPodOptions, podOptionKeys } from './mapping/pod-options';
import { edgeWanted, mapEdge } from './mapping/routing';
import { appImage, celeryAppName, genericKeys, mapDependsOn, mapUser } from './mapping/services';
import { settingsProps } from './mapping/settings';
import { portOutcomes } from './mapping/sizing';
import { mapVolumes } from './mapping/volumes';
import { secondWebServers, webServiceName, webServicePrefixes, webTierProps } from './mapping/web-services';
import { MigrationReport } from './report';

/** The generated app, as data: the chart props, the comments above them, and the report. */
export interface MappedApp {
  readonly appName: string;
  /** The chart's id, which is also the render folder. */
  readonly chartId: string;
  readonly props: DjangoAppChartProps;
  readonly comments: Map<string, string[]>;
  readonly report: MigrationReport;
  /** The package's repository URL (a placeholder the team replaces). */
  readonly repoUrl: string;
}

/** Maps a compose project onto the generic app chart. */
export class ComposeMapper {
  constructor(private readonly project: ComposeProject) {}

  public map(): MappedApp {
    return mapApp(new MappingContext(this.project));
  }
}

/**
 * Maps every part in the order the parts depend on each other: the roles and membership first, then
 * the external services (the settings and the broker name them), the web tier, the settings, Celery,
 * the jobs, the edge (whose routes give the web services their prefixes), the frontend, and last the
 * keys every service has (volumes, depends_on, user, PodOptions, the rest).
 */
function mapApp(ctx: MappingContext): MappedApp {
  const backends = ctx.ofRole('django-backend');
  if (!backends.length) {
    const names = ctx.classified.map((c) => `${c.service.name} (${c.role})`).join(', ');
    throw new ImportError(`${ctx.project.file}: no Django web server found: no service runs gunicorn, uvicorn, daphne, hypercorn or manage.py runserver (services: ${names}); the app chart is built around one`);
  }
  const preferred = ['backend', 'web', 'api', 'django', 'app'];
  ctx.backend = [...backends].sort((a, b) => rank(a.service.name) - rank(b.service.name))[0];
  function rank(n: string): number {
    const i = preferred.indexOf(n);
    return i < 0 ? preferred.length : i;
  }
  ctx.frontend = ctx.ofRole('nuxt-frontend')[0];
  ctx.edgeService = ctx.ofRole('nginx-edge')[0];

  ctx.componentNames.set(ctx.backend.service.name, { name: 'backend', port: 0 });
  if (ctx.frontend) ctx.componentNames.set(ctx.frontend.service.name, { name: 'frontend', port: 0 });
  if (ctx.edgeService) ctx.componentNames.set(ctx.edgeService.service.name, { name: 'edge', port: 8080 });
  if (edgeWanted(ctx)) ctx.webServers = backends.filter((c) => c !== ctx.backend);
  for (const c of ctx.webServers) ctx.componentNames.set(c.service.name, { name: webServiceName(ctx, c), port: 0 });
  ctx.computeMembership();

  const image = appImage(ctx);
  const celeryApp = ctx.hasWorkers() ? celeryAppName(ctx) : undefined;
  planExternals(ctx);
  const broker = ctx.hasWorkers() ? brokerProps(ctx) : undefined;
  const backend = webTierProps(ctx, ctx.backend, 'backend');
  const webServices = ctx.webServers.map((c, i) => webTierProps(ctx, c, `webServices[${i}]`));
  secondWebServers(ctx);
  const settings = settingsProps(ctx);
  const workers = ctx.hasWorkers() ? workersProps(ctx) : undefined;
  const beat = ctx.hasWorkers() ? beatProps(ctx) : withoutCelery(ctx);
  const { migrations, collectStatic } = jobsProps(ctx);
  planFlower(ctx, edgeWanted(ctx));
  const edgeProps = mapEdge(ctx);
  const flower = flowerProps(ctx, image.repository);
  webServicePrefixes(ctx, webServices, edgeProps);
  for (const c of ctx.webServers) portOutcomes(ctx, c, ctx.componentNames.get(c.service.name)!.port, webServiceName(ctx, c));
  portOutcomes(ctx, ctx.backend, ctx.componentNames.get(ctx.backend.service.name)!.port, 'backend');
  const frontend = frontendProps(ctx);
  const externalServices = externalServicesProps(ctx);
  mapVolumes(ctx);
  mapDependsOn(ctx);
  mapUser(ctx);
  podOptionKeys(ctx);
  for (const s of ctx.project.services) genericKeys(ctx, s);

  const props: Draft<DjangoAppChartProps> = {
    appName: ctx.appName,
    namespace: ctx.appName,
    version: image.version,
    image: image.repository,
    celeryApp,
    ...ctx.userProps,
    settings,
    broker,
    backend: finished<BackendProps>(backend),
    webServices: webServices.length ? webServices.map((s) => finished<WebServiceProps>(s)) : undefined,
    workers,
    beat,
    flower,
    migrations,
    collectStatic,
    frontend,
    edge: edgeProps,
    externalServices,
  };
  applyPodOptions(ctx, props);
  if (image.versionIsPlaceholder) ctx.comment('version', 'TODO(import): the release, also the image tag of the Django code. Compose gave no immutable tag; see MIGRATION.md.');
  ctx.comment('image', `The Django code, run by ${ctx.appCodeServices().map((c) => c.service.name).join(', ')} in compose.`);
  // No secret value may reach an output file, wherever compose had it (a command, a healthcheck, an address).
  const redactor = new Redactor(secretValues(ctx));
  const safeProps = redactor.redact(props) as DjangoAppChartProps;
  if (redactor.count) {
    ctx.addTodo('Secrets', `${redactor.count} value(s) in commands or settings of main.ts held a secret of the compose file and read <secret> now: pass the secret as an environment variable from a Secret instead.`);
  }
  const report = redactor.redact(migrationReport(ctx)) as unknown as MigrationReport;
  const comments = new Map([...ctx.comments.entries()].map(([k, v]) => [k, v.map((line) => redactor.redact(line) as string)]));
  return {
    appName: ctx.appName,
    chartId: 'production',
    props: safeProps,
    comments,
    report,
    repoUrl: `https://git.example.com/${ctx.appName}/deploy.git`,
  };
}
