// A bounded HTTP loop run inside a client pod (Python's http.client, from the shop's own image), for the
// shop suite's requests through the edge Service: GETs here, upload round trips in upload-loop.ts.
//
// Not busybox nc: `printf … | nc` half-closes the connection as soon as its input ends, and nginx,
// seeing the client's FIN while it waits for the upstream (epoll's RDHUP), abandons the request as
// "client closed" (status 499, nothing sent). Whether the answer wins that race depends on how fast
// the backend answers, so the suite's check through the edge passed or timed out with the machine's
// load. http.client keeps its side open until the answer is read, as a browser or the ingress
// controller does.
import { kubectl, KubeObject, RunResult } from './kube';

/** The client pod's folder for stop files (an emptyDir; the image's root is read-only). */
export const CLIENT_WORK_DIR = '/work';

/** What a loop saw. */
export interface LoopReport {
  readonly total: number;
  readonly failed: number;
  readonly seconds: number;
  /** Why it ended: `stop` (the stop file), `count` or `time` (its bounds). */
  readonly ended: 'stop' | 'count' | 'time';
  /** The first failures: seconds since the start, and what went wrong. */
  readonly failures: { at: number; error: string }[];
}

export interface LoopTarget {
  /** The Service's DNS name, resolved once when the loop starts, so that DNS is not under test. */
  readonly host: string;
  readonly port: number;
  readonly virtualHost: string;
  readonly path: string;
  /** The body a good answer has (status 200 too). */
  readonly expectBody: string;
}

export interface LoopBounds {
  /** Most attempts: requests, or round trips of an UploadLoop. */
  readonly maxRequests: number;
  readonly maxSeconds: number;
  readonly intervalSeconds: number;
  /** Each request's own timeout (connect and answer). */
  readonly timeoutSeconds: number;
}

/**
 * The loop itself, the same for every kind of attempt: one attempt every interval until the stop file
 * appears or a bound is reached, then a JSON report on the last line. `attempt` is Python code that reads
 * its own arguments (from sys.argv[5]) and defines `attempt()`, which returns None when the attempt passed
 * and raises LoopFailure (or any exception) when it did not.
 */
function loopScript(attempt: string): string {
  return `
import json, os, sys, time
stop, max_attempts, max_seconds, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])


class LoopFailure(Exception):
    pass

${attempt}
start = time.monotonic()
total, failures, ended = 0, [], 'count'
while total < max_attempts:
    if os.path.exists(stop):
        ended = 'stop'
        break
    if time.monotonic() - start >= max_seconds:
        ended = 'time'
        break
    sent = time.monotonic()
    total += 1
    try:
        attempt()
        error = None
    except LoopFailure as e:
        error = str(e)
    except Exception as e:
        error = repr(e)
    if error:
        failures.append({'at': round(sent - start, 2), 'error': error})
    time.sleep(max(0.0, interval - (time.monotonic() - sent)))
print(json.dumps({'total': total, 'failed': len(failures), 'seconds': round(time.monotonic() - start, 1), 'ended': ended, 'failures': failures[:20]}))
`;
}

/** One GET with the virtual host; the host name is resolved once, before the loop starts. */
const GET_ATTEMPT = `
import http.client, socket
host, port, vhost, path, expect, timeout = sys.argv[5], int(sys.argv[6]), sys.argv[7], sys.argv[8], sys.argv[9], float(sys.argv[10])
address = socket.gethostbyname(host)


def attempt():
    c = http.client.HTTPConnection(address, port, timeout=timeout)
    c.request('GET', path, headers={'Host': vhost, 'Connection': 'close'})
    r = c.getresponse()
    body = r.read().decode('utf-8', 'replace').strip()
    c.close()
    if r.status != 200 or body != expect:
        raise LoopFailure('HTTP %d %r' % (r.status, body[:80]))
`;

/**
 * A pod of the suite's own on a real node: one container `main` of the given image and command, as the
 * render's pods run (non-root, read-only root, no capabilities), with an optional writable folder.
 */
export function suitePod(name: string, namespace: string, image: string, uid: number, command: string[],
  options: { labels?: Record<string, string>; workDir?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      nodeSelector: { 'picvario.test/node': 'real' },
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'main',
        image,
        imagePullPolicy: 'IfNotPresent',
        command,
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        ...(options.workDir ? { volumeMounts: [{ name: 'work', mountPath: options.workDir }] } : {}),
      }],
      ...(options.workDir ? { volumes: [{ name: 'work', emptyDir: {} }] } : {}),
    },
  };
}

/** A client pod for the loops: the given image (one with python3) and its own writable folder. */
export function loopClientPod(name: string, namespace: string, image: string, uid: number): KubeObject {
  return suitePod(name, namespace, image, uid, ['python', '-c', 'import time; time.sleep(3600)'], { workDir: CLIENT_WORK_DIR });
}

/**
 * A loop in a running client pod: one attempt every intervalSeconds until the stop file appears
 * (stop()) or a bound is reached. Resolves with its report once it has ended. `attempt` is the Python
 * code of one attempt (see loopScript), `args` its arguments.
 */
export class ClientLoop {
  private readonly stopFile: string;
  readonly done: Promise<LoopReport>;

  constructor(private readonly namespace: string, private readonly pod: string, name: string, attempt: string, args: string[], bounds: LoopBounds) {
    this.stopFile = `${CLIENT_WORK_DIR}/stop-${name}-${Date.now()}`;
    const loopArgs = [this.stopFile, bounds.maxRequests, bounds.maxSeconds, bounds.intervalSeconds].map(String);
    // kubectl's own bound: the loop's, plus time for the exec to start and the last attempt to end.
    const timeoutMs = (bounds.maxSeconds + bounds.timeoutSeconds + 60) * 1000;
    this.done = kubectl(['exec', '-n', namespace, pod, '-c', 'main', '--', 'python', '-c', loopScript(attempt), ...loopArgs, ...args], { timeoutMs })
      .then((r) => parseReport(r));
  }

  /** Asks the loop to end after its current attempt, and waits for its report. */
  async stop(): Promise<LoopReport> {
    const r = await kubectl(['exec', '-n', this.namespace, this.pod, '-c', 'main', '--', 'python', '-c',
      `open(${JSON.stringify(this.stopFile)}, 'w').close()`], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`could not write the stop file ${this.stopFile} in ${this.namespace}/${this.pod}: ${r.stderr}`);
    return this.done;
  }
}

/** A loop of GETs through the target, each answered `200 <expectBody>`. */
export class RequestLoop extends ClientLoop {
  constructor(namespace: string, pod: string, name: string, target: LoopTarget, bounds: LoopBounds) {
    super(namespace, pod, name, GET_ATTEMPT,
      [target.host, target.port, target.virtualHost, target.path, target.expectBody, bounds.timeoutSeconds].map(String), bounds);
  }
}

function parseReport(r: RunResult): LoopReport {
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    if (r.code === 0) return JSON.parse(last) as LoopReport;
  } catch { /* reported below */ }
  throw new Error(`the request loop failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
}

/** One line per failure, for an assertion's message. */
export function describeFailures(report: LoopReport): string {
  return report.failures.map((f) => `  at ${f.at} s: ${f.error}`).join('\n');
}
