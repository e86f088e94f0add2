"""Fixtures of the kit's suite. hack/kit/test.sh starts PostgreSQL and versitygw and sets the environment
the manifests would set; run the suite through it (npm run test:kit)."""
import os

import boto3
import pytest
from django.test import Client

REQUIRED = ("DATABASE_URL", "AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID")


def pytest_configure(config):
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(f"{', '.join(missing)} not set: run the suite through hack/kit/test.sh (npm run test:kit), "
                                "which starts PostgreSQL and the S3 server")


@pytest.fixture(scope="session")
def s3():
    return boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name=os.environ["AWS_S3_REGION_NAME"])


@pytest.fixture(scope="session", autouse=True)
def buckets(s3):
    for bucket in (os.environ["AWS_STORAGE_BUCKET_NAME"], os.environ["DJANGO_STATIC_BUCKET"]):
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass


@pytest.fixture
def app_client():
    """A client as the edge forwards requests: the app's host name, https."""
    return Client(HTTP_HOST="shop.example", **{"wsgi.url_scheme": "https"})


@pytest.fixture
def signed_in(app_client, django_user_model):
    user = django_user_model.objects.create_user(username="uploader", password="x")
    app_client.force_login(user)
    return app_client
