"""The asset library: an upload the kit assembled in S3, and what the worker learned from it."""
import uuid

from django.db import models
from k8s_topology_django.models import MultipartUpload


class Asset(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        PROCESSED = "processed"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    upload = models.OneToOneField(MultipartUpload, on_delete=models.PROTECT, related_name="asset")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # Computed by the worker from the object in S3, never from what the client claimed.
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    thumbnail_key = models.CharField(max_length=1024, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def as_json(self):
        return {
            "id": str(self.id), "upload": str(self.upload_id), "filename": self.upload.filename, "state": self.state,
            "size": self.size, "sha256": self.sha256 or None, "thumbnail": bool(self.thumbnail_key), "error": self.error or None,
        }


class TaskRun(models.Model):
    """One finished run of shop.tasks.work: the suites count them to tell that no task sent was lost. A task
    that acks_late ran again after its worker died has two rows."""

    task_id = models.CharField(max_length=64, db_index=True)
    batch = models.CharField(max_length=64, db_index=True)
    worker = models.CharField(max_length=255)
    redelivered = models.BooleanField()
    finished_at = models.DateTimeField(auto_now_add=True)
