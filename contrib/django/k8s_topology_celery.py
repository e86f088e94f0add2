"""The app side of the Celery contract of @picvario/k8s-topology.

    from celery import Celery
    from k8s_topology_celery import configure

    app = Celery("shop")
    configure(app)

``configure`` reads the variables the rendered workers, beat and web pods set, and installs the heartbeat
that the liveness probes check instead of pinging the broker:

- ``CELERY_BROKER_URL`` (and, for Redis, ``CELERY_BROKER_USER`` and ``CELERY_BROKER_PASSWORD``, kept out of
  the URL so that a password needs no escaping); ``rediss://`` verifies the server's certificate.
- ``CELERY_TASK_ACKS_LATE``, ``CELERY_TASK_REJECT_ON_WORKER_LOST``, ``CELERY_WORKER_PREFETCH_MULTIPLIER``;
  without them the worker contract's values (true, true, 1), so a process that runs tasks outside the
  rendered workers loses none either.
- ``CELERY_BROKER_VISIBILITY_TIMEOUT`` (Redis), with ``unacked_restore_throttle: 1`` so that a killed
  worker's task comes back between the timeout and the timeout + 10 s. It must be longer than the task
  time limit (else Redis hands a running task to a second worker): a shorter one is refused, and without
  the variable a Redis broker gets the time limit + 60 s. The limit is ``task_time_limit`` when the app
  sets it, and is checked again when a worker starts, against the worker's own limit, which the rendered
  workers get on their command line (``--time-limit``) and ``configure`` cannot see.
- ``CELERY_WORKER_HEARTBEAT_FILE``/``_INTERVAL``: a consumer bootstep touches the file from the worker's event
  loop, so a stuck worker stops touching it.
- ``CELERY_BEAT_HEARTBEAT_FILE``: beat's scheduler touches the file on every tick, whichever scheduler beat
  runs. ``configure`` makes :class:`HeartbeatScheduler` the default scheduler, and gives any other one
  (django-celery-beat's ``DatabaseScheduler``, named with ``--scheduler``) the heartbeat when beat starts;
  a scheduler class that mixes in :class:`HeartbeatSchedulerMixin` already has it.
"""
import os
import ssl
from pathlib import Path

from celery import bootsteps, signals
from celery.beat import PersistentScheduler

__all__ = ["configure", "HeartbeatFile", "HeartbeatSchedulerMixin", "HeartbeatScheduler", "VisibilityTimeoutCheck"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{name}={value!r} is not a boolean")


def _env_int(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not an integer") from None


# How much longer than the longest task a Redis visibility timeout is when the environment sets none.
VISIBILITY_MARGIN_SECONDS = 60


def _is_redis(broker_url):
    return (broker_url or "").startswith(("redis://", "rediss://"))


def _checked_visibility_timeout(timeout, time_limit, timeout_said, limit_said):
    """The one rule for a Redis visibility timeout: a given one must be longer than the time limit (else Redis
    hands a task that is still running to a second worker); without one, the limit + VISIBILITY_MARGIN_SECONDS.
    None when neither is known. The two descriptions name where the values came from, for the error."""
    if timeout is None:
        return int(time_limit) + VISIBILITY_MARGIN_SECONDS if time_limit else None
    if time_limit and timeout <= time_limit:
        raise ValueError(
            f"{timeout_said} is not longer than {limit_said}: Redis would hand a task that is still running to a "
            "second worker; set it above the longest time limit")
    return timeout


def _visibility_timeout(broker_url, time_limit):
    """The Redis visibility timeout at configure: CELERY_BROKER_VISIBILITY_TIMEOUT (checked on any broker), or
    the derived one on Redis; None when there is nothing to set."""
    value = _env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", None)
    if value is None and not _is_redis(broker_url):
        return None
    return _checked_visibility_timeout(value, time_limit, f"CELERY_BROKER_VISIBILITY_TIMEOUT={value}", f"task_time_limit={time_limit}")


def _set_visibility_timeout(app, visibility_timeout):
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": visibility_timeout,
        # kombu scans Redis for expired tasks on every unacked_restore_throttle-th look (every 10 s);
        # the default (10) would bring a killed worker's task back up to ~100 s after the timeout.
        "unacked_restore_throttle": 1,
    }


class VisibilityTimeoutCheck(bootsteps.Step):
    """The Redis visibility timeout against the worker's own time limit, when the worker is built (before its
    consumer connects to the broker). ``celery worker --time-limit=N``, as the rendered workers run, sets the
    limit on the worker only, after ``configure`` has run: a timeout not longer than it is refused here, and
    a Redis broker without one gets the limit + VISIBILITY_MARGIN_SECONDS (not kombu's default of an hour)."""

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        app, limit = worker.app, worker.time_limit
        if not limit or not _is_redis(app.conf.broker_url):
            return
        current = (app.conf.broker_transport_options or {}).get("visibility_timeout")
        checked = _checked_visibility_timeout(
            current, limit,
            f"the Redis visibility timeout, {current} s (CELERY_BROKER_VISIBILITY_TIMEOUT or broker_transport_options),",
            f"this worker's time limit, {limit} s (--time-limit or task_time_limit)")
        if current is None:
            _set_visibility_timeout(app, checked)


class HeartbeatFile(bootsteps.StartStopStep):
    """Touches CELERY_WORKER_HEARTBEAT_FILE every CELERY_WORKER_HEARTBEAT_INTERVAL seconds, from the consumer's timer.

    The timer runs in the worker's consumer event loop, so a stopped or blocked worker stops touching the file,
    and the liveness probe, which only reads the file's age, fails.
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


class HeartbeatSchedulerMixin:
    """Touches CELERY_BEAT_HEARTBEAT_FILE on every tick of beat's scheduler.

    Mix it into any scheduler: ``class Scheduler(HeartbeatSchedulerMixin, DatabaseScheduler): pass``. Beat runs
    with ``--max-interval=<CELERY_BEAT_HEARTBEAT_INTERVAL>``, so it ticks at least that often.
    """

    def tick(self, *args, **kwargs):
        _touch_beat_heartbeat()
        return super().tick(*args, **kwargs)


class HeartbeatScheduler(HeartbeatSchedulerMixin, PersistentScheduler):
    """Celery's default scheduler, with the beat heartbeat."""


def _touch_beat_heartbeat():
    path = os.environ.get("CELERY_BEAT_HEARTBEAT_FILE")
    if path:
        Path(path).touch()


def _heartbeat_for_any_scheduler(sender, **_):
    """beat_init: the scheduler beat runs, when it is not a HeartbeatSchedulerMixin, touches the heartbeat
    before each tick too. The scheduler is named on beat's command line (``--scheduler``), which
    ``configure`` runs too early to read; by beat_init, beat has made it, and ticks it from its own loop."""
    scheduler = sender.scheduler
    if isinstance(scheduler, HeartbeatSchedulerMixin):
        return
    tick = scheduler.tick

    def tick_with_heartbeat(*args, **kwargs):
        _touch_beat_heartbeat()
        return tick(*args, **kwargs)

    scheduler.tick = tick_with_heartbeat


def configure(app):
    """Maps the contract's environment onto ``app.conf`` and installs the worker heartbeat; returns ``app``."""
    url = os.environ.get("CELERY_BROKER_URL")
    if url:
        app.conf.broker_url = url
    if os.environ.get("CELERY_BROKER_USER"):
        app.conf.broker_user = os.environ["CELERY_BROKER_USER"]
    if os.environ.get("CELERY_BROKER_PASSWORD"):
        app.conf.broker_password = os.environ["CELERY_BROKER_PASSWORD"]
    if url and url.startswith("rediss://"):
        # kombu's default for rediss:// is not to verify the certificate.
        app.conf.broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    # The worker contract's values are the defaults: a task is acknowledged once it finished, requeued
    # when its process dies, and no worker reserves tasks it may never run.
    app.conf.task_acks_late = _env_bool("CELERY_TASK_ACKS_LATE", True)
    app.conf.task_reject_on_worker_lost = _env_bool("CELERY_TASK_REJECT_ON_WORKER_LOST", True)
    app.conf.worker_prefetch_multiplier = _env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 1)
    visibility_timeout = _visibility_timeout(url or app.conf.broker_url or "", app.conf.task_time_limit)
    if visibility_timeout is not None:
        _set_visibility_timeout(app, visibility_timeout)
    app.conf.broker_connection_retry_on_startup = True
    if os.environ.get("CELERY_BEAT_HEARTBEAT_FILE"):
        if app.conf.beat_scheduler == "celery.beat:PersistentScheduler":
            app.conf.beat_scheduler = "k8s_topology_celery:HeartbeatScheduler"
        # (One receiver for the process, however many apps it configures.)
        signals.beat_init.connect(_heartbeat_for_any_scheduler, weak=False, dispatch_uid="k8s_topology_celery.beat_heartbeat")
    app.steps["worker"].add(VisibilityTimeoutCheck)
    app.steps["consumer"].add(HeartbeatFile)
    return app
