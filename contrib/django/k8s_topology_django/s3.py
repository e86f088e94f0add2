"""The boto3 S3 client of the settings' region and endpoint (AWS_S3_*), with short timeouts.

Credentials are the settings' keys when they are set, read as django-storages reads them (AWS_S3_ACCESS_KEY_ID,
else AWS_ACCESS_KEY_ID, and the same for the secret and the session token), so that the probes and the uploads
use the keys the storages use (cookiecutter-django sets them from DJANGO_AWS_ACCESS_KEY_ID); else boto3's usual
chain (the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables, IRSA's web identity, ...).
Clients are made once per region, endpoint and timeout and shared (boto3 clients are thread-safe): making one
reads botocore's service model, far more work than the readiness probe's HeadBucket itself.
"""
import functools

import boto3
from botocore.config import Config
from django.conf import settings


def _setting(*names):
    for name in names:
        value = getattr(settings, name, None)
        if value:
            return value
    return None


def client(timeout=10.0):
    return _client(settings.AWS_S3_REGION_NAME, getattr(settings, "AWS_S3_ENDPOINT_URL", None) or None, float(timeout),
                   _setting("AWS_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
                   _setting("AWS_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
                   _setting("AWS_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN"))


@functools.lru_cache(maxsize=8)
def _client(region, endpoint, timeout, access_key, secret_key, session_token):
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint,
        # None for each leaves them to boto3's chain.
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=session_token,
        # An S3-compatible endpoint (an IP, a Service name) rarely resolves <bucket>.<endpoint>: path style there.
        # AWS serves buckets created since 2020 only in virtual-hosted style, and "virtual" (unlike boto3's
        # "auto", which presigns for the global s3.amazonaws.com and its redirect) names the region's host.
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1},
                      signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "virtual"}),
    )
