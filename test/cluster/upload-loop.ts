// A bounded loop of uploads and downloads through the edge Service, in the client pod (request-loop.ts):
// each round trip is the kit's chunked upload of fresh random bytes (start, one part, complete, each a
// request of its own that any backend pod may take), the shop's asset registration, and a download through
// the edge (the backend answers X-Accel-Redirect, the edge streams from S3), compared by sha256 with what
// was sent. The requests are POSTs and PUTs, which nginx does not retry on another upstream: a backend or
// edge pod that drops a request during a rollout fails the round trip.
import { ClientLoop, LoopBounds, LoopTarget } from './request-loop';

/** Where the loop uploads, as whom, and how much each time. */
export interface UploadTarget extends Pick<LoopTarget, 'host' | 'port' | 'virtualHost'> {
  /** A user of the shop (HTTP Basic). */
  readonly user: string;
  readonly password: string;
  /** Bytes per upload: one part (S3 takes a last part, here the only one, of any size). */
  readonly bytes: number;
}

const ROUND_TRIP = `
import base64, hashlib, http.client, socket
host, port, vhost, user, password = sys.argv[5], int(sys.argv[6]), sys.argv[7], sys.argv[8], sys.argv[9]
size, timeout = int(sys.argv[10]), float(sys.argv[11])
address = socket.gethostbyname(host)
auth = 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


def call(step, method, path, body=None, content_type='application/json', expect=200):
    c = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers={'Host': vhost, 'Authorization': auth, 'Content-Type': content_type, 'Connection': 'close'})
        r = c.getresponse()
        data = r.read()
    except Exception as e:
        raise LoopFailure('%s: %s %s: %r' % (step, method, path, e))
    finally:
        c.close()
    if r.status != expect:
        raise LoopFailure('%s: %s %s answered %d (expected %d): %r' % (step, method, path, r.status, expect, data[:120]))
    return data


def attempt():
    original = os.urandom(size)
    upload = json.loads(call('start', 'POST', '/upload/', json.dumps({'filename': 'rollout.bin'}).encode(), expect=201))['id']
    call('part', 'PUT', '/upload/%s/parts/1' % upload, original, 'application/octet-stream')
    assembled = json.loads(call('complete', 'POST', '/upload/%s/complete' % upload))['size']
    if assembled != size:
        raise LoopFailure('complete: S3 assembled %d bytes of %d' % (assembled, size))
    asset = json.loads(call('register', 'POST', '/api/assets/', json.dumps({'upload': upload}).encode(), expect=201))['id']
    body = call('download', 'GET', '/api/assets/%s/download' % asset)
    if hashlib.sha256(body).digest() != hashlib.sha256(original).digest():
        raise LoopFailure('download: %d bytes with another sha256 than the %d uploaded' % (len(body), size))
`;

/** Upload round trips until stopped or bounded; `bounds.timeoutSeconds` bounds each of its requests. */
export class UploadLoop extends ClientLoop {
  constructor(namespace: string, pod: string, name: string, target: UploadTarget, bounds: LoopBounds) {
    super(namespace, pod, name, ROUND_TRIP,
      [target.host, target.port, target.virtualHost, target.user, target.password, target.bytes, bounds.timeoutSeconds].map(String), bounds);
  }
}
