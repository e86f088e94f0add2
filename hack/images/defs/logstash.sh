# A stand-in for Logstash under the reference Picvario's stats-shipper names: the upstream image cannot be
# built here (docs/IMAGES.md, "Stand-ins"). It is at the render's command, answers the http input (8080)
# and the API (9600, the probes), and logs the config and pipeline files mounted from the ConfigMap.
# shellcheck shell=bash disable=SC2034
IMAGE_REPOSITORY=docker.elastic.co/logstash/logstash
IMAGE_KIND=stand-in
STANDIN_PROGRAM=logstash
STANDIN_PATH=/usr/share/logstash/bin/logstash
STANDIN_DIRS="/usr/share/logstash/config /usr/share/logstash/pipeline"
STANDIN_DATA_DIRS=/usr/share/logstash/data
STANDIN_PORTS="8080 9600"
