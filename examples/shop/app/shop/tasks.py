import contextlib
import hashlib
import io
import tempfile
import time

from celery import shared_task
from django.utils import timezone

# An original larger than this gets its checksum but no thumbnail: decoding it would need more memory
# than a default worker has, and /tmp (an emptyDir of the render) more room than it is given.
THUMBNAIL_MAX_BYTES = 32 * 1024 * 1024
THUMBNAIL_PIXELS = 256
READ_BYTES = 1024 * 1024


@shared_task(name="shop.tasks.ping")
def ping():
    """A cheap task beat sends hourly: proof that beat, the broker and the default queue work."""
    return "pong"


@shared_task(name="shop.tasks.work", bind=True)
def work(self, batch, seconds):
    """A long task (it sleeps), for the suites' "no task lost" check: each run that finishes records a TaskRun
    row, so a task whose worker was killed and that ran again elsewhere (acks_late) has two."""
    from shop.models import TaskRun

    time.sleep(seconds)
    TaskRun.objects.create(task_id=self.request.id, batch=batch, worker=self.request.hostname or "",
                           redelivered=bool((self.request.delivery_info or {}).get("redelivered")))
    return self.request.id


@shared_task(name="shop.tasks.monthly_report")
def monthly_report(month):
    """Runs on the reports queue (worker-reports): idempotent, since acks_late may run it twice."""
    return f"report {month}"


@shared_task(name="shop.tasks.process_asset")
def process_asset(asset_id, schema=None):
    """On the default queue: reads the original from S3 (the backend's replicas share no disk, so S3 is the
    only place it is), records its size and sha256, and stores a PNG thumbnail of an image beside it.
    Idempotent, since acks_late may run it twice: it computes everything again and overwrites.
    In the tenants flavour, `schema` is the tenant's whose request registered the asset."""
    with _tenant(schema):
        return _process(asset_id)


def _tenant(schema):
    """The database connection in the tenant's schema (django-tenants), or as it is when no schema is given."""
    if schema is None:
        return contextlib.nullcontext()
    from django_tenants.utils import schema_context

    return schema_context(schema)


def _process(asset_id):
    from k8s_topology_django.s3 import client

    from shop.models import Asset

    asset = Asset.objects.select_related("upload").get(id=asset_id)
    upload = asset.upload
    s3 = client()
    body = s3.get_object(Bucket=upload.bucket, Key=upload.key)["Body"]
    digest, size = hashlib.sha256(), 0
    image = upload.content_type.startswith("image/")
    with tempfile.SpooledTemporaryFile(max_size=READ_BYTES, dir="/tmp") as copy:
        for chunk in iter(lambda: body.read(READ_BYTES), b""):
            digest.update(chunk)
            size += len(chunk)
            if image and size <= THUMBNAIL_MAX_BYTES:
                copy.write(chunk)
        asset.size, asset.sha256, asset.error = size, digest.hexdigest(), ""
        if image and size <= THUMBNAIL_MAX_BYTES:
            copy.seek(0)
            try:
                asset.thumbnail_key = _thumbnail(s3, upload, copy)
            except OSError as error:  # Pillow's answer to bytes that are no image it can read
                asset.error = f"no thumbnail: {error}"[:255]
    asset.state, asset.processed_at = Asset.State.PROCESSED, timezone.now()
    asset.save()
    return {"size": asset.size, "sha256": asset.sha256, "thumbnail": bool(asset.thumbnail_key)}


def _thumbnail(s3, upload, original):
    from PIL import Image

    with Image.open(original) as picture:
        picture.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        out = io.BytesIO()
        picture.convert("RGB").save(out, format="PNG")
    key = f"thumbnails/{upload.key}.png"
    s3.put_object(Bucket=upload.bucket, Key=key, Body=out.getvalue(), ContentType="image/png")
    return key
