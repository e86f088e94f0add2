# The edge: the reference the renders use for nginx, built from Debian's nginx (APT_PINS[nginx]), not
# pulled from Docker Hub (docs/IMAGES.md, "The edge image": the tag names the upstream image, the content
# is Debian's nginx, and why).
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=docker.io/nginxinc/nginx-unprivileged
IMAGE_KIND=nginx
