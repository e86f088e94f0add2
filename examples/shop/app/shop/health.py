"""The probes' endpoints: /healthz/live (the process serves requests) and /healthz/ready (it can serve them).

Liveness touches nothing outside the process, so a database outage never restarts the web pods; readiness
asks the database, so a pod that cannot reach it leaves the Service until it can.
"""
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpResponse


def live(request):
    return HttpResponse("ok\n", content_type="text/plain")


def ready(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return HttpResponse(f"database unavailable: {error.__class__.__name__}\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
