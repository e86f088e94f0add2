"""The shop's django-tenants flavour, checked inside a container of the shop's image (run by `manage.py
shell`, with DJANGO_SETTINGS_MODULE=shop.settings.tenants): a request for each tenant's host is answered from
that tenant's schema alone. Each tenant has one user (made by the suite); signed in as a tenant's user,
/api/assets/ answers on its own host, and the same credentials on the other tenant's host are refused
(that user does not exist there); /healthz/live answers under the probes' Host: localhost. Prints one
line; raises on a mismatch.
"""
import base64
import os

from django.test import Client

TENANTS = os.environ["TENANTS_CHECK"].split(",")  # schema:host:user:password,...
client = Client(raise_request_exception=True)
seen = []
for entry in TENANTS:
    schema, host, user, password = entry.split(":")
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    for other in TENANTS:
        other_schema, other_host = other.split(":")[:2]
        status = client.get("/api/assets/", HTTP_HOST=other_host, HTTP_AUTHORIZATION=auth).status_code
        expected = 200 if other_schema == schema else 401
        if status != expected:
            raise SystemExit(f"tenants: {user} of {schema} on {other_host} answered {status}, expected {expected}")
        seen.append(status)
# The probes' Host is localhost, which is no tenant's: the kit's middleware answers before the tenant lookup.
probe = client.get("/healthz/live", HTTP_HOST="localhost").status_code
if probe != 200:
    raise SystemExit(f"tenants: /healthz/live with Host: localhost answered {probe}, expected 200")
print(f"tenants: {len(TENANTS)} schemas; each tenant's user is known on its own host only ({len(seen)} requests); /healthz/live 200 with Host: localhost")
