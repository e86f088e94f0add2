"""contrib/django's configure(): the rendered variables become the Celery settings the fault scenarios rely on.

No broker is needed: these read ``app.conf`` after ``configure`` in a subprocess with exactly the given env.
"""
import json
import subprocess
import sys

import pytest

PROBE = """
import json
from celery import Celery
from k8s_topology_celery import configure
app = configure(Celery("t"))
c = app.conf
print(json.dumps({
    "broker_url": c.broker_url, "broker_user": c.broker_user, "broker_password": c.broker_password,
    "broker_use_ssl": bool(c.broker_use_ssl), "acks_late": c.task_acks_late,
    "reject_on_worker_lost": c.task_reject_on_worker_lost, "prefetch": c.worker_prefetch_multiplier,
    "transport": c.broker_transport_options, "beat_scheduler": c.beat_scheduler,
    "steps": sorted(s.__name__ for s in app.steps["consumer"]),
}))
"""


def configured(env):
    out = subprocess.run([sys.executable, "-c", PROBE], env={"PATH": "/usr/bin:/bin", **env},
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        return out.stderr
    return json.loads(out.stdout)


def test_redis_worker_env_becomes_the_settings():
    conf = configured({
        "CELERY_BROKER_URL": "redis://redis.shop:6379/3", "CELERY_BROKER_USER": "app",
        "CELERY_BROKER_PASSWORD": "p@ss/word", "CELERY_TASK_ACKS_LATE": "true",
        "CELERY_TASK_REJECT_ON_WORKER_LOST": "true", "CELERY_WORKER_PREFETCH_MULTIPLIER": "1",
        "CELERY_BROKER_VISIBILITY_TIMEOUT": "330",
    })
    assert conf["broker_url"] == "redis://redis.shop:6379/3"
    assert (conf["broker_user"], conf["broker_password"]) == ("app", "p@ss/word")
    assert conf["acks_late"] is True and conf["reject_on_worker_lost"] is True and conf["prefetch"] == 1
    assert conf["transport"] == {"visibility_timeout": 330, "unacked_restore_throttle": 1}
    assert conf["broker_use_ssl"] is False
    assert "HeartbeatFile" in conf["steps"]


def test_rediss_verifies_the_certificate():
    assert configured({"CELERY_BROKER_URL": "rediss://redis.shop:6380/0"})["broker_use_ssl"] is True


def test_beat_heartbeat_makes_the_heartbeat_scheduler_the_default():
    conf = configured({"CELERY_BROKER_URL": "redis://r:6379/0", "CELERY_BEAT_HEARTBEAT_FILE": "/tmp/hb"})
    assert conf["beat_scheduler"] == "k8s_topology_celery:HeartbeatScheduler"
    assert configured({"CELERY_BROKER_URL": "redis://r:6379/0"})["beat_scheduler"] == "celery.beat:PersistentScheduler"


@pytest.mark.parametrize("value", ["ture", "2", ""])
def test_a_boolean_that_is_not_one_is_refused(value):
    err = configured({"CELERY_BROKER_URL": "redis://r:6379/0", "CELERY_TASK_ACKS_LATE": value})
    assert isinstance(err, str) and f"CELERY_TASK_ACKS_LATE={value!r} is not a boolean" in err
