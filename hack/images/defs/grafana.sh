# A stand-in for Grafana under the reference Picvario's grafana names: the upstream image cannot be built
# here (docs/IMAGES.md, "Stand-ins"). Its default command (the render names none; upstream's is /run.sh)
# answers /api/health on GF_SERVER_HTTP_PORT and logs the provisioning and dashboard files it finds.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=docker.io/grafana/grafana
IMAGE_KIND=stand-in
STANDIN_PROGRAM=grafana
STANDIN_PATH=/run.sh
STANDIN_DIRS="/etc/grafana/provisioning /etc/grafana/dashboards"
STANDIN_DATA_DIRS=/var/lib/grafana
STANDIN_PORTS=3000
