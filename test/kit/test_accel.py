"""accel_redirect: the header the edge's X-Accel location expects (src/workloads/edge/nginx-config.ts)."""
import http.client
import os
import re
from urllib.parse import quote

import pytest

from k8s_topology_django.accel import accel_redirect

# The edge's map: "~^<internalS3Prefix>(<host>)(/[^\s#]*)$" with the default prefix and host pattern.
EDGE = re.compile(r"^/_s3/([A-Za-z0-9.-]+(?::[0-9]{1,5})?)(/[^\s#]*)$")


@pytest.fixture
def stored(s3):
    key = "reports/2026 Q4 (final).pdf"
    s3.put_object(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"], Key=key, Body=b"%PDF the report")
    return key


def test_the_edge_can_fetch_the_object_the_header_names(stored):
    r = accel_redirect(stored, filename="Q4 report.pdf", content_type="application/pdf")
    assert r.content == b""
    match = EDGE.match(r["X-Accel-Redirect"])
    assert match, r["X-Accel-Redirect"]
    host, path_and_query = match.groups()
    assert host == os.environ["AWS_S3_ENDPOINT_URL"].removeprefix("http://")
    assert path_and_query.startswith(f"/media/{quote(stored)}?")
    # What nginx does: send the path and query byte for byte to that host.
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.request("GET", path_and_query)
    answer = conn.getresponse()
    assert (answer.status, answer.read()) == (200, b"%PDF the report")
    assert r["Content-Disposition"] == "attachment; filename*=UTF-8''Q4%20report.pdf"


def test_the_prefix_follows_the_edge_setting(settings, stored):
    settings.EDGE_INTERNAL_S3_PREFIX = "/_objects/"
    assert accel_redirect(stored)["X-Accel-Redirect"].startswith("/_objects/127.0.0.1:")


def test_on_aws_the_header_names_the_virtual_hosted_bucket(settings):
    # Presigning is local: no request leaves the machine.
    settings.AWS_S3_ENDPOINT_URL = None
    settings.AWS_S3_REGION_NAME = "eu-central-1"
    match = EDGE.match(accel_redirect("a/b.txt")["X-Accel-Redirect"])
    assert match and match.group(1) == "media.s3.eu-central-1.amazonaws.com"
    assert match.group(2).startswith("/a/b.txt?")
