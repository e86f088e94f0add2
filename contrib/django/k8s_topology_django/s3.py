"""The boto3 S3 client of the settings' region and endpoint (AWS_S3_*), with short timeouts.

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, IRSA's web identity, ...).
Clients are made once per region, endpoint and timeout and shared (boto3 clients are thread-safe): making one
reads botocore's service model, far more work than the readiness probe's HeadBucket itself.
"""
import functools

import boto3
from botocore.config import Config
from django.conf import settings


def client(timeout=10.0):
    return _client(settings.AWS_S3_REGION_NAME, getattr(settings, "AWS_S3_ENDPOINT_URL", None) or None, float(timeout))


@functools.lru_cache(maxsize=8)
def _client(region, endpoint, timeout):
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint,
        # An S3-compatible endpoint (an IP, a Service name) rarely resolves <bucket>.<endpoint>: path style there.
        # AWS serves buckets created since 2020 only in virtual-hosted style, and "virtual" (unlike boto3's
        # "auto", which presigns for the global s3.amazonaws.com and its redirect) names the region's host.
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1},
                      signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "virtual"}),
    )
