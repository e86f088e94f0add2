#!/usr/bin/python3
"""A stand-in for Grafana (docker.io/grafana/grafana), the image's default command. It proves the pod's
mounts (it logs the provisioning and dashboard files it finds, and makes the plugins and logs folders
under GF_PATHS_DATA, as Grafana does) and answers GF_SERVER_HTTP_PORT: `GET /api/health` (the probes)
with JSON shaped like Grafana's. It reads nothing else of the environment and connects to no data source."""

import os
import sys

from standin import log, log_files, serve

port = int(os.environ.get("GF_SERVER_HTTP_PORT", "3000"))
data = os.environ.get("GF_PATHS_DATA", "/var/lib/grafana")
provisioning = os.environ.get("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning")

log(f"stand-in for Grafana (uid {os.getuid()})")
for name in ("GF_PATHS_PLUGINS", "GF_PATHS_LOGS"):
    folder = os.environ.get(name, os.path.join(data, name.split("_")[-1].lower()))
    os.makedirs(folder, exist_ok=True)  # the data volume is writable
    log(f"data: {name} {folder} is a writable folder")
if not log_files("provisioning", provisioning):
    sys.exit(f"grafana: no provisioning files under {provisioning}: the render mounts its ConfigMaps there")
log_files("dashboards", "/etc/grafana/dashboards")


def health(handler, body):
    return 200, {"commit": "stand-in", "database": "ok", "version": "stand-in"}


serve([(port, {("GET", "/api/health"): health})])
