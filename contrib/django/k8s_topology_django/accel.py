"""Downloads streamed by the edge: Django authorises, nginx fetches the object from S3 and streams it.

The edge (src/workloads/edge/nginx-config.ts) routes an answer carrying
``X-Accel-Redirect: <internalS3Prefix><s3 host>/<percent-encoded key path>?<presigned query>`` to S3 itself
(internalS3Prefix is ``/_s3/`` unless the EdgeRouter sets another; set EDGE_INTERNAL_S3_PREFIX to match), so
the backend sends headers only, never the object. Django's Content-Disposition is the one the client gets.
"""
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import HttpResponse

from .s3 import client

__all__ = ["accel_redirect", "DEFAULT_INTERNAL_PREFIX"]

DEFAULT_INTERNAL_PREFIX = "/_s3/"
# Long enough for nginx to start the request, which it does at once.
PRESIGN_SECONDS = 60


def accel_redirect(key, filename=None, bucket=None, content_type="application/octet-stream", inline=False):
    """An empty response whose X-Accel-Redirect makes the edge stream s3://bucket/key (the media bucket by default)."""
    bucket = bucket or settings.AWS_STORAGE_BUCKET_NAME
    url = client().generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=PRESIGN_SECONDS)
    parts = urlsplit(url)
    prefix = getattr(settings, "EDGE_INTERNAL_S3_PREFIX", DEFAULT_INTERNAL_PREFIX)
    target = f"{prefix}{parts.netloc}{parts.path}"
    if parts.query:
        target += f"?{parts.query}"
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = target
    if filename is not None:
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
