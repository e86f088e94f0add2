"""Reading the settings' environment: a missing variable fails at start, naming it."""
import os

from django.core.exceptions import ImproperlyConfigured


def required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: the manifests set it from a Secret (README, \"The app-side contract\")")
    return value
