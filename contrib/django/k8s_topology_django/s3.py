"""The boto3 S3 client of the settings' bucket, region and endpoint (AWS_S3_*), with short timeouts.

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, IRSA's web identity, ...).
"""
import boto3
from botocore.config import Config
from django.conf import settings


def client(timeout=10.0):
    return boto3.client(
        "s3",
        region_name=settings.AWS_S3_REGION_NAME,
        endpoint_url=getattr(settings, "AWS_S3_ENDPOINT_URL", None) or None,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1},
                      signature_version="s3v4", s3={"addressing_style": "path"}),
    )
