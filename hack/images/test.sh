#!/usr/bin/env bash
# `npm run test:images`: builds every image, serves them from a registry on loopback, resolves every
# image reference of the shop's renders from it, then runs the images' processes with the renders'
# commands, uid, read-only root and volumes, under runc, without Kubernetes:
#
#   - registry: every reference in examples/shop/dist/manifests/*/ resolves, by tag and by digest;
#   - backend (gunicorn): /healthz/live answers 200, /healthz/ready 503 while there is no database;
#     as uid 10001, the root filesystem refuses a write, and `sleep` (the preStop hook) runs;
#   - the migrate Job and the clearsessions CronJob (manage.py in the working directory) run to exit 0
#     against a PostgreSQL of the suite's own (Debian's postgresql-15); then the backend's
#     /healthz/ready answers 200;
#   - edge (Debian's nginx, the render's nginx.conf from its ConfigMap): `nginx -t`, `sleep`, /healthz,
#     and /api/ proxied to the backend;
#   - ws (uvicorn): /healthz/live, and a websocket round trip on /ws/echo/;
#   - worker-default and beat (Celery, on a redis-server of the suite's own): the render's liveness
#     probe command passes (the heartbeat files are fresh), and the worker runs a task sent to it;
#   - flower: /flower/healthcheck answers 200.
#
# Every container runs in a network namespace the suite creates, with loopback alone: no traffic leaves
# this machine. The images are pulled back from the registry (skopeo) and unpacked once (umoci); each
# container's runtime config comes from the render (pod.js bundle). Every wait is bounded.
# Environment: IMAGES_KEEP=1 keeps the work folder (logs, bundles) for a look after a failure.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=test-images
cd "$REPO_ROOT"

timed "install" bash "$IMAGES_DIR/install.sh" >/dev/null
for tool in mmdebstrap umoci skopeo runc redis-server ip nsenter curl node; do
  command -v "$tool" >/dev/null || die "$P" "missing '$tool' (hack/images/install.sh installs the Debian packages; node and curl come with the repository's setup)"
done
[ "$(id -u)" = 0 ] || die "$P" "runc, network namespaces and mmdebstrap --mode=root need root; run as root"

manifests=examples/shop/dist/manifests
if [ ! -d "$manifests/production" ]; then
  timed "render:examples" bash hack/examples/render.sh >/dev/null
fi
production="$manifests/production"

work=$(mktemp -d "${TMPDIR:-/tmp}/images-test.XXXXXX")
netns="images-test-$$"
runc_root="$work/runc"
registry_pid='' redis_pid='' postgres_pid=''
containers=()
cleanup() {
  local rc=$? id
  for id in "${containers[@]}"; do runc --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || true; done
  [ -z "$redis_pid" ] || { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; }
  [ -z "$postgres_pid" ] || { kill "$postgres_pid" 2>/dev/null || true; wait "$postgres_pid" 2>/dev/null || true; }
  [ -z "$registry_pid" ] || { kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; }
  ip netns delete "$netns" 2>/dev/null || true
  if [ "$rc" != 0 ] || [ -n "${IMAGES_KEEP:-}" ]; then
    log "$P" "work folder kept: $work (container logs in $work/c/*/log)"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT

# wait_for <seconds> <what> <command...>: retries the command every half second until it succeeds.
wait_for() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { log "$P" "FAILED: $what within ${seconds}s"; return 1; }
    sleep 0.5
  done
  log "$P" "ok: $what"
}

# --- build, serve, push, resolve ------------------------------------------------------------------------
timed "build images" bash "$IMAGES_DIR/build.sh" >"$work/built"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry="127.0.0.1:$port"
bash "$IMAGES_DIR/registry.sh" "$registry" "$work/registry-storage" 2>"$work/registry.log" &
registry_pid=$!
wait_for 30 "registry answers on http://$registry/v2/" curl -fsS -m 2 "http://$registry/v2/" \
  || { cat "$work/registry.log" >&2; exit 1; }
timed "push and resolve" bash "$IMAGES_DIR/push.sh" "$registry" "$manifests" >"$work/pushed"
mapfile -t wanted < <(node "$IMAGES_DIR/pod.js" images "$production")
for ref in "${wanted[@]}"; do
  grep -q "^$ref sha256:" "$work/pushed" || die "$P" "$ref (in $production) did not resolve from the registry"
  log "$P" "ok: $ref resolves to $(grep "^$ref " "$work/pushed" | cut -d' ' -f2)"
done

# --- the images, pulled back from the registry and unpacked once each ---------------------------------------
unpack() { # <name> <reference>: $work/images/<name>/ (config.json + rootfs/)
  local path=${2#*/}
  skopeo copy --quiet --src-tls-verify=false "docker://$registry/$path" "oci:$work/pulled:$1"
  umoci unpack --image "$work/pulled:$1" "$work/images/$1" >/dev/null
}
app_ref=$(grep '/shop/api:' <<<"$(printf '%s\n' "${wanted[@]}")" | head -1)
edge_ref=$(grep 'nginx' <<<"$(printf '%s\n' "${wanted[@]}")" | head -1)
mkdir -p "$work/images"
unpack_all() { unpack app "$app_ref" && unpack edge "$edge_ref"; }
timed "pull and unpack" unpack_all

# --- the pods' network: loopback only, and the broker ---------------------------------------------------------
ip netns add "$netns"
ip -n "$netns" link set lo up
ip netns exec "$netns" redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
  --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
redis_pid=$!
wait_for 10 "redis-server answers in the pods' network" ip netns exec "$netns" redis-cli -p 6379 ping

cat >"$work/values.json" <<JSON
{
  "secrets": {
    "shop-app/database-url": "postgres://shop:unused@127.0.0.1:5432/shop",
    "shop-app/secret-key": "images-suite-secret-key-$$-not-a-real-secret",
    "shop-broker/redis-address": "127.0.0.1:6379",
    "shop-flower/basic-auth": "admin:images-suite"
  },
  "hosts": "127.0.0.1 localhost backend ws flower kube-dns.kube-system.svc.cluster.local\n"
}
JSON

# start <image> <manifest> <workload> [<container>]: runs the render's container, detached.
start() {
  local image=$1 manifest=$2 workload=$3 container=${4:-$3}
  local dir="$work/c/$workload"
  mkdir -p "$dir"
  node "$IMAGES_DIR/pod.js" bundle "$production/$manifest" "$workload" "$container" "$work/images/$image" \
    "$dir" "/var/run/netns/$netns" "$work/values.json"
  runc --root "$runc_root" run --detach --bundle "$dir" "$workload" </dev/null >"$dir/log" 2>&1 \
    || { cat "$dir/log" >&2; die "$P" "runc run $workload failed"; }
  containers+=("$workload")
  log "$P" "started $workload: $(runc --root "$runc_root" state "$workload" | grep -o '"pid": [0-9]*')"
}
run_to_exit() { # <seconds> <image> <manifest> <workload>: runs the render's container until it exits; its exit code
  local seconds=$1 image=$2 manifest=$3 workload=$4
  local dir="$work/c/$workload"
  mkdir -p "$dir"
  node "$IMAGES_DIR/pod.js" bundle "$production/$manifest" "$workload" "$workload" "$work/images/$image" \
    "$dir" "/var/run/netns/$netns" "$work/values.json"
  containers+=("$workload")
  timeout "$seconds" runc --root "$runc_root" run --bundle "$dir" "$workload" </dev/null >"$dir/log" 2>&1
}
stop() { # <workload>
  runc --root "$runc_root" delete --force "$1" >/dev/null 2>&1 || true
}
in_pods() { ip netns exec "$netns" "$@"; }
http_status() { # <url> [curl args...]: the status code (000 when nothing answers)
  local url=$1
  shift
  in_pods curl -s -m 5 -o /dev/null -w '%{http_code}' "$@" "$url" || true
}
expect_status() { # <status> <url> [curl args...]
  local expected=$1 url=$2
  shift 2
  [ "$(http_status "$url" "$@")" = "$expected" ]
}
show_log() { log "$P" "log of $1:"; tail -n 40 "$work/c/$1/log" >&2; }
probe_exec() { # <workload> <manifest>: runs the container's liveness probe command in it, as the kubelet does
  local cmd=()
  mapfile -t cmd < <(node -e '
    const YAML = require("yaml"); const fs = require("fs");
    const d = YAML.parseAllDocuments(fs.readFileSync(process.argv[1], "utf8")).map((x) => x.toJS())
      .find((x) => x && x.kind === "Deployment" && x.metadata.name === process.argv[2]);
    for (const a of d.spec.template.spec.containers[0].livenessProbe.exec.command) console.log(a);
  ' "$production/$2" "$1")
  runc --root "$runc_root" exec "$1" "${cmd[@]}"
}

# --- backend, then the edge in front of it ---------------------------------------------------------------
start app backend.yaml backend
wait_for 60 "backend: gunicorn answers /healthz/live with 200" \
  expect_status 200 http://127.0.0.1:8000/healthz/live -H 'Host: localhost' || { show_log backend; exit 1; }
status=$(http_status http://127.0.0.1:8000/healthz/ready -H 'Host: localhost')
[ "$status" = 503 ] || { show_log backend; die "$P" "backend: /healthz/ready without a database answered $status; expected 503"; }
log "$P" "ok: backend: /healthz/ready answers 503 while the database is unreachable"
pid=$(runc --root "$runc_root" state backend | grep -o '"pid": [0-9]*' | grep -o '[0-9]*$')
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
[ "$uids" = "10001 10001 10001 10001" ] || die "$P" "backend runs as uids '$uids'; expected 10001"
log "$P" "ok: backend runs as uid 10001"
if runc --root "$runc_root" exec backend python -c 'open("/app/written", "w")' 2>"$work/rofs.err"; then
  die "$P" "backend could write /app/written: the root filesystem is not read-only"
fi
grep -q 'Read-only file system' "$work/rofs.err" || { cat "$work/rofs.err" >&2; die "$P" "writing /app failed for another reason than a read-only root"; }
log "$P" "ok: backend: the root filesystem is read-only"
runc --root "$runc_root" exec backend sleep 0 || die "$P" "backend: no 'sleep' for the render's preStop hook"

# --- a database: the migrate Job, then the backend is ready; the clearsessions CronJob ------------------------
# Debian's PostgreSQL, run as its own user in the pods' network; trust on loopback (the URL's password is
# not checked), fsync off: it holds nothing worth keeping.
pg_bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)
[ -x "$pg_bin/postgres" ] || die "$P" "no PostgreSQL server under /usr/lib/postgresql (Debian package postgresql-15)"
chmod 711 "$work"
mkdir -p "$work/pg"
chown postgres: "$work/pg"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
as_postgres "$pg_bin/initdb" -D "$work/pg/data" -U shop -A trust -E UTF8 --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; die "$P" "initdb failed"; }
ip netns exec "$netns" setpriv --reuid=postgres --regid=postgres --init-groups "$pg_bin/postgres" -D "$work/pg/data" \
  -c listen_addresses=127.0.0.1 -c port=5432 -c unix_socket_directories="$work/pg" -c fsync=off \
  >"$work/postgres.log" 2>&1 &
postgres_pid=$!
wait_for 30 "PostgreSQL answers in the pods' network" in_pods "$pg_bin/pg_isready" -q -h 127.0.0.1 -p 5432 \
  || { cat "$work/postgres.log" >&2; exit 1; }
in_pods "$pg_bin/createdb" -h 127.0.0.1 -p 5432 -U shop shop || die "$P" "createdb shop failed"

run_to_exit 120 app migrate.yaml migrate || { show_log migrate; die "$P" "migrate: the render's Job command failed"; }
grep -q 'Applying sessions.0001_initial... OK' "$work/c/migrate/log" \
  || { show_log migrate; die "$P" "migrate: exited 0 without applying the sessions migration"; }
log "$P" "ok: migrate: python manage.py migrate --noinput applied every migration"
wait_for 30 "backend: /healthz/ready answers 200 once the database answers" \
  expect_status 200 http://127.0.0.1:8000/healthz/ready -H 'Host: localhost' || { show_log backend; exit 1; }
run_to_exit 60 app clearsessions.yaml clearsessions \
  || { show_log clearsessions; die "$P" "clearsessions: the render's CronJob command failed"; }
log "$P" "ok: clearsessions: python manage.py clearsessions exited 0"

start edge edge.yaml edge
runc --root "$runc_root" exec edge nginx -t -c /etc/nginx/edge/nginx.conf >"$work/nginx-t.log" 2>&1 \
  || { cat "$work/nginx-t.log" >&2; die "$P" "edge: nginx -t with the render's nginx.conf failed"; }
log "$P" "ok: edge: nginx -t accepts the render's nginx.conf"
runc --root "$runc_root" exec edge sleep 0 || die "$P" "edge: no 'sleep' for the render's preStop hook"
wait_for 30 "edge: /healthz answers 200 on :8080" expect_status 200 http://127.0.0.1:8080/healthz \
  || { show_log edge; exit 1; }
body=$(in_pods curl -fsS -m 5 -H 'Host: shop.example.com' http://127.0.0.1:8080/api/) \
  || { show_log edge; show_log backend; die "$P" "edge: GET /api/ through the edge failed"; }
[ "$body" = shop ] || die "$P" "edge: GET /api/ answered '$body'; expected the backend's 'shop'"
log "$P" "ok: edge: /api/ is proxied to the backend"
stop backend

# --- ws: uvicorn with Channels -----------------------------------------------------------------------------
start app ws.yaml ws
wait_for 60 "ws: uvicorn answers /healthz/live with 200" \
  expect_status 200 http://127.0.0.1:8000/healthz/live -H 'Host: localhost' || { show_log ws; exit 1; }
in_pods timeout 20 python3 "$IMAGES_DIR/ws_echo.py" 127.0.0.1 8000 /ws/echo/ localhost \
  || { show_log ws; die "$P" "ws: the websocket round trip on /ws/echo/ failed"; }
in_pods timeout 20 python3 "$IMAGES_DIR/ws_echo.py" 127.0.0.1 8080 /ws/echo/ shop.example.com \
  || { show_log ws; show_log edge; die "$P" "ws: the websocket round trip through the edge failed"; }
log "$P" "ok: ws: websockets on /ws/echo/, directly and through the edge"
stop ws
stop edge

# --- Celery: a worker, beat, flower ----------------------------------------------------------------------------
start app worker-default.yaml worker-default
start app beat.yaml beat
wait_for 90 "worker-default: the render's liveness probe passes (heartbeat file)" probe_exec worker-default worker-default.yaml \
  || { show_log worker-default; exit 1; }
wait_for 60 "beat: the render's liveness probe passes (heartbeat file)" probe_exec beat beat.yaml \
  || { show_log beat; exit 1; }
# A task through the suite's redis: sent from inside the worker's container (its env names the broker),
# run by the worker's consumer.
runc --root "$runc_root" exec worker-default python -c \
  'from shop.celery import app; print(app.send_task("shop.tasks.ping").id)' >"$work/task-id" 2>"$work/send.err" \
  || { cat "$work/send.err" >&2; die "$P" "worker-default: sending shop.tasks.ping failed"; }
task_id=$(tr -d '[:space:]' <"$work/task-id")
wait_for 30 "worker-default: ran shop.tasks.ping[$task_id] from the default queue" \
  grep -q "shop.tasks.ping\[$task_id\] succeeded" "$work/c/worker-default/log" || { show_log worker-default; exit 1; }
stop beat
start app flower.yaml flower
wait_for 60 "flower: /flower/healthcheck answers 200" expect_status 200 http://127.0.0.1:5555/flower/healthcheck \
  || { show_log flower; exit 1; }
stop flower
stop worker-default

log "$P" "all passed"
