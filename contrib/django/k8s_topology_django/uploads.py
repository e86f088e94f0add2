"""Chunked uploads across replicas: S3 multipart, with the upload's state in the database, not on disk.

Any replica can take any part (it streams the part to S3 and records the ETag) and any replica can complete
the upload (it reads the parts from the database). An upload that is aborted, or that is still open
UPLOADS_EXPIRE_SECONDS after it started, is aborted on S3 too, so its parts stop being stored (and billed):
``manage.py cleanup_uploads`` (a DjangoCronJob) removes the expired ones.
"""
import datetime
import posixpath

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import MultipartUpload, UploadPart
from .s3 import client

__all__ = ["start", "put_part", "complete", "abort", "cleanup_expired", "UploadError", "MAX_PARTS"]

MAX_PARTS = 10000  # S3's limit; part numbers are 1..MAX_PARTS
DEFAULT_EXPIRE_SECONDS = 24 * 3600


class UploadError(Exception):
    """A request the upload's state refuses; ``status`` is the HTTP status the views answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _expire_seconds():
    return int(getattr(settings, "UPLOADS_EXPIRE_SECONDS", DEFAULT_EXPIRE_SECONDS))


def start(filename, content_type="application/octet-stream", owner=None):
    name = posixpath.basename(filename.replace("\\", "/")).strip()
    if not name or name in (".", ".."):
        raise UploadError(f"filename {filename!r} names no file: expected a file name such as photo.jpg")
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    upload = MultipartUpload(bucket=bucket, filename=name, content_type=content_type, owner=owner,
                             expires_at=timezone.now() + datetime.timedelta(seconds=_expire_seconds()))
    upload.key = f"{getattr(settings, 'UPLOADS_KEY_PREFIX', 'uploads/')}{upload.id}/{name}"
    answer = client().create_multipart_upload(Bucket=bucket, Key=upload.key, ContentType=content_type)
    upload.s3_upload_id = answer["UploadId"]
    upload.save()
    return upload


def _open(upload_id, owner=None):
    """The open upload; another owner's is answered as missing, so its id reveals nothing."""
    uploads = MultipartUpload.objects.all() if owner is None else MultipartUpload.objects.filter(owner=owner)
    try:
        upload = uploads.get(pk=upload_id)
    except (MultipartUpload.DoesNotExist, ValueError):
        raise UploadError(f"no upload {upload_id}", status=404) from None
    if upload.state != MultipartUpload.State.OPEN:
        raise UploadError(f"upload {upload_id} is {upload.state}: it takes no more parts", status=409)
    if upload.expires_at <= timezone.now():
        raise UploadError(f"upload {upload_id} expired at {upload.expires_at.isoformat()}", status=410)
    return upload


def put_part(upload_id, number, data, owner=None):
    """Stores part ``number`` (1..MAX_PARTS; sending a number again replaces that part)."""
    if not 1 <= number <= MAX_PARTS:
        raise UploadError(f"part number {number} is out of range: accepted are 1 to {MAX_PARTS}")
    upload = _open(upload_id, owner)
    s3 = client()
    try:
        # Streamed to S3 outside any lock: a part may take minutes, and other replicas take other parts meanwhile.
        answer = s3.upload_part(Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id,
                                PartNumber=number, Body=data)
    except s3.exceptions.NoSuchUpload:
        raise UploadError(f"upload {upload_id} was completed or aborted while this part was sent", status=409) from None
    # Recorded under the upload's row lock, which complete() holds while it reads the parts: a part whose
    # upload was completed meanwhile is refused here (409), never answered 200 and left out of the object.
    with transaction.atomic():
        locked = MultipartUpload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None or locked.state != MultipartUpload.State.OPEN:
            state = "aborted" if locked is None else locked.state
            raise UploadError(f"upload {upload_id} is {state}: part {number} arrived too late to be part of it", status=409)
        part, _ = UploadPart.objects.update_or_create(upload=locked, number=number,
                                                      defaults={"etag": answer["ETag"], "size": len(data)})
    return part


def complete(upload_id, owner=None):
    """Joins the recorded parts into one object; the upload row is locked, so two replicas never both complete."""
    with transaction.atomic():
        upload = _open(upload_id, owner)
        upload = MultipartUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.state != MultipartUpload.State.OPEN:
            raise UploadError(f"upload {upload_id} is {upload.state}", status=409)
        parts = list(upload.parts.order_by("number"))
        if not parts:
            raise UploadError(f"upload {upload_id} has no parts yet", status=409)
        numbers = [p.number for p in parts]
        if numbers != list(range(1, len(parts) + 1)):
            raise UploadError(f"upload {upload_id} has the parts {numbers}: expected 1 to {len(parts)} without gaps", status=409)
        client().complete_multipart_upload(
            Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]})
        upload.state = MultipartUpload.State.COMPLETED
        upload.completed_at = timezone.now()
        upload.save(update_fields=["state", "completed_at"])
    return upload, sum(p.size for p in parts)


def _abort_on_s3(upload):
    s3 = client()
    try:
        s3.abort_multipart_upload(Bucket=upload.bucket, Key=upload.key, UploadId=upload.s3_upload_id)
    except s3.exceptions.NoSuchUpload:
        pass  # already aborted (a cleanup that stopped half-way), or expired by a bucket lifecycle rule


def abort(upload_id, owner=None):
    upload = _open(upload_id, owner)
    _abort_on_s3(upload)
    upload.delete()


def cleanup_expired(now=None):
    """Aborts every open upload past its expiry, on S3 and in the database; returns how many."""
    now = now or timezone.now()
    count = 0
    for upload in MultipartUpload.objects.filter(state=MultipartUpload.State.OPEN, expires_at__lte=now):
        _abort_on_s3(upload)
        upload.delete()
        count += 1
    return count
