// A websocket round trip from a pod of the suite, and the routes the edge's rendered nginx.conf gives a
// Service. The client is hack/images/ws_echo.py, the images suite's own (Python's standard library only),
// run by the Python of the pod's image: a handshake, one masked text frame, the same text back.
import { readFileSync } from 'fs';
import * as path from 'path';
import { kubectl, RunResult } from './kube';

const WS_ECHO = readFileSync(path.resolve(__dirname, '../../hack/images/ws_echo.py'), 'utf8');

/** Where a websocket is opened: an address, and the path and Host header of the handshake. */
export interface WebsocketTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly virtualHost: string;
}

/**
 * The path prefixes that the edge's nginx.conf routes to a Service: each `location ^~ <prefix>` whose
 * `proxy_pass` names an upstream with only that Service's servers.
 */
export function edgeRoutesTo(nginxConf: string, service: string): string[] {
  const upstreams = [...nginxConf.matchAll(/upstream (\S+) \{([^}]*)\}/g)]
    .filter(([, , body]) => {
      const hosts = [...body.matchAll(/server ([^\s:;]+)/g)].map(([, host]) => host);
      return hosts.length > 0 && hosts.every((h) => h === service);
    })
    .map(([, name]) => name);
  return [...nginxConf.matchAll(/location \^~ (\S+) \{([^{}]*)\}/g)]
    .filter(([, , body]) => upstreams.some((u) => body.includes(`proxy_pass http://${u};`)))
    .map(([, prefix]) => prefix);
}

/** One round trip from a container of a running pod; exit 0 and `ws_echo: <path> echoed` when the text came back. */
export function websocketEcho(namespace: string, pod: string, container: string, target: WebsocketTarget): Promise<RunResult> {
  return kubectl(['exec', '-n', namespace, pod, '-c', container, '--', 'python', '-c', WS_ECHO,
    target.host, String(target.port), target.path, target.virtualHost], { timeoutMs: 30_000 });
}

/** How many websockets on `path` uvicorn logged as accepted (`... - "WebSocket /ws/echo/" [accepted]`). */
export function acceptedWebsockets(log: string, wsPath: string): number {
  return log.split('\n').filter((l) => l.includes(`"WebSocket ${wsPath}" [accepted]`)).length;
}
