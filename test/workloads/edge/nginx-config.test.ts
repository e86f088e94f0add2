import { ValidationError } from '../../../src/platform/errors';
import {
  BackendRequestBuffering,
  ForwardedProto,
  NginxConfig,
  NginxConfigOptions,
  ResolverAddressFamily,
  S3Scheme,
  nginxConfigChecksum,
  renderNginxConfig,
} from '../../../src/workloads/edge/nginx-config';

const BASE: NginxConfigOptions = {
  backendUpstream: 'backend:8000',
  frontendUpstream: 'frontend:3000',
  staticOrigin: 'https://picvario-static.s3.eu-central-1.amazonaws.com/static/',
};

function render(extra: Partial<NginxConfigOptions> = {}): string {
  return renderNginxConfig({ ...BASE, ...extra });
}

/** The text of the first `location <match> { ... }` block (one nesting level of `if`/braces allowed). */
function location(conf: string, match: string): string {
  const start = conf.indexOf(`location ${match} {`);
  if (start < 0) throw new Error(`no location ${match} in:\n${conf}`);
  let depth = 0;
  for (let i = conf.indexOf('{', start); i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(start, i + 1);
  }
  throw new Error(`unterminated location ${match}`);
}

describe('GIVEN only the required options', () => {
  const conf = render();

  test('THEN it is a container-friendly nginx.conf: pid, temp paths and logs in writable places', () => {
    expect(conf).toContain('pid /tmp/nginx/nginx.pid;');
    expect(conf).toContain('error_log stderr warn;');
    expect(conf).toContain('access_log /dev/stdout edge;');
    for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      expect(conf).toContain(`${t}_temp_path /tmp/nginx/${t};`);
    }
    expect(conf).not.toMatch(/^user /m);
    expect(conf).not.toMatch(/^\s*daemon /m); // the official image's CMD passes -g 'daemon off;'
    expect(conf).toContain('worker_processes 2;');
    expect(conf).toContain('worker_connections 1024;');
    expect(conf).toContain('server_tokens off;');
  });

  test('THEN it listens on 8080 and answers /healthz itself', () => {
    expect(conf).toContain('        listen 8080;\n');
    const health = location(conf, '= /healthz');
    expect(health).toContain('return 200 "ok\\n";');
    expect(health).not.toContain('proxy_pass');
  });

  test('THEN /api/ and /admin/ go to the backend, buffered, and /upload/ streams with a 5g limit', () => {
    expect(conf).toContain('upstream edge_backend {\n        server backend:8000;\n        keepalive 16;\n    }');
    for (const p of ['/api/', '/admin/']) {
      const loc = location(conf, `^~ ${p}`);
      expect(loc).toContain('proxy_pass http://edge_backend;');
      expect(loc).toContain('proxy_http_version 1.1;');
      expect(loc).not.toContain('proxy_request_buffering');
      expect(loc).not.toContain('client_max_body_size');
    }
    const upload = location(conf, '^~ /upload/');
    expect(upload).toContain('proxy_pass http://edge_backend;');
    expect(upload).toContain('proxy_request_buffering off;');
    expect(upload).toContain('proxy_http_version 1.1;');
    expect(upload).toContain('client_max_body_size 5g;');
    expect(conf).toContain('    client_max_body_size 10m;\n');
  });

  test('THEN everything else goes to the frontend, which may not trigger X-Accel redirects', () => {
    expect(conf).toContain('upstream edge_frontend {\n        server frontend:3000;');
    const root = location(conf, '/');
    expect(root).toContain('proxy_pass http://edge_frontend;');
    expect(root).toContain('proxy_ignore_headers X-Accel-Redirect;');
  });

  test('THEN backend and frontend get Host, X-Real-IP, X-Forwarded-For/-Proto/-Host', () => {
    for (const m of ['^~ /api/', '/']) {
      const loc = location(conf, m);
      expect(loc).toContain('proxy_set_header Host $host;');
      expect(loc).toContain('proxy_set_header X-Real-IP $remote_addr;');
      expect(loc).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
      expect(loc).toContain('proxy_set_header X-Forwarded-Proto $edge_forwarded_proto;');
      expect(loc).toContain('proxy_set_header X-Forwarded-Host $host;');
    }
    expect(conf).toContain("map $http_x_forwarded_proto $edge_forwarded_proto {\n        default $http_x_forwarded_proto;\n        '' $scheme;\n    }");
  });

  test('THEN /static/ is proxied to the statics origin over verified TLS, resolved per request', () => {
    const s = location(conf, '^~ /static/');
    expect(s).toContain('set $edge_static_host "picvario-static.s3.eu-central-1.amazonaws.com";');
    expect(s).toContain('rewrite ^/static/(.*)$ /static/$1 break;');
    expect(s).toContain('proxy_pass https://$edge_static_host;');
    expect(s).toContain('proxy_set_header Host $edge_static_host;');
    expect(s).toContain('proxy_ssl_server_name on;');
    expect(s).toContain('proxy_ssl_verify on;');
    expect(s).toContain('proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;');
    expect(s).toContain('proxy_pass_request_headers off;');
    expect(s).toContain('proxy_hide_header x-amz-request-id;');
  });

  test('THEN the resolver is the cluster DNS, 30s, IPv4 only', () => {
    expect(conf).toContain('resolver kube-dns.kube-system.svc.cluster.local valid=30s ipv6=off;');
    expect(conf).toContain('resolver_timeout 5s;');
  });

  test('THEN proxy timeouts are 5s connect, 300s read and send', () => {
    expect(conf).toContain('proxy_connect_timeout 5s;');
    expect(conf).toContain('proxy_read_timeout 300s;');
    expect(conf).toContain('proxy_send_timeout 300s;');
  });

  test('THEN the internal /_s3/ location takes host, path and query from the raw X-Accel-Redirect', () => {
    expect(conf).toContain('map $upstream_http_x_accel_redirect $edge_xa_host {\n'
      + '        "~^/_s3/([A-Za-z0-9.-]+(?::[0-9]{1,5})?)(/[^\\s#]*)$" $1;\n        default "";\n    }');
    expect(conf).toContain('map $upstream_http_x_accel_redirect $edge_xa_path_and_query {\n'
      + '        "~^/_s3/([A-Za-z0-9.-]+(?::[0-9]{1,5})?)(/[^\\s#]*)$" $2;\n        default "";\n    }');
    const s3 = location(conf, '^~ /_s3/');
    expect(s3).toContain('internal;');
    expect(s3).toContain('set $edge_s3_host $edge_xa_host;');
    expect(s3).toContain('set $edge_s3_path_and_query $edge_xa_path_and_query;');
    expect(s3).toContain('if ($edge_s3_host = "") {\n                return 404;\n            }');
    expect(s3).toContain('proxy_pass https://$edge_s3_host$edge_s3_path_and_query;');
    expect(s3).not.toContain('$args');
  });

  test('THEN S3 gets its own Host and only Range/conditional headers from the client', () => {
    const s3 = location(conf, '^~ /_s3/');
    expect(s3).toContain('proxy_set_header Host $edge_s3_host;');
    expect(s3).toContain('proxy_pass_request_headers off;');
    expect(s3).toContain('proxy_pass_request_body off;');
    expect(s3).toContain('proxy_set_header Range $http_range;');
    expect(s3).toContain('proxy_set_header If-None-Match $http_if_none_match;');
    expect(s3).not.toMatch(/Cookie \$|Authorization \$/);
  });

  test("THEN S3's own headers are hidden and Django's Content-Disposition wins", () => {
    const s3 = location(conf, '^~ /_s3/');
    for (const h of ['x-amz-request-id', 'x-amz-id-2', 'x-amz-server-side-encryption', 'x-amz-version-id',
      'Set-Cookie', 'Content-Disposition', 'Cache-Control', 'Expires']) {
      expect(s3).toContain(`proxy_hide_header ${h};`);
    }
  });

  test('THEN the download streams, and S3 errors are replaced by nginx pages', () => {
    const s3 = location(conf, '^~ /_s3/');
    expect(s3).toContain('proxy_buffering off;');
    expect(s3).toContain('proxy_max_temp_file_size 0;');
    expect(s3).toContain('proxy_intercept_errors on;');
    expect(s3).toContain('error_page 404 = @edge_s3_not_found;');
    expect(s3).toContain('error_page 400 401 403 405 409 411 412 500 501 502 503 504 = @edge_s3_failed;');
    expect(location(conf, '@edge_s3_failed')).toContain('return 502;');
    expect(s3).toContain('proxy_ssl_name $edge_s3_host;');
  });

  test('THEN the whole config matches the snapshot', () => {
    expect(conf).toMatchSnapshot();
  });
});

describe('GIVEN each option set', () => {
  test('WHEN listenPort and listenAddress are set THEN listen uses both', () => {
    expect(render({ listenPort: 9090 })).toContain('        listen 9090;\n');
    expect(render({ listenPort: 9090, listenAddress: '127.0.0.1' })).toContain('        listen 127.0.0.1:9090;\n');
  });

  test('WHEN upstreams are set THEN the upstream blocks name them', () => {
    const c = render({ backendUpstream: '10.0.0.5:8001', frontendUpstream: 'nuxt.web.svc.cluster.local:3001' });
    expect(c).toContain('server 10.0.0.5:8001;');
    expect(c).toContain('server nuxt.web.svc.cluster.local:3001;');
  });

  test('WHEN prefixes are set THEN each gets its location and the defaults are gone', () => {
    const c = render({ backendPathPrefixes: ['/graphql/'], uploadPathPrefixes: ['/api/v1/upload/', '/tus/'], staticPathPrefix: '/assets/' });
    expect(location(c, '^~ /graphql/')).toContain('proxy_pass http://edge_backend;');
    expect(location(c, '^~ /api/v1/upload/')).toContain('proxy_request_buffering off;');
    expect(location(c, '^~ /tus/')).toContain('proxy_request_buffering off;');
    expect(location(c, '^~ /assets/')).toContain('rewrite ^/assets/(.*)$ /static/$1 break;');
    expect(c).not.toContain('location ^~ /api/ ');
    expect(c).not.toContain('location ^~ /admin/');
    expect(c).not.toContain('location ^~ /upload/');
    expect(c).not.toContain('location ^~ /static/');
  });

  test('WHEN backendRequestBuffering is STREAMED THEN backend prefixes stream too', () => {
    const c = render({ backendRequestBuffering: BackendRequestBuffering.STREAMED });
    expect(location(c, '^~ /api/')).toContain('proxy_request_buffering off;');
    expect(location(c, '^~ /admin/')).toContain('proxy_request_buffering off;');
  });

  test('WHEN internalS3Prefix is set THEN the location and the header regex use it', () => {
    const c = render({ internalS3Prefix: '/protected-s3/' });
    expect(location(c, '^~ /protected-s3/')).toContain('internal;');
    expect(c).toContain('"~^/protected-s3/([A-Za-z0-9.-]+');
    expect(c).not.toContain('/_s3/');
  });

  test('WHEN s3Scheme is HTTP THEN S3 is reached over http with no TLS directives', () => {
    const s3 = location(render({ s3Scheme: S3Scheme.HTTP }), '^~ /_s3/');
    expect(s3).toContain('proxy_pass http://$edge_s3_host$edge_s3_path_and_query;');
    expect(s3).not.toContain('proxy_ssl');
  });

  test('WHEN allowedS3Hosts is set THEN only those hosts match, regex-escaped', () => {
    const c = render({ allowedS3Hosts: ['picvario-media.s3.eu-central-1.amazonaws.com', 'minio:9000'] });
    expect(c).toContain('"~^/_s3/((?:picvario-media\\.s3\\.eu-central-1\\.amazonaws\\.com|minio:9000))(/[^\\s#]*)$" $1;');
  });

  test('WHEN trustedCaFile is set THEN TLS verification uses it', () => {
    const c = render({ trustedCaFile: '/etc/pki/ca.pem' });
    expect(c).toContain('proxy_ssl_trusted_certificate /etc/pki/ca.pem;');
    expect(c).not.toContain('ca-certificates.crt');
  });

  test('WHEN extraHiddenS3Headers is set THEN they are hidden too, once', () => {
    const c = render({ extraHiddenS3Headers: ['x-amz-meta-owner', 'X-AMZ-REQUEST-ID'] });
    expect(location(c, '^~ /_s3/')).toContain('proxy_hide_header x-amz-meta-owner;');
    expect(location(c, '^~ /_s3/').match(/proxy_hide_header x-amz-request-id;/gi)).toHaveLength(1);
  });

  test('WHEN resolver options are set THEN the resolver line has them', () => {
    const c = render({
      resolvers: ['10.96.0.10', '[fd00::10]:53', 'dns.local:5353'],
      resolverValidSeconds: 10,
      resolverTimeoutSeconds: 2,
      resolverAddressFamily: ResolverAddressFamily.IPV4_AND_IPV6,
    });
    expect(c).toContain('resolver 10.96.0.10 [fd00::10]:53 dns.local:5353 valid=10s;');
    expect(c).toContain('resolver_timeout 2s;');
  });

  test('WHEN body sizes are set THEN upload and default limits follow', () => {
    const c = render({ uploadMaxBodySize: '512m', maxBodySize: '1M' });
    expect(location(c, '^~ /upload/')).toContain('client_max_body_size 512m;');
    expect(c).toContain('    client_max_body_size 1M;\n');
  });

  test('WHEN forwardedProto is SCHEME THEN the incoming header is not trusted', () => {
    const c = render({ forwardedProto: ForwardedProto.SCHEME });
    expect(c).toContain('map $scheme $edge_forwarded_proto {\n        default $scheme;\n    }');
    expect(c).not.toContain('$http_x_forwarded_proto');
  });

  test('WHEN timeouts are set THEN the proxy timeouts follow', () => {
    const c = render({ proxyConnectTimeoutSeconds: 3, proxyReadTimeoutSeconds: 900, proxySendTimeoutSeconds: 600 });
    expect(c).toContain('proxy_connect_timeout 3s;');
    expect(c).toContain('proxy_read_timeout 900s;');
    expect(c).toContain('proxy_send_timeout 600s;');
  });

  test('WHEN healthPath, runtimeDir, workers and user are set THEN they are used', () => {
    const c = render({ healthPath: '/-/ready', runtimeDir: '/var/run/edge/', workerProcesses: 4, workerConnections: 4096, workerUser: 'nginx nginx' });
    expect(location(c, '= /-/ready')).toContain('return 200');
    expect(c).toContain('pid /var/run/edge/nginx.pid;');
    expect(c).toContain('proxy_temp_path /var/run/edge/proxy;');
    expect(c).toContain('worker_processes 4;');
    expect(c).toContain('worker_connections 4096;');
    expect(c).toMatch(/^user nginx nginx;$/m);
  });

  test('WHEN the static origin is http with a port and no path THEN it maps /static/x to /x', () => {
    const s = location(render({ staticOrigin: 'http://127.0.0.1:9000' }), '^~ /static/');
    expect(s).toContain('set $edge_static_host "127.0.0.1:9000";');
    expect(s).toContain('rewrite ^/static/(.*)$ /$1 break;');
    expect(s).toContain('proxy_pass http://$edge_static_host;');
    expect(s).not.toContain('proxy_ssl');
  });
});

describe('GIVEN the same options twice', () => {
  test('THEN the output and its checksum are identical, and a change changes the checksum', () => {
    const a = render();
    expect(render()).toBe(a);
    expect(nginxConfigChecksum(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(NginxConfig.checksum(a)).toBe(nginxConfigChecksum(a));
    expect(NginxConfig.render(BASE)).toBe(a);
    expect(nginxConfigChecksum(render({ listenPort: 8081 }))).not.toBe(nginxConfigChecksum(a));
    // sha256("") is well known: the helper hashes the exact string
    expect(nginxConfigChecksum('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('GIVEN invalid options', () => {
  const cases: Array<[string, Partial<NginxConfigOptions>, RegExp]> = [
    ['port 80 (privileged)', { listenPort: 80 }, /^NginxConfigOptions: listenPort must be an integer from 1024 to 65535; got 80$/],
    ['port 70000', { listenPort: 70000 }, /listenPort must be an integer from 1024 to 65535; got 70000/],
    ['fractional port', { listenPort: 8080.5 }, /listenPort must be an integer from 1024 to 65535; got 8080.5/],
    ['bad listen address', { listenAddress: '300.1.1.1' }, /listenAddress must be an IPv4 address such as "0.0.0.0" or "127.0.0.1"; got "300.1.1.1"/],
    ['empty backend', { backendUpstream: '' }, /^NginxConfigOptions: backendUpstream must be "host:port" \(a DNS name or IPv4 address, and a port from 1 to 65535\); got ""$/],
    ['backend without port', { backendUpstream: 'backend' }, /backendUpstream must be "host:port" .*; got "backend"/],
    ['backend port 0', { backendUpstream: 'backend:0' }, /backendUpstream must be "host:port" \(.*a port from 1 to 65535\); got "backend:0"/],
    ['frontend with scheme', { frontendUpstream: 'http://frontend:3000' }, /frontendUpstream must be "host:port".*; got "http:\/\/frontend:3000"/],
    ['backend prefix without trailing slash', { backendPathPrefixes: ['/api'] }, /backendPathPrefixes must be path prefixes that start and end with "\/"; got "\/api"/],
    ['upload prefix without leading slash', { uploadPathPrefixes: ['upload/'] }, /uploadPathPrefixes must be path prefixes that start and end with "\/"; got "upload\/"/],
    ['prefix "/"', { backendPathPrefixes: ['/'] }, /backendPathPrefixes must be path prefixes other than "\/" alone \(.*\); got "\/"/],
    ['prefix with a space', { staticPathPrefix: '/my static/' }, /staticPathPrefix must be path prefixes of letters, digits and \. _ ~ - between slashes; got "\/my static\/"/],
    ['prefix with a regex character', { internalS3Prefix: '/s3(x)/' }, /internalS3Prefix must be path prefixes of letters, digits and \. _ ~ - between slashes; got "\/s3\(x\)\/"/],
    ['duplicate backend prefix', { backendPathPrefixes: ['/api/', '/api/'] }, /backendPathPrefixes must be prefixes that no other route uses \("\/api\/" is also in backendPathPrefixes\); got "\/api\/"/],
    ['upload prefix equal to a backend prefix', { uploadPathPrefixes: ['/admin/'] }, /uploadPathPrefixes must be prefixes that no other route uses \("\/admin\/" is also in backendPathPrefixes\); got "\/admin\/"/],
    ['static prefix equal to the internal prefix', { staticPathPrefix: '/_s3/' }, /internalS3Prefix must be prefixes that no other route uses \("\/_s3\/" is also in staticPathPrefix\); got "\/_s3\/"/],
    ['internal prefix under a backend prefix', { internalS3Prefix: '/api/s3/' }, /internalS3Prefix must be a prefix that neither contains nor sits under another prefix \("\/api\/" of backendPathPrefixes does\); got "\/api\/s3\/"/],
    ['no backend routes at all', { backendPathPrefixes: [], uploadPathPrefixes: [] }, /backendPathPrefixes must be a list of at least one prefix when uploadPathPrefixes is empty too \(the backend needs a route\); got \[\]/],
    ['negative size', { uploadMaxBodySize: '-5g' }, /^NginxConfigOptions: uploadMaxBodySize must be an nginx size: digits with an optional k, m or g suffix \(e\.g\. "5g", "10m"\); got "-5g"$/],
    ['malformed size', { maxBodySize: '5 GB' }, /maxBodySize must be an nginx size.*; got "5 GB"/],
    ['fractional size', { maxBodySize: '1.5g' }, /maxBodySize must be an nginx size.*; got "1.5g"/],
    ['zero size', { uploadMaxBodySize: '0' }, /uploadMaxBodySize must be a positive size \(nginx reads 0 as "no limit"\); got "0"/],
    ['static origin ftp', { staticOrigin: 'ftp://static.example.com/' }, /staticOrigin must be an absolute http or https URL.*; got "ftp:\/\/static.example.com\/"/],
    ['static origin with query', { staticOrigin: 'https://cdn.example.com/static/?v=1' }, /staticOrigin must be an absolute http or https URL.*; got "https:\/\/cdn.example.com\/static\/\?v=1"/],
    ['static origin with credentials', { staticOrigin: 'https://user:pw@cdn.example.com/' }, /staticOrigin must be an absolute http or https URL.*no query, fragment or credentials.*; got "https:\/\/user:pw@cdn.example.com\/"/],
    ['empty static origin', { staticOrigin: '' }, /staticOrigin must be an absolute http or https URL.*; got ""$/],
    ['s3Scheme not in the enum', { s3Scheme: 'ftp' as S3Scheme }, /s3Scheme must be one of "https", "http"; got "ftp"/],
    ['empty resolvers', { resolvers: [] }, /resolvers must be a list of at least one DNS server \(request-time names need one\); got \[\]/],
    ['resolver with a ttl baked in', { resolvers: ['kube-dns valid=30s'] }, /resolvers must be a list of resolvers, each "host", "IPv4" or "\[IPv6\]" with an optional ":port" \(1-65535\); got "kube-dns valid=30s"/],
    ['resolver with port 0', { resolvers: ['[::1]:0'] }, /resolvers must be a list of resolvers, each .*; got "\[::1\]:0"/],
    ['resolver ttl 0', { resolverValidSeconds: 0 }, /resolverValidSeconds must be an integer from 1 to 86400; got 0/],
    ['negative timeout', { proxyReadTimeoutSeconds: -1 }, /proxyReadTimeoutSeconds must be an integer from 1 to 86400; got -1/],
    ['connect timeout too long', { proxyConnectTimeoutSeconds: 7200 }, /proxyConnectTimeoutSeconds must be an integer from 1 to 3600; got 7200/],
    ['bad allowed S3 host', { allowedS3Hosts: ['https://s3.amazonaws.com'] }, /allowedS3Hosts must be "host" or "host:port" .*; got "https:\/\/s3.amazonaws.com"/],
    ['bad hidden header', { extraHiddenS3Headers: ['x-amz-meta-*'] }, /extraHiddenS3Headers must be a list of header names of letters, digits and - \(no wildcards\); got "x-amz-meta-\*"/],
    ['relative health path', { healthPath: 'healthz' }, /healthPath must be an absolute path of letters, digits and \. _ ~ - \/; got "healthz"/],
    ['health path under the internal prefix', { healthPath: '/_s3/health' }, /healthPath must be a path outside internalS3Prefix "\/_s3\/"; got "\/_s3\/health"/],
    ['relative runtime dir', { runtimeDir: 'tmp/nginx' }, /runtimeDir must be an absolute path.*; got "tmp\/nginx"/],
    ['zero workers', { workerProcesses: 0 }, /workerProcesses must be an integer from 1 to 64; got 0/],
    ['bad worker user', { workerUser: 'root; daemon on' }, /workerUser must be "user" or "user group" \(lowercase POSIX names\); got "root; daemon on"/],
  ];

  // The field each error names, where it is not the (first) option the case sets.
  const namedField: Record<string, keyof NginxConfigOptions> = {
    'static prefix equal to the internal prefix': 'internalS3Prefix',
  };

  test.each(cases)('WHEN %s THEN render throws naming the field and the accepted form', (name, extra, message) => {
    let thrown: unknown;
    try {
      render(extra);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const text = (thrown as Error).message;
    expect(text).toMatch(message);
    // The message starts with the owner and the option it is about, so a user knows which field to change.
    const field = namedField[name] ?? Object.keys(extra)[0];
    expect(text).toMatch(new RegExp(`^NginxConfigOptions: ${field} must be `));
  });

  test('WHEN the base options are used unchanged THEN render succeeds, so each case above fails on its own change', () => {
    expect(render()).toContain('server {');
  });

  test('WHEN options are missing entirely THEN render throws', () => {
    expect(() => renderNginxConfig(undefined as unknown as NginxConfigOptions)).toThrow('NginxConfigOptions: the options must be an object of NginxConfigOptions; got undefined');
  });
});

describe('GIVEN an ASGI service route for websockets beside the backend', () => {
  const conf = render({ serviceRoutes: [{ name: 'realtime-ws', upstream: 'realtime-ws:8000', pathPrefixes: ['/ws/', '/api/stream/'] }] });

  test('THEN the service gets an upstream of its own, with keepalive like the backend', () => {
    expect(conf).toContain('upstream edge_service_realtime_ws {\n        server realtime-ws:8000;\n        keepalive 16;\n    }');
  });

  test('WHEN a path is under one of its prefixes THEN that location upgrades websockets, streams and waits an hour', () => {
    for (const p of ['/ws/', '/api/stream/']) {
      const block = location(conf, `^~ ${p}`);
      expect(block).toContain('proxy_pass http://edge_service_realtime_ws;');
      expect(block).toContain('proxy_http_version 1.1;');
      expect(block).toContain('proxy_set_header Upgrade $http_upgrade;');
      expect(block).toContain('proxy_set_header Connection $edge_connection;');
      expect(block).toContain('proxy_set_header X-Forwarded-Proto $edge_forwarded_proto;');
      expect(block).toContain('proxy_read_timeout 3600s;');
      expect(block).toContain('proxy_send_timeout 3600s;');
      expect(block).toContain('proxy_buffering off;');
    }
    // "Connection: upgrade" only when the client asks for an upgrade; plain requests keep the upstream connection alive.
    expect(conf).toContain("map $http_upgrade $edge_connection {\n        default upgrade;\n        '' '';\n    }");
  });

  test('THEN the other routes keep their server-wide timeouts, and /api/ still goes to the backend', () => {
    expect(conf).toContain('    proxy_read_timeout 300s;\n');
    expect(location(conf, '^~ /api/')).toContain('proxy_pass http://edge_backend;');
    expect(location(conf, '^~ /api/')).not.toContain('3600s');
  });

  test('WHEN idleTimeoutSeconds is set THEN its location uses it', () => {
    const custom = render({ serviceRoutes: [{ name: 'ws', upstream: 'ws:8001', pathPrefixes: ['/ws/'], idleTimeoutSeconds: 600 }] });
    expect(location(custom, '^~ /ws/')).toContain('proxy_read_timeout 600s;');
    expect(location(custom, '^~ /ws/')).toContain('proxy_send_timeout 600s;');
  });

  test('WHEN a route has blocked paths THEN each is an exact location answered 404 by nginx, and the prefix still goes to the service', () => {
    const blocked = render({ serviceRoutes: [{ name: 'flower', upstream: 'flower:5555', pathPrefixes: ['/flower/'], blockedPaths: ['/flower/metrics'] }] });
    expect(location(blocked, '= /flower/metrics')).toBe('location = /flower/metrics {\n            return 404;\n        }');
    expect(location(blocked, '^~ /flower/')).toContain('proxy_pass http://edge_service_flower;');
    expect(blocked.match(/location = /g)).toHaveLength(1 + (render().match(/location = /g) ?? []).length);
  });

  test('WHEN there are no service routes THEN the config is the one without the option', () => {
    expect(render({ serviceRoutes: [] })).toBe(render());
  });
});

describe('GIVEN invalid service routes', () => {
  const ws = { name: 'ws', upstream: 'ws:8000', pathPrefixes: ['/ws/'] };
  const cases: Array<[string, Partial<NginxConfigOptions>, RegExp]> = [
    ['a prefix the backend has', { serviceRoutes: [{ ...ws, pathPrefixes: ['/api/'] }] },
      /^NginxConfigOptions: serviceRoutes\[0\]\.pathPrefixes must be prefixes that no other route uses \("\/api\/" is also in backendPathPrefixes\); got "\/api\/"$/],
    ['a prefix two services have', { serviceRoutes: [ws, { ...ws, name: 'sse', upstream: 'sse:8000' }] },
      /^NginxConfigOptions: serviceRoutes\[1\]\.pathPrefixes must be prefixes that no other route uses \("\/ws\/" is also in serviceRoutes\[0\]\.pathPrefixes\); got "\/ws\/"$/],
    ['the prefix "/" of the frontend', { serviceRoutes: [{ ...ws, pathPrefixes: ['/'] }] }, /^NginxConfigOptions: serviceRoutes\[0\]\.pathPrefixes must be path prefixes other than "\/" alone/],
    ['a prefix under the internal S3 prefix', { serviceRoutes: [{ ...ws, pathPrefixes: ['/_s3/ws/'] }] },
      /^NginxConfigOptions: internalS3Prefix must be a prefix that neither contains nor sits under another prefix \("\/_s3\/ws\/" of serviceRoutes\[0\]\.pathPrefixes does\); got "\/_s3\/"$/],
    ['no prefix', { serviceRoutes: [{ ...ws, pathPrefixes: [] }] }, /^NginxConfigOptions: serviceRoutes\[0\]\.pathPrefixes must be a list of at least one prefix \(a route nothing reaches is a mistake\); got \[\]$/],
    ['two routes of one name', { serviceRoutes: [ws, { ...ws, pathPrefixes: ['/ws2/'] }] }, /^NginxConfigOptions: serviceRoutes\[1\]\.name must be unique among the service routes \(serviceRoutes\[0\]\.name has it too\); got "ws"$/],
    ['a name that is no DNS label', { serviceRoutes: [{ ...ws, name: 'Web_Socket' }] }, /^NginxConfigOptions: serviceRoutes\[0\]\.name must be a DNS label .*; got "Web_Socket"$/],
    ['an upstream without port', { serviceRoutes: [{ ...ws, upstream: 'ws' }] }, /^NginxConfigOptions: serviceRoutes\[0\]\.upstream must be "host:port" .*; got "ws"$/],
    ['an idle timeout of 0', { serviceRoutes: [{ ...ws, idleTimeoutSeconds: 0 }] }, /^NginxConfigOptions: serviceRoutes\[0\]\.idleTimeoutSeconds must be an integer from 1 to 86400; got 0$/],
    ['a blocked path outside the prefixes', { serviceRoutes: [{ ...ws, blockedPaths: ['/api/metrics'] }] },
      /^NginxConfigOptions: serviceRoutes\[0\]\.blockedPaths\[0\] must be a path under one of the route's prefixes \(\/ws\/\); got "\/api\/metrics"$/],
    ['the prefix itself as a blocked path', { serviceRoutes: [{ ...ws, blockedPaths: ['/ws/'] }] },
      /^NginxConfigOptions: serviceRoutes\[0\]\.blockedPaths\[0\] must be a path under one of the route's prefixes/],
    ['a blocked path with a space', { serviceRoutes: [{ ...ws, blockedPaths: ['/ws/a b'] }] },
      /^NginxConfigOptions: serviceRoutes\[0\]\.blockedPaths\[0\] must be an absolute path of letters, digits and \. _ ~ - \/; got "\/ws\/a b"$/],
  ];

  test.each(cases)('WHEN %s THEN render throws naming the route field and the accepted form', (_name, extra, message) => {
    expect(() => render(extra)).toThrow(message);
  });
});
