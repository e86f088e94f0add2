"""The shop: a small Django + Celery project that meets the app side of @picvario/k8s-topology's contract."""
# Django's usual Celery wiring: importing the project loads its Celery app, so that a task sent from a web
# process (`process_asset.delay`) goes through the broker the manifests name, not Celery's default app's.
from shop.celery import app as celery_app

__all__ = ("celery_app",)
