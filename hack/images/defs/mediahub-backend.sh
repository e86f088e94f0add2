# The mediahub compose fixture's Django image (test/compose/fixtures/mediahub/backend, the build context of
# its x-django services, less what its .dockerignore names), under the name its docker-compose.yml gives
# it; the backend (gunicorn), the seven queues' workers, beat, Flower and the migrate and collectstatic Jobs
# run it. Its wheels are the shop's and django-celery-beat's tree (mediahub-backend.requirements.txt);
# test/hack/compose-fixture-images.test.ts checks that they pin every requirement of the fixture's
# requirements.txt at its version.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.example.com/mediahub/backend
IMAGE_KIND=python-app
APP_SOURCE=test/compose/fixtures/mediahub/backend
APP_REQUIREMENTS=hack/images/defs/mediahub-backend.requirements.txt
