"""The Celery application the fault tests run as ``celery -A fixture_app.celery worker ...``.

Everything below ``# --- contract`` is what the application must do to meet the CeleryWorkerPool contract;
docs/CELERY-FAULTS.md quotes it. The only thing specific to the tests is the ``work`` task.
"""
import os
import time
from pathlib import Path

from celery import Celery, bootsteps

app = Celery("fixture_app")


# --- contract: settings ------------------------------------------------------------------------------------
def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={value!r} is not a boolean")


app.conf.update(
    broker_url=os.environ["CELERY_BROKER_URL"],
    task_acks_late=_env_bool("CELERY_TASK_ACKS_LATE", False),
    task_reject_on_worker_lost=_env_bool("CELERY_TASK_REJECT_ON_WORKER_LOST", False),
    worker_prefetch_multiplier=int(os.environ.get("CELERY_WORKER_PREFETCH_MULTIPLIER", "4")),
    broker_connection_retry_on_startup=True,
)
if "CELERY_BROKER_VISIBILITY_TIMEOUT" in os.environ:  # Redis only
    app.conf.broker_transport_options = {
        "visibility_timeout": int(os.environ["CELERY_BROKER_VISIBILITY_TIMEOUT"]),
        # kombu looks for messages whose visibility timeout has run out every unacked_restore_interval (10 s)
        # seconds, but scans Redis only on every unacked_restore_throttle-th look (default 10): a task left by
        # a killed worker would come back up to ~100 s after the timeout. 1 makes it at most ~10 s.
        "unacked_restore_throttle": 1,
    }


# --- contract: liveness heartbeat ---------------------------------------------------------------------------
class HeartbeatFile(bootsteps.StartStopStep):
    """Touches CELERY_WORKER_HEARTBEAT_FILE every CELERY_WORKER_HEARTBEAT_INTERVAL seconds.

    The timer runs in the worker's consumer event loop, so a stopped (SIGSTOP) or blocked worker stops
    touching the file, and the liveness probe, which only reads the file's age, fails.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.path = os.environ.get("CELERY_WORKER_HEARTBEAT_FILE")
        self.interval = float(os.environ.get("CELERY_WORKER_HEARTBEAT_INTERVAL", "10"))
        self.tref = None

    def start(self, parent):
        if not self.path:
            return
        self.touch()
        self.tref = parent.timer.call_repeatedly(self.interval, self.touch)

    def stop(self, parent):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def touch(self):
        Path(self.path).touch()


app.steps["consumer"].add(HeartbeatFile)
# --- end of contract ----------------------------------------------------------------------------------------


def _record(journal, event, key, task):
    line = "%s %s %s %s %d %.6f %d\n" % (
        event, key, task.request.id, task.request.hostname, os.getpid(), time.time(),
        1 if (task.request.delivery_info or {}).get("redelivered") else 0)
    # One write on an O_APPEND descriptor: lines from concurrent workers never interleave.
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


@app.task(bind=True, name="fixture_app.work")
def work(self, journal, key, seconds):
    """An idempotent unit of work: running it twice leaves the same result. Records its start and finish."""
    _record(journal, "start", key, self)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
    _record(journal, "finish", key, self)
    return key
