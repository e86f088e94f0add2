"""Machinery for the Celery fault tests: render the construct, run real brokers and workers, read the journal.

Nothing here mocks Celery or the brokers. A worker is the exact argv and environment that CeleryWorkerPool
renders (with the broker URL put where the Secret reference is), run in a mount and UTS namespace of its own,
so that each worker has a private /tmp (the pod's emptyDir) and its own hostname (the pod name), as in a pod.
"""
import json
import re
import sys
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RENDER_JS = REPO / "hack" / "faults" / "render.js"
RUN_DIR = Path(os.environ.get("FAULTS_RUN_DIR") or (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "picvario-k8s-topology" / "faults-run"))
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV") or Path(sys.executable).parent.parent) / "bin"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"

# Values of the Secrets the rendered env refers to. The broker URL is filled in per broker.
FAKE_SECRETS = {
    ("picvario-django", "database-url"): "sqlite:////nonexistent/unused.db",
    ("picvario-django", "secret-key"): "faults-test-only-not-a-secret",
}

# Every process group this module started, so a failing test still leaves nothing running.
_STARTED = []
# The figures table: one row per scenario and broker.
FIGURES = []


class SetupError(RuntimeError):
    """Something the suite needs is missing or did not start: the suite fails, it never skips."""


def require(path_or_cmd, hint):
    found = shutil.which(path_or_cmd) if "/" not in path_or_cmd else (path_or_cmd if os.access(path_or_cmd, os.X_OK) else None)
    if not found:
        raise SetupError(f"{path_or_cmd} is missing: {hint} (bash hack/faults/install.sh installs it)")
    return found


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.1):
    """Polls predicate() until it returns a truthy value; bounded by timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def spawn(argv, log_path, env=None, cwd=None):
    """Starts argv in a new session (its own process group); stdout and stderr go to log_path."""
    log = open(log_path, "ab")
    try:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, start_new_session=True)
    finally:
        log.close()
    _STARTED.append(proc)
    return proc


def kill_group(proc, sig=signal.SIGKILL):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def reap(proc, timeout=10):
    """SIGKILLs what is left of proc's process group and waits for proc (bounded)."""
    kill_group(proc, signal.SIGKILL)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _only_zombies(pgid):
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return False
    return True


def stop_everything():
    for proc in reversed(_STARTED):
        reap(proc)
    deadline = time.monotonic() + 10
    leftovers = [p.pid for p in _STARTED]
    while leftovers and time.monotonic() < deadline:  # pool children are reaped by init a moment later
        time.sleep(0.1)
        leftovers = [pid for pid in leftovers if group_alive(pid) and not _only_zombies(pid)]
    _STARTED.clear()
    return leftovers


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- rendering ----------------------------------------------------------------------------------------------
_render_cache = {}


def render(**props):
    """Renders a CeleryWorkerPool with these test props through the compiled library (hack/faults/render.js)."""
    key = json.dumps(props, sort_keys=True)
    if key not in _render_cache:
        node = require("node", "Node.js is needed to render the construct")
        out = subprocess.run([node, str(RENDER_JS), key], capture_output=True, text=True, timeout=120, cwd=REPO)
        if out.returncode != 0:
            raise SetupError(f"rendering {key} failed:\n{out.stderr[-3000:]}")
        _render_cache[key] = json.loads(out.stdout)
    return _render_cache[key]


def env_value(rendered, name):
    for var in rendered["env"]:
        if var["name"] == name:
            return var.get("value")
    return None


# --- brokers ------------------------------------------------------------------------------------------------
class RedisBroker:
    kind = "redis"

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.port = None
        self.proc = None
        self._next_db = 0

    def start(self):
        exe = require("redis-server", "Debian package redis-server")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc = spawn([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--protected-mode", "yes",
                           "--dir", str(self.workdir), "--save", "", "--appendonly", "no", "--databases", "64",
                           "--daemonize", "no", "--logfile", ""], self.workdir / "redis.log")
        import redis
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

        def ping():
            if self.proc.poll() is not None:
                raise SetupError(f"redis-server exited with {self.proc.returncode}:\n{tail(self.workdir / 'redis.log')}")
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False
        wait_until(ping, 30, "redis-server to answer PING")
        client.close()
        self.version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.split()[2]
        VERSIONS["redis-server"] = self.version.replace("v=", "")
        return self

    def next_db(self):
        """A fresh database per call, so no scenario sees another's unacknowledged messages."""
        self._next_db += 1
        return self._next_db

    def url(self, db=None):
        """The URL of database db (a fresh one when not given), as the rendered worker composes it."""
        return f"redis://127.0.0.1:{self.port}/{self.next_db() if db is None else db}"

    def stop(self):
        if self.proc:
            kill_group(self.proc, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            reap(self.proc)


class RabbitBroker:
    kind = "rabbitmq"

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.proc = None
        self.epmd = None

    def start(self):
        require(RABBITMQ_SERVER, "Debian package rabbitmq-server")
        epmd = require("epmd", "Debian package erlang-base (a dependency of rabbitmq-server)")
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.port, dist_port, epmd_port = free_port(), free_port(), free_port()
        (self.workdir / "enabled_plugins").write_text("[].\n")
        # An epmd of our own, on its own loopback port, so no system epmd is used or left behind.
        self.epmd = spawn([epmd, "-port", str(epmd_port), "-address", "127.0.0.1"], self.workdir / "epmd.log")
        env = {
            "PATH": SYSTEM_PATH,
            "HOME": str(self.workdir),  # the Erlang cookie goes there
            "LANG": "C.UTF-8",
            "ERL_EPMD_PORT": str(epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": f"faults{os.getpid()}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(dist_port),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_MNESIA_BASE": str(self.workdir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.workdir / "log"),
            "RABBITMQ_LOGS": "-",
            "RABBITMQ_PID_FILE": str(self.workdir / "rabbitmq.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.workdir / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.workdir / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.workdir / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(self.workdir / "rabbitmq-env.conf"),
        }
        self.proc = spawn([RABBITMQ_SERVER], self.workdir / "rabbitmq.log", env=env, cwd=self.workdir)
        import amqp

        def ready():
            if self.proc.poll() is not None:
                raise SetupError(f"rabbitmq-server exited with {self.proc.returncode}:\n{tail(self.workdir / 'rabbitmq.log')}")
            if "Server startup complete" not in (self.workdir / "rabbitmq.log").read_text(errors="replace"):
                return False
            try:
                conn = amqp.Connection(f"127.0.0.1:{self.port}", userid="guest", password="guest", connect_timeout=2)
                conn.connect()
                conn.close()
                return True
            except Exception:  # noqa: BLE001 - not up yet
                return False
        wait_until(ready, 120, "rabbitmq-server to accept AMQP connections", interval=0.5)
        found = re.search(r"RabbitMQ ([0-9][0-9.]*[0-9])", (self.workdir / "rabbitmq.log").read_text(errors="replace"))
        self.version = found.group(1) if found else "?"
        VERSIONS["rabbitmq-server"] = self.version
        return self

    def url(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def stop(self):
        if self.proc:
            kill_group(self.proc, signal.SIGTERM)  # RabbitMQ shuts down cleanly on SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            reap(self.proc)
        if self.epmd:
            reap(self.epmd)


# --- workers ------------------------------------------------------------------------------------------------
# The pod's private /tmp (an emptyDir in the cluster) is a tmpfs mounted over /tmp in the worker's mount
# namespace. What the worker needs from the host (the fixture app, the venv and its interpreter, the folder of
# the journal) stays visible there even when it lives under /tmp, as for a checkout in /tmp: the launcher opens
# each such folder before the tmpfs covers it, then bind-mounts it at the same path inside the new /tmp.
# The rest of the private /tmp is empty, as in the pod; the heartbeat file goes to the rendered path in it.
WORKER_LAUNCHER = r"""
name=$0
keep=()
while [ "$1" != -- ]; do
  exec {fd}<"$1" || { echo "worker launcher: cannot open $1" >&2; exit 97; }
  keep+=("$fd" "$1")
  shift
done
shift
hostname "$name" || exit 97
mount -t tmpfs -o size=16m,mode=1777 tmpfs /tmp || exit 97
for ((i = 0; i < ${#keep[@]}; i += 2)); do
  fd=${keep[i]}
  dir=${keep[i + 1]}
  mkdir -p "$dir" && mount --no-canonicalize --bind "/proc/self/fd/$fd" "$dir" \
    || { echo "worker launcher: cannot bind $dir into the private /tmp" >&2; exit 97; }
  exec {fd}<&-
done
exec "$@"
"""


def under_tmp(paths):
    """The outermost of paths (resolved) that lie under /tmp, which the pod's private /tmp would hide."""
    keep = []
    for path in sorted({os.path.realpath(p) for p in paths}):  # sorted: a parent comes before its children
        if path == "/tmp":
            raise SetupError("the worker needs /tmp itself from the host, which would leave it no private /tmp: "
                             "move the venv, the checkout or FAULTS_RUN_DIR out of /tmp, or into a folder of it")
        if path.startswith("/tmp/") and not any(path.startswith(k + "/") for k in keep):
            keep.append(path)
    return keep


def worker_host_paths(workdir):
    """The host folders a worker reads or writes: app, venv, the venv's interpreter, the journal's folder."""
    return [HERE, VENV_BIN.parent, Path(os.path.realpath(VENV_BIN / "python")).parent.parent, sys.base_prefix,
            workdir]


class Worker:
    """One pod's worker container: the rendered argv and env, with a private /tmp and its own hostname."""

    def __init__(self, name, rendered, broker_url, workdir, env_overrides=None):
        self.name = name
        self.rendered = rendered
        self.workdir = Path(workdir)
        self.log = self.workdir / f"{name}.log"
        self.env = worker_env(rendered, broker_url, env_overrides)
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    @property
    def kept_from_host(self):
        """The host folders under /tmp that are bind-mounted into the worker's private /tmp."""
        return under_tmp(worker_host_paths(self.workdir))

    def start(self):
        require("unshare", "util-linux")
        bash = require("bash", "Debian package bash")
        # unshare execs bash, which execs the rendered command: the worker's main process keeps this pid,
        # like the container's PID 1, and its pool children share its process group.
        argv = ["unshare", "--mount", "--uts", "--propagation", "private", "--",
                bash, "-c", WORKER_LAUNCHER, self.name, *self.kept_from_host, "--",
                *self.rendered["command"], *self.rendered.get("args", [])]
        self.proc = spawn(argv, self.log, env=self.env, cwd="/")
        return self

    def wait_ready(self, timeout=60):
        def ready():
            if self.proc.poll() is not None:
                raise SetupError(f"worker {self.name} exited with {self.proc.returncode}:\n{tail(self.log)}")
            return " ready." in self.log.read_text(errors="replace")
        wait_until(ready, timeout, f"worker {self.name} to log 'ready.'")

    @property
    def hostname(self):
        """Celery's node name: the rendered --hostname with %h replaced by the pod's hostname."""
        arg = next(a for a in self.rendered["command"] if a.startswith("--hostname="))
        return arg.split("=", 1)[1].replace("%h", self.name)

    def probe(self, probe=None):
        """Runs the rendered exec probe in the worker's mount namespace, as the kubelet runs it in the container."""
        probe = probe or self.rendered["livenessProbe"]
        argv = ["nsenter", "-t", str(self.pid), "-m", "--", *probe["exec"]["command"]]
        try:
            out = subprocess.run(argv, env=self.env, capture_output=True, timeout=probe.get("timeoutSeconds", 1),
                                 cwd="/")
        except subprocess.TimeoutExpired:
            return False
        return out.returncode == 0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal_main(self, sig):
        """The kubelet signals the container's main process only."""
        os.kill(self.pid, sig)

    def kill_all(self):
        """SIGKILL to the main process and every pool child at once, as an OOM kill of the container does."""
        kill_group(self.proc, signal.SIGKILL)

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self):
        if self.proc is not None:
            kill_group(self.proc, signal.SIGCONT)
            reap(self.proc)


def probe_until_restart(pod, since, give_up_after):
    """Runs the pod's liveness probe every periodSeconds, as the kubelet does, until failureThreshold failures in
    a row, the point at which the kubelet restarts the container. Returns (seconds from `since` to then, or None
    if that never happened within give_up_after, and the result of every probe)."""
    probe = pod.rendered["livenessProbe"]
    failures, results = 0, []
    while time.monotonic() - since < give_up_after:
        ok = pod.probe()
        results.append(ok)
        failures = 0 if ok else failures + 1
        if failures >= probe["failureThreshold"]:
            return time.monotonic() - since, results
        time.sleep(probe["periodSeconds"])
    return None, results


def kubelet_expand(value, env):
    """$(VAR) of a variable defined earlier in the list is replaced by its value, $$ is a literal $, as the kubelet does."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), value)


def worker_env(rendered, broker_url, overrides=None):
    secrets = dict(FAKE_SECRETS)
    parsed = urlparse(broker_url)
    if parsed.scheme.startswith("redis"):
        # The Redis description: the Secret holds host:port; the URL is composed in the pod from it.
        secrets[("picvario-broker", "redis-address")] = f"{parsed.hostname}:{parsed.port}"
    else:
        secrets[("picvario-broker", "broker-url")] = broker_url
    env = {}
    for var in rendered["env"]:
        if "value" in var:
            env[var["name"]] = kubelet_expand(var["value"], env)
            continue
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        if not ref or (ref["name"], ref["key"]) not in secrets:
            raise SetupError(f"rendered env {var['name']} comes from {var.get('valueFrom')}, which the test cannot supply")
        env[var["name"]] = secrets[(ref["name"], ref["key"])]
    if env.get("CELERY_BROKER_URL") != broker_url:
        raise SetupError(f"the rendered worker would use {env.get('CELERY_BROKER_URL')}, the test's broker is {broker_url}: "
                         "render with the test's redisDatabaseIndex")
    env.update(overrides or {})
    # What the image would provide: the interpreter on PATH and the app on the import path.
    env["PATH"] = f"{VENV_BIN}:{SYSTEM_PATH}"
    env["PYTHONPATH"] = str(HERE)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# --- the journal the tasks write ----------------------------------------------------------------------------
@dataclass
class Event:
    event: str
    key: str
    task_id: str
    hostname: str
    pid: int
    at: float
    redelivered: bool


@dataclass
class Journal:
    path: Path
    keys: list = field(default_factory=list)

    def events(self):
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            e, key, tid, host, pid, at, red = line.split()
            out.append(Event(e, key, tid, host, int(pid), float(at), red == "1"))
        return out

    def starts(self, key=None, hostname=None):
        return [e for e in self.events() if e.event == "start" and (key is None or e.key == key)
                and (hostname is None or e.hostname == hostname)]

    def finishes(self, key=None, hostname=None):
        return [e for e in self.events() if e.event == "finish" and (key is None or e.key == key)
                and (hostname is None or e.hostname == hostname)]

    def finished_keys(self):
        return {e.key for e in self.events() if e.event == "finish"}

    def all_finished(self):
        return set(self.keys) <= self.finished_keys()

    def running_on(self, hostname):
        """Keys started on hostname and not finished there."""
        done = {e.key for e in self.finishes(hostname=hostname)}
        return [e for e in self.starts(hostname=hostname) if e.key not in done]

    def counts(self):
        events = self.events()
        starts, finishes = {}, {}
        for e in events:
            seen = starts if e.event == "start" else finishes
            seen[e.key] = seen.get(e.key, 0) + 1
        return {
            "enqueued": len(self.keys),
            "completed": sum(1 for k in self.keys if finishes.get(k)),
            "lost": sum(1 for k in self.keys if not finishes.get(k)),
            # started more than once (a re-run after a fault: expected with at-least-once delivery)
            "duplicated": sum(1 for k in self.keys if starts.get(k, 0) > 1),
            # finished more than once: two full runs of one task, which acks_late alone never causes
            "completed_twice": sum(1 for k in self.keys if finishes.get(k, 0) > 1),
        }


def enqueue(broker_url, queue, journal, count, seconds, prefix="t"):
    """Publishes count tasks by name, from a producer that shares nothing with the workers but the broker."""
    from celery import Celery
    producer = Celery("producer", broker=broker_url)
    producer.conf.broker_connection_retry_on_startup = True
    try:
        for i in range(count):
            key = f"{prefix}{i:02d}"
            producer.send_task("fixture_app.work", args=[str(journal.path), key, seconds], queue=queue)
            journal.keys.append(key)
    finally:
        producer.close()


def record(broker, scenario, counts, recovery_s, note=""):
    FIGURES.append({"broker": broker, "scenario": scenario, **counts,
                    "recovery_s": None if recovery_s is None else round(recovery_s, 1), "note": note})


VERSIONS = {}


def versions_line():
    import celery
    import kombu
    import redis
    parts = [f"celery {celery.__version__}", f"kombu {kombu.__version__}", f"redis-py {redis.__version__}"]
    parts += [f"{k} {v}" for k, v in sorted(VERSIONS.items())]
    return ", ".join(parts)


def figures_table():
    head = ["broker", "scenario", "enqueued", "completed", "lost", "duplicated", "completed_twice", "recovery_s", "note"]
    rows = [[str(r[h]) if r.get(h) is not None else "-" for h in head] for r in FIGURES]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)
