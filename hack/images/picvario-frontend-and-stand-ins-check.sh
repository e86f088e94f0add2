#!/usr/bin/env bash
# Part of `npm run test:images` (hack/images/test.sh): runs Picvario's frontend and the Logstash and Grafana
# stand-ins as the render of Picvario's production (dist/manifests/production) runs them, under runc:
# read-only root, uid 10001, each emptyDir a tmpfs, each ConfigMap volume its data (pod.js bundle), the
# render's command and env (the image's command where the render names none), in a network namespace
# with loopback alone. Checks, one line per image:
#   - frontend (Nuxt): GET /healthz answers 200; GET / is rendered with the render's NUXT_PUBLIC_API_BASE;
#   - stats-shipper (Logstash stand-in): GET / on the API port 9600 answers 200; a POST to the http input
#     on 8080 is accepted and counted;
#   - grafana (stand-in): GET /api/health answers 200 and it logged the mounted dashboard files.
#
#   hack/images/picvario-frontend-and-stand-ins-check.sh <build.sh's output>      (lines: <repository> <OCI layout> <digest>)
# Every wait is bounded (30 s); every request goes to loopback in the namespace it creates.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=test-images-picvario
cd "$REPO_ROOT"

{ [ $# = 1 ] && [ -f "$1" ]; } || die "$P" "usage: picvario-frontend-and-stand-ins-check.sh <file with build.sh's output>; got: $*"
built=$1
[ "$(id -u)" = 0 ] || die "$P" "runc and network namespaces need root; run as root"
for tool in runc umoci curl ip node; do
  command -v "$tool" >/dev/null || die "$P" "missing '$tool' (hack/images/install.sh installs the Debian packages)"
done
production=dist/manifests/production
if [ ! -f "$production/frontend.yaml" ]; then
  [ -f lib/cli/main.js ] || die "$P" "no $production and no lib/cli/main.js to render it (npx projen --no-post synth)"
  timed "render Picvario" node lib/cli/main.js render >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/images-picvario.XXXXXX")
netns="images-picvario-$$"
runc_root="$work/runc"
containers=()
cleanup() {
  local rc=$? id
  for id in "${containers[@]}"; do runc --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || true; done
  ip netns delete "$netns" 2>/dev/null || true
  if [ "$rc" != 0 ] || [ -n "${IMAGES_KEEP:-}" ]; then log "$P" "work folder kept: $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
ip netns add "$netns"
ip -n "$netns" link set lo up

cat >"$work/values.json" <<JSON
{
  "secrets": {
    "picvario-stats-writer/username": "writer",
    "picvario-stats-writer/password": "images-suite-$$-not-a-real-password",
    "picvario-stats-reader/username": "reader",
    "picvario-stats-reader/password": "images-suite-$$-not-a-real-password",
    "picvario-grafana/admin-password": "images-suite-$$-not-a-real-password"
  },
  "hosts": "127.0.0.1 localhost\n"
}
JSON

# The three images, unpacked side by side (most of the step's time): <workload> <repository>.
images=(
  "frontend registry.picvario.example/picvario/frontend"
  "grafana docker.io/grafana/grafana"
  "stats-shipper docker.elastic.co/logstash/logstash"
)
unpack_all() {
  local entry layout pids=() pid
  for entry in "${images[@]}"; do
    layout=$(awk -v r="${entry#* }" '$1 == r { print $2 }' "$built")
    [ -n "$layout" ] || die "$P" "build.sh built no ${entry#* } (hack/images/defs/)"
    umoci unpack --image "$layout:image" "$work/images/${entry%% *}" >/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "$P" "umoci unpack failed (above)"; done
}
timed "unpack the Picvario images" unpack_all

# run <manifest> <workload>: starts the render's container, detached.
run() {
  local manifest=$1 workload=$2 dir="$work/c/$2"
  mkdir -p "$dir"
  node "$IMAGES_DIR/pod.js" bundle "$production/$manifest" "$workload" "$workload" "$work/images/$workload" \
    "$dir" "/var/run/netns/$netns" "$work/values.json"
  runc --root "$runc_root" run --detach --bundle "$dir" "$workload" </dev/null >"$dir/log" 2>&1 \
    || { cat "$dir/log" >&2; die "$P" "runc run $workload failed"; }
  containers+=("$workload")
}
stop() { runc --root "$runc_root" delete --force "$1" >/dev/null 2>&1 || true; }
fetch() { ip netns exec "$netns" curl -fsS -m 5 "$@"; } # <curl args...>: the body; fails on an HTTP error
until_ok() { # <workload> <what> <command...>: retries for up to 30 s, then shows the container's log and fails
  local workload=$1 what=$2 deadline=$((SECONDS + 30))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$work/c/$workload/log" >&2
      die "$P" "$workload: $what within 30 s"
    fi
    sleep 0.5
  done
}
env_value() { sed -n "/- name: $2\$/{n;s/^ *value: //p;q}" "$production/$1"; }

# Frontend and Grafana both listen on 3000, so they run one after the other.
api_base=$(env_value frontend.yaml NUXT_PUBLIC_API_BASE)
[ -n "$api_base" ] || die "$P" "$production/frontend.yaml sets no NUXT_PUBLIC_API_BASE"
run frontend.yaml frontend
until_ok frontend "GET /healthz answered 200" fetch -o /dev/null http://127.0.0.1:3000/healthz
page=$(fetch http://127.0.0.1:3000/) || die "$P" "frontend: GET / failed"
if ! grep -qF "<h1>Picvario</h1>" <<<"$page" || ! grep -qF ">$api_base<" <<<"$page"; then
  die "$P" "frontend: GET / does not show Picvario and the public API base $api_base: $(head -c 300 <<<"$page")"
fi
log "$P" "ok: frontend (Nuxt, node $(runc --root "$runc_root" exec frontend node --version)): /healthz 200, / rendered with NUXT_PUBLIC_API_BASE $api_base"
stop frontend

run grafana.yaml grafana
until_ok grafana "GET /api/health answered 200" fetch -o /dev/null http://127.0.0.1:3000/api/health
grep -q '^run.sh: dashboards: /etc/grafana/dashboards/usage/' "$work/c/grafana/log" \
  || { cat "$work/c/grafana/log" >&2; die "$P" "grafana: logged no dashboard file under /etc/grafana/dashboards/usage"; }
log "$P" "ok: grafana (stand-in): /api/health $(fetch http://127.0.0.1:3000/api/health), $(grep -c ': dashboards: ' "$work/c/grafana/log") dashboard file(s) mounted"
stop grafana

run stats-shipper.yaml stats-shipper
until_ok stats-shipper "GET / on the API port 9600 answered 200" fetch -o /dev/null http://127.0.0.1:9600/
fetch -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"event":"upload","bytes":1}' http://127.0.0.1:8080/ \
  || die "$P" "stats-shipper: POST to the http input on 8080 was refused"
events=$(fetch http://127.0.0.1:9600/_node/stats/events)
grep -q '"in": 1,' <<<"$events" || die "$P" "stats-shipper: the stand-in counted no event: $events"
log "$P" "ok: stats-shipper (Logstash stand-in): 9600 / 200, a POST to 8080 accepted and counted, pipeline files: $(grep -c ': pipeline: ' "$work/c/stats-shipper/log")"
stop stats-shipper
