"""A Django project as a team would write it with the kit: its own lists, then the one call."""
import k8s_topology_django

DEBUG = False
ALLOWED_HOSTS = ["shop.example"]
SECURE_SSL_REDIRECT = True  # the probes must still get their answer over plain http
ROOT_URLCONF = "kitproject.urls"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

k8s_topology_django.configure(globals())
