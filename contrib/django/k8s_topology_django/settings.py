"""Django settings from the environment the rendered pods set (README, "The app-side contract").

The names are those of SETTINGS_ENV (src/workloads/django-settings.ts) and BROKER_ENV
(src/workloads/celery-broker.ts). Every variable the manifests always set is required: a pod whose
Secret lacks a key fails at start, naming every missing variable, instead of at its first request.
"""
import os
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["configure", "settings_from_environment", "public_hosts", "database_from_url", "MissingSetting", "APP", "MIDDLEWARE"]

APP = "k8s_topology_django"
# First in MIDDLEWARE: the probes' requests are answered before any middleware reads the Host header.
MIDDLEWARE = "k8s_topology_django.health.HealthCheckMiddleware"

# Set on every container that runs the app (DjangoSettings.renderEnv).
REQUIRED = {
    "DJANGO_SECRET_KEY": "the secret key, from the settings Secret",
    "DATABASE_URL": "the database URL, from the settings Secret (postgres:// or mysql://user:password@host:port/name)",
    "AWS_STORAGE_BUCKET_NAME": "the media bucket",
    "AWS_S3_REGION_NAME": "the S3 region",
    "DJANGO_STATIC_BUCKET": "the statics bucket",
    "STATIC_URL": "the public base URL of the statics",
}
S3_STORAGE = "storages.backends.s3.S3Storage"
DATABASE_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    # MariaDB speaks MySQL's protocol, and Django's MySQL backend serves both; the driver (mysqlclient, or
    # PyMySQL installed as MySQLdb) is the app's, as psycopg is for PostgreSQL.
    "mysql": "django.db.backends.mysql",
    "mariadb": "django.db.backends.mysql",
}
# Seconds a probe or a request waits for a database connection before it fails.
DATABASE_CONNECT_TIMEOUT = 5
# Options the MySQL drivers take as numbers: Django passes OPTIONS to MySQLdb.connect() (mysqlclient, or
# PyMySQL installed as MySQLdb) as keyword arguments, and both refuse a string there, where libpq reads
# every option of PostgreSQL's as text.
MYSQL_INTEGER_OPTIONS = ("connect_timeout", "read_timeout", "write_timeout", "client_flag", "local_infile")


class MissingSetting(Exception):
    """A variable of the contract is missing or unreadable. (django.core.exceptions.ImproperlyConfigured
    would import Django from the settings module; Django reports any exception raised there.)"""


def database_from_url(url, name="DATABASE_URL"):
    """Django's DATABASES["default"] for a postgres:// or mysql:// (mariadb://) URL; query parameters become
    connection options (``?sslmode=verify-full``, ``?charset=utf8mb4``), ``?host=/run/postgresql`` names a
    unix socket (PostgreSQL's directory, or MySQL's socket file). Both drivers take ``connect_timeout``."""
    parts = urlsplit(url)
    engine = DATABASE_ENGINES.get(parts.scheme)
    if engine is None:
        raise MissingSetting(
            f"{name} has the scheme {parts.scheme!r} ({_redacted(url)}): accepted are {', '.join(sorted(DATABASE_ENGINES))} "
            "(postgres://user:password@host:port/name, or mysql://...)")
    options = dict(parse_qsl(parts.query))
    host = options.pop("host", None) or unquote(parts.hostname or "")
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name:
        raise MissingSetting(f"{name} names no database ({_redacted(url)}): expected {parts.scheme}://user:password@host:port/name")
    options.setdefault("connect_timeout", str(DATABASE_CONNECT_TIMEOUT))
    if engine == "django.db.backends.mysql":
        for option in MYSQL_INTEGER_OPTIONS:
            if option in options:
                try:
                    options[option] = int(options[option])
                except ValueError:
                    raise MissingSetting(f"{name}: ?{option}= must be a whole number; got {options[option]!r} ({_redacted(url)})") from None
    return {
        "ENGINE": engine,
        "NAME": db_name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
    }


def _redacted(url):
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _storage(backend, bucket, region, endpoint):
    options = {}
    if backend.startswith("storages.backends.s3"):
        options = {"bucket_name": bucket, "region_name": region}
        if endpoint:
            options["endpoint_url"] = endpoint
    return {"BACKEND": backend, "OPTIONS": options}


def settings_from_environment(environ=None):
    """The settings the environment defines, as a dict for ``globals().update(...)``; raises MissingSetting
    naming every required variable that is missing or empty."""
    env = os.environ if environ is None else environ
    missing = [f"{name} ({why})" for name, why in REQUIRED.items() if not env.get(name)]
    if missing:
        raise MissingSetting(
            "the environment lacks " + "; ".join(missing)
            + ". The manifests of @picvario/k8s-topology set them (README, \"The app-side contract\"); outside them, set them by hand")
    region = env["AWS_S3_REGION_NAME"]
    endpoint = env.get("AWS_S3_ENDPOINT_URL") or None
    media = env["AWS_STORAGE_BUCKET_NAME"]
    static = env["DJANGO_STATIC_BUCKET"]
    settings = {
        "SECRET_KEY": env["DJANGO_SECRET_KEY"],
        "DATABASES": {"default": database_from_url(env["DATABASE_URL"])},
        "STATIC_URL": env["STATIC_URL"],
        "AWS_STORAGE_BUCKET_NAME": media,
        "AWS_S3_REGION_NAME": region,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "STORAGES": {
            "default": _storage(env.get("DJANGO_DEFAULT_STORAGE_BACKEND") or S3_STORAGE, media, region, endpoint),
            "staticfiles": _storage(env.get("DJANGO_STATICFILES_STORAGE_BACKEND") or S3_STORAGE, static, region, endpoint),
        },
    }
    # Only the pods given a broker have it (web enqueues, workers and beat consume).
    # Redis's user and password stay out of the URL (BROKER_ENV), so a password needs no escaping.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_USER", "CELERY_BROKER_PASSWORD"):
        if env.get(name):
            settings[name] = env[name]
    return settings


def public_hosts(environ=None):
    """The hosts the edge serves the app under (DJANGO_PUBLIC_HOSTS, comma-separated, already in ALLOWED_HOSTS
    form: ``.example.com`` for every subdomain); empty when the pods have no edge."""
    env = os.environ if environ is None else environ
    return [h.strip() for h in env.get("DJANGO_PUBLIC_HOSTS", "").split(",") if h.strip()]


def configure(namespace, environ=None):
    """The one call in settings.py: ``configure(globals())``. Sets the settings the environment defines,
    adds the app to INSTALLED_APPS, the health middleware first in MIDDLEWARE and the edge's hosts to
    ALLOWED_HOSTS (lists defined before the call are extended, missing ones created). Returns the settings
    it set."""
    settings = settings_from_environment(environ)
    namespace.update(settings)
    hosts = list(namespace.get("ALLOWED_HOSTS", []))
    hosts += [h for h in public_hosts(environ) if h not in hosts]
    namespace["ALLOWED_HOSTS"] = hosts
    apps = list(namespace.get("INSTALLED_APPS", []))
    if APP not in apps:
        apps.append(APP)
    namespace["INSTALLED_APPS"] = apps
    middleware = [m for m in namespace.get("MIDDLEWARE", []) if m != MIDDLEWARE]
    namespace["MIDDLEWARE"] = [MIDDLEWARE, *middleware]
    return settings
