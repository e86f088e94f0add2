#!/usr/bin/env bash
# Installs what `npm run test:faults` needs, idempotently:
#   - Debian's redis-server and rabbitmq-server (with Erlang and epmd). Their package services are never
#     left running: the tests start their own brokers on free loopback ports.
#   - A Python virtual environment with Celery, kombu, the Redis client and pytest at the versions pinned in
#     hack/faults/requirements.txt, in ${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/faults-venv
#     (override with FAULTS_VENV). It is rebuilt only when requirements.txt or the Python interpreter changes.
# When everything is present it takes well under a second. Prints the venv path as its last line
# (`venv: <path>`). Exits non-zero, naming what is missing, on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=hack/faults
log() { echo "faults-install: $*"; }
die() { echo "faults-install: ERROR: $*" >&2; exit 1; }

cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology"
venv="${FAULTS_VENV:-$cache_dir/faults-venv}"
mkdir -p "$cache_dir"
# One install at a time (the bootstrap and the suite may start it together).
exec 9>"$cache_dir/.faults-install.lock"
flock -w 900 9 || die "could not lock $cache_dir/.faults-install.lock within 900s"

# --- Debian packages -------------------------------------------------------------------------------------
rabbitmq_server=/usr/lib/rabbitmq/bin/rabbitmq-server
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
{ [ -x "$rabbitmq_server" ] && command -v epmd >/dev/null 2>&1; } || need_apt+=(rabbitmq-server)
for tool in unshare nsenter mount; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=(util-linux mount)
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need_apt[*]} and not root: run as root or apt-get install ${need_apt[*]}"
  command -v apt-get >/dev/null 2>&1 || die "missing ${need_apt[*]} and no apt-get to install them"
  # Keep the packages' own services from starting. When a policy-rc.d already exists it is left alone,
  # and the services are stopped afterwards in any case.
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Temporary, from hack/faults/install.sh: do not start the broker services on install.\ncase "$1" in redis-server|rabbitmq-server|epmd) exit 101 ;; esac\nexit 0\n' > "$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  cleanup_policy() { if [ -n "$made_policy" ]; then rm -f "$policy"; fi; }
  trap cleanup_policy EXIT
  before=" $(pgrep -x 'redis-server|beam.smp|epmd' | tr '\n' ' ' || true) "
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" \
    || die "apt-get install ${need_apt[*]} failed"
  cleanup_policy
  trap - EXIT
  # Leave no broker running: the maintainer scripts may start the services where no policy-rc.d denies
  # them, and start an `epmd -daemon` (as user rabbitmq) even where one does. Stop what this install started.
  sleep 1
  for pid in $(pgrep -x 'redis-server|beam.smp|epmd' || true); do
    case "$before" in *" $pid "*) continue ;; esac
    log "stopping $(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid), started by the package install"
    kill "$pid" 2>/dev/null || true
  done
fi
command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed (apt-get install redis-server)"
[ -x "$rabbitmq_server" ] || die "$rabbitmq_server is missing (apt-get install rabbitmq-server)"
command -v epmd >/dev/null 2>&1 || die "epmd is missing (apt-get install erlang-base)"
for tool in unshare nsenter mount hostname; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (util-linux / mount / hostname)"
done

# --- Python virtual environment ---------------------------------------------------------------------------
python=${FAULTS_PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || die "$python is not on PATH (Python 3.11 or newer is needed)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "$("$python" -V 2>&1) is too old: the pinned set in $here/requirements.txt needs Python 3.11 or newer"
stamp="$(sha256sum "$here/requirements.txt" | cut -c1-16)-$("$python" -c 'import sys; print(sys.version.split()[0], sys.executable)' | tr ' /' '_-')"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.faults-stamp" 2>/dev/null)" = "$stamp" ]; then
  log "cached   venv $venv"
else
  log "creating venv $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "python -m venv failed (on Debian's python: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input --no-deps -r "$here/requirements.txt" \
    || die "pip install -r $here/requirements.txt failed"
  "$venv/bin/python" -m pip check || die "the pinned set in $here/requirements.txt is incomplete (pip check)"
  echo "$stamp" > "$venv/.faults-stamp"
  log "installed $(grep -c '==' "$here/requirements.txt") pinned packages"
fi
echo "venv: $venv"
