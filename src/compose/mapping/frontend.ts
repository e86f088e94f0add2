// Maps the Nuxt frontend: its image, port, the API URLs it is given, its other variables, probes and size.
import { FRONTEND_ENV } from '../../workloads/nuxt-frontend';
import { urlsIn } from '../hosts';
import { quoteArgv } from '../shell';
import { finished, Draft, FrontendProps } from './chart-props';
import { A, C, MappingContext } from './context';
import { rewriteAddresses, secretReason } from './settings';
import { graceOf, healthKeys, healthOf, listenPorts, portOutcomes, probeTimings, resourcesOf, timingsDetail, webReplicas } from './sizing';
import { intOf, secretKeyFor } from './values';

/** The variables the chart sets on the frontend (NODE_ENV, HOST, PORT), from the workload that sets them. */
const CHART_SET_FRONTEND_VARS: string[] = [...Object.keys(FRONTEND_ENV.fixed), FRONTEND_ENV.port];
const FRONTEND_VALUES: Record<string, string> = FRONTEND_ENV.fixed;

export function frontendProps(ctx: MappingContext): FrontendProps | undefined {
  const c = ctx.frontend;
  if (!c) return undefined;
  const o = ctx.out(c);
  ctx.need(c, 'image');
  const props: Draft<FrontendProps> = {};
  if (c.image) {
    props.image = c.image.repository;
    const tag = c.image.tag;
    if (tag && tag !== 'latest' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
      props.tag = tag;
      o.set('image', C, `frontend.image ${c.image.repository}, tag ${tag}`);
    } else {
      o.set('image', A, `frontend.image ${c.image.repository}; the tag ${tag ?? '(none)'} moves, so it runs the app version`);
      ctx.addTodo('Images', `Give the frontend image ${c.image.repository} an immutable tag (frontend.tag in main.ts; it runs the app version now).`, [c.service.name]);
    }
    if (c.service.spec.build !== undefined) o.set('build', C, `CI builds and pushes ${c.image.repository}`);
  } else {
    props.image = `registry.example.com/${ctx.appName}/frontend`;
    o.set('build', A, `no image: the generated app runs ${props.image}, a placeholder`);
    ctx.addTodo('Images', `Build the frontend image in CI and push it; replace the placeholder ${props.image} in main.ts.`, [c.service.name]);
  }
  const env = c.service.environment;
  const literalPort = ['PORT', 'NUXT_PORT', 'NITRO_PORT'].map((n) => env.find((e) => e.name === n)).find((e) => e?.value && intOf(e.value));
  let port = (literalPort ? intOf(literalPort.value) : undefined) ?? listenPorts(ctx, c)[0]?.target ?? 3000;
  if (port < 1024) {
    ctx.addTodo('Frontend', `The frontend listened on ${port}; it listens on 3000 now (a non-root process cannot bind below 1024).`, [c.service.name]);
    port = 3000;
  }
  if (port !== 3000) props.port = port;
  ctx.componentNames.set(c.service.name, { name: 'frontend', port });
  portOutcomes(ctx, c, port, 'frontend');
  const backendName = ctx.backend.service.name;
  const notes: string[] = [];
  for (const e of env) {
    const key = e.origin === 'environment' ? `environment.${e.name}` : `env_file.${e.name}`;
    const urls = urlsIn(`${e.value ?? ''}`);
    const toBackend = urls.find((u) => u.host === backendName);
    if (literalPort && e === literalPort && !CHART_SET_FRONTEND_VARS.includes(e.name)) {
      o.set(key, C, `the frontend's port (${port}); the chart sets ${FRONTEND_ENV.port}`);
    } else if (CHART_SET_FRONTEND_VARS.includes(e.name)) {
      o.set(key, e.name === 'NODE_ENV' && e.value !== FRONTEND_ENV.fixed.NODE_ENV ? A : C, `set by the chart (${e.name === FRONTEND_ENV.port ? port : FRONTEND_VALUES[e.name]})`);
    } else if (toBackend && props.internalApiUrlVariable === undefined && /^https?$/.test(toBackend.scheme)) {
      if (e.name !== 'NUXT_API_BASE') props.internalApiUrlVariable = e.name;
      const apiPath = (toBackend.rest.replace(/[?#].*$/, '').replace(/\/+$/, '') || '/');
      if (apiPath !== '/api' && /^\/[\w./-]*$/.test(apiPath)) props.apiPath = apiPath;
      o.set(key, C, `the in-cluster API URL the chart gives the frontend (http://backend:<port>${apiPath === '/' ? '' : apiPath})`);
    } else if (urls.length && /API|BACKEND/i.test(e.name) && /PUBLIC|BROWSER|CLIENT/i.test(e.name) && props.publicApiUrlVariable === undefined) {
      if (e.name !== 'NUXT_PUBLIC_API_BASE') props.publicApiUrlVariable = e.name;
      o.set(key, A, `the public API URL: https://<edge host><apiPath> (compose had ${e.value})`);
      notes.push(`public API ${e.value}`);
      if (!ctx.hasEdge && urls[0] && /^https:\/\//.test(e.value ?? '')) props.publicApiUrl = e.value;
    } else {
      const secret = secretReason(ctx, e);
      if (secret) {
        const secretName = `${ctx.appName}-frontend`;
        ctx.podOf('frontend').extraSecretEnv.set(e.name, { name: e.name, secretName, key: secretKeyFor(e.name) });
        ctx.addSecret(secretName, secretKeyFor(e.name), e.name, c.service.name, `${e.name} (${secret})`);
        o.set(key, C, `frontend.extraSecretEnv: Secret ${secretName}, key ${secretKeyFor(e.name)} (${secret}); the value is not written anywhere`);
      } else {
        const rewritten = rewriteAddresses(ctx, e.value ?? '');
        ctx.podOf('frontend').extraEnv.set(e.name, rewritten.value);
        o.set(key, rewritten.note ? A : C, `frontend.extraEnv ${JSON.stringify(rewritten.value)}${rewritten.note ? ` (${rewritten.note})` : ''}`);
      }
    }
  }
  if (!ctx.hasEdge && props.publicApiUrl === undefined) {
    props.publicApiUrl = `https://${ctx.appName}.example.com/api`;
    ctx.comment('frontend.publicApiUrl', 'TODO(import): the API as browsers reach it (a placeholder: the app has no edge).');
    ctx.addTodo('Frontend', `Set frontend.publicApiUrl in main.ts (${props.publicApiUrl} is a placeholder).`, [c.service.name]);
  }
  const h = healthOf(ctx, c);
  if (h) {
    if (h.path && !h.disabled) {
      if (h.path !== '/healthz') props.healthPath = h.path;
      healthKeys(ctx, c, [C, `an HTTP GET ${h.path} readiness probe on the http port; liveness and startup check the port is open`], timingsDetail(h, 'frontend'));
    } else {
      healthKeys(ctx, c, [A, `${h.form ?? ''} ${JSON.stringify(h.text ?? '')} is not an HTTP check: readiness is GET /healthz, liveness a TCP check`], timingsDetail(h, 'frontend'));
      ctx.addTodo('Frontend', 'Serve GET /healthz from the Nuxt server (200 when it can render pages).', [c.service.name]);
    }
    const { timings } = probeTimings(h);
    if (timings && !h.disabled) props.probeTimings = timings;
  } else {
    ctx.addTodo('Frontend', 'Serve GET /healthz from the Nuxt server (200 when it can render pages); compose had no healthcheck.', [c.service.name]);
  }
  const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
  if (cmdKey) o.set(cmdKey, A, `the image's entrypoint and CMD run the server (the chart sets no command for the frontend); compose ran ${quoteArgv(c.analysis.argv ?? [])}`);
  if (cmdKey) ctx.addTodo('Frontend', `Make the frontend image's CMD start the production server (compose ran ${quoteArgv(c.analysis.argv ?? [])}).`, [c.service.name]);
  webReplicas(ctx, c, props, 'the frontend');
  const g = graceOf(ctx, c, 40, 'the frontend (a 10 s drain plus the 30 s render timeout)');
  if (g !== undefined) props.terminationGracePeriodSeconds = g;
  props.resources = resourcesOf(ctx, c, 'frontend', 'frontend').resources;
  ctx.comment('frontend', `compose service ${c.service.name}: the Nuxt server (${c.recognisedBy}).`);
  ctx.becomes.set(c.service.name, `frontend: Deployment, Service frontend:${port}, HPA, PodDisruptionBudget`);
  return finished(props);
}
