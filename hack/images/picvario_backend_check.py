"""Run in Picvario's backend container by hack/images/picvario-backend-check.sh, with the render's environment:
what `celery -A picvario.celery worker|beat` and `gunicorn picvario.wsgi:application` load.

PICVARIO_QUEUES names the queues of the render's workers (their --queues=), comma-separated. The broker URL
is amqp:// on a test host where nothing listens: the kit's readiness check must reach it with kombu's amqp
transport and be refused. Prints one line per check; exits non-zero on the first that fails.
"""
import os
import sys

import picvario.wsgi  # noqa: F401 (sets Django up with DJANGO_SETTINGS_MODULE, as gunicorn does)
import picvario
from celery.app.utils import find_app
from django.conf import settings


def fail(message):
    print(f"picvario: FAILED: {message}")
    sys.exit(1)


if settings.SETTINGS_MODULE != "picvario.settings.kubernetes":
    fail(f"Django runs with {settings.SETTINGS_MODULE}; expected picvario.settings.kubernetes")
if settings.DATABASES["default"]["ENGINE"] != "django_tenants.postgresql_backend":
    fail(f"the database engine is {settings.DATABASES['default']['ENGINE']}; expected django-tenants'")

# The app `celery -A picvario.celery` runs, and the one a web process sends with: one app.
app = find_app("picvario.celery")
if app is not picvario.celery_app:
    fail(f"celery -A picvario.celery finds {app!r}, not the app picvario imports ({picvario.celery_app!r})")
print("picvario: picvario.wsgi and picvario.celery import; celery -A picvario.celery finds the app picvario loads")

connection = app.connection_for_write()
if connection.transport.driver_type != "amqp":
    fail(f"the broker {connection.as_uri()} uses kombu's {connection.transport.driver_type} transport; expected amqp")

queues = [q for q in os.environ["PICVARIO_QUEUES"].split(",") if q]
for queue in queues:
    # What `celery worker --queues=<queue>` does with its option: a queue the app does not define is created.
    app.amqp.queues.select([queue])
    if list(app.amqp.queues.consume_from) != [queue]:
        fail(f"a worker started with --queues={queue} would consume {list(app.amqp.queues.consume_from)}")
print(f"picvario: a worker started with --queues=<q> consumes q, for each of {', '.join(queues)}")

app.loader.import_default_modules()
shop_tasks = sorted(name for name in app.tasks if name.startswith("shop."))
routes = {name: app.amqp.router.route({}, name)["queue"].name for name in shop_tasks}
for name in ("shop.tasks.process_asset", "shop.tasks.work"):
    if routes.get(name) != "default":
        fail(f"{name} is routed to {routes.get(name)!r}; expected the default queue")
unserved = {name: queue for name, queue in routes.items() if queue not in queues}
if unserved:
    fail(f"tasks routed to a queue no worker of the render consumes: {unserved}")
print(f"picvario: every task goes to a queue a worker consumes ({', '.join(f'{n}: {q}' for n, q in routes.items())})")

# The heartbeats the probes check: CELERY_*_HEARTBEAT_FILE are the worker's and beat's (given by the script).
from celery.utils.imports import symbol_by_name  # noqa: E402
from k8s_topology_celery import HeartbeatFile, HeartbeatSchedulerMixin  # noqa: E402

if HeartbeatFile not in app.steps["consumer"]:
    fail(f"the worker's consumer has no heartbeat step (steps: {app.steps['consumer']})")
scheduler = symbol_by_name(app.conf.beat_scheduler)
if not issubclass(scheduler, HeartbeatSchedulerMixin):
    fail(f"beat's scheduler {app.conf.beat_scheduler} does not touch the heartbeat file")
# One tick of beat's scheduler, as `celery beat` runs it (no task is due at its first tick, so no broker).
beat_file = os.environ["CELERY_BEAT_HEARTBEAT_FILE"]
if os.path.exists(beat_file):
    fail(f"{beat_file} exists before beat's first tick")
scheduler(app=app, schedule_filename="/tmp/picvario-check-beat-schedule").tick()
if not os.path.exists(beat_file):
    fail(f"a tick of beat's scheduler ({app.conf.beat_scheduler}) did not write {beat_file}")
print(f"picvario: the worker's consumer has the step that touches {os.environ['CELERY_WORKER_HEARTBEAT_FILE']}; "
      f"a tick of beat's scheduler ({app.conf.beat_scheduler}) wrote {beat_file}")

from k8s_topology_django.health import check_broker  # noqa: E402

try:
    check_broker()
except Exception as error:  # kombu's OperationalError, wrapping the refused connection
    if "refused" not in str(error).lower():
        fail(f"the readiness check's broker connection failed otherwise than refused: {error!r}")
else:
    fail("the readiness check reached a broker where nothing listens")
print(f"picvario: the readiness check tries the broker with kombu's amqp transport ({connection.as_uri()}: refused)")
