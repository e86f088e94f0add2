"""Picvario's backend as the suites run it: the image registry.picvario.example/picvario/backend.

Picvario's own code is not in this repository, yet its render (src/picvario/) runs every Django and Celery
container from that image with Picvario's module names: `gunicorn picvario.wsgi:application`,
`celery -A picvario.celery worker|beat`, `python manage.py migrate_schemas --shared|--tenant` with
DJANGO_SETTINGS_MODULE=picvario.settings.kubernetes. This package gives those names real code: the reference
app's django-tenants flavour (examples/shop/app, shop.settings.tenants, merged beside this folder at /app by
hack/images/build.sh, defs/picvario-backend.sh), so migrate_schemas, the kit's health checks and the Celery
heartbeats run as they do in Picvario's. It is no stand-in for a third-party image (docs/IMAGES.md,
"Picvario's backend image").
"""
# Django's usual Celery wiring: importing the project loads its Celery app, so that a task sent from a web
# process goes through the broker the manifests name.
from picvario.celery import app as celery_app

__all__ = ("celery_app",)
