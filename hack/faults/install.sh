#!/usr/bin/env bash
# Installs what `npm run test:faults` needs, idempotently:
#   - Debian's redis-server and rabbitmq-server (with Erlang and epmd), at the versions pinned in APT_PINS
#     (hack/lib/common.sh), through apt_ensure: their package services are never left running, the tests
#     start their own brokers on free loopback ports.
#   - A Python virtual environment with Celery, kombu, the Redis client and pytest at the versions pinned in
#     hack/faults/requirements.txt, in $CACHE_ROOT/faults-venv (override with FAULTS_VENV). It is rebuilt
#     only when requirements.txt or the Python interpreter changes.
#   - contrib/django (the app-side package, k8s-topology-django) into that venv: the fixture app imports
#     its k8s_topology_celery module as an app would; reinstalled whenever its files change. (Its Django
#     dependencies are not installed here: --no-deps, and the Celery module imports none of them.)
# When everything is present it takes well under a second. Prints the venv path as its last line
# (`venv: <path>`). Exits non-zero, naming what is missing, on any failure.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/hack/lib/python.sh"
cd "$REPO_ROOT"
here=hack/faults
prefix=faults-install

venv="${FAULTS_VENV:-$CACHE_ROOT/faults-venv}"
mkdir -p "$CACHE_ROOT"
# One install at a time (the bootstrap and the suite may start it together).
exec 9>"$CACHE_ROOT/.faults-install.lock"
flock -w 900 9 || die "$prefix" "could not lock $CACHE_ROOT/.faults-install.lock within 900s"

# --- Debian packages -------------------------------------------------------------------------------------
rabbitmq_server=/usr/lib/rabbitmq/bin/rabbitmq-server
# unshare, nsenter (util-linux), mount and hostname are in every Debian; apt_ensure installs what is missing.
apt_ensure "$prefix" redis-server rabbitmq-server util-linux mount hostname
command -v redis-server >/dev/null 2>&1 || die "$prefix" "redis-server is not installed (package redis-server)"
[ -x "$rabbitmq_server" ] || die "$prefix" "$rabbitmq_server is missing (package rabbitmq-server)"
command -v epmd >/dev/null 2>&1 || die "$prefix" "epmd is missing (package erlang-base)"
for tool in unshare nsenter mount hostname; do
  command -v "$tool" >/dev/null 2>&1 || die "$prefix" "$tool is missing (packages util-linux, mount, hostname)"
done

# --- Python virtual environment ---------------------------------------------------------------------------
python=${FAULTS_PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || die "$prefix" "$python is not on PATH (Python 3.11 or newer is needed)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "$prefix" "$("$python" -V 2>&1) is too old: the pinned set in $here/requirements.txt needs Python 3.11 or newer"
pinned_venv "$prefix" "$venv" "$python" "$here/requirements.txt" .faults-stamp
contrib_wheel "$prefix" "$venv"
echo "venv: $venv"
