#!/usr/bin/env bash
# Picvario's backend image (defs/picvario-backend.sh), checked in the pods' network test.sh set up:
#
#   hack/images/picvario-backend-check.sh <work dir> <netns> <runc root> <PostgreSQL bin dir> <PostgreSQL address>
#
# Picvario's render (src/picvario/, its production environment, rendered into <work dir>) names the image;
# the built one is taken from its OCI layout (test.sh's registry serves the shop's renders only), and the
# render's backend container runs under runc as the shop's do (pod.js: gunicorn picvario.wsgi:application, uid
# 10001, read-only root, /tmp an emptyDir), with the render's environment: DJANGO_SETTINGS_MODULE=
# picvario.settings.kubernetes and an amqp:// broker URL on a test host where nothing listens. In it:
#   - gunicorn answers /healthz/live with 200;
#   - python manage.py check passes;
#   - the render's migrate Job commands (migrate_schemas --shared, then --tenant) run on a database of their own;
#   - hack/images/picvario_backend_check.py: picvario.wsgi and picvario.celery import; every queue of the render's
#     workers is consumed; the shop's tasks route to the default queue (or another a worker consumes); the
#     worker and beat heartbeats are installed; the readiness check reaches the broker by kombu's amqp transport.
# Prints one line with what passed. Every wait is bounded; the container is deleted on the way out.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=test-images-picvario
cd "$REPO_ROOT"

[ $# = 5 ] || die "$P" "usage: picvario-backend-check.sh <work dir> <netns> <runc root> <PostgreSQL bin dir> <PostgreSQL address>; got $# arguments"
work=$1 netns=$2 runc_root=$3 pg_bin=$4 pg_addr=$5
# Picvario's broker is RabbitMQ: its test host, on the pods' loopback, with nothing listening on 5672.
BROKER_ADDR=203.0.113.13
dir="$work/picvario"
container=picvario-backend
mkdir -p "$dir"
cleanup() { runc --root "$runc_root" delete --force "$container" >/dev/null 2>&1 || true; }
trap cleanup EXIT

CDK8S_OUTDIR="$dir/render" node lib/picvario/main.js >"$dir/render.log" 2>&1 \
  || { cat "$dir/render.log" >&2; die "$P" "rendering Picvario (node lib/picvario/main.js) failed"; }
render="$dir/render/production"
ref=$(node "$IMAGES_DIR/pod.js" images "$render" | grep '/picvario/backend:' | head -1) || true
[ -n "$ref" ] || die "$P" "Picvario's render names no */picvario/backend:<tag> image in $render"
layout=$(awk -v repo="${ref%:*}" '$1 == repo { print $2 }' "$work/built")
[ -n "$layout" ] || die "$P" "no definition in hack/images/defs/ builds ${ref%:*}, which Picvario's render names"
# The image shares every layer but its app layer with the shop's (defs/picvario-backend.sh: the shop's
# wheels), which test.sh has unpacked: its root filesystem, hard-linked, with the app layer in place of the
# shop's /app, is the image's, and takes a second where unpacking the whole image takes 5-15.
manifest_layers() { # <layout>: the layer digests of its image, one a line, in order
  local manifest
  manifest=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$1/index.json" | head -1 | cut -d'"' -f4)
  python3 -c 'import json, sys; print("\n".join(layer["digest"] for layer in json.load(open(sys.argv[1]))["layers"]))' \
    "$1/blobs/sha256/${manifest#sha256:}"
}
shop_repository=$(source "$IMAGES_DIR/defs/shop-api.sh" && echo "$IMAGE_REPOSITORY")
shop_layout=$(awk -v repo="$shop_repository" '$1 == repo { print $2 }' "$work/built")
shop_rootfs="$work/images/app/rootfs"
if [ -z "$shop_layout" ] || [ ! -d "$shop_rootfs" ]; then
  die "$P" "the shop's image ($shop_repository) is not built and unpacked in $work (test.sh does both first)"
fi
mapfile -t layers < <(manifest_layers "$layout")
mapfile -t shop_layers < <(manifest_layers "$shop_layout")
[ "${layers[*]:0:${#layers[@]}-1}" = "${shop_layers[*]:0:${#shop_layers[@]}-1}" ] \
  || die "$P" "${ref%:*} does not share the shop's layers but its app layer (ours: ${layers[*]}; the shop's: ${shop_layers[*]}); defs/picvario-backend.sh must install the shop's requirements"
mkdir -p "$dir/image"
cp -al "$shop_rootfs" "$dir/image/rootfs"
rm -rf "$dir/image/rootfs/app"
tar -C "$dir/image/rootfs" -xzf "$layout/blobs/sha256/${layers[-1]#sha256:}"
umoci raw runtime-config --image "$layout:image" --rootfs "$dir/image/rootfs" "$dir/image/config.json"

ip -n "$netns" addr add "$BROKER_ADDR/32" dev lo
ip netns exec "$netns" "$pg_bin/createdb" -h "$pg_addr" -p 5432 -U shop picvario || die "$P" "createdb picvario failed"
cat >"$dir/values.json" <<JSON
{
  "secrets": {
    "picvario-app/database-url": "postgres://shop:unused@$pg_addr:5432/picvario",
    "picvario-app/secret-key": "images-suite-picvario-$$-not-a-real-secret",
    "picvario-app/cache-url": "redis://203.0.113.11:6379/2",
    "picvario-app/search-username": "picvario",
    "picvario-app/search-password": "images-suite-not-a-real-password",
    "picvario-broker/broker-url": "amqp://picvario:images-suite@$BROKER_ADDR:5672/picvario"
  },
  "hosts": "127.0.0.1 localhost backend\n"
}
JSON
node "$IMAGES_DIR/pod.js" bundle "$render/backend.yaml" backend backend "$dir/image" "$dir/bundle" \
  "/var/run/netns/$netns" "$dir/values.json"
runc --root "$runc_root" run --detach --bundle "$dir/bundle" "$container" </dev/null >"$dir/log" 2>&1 \
  || { cat "$dir/log" >&2; die "$P" "runc run of Picvario's backend failed"; }
in_backend() { runc --root "$runc_root" exec "$@"; }
failed() { log "$P" "log of the backend:"; tail -n 40 "$dir/log" >&2; die "$P" "$1"; }

live=000
for _ in $(seq 60); do # up to 30 s
  live=$(ip netns exec "$netns" curl -s -m 2 -o /dev/null -w '%{http_code}' -H 'Host: localhost' http://127.0.0.1:8000/healthz/live || true)
  [ "$live" != 200 ] || break
  sleep 0.5
done
[ "$live" = 200 ] || failed "gunicorn picvario.wsgi:application did not answer /healthz/live with 200 within 30 s (last: $live)"

in_backend "$container" python manage.py check >"$dir/check.log" 2>&1 || { cat "$dir/check.log" >&2; failed "python manage.py check failed"; }
grep -q 'System check identified no issues' "$dir/check.log" || { cat "$dir/check.log" >&2; failed "python manage.py check reported issues"; }

# The migrate Job's commands, its init container's first, each in the backend's container (same image and env).
mapfile -t migrations < <(node -e '
  const YAML = require("yaml"); const fs = require("fs");
  const job = YAML.parseAllDocuments(fs.readFileSync(process.argv[1], "utf8")).map((d) => d.toJS())
    .find((d) => d && d.kind === "Job" && d.metadata.name === "migrate");
  const spec = job.spec.template.spec;
  for (const c of [...(spec.initContainers || []), ...spec.containers]) console.log(c.command.join(" "));
' "$render/migrate.yaml")
[ ${#migrations[@]} = 2 ] || die "$P" "Picvario's migrate Job has ${#migrations[@]} commands (${migrations[*]}); expected migrate_schemas --shared, then --tenant"
for migration in "${migrations[@]}"; do
  # shellcheck disable=SC2086 # (the render's command, as words)
  timeout 120 runc --root "$runc_root" exec "$container" $migration >>"$dir/migrate.log" 2>&1 \
    || { cat "$dir/migrate.log" >&2; failed "the migrate Job's '$migration' failed"; }
done
grep -q '\[standard:public\] .*Applying tenants.0001_initial... OK' "$dir/migrate.log" \
  || { cat "$dir/migrate.log" >&2; failed "migrate_schemas --shared did not create the tenants' tables in the public schema"; }

queues=$(grep -hos -- '--queues=[a-z-]*' "$render"/worker-*.yaml | cut -d= -f2 | sort -u | paste -sd,)
worker_file=$(sed -n '/- name: CELERY_WORKER_HEARTBEAT_FILE$/{n;s/^ *value: //p;q}' "$render/worker-default.yaml")
beat_file=$(sed -n '/- name: CELERY_BEAT_HEARTBEAT_FILE$/{n;s/^ *value: //p;q}' "$render/beat.yaml")
in_backend --env PICVARIO_QUEUES="$queues" --env CELERY_WORKER_HEARTBEAT_FILE="$worker_file" \
  --env CELERY_BEAT_HEARTBEAT_FILE="$beat_file" "$container" python - <"$IMAGES_DIR/picvario_backend_check.py" >"$dir/celery.log" 2>&1 \
  || { cat "$dir/celery.log" >&2; failed "hack/images/picvario_backend_check.py failed"; }
grep '^picvario: ' "$dir/celery.log" | while read -r line; do log "$P" "ok: ${line#picvario: }"; done
log "$P" "ok: Picvario's backend ($ref): gunicorn picvario.wsgi answers, manage.py check passes, migrate_schemas --shared and --tenant ran, picvario.celery consumes the queues $queues with the heartbeats, on amqp://"
