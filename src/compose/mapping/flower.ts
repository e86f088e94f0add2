// Maps Flower: a compose service that runs Flower becomes the chart's Flower (DjangoAppChartProps.flower),
// run from the Django image with the app's settings and broker, served by the edge under its path prefix
// and always behind basic auth, whose credentials go into a Secret key the team fills.
import { otherOptions } from '../commands';
import { Classified } from '../roles';
import { Draft, FlowerProps } from './chart-props';
import { A, BROKER_VARS, C, D, MappingContext } from './context';
import { sameImageAsBackend } from './services';
import { healthKeys, healthOf, resourcesOf } from './sizing';

/** The Secret key of the app Secret that holds Flower's `user:password`. */
export const FLOWER_AUTH_KEY = 'flower-basic-auth';
/** The variables compose files give Flower's credentials in: Flower's own, and cookiecutter-django's pair. */
const AUTH_VARS = /^(FLOWER_BASIC_AUTH|CELERY_FLOWER_USER|CELERY_FLOWER_PASSWORD|FLOWER_USER|FLOWER_PASSWORD)$/;
/** Flower's options the chart sets itself: the app, the broker, the port, the prefix and the credentials. */
const CHART_OPTIONS = ['-A', '--app', '-b', '--broker', '--port', '--address', '--url_prefix', '--url-prefix', '--basic_auth', '--basic-auth'];

/**
 * Chooses the compose service that becomes the chart's Flower, before the edge is mapped (its nginx
 * location for Flower becomes Flower's path prefix). Flower is generated when the app has workers (it
 * shows them), an edge (the only way to it) and a broker it can be allowed to reach.
 */
export function planFlower(ctx: MappingContext, edge: boolean): void {
  const services = ctx.hasWorkers() ? ctx.ofRole('celery-flower') : [];
  if (!services.length) return;
  const [c, ...others] = services;
  if (!edge) {
    ctx.addTodo('Celery', `Compose ran Flower (${c.service.name}), and the generated app has no edge to serve it behind basic auth: add an edge, then flower: { basicAuth: { secretName: '${ctx.appSecret}', key: '${FLOWER_AUTH_KEY}' }, resources: { ... } } to main.ts.`, [c.service.name]);
    return;
  }
  ctx.flowerService = c;
  for (const o of others) {
    ctx.addTodo('Celery', `Compose ran Flower twice (${c.service.name} and ${o.service.name}): the chart runs one Flower, from ${c.service.name}.`, [o.service.name]);
  }
}

/** The chart's Flower for the planned service, and the outcome of each of its compose keys. */
export function flowerProps(ctx: MappingContext, image: string): FlowerProps | undefined {
  const c = ctx.flowerService;
  if (!c) return undefined;
  const o = ctx.out(c);
  const prefix = ctx.flowerPrefix ?? '/flower/';
  const props: Draft<FlowerProps> = {
    basicAuth: { secretName: ctx.appSecret, key: FLOWER_AUTH_KEY },
  };
  if (prefix !== '/flower/') props.pathPrefix = prefix;
  props.resources = resourcesOf(ctx, c, 'flower', 'flower').resources;
  ctx.comment('flower', `Flower, from compose service ${c.service.name}: the edge serves it under ${prefix} and asks for the user:password in Secret ${ctx.appSecret}, key ${FLOWER_AUTH_KEY}.`);
  ctx.becomes.set(c.service.name, `flower: the chart's Flower under ${prefix}, behind basic auth (Secret ${ctx.appSecret}, key ${FLOWER_AUTH_KEY})`);

  const argv = c.analysis.commands.find((x) => x.kind === 'celery-flower')?.argv ?? [];
  const auth = envOutcomes(ctx, c, argv);
  ctx.addSecret(ctx.appSecret, FLOWER_AUTH_KEY, 'FLOWER_BASIC_AUTH', c.service.name, `Flower's basic-auth credentials, user:password (pairs separated by commas for several users)${auth ? `; compose had them in ${auth}` : ''}`);
  if (!auth) ctx.addTodo('Celery', `Compose served Flower (${c.service.name}) without authentication; the chart's Flower always asks for it: put user:password into Secret ${ctx.appSecret}, key ${FLOWER_AUTH_KEY}.`, [c.service.name]);

  const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
  const dropped = otherOptions(argv, CHART_OPTIONS, CHART_OPTIONS);
  if (cmdKey) {
    o.set(cmdKey, dropped.length ? A : C, `celery -A <celeryApp> flower --url_prefix=${prefix.replace(/^\/|\/$/g, '')}, with the app's broker and the basic auth from the Secret${dropped.length ? `; ${dropped.join(' ')} not carried` : ''}`);
    if (cmdKey === 'command' && c.service.spec.entrypoint !== undefined) o.set('entrypoint', A, 'the chart sets the container command, so this entrypoint does not run');
  }
  for (const key of ['ports', 'expose']) {
    if (c.service.spec[key] !== undefined) o.set(key, A, `Flower listens on 5555 behind the edge, under ${prefix}; nothing is published on a host`);
  }
  if (healthOf(ctx, c)) healthKeys(ctx, c, [A, `Flower is probed on ${prefix}healthcheck`], [A, "the chart's probe timings apply"]);

  if (sameImageAsBackend(ctx, c, image)) {
    if (c.image) o.set('image', C, `the Django image ${image}, which has Flower installed`);
    if (c.service.spec.build !== undefined) o.set('build', C, `the same image as ${ctx.backend.service.name}, built by CI`);
  } else {
    o.set(c.image ? 'image' : 'build', A, `the chart runs Flower from the Django image ${image} (celery -A <celeryApp> flower), not ${c.image?.ref ?? 'its own build'}`);
    ctx.addTodo('Images', `Compose ran Flower from ${c.image?.ref ?? 'a build of its own'} (${c.service.name}); the chart runs it from the Django image with the app's settings: add flower to the app's requirements.`, [c.service.name]);
  }
  return props as FlowerProps;
}

/**
 * Reports the outcome of each variable of the Flower service; returns where compose had Flower's
 * credentials (those variables, or `--basic_auth` in its argv), if anywhere.
 */
function envOutcomes(ctx: MappingContext, c: Classified, argv: readonly string[]): string | undefined {
  const o = ctx.out(c);
  const where: string[] = [];
  for (const e of c.service.environment) {
    const key = e.origin === 'environment' ? `environment.${e.name}` : `env_file.${e.name}`;
    if (AUTH_VARS.test(e.name)) {
      where.push(e.name);
      o.set(key, e.name === 'FLOWER_BASIC_AUTH' ? C : A, `Secret ${ctx.appSecret}, key ${FLOWER_AUTH_KEY} holds user:password (FLOWER_BASIC_AUTH); the value is not written anywhere`);
    } else if (BROKER_VARS.includes(e.name)) {
      o.set(key, C, 'Flower gets the broker of the workers from the chart');
    } else {
      const app = ctx.backend.service.environment.some((x) => x.name === e.name);
      o.set(key, app ? A : D, app ? "Flower gets the app's settings, as the workers do, not a set of its own" : "not carried: Flower gets the app's settings only");
    }
  }
  if (argv.some((w) => /^--basic[_-]auth/.test(w))) where.push('--basic_auth');
  return where.length ? where.join(', ') : undefined;
}

