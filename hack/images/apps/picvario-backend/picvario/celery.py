"""`celery -A picvario.celery worker --queues=<queue>|beat`: the shop's Celery app, under Picvario's names.

The shop's app (shop.celery) already maps the contract's variables onto Celery and installs the heartbeat
files the probes check (k8s_topology_celery.configure): one app per process, so a task sent from anywhere in
it (`process_asset.delay`) takes the same broker and routes. A worker consumes the queues its command names
(Celery declares a queue it does not know: task_create_missing_queues), so every Picvario queue is served
by the worker started for it.
"""
import os

# Before the shop's app is imported: its own default (shop.settings.production) would otherwise win.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "picvario.settings.kubernetes")

from shop.celery import app  # noqa: E402

# Every task but one runs on the default queue (task_default_queue, as in the shop). The shop's monthly report
# goes to its "reports" queue, which Picvario has no worker for; Picvario's reports are exports.
app.conf.task_routes = {"shop.tasks.monthly_report": {"queue": "export"}}

__all__ = ("app",)
