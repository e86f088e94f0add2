"""Issue 12: a hung Celery beat fails the liveness probe CeleryBeat renders, and a running one passes it.

Beat runs with the exact command, env and probes CeleryBeat renders, on a real Redis, with the app's heartbeat
from contrib/django (``configure(app)``). The schedule sends a task every second; the test counts the messages
beat put on the queue, so "beat works" is measured, not assumed. See docs/CELERY-FAULTS.md.
"""
import signal
import time

import pytest

import faultlib as F

INTERVAL = 2  # rendered heartbeatIntervalSeconds
EVERY = 1.0  # the fixture schedule: one tick message per second
QUEUE = "beat-ticks"


class Beat:
    """One beat pod on its own Redis database."""

    def __init__(self, redis_broker, name, env=None, **props):
        db = redis_broker.next_db()
        self.rendered = F.render(component="beat", broker="redis", redisDatabaseIndex=db, **props)
        self.url = redis_broker.url(db)
        workdir = F.RUN_DIR / f"{name}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.pod = F.Worker(name, self.rendered, self.url, workdir,
                            {"FIXTURE_BEAT_EVERY_SECONDS": str(EVERY), "FIXTURE_BEAT_QUEUE": QUEUE, **(env or {})})
        import redis
        self.redis = redis.Redis.from_url(self.url)

    def sent(self):
        """How many tick messages beat has put on the queue (nobody consumes them)."""
        return self.redis.llen(QUEUE)

    def wait_started(self, timeout=60):
        """Probes as the kubelet does until the rendered startup probe passes; returns the seconds it took."""
        probe = self.rendered["startupProbe"]
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if not self.pod.alive():
                raise F.SetupError(f"beat exited with {self.pod.proc.returncode}:\n{F.tail(self.pod.log)}")
            if self.pod.probe(probe):
                return time.monotonic() - began
            time.sleep(0.5)
        return None


@pytest.fixture
def beats():
    started = []

    def start(redis_broker, name, env=None, **props):
        beat = Beat(redis_broker, name, env, **props)
        started.append(beat)
        beat.pod.start()
        return beat
    try:
        yield start
    finally:
        for beat in started:
            beat.pod.stop()
            beat.redis.close()


def test_rendered_beat_runs_the_schedule_and_touches_the_heartbeat(redis_broker, beats):
    beat = beats(redis_broker, "beat-healthy", heartbeatIntervalSeconds=INTERVAL)
    command = beat.rendered["command"]
    assert command[:4] == ["celery", "-A", "fixture_app.celery", "beat"]
    assert f"--max-interval={INTERVAL}" in command
    assert F.env_value(beat.rendered, "CELERY_BEAT_HEARTBEAT_INTERVAL") == str(INTERVAL)

    started_after = beat.wait_started()
    assert started_after is not None, f"the startup probe never passed:\n{F.tail(beat.pod.log)}"
    before = beat.sent()
    for _ in range(4):
        time.sleep(beat.rendered["livenessProbe"]["periodSeconds"])
        assert beat.pod.probe(), "the liveness probe failed against a running beat"
    sent = beat.sent() - before
    F.record("redis", f"7 beat running (interval {INTERVAL}s)", {}, started_after,
             f"recovery_s = start to the startup probe passing; {sent} ticks sent in {4 * INTERVAL}s")
    assert sent >= 4 * INTERVAL / EVERY - 2, f"beat sent {sent} ticks in {4 * INTERVAL}s, schedule is every {EVERY}s"


def test_liveness_probe_fails_while_beat_is_stopped_and_passes_after(redis_broker, beats):
    beat = beats(redis_broker, "beat-hung", heartbeatIntervalSeconds=INTERVAL)
    probe = beat.rendered["livenessProbe"]
    period, threshold = probe["periodSeconds"], probe["failureThreshold"]
    max_age = 3 * INTERVAL
    window = max_age + period * threshold
    assert beat.wait_started() is not None, f"the startup probe never passed:\n{F.tail(beat.pod.log)}"
    assert beat.pod.probe()

    stopped_at = time.monotonic()
    beat.pod.signal_main(signal.SIGSTOP)
    sent_at_stop = beat.sent()
    dead_after, results = F.probe_until_restart(beat.pod, stopped_at, window + 10)
    sent_while_stopped = beat.sent() - sent_at_stop
    beat.pod.signal_main(signal.SIGCONT)
    try:
        resumed = F.wait_until(beat.pod.probe, max_age + 2 * INTERVAL, "the probe to pass again after SIGCONT",
                               interval=0.2)
    except TimeoutError:
        resumed = False
    sent_at_resume = beat.sent()
    time.sleep(3 * EVERY + 1)
    sent_after_resume = beat.sent() - sent_at_resume

    F.record("redis", f"8 beat liveness, SIGSTOP (interval {INTERVAL}s)", {}, dead_after,
             f"recovery_s = SIGSTOP to {threshold} failed probes in a row; rendered window {window:g}s")
    assert results[0] is True, "the probe failed at once after SIGSTOP, before the heartbeat file could age"
    assert dead_after is not None, f"the probe never failed {threshold} times in a row against a stopped beat"
    assert dead_after <= window + 1.5, f"detected after {dead_after:.1f}s, rendered window is {window:g}s"
    assert dead_after >= max_age - 0.5, f"the probe failed after {dead_after:.1f}s, before the file could age"
    assert sent_while_stopped <= 1, f"a stopped beat sent {sent_while_stopped} ticks"
    assert resumed, f"the probe did not pass again within {max_age + 2 * INTERVAL:g}s of SIGCONT"
    assert sent_after_resume >= 2, f"beat sent {sent_after_resume} ticks in the {3 * EVERY + 1:g}s after SIGCONT"


def test_a_scheduler_named_on_the_command_line_gets_the_heartbeat_from_configure(redis_broker, beats):
    # Celery's own scheduler, which lacks HeartbeatSchedulerMixin, named with --scheduler as
    # django-celery-beat's DatabaseScheduler is: configure(app) gives it the heartbeat when beat starts.
    beat = beats(redis_broker, "beat-named-scheduler", heartbeatIntervalSeconds=INTERVAL,
                 scheduler="celery.beat:PersistentScheduler")
    assert "--scheduler=celery.beat:PersistentScheduler" in beat.rendered["command"]
    assert beat.wait_started() is not None, f"the startup probe never passed:\n{F.tail(beat.pod.log)}"
    before = beat.sent()
    for _ in range(2):
        time.sleep(beat.rendered["livenessProbe"]["periodSeconds"])
        assert beat.pod.probe(), "the liveness probe failed against a running beat"
    assert beat.sent() - before >= 2, f"beat sent {beat.sent() - before} ticks while its probes passed"


def test_control_an_app_without_the_kit_never_passes_the_startup_probe(redis_broker, beats):
    # The same beat in an app that never calls configure(app): it runs the schedule, but nothing touches
    # the file, so the probes above cannot be passing for any reason but the heartbeat.
    beat = beats(redis_broker, "beat-no-heartbeat", {"FIXTURE_WITHOUT_KIT": "1"}, heartbeatIntervalSeconds=INTERVAL,
                 scheduler="celery.beat:PersistentScheduler")
    assert beat.wait_started(timeout=4 * INTERVAL + 4) is None, "the startup probe passed with no heartbeat"
    assert beat.sent() >= 2, f"beat sent {beat.sent()} ticks: it should run and only the heartbeat be missing"


def test_liveness_none_waits_for_the_pid_file_and_has_no_liveness_probe(redis_broker, beats):
    beat = beats(redis_broker, "beat-liveness-none", liveness="none",
                 scheduler="celery.beat:PersistentScheduler")
    assert "livenessProbe" not in beat.rendered or beat.rendered["livenessProbe"] is None
    assert not any(a.startswith("--max-interval") for a in beat.rendered["command"])
    assert F.env_value(beat.rendered, "CELERY_BEAT_HEARTBEAT_FILE") is None
    assert beat.wait_started() is not None, f"the pid-file startup probe never passed:\n{F.tail(beat.pod.log)}"
    F.wait_until(lambda: beat.sent() >= 2, 10, "beat to send ticks")
