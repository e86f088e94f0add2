#!/usr/bin/python3
"""A stand-in for Logstash (docker.elastic.co/logstash/logstash), installed at the path the render runs,
/usr/share/logstash/bin/logstash. It proves the pod's mounts (it logs the config and pipeline files it
finds and writes data/uuid, as Logstash does) and answers the render's ports: the http input on 8080
accepts every event (200) and counts it, forwarding nothing; the API on 9600 answers `/` (the probes) with
node info shaped like Logstash's, and `/_node/stats/events` with the count."""

import os
import socket
import sys
import threading
import uuid

from standin import log, log_files, serve

HOME = "/usr/share/logstash"
events = {"in": 0}
lock = threading.Lock()


def accept_event(handler, body):
    with lock:
        events["in"] += 1
        count = events["in"]
    log(f"http input: {handler.command} {handler.path} ({len(body)} bytes), event {count}; not forwarded")
    return 200, "ok"


def node_info(handler, body):
    return 200, {
        "host": socket.gethostname(),
        "version": "stand-in",
        "http_address": "0.0.0.0:9600",
        "id": node_id,
        "name": socket.gethostname(),
        "status": "green",
        "snapshot": False,
        "pipeline": {"workers": 1, "batch_size": 125, "batch_delay": 50},
    }


def event_stats(handler, body):
    with lock:
        return 200, {"id": node_id, "events": {"in": events["in"], "filtered": events["in"], "out": 0}}


log(f"stand-in for Logstash, run as {' '.join(sys.argv)} (uid {os.getuid()})")
for what, root in (("config", f"{HOME}/config"), ("pipeline", f"{HOME}/pipeline")):
    if not log_files(what, root):
        sys.exit(f"logstash: no {what} files under {root}: the render mounts its ConfigMap there")
node_id = str(uuid.uuid4())
with open(f"{HOME}/data/uuid", "w") as f:  # Logstash keeps its node id there: the data volume is writable
    f.write(node_id)
log(f"data: wrote {HOME}/data/uuid")
input_routes = {(method, "*"): accept_event for method in ("POST", "PUT", "GET")}
serve([(8080, input_routes), (9600, {("GET", "/"): node_info, ("GET", "/_node/stats/events"): event_stats})])
