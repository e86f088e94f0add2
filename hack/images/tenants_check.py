"""The shop's django-tenants flavour, checked inside a container of the shop's image (run by `manage.py
shell`, with DJANGO_SETTINGS_MODULE=shop.settings.tenants): a request for each tenant's host is answered from
that tenant's schema alone. Each tenant has one user (made by the suite); signed in as a tenant's user,
/api/assets/ answers on its own host, and the same credentials on the other tenant's host are refused
(that user does not exist there); /healthz/live answers under the probes' Host: localhost. Then an asset
uploaded on the first tenant's host (the kit's chunked upload, to the S3 test host) is processed by
shop.tasks.process_asset from a connection in the public schema, as a worker's is: with the schema the view
sent along it finds the asset, without it it fails. Prints one line a check; raises on a mismatch.
"""
import base64
import hashlib
import os
from unittest import mock

from django.db import connection
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

# The asset task in the tenant's schema. The view's task message is captured rather than sent (the suite's
# worker runs the other flavour); the task then runs here, from the public schema, as on a worker.
from shop import tasks  # noqa: E402

schema, host, user, password = TENANTS[0].split(":")
headers = {"HTTP_HOST": host, "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
original = os.urandom(64 * 1024)


def answer(response, expected):
    if response.status_code != expected:
        raise SystemExit(f"tenants: {response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} answered "
                         f"{response.status_code}, expected {expected}: {response.content[:300]!r}")
    return response.json()


upload = answer(client.post("/upload/", {"filename": "tenant.bin", "content_type": "application/octet-stream"},
                            content_type="application/json", **headers), 201)
answer(client.put(f"/upload/{upload['id']}/parts/1", original, content_type="application/octet-stream", **headers), 200)
answer(client.post(f"/upload/{upload['id']}/complete", **headers), 200)
sent = []
with mock.patch.object(tasks.process_asset, "delay", side_effect=lambda *args, **kwargs: sent.append((args, kwargs))):
    asset = answer(client.post("/api/assets/", {"upload": upload["id"]}, content_type="application/json", **headers), 201)
if len(sent) != 1 or sent[0][1].get("schema") != schema:
    raise SystemExit(f"tenants: POST /api/assets/ on {host} sent {sent}, expected one process_asset with schema={schema!r}")
connection.set_schema_to_public()
without = tasks.process_asset.apply(args=sent[0][0])
if not without.failed():
    raise SystemExit(f"tenants: process_asset without a schema found the asset in the public schema: {without.result!r}")
connection.set_schema_to_public()
found = tasks.process_asset.apply(args=sent[0][0], kwargs=sent[0][1]).get(disable_sync_subtasks=False)
if (found["size"], found["sha256"]) != (len(original), hashlib.sha256(original).hexdigest()):
    raise SystemExit(f"tenants: process_asset in {schema} found {found}, expected {len(original)} bytes and the upload's sha256")
print(f"tenants: an asset uploaded on {host} processed in the schema {schema} from a public-schema connection "
      f"({found['size']} bytes, sha256 equal); without the schema the task failed ({type(without.result).__name__})")
