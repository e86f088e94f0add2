from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Client(TenantMixin):
    """A tenant: its schema holds its own users, uploads and assets."""

    name = models.CharField(max_length=100)
    # Schemas are created empty and migrated by `migrate_schemas --tenant`, the rendered Job's command,
    # as in production, where the Job runs before the new code serves any tenant.
    auto_create_schema = False


class Domain(DomainMixin):
    """A host name that routes requests to its tenant's schema."""
