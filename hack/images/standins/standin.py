"""What the stand-ins of third-party images share (docs/IMAGES.md, "Stand-ins"): plain HTTP servers on
the ports the render names, one log line per event on stdout, and a clean exit on SIGTERM. A stand-in
answers; it never connects anywhere."""

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def log(message):
    print(f"{os.path.basename(sys.argv[0])}: {message}", flush=True)


def files_under(root):
    """Every file under root (a mounted volume), as (path, size), in name order; none when it is missing."""
    found = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs.sort()
        found += [(os.path.join(folder, name), os.path.getsize(os.path.join(folder, name))) for name in sorted(names)]
    return found


def log_files(what, root):
    found = files_under(root)
    if not found:
        log(f"{what}: no files under {root}")
    for path, size in found:
        log(f"{what}: {path} ({size} bytes)")
    return found


class Handler(BaseHTTPRequestHandler):
    """Routes (method, path) to answer(handler, body) -> (status, payload); a dict payload is sent as JSON."""

    routes = {}
    server_version = "stand-in"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = self.routes.get((self.command, self.path.split("?", 1)[0])) or self.routes.get((self.command, "*"))
        status, payload = route(self, body) if route else (404, {"message": "Not found"})
        data = (json.dumps(payload) if isinstance(payload, dict) else payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if isinstance(payload, dict) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format, *args):  # the stand-in logs what matters itself
        pass


def serve(servers):
    """Serves each (port, routes) on every address until SIGTERM or SIGINT, then exits 0."""
    running = []
    for port, routes in servers:
        handler = type(f"Handler{port}", (Handler,), {"routes": routes})
        server = ThreadingHTTPServer(("0.0.0.0", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
        log(f"listening on 0.0.0.0:{port}")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    for server in running:
        server.shutdown()
    log("stopped")
