from django.core.management.base import BaseCommand

from k8s_topology_django.uploads import cleanup_expired


class Command(BaseCommand):
    help = "Aborts the multipart uploads past their expiry (UPLOADS_EXPIRE_SECONDS), on S3 and in the database."

    def handle(self, *args, **options):
        count = cleanup_expired()
        self.stdout.write(f"aborted {count} expired upload(s)")
