"""Settings for every rendered environment: all configuration comes from the variables the manifests set.

The pods run with a read-only root filesystem; the only writable path is /tmp (an emptyDir), and media and
statics live in S3 buckets, so nothing here writes under the project directory.
"""
import os
from urllib.parse import unquote, urlsplit

from shop.settings.environment import required


def database_from_url(url):
    """Django's DATABASES entry for a postgres:// (or postgresql://) URL: user, password, host, port, name."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must be a postgres:// or postgresql:// URL; got scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # A connection per request would be opened anew on every probe; keep it for a minute.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


SECRET_KEY = required("DJANGO_SECRET_KEY")
DEBUG = False
# "localhost" is the Host header of the kubelet's probes (probeHost); the others are the Ingress hosts
# of app.ts (production and <env>.shop.example.com).
ALLOWED_HOSTS = ["localhost", "shop.example.com", ".shop.example.com"]
# The edge terminates nothing itself; it forwards the client's scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "shop",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
ASGI_APPLICATION = "shop.asgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(required("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# Media and statics: S3 buckets (django-storages), named by the manifests.
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
STATIC_URL = os.environ.get("STATIC_URL", "/static/")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_DEFAULT_STORAGE_BACKEND", "storages.backends.s3.S3Storage"),
        "OPTIONS": {"bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME")},
    },
    "staticfiles": {
        "BACKEND": os.environ.get("DJANGO_STATICFILES_STORAGE_BACKEND", "storages.backends.s3.S3Storage"),
        "OPTIONS": {"bucket_name": os.environ.get("DJANGO_STATIC_BUCKET")},
    },
}

# Channels without a channel layer: each websocket is served by the process that accepted it.
CHANNEL_LAYERS = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
