# The devstack compose fixture's Django image (test/compose/fixtures/devstack: the build context `.` of its
# django and celery services, less what its .dockerignore names), under the name the import gives it
# (compose named no image). Its wheels differ from the shop's (PyMySQL for MariaDB, gevent for the worker's
# pool, no psycopg), so they are pinned in devstack-django.requirements.txt, at the shop's versions where
# both have a package; test/hack/compose-fixture-images.test.ts checks that they pin every requirement of
# the fixture's requirements.txt at its version.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.example.com/devstack/django
IMAGE_KIND=python-app
APP_SOURCE=test/compose/fixtures/devstack
APP_REQUIREMENTS=hack/images/defs/devstack-django.requirements.txt
