"""The Celery application the fault tests run as ``celery -A fixture_app.celery worker ...`` (and ``beat``).

It meets the app side of the contract as any app would: with ``configure(app)`` from contrib/django
(k8s-topology-django), which hack/faults/install.sh installs into the suite's venv. What is specific to the
tests: the ``work`` task, the beat schedule that FIXTURE_BEAT_EVERY_SECONDS turns on, and
FIXTURE_WITHOUT_KIT, an app without ``configure(app)``.
"""
import os
import time

from celery import Celery
from k8s_topology_celery import configure

if os.environ.get("FIXTURE_WITHOUT_KIT"):
    # The beat tests' control: an app that never calls configure(app), so nothing gives beat a heartbeat.
    app = Celery("fixture_app", broker=os.environ["CELERY_BROKER_URL"])
else:
    app = configure(Celery("fixture_app"))

if os.environ.get("FIXTURE_BEAT_EVERY_SECONDS"):
    # Beat only sends: the test counts the messages on the queue, no worker needs to run them.
    app.conf.beat_schedule = {
        "tick": {
            "task": "fixture_app.tick",
            "schedule": float(os.environ["FIXTURE_BEAT_EVERY_SECONDS"]),
            "options": {"queue": os.environ.get("FIXTURE_BEAT_QUEUE", "beat-ticks")},
        },
    }


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


@app.task(name="fixture_app.tick")
def tick():
    """What beat sends; never run by the tests."""
