// The shop's asset library on the real nodes (issue "the app side ... proven end to end on real pods"):
// a file uploaded in parts to each backend pod in turn, processed by a worker from S3, downloaded through
// the edge. The client is hack/images/asset_journey.py (the one test:images runs), on this machine,
// reaching each pod through `kubectl port-forward` (the kubelet's stream into the pod's own network
// namespace: a test host of this run, whatever the NetworkPolicies say).
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { run } from './kube';

const SECOND = 1000;
const SCRIPT = path.resolve(__dirname, '../../hack/images/asset_journey.py');

/** A `kubectl port-forward` to one pod's port, on a free port of 127.0.0.1; `close()` ends it. */
export class PortForward {
  static async open(namespace: string, pod: string, port: number): Promise<PortForward> {
    const child = spawn('kubectl', ['port-forward', '-n', namespace, `pod/${pod}`, `:${port}`, '--address', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const local = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`port-forward to ${pod}:${port}: no port within 30 s: ${output}`)), 30 * SECOND);
      const seen = (d: Buffer) => {
        output += d.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      };
      child.stdout!.on('data', seen);
      child.stderr!.on('data', seen);
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`port-forward to ${pod}:${port} exited ${code}: ${output}`)); });
    }).catch((e) => { child.kill('SIGKILL'); throw e; });
    return new PortForward(child, pod, `http://127.0.0.1:${local}`);
  }

  private constructor(private readonly child: ChildProcess, readonly pod: string, readonly url: string) {}

  close(): void {
    this.child.kill('SIGTERM');
  }
}

export interface JourneyOptions {
  /** The edge pod's forward: the downloads and the asset API go through the edge. */
  readonly edge: PortForward;
  /** One forward per backend pod: the parts go to each in turn, and the first answers a download itself. */
  readonly backends: PortForward[];
  /** The Ingress host (the Host header). */
  readonly host: string;
  readonly user: string;
  readonly password: string;
  readonly sizeMiB: number;
  readonly partMiB: number;
}

export interface JourneyReport {
  readonly code: number;
  /** The script's own lines (`parts: ...`, `download: ...`) and its failure, if any. */
  readonly output: string;
}

/** Runs the journey; resolves with the script's exit code and output (it names the step that failed). */
export async function runJourney(o: JourneyOptions): Promise<JourneyReport> {
  const r = await run('python3', [SCRIPT,
    '--edge', o.edge.url, '--parts-via', o.backends.map((b) => b.url).join(','), '--backend', o.backends[0].url,
    '--host', o.host, '--user', o.user, '--password', o.password,
    '--size', String(o.sizeMiB), '--part', String(o.partMiB), '--wait', '180'], { timeoutMs: 300 * SECOND });
  return { code: r.code, output: `${r.stdout}${r.stderr}`.trim() };
}
