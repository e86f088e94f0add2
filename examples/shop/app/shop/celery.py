"""`celery -A shop.celery worker|beat|flower`: the broker, the acks and the heartbeats from the environment.

k8s_topology_celery (contrib/django of @picvario/k8s-topology) maps the contract's variables onto the app and
installs the worker's and beat's heartbeat files, which the liveness probes check.
"""
import os

from celery import Celery
from k8s_topology_celery import configure

# Celery's Django fixup sets Django up when a worker or beat starts (tasks import models inside them).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")

app = configure(Celery("shop"))
app.conf.task_default_queue = "default"
app.conf.task_routes = {"shop.tasks.monthly_report": {"queue": "reports"}}
app.conf.beat_schedule = {
    "clear-expired-carts": {"task": "shop.tasks.ping", "schedule": 3600.0},
}
app.autodiscover_tasks(["shop"])
