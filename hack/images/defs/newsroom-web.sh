# The newsroom compose fixture's Nuxt frontend (test/compose/fixtures/newsroom/frontend, the build context
# of its web service), built by `nuxt build` from the folder's lock and run by the Node that lock pins:
# `node /app/server/index.mjs`, the image's default command (the render names none). Its lock pins what
# Picvario's frontend pins, so the two share npm's cache.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=ghcr.io/newsroom/web
IMAGE_KIND=node-app
APP_SOURCE=test/compose/fixtures/newsroom/frontend
