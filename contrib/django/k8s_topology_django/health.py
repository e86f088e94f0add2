"""The probes' endpoints: /healthz/live (the process answers) and /healthz/ready (the database, the broker
and the media bucket answer within HEALTH_TIMEOUT seconds).

The kubelet sends ``Host: localhost``, which ALLOWED_HOSTS rarely lists. HealthCheckMiddleware, first in
MIDDLEWARE (``configure(globals())`` puts it there), answers these two paths before any middleware or view
reads the Host header, so they neither 400 nor redirect to https. Liveness touches nothing outside the
process, so an outage of the database never restarts the web pods; readiness takes a pod that cannot reach
what it needs out of the Service until it can.
"""
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

__all__ = ["HealthCheckMiddleware", "live", "ready", "LIVE_PATH", "READY_PATH"]

LIVE_PATH = "/healthz/live"
READY_PATH = "/healthz/ready"
# Seconds each dependency may take; the probe's own timeout (DjangoBackend, 5 s by default) must exceed their sum.
DEFAULT_TIMEOUT = 1.5


def _timeout():
    return float(getattr(settings, "HEALTH_TIMEOUT", DEFAULT_TIMEOUT))


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker():
    url = getattr(settings, "CELERY_BROKER_URL", None)
    if not url:
        return "not configured"
    import ssl

    from kombu import Connection

    # The broker as the app's Celery reaches it (k8s_topology_celery.configure): credentials beside the
    # URL, and a verified certificate with rediss://.
    verify = {"ssl_cert_reqs": ssl.CERT_REQUIRED} if url.startswith("rediss://") else None
    with Connection(url, userid=getattr(settings, "CELERY_BROKER_USER", None),
                    password=getattr(settings, "CELERY_BROKER_PASSWORD", None), ssl=verify,
                    connect_timeout=_timeout()) as conn:
        conn.ensure_connection(max_retries=1, timeout=_timeout())
    return None


def check_storage():
    from .s3 import client

    client(timeout=_timeout()).head_bucket(Bucket=settings.AWS_STORAGE_BUCKET_NAME)


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def live(request):
    return JsonResponse({"status": "ok"})


def ready(request):
    results, ok = {}, True
    for name, check in CHECKS.items():
        start = time.monotonic()
        try:
            note = check()
        except Exception as error:  # any failure of a dependency makes the pod unready; the class names it
            ok = False
            results[name] = {"status": "failed", "error": error.__class__.__name__}
        else:
            results[name] = {"status": note or "ok"}
        results[name]["seconds"] = round(time.monotonic() - start, 3)
    return JsonResponse({"status": "ok" if ok else "failed", "checks": results}, status=200 if ok else 503)


class HealthCheckMiddleware:
    """Answers GET/HEAD of the health paths itself, before the Host header is validated."""

    ROUTES = {LIVE_PATH: live, READY_PATH: ready}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.ROUTES.get(request.path_info.rstrip("/") or "/")
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
