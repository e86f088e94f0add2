"""The shop as a django-tenants app: a PostgreSQL schema per tenant, chosen by the request's host.

Everything else is production's (the kit's settings from the environment); the manifests set
DJANGO_SETTINGS_MODULE=shop.settings.tenants for this flavour. The public schema holds the tenants and
their domains; each tenant's schema its own users, sessions, uploads and assets.
"""
from shop.settings.production import *  # noqa: F401,F403
from shop.settings.production import DATABASES, MIDDLEWARE

DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
TENANT_MODEL = "tenants.Client"
TENANT_DOMAIN_MODEL = "tenants.Domain"

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "channels",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "k8s_topology_django",
    "shop",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]
# After the kit's health middleware (first: the probes' Host is localhost, which is no tenant's), before
# everything that reads the request's user or session.
MIDDLEWARE = [MIDDLEWARE[0], "django_tenants.middleware.main.TenantMainMiddleware", *MIDDLEWARE[1:]]
