"""Multipart uploads whose state lives in the database, so that any replica takes any part."""
import uuid

from django.conf import settings
from django.db import models


class MultipartUpload(models.Model):
    """One S3 multipart upload: started by one replica, fed and completed by any."""

    class State(models.TextChoices):
        OPEN = "open"
        COMPLETED = "completed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Who started it: only they may add parts, complete or abort it (the views pass request.user).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=63)
    key = models.CharField(max_length=1024)
    s3_upload_id = models.CharField(max_length=1024)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.key} ({self.state})"


class UploadPart(models.Model):
    """A part S3 has stored; its ETag is what completing the upload needs."""

    upload = models.ForeignKey(MultipartUpload, related_name="parts", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    etag = models.CharField(max_length=128)
    size = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "number"], name="k8s_topology_upload_part_once")]
        ordering = ["number"]
