#!/usr/bin/env bash
# `npm run test:faults`: kill Celery workers under real Redis and RabbitMQ brokers and count lost tasks.
#   1. hack/faults/install.sh (Debian brokers, pinned Celery venv; fast when already installed);
#   2. `npx projen compile` when lib/ is missing or older than src/ (the tests render through lib/);
#   3. pytest on test/faults/ in the venv; extra arguments go to pytest (e.g. -k rabbitmq, -x).
# Fails (never skips) when something is missing; pytest's "no tests ran" (exit 5) is a failure too.
# Afterwards it checks that no broker, epmd or worker it started is still running.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
start=$(date +%s)
say() { echo "faults: $*"; }

[ "$(id -u)" = 0 ] || { say "ERROR: needs root: each worker runs in its own mount and UTS namespace with a tmpfs /tmp" >&2; exit 2; }
install_out=$(bash hack/faults/install.sh) || { echo "$install_out"; say "ERROR: hack/faults/install.sh failed" >&2; exit 2; }
echo "$install_out" | grep -v '^faults-install: cached' || true
venv=$(echo "$install_out" | sed -n 's/^venv: //p' | tail -1)
[ -x "$venv/bin/python" ] || { say "ERROR: no venv python at '$venv/bin/python'" >&2; exit 2; }
command -v node >/dev/null 2>&1 || { say "ERROR: node is not on PATH (needed to render the construct)" >&2; exit 2; }
[ -f node_modules/cdk8s/package.json ] || { say "node_modules missing: npm ci"; npm ci --no-audit --no-fund; }

newest() { find "$@" -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1; }
if [ ! -f lib/index.js ] || [ ! -f lib/workloads/celery-worker-pool.js ]; then
  reason="lib/ is missing"
elif awk -v a="$(newest src)" -v b="$(newest lib)" 'BEGIN { exit !(a > b) }'; then
  reason="src/ changed after lib/ was compiled"
else
  reason=
fi
if [ -n "$reason" ]; then
  say "$reason: npx projen compile"
  npx projen compile || { say "ERROR: npx projen compile failed; the tests render through lib/" >&2; exit 2; }
fi

# Nothing of ours may be running before we start (a leftover would be counted as ours afterwards).
ours() {
  pgrep -af 'fixture_app\.celery' || true
  pgrep -af "beam\.smp.*picvario-k8s-topology/faults-run" || true
  for pid in $(pgrep -x redis-server) $(pgrep -x epmd); do
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q . || continue
    # redis-server and epmd started by the suite run with their working directory or log in the run folder.
    if readlink "/proc/$pid/cwd" 2>/dev/null | grep -q 'picvario-k8s-topology/faults-run' \
      || ls -l "/proc/$pid/fd" 2>/dev/null | grep -q 'picvario-k8s-topology/faults-run'; then
      echo "$pid $(tr '\0' ' ' < "/proc/$pid/cmdline")"
    fi
  done
}
before=$(ours)
[ -z "$before" ] || { say "ERROR: processes from an earlier fault run are still running:"; echo "$before"; exit 2; }

set +e
(cd test/faults && PYTHONDONTWRITEBYTECODE=1 VIRTUAL_ENV="$venv" \
  timeout --kill-after=30 1500 "$venv/bin/python" -m pytest "$@")
rc=$?
set -e

sleep 1
after=$(ours)
if [ -n "$after" ]; then
  say "ERROR: still running after the suite:"; echo "$after"
  rc=${rc/#0/1}
fi
case $rc in
  0) say "passed in $(( $(date +%s) - start ))s" ;;
  5) say "ERROR: pytest collected no tests (exit 5): that is a failure"; rc=1 ;;
  124|137) say "ERROR: the suite hit its 1500s time limit" ;;
  *) say "FAILED (exit $rc) after $(( $(date +%s) - start ))s; logs in ${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/faults-run" ;;
esac
exit "$rc"
