#!/usr/bin/env bash
# Serves an OCI registry (distribution, from install.sh) in the foreground, plain HTTP, no auth:
#
#   hack/images/registry.sh <ip>:<port> <storage dir>
#
# <ip> is an address of this machine that the caller chose: 127.0.0.1 for the suites, later the host
# side of the nodes' bridge (198.18.0.1). Nothing but these addresses is accepted, so a typo never
# serves the images on a public interface. The storage folder keeps what was pushed across restarts.
# Stops on SIGTERM/SIGINT (the registry drains for at most 5 s).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=registry

[ $# = 2 ] || die "$P" "usage: registry.sh <ip>:<port> <storage dir>; got $# arguments"
addr=$1 storage=$2
ip=${addr%:*} port=${addr##*:}
if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  die "$P" "port must be 1-65535; got '$port' (from '$addr')"
fi
case $ip in
  127.* | 192.0.2.* | 198.51.100.* | 203.0.113.* | 198.18.* | 198.19.*) ;;
  *) die "$P" "address must be loopback (127.0.0.0/8) or a test range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15); got '$ip'" ;;
esac

bin=$(bash "$IMAGES_DIR/install.sh" | sed -n 's/^REGISTRY_BIN=//p')
[ -x "$bin" ] || die "$P" "install.sh printed no registry binary"
mkdir -p "$storage"
storage=$(cd "$storage" && pwd)
config=$(mktemp "${TMPDIR:-/tmp}/registry-config.XXXXXX.yml")
trap 'rm -f "$config"' EXIT
cat >"$config" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: $addr
  # One registry behind no load balancer: a fresh secret per start only signs its own upload sessions.
  secret: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  draintimeout: 5s
YAML
log "$P" "serving http://$addr/v2/ from $storage"
"$bin" serve "$config" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid"; rm -f "$config"' TERM INT
wait "$pid"
