"""A tiny Celery app that meets the CeleryWorkerPool contract the way a real app would.

Its settings come only from the environment that the construct renders (see docs/CELERY-FAULTS.md).
"""
