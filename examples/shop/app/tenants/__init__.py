"""The shop's tenants, for its django-tenants flavour (shop.settings.tenants): one PostgreSQL schema each."""
