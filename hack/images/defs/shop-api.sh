# The shop's Django + Celery image: one image for every Django and Celery container of the shop's renders
# (backend, ws, workers, beat, flower, the migrate Job and the clearsessions CronJob).
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=registry.example.com/shop/api
IMAGE_KIND=python-app
APP_SOURCE=examples/shop/app
APP_REQUIREMENTS=examples/shop/app/requirements.txt
