"""Chunked uploads across replicas against versitygw and PostgreSQL: the upload's state is in the database,
so a part or the completion may reach any replica."""
import datetime
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from k8s_topology_django.models import MultipartUpload

# transaction=True: the other replica's process sees what this one committed.
pytestmark = pytest.mark.django_db(transaction=True)
MIB = 1024 * 1024
PART = 5 * MIB  # S3's smallest part but the last
BUCKET = os.environ.get("AWS_STORAGE_BUCKET_NAME", "media")


def start(client, filename="holiday.mov"):
    r = client.post("/upload/", {"filename": filename, "content_type": "video/quicktime"}, content_type="application/json", secure=True)
    assert r.status_code == 201, r.content
    return r.json()


def put(client, upload_id, number, data):
    return client.put(f"/upload/{upload_id}/parts/{number}", data, content_type="application/octet-stream", secure=True)


def open_uploads(s3, key):
    return [u for u in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) if u["Key"] == key]


def replica(*args):
    """Runs the other replica (replica.py) on this test's database; returns its JSON answers."""
    from django.db import connection

    settings = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"}
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("replica.py")), *map(str, args)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_parts_sent_to_two_replicas_become_one_object(signed_in, s3, tmp_path):
    data = os.urandom(2 * PART + 3 * MIB)
    path = tmp_path / "holiday.mov"
    path.write_bytes(data)
    upload = start(signed_in)
    # This replica takes parts 3 and 1, the other part 2 and the completion: out of order, across processes.
    assert put(signed_in, upload["id"], 3, data[2 * PART:]).status_code == 200
    assert put(signed_in, upload["id"], 1, data[:PART]).status_code == 200
    answers = replica("uploader", upload["id"], path, PART, 2, "--complete")
    assert [a["status"] for a in answers] == [200, 200], answers
    assert answers[-1]["body"]["size"] == len(data)
    stored = s3.get_object(Bucket=BUCKET, Key=upload["key"])["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest()
    assert open_uploads(s3, upload["key"]) == []
    # Completed: no part and no second completion are taken.
    assert put(signed_in, upload["id"], 1, b"x").status_code == 409
    assert signed_in.post(f"/upload/{upload['id']}/complete", secure=True).status_code == 409


def test_an_aborted_upload_leaves_nothing_on_s3(signed_in, s3):
    upload = start(signed_in)
    assert put(signed_in, upload["id"], 1, os.urandom(PART)).status_code == 200
    assert len(open_uploads(s3, upload["key"])) == 1
    assert signed_in.delete(f"/upload/{upload['id']}", secure=True).status_code == 204
    assert open_uploads(s3, upload["key"]) == []
    assert not MultipartUpload.objects.filter(pk=upload["id"]).exists()


def test_the_cleanup_command_aborts_expired_uploads_only(signed_in, s3):
    expired, fresh = start(signed_in, "old.bin"), start(signed_in, "new.bin")
    for upload in (expired, fresh):
        assert put(signed_in, upload["id"], 1, b"part").status_code == 200
    MultipartUpload.objects.filter(pk=expired["id"]).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert put(signed_in, expired["id"], 2, b"late").status_code == 410
    call_command("cleanup_uploads")
    assert open_uploads(s3, expired["key"]) == [] and not MultipartUpload.objects.filter(pk=expired["id"]).exists()
    assert len(open_uploads(s3, fresh["key"])) == 1 and MultipartUpload.objects.filter(pk=fresh["id"]).exists()
    signed_in.delete(f"/upload/{fresh['id']}", secure=True)


def test_refusals_say_what_was_wrong(signed_in, django_user_model):
    from django.test import Client

    anonymous = Client(HTTP_HOST="shop.example")
    refused = anonymous.post("/upload/", {"filename": "a"}, content_type="application/json", secure=True)
    assert (refused.status_code, refused.json()) == (403, {"error": "sign in first"})
    upload = start(signed_in)
    r = put(signed_in, upload["id"], 10001, b"x")
    assert r.status_code == 400 and "1 to 10000" in r.json()["error"]
    assert put(signed_in, upload["id"], 2, b"x").status_code == 200
    r = signed_in.post(f"/upload/{upload['id']}/complete", secure=True)
    assert r.status_code == 409 and "[2]" in r.json()["error"]
    other = Client(HTTP_HOST="shop.example")
    other.force_login(django_user_model.objects.create_user(username="someone-else", password="x"))
    assert put(other, upload["id"], 1, b"x").status_code == 404
    assert other.delete(f"/upload/{upload['id']}", secure=True).status_code == 404
    r = signed_in.post("/upload/", {"filename": "../"}, content_type="application/json", secure=True)
    assert r.status_code == 400 and "'../'" in r.json()["error"]
    signed_in.delete(f"/upload/{upload['id']}", secure=True)


def test_a_part_that_arrives_while_another_replica_completes_is_refused_not_lost(signed_in, s3, monkeypatch):
    from k8s_topology_django import uploads

    upload = start(signed_in)
    first = os.urandom(PART)
    assert put(signed_in, upload["id"], 1, first).status_code == 200
    real_client = uploads.client

    class CompletesDuringThePart:
        """S3 stores part 2, and before this replica records it another one completes the upload."""

        def __init__(self):
            self._s3 = real_client()

        def __getattr__(self, name):
            return getattr(self._s3, name)

        def upload_part(self, **kwargs):
            answer = self._s3.upload_part(**kwargs)
            uploads.complete(upload["id"])
            return answer

    monkeypatch.setattr(uploads, "client", CompletesDuringThePart)
    r = put(signed_in, upload["id"], 2, b"late part")
    assert r.status_code == 409 and "too late" in r.json()["error"], r.content
    # The client was told: the object is what the completion joined, part 1 alone.
    assert s3.get_object(Bucket=BUCKET, Key=upload["key"])["Body"].read() == first
