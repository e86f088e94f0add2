"""Settings for every rendered environment: all configuration comes from the variables the manifests set.

The pods run with a read-only root filesystem; the only writable path is /tmp (an emptyDir), and media and
statics live in S3 buckets, so nothing here writes under the project directory.
"""
DEBUG = False
# The Ingress hosts of app.ts (production and <env>.shop.example.com). The probes' "localhost" need not be
# here: the kit's middleware answers /healthz/* before the host is checked.
ALLOWED_HOSTS = ["shop.example.com", ".shop.example.com"]
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
    # API clients (the asset library's) sign in with HTTP Basic on each request.
    "shop.auth.BasicAuthMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# The kit (k8s-topology-django) reads the rest from the variables the manifests set: SECRET_KEY, the
# database, the S3 buckets and storages, STATIC_URL, the broker; a missing one fails the start, naming it.
# It also adds its app (the uploads' tables) and its health middleware, first.
import k8s_topology_django  # noqa: E402

k8s_topology_django.configure(globals())
# A connection per request would be opened anew on every probe; keep it for a minute.
DATABASES["default"].update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)  # noqa: F821 (set by configure)

# Channels without a channel layer: each websocket is served by the process that accepted it.
CHANNEL_LAYERS = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
