# The bakery compose fixture's image (test/compose/fixtures/bakery: its Dockerfile's build context, less
# what its .dockerignore names), under the name its docker-compose.yml gives it. It installs the shop's
# hash-pinned wheels, a superset of the fixture's requirements.txt at the same versions
# (test/hack/compose-fixture-images.test.ts checks it), so the image shares the shop's base layers: only its
# app layer is built.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.example.com/bakery/web
IMAGE_KIND=python-app
APP_SOURCE=test/compose/fixtures/bakery
APP_REQUIREMENTS=examples/shop/app/requirements.txt
