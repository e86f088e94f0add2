"""/healthz/live and /healthz/ready as the kubelet calls them: plain http, Host: localhost."""
import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

probe = Client(HTTP_HOST="localhost")


def test_live_answers_the_probe_although_the_host_is_not_allowed_and_https_is_enforced():
    r = probe.get("/healthz/live")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_other_paths_still_refuse_that_host():
    assert probe.get("/upload/").status_code == 400


def test_ready_when_database_broker_and_storage_answer():
    r = probe.get("/healthz/ready")
    assert r.status_code == 200, r.content
    checks = r.json()["checks"]
    assert {name: c["status"] for name, c in checks.items()} == {"database": "ok", "broker": "ok", "storage": "ok"}


def closed_port():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_an_unreachable_broker_makes_the_pod_unready_within_the_timeout(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.HEALTH_TIMEOUT = 1
    start = time.monotonic()
    r = probe.get("/healthz/ready")
    assert time.monotonic() - start < 5
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert checks["broker"]["status"] == "failed" and checks["database"]["status"] == "ok"


def test_the_broker_check_uses_the_password_beside_the_url(settings):
    settings.CELERY_BROKER_PASSWORD = "not-the-password"
    r = probe.get("/healthz/ready")
    assert r.status_code == 503 and r.json()["checks"]["broker"]["status"] == "failed"


def test_a_missing_bucket_makes_the_pod_unready(settings):
    settings.AWS_STORAGE_BUCKET_NAME = "no-such-bucket"
    r = probe.get("/healthz/ready")
    assert r.status_code == 503 and r.json()["checks"]["storage"]["status"] == "failed"


def test_the_storage_check_uses_the_keys_of_the_settings_as_django_storages_does(settings):
    """cookiecutter-django's settings set AWS_ACCESS_KEY_ID from DJANGO_AWS_ACCESS_KEY_ID; the environment has none then."""
    import os

    settings.AWS_ACCESS_KEY_ID = "not-the-key"
    settings.AWS_SECRET_ACCESS_KEY = "not-the-secret"
    r = probe.get("/healthz/ready")
    assert r.status_code == 503 and r.json()["checks"]["storage"]["status"] == "failed"
    settings.AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
    settings.AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]
    r = probe.get("/healthz/ready")
    assert r.status_code == 200 and r.json()["checks"]["storage"]["status"] == "ok"
