# The mediahub compose fixture's Nuxt frontend (test/compose/fixtures/mediahub/frontend, the build context
# of its frontend service), built by `nuxt build` from the folder's lock and run by the Node that lock
# pins: `node /app/server/index.mjs`, the image's default command (the render names none). Its lock pins
# what the newsroom's and Picvario's frontends pin, so the three share npm's cache.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.example.com/mediahub/frontend
IMAGE_KIND=node-app
APP_SOURCE=test/compose/fixtures/mediahub/frontend
