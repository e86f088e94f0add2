"""DJANGO_SETTINGS_MODULE=picvario.settings.kubernetes: the shop's django-tenants flavour under Picvario's hosts.

shop.settings.tenants is the shop's production settings (the kit's `configure(globals())`: secret key,
database, S3 buckets, statics and the broker from the environment, the health middleware first) with a
PostgreSQL schema per tenant, which is what `migrate_schemas --shared` and `--tenant` need.
"""
from shop.settings.tenants import *  # noqa: F401,F403

# The Ingress host of Picvario's render (app.picvario.example) and its environments' subdomains.
ALLOWED_HOSTS = ["app.picvario.example", ".picvario.example"]
WSGI_APPLICATION = "picvario.wsgi.application"
