/**
 * The generated nginx.conf, run by a real nginx against HTTP stand-ins for the backend, the
 * frontend, the statics origin and S3, all on 127.0.0.1.
 *
 * Every stand-in address is a literal IPv4 address: a variable proxy_pass to a literal IP is
 * connected to directly and the `resolver` is never queried, so no DNS server is needed.
 * The resolver is still written (127.0.0.1, where nothing answers) so the config is the same
 * shape as in the cluster; a request that did need DNS would fail with 502 and fail the test.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  BackendRequestBuffering,
  NginxConfigOptions,
  S3Scheme,
  renderNginxConfig,
} from '../../../src/workloads/edge/nginx-config';

jest.setTimeout(60_000);

const INSTALL_HINT = 'nginx is required for the real-nginx edge tests and was not found on PATH or at '
  + '/usr/sbin/nginx. Install it with: bash hack/nginx/install.sh';

function findNginx(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map(d => path.join(d, 'nginx')),
    '/usr/sbin/nginx',
  ];
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      // next candidate
    }
  }
  throw new Error(INSTALL_HINT);
}

/** `nginx -t`, with stdout on a file: nginx opens /dev/stdout for access_log, which fails on a socket. */
function nginxTest(nginxBin: string, prefix: string, conf: string): { status: number | null; output: string } {
  const out = path.join(prefix, 'nginx-t.log');
  const fd = fs.openSync(out, 'w');
  try {
    const r = spawnSync(nginxBin, ['-t', '-p', prefix, '-c', conf, '-e', 'stderr'], { stdio: ['ignore', fd, fd] });
    return { status: r.status, output: fs.readFileSync(out, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

interface Recorded {
  readonly method: string;
  /** The request-target exactly as received on the wire (path and query, undecoded). */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyBytes: number;
  readonly bodySha256: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

interface StandIn {
  readonly name: string;
  readonly port: number;
  readonly requests: Recorded[];
  readonly server: http.Server;
}

/** A stand-in that records each request (after reading its whole body) and answers with `handler`. */
async function startStandIn(name: string, handler: Handler): Promise<StandIn> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyBytes: body.length,
        bodySha256: createHash('sha256').update(body).digest('hex'),
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { name, port, requests, server };
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => srv.close(() => resolve()));
  return port;
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    req.end(body);
  });
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    p.then(v => { clearTimeout(t); resolve(v); }, e => { clearTimeout(t); reject(e); });
  });
}

/** A real nginx running a rendered config in a fresh folder under the OS temp dir, in its own process group. */
class RunningNginx {
  /** Renders the config for `options` (listen address, port, runtime dir and worker user filled in) and starts nginx. */
  public static async start(nginxBin: string, options: Omit<NginxConfigOptions, 'listenAddress' | 'listenPort' | 'runtimeDir' | 'workerUser'>): Promise<RunningNginx> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-nginx-'));
    // As root, nginx's workers run as `nobody`: they need to traverse the runtime dir.
    fs.chmodSync(workDir, 0o755);
    const runtimeDir = path.join(workDir, 'run');
    fs.mkdirSync(runtimeDir, { mode: 0o755 });
    const port = await freePort();
    const confPath = path.join(workDir, 'nginx.conf');
    fs.writeFileSync(confPath, renderNginxConfig({
      ...options,
      listenAddress: '127.0.0.1',
      listenPort: port,
      runtimeDir,
      workerUser: process.getuid?.() === 0 ? 'nobody nogroup' : undefined,
    }));
    const logPath = path.join(workDir, 'nginx.log');
    const logFd = fs.openSync(logPath, 'a');
    const proc = spawn(nginxBin, ['-p', workDir, '-c', confPath, '-e', 'stderr', '-g', 'daemon off;'], {
      stdio: ['ignore', logFd, logFd],
      detached: true, // own process group, so master and workers can be killed together
    });
    fs.closeSync(logFd);
    const running = new RunningNginx(workDir, confPath, port, proc);
    process.on('exit', running.kill);
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code, signal) => reject(
      new Error(`nginx exited early (code ${code}, signal ${signal}):\n${fs.readFileSync(logPath, 'utf8')}`))));
    exited.catch(() => undefined);
    const ready = (async () => {
      for (;;) {
        try {
          const r = await request(port, 'GET', '/healthz');
          if (r.status === 200) return;
        } catch {
          // not listening yet
        }
        await new Promise(r => setTimeout(r, 100));
      }
    })();
    await withTimeout(Promise.race([ready, exited]), 15_000, `nginx on port ${port} answering /healthz`);
    return running;
  }

  private constructor(
    public readonly workDir: string,
    public readonly confPath: string,
    public readonly port: number,
    private readonly proc: ChildProcess) {}

  /** SIGTERM (fast shutdown: the master stops its workers), SIGKILL to the group after 5 s; removes the folder. */
  public async stop(): Promise<void> {
    if (this.running()) {
      const gone = new Promise<void>(resolve => this.proc.once('exit', () => resolve()));
      process.kill(this.proc.pid!, 'SIGTERM');
      await withTimeout(gone, 5_000, 'nginx exit').catch(() => this.kill());
    }
    process.removeListener('exit', this.kill);
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private running(): boolean {
    return this.proc.pid !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private readonly kill = () => {
    if (!this.running()) return;
    try {
      process.kill(-this.proc.pid!, 'SIGKILL'); // the whole process group: master and workers
    } catch {
      // already gone
    }
  };
}

// ---- the object store, the Django-like backend and the rest --------------------------------

const OBJECT = randomBytes(8 * 1024 * 1024); // 8 MiB: well past nginx's in-memory proxy buffers
const SIGNATURE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
/** A presigned query as boto3 writes it: %2F in the credential, an encoded disposition, the signature last. */
const SIGNED_QUERY = 'X-Amz-Algorithm=AWS4-HMAC-SHA256'
  + '&X-Amz-Credential=AKIAEXAMPLEKEY%2F20261127%2Feu-central-1%2Fs3%2Faws4_request'
  + '&X-Amz-Date=20261127T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host'
  + '&response-content-disposition=attachment%3B%20filename%3D%22key.jpg%22'
  + `&X-Amz-Signature=${SIGNATURE}`;
/** A key that needs percent-encoding: a space, a plus sign, a non-ASCII letter and an encoded slash. */
const ENCODED_KEY_PATH = '/bucket/some%20dir/caf%C3%A9%2B1%2Fb.jpg';
/** Large enough to exceed every socket buffer between S3, nginx and the client. */
const LARGE_SIZE = 96 * 1024 * 1024;
const CLIENT_SECRET_HEADERS = { Cookie: 'sessionid=client-session-secret', Authorization: 'Bearer client-token-secret' };

describe('GIVEN the rendered edge config running in a real nginx', () => {
  let nginxBin: string;
  let nginx: RunningNginx | undefined;
  let nginxPort: number;
  let backend: StandIn;
  let frontend: StandIn;
  let statics: StandIn;
  let s3: StandIn;
  /** X-Accel-Redirect value the backend answers /api/download/<name> with. */
  const downloads = new Map<string, string>();
  /** Resolves when the streaming-upload backend has seen its first body bytes. */
  let uploadFirstBytes: Promise<number> = Promise.resolve(0);
  let uploadFirstBytesResolve: (n: number) => void = () => undefined;
  let s3SentAll = false;
  /** Bytes of /bucket/large.bin the S3 stand-in has handed to its socket. */
  let largeSent = 0;

  beforeAll(async () => {
    nginxBin = findNginx();

    backend = await startStandIn('backend', (req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/api/download/')) {
        const target = downloads.get(url.slice('/api/download/'.length));
        res.writeHead(200, {
          'X-Accel-Redirect': target ?? '/nowhere',
          'Content-Disposition': 'attachment; filename="from-django.jpg"',
          'Set-Cookie': 'csrftoken=from-django; Path=/',
        });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ from: 'backend', url }));
    });
    // Uploads are answered by a handler that also reports when the first body bytes arrive.
    backend.server.prependListener('request', (req: http.IncomingMessage) => {
      if ((req.url ?? '').startsWith('/upload/')) {
        req.once('data', (c: Buffer) => uploadFirstBytesResolve(c.length));
      }
    });

    frontend = await startStandIn('frontend', (req, res) => {
      if (req.url === '/tries-x-accel') {
        res.writeHead(200, { 'Content-Type': 'text/html', 'X-Accel-Redirect': `/_s3/127.0.0.1:${s3.port}/bucket/some/key.jpg?${SIGNED_QUERY}` });
        res.end('<html>frontend page</html>');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>frontend</html>');
    });

    statics = await startStandIn('statics', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/css', 'x-amz-request-id': 'STATICREQ', 'Set-Cookie': 'from=statics' });
      res.end(`/* ${req.url} */ body { color: black; }`);
    });

    s3 = await startStandIn('s3', (req, res) => {
      const pathOnly = (req.url ?? '').split('?')[0];
      const amz = {
        'x-amz-request-id': 'S3REQUESTID',
        'x-amz-id-2': 'S3HOSTID/abc=',
        'x-amz-server-side-encryption': 'AES256',
        'x-amz-version-id': 'v1',
        'x-amz-meta-owner': 'tenant-42',
        'Set-Cookie': 'AWSALB=from-s3',
      };
      if (pathOnly === '/bucket/denied.jpg') {
        res.writeHead(403, { ...amz, 'Content-Type': 'application/xml' });
        res.end('<Error><Code>SignatureDoesNotMatch</Code><AWSAccessKeyId>AKIAEXAMPLEKEY</AWSAccessKeyId></Error>');
        return;
      }
      if (pathOnly === '/bucket/large.bin') {
        // Written with backpressure respected, counting what the socket accepted.
        res.writeHead(200, { ...amz, 'Content-Type': 'application/octet-stream', 'Content-Length': String(LARGE_SIZE) });
        largeSent = 0;
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (largeSent < LARGE_SIZE) {
            largeSent += chunk.length;
            const more = res.write(chunk);
            if (largeSent >= LARGE_SIZE) break;
            if (!more) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
      if (pathOnly === '/bucket/missing.jpg') {
        res.writeHead(404, { ...amz, 'Content-Type': 'application/xml' });
        res.end('<Error><Code>NoSuchKey</Code><Key>missing.jpg</Key><BucketName>bucket</BucketName></Error>');
        return;
      }
      res.writeHead(200, {
        ...amz,
        'Content-Type': 'image/jpeg',
        'Content-Length': String(OBJECT.length),
        'Content-Disposition': 'attachment; filename="key.jpg"',
        'ETag': '"etag-1"',
      });
      // Half now, the rest a little later: nginx must pass bytes on as they come.
      const half = OBJECT.length / 2;
      res.write(OBJECT.subarray(0, half));
      setTimeout(() => { s3SentAll = true; res.end(OBJECT.subarray(half)); }, 1000);
    });

    nginx = await RunningNginx.start(nginxBin, {
      backendUpstream: `127.0.0.1:${backend.port}`,
      frontendUpstream: `127.0.0.1:${frontend.port}`,
      staticOrigin: `http://127.0.0.1:${statics.port}/static-bucket/`,
      s3Scheme: S3Scheme.HTTP,
      extraHiddenS3Headers: ['x-amz-meta-owner'],
      resolvers: ['127.0.0.1'],
      workerProcesses: 1,
      backendRequestBuffering: BackendRequestBuffering.BUFFERED,
    });
    nginxPort = nginx.port;
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const s of [backend, frontend, statics, s3]) {
      if (s) {
        s.server.closeAllConnections();
        await new Promise<void>(resolve => s.server.close(() => resolve()));
      }
    }
  });

  test('WHEN the config is checked with `nginx -t` THEN it is valid', () => {
    const r = nginxTest(nginxBin, nginx!.workDir, nginx!.confPath);
    expect(r.output).toContain('test is successful');
    expect(r.status).toBe(0);
  });

  test('WHEN /healthz is requested THEN nginx answers 200 itself', async () => {
    const before = backend.requests.length + frontend.requests.length;
    const r = await request(nginxPort, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('ok\n');
    expect(backend.requests.length + frontend.requests.length).toBe(before);
  });

  test('WHEN /api/x is requested THEN the backend gets it with Host and X-Forwarded-* set', async () => {
    const r = await request(nginxPort, 'GET', '/api/x?page=2', { 'Host': 'app.picvario.test', 'X-Forwarded-For': '203.0.113.9' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ from: 'backend', url: '/api/x?page=2' });
    const got = backend.requests[backend.requests.length - 1];
    expect(got.method).toBe('GET');
    expect(got.url).toBe('/api/x?page=2');
    expect(got.headers.host).toBe('app.picvario.test');
    expect(got.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(got.headers['x-real-ip']).toBe('127.0.0.1');
    expect(got.headers['x-forwarded-proto']).toBe('http');
    expect(got.headers['x-forwarded-host']).toBe('app.picvario.test');
    expect(frontend.requests.find(q => q.url.startsWith('/api/'))).toBeUndefined();
  });

  test('WHEN the load balancer says X-Forwarded-Proto https THEN the backend sees https', async () => {
    await request(nginxPort, 'POST', '/admin/login/', { 'X-Forwarded-Proto': 'https', 'Content-Type': 'text/plain' }, Buffer.from('u=a'));
    const got = backend.requests[backend.requests.length - 1];
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/admin/login/');
    expect(got.headers['x-forwarded-proto']).toBe('https');
    expect(got.bodyBytes).toBe(3);
  });

  test('WHEN / is requested THEN the frontend gets it', async () => {
    const r = await request(nginxPort, 'GET', '/', { Host: 'app.picvario.test' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('<html>frontend</html>');
    const got = frontend.requests[frontend.requests.length - 1];
    expect(got.method).toBe('GET');
    expect(got.url).toBe('/');
    expect(got.headers.host).toBe('app.picvario.test');
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(got.headers['x-forwarded-proto']).toBe('http');
  });

  test('WHEN /static/app.css is requested THEN the statics origin gets /static-bucket/app.css with its own Host', async () => {
    const r = await request(nginxPort, 'GET', '/static/app.css?v=3', CLIENT_SECRET_HEADERS);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('/* /static-bucket/app.css?v=3 */ body { color: black; }');
    expect(r.headers['x-amz-request-id']).toBeUndefined();
    expect(r.headers['set-cookie']).toBeUndefined();
    const got = statics.requests[statics.requests.length - 1];
    expect(got.url).toBe('/static-bucket/app.css?v=3');
    expect(got.headers.host).toBe(`127.0.0.1:${statics.port}`);
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
  });

  test('WHEN the backend answers X-Accel-Redirect THEN nginx streams the S3 object with the signed query intact', async () => {
    downloads.set('1', `/_s3/127.0.0.1:${s3.port}/bucket/some/key.jpg?${SIGNED_QUERY}`);
    s3SentAll = false;
    const s3Before = s3.requests.length;
    let receivedBeforeS3Finished = 0;
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: nginxPort,
        method: 'GET',
        path: '/api/download/1',
        agent: false,
        headers: { ...CLIENT_SECRET_HEADERS, 'X-Forwarded-For': '203.0.113.9' },
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (!s3SentAll) receivedBeforeS3Finished += c.length;
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

    // THEN the client gets the whole object, byte for byte
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(OBJECT.length);
    expect(sha256(r.body)).toBe(sha256(OBJECT));
    // ... and got bytes while S3 was still sending: streamed, not collected first
    expect(receivedBeforeS3Finished).toBeGreaterThan(0);
    // ... with S3's content headers but none of S3's own
    expect(r.headers['content-type']).toBe('image/jpeg');
    // Django's Content-Disposition and Set-Cookie survive the internal redirect; S3's are hidden
    expect(r.headers['content-disposition']).toBe('attachment; filename="from-django.jpg"');
    for (const h of ['x-amz-request-id', 'x-amz-id-2', 'x-amz-server-side-encryption', 'x-amz-version-id', 'x-amz-meta-owner', 'x-accel-redirect']) {
      expect(r.headers[h]).toBeUndefined();
    }
    expect(r.headers['set-cookie']).toEqual(['csrftoken=from-django; Path=/']);

    // THEN S3 got one GET, for the exact path and query Django wrote, with its own Host
    expect(s3.requests.length).toBe(s3Before + 1);
    const got = s3.requests[s3.requests.length - 1];
    expect(got.method).toBe('GET');
    expect(got.url).toBe(`/bucket/some/key.jpg?${SIGNED_QUERY}`);
    expect(got.headers.host).toBe(`127.0.0.1:${s3.port}`);
    // ... and nothing of the client's credentials or forwarding headers
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers['x-forwarded-for']).toBeUndefined();
  });

  test('WHEN the client stops reading a download THEN S3 is held back too (no buffering of the object in nginx)', async () => {
    downloads.set('large', `/_s3/127.0.0.1:${s3.port}/bucket/large.bin?${SIGNED_QUERY}`);
    let received = 0;
    let sentWhilePaused = -1;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: nginxPort, method: 'GET', path: '/api/download/large', agent: false }, res => {
        res.once('data', (c: Buffer) => {
          received += c.length;
          res.pause();
          // With proxy_buffering on, nginx would keep reading S3 into memory and temp files;
          // with it off, S3 stalls once the socket buffers between the three are full.
          setTimeout(() => {
            sentWhilePaused = largeSent;
            res.on('data', (d: Buffer) => { received += d.length; });
            res.resume();
          }, 1500);
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(received).toBe(LARGE_SIZE);
    expect(sentWhilePaused).toBeGreaterThan(0);
    expect(sentWhilePaused).toBeLessThan(LARGE_SIZE / 2);
  });

  test('WHEN the key needs percent-encoding THEN S3 gets the path exactly as Django encoded it', async () => {
    downloads.set('2', `/_s3/127.0.0.1:${s3.port}${ENCODED_KEY_PATH}?${SIGNED_QUERY}`);
    const r = await request(nginxPort, 'GET', '/api/download/2');
    expect(r.status).toBe(200);
    expect(sha256(r.body)).toBe(sha256(OBJECT));
    expect(s3.requests[s3.requests.length - 1].url).toBe(`${ENCODED_KEY_PATH}?${SIGNED_QUERY}`);
  });

  test('WHEN the client asks for a Range THEN S3 gets the Range header', async () => {
    downloads.set('3', `/_s3/127.0.0.1:${s3.port}/bucket/some/key.jpg?${SIGNED_QUERY}`);
    await request(nginxPort, 'GET', '/api/download/3', { Range: 'bytes=0-99' });
    expect(s3.requests[s3.requests.length - 1].headers.range).toBe('bytes=0-99');
  });

  test('WHEN S3 refuses (403) THEN the client gets 502 without the S3 error body', async () => {
    downloads.set('4', `/_s3/127.0.0.1:${s3.port}/bucket/denied.jpg?${SIGNED_QUERY}`);
    const r = await request(nginxPort, 'GET', '/api/download/4');
    expect(r.status).toBe(502);
    expect(r.body.toString()).not.toContain('AKIAEXAMPLEKEY');
    expect(r.headers['x-amz-request-id']).toBeUndefined();
    expect(s3.requests[s3.requests.length - 1].url).toBe(`/bucket/denied.jpg?${SIGNED_QUERY}`);
  });

  test('WHEN the S3 object is missing THEN the client gets 404 without the S3 error body', async () => {
    downloads.set('5', `/_s3/127.0.0.1:${s3.port}/bucket/missing.jpg?${SIGNED_QUERY}`);
    const r = await request(nginxPort, 'GET', '/api/download/5');
    expect(r.status).toBe(404);
    expect(r.body.toString()).not.toContain('NoSuchKey');
  });

  test('WHEN X-Accel-Redirect does not match <prefix><host>/<path> THEN 404 and S3 is not asked', async () => {
    downloads.set('6', `/_s3/not a host/bucket/x.jpg?${SIGNED_QUERY}`);
    const s3Before = s3.requests.length;
    const r = await request(nginxPort, 'GET', '/api/download/6');
    expect(r.status).toBe(404);
    expect(s3.requests.length).toBe(s3Before);
  });

  test('WHEN the internal location is requested directly THEN 404 and S3 is not asked', async () => {
    const s3Before = s3.requests.length;
    const r = await request(nginxPort, 'GET', `/_s3/127.0.0.1:${s3.port}/bucket/some/key.jpg?${SIGNED_QUERY}`);
    expect(r.status).toBe(404);
    expect(s3.requests.length).toBe(s3Before);
  });

  test('WHEN the frontend answers with X-Accel-Redirect THEN it is ignored', async () => {
    const s3Before = s3.requests.length;
    const r = await request(nginxPort, 'GET', '/tries-x-accel');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('<html>frontend page</html>');
    expect(r.headers['x-accel-redirect']).toBeUndefined();
    expect(s3.requests.length).toBe(s3Before);
  });

  test('WHEN a chunked 6 MiB upload is sent THEN the backend gets its first bytes before the client has finished, and all of it', async () => {
    const payload = randomBytes(6 * 1024 * 1024);
    uploadFirstBytes = new Promise<number>(resolve => { uploadFirstBytesResolve = resolve; });
    const reply = new Promise<Reply>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: nginxPort,
        method: 'POST',
        path: '/upload/media',
        agent: false,
        headers: { 'Content-Type': 'application/octet-stream' }, // no Content-Length: chunked
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      // Send 1 MiB, then hold the rest back until the backend has seen body bytes.
      // With request buffering on, nginx would wait for the whole body and this would time out.
      req.write(payload.subarray(0, 1024 * 1024));
      withTimeout(uploadFirstBytes, 10_000, 'backend receiving upload bytes before the upload finished').then(() => {
        for (let off = 1024 * 1024; off < payload.length; off += 256 * 1024) {
          req.write(payload.subarray(off, off + 256 * 1024));
        }
        req.end();
      }, err => req.destroy(err));
    });
    const r = await reply;
    expect(r.status).toBe(200);
    const got = backend.requests[backend.requests.length - 1];
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/upload/media');
    expect(got.headers['transfer-encoding']).toBe('chunked');
    expect(got.bodyBytes).toBe(payload.length);
    expect(got.bodySha256).toBe(sha256(payload));
  });

  test('WHEN a 12 MiB body goes to /api/ THEN nginx refuses it with 413 (the 10m default)', async () => {
    const before = backend.requests.length;
    const r = await request(nginxPort, 'POST', '/api/big', { 'Content-Type': 'application/octet-stream' }, Buffer.alloc(12 * 1024 * 1024));
    expect(r.status).toBe(413);
    expect(backend.requests.length).toBe(before);
  });
});

describe('GIVEN the production shape (https to S3 and statics, TLS verification on)', () => {
  test('WHEN it is checked with `nginx -t` THEN it is valid', () => {
    const nginxBin = findNginx();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-nginx-t-'));
    try {
      fs.chmodSync(dir, 0o755);
      fs.mkdirSync(path.join(dir, 'run'));
      const conf = path.join(dir, 'nginx.conf');
      // Upstream names are resolved by `nginx -t`, and there is no DNS here: literal IPs.
      fs.writeFileSync(conf, renderNginxConfig({
        backendUpstream: '127.0.0.1:8000',
        frontendUpstream: '127.0.0.1:3000',
        staticOrigin: 'https://picvario-static.s3.eu-central-1.amazonaws.com/static/',
        resolvers: ['127.0.0.1'],
        runtimeDir: path.join(dir, 'run'),
        workerUser: process.getuid?.() === 0 ? 'nobody nogroup' : undefined,
      }));
      expect(fs.readFileSync(conf, 'utf8')).toContain('proxy_ssl_verify on;');
      const r = nginxTest(nginxBin, dir, conf);
      expect(r.output).toContain('test is successful');
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GIVEN the edge in front of the backend alone (no frontend)', () => {
  let nginx: RunningNginx | undefined;
  let backend: StandIn;
  let s3: StandIn;

  beforeAll(async () => {
    s3 = await startStandIn('s3', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(OBJECT.length), 'x-amz-request-id': 'S3REQUESTID' });
      res.end(OBJECT);
    });
    // Django answers every route; /files/<name> and /api/download/<name> hand the download to nginx.
    backend = await startStandIn('backend', (req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/files/') || url.startsWith('/api/download/')) {
        res.writeHead(200, { 'X-Accel-Redirect': `/_s3/127.0.0.1:${s3.port}/bucket/some/key.jpg?${SIGNED_QUERY}` });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<html>django ${url}</html>`);
    });
    nginx = await RunningNginx.start(findNginx(), {
      backendUpstream: `127.0.0.1:${backend.port}`,
      staticOrigin: 'http://127.0.0.1:9/static-bucket/',
      s3Scheme: S3Scheme.HTTP,
      resolvers: ['127.0.0.1'],
      workerProcesses: 1,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const s of [backend, s3]) {
      if (s) {
        s.server.closeAllConnections();
        await new Promise<void>(resolve => s.server.close(() => resolve()));
      }
    }
  });

  test('WHEN the config is checked with `nginx -t` THEN it is valid and has no frontend upstream', () => {
    const r = nginxTest(findNginx(), nginx!.workDir, nginx!.confPath);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(nginx!.confPath, 'utf8')).not.toContain('edge_frontend');
  });

  test('WHEN a page outside the backend prefixes is requested THEN the backend serves it', async () => {
    const before = backend.requests.length;
    const r = await request(nginx!.port, 'GET', '/accounts/login/?next=%2F', { Host: 'app.shop.test' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('<html>django /accounts/login/?next=%2F</html>');
    expect(backend.requests.length).toBe(before + 1);
    expect(backend.requests[backend.requests.length - 1].headers.host).toBe('app.shop.test');
  });

  test.each(['/files/1', '/api/download/1'])('WHEN the backend answers %s with X-Accel-Redirect THEN the client gets the S3 object', async (route) => {
    const s3Before = s3.requests.length;
    const r = await request(nginx!.port, 'GET', route, CLIENT_SECRET_HEADERS);
    expect(r.status).toBe(200);
    expect(sha256(r.body)).toBe(sha256(OBJECT));
    expect(r.headers['x-accel-redirect']).toBeUndefined();
    expect(r.headers['x-amz-request-id']).toBeUndefined();
    expect(s3.requests.length).toBe(s3Before + 1);
    const got = s3.requests[s3.requests.length - 1];
    expect(got.url).toBe(`/bucket/some/key.jpg?${SIGNED_QUERY}`);
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
  });

  test('WHEN the internal location is requested directly THEN 404 and S3 is not asked', async () => {
    const s3Before = s3.requests.length;
    const r = await request(nginx!.port, 'GET', `/_s3/127.0.0.1:${s3.port}/bucket/some/key.jpg?${SIGNED_QUERY}`);
    expect(r.status).toBe(404);
    expect(s3.requests.length).toBe(s3Before);
  });
});

/** Opens an upgraded connection (`Upgrade: websocket`) through nginx; rejects when nginx answers without switching protocols. */
function openUpgrade(port: number, urlPath: string): Promise<{ status: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent: false, headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('response', (res) => reject(new Error(`no upgrade for ${urlPath}: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('GIVEN an ASGI service route for websockets beside the backend', () => {
  let nginx: RunningNginx | undefined;
  let backend: StandIn;
  let asgi: StandIn;
  /** The headers of each upgrade request the ASGI stand-in received. */
  const upgrades: http.IncomingHttpHeaders[] = [];
  /** Upgraded sockets belong to no HTTP server any more: closeAllConnections() does not end them. */
  const upgradedSockets: net.Socket[] = [];

  beforeAll(async () => {
    backend = await startStandIn('backend', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`backend ${req.url}`);
    });
    asgi = await startStandIn('asgi', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`asgi ${req.url}`);
    });
    // Switches protocols and echoes every byte, as a websocket server would once the handshake is done.
    asgi.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      upgrades.push(req.headers);
      upgradedSockets.push(socket);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(d));
      socket.on('error', () => undefined);
    });
    nginx = await RunningNginx.start(findNginx(), {
      backendUpstream: `127.0.0.1:${backend.port}`,
      staticOrigin: 'http://127.0.0.1:9/static-bucket/',
      s3Scheme: S3Scheme.HTTP,
      resolvers: ['127.0.0.1'],
      workerProcesses: 1,
      // A short idle timeout, so the test can see that the route's own timeout closes a silent socket.
      serviceRoutes: [{ name: 'ws', upstream: `127.0.0.1:${asgi.port}`, pathPrefixes: ['/ws/', '/api/stream/'], idleTimeoutSeconds: 2 }],
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    upgradedSockets.forEach((socket) => socket.destroy());
    for (const s of [backend, asgi]) {
      if (s) {
        s.server.closeAllConnections();
        await new Promise<void>(resolve => s.server.close(() => resolve()));
      }
    }
  });

  test('WHEN the config is checked with `nginx -t` THEN it is valid', () => {
    const r = nginxTest(findNginx(), nginx!.workDir, nginx!.confPath);
    expect(r.output).toContain('test is successful');
    expect(r.status).toBe(0);
  });

  test('WHEN a client opens a websocket on /ws/ THEN the ASGI server gets the upgrade and bytes flow both ways', async () => {
    const { status, socket } = await openUpgrade(nginx!.port, '/ws/chat/');
    try {
      expect(status).toBe(101);
      expect(upgrades[upgrades.length - 1]).toMatchObject({ upgrade: 'websocket', connection: 'upgrade' });
      const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
      socket.write('hello');
      expect(await withTimeout(echoed, 5_000, 'echo through nginx')).toBe('hello');
    } finally {
      socket.destroy();
    }
  });

  test('WHEN an upgraded connection stays silent past the idle timeout THEN nginx closes it', async () => {
    const { socket } = await openUpgrade(nginx!.port, '/ws/quiet/');
    const started = Date.now();
    await withTimeout(new Promise<void>((resolve) => socket.once('close', () => resolve())), 10_000, 'nginx closing the silent socket');
    // Closed by the route's 2 s, not the server-wide 300 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  test('WHEN plain requests come THEN /api/stream/ goes to the ASGI server, /api/ to the backend, without an Upgrade header', async () => {
    const stream = await request(nginx!.port, 'GET', '/api/stream/events');
    expect(stream.body.toString()).toBe('asgi /api/stream/events');
    expect(asgi.requests[asgi.requests.length - 1].headers.upgrade).toBeUndefined();
    expect((await request(nginx!.port, 'GET', '/api/orders')).body.toString()).toBe('backend /api/orders');
  });
});

describe("GIVEN Flower's route as DjangoAppChartProps.flower adds it (/flower/, the edge's 300 s as idle time)", () => {
  let nginx: RunningNginx | undefined;
  let backend: StandIn;
  let flower: StandIn;
  const credentials = `Basic ${Buffer.from('oncall:s3cret').toString('base64')}`;

  beforeAll(async () => {
    backend = await startStandIn('backend', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`backend ${req.url}`);
    });
    // Flower under --url_prefix=flower: its pages ask for basic auth, its healthcheck does not.
    flower = await startStandIn('flower', (req, res) => {
      if (req.url !== '/flower/healthcheck' && req.headers.authorization !== credentials) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="flower"' });
        res.end('Access denied');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`flower ${req.url}`);
    });
    nginx = await RunningNginx.start(findNginx(), {
      backendUpstream: `127.0.0.1:${backend.port}`,
      staticOrigin: 'http://127.0.0.1:9/static-bucket/',
      s3Scheme: S3Scheme.HTTP,
      resolvers: ['127.0.0.1'],
      workerProcesses: 1,
      serviceRoutes: [{ name: 'flower', upstream: `127.0.0.1:${flower.port}`, pathPrefixes: ['/flower/'], idleTimeoutSeconds: 300, blockedPaths: ['/flower/metrics'] }],
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const s of [backend, flower]) {
      if (s) {
        s.server.closeAllConnections();
        await new Promise<void>(resolve => s.server.close(() => resolve()));
      }
    }
  });

  test('WHEN the config is checked with `nginx -t` THEN it is valid', () => {
    const r = nginxTest(findNginx(), nginx!.workDir, nginx!.confPath);
    expect(r.output).toContain('test is successful');
    expect(r.status).toBe(0);
  });

  test('WHEN a page is requested without credentials THEN Flower\'s 401 and its Basic challenge reach the client', async () => {
    const r = await request(nginx!.port, 'GET', '/flower/tasks');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="flower"');
  });

  test('WHEN a page is requested with credentials THEN Flower gets the path with its prefix and the Authorization header', async () => {
    const r = await request(nginx!.port, 'GET', '/flower/workers?refresh=1', { Authorization: credentials });
    expect([r.status, r.body.toString()]).toEqual([200, 'flower /flower/workers?refresh=1']);
    expect(flower.requests[flower.requests.length - 1].headers.authorization).toBe(credentials);
  });

  test('WHEN /flower/metrics is asked for, in any spelling nginx normalises, THEN nginx answers 404 and Flower never sees it', async () => {
    const seen = flower.requests.length;
    for (const spelling of ['/flower/metrics', '/flower/metrics?format=text', '/flower//metrics', '/flower/%6detrics', '/flower/./metrics', '/flower/x/../metrics']) {
      const r = await request(nginx!.port, 'GET', spelling, { Authorization: credentials });
      expect([spelling, r.status]).toEqual([spelling, 404]);
    }
    expect(flower.requests.length).toBe(seen);
    // Flower's other pages still reach it.
    expect((await request(nginx!.port, 'GET', '/flower/metrics-help', { Authorization: credentials })).body.toString()).toBe('flower /flower/metrics-help');
  });

  test('WHEN the healthcheck under the prefix is requested THEN Flower answers it, and other paths stay the backend\'s', async () => {
    expect((await request(nginx!.port, 'GET', '/flower/healthcheck')).body.toString()).toBe('flower /flower/healthcheck');
    expect((await request(nginx!.port, 'GET', '/api/orders')).body.toString()).toBe('backend /api/orders');
  });
});
