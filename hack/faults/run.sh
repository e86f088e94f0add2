#!/usr/bin/env bash
# `npm run test:faults`: kill Celery workers under real Redis and RabbitMQ brokers and count lost tasks.
#   1. hack/faults/install.sh (Debian brokers, pinned Celery venv; fast when already installed), then the
#      versions of the Debian packages the suite starts;
#   2. `npx projen compile` when lib/ is missing or older than src/ (the tests render through lib/);
#   3. pytest on test/faults/ in the venv; extra arguments go to pytest (e.g. -k rabbitmq, -x).
# Works from a checkout in any folder, /tmp included. Fails (never skips) when something is missing;
# pytest's "no tests ran" (exit 5) is a failure too. Afterwards it checks that no broker, epmd or worker
# it started is still running.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
prefix=faults
start=$EPOCHREALTIME
run_dir="${FAULTS_RUN_DIR:-$CACHE_ROOT/faults-run}"
export FAULTS_RUN_DIR=$run_dir

[ "$(id -u)" = 0 ] || die "$prefix" "needs root: each worker runs in its own mount and UTS namespace with a tmpfs /tmp"
install_out=$(bash hack/faults/install.sh) || die "$prefix" "hack/faults/install.sh failed"
venv=$(echo "$install_out" | sed -n 's/^venv: //p' | tail -1)
[ -x "$venv/bin/python" ] || die "$prefix" "no venv python at '$venv/bin/python'"
apt_report redis-server rabbitmq-server | sed "s/^/$prefix: /"
command -v node >/dev/null 2>&1 || die "$prefix" "node is not on PATH (needed to render the construct)"
[ -f node_modules/cdk8s/package.json ] || { log "$prefix" "node_modules missing: npm ci"; npm ci --no-audit --no-fund; }

if [ ! -f lib/index.js ] || [ ! -f lib/workloads/celery-worker-pool.js ]; then
  reason="lib/ is missing"
elif is_newer "$(newest src)" "$(newest lib)"; then
  reason="src/ changed after lib/ was compiled"
else
  reason=
fi
if [ -n "$reason" ]; then
  log "$prefix" "$reason: npx projen compile"
  npx projen compile || die "$prefix" "npx projen compile failed; the tests render through lib/"
fi

# One run per run folder: the suite empties it when it starts. Another run (from any checkout) can go
# beside this one with its own FAULTS_RUN_DIR.
mkdir -p "$(dirname "$run_dir")"
exec 8>"$run_dir.lock"
flock -n 8 || die "$prefix" "another fault run is using $run_dir; wait for it, or set FAULTS_RUN_DIR to another folder"

# Nothing of ours may be running before we start (a leftover would be counted as ours afterwards).
# Ours: a worker, redis-server or epmd whose working directory or an open file (its log) is in the run
# folder, or a beam.smp whose command line names it. Processes of a run with another folder are not ours.
in_run_dir() {
  local pid=$1 fd
  case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$run_dir" | "$run_dir"/*) return 0 ;; esac
  for fd in "/proc/$pid/fd/"*; do
    case "$(readlink "$fd" 2>/dev/null)" in "$run_dir"/*) return 0 ;; esac
  done
  return 1
}
run_dir_re=$(printf '%s' "$run_dir" | sed 's/[][\\.*^$+?(){}|]/\\&/g')
ours() {
  pgrep -af "beam\.smp.*$run_dir_re/" || true
  local pid
  for pid in $(pgrep -f 'fixture_app\.celery') $(pgrep -x redis-server) $(pgrep -x epmd); do
    if in_run_dir "$pid"; then
      echo "$pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
    fi
  done
}
before=$(ours)
[ -z "$before" ] || die "$prefix" "processes from an earlier fault run are still running:"$'\n'"$before"

set +e
(cd test/faults && PYTHONDONTWRITEBYTECODE=1 VIRTUAL_ENV="$venv" \
  timeout --kill-after=30 1500 "$venv/bin/python" -m pytest "$@" 8>&-)
rc=$?
set -e

sleep 1
after=$(ours)
if [ -n "$after" ]; then
  log "$prefix" "ERROR: still running after the suite:"$'\n'"$after"
  [ "$rc" != 0 ] || rc=1
fi
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
case $rc in
  0) log "$prefix" "passed in ${took}s" ;;
  5) log "$prefix" "ERROR: pytest collected no tests (exit 5): that is a failure"; rc=1 ;;
  124 | 137) log "$prefix" "ERROR: the suite hit its 1500s time limit" ;;
  *) log "$prefix" "FAILED (exit $rc) after ${took}s; logs in $run_dir" ;;
esac
exit "$rc"
