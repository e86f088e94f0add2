"""The shop: a small Django + Celery project that meets the app side of @picvario/k8s-topology's contract."""
