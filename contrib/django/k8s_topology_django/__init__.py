"""The app side of @picvario/k8s-topology for Django: settings from the rendered environment, the probes'
health endpoints, multipart uploads any replica can continue, and downloads streamed by the edge.

In settings.py, after INSTALLED_APPS and MIDDLEWARE::

    import k8s_topology_django
    k8s_topology_django.configure(globals())

In urls.py: ``path("", include("k8s_topology_django.urls"))``. The Celery side is
:mod:`k8s_topology_celery` (``configure(app)``), shipped in the same distribution.

Importing this package imports no Django module: the settings module can import it before Django is set up.
"""
from .settings import configure, settings_from_environment

__all__ = ["configure", "settings_from_environment"]
