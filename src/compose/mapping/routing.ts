// Maps the way in: the compose nginx (its configuration, read from the mounts or the image's Dockerfile)
// or the published ports onto the edge, its host, and its routes (backend, upload, static, X-Accel and
// web-service prefixes); each nginx location gets a line in the report.
import * as fs from 'fs';
import * as path from 'path';
import { isPublicHost } from '../../platform/public-hosts';
import { NginxLocation, nginxSite, NginxSite, parseNginx } from '../nginx-conf';
import { RouteOutcome } from '../report';
import { Classified, isComponentRole } from '../roles';
import { durationSeconds, parseBytes } from '../units';
import { finished, Draft, EdgeProps, RoutingProps } from './chart-props';
import { A, C, D, MappingContext } from './context';
import { DEFAULT_SIZES, healthKeys, healthOf, listenPorts, resourcesOf, webReplicas } from './sizing';
import { listOf, parseMount, parsePorts, uniq } from './values';
import { webServiceName } from './web-services';

export function describeLocation(l: NginxLocation): string {
  const parts: string[] = [];
  if (l.internal) parts.push('internal');
  if (l.proxyPass) parts.push(`proxy_pass ${l.proxyPass}`);
  if (l.files) parts.push(`files from ${l.files}`);
  if (l.returns !== undefined) parts.push(`return ${l.returns}`);
  if (l.websocket) parts.push('WebSocket upgrade');
  if (l.bodySize) parts.push(`client_max_body_size ${l.bodySize}`);
  if (l.requestBufferingOff) parts.push('proxy_request_buffering off');
  return parts.join(', ') || 'other directives';
}

export function readNginx(ctx: MappingContext, c: Classified): { site?: NginxSite; files: string[]; error?: string } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const [i, v] of listOf(c.service.spec.volumes).entries()) {
    const m = parseMount(c.service.name, i, v);
    if (!m || m.type !== 'bind' || !m.source) continue;
    const config = /^\/etc\/nginx\/(nginx\.conf|conf\.d|sites-enabled|sites-available|templates|http\.d)(\/|$)/.test(m.target) || /\.conf(\.template)?$/.test(m.source);
    if (!config) continue;
    const source = path.resolve(ctx.project.dir, m.source);
    if (!fs.existsSync(source)) {
      missing.push(m.source);
      continue;
    }
    if (fs.statSync(source).isDirectory()) {
      for (const f of fs.readdirSync(source).filter((x) => /\.conf(\.template)?$/.test(x)).sort()) files.push(path.join(source, f));
    } else {
      files.push(source);
    }
  }
  // A configuration the image's Dockerfile copies into /etc/nginx (a custom nginx image of the project).
  for (const f of c.context?.copies ?? []) {
    const file = path.resolve(ctx.project.dir, f.source);
    if (/^\/etc\/nginx\//.test(f.target) && /\.conf(\.template)?$/.test(f.target) && !files.includes(file)) files.push(file);
  }
  const shown = (f: string) => path.relative(ctx.project.dir, f).split(path.sep).join('/');
  if (!files.length) return { files, error: missing.length ? `${missing.join(', ')} not found next to the compose file` : undefined };
  const directives = [];
  for (const f of files) {
    try {
      directives.push(...parseNginx(fs.readFileSync(f, 'utf8')));
    } catch (e) {
      return { files: [], error: `${shown(f)}: ${(e as Error).message}` };
    }
  }
  return { site: nginxSite(directives), files: files.map(shown), error: missing.length ? `${missing.join(', ')} not found` : undefined };
}

/** The components other than the nginx edge that compose publishes on the host: with them, the app gets an edge. */
export function publishedServices(ctx: MappingContext): Classified[] {
  return ctx.classified
    .filter((x) => isComponentRole(x.role) && x !== ctx.edgeService && parsePorts(x.service.spec.ports).some((p) => p.published !== undefined));
}

/** Whether the generated app gets an edge: compose ran an nginx in front of the app, or published a component. */
export function edgeWanted(ctx: MappingContext): boolean {
  return ctx.edgeService !== undefined || publishedServices(ctx).length > 0;
}

/** A host name with a domain (`localhost`, `_` or a bare service name is no site's public name). */
const hasDomain = (host: string) => host.includes('.');

/** A name that can be the edge's host: a public host with a domain, not a wildcard. */
const isSiteHost = (host: string) => isPublicHost(host) && hasDomain(host) && !host.startsWith('*.');

export function mapEdge(ctx: MappingContext): EdgeProps | undefined {
  const c = ctx.edgeService;
  const published = publishedServices(ctx);
  if (!edgeWanted(ctx)) return undefined;
  ctx.hasEdge = true;
  const props: Draft<EdgeProps> = {};
  let host: string | undefined;
  let site: NginxSite | undefined;
  if (c) {
    const o = ctx.out(c);
    const read = readNginx(ctx, c);
    site = read.site;
    if (read.error) ctx.addTodo('Edge', `The nginx configuration could not be read (${read.error}); compare its routes with the generated edge (docs/EDGE.md).`, [c.service.name]);
    host = site?.serverNames.find(isSiteHost);
    if (c.image) {
      o.set('image', A, `${c.image.ref} is replaced by the edge's unprivileged nginx (docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine, non-root, port 8080) with a generated nginx.conf`);
    }
    if (c.service.spec.build !== undefined) o.set('build', A, 'the edge runs the unprivileged nginx image with a generated nginx.conf; a custom nginx image is not built');
    const cmdKey = c.service.spec.command !== undefined ? 'command' : c.service.spec.entrypoint !== undefined ? 'entrypoint' : undefined;
    if (cmdKey) o.set(cmdKey, A, 'the edge runs nginx with its generated nginx.conf');
    routingProps(ctx, c, site, props);
    const ports = listenPorts(ctx, c);
    for (const key of ['ports', 'expose']) {
      if (c.service.spec[key] === undefined) continue;
      const tls = ports.some((p) => p.target === 443);
      o.set(key, A, `nginx listens on 8080 behind the Ingress (host ${host ?? 'placeholder'}); ${tls ? 'TLS terminates at the ingress controller (set edge.clusterIssuer for cert-manager)' : 'nothing is published on a host'}`);
      if (tls) ctx.addTodo('Edge', 'TLS terminated in the compose nginx (port 443): set edge.clusterIssuer to a cert-manager ClusterIssuer, or terminate TLS at your load balancer.', [c.service.name]);
    }
    const h = healthOf(ctx, c);
    if (h) healthKeys(ctx, c, [A, 'the edge answers GET /healthz itself (readiness) and is live while its port is open'], [A, "the chart's probe timings apply"]);
    webReplicas(ctx, c, props, 'the edge');
    props.resources = resourcesOf(ctx, c, 'edge', 'edge').resources;
    ctx.becomes.set(c.service.name, 'edge: nginx Deployment with a generated nginx.conf, Service, Ingress, HPA');
    ctx.comment('edge', `compose service ${c.service.name}: nginx in front of the app.${read.files.length ? ` Its routes (${read.files.join(', ')}) are compared with this edge in MIGRATION.md.` : ''}`);
    if (c.service.spec.stop_grace_period !== undefined) ctx.out(c).set('stop_grace_period', A, 'the edge\'s grace period follows its proxy read timeout');
  } else {
    props.resources = { ...DEFAULT_SIZES.edge };
    ctx.routes.push({
      location: '/',
      compose: `no nginx: ${published.map((p) => `${p.service.name} published ${parsePorts(p.service.spec.ports).filter((x) => x.published !== undefined).map((x) => `${x.published}:${x.target}`).join(', ')}`).join('; ')}`,
      edge: `the Ingress and the generated edge: ${ctx.frontend ? 'the frontend for every path no prefix claims, ' : 'the backend for every path, '}the backend for /api/ and /admin/, uploads on /upload/, /static/ from the statics bucket, X-Accel downloads from S3 under /_s3/`,
      covered: A,
    });
    ctx.comment('edge', `The compose file publishes ${published.map((p) => p.service.name).join(', ')} on the host; the edge and its Ingress are the way in now.`);
  }
  if (!host) {
    for (const s of [ctx.backend, ...ctx.classified]) {
      const v = s.service.environment.find((e) => ['VIRTUAL_HOST', 'DOMAIN', 'APP_HOST', 'ALLOWED_HOSTS', 'DJANGO_ALLOWED_HOSTS'].includes(e.name))?.value;
      const candidate = v?.split(/[,\s]+/).find((h) => isSiteHost(h) && !/^(localhost|127\.|0\.0\.0\.0)/.test(h));
      if (candidate) {
        host = candidate;
        break;
      }
    }
  }
  if (!host) {
    host = `${ctx.appName}.example.com`;
    ctx.comment('edge.host', 'TODO(import): the public host name (a placeholder).');
    ctx.addTodo('Edge', `Set edge.host in main.ts to the public host name (${host} is a placeholder).`);
  }
  props.host = host;
  // The other names nginx answered to (`*.example.com` for tenants on subdomains; `.example.com` is
  // nginx's short form of both) become Ingress rules too; `_` and regular expressions are no host.
  const others = uniq((site?.serverNames ?? []).flatMap((n) => (n.startsWith('.') ? [n.slice(1), `*${n}`] : [n])))
    .filter((n) => n !== host && isPublicHost(n) && hasDomain(n));
  if (others.length) {
    props.additionalHosts = others;
    ctx.comment('edge.additionalHosts', `The other server_name entries of the compose nginx: each is a rule of the Ingress.${others.some((n) => n.startsWith('*.')) ? ' A wildcard certificate (edge.clusterIssuer) needs a DNS-01 issuer.' : ''}`);
  }
  props.ingressNamespace = 'ingress-nginx';
  ctx.comment('edge.ingressNamespace', "The ingress controller's namespace: the only one allowed to reach the edge.");
  ctx.addTodo('Edge', 'Check edge.ingressNamespace in main.ts: the namespace of your ingress controller (ingress-nginx is assumed).');
  // Key order: host first reads best.
  return finished<EdgeProps>({ host: props.host, additionalHosts: props.additionalHosts, ingressNamespace: props.ingressNamespace, ...props });
}

export function routingProps(ctx: MappingContext, c: Classified, site: NginxSite | undefined, props: Draft<EdgeProps>): void {
  const backendHosts = new Set([ctx.backend.service.name]);
  const frontendHosts = new Set(ctx.frontend ? [ctx.frontend.service.name] : []);
  const webHosts = new Map<string, Classified>(ctx.webServers.map((w) => [w.service.name, w]));
  const flowerHosts = new Set(ctx.flowerService ? [ctx.flowerService.service.name] : []);
  if (site) {
    for (const [name, servers] of Object.entries(site.upstreams)) {
      const hosts = servers.map((s) => s.replace(/:\d+$/, ''));
      if (hosts.some((h) => backendHosts.has(h))) backendHosts.add(name);
      if (hosts.some((h) => frontendHosts.has(h))) frontendHosts.add(name);
      if (hosts.some((h) => flowerHosts.has(h))) flowerHosts.add(name);
      const web = hosts.map((h) => webHosts.get(h)).find((w) => w !== undefined);
      if (web && !webHosts.has(name)) webHosts.set(name, web);
    }
  }
  const backendPrefixes: string[] = [];
  const uploadPrefixes: string[] = [];
  let staticPrefix: string | undefined;
  let internalPrefix: string | undefined;
  let uploadSize: string | undefined;
  const add = (r: RouteOutcome) => ctx.routes.push(r);
  const prefixOf = (p: string) => (p.endsWith('/') ? p : `${p}/`);
  const validPrefix = (p: string) => /^\/(?:[A-Za-z0-9._~-]+\/)*$/.test(p) && p !== '/';
  const big = (size?: string) => {
    const b = size ? parseBytes(size) : undefined;
    return b !== undefined && b > 10n * 1024n * 1024n;
  };
  if (!site) {
    add({ location: '/', compose: 'no nginx configuration found', edge: `the generated routes: ${ctx.frontend ? 'the frontend for every path no prefix claims, ' : ''}the backend for /api/ and /admin/, uploads on /upload/, /static/ from the statics bucket, X-Accel downloads from S3 under /_s3/`, covered: A });
    return;
  }
  for (const l of site.locations) {
    const loc = `${l.modifier ? `${l.modifier} ` : ''}${l.path}`;
    const compose = describeLocation(l);
    if (l.modifier === '@') {
      add({ location: loc, compose, edge: 'not carried: named locations have no counterpart', covered: D });
      continue;
    }
    if (l.modifier === '~' || l.modifier === '~*') {
      add({ location: loc, compose, edge: 'not carried: the edge routes by path prefix, not by regular expression', covered: D });
      continue;
    }
    const p = l.path;
    const toBackend = l.proxyHost !== undefined && backendHosts.has(l.proxyHost);
    const toFrontend = l.proxyHost !== undefined && frontendHosts.has(l.proxyHost);
    if (l.internal) {
      const prefix = prefixOf(p);
      if (validPrefix(prefix) && !internalPrefix) {
        internalPrefix = prefix;
        add({ location: loc, compose, edge: `X-Accel-Redirect prefix ${prefix}: nginx streams the object from S3; Django must answer X-Accel-Redirect: ${prefix}<s3 host>/<key>?<presigned query> (docs/EDGE.md) instead of a path ${l.files ? `under ${l.files}` : ''}`.trim(), covered: A });
        ctx.addTodo('Edge', `Change the X-Accel-Redirect answers of Django: the edge serves ${prefix}<s3 host>/<percent-encoded key>?<presigned query> from S3 (docs/EDGE.md), not files from a volume.`, [c.service.name]);
      } else {
        add({ location: loc, compose, edge: 'not carried: the edge has one internal X-Accel prefix', covered: D });
      }
      continue;
    }
    const web = l.proxyHost !== undefined ? webHosts.get(l.proxyHost) : undefined;
    if (web) {
      const prefix = prefixOf(p);
      const name = webServiceName(ctx, web);
      if (!validPrefix(prefix)) {
        add({ location: loc, compose, edge: `not carried: not a plain path prefix; the web service ${name} gets a placeholder prefix`, covered: D });
        continue;
      }
      ctx.webPrefixes.set(web, uniq([...(ctx.webPrefixes.get(web) ?? []), prefix]));
      add({ location: loc, compose, edge: `web service ${name} prefix ${prefix} (websocket upgrades, unbuffered, idle timeout 3600 s)`, covered: prefix === p ? C : A });
      continue;
    }
    if (l.proxyHost !== undefined && flowerHosts.has(l.proxyHost)) {
      const prefix = prefixOf(p);
      if (!validPrefix(prefix) || ctx.flowerPrefix !== undefined) {
        add({ location: loc, compose, edge: `not carried: Flower is served under one plain path prefix (${ctx.flowerPrefix ?? '/flower/'})`, covered: D });
        continue;
      }
      ctx.flowerPrefix = prefix;
      add({ location: loc, compose, edge: `Flower prefix ${prefix}, behind basic auth`, covered: prefix === p ? C : A });
      continue;
    }
    if (l.websocket && toBackend) {
      // The edge passes upgrades on every proxied location (docs/EDGE.md), so the route carries over;
      // what differs is the idle timeout: the edge's server-wide one, unless a webServices entry gives
      // the route its own.
      const prefix = prefixOf(p);
      if (!validPrefix(prefix)) {
        add({ location: loc, compose, edge: 'not carried: not a plain path prefix', covered: D });
        continue;
      }
      backendPrefixes.push(prefix);
      add({ location: loc, compose, edge: `backend prefix ${prefix} (websocket upgrades pass; the idle timeout is the edge's server-wide one, a webServices entry gives a route its own)`, covered: A });
      continue;
    }
    if (toBackend) {
      if (p === '/') {
        add({ location: loc, compose, edge: ctx.frontend ? 'not carried: every path no prefix claims goes to the frontend' : 'every path no prefix claims goes to the backend', covered: ctx.frontend ? A : C });
        continue;
      }
      const prefix = prefixOf(p);
      if (!validPrefix(prefix)) {
        add({ location: loc, compose, edge: 'not carried: not a plain path prefix', covered: D });
        continue;
      }
      const upload = l.requestBufferingOff || big(l.bodySize);
      (upload ? uploadPrefixes : backendPrefixes).push(prefix);
      if (upload && l.bodySize) uploadSize = l.bodySize.toLowerCase();
      add({ location: loc, compose, edge: `${upload ? 'upload prefix' : 'backend prefix'} ${prefix}${upload ? ' (streamed, not buffered)' : ''}`, covered: prefix === p ? C : A });
      continue;
    }
    if (toFrontend) {
      add({ location: loc, compose, edge: 'the frontend (every path no prefix claims)', covered: p === '/' ? C : A });
      continue;
    }
    if (l.proxyHost) {
      const target = ctx.byName.get(l.proxyHost);
      add({ location: loc, compose, edge: `not carried: ${l.proxyHost} ${target ? `(${target.role}) is not part of the generated app` : 'is not a service of the compose file'}`, covered: D });
      continue;
    }
    if (l.files) {
      if (/static/i.test(p) || /static/i.test(l.files)) {
        const prefix = prefixOf(p);
        if (validPrefix(prefix)) staticPrefix = prefix;
        add({ location: loc, compose, edge: `${prefix}: served from the statics bucket, which collectstatic fills`, covered: A });
      } else if (/media|upload|files/i.test(p) || /media|upload|files/i.test(l.files)) {
        add({ location: loc, compose, edge: 'not carried: media are in S3; Django authorises each download and answers with X-Accel-Redirect (see the internal prefix)', covered: D });
        ctx.addTodo('Edge', `nginx served ${p} from ${l.files}: media live in S3 now; serve them through Django's X-Accel-Redirect answers (or presigned URLs).`, [c.service.name]);
      } else {
        add({ location: loc, compose, edge: 'not carried: files from a volume', covered: D });
      }
      continue;
    }
    if (l.returns !== undefined) {
      add({ location: loc, compose, edge: /health|ping|status/i.test(p) ? 'the edge answers /healthz itself' : 'not carried', covered: /health|ping|status/i.test(p) ? A : D });
      continue;
    }
    add({ location: loc, compose, edge: 'not carried', covered: D });
  }
  const routing: Draft<RoutingProps> = {};
  if (backendPrefixes.length) routing.backendPathPrefixes = uniq(backendPrefixes);
  if (uploadPrefixes.length || backendPrefixes.length) routing.uploadPathPrefixes = uniq(uploadPrefixes);
  if (!backendPrefixes.length && !uploadPrefixes.length) delete routing.uploadPathPrefixes;
  if (staticPrefix && staticPrefix !== '/static/') routing.staticPathPrefix = staticPrefix;
  if (internalPrefix && internalPrefix !== '/_s3/') routing.internalS3Prefix = internalPrefix;
  if (uploadSize && /^[0-9]+[kmg]?$/.test(uploadSize) && uploadSize !== '5g') routing.uploadMaxBodySize = uploadSize;
  const serverSize = site.bodySize?.toLowerCase();
  if (serverSize && /^[0-9]+[kmg]?$/.test(serverSize) && !/^0+[kmg]?$/.test(serverSize) && serverSize !== '10m') routing.maxBodySize = serverSize;
  const timeout = durationSeconds(site.proxyReadTimeout?.replace(/^(\d+)$/, '$1s'));
  if (timeout !== undefined && timeout >= 1 && timeout <= 86400 && timeout !== 300) routing.proxyReadTimeoutSeconds = timeout;
  // A prefix may not be claimed twice (e.g. the internal prefix also proxied).
  const claimed = new Set<string>();
  for (const k of ['backendPathPrefixes', 'uploadPathPrefixes'] as const) {
    if (routing[k]) routing[k] = routing[k].filter((p) => !claimed.has(p) && p !== (routing.internalS3Prefix ?? '/_s3/') && claimed.add(p));
  }
  if (Object.keys(routing).length) props.routing = routing;
}
