import { checkEnum, checkInteger, invalid, Owner } from '../../platform/errors';
import { sha256Hex } from '../../platform/sha256';

/**
 * Scheme nginx uses to reach the S3 endpoint named in an X-Accel-Redirect.
 */
export enum S3Scheme {
  /** TLS to S3, with SNI and certificate verification against `s3TrustedCaFile`. */
  HTTPS = 'https',
  /** Plain HTTP. Only for tests and S3-compatible stores on a trusted network. */
  HTTP = 'http',
}

/**
 * Which address families the `resolver` asks for.
 */
export enum ResolverAddressFamily {
  /** Ask for A records only (`ipv6=off`): right for IPv4-only clusters. */
  IPV4_ONLY = 'ipv4-only',
  /** Ask for A and AAAA records. */
  IPV4_AND_IPV6 = 'ipv4-and-ipv6',
}

/**
 * What the edge sends upstream as `X-Forwarded-Proto`.
 */
export enum ForwardedProto {
  /**
   * Keep the `X-Forwarded-Proto` sent by the load balancer or ingress in front of the edge
   * (which terminates TLS); fall back to nginx's own `$scheme` when the request has none.
   */
  FROM_INCOMING_HEADER_OR_SCHEME = 'from-incoming-header-or-scheme',
  /** Always nginx's own `$scheme` (the edge itself is the TLS-terminating hop, or nothing is). */
  SCHEME = 'scheme',
}

/**
 * Whether the backend path prefixes (not the upload prefixes) buffer request bodies.
 */
export enum BackendRequestBuffering {
  /**
   * nginx reads the whole request body before it calls the backend, so slow clients do not
   * hold Django workers. Upload prefixes always stream, whatever this says.
   */
  BUFFERED = 'buffered',
  /** Request bodies are streamed to the backend as they arrive (`proxy_request_buffering off`). */
  STREAMED = 'streamed',
}

/**
 * What the edge routes where and how, apart from the addresses it routes to: path prefixes, S3
 * downloads, DNS, sizes, timeouts and worker settings. Every field has a default.
 */
export interface NginxRoutingOptions {
  /**
   * Path prefixes sent to the backend with request buffering set by `backendRequestBuffering`.
   * Each must start and end with `/`.
   * @default ['/api/', '/admin/']
   */
  readonly backendPathPrefixes?: string[];

  /**
   * Path prefixes of upload endpoints: sent to the backend with request buffering off
   * (bodies are streamed, chunked or not) and `uploadMaxBodySize` as the body limit.
   * Each must start and end with `/`. A prefix may sit under a backend prefix (`/api/upload/`):
   * the longest prefix wins.
   * @default ['/upload/']
   */
  readonly uploadPathPrefixes?: string[];

  /**
   * Path prefix served from `staticOrigin`.
   * @default '/static/'
   */
  readonly staticPathPrefix?: string;

  /**
   * Internal path prefix that Django's `X-Accel-Redirect` answers point to:
   * `X-Accel-Redirect: <prefix><s3 host>/<percent-encoded key path>?<presigned query>`.
   * Direct requests to it get 404.
   * @default '/_s3/'
   */
  readonly internalS3Prefix?: string;

  /**
   * Scheme used to reach the S3 host named in an X-Accel-Redirect.
   * @default S3Scheme.HTTPS
   */
  readonly s3Scheme?: S3Scheme;

  /**
   * S3 hosts (`host` or `host:port`, exactly as in the presigned URL) that X-Accel-Redirect may
   * point to. Anything else gets 404 without a request to it.
   * @default - any syntactically valid host name or IPv4 address, with an optional port
   */
  readonly allowedS3Hosts?: string[];

  /**
   * CA bundle used to verify the certificates of S3 (and of an https `staticOrigin`).
   * Only written when TLS is used. nginx fails to start if the file is missing.
   * @default '/etc/ssl/certs/ca-certificates.crt'
   */
  readonly trustedCaFile?: string;

  /**
   * Extra response headers from S3 to hide from the client, on top of the fixed list
   * (`x-amz-request-id`, `x-amz-id-2`, `x-amz-server-side-encryption*`, `x-amz-version-id`,
   * `Set-Cookie`, ...). nginx cannot hide by wildcard, so `x-amz-meta-<name>` user metadata
   * headers must be listed here by full name.
   * @default []
   */
  readonly extraHiddenS3Headers?: string[];

  /**
   * DNS servers for names resolved at request time (the S3 host and the static origin host):
   * `host`, `IPv4`, `[IPv6]`, each with an optional `:port`. A name here is itself resolved
   * once, when nginx starts, through the system resolver (`/etc/resolv.conf`), which in
   * Kubernetes is the cluster DNS.
   * @default ['kube-dns.kube-system.svc.cluster.local']
   */
  readonly resolvers?: string[];

  /**
   * How long nginx caches a DNS answer, in seconds (the resolver's `valid=`).
   * @default 30
   */
  readonly resolverValidSeconds?: number;

  /**
   * Timeout of one DNS lookup, in seconds.
   * @default 5
   */
  readonly resolverTimeoutSeconds?: number;

  /**
   * Address families the resolver asks for.
   * @default ResolverAddressFamily.IPV4_ONLY
   */
  readonly resolverAddressFamily?: ResolverAddressFamily;

  /**
   * Largest request body accepted on the upload prefixes, as an nginx size:
   * digits with an optional `k`, `m` or `g` suffix, e.g. `5g`. Must be positive.
   * @default '5g'
   */
  readonly uploadMaxBodySize?: string;

  /**
   * Largest request body accepted everywhere else, as an nginx size (e.g. `10m`). Must be positive.
   * @default '10m'
   */
  readonly maxBodySize?: string;

  /**
   * Request body buffering on the backend prefixes (upload prefixes always stream).
   * @default BackendRequestBuffering.BUFFERED
   */
  readonly backendRequestBuffering?: BackendRequestBuffering;

  /**
   * What the edge sends upstream as `X-Forwarded-Proto`.
   * @default ForwardedProto.FROM_INCOMING_HEADER_OR_SCHEME
   */
  readonly forwardedProto?: ForwardedProto;

  /**
   * `proxy_connect_timeout`, in seconds (1-3600).
   * @default 5
   */
  readonly proxyConnectTimeoutSeconds?: number;

  /**
   * `proxy_read_timeout`: longest wait between two reads from an upstream, in seconds (1-86400).
   * @default 300
   */
  readonly proxyReadTimeoutSeconds?: number;

  /**
   * `proxy_send_timeout`: longest wait between two writes to an upstream, in seconds (1-86400).
   * @default 300
   */
  readonly proxySendTimeoutSeconds?: number;

  /**
   * `worker_processes` (1-64). nginx's `auto` counts the node's cores, not the pod's CPU limit,
   * so a number is asked for.
   * @default 2
   */
  readonly workerProcesses?: number;

  /**
   * `worker_connections` (16-65535).
   * @default 1024
   */
  readonly workerConnections?: number;

  /**
   * `user` directive: `user` or `user group`. Only matters when the nginx master runs as root,
   * which the edge container does not; leave unset there.
   * @default - no `user` directive
   */
  readonly workerUser?: string;
}

/**
 * Path prefixes the edge sends to an upstream of their own: an ASGI service beside the backend
 * (websockets with Django Channels, long-lived streamed responses).
 */
export interface NginxServiceRoute {
  /**
   * A name for the route, a DNS label (the component's name): it names the `upstream` block.
   */
  readonly name: string;

  /**
   * The service's address as `host:port`, e.g. `ws:8000`. It is resolved once, when nginx starts.
   */
  readonly upstream: string;

  /**
   * Path prefixes sent to it. Each must start and end with `/`, and be used by no other route; a
   * prefix may sit under another (`/api/stream/` under `/api/`): the longest prefix wins.
   */
  readonly pathPrefixes: string[];

  /**
   * `proxy_read_timeout` and `proxy_send_timeout` on these prefixes, in seconds (1-86400): how long a
   * connection may stay silent in one direction before nginx closes it. A websocket that sends no
   * frame for this long is closed, so clients with quieter sockets send pings more often.
   * @default 3600
   */
  readonly idleTimeoutSeconds?: number;

  /**
   * Paths under the route's prefixes that the edge answers with 404 itself instead of passing them
   * on (exact paths, any query string): what the service serves without authentication and that must
   * stay in the cluster, such as Flower's Prometheus `/flower/metrics`.
   * @default - none: every path under the prefixes reaches the service
   */
  readonly blockedPaths?: string[];
}

/**
 * Options for {@link NginxConfig.render}: the addresses the edge routes to, where it listens, and
 * the routing options.
 */
export interface NginxConfigOptions extends NginxRoutingOptions {
  /**
   * Backend (Django) address as `host:port`, e.g. `backend:8000`.
   * It is resolved once, when nginx starts (a Kubernetes Service's ClusterIP does not change).
   */
  readonly backendUpstream: string;

  /**
   * Frontend (Nuxt SSR) address as `host:port`, e.g. `frontend:3000`, which serves every path no
   * prefix claims. It is resolved once, when nginx starts.
   * @default - no frontend: the backend serves every path, X-Accel downloads included
   */
  readonly frontendUpstream?: string;

  /**
   * Further upstreams, each with the path prefixes it serves: websocket and streaming (ASGI)
   * services beside the backend. Their locations upgrade websockets and stream responses, with
   * their own idle timeouts.
   * @default - none: the backend and frontend serve every path
   */
  readonly serviceRoutes?: NginxServiceRoute[];

  /**
   * Base URL of the static files origin: the statics bucket or a CDN, e.g.
   * `https://myapp-static.s3.eu-central-1.amazonaws.com/static/`. `http` is accepted for tests.
   * A request for `<staticPathPrefix><rest>` is proxied to `<staticOrigin><rest>`.
   * The host is resolved at request time through the `resolvers`.
   */
  readonly staticOrigin: string;

  /**
   * Port nginx listens on. Must be unprivileged (1024-65535): the container runs as non-root.
   * @default 8080
   */
  readonly listenPort?: number;

  /**
   * Address nginx listens on.
   * @default - all IPv4 addresses (`listen 8080`)
   */
  readonly listenAddress?: string;

  /**
   * Exact path answered `200 ok` by nginx itself, without proxying, for probes.
   * @default '/healthz'
   */
  readonly healthPath?: string;

  /**
   * Writable directory for the pid file and every temp path. It must exist when nginx starts
   * (mount an emptyDir there: the root filesystem is read-only).
   * @default '/tmp/nginx'
   */
  readonly runtimeDir?: string;
}

/** Response headers from S3 that never reach the client. */
const HIDDEN_S3_HEADERS: readonly string[] = [
  'x-amz-id-2',
  'x-amz-request-id',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-bucket-key-enabled',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key-MD5',
  'x-amz-version-id',
  'x-amz-delete-marker',
  'x-amz-expiration',
  'x-amz-restore',
  'x-amz-replication-status',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
  'x-amz-tagging-count',
  'x-amz-mp-parts-count',
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
  'x-amz-request-charged',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
  'x-amz-bucket-region',
  'Set-Cookie',
];

/** Request headers passed to S3; nothing else from the client is (no Cookie, no Authorization). */
const S3_PASSED_REQUEST_HEADERS: ReadonlyArray<[string, string]> = [
  ['Range', '$http_range'],
  ['If-Range', '$http_if_range'],
  ['If-None-Match', '$http_if_none_match'],
  ['If-Modified-Since', '$http_if_modified_since'],
];

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const SIZE_RE = /^([0-9]+)([kKmMgG]?)$/;
const PREFIX_RE = /^\/(?:[A-Za-z0-9._~-]+\/)*$/;
const HEADER_NAME_RE = /^[A-Za-z0-9-]+$/;
const PATH_RE = /^\/[A-Za-z0-9._~/-]*$/;

/**
 * Whose options these are and how the user wrote each field, for error messages: `NginxConfig.render`
 * names the fields of {@link NginxConfigOptions}, the edge router names its own props.
 */
export interface NginxOptionSource {
  readonly owner: Owner;
  /** The field as the user wrote it, from the name of the option. */
  readonly fieldName: (option: string) => string;
}

const STANDALONE: NginxOptionSource = { owner: 'NginxConfigOptions', fieldName: (option) => option };

const HOST_PORT = '"host:port" (a DNS name or IPv4 address, and a port from 1 to 65535)';

function isPort(text: string): boolean {
  return /^[0-9]{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

function isHost(host: string): boolean {
  return host.length > 0 && host.length <= 253 && HOST_RE.test(host);
}

/** The checks of the options, each error naming the owner, the field as the user wrote it and what is accepted. */
class OptionChecks {
  constructor(private readonly source: NginxOptionSource) {}

  /** Throws a ValidationError for `option`. */
  public invalid(option: string, expected: string, got: unknown): never {
    invalid(this.source.owner, this.source.fieldName(option), expected, got);
  }

  /** `option` as the user wrote it, for messages that name a second field. */
  public name(option: string): string {
    return this.source.fieldName(option);
  }

  public integer(option: string, value: number, min: number, max: number): number {
    return checkInteger(this.source.owner, this.source.fieldName(option), value, min, max);
  }

  public enumValue<T extends string>(option: string, value: T, values: Record<string, T>): T {
    return checkEnum(this.source.owner, this.source.fieldName(option), value, values);
  }

  /** `host:port` with a DNS name or IPv4 address and a port from 1 to 65535. */
  public hostPort(option: string, value: string): string {
    const m = typeof value === 'string' ? /^([^:\s]+):([^:\s]+)$/.exec(value) : null;
    if (!m || !isHost(m[1]) || !isPort(m[2])) this.invalid(option, HOST_PORT, value);
    return value;
  }

  /** `host` or `host:port`, as it appears in a URL. */
  public hostOptionalPort(option: string, value: string): string {
    const m = typeof value === 'string' ? /^([^:\s/]+)(?::([0-9]{1,5}))?$/.exec(value) : null;
    if (!m || !isHost(m[1]) || (m[2] !== undefined && !isPort(m[2]))) {
      this.invalid(option, '"host" or "host:port" (a DNS name or IPv4 address, port 1-65535)', value);
    }
    return value;
  }

  public resolver(option: string, value: string): string {
    const v6 = typeof value === 'string' ? /^\[([0-9A-Fa-f:.]+)\](?::([0-9]+))?$/.exec(value) : null;
    const m = typeof value === 'string' ? /^([^:\s[\]]+)(?::([^:\s]*))?$/.exec(value) : null;
    const port = v6 ? v6[2] : m?.[2];
    if (!(v6 || (m && isHost(m[1]))) || (port !== undefined && !isPort(port))) {
      this.invalid(option, 'a list of resolvers, each "host", "IPv4" or "[IPv6]" with an optional ":port" (1-65535)', value);
    }
    return value;
  }

  public size(option: string, value: string): string {
    const m = typeof value === 'string' ? SIZE_RE.exec(value) : null;
    if (!m) this.invalid(option, 'an nginx size: digits with an optional k, m or g suffix (e.g. "5g", "10m")', value);
    if (/^0+$/.test(m[1])) this.invalid(option, 'a positive size (nginx reads 0 as "no limit")', value);
    return value;
  }

  public prefix(option: string, value: string): string {
    if (typeof value !== 'string' || !value.startsWith('/') || !value.endsWith('/')) {
      this.invalid(option, 'path prefixes that start and end with "/"', value);
    }
    if (value === '/') {
      this.invalid(option, 'path prefixes other than "/" alone (every other path already goes to the frontend, or to the backend without one)', value);
    }
    if (!PREFIX_RE.test(value)) {
      this.invalid(option, 'path prefixes of letters, digits and . _ ~ - between slashes', value);
    }
    return value;
  }

  public absolutePath(option: string, value: string): string {
    if (typeof value !== 'string' || !PATH_RE.test(value) || value.includes('//')) {
      this.invalid(option, 'an absolute path of letters, digits and . _ ~ - /', value);
    }
    return value;
  }

  public staticOrigin(value: string): StaticOrigin {
    const option = 'staticOrigin';
    const form = 'an absolute http or https URL with a host, an optional path and no query, '
      + 'fragment or credentials (e.g. "https://static.example.com/static/")';
    const m = typeof value === 'string' ? /^(https?):\/\/([^/?#@\s]+)(\/[^?#\s]*)?$/.exec(value) : null;
    if (!m) this.invalid(option, form, value);
    this.hostOptionalPort(option, m[2]);
    let basePath = m[3] ?? '/';
    if (!/^\/[A-Za-z0-9._~/%-]*$/.test(basePath)) {
      this.invalid(option, `${form}, whose path has only letters, digits and . _ ~ % - /`, value);
    }
    if (!basePath.endsWith('/')) basePath += '/';
    return { scheme: m[1], host: m[2], basePath };
  }
}

interface StaticOrigin {
  readonly scheme: string;
  readonly host: string;
  readonly basePath: string;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface ResolvedServiceRoute {
  readonly upstreamName: string;
  readonly upstream: string;
  readonly pathPrefixes: string[];
  readonly idleTimeout: number;
  readonly blockedPaths: string[];
}

interface Resolved {
  readonly listen: string;
  readonly backendUpstream: string;
  readonly frontendUpstream?: string;
  readonly serviceRoutes: ResolvedServiceRoute[];
  readonly staticOrigin: StaticOrigin;
  readonly backendPathPrefixes: string[];
  readonly uploadPathPrefixes: string[];
  readonly staticPathPrefix: string;
  readonly internalS3Prefix: string;
  readonly s3Scheme: S3Scheme;
  readonly allowedS3Hosts: string[];
  readonly trustedCaFile: string;
  readonly hiddenS3Headers: string[];
  readonly resolvers: string[];
  readonly resolverValidSeconds: number;
  readonly resolverTimeoutSeconds: number;
  readonly resolverAddressFamily: ResolverAddressFamily;
  readonly uploadMaxBodySize: string;
  readonly maxBodySize: string;
  readonly backendRequestBuffering: BackendRequestBuffering;
  readonly forwardedProto: ForwardedProto;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly sendTimeout: number;
  readonly healthPath: string;
  readonly runtimeDir: string;
  readonly workerProcesses: number;
  readonly workerConnections: number;
  readonly workerUser?: string;
}


const DEFAULT_BACKEND_PREFIXES = ['/api/', '/admin/'];
const DEFAULT_UPLOAD_PREFIXES = ['/upload/'];
const DEFAULT_STATIC_PREFIX = '/static/';
const DEFAULT_INTERNAL_S3_PREFIX = '/_s3/';

/**
 * The prefixes routing options give the backend, the uploads, the statics and the internal S3
 * location (defaults included), each with the option that sets it: what a service route must not reuse.
 */
export function routingPrefixes(o: NginxRoutingOptions = {}): [prefix: string, field: string][] {
  return [
    ...(o.backendPathPrefixes ?? DEFAULT_BACKEND_PREFIXES).map((p): [string, string] => [p, 'backendPathPrefixes']),
    ...(o.uploadPathPrefixes ?? DEFAULT_UPLOAD_PREFIXES).map((p): [string, string] => [p, 'uploadPathPrefixes']),
    [o.staticPathPrefix ?? DEFAULT_STATIC_PREFIX, 'staticPathPrefix'],
    [o.internalS3Prefix ?? DEFAULT_INTERNAL_S3_PREFIX, 'internalS3Prefix'],
  ];
}

function checkBlockedPaths(check: OptionChecks, option: string, paths: string[], prefixes: string[]): string[] {
  if (!Array.isArray(paths)) check.invalid(option, 'a list of paths', paths);
  return paths.map((p, i) => {
    check.absolutePath(`${option}[${i}]`, p);
    if (!prefixes.some((prefix) => p.startsWith(prefix) && p !== prefix)) {
      check.invalid(`${option}[${i}]`, `a path under one of the route's prefixes (${prefixes.join(', ')})`, p);
    }
    return p;
  });
}

function resolveServiceRoutes(
  check: OptionChecks, routes: NginxServiceRoute[], claim: (option: string, prefix: string) => void,
): ResolvedServiceRoute[] {
  if (!Array.isArray(routes)) check.invalid('serviceRoutes', 'a list of routes { name, upstream, pathPrefixes }', routes);
  const names = new Map<string, string>();
  return routes.map((route, i) => {
    const option = `serviceRoutes[${i}]`;
    if (route === null || typeof route !== 'object') check.invalid(option, 'a route { name, upstream, pathPrefixes }', route);
    if (typeof route.name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(route.name)) {
      check.invalid(`${option}.name`, 'a DNS label (lowercase letters, digits and -, at most 63 characters)', route.name);
    }
    const other = names.get(route.name);
    if (other !== undefined) check.invalid(`${option}.name`, `unique among the service routes (${check.name(other)} has it too)`, route.name);
    names.set(route.name, `${option}.name`);
    if (!Array.isArray(route.pathPrefixes) || route.pathPrefixes.length === 0) {
      check.invalid(`${option}.pathPrefixes`, 'a list of at least one prefix (a route nothing reaches is a mistake)', route.pathPrefixes);
    }
    const pathPrefixes = route.pathPrefixes.map((p) => check.prefix(`${option}.pathPrefixes`, p));
    pathPrefixes.forEach((p) => claim(`${option}.pathPrefixes`, p));
    return {
      upstreamName: `edge_service_${route.name.replace(/-/g, '_')}`,
      upstream: check.hostPort(`${option}.upstream`, route.upstream),
      pathPrefixes,
      idleTimeout: check.integer(`${option}.idleTimeoutSeconds`, route.idleTimeoutSeconds ?? 3600, 1, 86400),
      blockedPaths: checkBlockedPaths(check, `${option}.blockedPaths`, route.blockedPaths ?? [], pathPrefixes),
    };
  });
}

function resolveOptions(o: NginxConfigOptions, source: NginxOptionSource): Resolved {
  const check = new OptionChecks(source);
  if (o === null || typeof o !== 'object') invalid(source.owner, 'the options', 'an object of NginxConfigOptions', o);
  const listenPort = check.integer('listenPort', o.listenPort ?? 8080, 1024, 65535);
  let listen = String(listenPort);
  if (o.listenAddress !== undefined) {
    if (!/^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$/.test(o.listenAddress)
      || o.listenAddress.split('.').some(p => Number(p) > 255)) {
      check.invalid('listenAddress', 'an IPv4 address such as "0.0.0.0" or "127.0.0.1"', o.listenAddress);
    }
    listen = `${o.listenAddress}:${listenPort}`;
  }

  const backendPathPrefixes = (o.backendPathPrefixes ?? DEFAULT_BACKEND_PREFIXES)
    .map(p => check.prefix('backendPathPrefixes', p));
  const uploadPathPrefixes = (o.uploadPathPrefixes ?? DEFAULT_UPLOAD_PREFIXES)
    .map(p => check.prefix('uploadPathPrefixes', p));
  if (backendPathPrefixes.length + uploadPathPrefixes.length === 0) {
    check.invalid('backendPathPrefixes', `a list of at least one prefix when ${check.name('uploadPathPrefixes')} is empty too (the backend needs a route)`, backendPathPrefixes);
  }
  const staticPathPrefix = check.prefix('staticPathPrefix', o.staticPathPrefix ?? DEFAULT_STATIC_PREFIX);
  const internalS3Prefix = check.prefix('internalS3Prefix', o.internalS3Prefix ?? DEFAULT_INTERNAL_S3_PREFIX);

  const seen = new Map<string, string>();
  const claim = (option: string, prefix: string) => {
    const owner = seen.get(prefix);
    if (owner !== undefined) check.invalid(option, `prefixes that no other route uses ("${prefix}" is also in ${check.name(owner)})`, prefix);
    seen.set(prefix, option);
  };
  backendPathPrefixes.forEach(p => claim('backendPathPrefixes', p));
  uploadPathPrefixes.forEach(p => claim('uploadPathPrefixes', p));
  claim('staticPathPrefix', staticPathPrefix);
  claim('internalS3Prefix', internalS3Prefix);
  const serviceRoutes = resolveServiceRoutes(check, o.serviceRoutes ?? [], claim);
  for (const p of seen.keys()) {
    if (p !== internalS3Prefix && (p.startsWith(internalS3Prefix) || internalS3Prefix.startsWith(p))) {
      check.invalid('internalS3Prefix', `a prefix that neither contains nor sits under another prefix ("${p}" of ${check.name(seen.get(p)!)} does)`, internalS3Prefix);
    }
  }

  const healthPath = check.absolutePath('healthPath', o.healthPath ?? '/healthz');
  if (healthPath.startsWith(internalS3Prefix)) {
    check.invalid('healthPath', `a path outside ${check.name('internalS3Prefix')} "${internalS3Prefix}"`, healthPath);
  }

  const allowedS3Hosts = (o.allowedS3Hosts ?? []).map(h => check.hostOptionalPort('allowedS3Hosts', h));
  const hidden = [...HIDDEN_S3_HEADERS];
  for (const h of o.extraHiddenS3Headers ?? []) {
    if (typeof h !== 'string' || !HEADER_NAME_RE.test(h)) {
      check.invalid('extraHiddenS3Headers', 'a list of header names of letters, digits and - (no wildcards)', h);
    }
    if (!hidden.some(x => x.toLowerCase() === h.toLowerCase())) hidden.push(h);
  }

  const resolvers = (o.resolvers ?? ['kube-dns.kube-system.svc.cluster.local'])
    .map(r => check.resolver('resolvers', r));
  if (resolvers.length === 0) {
    check.invalid('resolvers', 'a list of at least one DNS server (request-time names need one)', resolvers);
  }

  let workerUser: string | undefined;
  if (o.workerUser !== undefined) {
    if (!/^[a-z_][a-z0-9_-]*(?: [a-z_][a-z0-9_-]*)?$/.test(o.workerUser)) {
      check.invalid('workerUser', '"user" or "user group" (lowercase POSIX names)', o.workerUser);
    }
    workerUser = o.workerUser;
  }

  const trustedCaFile = o.trustedCaFile ?? '/etc/ssl/certs/ca-certificates.crt';
  check.absolutePath('trustedCaFile', trustedCaFile);

  return {
    listen,
    backendUpstream: check.hostPort('backendUpstream', o.backendUpstream),
    frontendUpstream: o.frontendUpstream === undefined ? undefined : check.hostPort('frontendUpstream', o.frontendUpstream),
    serviceRoutes,
    staticOrigin: check.staticOrigin(o.staticOrigin),
    backendPathPrefixes,
    uploadPathPrefixes,
    staticPathPrefix,
    internalS3Prefix,
    s3Scheme: check.enumValue('s3Scheme', o.s3Scheme ?? S3Scheme.HTTPS, S3Scheme),
    allowedS3Hosts,
    trustedCaFile,
    hiddenS3Headers: hidden,
    resolvers,
    resolverValidSeconds: check.integer('resolverValidSeconds', o.resolverValidSeconds ?? 30, 1, 86400),
    resolverTimeoutSeconds: check.integer('resolverTimeoutSeconds', o.resolverTimeoutSeconds ?? 5, 1, 60),
    resolverAddressFamily: check.enumValue('resolverAddressFamily',
      o.resolverAddressFamily ?? ResolverAddressFamily.IPV4_ONLY, ResolverAddressFamily),
    uploadMaxBodySize: check.size('uploadMaxBodySize', o.uploadMaxBodySize ?? '5g'),
    maxBodySize: check.size('maxBodySize', o.maxBodySize ?? '10m'),
    backendRequestBuffering: check.enumValue('backendRequestBuffering',
      o.backendRequestBuffering ?? BackendRequestBuffering.BUFFERED, BackendRequestBuffering),
    forwardedProto: check.enumValue('forwardedProto',
      o.forwardedProto ?? ForwardedProto.FROM_INCOMING_HEADER_OR_SCHEME, ForwardedProto),
    connectTimeout: check.integer('proxyConnectTimeoutSeconds', o.proxyConnectTimeoutSeconds ?? 5, 1, 3600),
    readTimeout: check.integer('proxyReadTimeoutSeconds', o.proxyReadTimeoutSeconds ?? 300, 1, 86400),
    sendTimeout: check.integer('proxySendTimeoutSeconds', o.proxySendTimeoutSeconds ?? 300, 1, 86400),
    healthPath,
    runtimeDir: check.absolutePath('runtimeDir', (o.runtimeDir ?? '/tmp/nginx').replace(/(.)\/$/, '$1')),
    workerProcesses: check.integer('workerProcesses', o.workerProcesses ?? 2, 1, 64),
    workerConnections: check.integer('workerConnections', o.workerConnections ?? 1024, 16, 65535),
    workerUser,
  };
}

/** Headers every proxied request to the backend and frontend carries. */
function forwardedHeaders(indent: string): string[] {
  return [
    'proxy_http_version 1.1;',
    'proxy_set_header Host $host;',
    'proxy_set_header Connection $edge_connection;',
    'proxy_set_header Upgrade $http_upgrade;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $edge_forwarded_proto;',
    'proxy_set_header X-Forwarded-Host $host;',
  ].map(l => indent + l);
}

function tlsLines(indent: string, serverName: string, caFile: string): string[] {
  return [
    'proxy_ssl_server_name on;',
    `proxy_ssl_name ${serverName};`,
    'proxy_ssl_verify on;',
    'proxy_ssl_verify_depth 3;',
    `proxy_ssl_trusted_certificate ${caFile};`,
    'proxy_ssl_protocols TLSv1.2 TLSv1.3;',
  ].map(l => indent + l);
}

/** Lines shared by the two locations that talk to S3-like origins. */
function objectStoreLines(indent: string, hidden: string[], hostVar: string): string[] {
  return [
    'proxy_http_version 1.1;',
    // Only an allow-list of request headers goes to S3: no Cookie, no Authorization,
    // no X-Forwarded-*. Host must be the S3 host: it is part of the signature.
    'proxy_pass_request_headers off;',
    'proxy_pass_request_body off;',
    `proxy_set_header Host ${hostVar};`,
    'proxy_set_header Connection "";',
    ...S3_PASSED_REQUEST_HEADERS.map(([h, v]) => `proxy_set_header ${h} ${v};`),
    // An object store must not trigger internal redirects of its own.
    'proxy_ignore_headers X-Accel-Redirect X-Accel-Expires X-Accel-Limit-Rate X-Accel-Buffering X-Accel-Charset Set-Cookie;',
    ...hidden.map(h => `proxy_hide_header ${h};`),
    'proxy_redirect off;',
  ].map(l => indent + l);
}

/**
 * Render the edge router's complete `nginx.conf`. Throws a `ValidationError` naming the owner, the
 * field (as `source` names it) and what is accepted when an option is invalid; nothing is returned then.
 */
function render(options: NginxConfigOptions, source: NginxOptionSource = STANDALONE): string {
  const r = resolveOptions(options, source);
  const i1 = '    ';
  const i2 = '        ';
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);

  push(
    '# Rendered by NginxConfig. Do not edit: change the options it is rendered from.',
    '# Runs as a non-root user on a read-only root filesystem: everything nginx writes is under',
    `# ${r.runtimeDir}, logs go to stderr/stdout. Start with: nginx -g 'daemon off;' -c <this file>`,
  );
  if (r.workerUser !== undefined) push(`user ${r.workerUser};`);
  push(
    `worker_processes ${r.workerProcesses};`,
    `pid ${r.runtimeDir}/nginx.pid;`,
    'error_log stderr warn;',
    '',
    'events {',
    `${i1}worker_connections ${r.workerConnections};`,
    '}',
    '',
    'http {',
    `${i1}default_type application/octet-stream;`,
    `${i1}server_tokens off;`,
    `${i1}sendfile on;`,
    `${i1}tcp_nopush on;`,
    `${i1}keepalive_timeout 65s;`,
    // The list of hidden S3 headers has long names: the default 64-byte buckets are too small.
    `${i1}proxy_headers_hash_max_size 1024;`,
    `${i1}proxy_headers_hash_bucket_size 128;`,
    '',
    `${i1}client_body_temp_path ${r.runtimeDir}/client_body;`,
    `${i1}proxy_temp_path ${r.runtimeDir}/proxy;`,
    `${i1}fastcgi_temp_path ${r.runtimeDir}/fastcgi;`,
    `${i1}uwsgi_temp_path ${r.runtimeDir}/uwsgi;`,
    `${i1}scgi_temp_path ${r.runtimeDir}/scgi;`,
    '',
    `${i1}log_format edge '$remote_addr - [$time_iso8601] "$request" $status $body_bytes_sent '`,
    `${i1}               '"$http_referer" "$http_user_agent" rt=$request_time '`,
    `${i1}               'ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time"';`,
    `${i1}access_log /dev/stdout edge;`,
    '',
    `${i1}# Names in a variable proxy_pass (S3 hosts, the static origin) are resolved per request.`,
    `${i1}resolver ${r.resolvers.join(' ')} valid=${r.resolverValidSeconds}s`
      + `${r.resolverAddressFamily === ResolverAddressFamily.IPV4_ONLY ? ' ipv6=off' : ''};`,
    `${i1}resolver_timeout ${r.resolverTimeoutSeconds}s;`,
    '',
    `${i1}proxy_connect_timeout ${r.connectTimeout}s;`,
    `${i1}proxy_read_timeout ${r.readTimeout}s;`,
    `${i1}proxy_send_timeout ${r.sendTimeout}s;`,
    `${i1}client_max_body_size ${r.maxBodySize};`,
    '',
    `${i1}map $http_upgrade $edge_connection {`,
    `${i2}default upgrade;`,
    `${i2}'' '';`,
    `${i1}}`,
  );
  if (r.forwardedProto === ForwardedProto.FROM_INCOMING_HEADER_OR_SCHEME) {
    push(
      `${i1}map $http_x_forwarded_proto $edge_forwarded_proto {`,
      `${i2}default $http_x_forwarded_proto;`,
      `${i2}'' $scheme;`,
      `${i1}}`,
    );
  } else {
    push(
      `${i1}map $scheme $edge_forwarded_proto {`,
      `${i2}default $scheme;`,
      `${i1}}`,
    );
  }
  // X-Accel-Redirect downloads. Django answers with
  //   X-Accel-Redirect: <prefix><host>/<percent-encoded key path>?<presigned query>
  // nginx percent-decodes the path of that URI into $uri, so the path and query sent to S3 are
  // taken from the raw header value instead ($upstream_http_x_accel_redirect still holds
  // Django's header during the rewrite phase of the redirected request): byte-for-byte.
  const hostPattern = r.allowedS3Hosts.length > 0
    ? `(?:${r.allowedS3Hosts.map(escapeRegex).join('|')})`
    : '[A-Za-z0-9.-]+(?::[0-9]{1,5})?';
  const xaRegex = `~^${escapeRegex(r.internalS3Prefix)}(${hostPattern})(/[^\\s#]*)$`;
  push(
    `${i1}map $upstream_http_x_accel_redirect $edge_xa_host {`,
    `${i2}"${xaRegex}" $1;`,
    `${i2}default "";`,
    `${i1}}`,
    `${i1}map $upstream_http_x_accel_redirect $edge_xa_path_and_query {`,
    `${i2}"${xaRegex}" $2;`,
    `${i2}default "";`,
    `${i1}}`,
  );
  push(
    '',
    `${i1}upstream edge_backend {`,
    `${i2}server ${r.backendUpstream};`,
    `${i2}keepalive 16;`,
    `${i1}}`,
  );
  if (r.frontendUpstream !== undefined) {
    push(
      `${i1}upstream edge_frontend {`,
      `${i2}server ${r.frontendUpstream};`,
      `${i2}keepalive 16;`,
      `${i1}}`,
    );
  }
  for (const route of r.serviceRoutes) {
    push(
      `${i1}upstream ${route.upstreamName} {`,
      `${i2}server ${route.upstream};`,
      `${i2}keepalive 16;`,
      `${i1}}`,
    );
  }
  push(
    '',
    `${i1}server {`,
    `${i2}listen ${r.listen};`,
    `${i2}server_name _;`,
    `${i2}absolute_redirect off;`,
    '',
    `${i2}location = ${r.healthPath} {`,
    `${i2}    access_log off;`,
    `${i2}    default_type text/plain;`,
    `${i2}    return 200 "ok\\n";`,
    `${i2}}`,
  );

  const backendLocation = (prefix: string, streamed: boolean, maxBody: string | undefined) => {
    push('', `${i2}location ^~ ${prefix} {`);
    push(...forwardedHeaders(i2 + '    '));
    if (maxBody !== undefined) push(`${i2}    client_max_body_size ${maxBody};`);
    if (streamed) push(`${i2}    proxy_request_buffering off;`);
    push(`${i2}    proxy_pass http://edge_backend;`, `${i2}}`);
  };
  for (const p of r.backendPathPrefixes) {
    backendLocation(p, r.backendRequestBuffering === BackendRequestBuffering.STREAMED, undefined);
  }
  for (const p of r.uploadPathPrefixes) {
    backendLocation(p, true, r.uploadMaxBodySize);
  }

  // Websockets and streamed (ASGI) responses: the Upgrade and Connection headers pass (the map
  // above), responses reach the client as they are written, and a quiet connection lives for the
  // route's idle timeout instead of the server-wide one.
  for (const route of r.serviceRoutes) {
    for (const p of route.pathPrefixes) {
      push(
        '',
        `${i2}location ^~ ${p} {`,
        ...forwardedHeaders(i2 + '    '),
        `${i2}    proxy_read_timeout ${route.idleTimeout}s;`,
        `${i2}    proxy_send_timeout ${route.idleTimeout}s;`,
        `${i2}    proxy_buffering off;`,
        `${i2}    proxy_pass http://${route.upstreamName};`,
        `${i2}}`,
      );
    }
    // An exact location wins over the prefix: these paths never reach the service.
    for (const p of route.blockedPaths) {
      push('', `${i2}location = ${p} {`, `${i2}    return 404;`, `${i2}}`);
    }
  }

  // Static files: the origin host sits in a variable so it is resolved at request time
  // (nginx still starts when the name does not resolve yet).
  const so = r.staticOrigin;
  push(
    '',
    `${i2}location ^~ ${r.staticPathPrefix} {`,
    `${i2}    set $edge_static_host "${so.host}";`,
    `${i2}    rewrite ^${escapeRegex(r.staticPathPrefix)}(.*)$ ${so.basePath}$1 break;`,
    ...objectStoreLines(i2 + '    ', r.hiddenS3Headers, '$edge_static_host'),
  );
  if (so.scheme === 'https') push(...tlsLines(i2 + '    ', '$edge_static_host', r.trustedCaFile));
  push(
    `${i2}    proxy_pass ${so.scheme}://$edge_static_host;`,
    `${i2}}`,
  );

  // X-Accel-Redirect downloads. Django answers with
  //   X-Accel-Redirect: <prefix><host>/<percent-encoded key path>?<presigned query>
  // nginx percent-decodes the path of that URI into $uri, so the path and query sent to S3 are
  // taken from the raw header value instead ($upstream_http_x_accel_redirect still holds
  // Django's header during the rewrite phase of the redirected request): byte-for-byte.
  push(
    '',
    `${i2}location ^~ ${r.internalS3Prefix} {`,
    `${i2}    internal;`,
    // Snapshot the map results now: once proxy_pass starts, $upstream_* describe the S3 request.
    `${i2}    set $edge_s3_host $edge_xa_host;`,
    `${i2}    set $edge_s3_path_and_query $edge_xa_path_and_query;`,
    `${i2}    if ($edge_s3_host = "") {`,
    `${i2}        return 404;`,
    `${i2}    }`,
    ...objectStoreLines(i2 + '    ', r.hiddenS3Headers, '$edge_s3_host'),
    // nginx keeps Django's Content-Disposition, Cache-Control, Expires and Set-Cookie across the
    // internal redirect; S3's copies would duplicate them (browsers reject two
    // Content-Disposition headers), so Django's answer is the one the client gets.
    `${i2}    proxy_hide_header Content-Disposition;`,
    `${i2}    proxy_hide_header Cache-Control;`,
    `${i2}    proxy_hide_header Expires;`,
    // Stream to the client: no temp files, however large the object.
    `${i2}    proxy_buffering off;`,
    `${i2}    proxy_max_temp_file_size 0;`,
    // S3 error bodies name the bucket, key and access key id: the client sees nginx's own page.
    `${i2}    proxy_intercept_errors on;`,
    `${i2}    error_page 404 = @edge_s3_not_found;`,
    `${i2}    error_page 400 401 403 405 409 411 412 500 501 502 503 504 = @edge_s3_failed;`,
  );
  if (r.s3Scheme === S3Scheme.HTTPS) push(...tlsLines(i2 + '    ', '$edge_s3_host', r.trustedCaFile));
  push(
    `${i2}    proxy_pass ${r.s3Scheme}://$edge_s3_host$edge_s3_path_and_query;`,
    `${i2}}`,
    `${i2}location @edge_s3_not_found {`,
    `${i2}    return 404;`,
    `${i2}}`,
    `${i2}location @edge_s3_failed {`,
    `${i2}    return 502;`,
    `${i2}}`,
  );
  if (r.frontendUpstream !== undefined) {
    // The frontend renders pages; only the backend may answer with an internal redirect to S3.
    push(
      '',
      `${i2}location / {`,
      ...forwardedHeaders(i2 + '    '),
      `${i2}    proxy_ignore_headers X-Accel-Redirect;`,
      `${i2}    proxy_pass http://edge_frontend;`,
      `${i2}}`,
    );
  } else {
    // No frontend: the backend serves every other path, and its X-Accel-Redirect answers work there too.
    push('', `${i2}location / {`, ...forwardedHeaders(i2 + '    '));
    if (r.backendRequestBuffering === BackendRequestBuffering.STREAMED) push(`${i2}    proxy_request_buffering off;`);
    push(`${i2}    proxy_pass http://edge_backend;`, `${i2}}`);
  }
  push(`${i1}}`, '}', '');
  return out.join('\n');
}

/**
 * The edge router's nginx configuration.
 */
export class NginxConfig {
  /**
   * Render a complete `nginx.conf` for the edge router. Pure and deterministic.
   * @throws ValidationError naming the invalid field and the accepted form
   */
  public static render(options: NginxConfigOptions): string {
    return render(options);
  }

  /**
   * SHA-256 (lowercase hex) of a config string, for the `checksum/config` pod annotation that rolls
   * the edge's pods when their config changes.
   */
  public static checksum(config: string): string {
    return sha256Hex(config);
  }

  private constructor() {}
}

/**
 * Same as {@link NginxConfig.render}, for TypeScript callers; `source` names the owner and the
 * fields in error messages as its user wrote them (the edge router's own props).
 */
export function renderNginxConfig(options: NginxConfigOptions, source?: NginxOptionSource): string {
  return render(options, source);
}

/** Same as {@link NginxConfig.checksum}, for TypeScript callers. */
export function nginxConfigChecksum(config: string): string {
  return sha256Hex(config);
}
