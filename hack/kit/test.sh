#!/usr/bin/env bash
# The app-side kit's suite (`npm run test:kit`): pytest with pytest-django over test/kit/, against
#   - a throwaway PostgreSQL 15 cluster (Debian's postgresql-15: initdb + pg_ctl, as the postgres user
#     when run as root), listening on 127.0.0.1 and a free port, and
#   - versitygw, an S3-compatible server, with its posix backend in a temporary folder, on 127.0.0.1 and a
#     free port, and
#   - redis-server with a password, the broker the readiness check reaches, on 127.0.0.1 and a free port,
# both started here and removed on exit, whatever the outcome (KIT_PG_BIN names another PostgreSQL 15
# bin/ folder). hack/kit/install.sh provides the venv, the kit's wheel and versitygw. Extra arguments go to pytest (e.g. -k uploads). Fails, naming it, when
# PostgreSQL or versitygw is missing or does not start.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
P=test:kit

installed=$(hack/kit/install.sh) || die "$P" "hack/kit/install.sh failed (above)"
venv=$(sed -n 's/^KIT_VENV=//p' <<<"$installed")
versitygw=$(sed -n 's/^VERSITYGW_BIN=//p' <<<"$installed")
pg_bin=${KIT_PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl postgres; do
  [ -x "$pg_bin/$tool" ] || die "$P" "PostgreSQL 15 is missing: no $pg_bin/$tool (Debian package postgresql-15)"
done
[ -x "$versitygw" ] || die "$P" "the S3 server is missing: no versitygw at '$versitygw' (hack/kit/install.sh builds it)"
[ -x "$venv/bin/pytest" ] || die "$P" "pytest is missing from the venv '$venv' (hack/kit/install.sh installs it)"

work=$(mktemp -d)
chmod 755 "$work"
pg_pid_file=
s3_pid=
redis_pid=
cleanup() {
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  if [ -n "$pg_pid_file" ]; then as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ -n "$s3_pid" ]; then kill "$s3_pid" 2>/dev/null || true; wait "$s3_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "$P" "running as root needs the postgres user (Debian package postgresql-15 creates it)"
  as_pg() { runuser -u postgres -- "$@"; }
  install -d -o postgres "$work/pg" "$work/pg-socket"
else
  as_pg() { "$@"; }
  mkdir "$work/pg" "$work/pg-socket"
fi
free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port <port> <what> <log>: until 127.0.0.1:<port> accepts a connection, 20 s at most.
wait_port() {
  "$venv/bin/python" - "$1" <<'PY' || { cat "$3" >&2 2>/dev/null; die "$P" "$2 did not listen on 127.0.0.1:$1 within 20 s (its log above)"; }
import socket, sys, time
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

pg_port=$(free_port)
as_pg "$pg_bin/initdb" -D "$work/pg" -U kit --auth=trust -E UTF8 --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; die "$P" "initdb failed (above)"; }
pg_pid_file="$work/pg/postmaster.pid"
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg-socket/postgres.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg-socket -c fsync=off -c full_page_writes=off" start >/dev/null \
  || { cat "$work/pg-socket/postgres.log" >&2; die "$P" "PostgreSQL did not start (its log above)"; }
log "$P" "PostgreSQL $("$pg_bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$pg_port"

s3_port=$(free_port)
mkdir "$work/s3"
access=kit-$RANDOM$RANDOM
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
"$versitygw" --access "$access" --secret "$secret" --region us-east-1 --port "127.0.0.1:$s3_port" posix "$work/s3" \
  >"$work/versitygw.log" 2>&1 &
s3_pid=$!
wait_port "$s3_port" versitygw "$work/versitygw.log"
log "$P" "versitygw on 127.0.0.1:$s3_port ($work/s3)"

redis_port=$(free_port)
redis_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
mkdir "$work/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --requirepass "$redis_password" --save '' --appendonly no \
  --dir "$work/redis" >"$work/redis.log" 2>&1 &
redis_pid=$!
wait_port "$redis_port" redis-server "$work/redis.log"
log "$P" "redis-server on 127.0.0.1:$redis_port"

export DJANGO_SECRET_KEY=kit-test-$RANDOM$RANDOM
export DATABASE_URL="postgres://kit@127.0.0.1:$pg_port/kit"
export AWS_STORAGE_BUCKET_NAME=media AWS_S3_REGION_NAME=us-east-1 AWS_S3_ENDPOINT_URL="http://127.0.0.1:$s3_port"
export DJANGO_STATIC_BUCKET=static STATIC_URL=/static/
export AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret
# As BROKER_ENV renders a Redis broker: the password beside the URL.
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/0" CELERY_BROKER_PASSWORD=$redis_password
export PYTHONPATH="$REPO_ROOT/test/kit" PYTHONDONTWRITEBYTECODE=1
cd test/kit
# Bounded: a hung request must not hold CI (the whole suite takes about 10 s).
timeout --kill-after=30 600 "$venv/bin/pytest" "$@"
