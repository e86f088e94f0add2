# The recipes compose fixture's Django image (test/compose/fixtures/recipes: the build context of its
# compose/production/django/Dockerfile, less what its .dockerignore names), under the name the import
# gives it (compose named only a local image, recipes_production_django). As for the bakery, the shop's
# hash-pinned wheels are a superset of the fixture's requirements/production.txt at the same versions
# (test/hack/compose-fixture-images.test.ts checks it), so only its app layer is built. The start
# scripts and /entrypoint that the Dockerfile copies to / are only files of the context here (under
# /app/compose/): the render runs each process's command itself (MIGRATION.md, "wrappers dropped").
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.example.com/recipes/django
IMAGE_KIND=python-app
APP_SOURCE=test/compose/fixtures/recipes
APP_REQUIREMENTS=examples/shop/app/requirements.txt
