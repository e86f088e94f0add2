# The newsroom compose fixture's Python image (test/compose/fixtures/newsroom: the build context `.` of its
# docker/Dockerfile, less what its .dockerignore names), under the name its docker-compose.yml gives it;
# api (uvicorn), live (daphne), the workers, beat and the Jobs run it. Its wheels are pinned in
# newsroom-site.requirements.txt: daphne and its Twisted tree are what the shop's lack, and the rest is at
# the shop's versions; test/hack/compose-fixture-images.test.ts checks that they pin every requirement of
# the fixture's requirements.txt at its version.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=ghcr.io/newsroom/site
IMAGE_KIND=python-app
APP_SOURCE=test/compose/fixtures/newsroom
APP_REQUIREMENTS=hack/images/defs/newsroom-site.requirements.txt
