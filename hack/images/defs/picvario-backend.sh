# Picvario's backend, as the suites run it: one image for every Django and Celery container of Picvario's
# renders (src/picvario/), under the reference their manifests name. Its app is the shop's (examples/shop/app,
# its django-tenants flavour) with the thin `picvario` package that gives it Picvario's module names
# (hack/images/apps/picvario-backend: picvario.wsgi, picvario.celery, picvario.settings.kubernetes), merged in
# that order at /app. It installs the shop's hash-pinned wheels, so it shares the shop's base layers: only
# its app layer is built (docs/IMAGES.md, "Picvario's backend image").
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.picvario.example/picvario/backend
IMAGE_KIND=python-app
APP_SOURCE="examples/shop/app hack/images/apps/picvario-backend"
APP_REQUIREMENTS=examples/shop/app/requirements.txt
