#!/usr/bin/env bash
# `npm run test:images`: builds every image, serves them from a registry on loopback, resolves every
# image reference of the shop's renders from it, then runs the images' processes with the commands, uid,
# read-only root and volumes of the shop's suite environment (examples/shop/suite.ts: the same code as
# staging and production, its external services on test hosts in 203.0.113.0/24), under runc, without
# Kubernetes:
#
#   - registry: every reference in examples/shop/dist/manifests/*/ resolves, by tag and by digest;
#   - the test hosts, in the pods' network namespace: PostgreSQL (Debian's postgresql-15) on
#     203.0.113.10, redis-server on .11, versitygw (S3, hack/kit/install.sh's) on .12:7070 with the
#     render's two buckets;
#   - backend (gunicorn, the app on the kit): /healthz/live answers 200, /healthz/ready 503 while the
#     database does not answer; as uid 10001, the root filesystem refuses a write, and `sleep` (the
#     preStop hook) runs;
#   - the migrate Job, the clearsessions CronJob and the collectstatic Job (manage.py in the working directory)
#     run to exit 0, collectstatic into the statics bucket (made public-read, as a team's is);
#     then the backend's /healthz/ready answers 200 (database, broker and media bucket);
#   - edge (Debian's nginx, the render's nginx.conf from its ConfigMap): `nginx -t`, `sleep`, /healthz,
#     /api/ proxied to the backend, and /static/ served from the statics bucket;
#   - ws (uvicorn): /healthz/live, and a websocket round trip on /ws/echo/;
#   - worker-default and beat (Celery, on a redis-server of the suite's own): the render's liveness
#     probe command passes (the heartbeat files are fresh), and the worker runs a task sent to it;
#   - flower: /flower/healthcheck answers 200;
#   - the asset library (examples/shop/app/shop/assets.py on the kit): a chunked upload through the edge,
#     processed from S3 by the worker (size, sha256, thumbnail), downloaded through the edge by X-Accel-Redirect
#     (hack/images/asset_journey.py);
#   - the django-tenants flavour (shop.settings.tenants) on a database of its own: migrate_schemas --shared, two
#     tenants with empty schemas, migrate_schemas --tenant migrates both, and a request for each tenant's host
#     knows only that tenant's user; an asset uploaded on a tenant's host is processed in that tenant's schema
#     (hack/images/tenants_check.py);
#   - Picvario's backend (defs/picvario-backend.sh), as Picvario's render runs it: gunicorn picvario.wsgi,
#     manage.py check, the migrate Job's migrate_schemas, picvario.celery on amqp:// (hack/images/picvario-backend-check.sh).
#
# Every container runs in a network namespace the suite creates, with loopback alone (which also carries the
# test hosts' addresses): no traffic leaves this machine. The images are pulled back from the registry (skopeo) and unpacked once (umoci); each
# container's runtime config comes from the render (pod.js bundle). Every wait is bounded.
# Environment: IMAGES_KEEP=1 keeps the work folder (logs, bundles) for a look after a failure.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=../lib/s3.sh
source "$REPO_ROOT/hack/lib/s3.sh"
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
# The suite environment, rendered by the shop's own code at staging's release (whose tag push.sh pushes).
suite_version=$(node -p "require('./examples/shop/releases.json').staging.version")

work=$(mktemp -d "${TMPDIR:-/tmp}/images-test.XXXXXX")
netns="images-test-$$"
runc_root="$work/runc"
registry_pid='' redis_pid='' postgres_pid='' s3_pid=''
containers=()
cleanup() {
  local rc=$? id
  for id in "${containers[@]}"; do runc --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || true; done
  [ -z "$redis_pid" ] || { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; }
  [ -z "$s3_pid" ] || { kill "$s3_pid" 2>/dev/null || true; wait "$s3_pid" 2>/dev/null || true; }
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
render_suite() { (cd examples/shop && node "$REPO_ROOT/lib/cli/main.js" run suite.ts "$work/render" "$suite_version" >/dev/null); }
timed "render the suite environment" render_suite
suite="$work/render/e2e"
[ -f "$suite/backend.yaml" ] || die "$P" "examples/shop/suite.ts rendered no $suite/backend.yaml"
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

# --- the pods' network: loopback, with the test hosts' addresses: the broker and S3 ----------------------------
# The render's external services (app.ts, SUITE_ENVIRONMENT), as the shop suite serves them on the real nodes.
PG_ADDR=203.0.113.10 REDIS_ADDR=203.0.113.11 S3_ADDR=203.0.113.12 S3_PORT=7070
grep -q "value: http://$S3_ADDR:$S3_PORT\$" "$suite/backend.yaml" \
  || die "$P" "the suite environment's backend does not name the S3 endpoint http://$S3_ADDR:$S3_PORT (examples/shop/app.ts)"
env_value() { sed -n "/- name: $1\$/{n;s/^ *value: //p;q}" "$suite/backend.yaml"; }
media_bucket=$(env_value AWS_STORAGE_BUCKET_NAME) static_bucket=$(env_value DJANGO_STATIC_BUCKET)
if [ -z "$media_bucket" ] || [ -z "$static_bucket" ]; then die "$P" "no bucket names in $suite/backend.yaml"; fi
ip netns add "$netns"
ip -n "$netns" link set lo up
# On the namespace's loopback (this kernel has no dummy interfaces), so they are reachable from it alone.
for addr in "$PG_ADDR" "$REDIS_ADDR" "$S3_ADDR"; do ip -n "$netns" addr add "$addr/32" dev lo; done
# No password, so protected mode would refuse the pods (they do not come from 127.0.0.1); nothing but the
# suite's own processes is in this namespace.
ip netns exec "$netns" redis-server --bind "$REDIS_ADDR" --port 6379 --protected-mode no --save '' --appendonly no \
  --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
redis_pid=$!
redis_pong() { [ "$(ip netns exec "$netns" redis-cli -h "$REDIS_ADDR" -p 6379 ping)" = PONG ]; }
wait_for 10 "redis-server answers PONG on $REDIS_ADDR in the pods' network" redis_pong
versitygw=$(bash "$REPO_ROOT/hack/kit/install.sh" | sed -n 's/^VERSITYGW_BIN=//p')
[ -x "$versitygw" ] || die "$P" "hack/kit/install.sh printed no versitygw binary"
s3_access=images-$$ s3_secret=images-suite-$$-not-a-real-secret s3_endpoint="http://$S3_ADDR:$S3_PORT"
# versitygw's posix backend: a bucket is a folder of its root.
mkdir -p "$work/s3/$media_bucket" "$work/s3/$static_bucket"
ip netns exec "$netns" "$versitygw" --access "$s3_access" --secret "$s3_secret" --region eu-west-1 \
  --port "$S3_ADDR:$S3_PORT" posix "$work/s3" >"$work/versitygw.log" 2>&1 &
s3_pid=$!
s3_head() { # <bucket...>: HeadBucket of each
  local bucket
  for bucket in "$@"; do [ "$(S3_NETNS=$netns s3_status "$s3_endpoint" "$s3_access" "$s3_secret" "$bucket" -I)" = 200 ] || return 1; done
}
wait_for 30 "versitygw serves $media_bucket and $static_bucket on $S3_ADDR:$S3_PORT" \
  s3_head "$media_bucket" "$static_bucket" \
  || { cat "$work/versitygw.log" >&2; exit 1; }
S3_NETNS=$netns s3_public_read "$s3_endpoint" "$s3_access" "$s3_secret" "$static_bucket" \
  || die "$P" "versitygw refused the public-read policy of $static_bucket"

cat >"$work/values.json" <<JSON
{
  "secrets": {
    "shop-app/database-url": "postgres://shop:unused@$PG_ADDR:5432/shop",
    "shop-app/secret-key": "images-suite-secret-key-$$-not-a-real-secret",
    "shop-app/s3-access-key": "$s3_access",
    "shop-app/s3-secret-key": "$s3_secret",
    "shop-broker/redis-address": "$REDIS_ADDR:6379",
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
  node "$IMAGES_DIR/pod.js" bundle "$suite/$manifest" "$workload" "$container" "$work/images/$image" \
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
  node "$IMAGES_DIR/pod.js" bundle "$suite/$manifest" "$workload" "$workload" "$work/images/$image" \
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
  ' "$suite/$2" "$1")
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
# The pods reach it at its test host's address, which is also the address they come from in this namespace.
echo "host all all $PG_ADDR/32 trust" >>"$work/pg/data/pg_hba.conf"
ip netns exec "$netns" setpriv --reuid=postgres --regid=postgres --init-groups "$pg_bin/postgres" -D "$work/pg/data" \
  -c listen_addresses="$PG_ADDR" -c port=5432 -c unix_socket_directories="$work/pg" -c fsync=off \
  >"$work/postgres.log" 2>&1 &
postgres_pid=$!
wait_for 30 "PostgreSQL answers on $PG_ADDR in the pods' network" in_pods "$pg_bin/pg_isready" -q -h "$PG_ADDR" -p 5432 \
  || { cat "$work/postgres.log" >&2; exit 1; }
in_pods "$pg_bin/createdb" -h "$PG_ADDR" -p 5432 -U shop shop || die "$P" "createdb shop failed"

run_to_exit 120 app migrate.yaml migrate || { show_log migrate; die "$P" "migrate: the render's Job command failed"; }
grep -q 'Applying sessions.0001_initial... OK' "$work/c/migrate/log" \
  || { show_log migrate; die "$P" "migrate: exited 0 without applying the sessions migration"; }
log "$P" "ok: migrate: python manage.py migrate --noinput applied every migration"
wait_for 30 "backend: /healthz/ready answers 200 once the database answers" \
  expect_status 200 http://127.0.0.1:8000/healthz/ready -H 'Host: localhost' \
  || { show_log backend; die "$P" "backend: /healthz/ready said $(in_pods curl -s -m 5 -H 'Host: localhost' http://127.0.0.1:8000/healthz/ready)"; }
run_to_exit 60 app clearsessions.yaml clearsessions \
  || { show_log clearsessions; die "$P" "clearsessions: the render's CronJob command failed"; }
log "$P" "ok: clearsessions: python manage.py clearsessions exited 0"
run_to_exit 120 app collectstatic.yaml collectstatic || { show_log collectstatic; die "$P" "collectstatic: the render's Job command failed"; }
grep -Eq '[1-9][0-9]* static files? copied' "$work/c/collectstatic/log" \
  || { show_log collectstatic; die "$P" "collectstatic: exited 0 without copying a file"; }
log "$P" "ok: collectstatic: $(grep -Eo '[0-9]+ static files? copied' "$work/c/collectstatic/log") to the statics bucket"

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
# A static file collectstatic uploaded, served by the edge from the statics bucket, equal to the image's.
static_file=usr/local/lib/python3.11/dist-packages/django/contrib/admin/static/admin/css/base.css
in_pods curl -fsS -m 5 -H 'Host: shop.example.com' -o "$work/base.css" http://127.0.0.1:8080/static/admin/css/base.css \
  || { show_log edge; die "$P" "edge: GET /static/admin/css/base.css failed"; }
cmp -s "$work/base.css" "$work/images/app/rootfs/$static_file" \
  || die "$P" "edge: /static/admin/css/base.css is not the file of the image ($(wc -c <"$work/base.css") bytes)"
log "$P" "ok: edge: /static/admin/css/base.css served from the statics bucket, equal to the image's file"
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

# --- the asset library (the shop on the kit): upload through the edge, processed by the worker, download ------
# The worker is still running; the backend and the edge come back. A user for the API's Basic auth is made
# with Django's own command, in the backend's container.
start app backend.yaml backend
start edge edge.yaml edge
wait_for 60 "backend: ready again" expect_status 200 http://127.0.0.1:8000/healthz/ready -H 'Host: localhost' \
  || { show_log backend; exit 1; }
wait_for 30 "edge: /healthz answers 200 again" expect_status 200 http://127.0.0.1:8080/healthz || { show_log edge; exit 1; }
asset_password="images-suite-$$-not-a-real-password"
runc --root "$runc_root" exec --env DJANGO_SUPERUSER_PASSWORD="$asset_password" backend \
  python manage.py createsuperuser --noinput --username suite --email suite@example.com >"$work/createsuperuser.log" 2>&1 \
  || { cat "$work/createsuperuser.log" >&2; die "$P" "backend: manage.py createsuperuser failed"; }
host=$(sed -n 's/^ *- host: //p' "$suite/edge.yaml" | head -1)
[ -n "$host" ] || die "$P" "no Ingress host in $suite/edge.yaml"
in_pods timeout 120 python3 "$IMAGES_DIR/asset_journey.py" --image --edge http://127.0.0.1:8080 --backend http://127.0.0.1:8000 \
  --host "$host" --user suite --password "$asset_password" --wait 60 \
  || { show_log backend; show_log edge; show_log worker-default; die "$P" "the asset journey failed (hack/images/asset_journey.py)"; }
log "$P" "ok: assets: a chunked upload through the edge, processed from S3 by the worker, downloaded through the edge"

# --- the django-tenants flavour (shop.settings.tenants), in the backend's container, on a database of its own ---
# Picvario's Job commands: migrate_schemas --shared, then --tenant, which migrates every tenant's schema.
in_pods "$pg_bin/createdb" -h "$PG_ADDR" -p 5432 -U shop shop_tenants || die "$P" "createdb shop_tenants failed"
tenants_exec() { # <command...>: in the backend's container, as the tenants flavour
  runc --root "$runc_root" exec --env DJANGO_SETTINGS_MODULE=shop.settings.tenants \
    --env DATABASE_URL="postgres://shop:unused@$PG_ADDR:5432/shop_tenants" "$@"
}
tenants_exec backend python manage.py migrate_schemas --shared --noinput >"$work/tenants-shared.log" 2>&1 \
  || { cat "$work/tenants-shared.log" >&2; die "$P" "tenants: migrate_schemas --shared failed"; }
tenants=(alpha beta)
tenants_exec backend python manage.py shell -c "
from django.db import connection
from tenants.models import Client, Domain
for schema in '${tenants[*]}'.split():
    tenant = Client.objects.create(schema_name=schema, name=schema.title())
    connection.cursor().execute(f'CREATE SCHEMA {schema}')  # empty: migrate_schemas --tenant fills it
    Domain.objects.create(domain=f'{schema}.shop.example.com', tenant=tenant, is_primary=True)
" >"$work/tenants-create.log" 2>&1 || { cat "$work/tenants-create.log" >&2; die "$P" "tenants: creating the tenants and their empty schemas failed"; }
tenants_exec backend python manage.py migrate_schemas --tenant --noinput >"$work/tenants-migrate.log" 2>&1 \
  || { cat "$work/tenants-migrate.log" >&2; die "$P" "tenants: migrate_schemas --tenant failed"; }
check=()
for schema in "${tenants[@]}"; do
  grep -q "standard:$schema\]   Applying shop.0001_initial... OK" "$work/tenants-migrate.log" \
    || { cat "$work/tenants-migrate.log" >&2; die "$P" "tenants: migrate_schemas --tenant did not migrate the schema $schema"; }
  tenants_exec --env DJANGO_SUPERUSER_PASSWORD="pw-$schema-$$" backend python manage.py tenant_command createsuperuser \
    --schema="$schema" --noinput --username "user-$schema" --email "user@$schema.example.com" >>"$work/tenants-create.log" 2>&1 \
    || { cat "$work/tenants-create.log" >&2; die "$P" "tenants: createsuperuser in $schema failed"; }
  check+=("$schema:$schema.shop.example.com:user-$schema:pw-$schema-$$")
done
log "$P" "ok: tenants: migrate_schemas --shared, then --tenant migrated the schemas ${tenants[*]}"
tenants_exec --env TENANTS_CHECK="$(IFS=,; echo "${check[*]}")" backend python manage.py shell \
  -c "exec(open('/dev/stdin').read())" <"$IMAGES_DIR/tenants_check.py" >"$work/tenants-check.log" 2>&1 \
  || { cat "$work/tenants-check.log" >&2; die "$P" "tenants: a tenant's request or task saw another schema's data (hack/images/tenants_check.py)"; }
while read -r line; do log "$P" "ok: $line"; done < <(grep '^tenants: ' "$work/tenants-check.log")
stop edge
stop backend
stop worker-default

timed "Picvario's frontend and stand-ins" bash "$IMAGES_DIR/picvario-frontend-and-stand-ins-check.sh" "$work/built"
timed "picvario backend" bash "$IMAGES_DIR/picvario-backend-check.sh" "$work" "$netns" "$runc_root" "$pg_bin" "$PG_ADDR"

log "$P" "all passed"
