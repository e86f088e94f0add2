#!/usr/bin/env bash
# The shop suite's test hosts and registry, around a command (test.sh runs it inside start.sh with
# CP_WITH_NODES=1, so the nodes' bridge 198.18.0.1 exists):
#
#   CP_REGISTRY=198.18.0.1:<port> hack/control-plane/shop-hosts.sh -- <command...>
#
# 1. The registry (hack/images/registry.sh) on $CP_REGISTRY, with the shop's images built
#    (hack/images/build.sh, cached) and pushed under every reference of examples/shop/dist/manifests
#    (rendered first when missing); the suite environment uses staging's release, so its references
#    are among them.
# 2. The addresses of the suite environment's external services (examples/shop/app.ts,
#    SUITE_ENVIRONMENT), all in 203.0.113.0/24 (RFC 5737), on the host side of the nodes' bridge
#    (pcp-br0, so they go with it), which the nodes route to the host (nodes.sh, TEST_HOSTS_CIDR).
#    On the bridge rather than a dummy interface: the machine's kernel may lack the dummy module.
#      203.0.113.10:5432  PostgreSQL 15 (Debian's), database and user "shop", a password
#      203.0.113.11:6379  redis-server without a password: the shop's broker names only redis-address,
#                         which KEDA's Redis scaler reads as host:port (a password in the address, which
#                         Celery's URL would take, makes the real KEDA fail to connect)
#      203.0.113.12:7070  versitygw (S3), from hack/kit/install.sh, with the buckets of SHOP_S3_BUCKETS,
#                         SHOP_S3_STATIC_BUCKET public-read
#    The same hosts serve the bakery and recipes compose fixtures' imports (test/cluster/bakery.cluster.ts,
#    recipes.cluster.ts): for each, a database and user of its name, and the buckets <name>-media and
#    <name>-static (public-read).
#    And Picvario's suite environment (src/picvario/environments.ts, SUITE; test/cluster/picvario.cluster.ts):
#    a database and user "picvario", the buckets picvario-e2e-media and picvario-e2e-static (public-read),
#    Redis database 2 as its cache, and two more hosts:
#      203.0.113.13:5672  rabbitmq-server (Debian's), vhost and user "picvario" with a password: its broker
#      203.0.113.14:9200  its search Elasticsearch, and .15:9200 its statistics one: listeners that
#                         accept a connection and close it, nothing more (nothing in the suite's images
#                         talks to Elasticsearch; the suite's traffic probes connect to them)
#    And the devstack compose fixture's (test/cluster/devstack.cluster.ts): the buckets devstack-media and
#    devstack-static (public-read), a vhost and user "devstack" on the RabbitMQ above, and
#      203.0.113.16:3306  MariaDB (Debian's mariadb-server, 10.11), database and user "devstack" with a password
#    And the newsroom compose fixture's (test/cluster/newsroom.cluster.ts): a database and user "newsroom",
#    the buckets newsroom-media and newsroom-static (public-read), and
#      203.0.113.17:6379  a second redis-server, with a password (requirepass): its broker and its cache,
#                         as compose's Valkey was (--requirepass)
#    And the mediahub compose fixture's (test/cluster/mediahub.cluster.ts): a database and user "mediahub"
#    (django-tenants makes a schema per tenant in it), the buckets mediahub-media and mediahub-static
#    (public-read), and a vhost and user "mediahub" on the RabbitMQ above; its cache and Celery's results
#    are Redis databases 4 and 5 of the first redis-server.
# 3. The command, with SHOP_DATABASE_URL, SHOP_REDIS_ADDRESS (`203.0.113.11:6379`),
#    SHOP_S3_ENDPOINT, SHOP_S3_ACCESS_KEY, SHOP_S3_SECRET_KEY and SHOP_S3_BUCKETS set, and
#    BAKERY_DATABASE_URL and BAKERY_S3_BUCKETS, RECIPES_DATABASE_URL and RECIPES_S3_BUCKETS, PICVARIO_DATABASE_URL, PICVARIO_BROKER_URL,
#    PICVARIO_CACHE_URL and PICVARIO_S3_BUCKETS, DEVSTACK_DATABASE_URL (mysql://), DEVSTACK_BROKER_URL and
#    DEVSTACK_S3_BUCKETS, NEWSROOM_DATABASE_URL, NEWSROOM_REDIS_ADDRESS, NEWSROOM_REDIS_PASSWORD and
#    NEWSROOM_S3_BUCKETS, MEDIAHUB_DATABASE_URL, MEDIAHUB_BROKER_URL and MEDIAHUB_S3_BUCKETS; its exit code
#    is ours.
# Everything stops and the interface goes when the command ends or the script is interrupted.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# shellcheck source=../lib/s3.sh
source "$REPO_ROOT/hack/lib/s3.sh"
P=shop-hosts
IFACE=pcp-br0
PG_ADDR=203.0.113.10 REDIS_ADDR=203.0.113.11 S3_ADDR=203.0.113.12 S3_PORT=7070 RABBITMQ_ADDR=203.0.113.13
MARIADB_ADDR=203.0.113.16 PASSWORD_REDIS_ADDR=203.0.113.17
ADDRS=("$PG_ADDR" "$REDIS_ADDR" "$S3_ADDR" "$RABBITMQ_ADDR" 203.0.113.14 203.0.113.15 "$MARIADB_ADDR" "$PASSWORD_REDIS_ADDR")
RABBITMQ_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server

if [ "${1:-}" != -- ] || [ $# -lt 2 ]; then die "$P" "usage: shop-hosts.sh -- <command...>; got: $*"; fi
shift
[ "$(id -u)" = 0 ] || die "$P" "needs root (a network interface, PostgreSQL as the postgres user)"
[[ ${CP_REGISTRY:-} == 198.18.0.1:* ]] || die "$P" "CP_REGISTRY must be 198.18.0.1:<port> (the nodes' bridge); got '${CP_REGISTRY:-}'"
pg_bin=/usr/lib/postgresql/15/bin
for tool in "$pg_bin/initdb" "$pg_bin/postgres" "$pg_bin/pg_isready"; do
  [ -x "$tool" ] || die "$P" "PostgreSQL 15 is missing: no $tool (Debian package postgresql-15)"
done
command -v redis-server >/dev/null || die "$P" "redis-server is missing (Debian package redis-server)"
{ [ -x "$RABBITMQ_SERVER" ] && command -v epmd >/dev/null; } \
  || die "$P" "rabbitmq-server is missing: no $RABBITMQ_SERVER or epmd (Debian package rabbitmq-server; hack/control-plane/install.sh keda installs it)"
id postgres >/dev/null 2>&1 || die "$P" "the postgres user is missing (Debian package postgresql-15 creates it)"
for tool in /usr/sbin/mariadbd /usr/bin/mariadb-install-db /usr/bin/mariadb; do
  [ -x "$tool" ] || die "$P" "MariaDB is missing: no $tool (Debian package mariadb-server; hack/control-plane/test.sh installs it for the shop suite)"
done
id mysql >/dev/null 2>&1 || die "$P" "the mysql user is missing (Debian package mariadb-server creates it)"
# The series, not the release: Debian moves mariadb-server to each new 10.11 release (SHOP_HOSTS_DEBS).
mariadb_version=$(/usr/sbin/mariadbd --version)
[[ $mariadb_version == *" Ver 10.11."* ]] || die "$P" "MariaDB 10.11 expected (Debian 12's mariadb-server); got: $mariadb_version"
versitygw=$(bash "$REPO_ROOT/hack/kit/install.sh" | sed -n 's/^VERSITYGW_BIN=//p')
[ -x "$versitygw" ] || die "$P" "hack/kit/install.sh printed no versitygw binary; got '$versitygw'"

work=$(mktemp -d "${TMPDIR:-/tmp}/shop-hosts.XXXXXX")
pids=() pg_pid=''
# shellcheck disable=SC2317 # (called through the EXIT trap)
cleanup() {
  local pid i alive
  # PostgreSQL's fast shutdown (SIGINT): SIGTERM would wait for the pods' connections to close.
  [ -z "$pg_pid" ] || { pids+=("$pg_pid"); kill -INT "$pg_pid" 2>/dev/null || true; }
  for pid in "${pids[@]}"; do [ "$pid" = "$pg_pid" ] || kill "$pid" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    alive=()
    for pid in "${pids[@]}"; do ! kill -0 "$pid" 2>/dev/null || alive+=("$pid"); done
    [ ${#alive[@]} -gt 0 ] || break
    if [ "$i" = 50 ]; then
      log "$P" "servers ${alive[*]} did not stop within 10 s: SIGKILL"
      kill -KILL "${alive[@]}" 2>/dev/null || true
    fi
    sleep 0.2
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for a in "${ADDRS[@]}"; do ip addr del "$a/32" dev "$IFACE" 2>/dev/null || true; done
  if [ "${CP_KEEP_WORK:-}" = 1 ]; then log "$P" "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits (at most 30 s) until something accepts TCP connections on <ip> <port>.
wait_tcp() { # <ip> <port> <what> <log>
  local i
  for i in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    [ "$i" = 150 ] || sleep 0.2
  done
  cat "$4" >&2
  die "$P" "$3 did not listen on $1:$2 within 30 s (its log above)"
}

# --- the registry ---------------------------------------------------------------------------
cd "$REPO_ROOT"
if [ ! -d examples/shop/dist/manifests ]; then
  log "$P" "examples/shop/dist/manifests is missing: running npm run render:examples"
  npm run render:examples >/dev/null || die "$P" "npm run render:examples failed"
fi
bash "$REPO_ROOT/hack/images/build.sh" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "$P" "build.sh failed (above)"; }
bash "$REPO_ROOT/hack/images/registry.sh" "$CP_REGISTRY" "$work/registry" >"$work/registry.log" 2>&1 &
pids+=($!)
wait_tcp "${CP_REGISTRY%:*}" "${CP_REGISTRY##*:}" registry "$work/registry.log"
bash "$REPO_ROOT/hack/images/push.sh" "$CP_REGISTRY" examples/shop/dist/manifests >"$work/push.log" 2>&1 \
  || { cat "$work/push.log" >&2; die "$P" "push.sh failed (above)"; }
log "$P" "registry on $CP_REGISTRY: $(wc -l <"$work/push.log") references pushed and resolved"

# --- the addresses ----------------------------------------------------------------------------
ip link show "$IFACE" >/dev/null 2>&1 || die "$P" "the nodes' bridge $IFACE is missing (run inside start.sh with CP_WITH_NODES=1)"
for a in "${ADDRS[@]}"; do ip addr add "$a/32" dev "$IFACE"; done

secret() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

# --- PostgreSQL 15 ----------------------------------------------------------------------------
pg_password=$(secret)
chmod 711 "$work" # the postgres user passes through to its folders, and sees nothing else
install -d -m 700 -o postgres "$work/pg" "$work/pg-socket"
(umask 077 && printf '%s\n' "$pg_password" >"$work/pg/password") && chown postgres "$work/pg/password"
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U shop --pwfile="$work/pg/password" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --no-sync >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; die "$P" "initdb failed (above)"; }
# The pods reach it from the nodes' pod CIDRs (198.18.0.0/16), with the password only.
printf '%s\n' 'local all all trust' 'host shop shop 198.18.0.0/16 scram-sha-256' 'host bakery bakery 198.18.0.0/16 scram-sha-256' \
  'host recipes recipes 198.18.0.0/16 scram-sha-256' 'host picvario picvario 198.18.0.0/16 scram-sha-256' \
  'host newsroom newsroom 198.18.0.0/16 scram-sha-256' 'host mediahub mediahub 198.18.0.0/16 scram-sha-256' \
  >"$work/pg/data/pg_hba.conf"
setpriv --reuid=postgres --regid=postgres --init-groups "$pg_bin/postgres" -D "$work/pg/data" -c listen_addresses="$PG_ADDR" -p 5432 -k "$work/pg-socket" \
  -c fsync=off -c full_page_writes=off >"$work/postgres.log" 2>&1 &
pg_pid=$!
wait_tcp "$PG_ADDR" 5432 PostgreSQL "$work/postgres.log"
as_pg "$pg_bin/createdb" -h "$work/pg-socket" -U shop shop || die "$P" "createdb shop failed"
# The bakery's database and user (its compose file's postgres://bakery:...@db:5432/bakery).
bakery_pg_password=$(secret)
# (On stdin: psql interpolates :'password', quoted, there and not in -c.)
as_pg "$pg_bin/psql" -q -h "$work/pg-socket" -U shop -d shop -v ON_ERROR_STOP=1 -v password="$bakery_pg_password" \
  <<<"CREATE ROLE bakery LOGIN PASSWORD :'password';" || die "$P" "CREATE ROLE bakery failed"
as_pg "$pg_bin/createdb" -h "$work/pg-socket" -U shop -O bakery bakery || die "$P" "createdb bakery failed"
# The recipes compose fixture's (test/cluster/recipes.cluster.ts; its compose file's database is a
# PostgreSQL it builds, reached through POSTGRES_* variables).
recipes_pg_password=$(secret)
as_pg "$pg_bin/psql" -q -h "$work/pg-socket" -U shop -d shop -v ON_ERROR_STOP=1 -v password="$recipes_pg_password" \
  <<<"CREATE ROLE recipes LOGIN PASSWORD :'password';" || die "$P" "CREATE ROLE recipes failed"
as_pg "$pg_bin/createdb" -h "$work/pg-socket" -U shop -O recipes recipes || die "$P" "createdb recipes failed"
# Picvario's (its suite environment's database-url; django-tenants makes a schema per tenant in it).
picvario_pg_password=$(secret)
as_pg "$pg_bin/psql" -q -h "$work/pg-socket" -U shop -d shop -v ON_ERROR_STOP=1 -v password="$picvario_pg_password" \
  <<<"CREATE ROLE picvario LOGIN PASSWORD :'password';" || die "$P" "CREATE ROLE picvario failed"
as_pg "$pg_bin/createdb" -h "$work/pg-socket" -U shop -O picvario picvario || die "$P" "createdb picvario failed"
# The newsroom compose fixture's (test/cluster/newsroom.cluster.ts; its compose file's PostGIS read its
# password from a file, and the app now reads the chart's DATABASE_URL).
newsroom_pg_password=$(secret)
as_pg "$pg_bin/psql" -q -h "$work/pg-socket" -U shop -d shop -v ON_ERROR_STOP=1 -v password="$newsroom_pg_password" \
  <<<"CREATE ROLE newsroom LOGIN PASSWORD :'password';" || die "$P" "CREATE ROLE newsroom failed"
as_pg "$pg_bin/createdb" -h "$work/pg-socket" -U shop -O newsroom newsroom || die "$P" "createdb newsroom failed"
# The mediahub compose fixture's (test/cluster/mediahub.cluster.ts; its migration makes its tenants' schemas).
mediahub_pg_password=$(secret)
as_pg "$pg_bin/psql" -q -h "$work/pg-socket" -U shop -d shop -v ON_ERROR_STOP=1 -v password="$mediahub_pg_password" \
  <<<"CREATE ROLE mediahub LOGIN PASSWORD :'password';" || die "$P" "CREATE ROLE mediahub failed"
as_pg "$pg_bin/createdb" -h "$work/pg-socket" -U shop -O mediahub mediahub || die "$P" "createdb mediahub failed"

# --- MariaDB (the devstack fixture's database) -------------------------------------------------------
# Its own data folder and socket, as the mysql user; TCP on the test host only. The user may connect from
# the nodes' pod CIDRs (198.18.0.0/16) with its password; root only through the socket.
devstack_db_password=$(secret)
install -d -m 700 -o mysql "$work/mariadb" "$work/mariadb-run"
runuser -u mysql -- /usr/bin/mariadb-install-db --no-defaults --datadir="$work/mariadb/data" --auth-root-authentication-method=socket \
  --skip-test-db --skip-name-resolve >"$work/mariadb-install.log" 2>&1 || { cat "$work/mariadb-install.log" >&2; die "$P" "mariadb-install-db failed (above)"; }
setpriv --reuid=mysql --regid=mysql --init-groups /usr/sbin/mariadbd --no-defaults --datadir="$work/mariadb/data" \
  --bind-address="$MARIADB_ADDR" --port=3306 --socket="$work/mariadb-run/mysqld.sock" --pid-file="$work/mariadb-run/mysqld.pid" \
  --skip-name-resolve --skip-log-bin --innodb-flush-log-at-trx-commit=0 >"$work/mariadb.log" 2>&1 &
pids+=($!)
wait_tcp "$MARIADB_ADDR" 3306 MariaDB "$work/mariadb.log"
# (The password on stdin, never on a command line.)
/usr/bin/mariadb --no-defaults -S "$work/mariadb-run/mysqld.sock" -u root <<<"CREATE DATABASE devstack CHARACTER SET utf8mb4;
CREATE USER 'devstack'@'198.18.%' IDENTIFIED BY '$devstack_db_password';
GRANT ALL PRIVILEGES ON devstack.* TO 'devstack'@'198.18.%';" || die "$P" "creating the devstack database and user in MariaDB failed"

# --- redis-server -----------------------------------------------------------------------------
mkdir "$work/redis"
# Protected mode refuses clients from other hosts to a Redis without a password; the pods are such clients.
redis-server --bind "$REDIS_ADDR" --port 6379 --protected-mode no --save '' --appendonly no \
  --dir "$work/redis" >"$work/redis.log" 2>&1 &
pids+=($!)
wait_tcp "$REDIS_ADDR" 6379 redis-server "$work/redis.log"
# The newsroom's, with a password: in its config file (mode 600), never on a command line.
newsroom_redis_password=$(secret)
mkdir "$work/redis-password"
(umask 077 && printf 'requirepass %s\n' "$newsroom_redis_password" >"$work/redis-password/redis.conf")
redis-server "$work/redis-password/redis.conf" --bind "$PASSWORD_REDIS_ADDR" --port 6379 --save '' --appendonly no \
  --dir "$work/redis-password" >"$work/redis-password.log" 2>&1 &
pids+=($!)
wait_tcp "$PASSWORD_REDIS_ADDR" 6379 "redis-server (with a password)" "$work/redis-password.log"

# --- rabbitmq-server ------------------------------------------------------------------------------
# Without its package service: its own epmd port and node on loopback (free ports), AMQP on the test
# host only, the vhosts and users (Picvario's, devstack's, mediahub's) from a definitions file it loads at boot
# (the guest user only works from loopback; with definitions, RabbitMQ seeds no default user).
rabbitmq_password=$(secret) devstack_rabbitmq_password=$(secret) mediahub_rabbitmq_password=$(secret)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir "$work/rabbitmq"
# RabbitMQ's password hash: base64 of a 4-byte salt and SHA-256 of the salt and the password. (The
# passwords on stdin, never on a command line.)
printf '%s\n%s\n%s\n' "$rabbitmq_password" "$devstack_rabbitmq_password" "$mediahub_rabbitmq_password" | python3 -c '
import base64, hashlib, json, os, sys
def user(name, password):
    salt = os.urandom(4)
    digest = base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()
    return {"name": name, "password_hash": digest, "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
passwords = dict(zip(["picvario", "devstack", "mediahub"], sys.stdin.read().split()))
json.dump({
    "users": [user(name, password) for name, password in passwords.items()],
    "vhosts": [{"name": name} for name in passwords],
    "permissions": [{"user": name, "vhost": name, "configure": ".*", "write": ".*", "read": ".*"} for name in passwords],
}, open(sys.argv[1], "w"))
' "$work/rabbitmq/definitions.json"
printf '%s\n' "listeners.tcp.default = $RABBITMQ_ADDR:5672" "loopback_users = none" \
  "definitions.import_backend = local_filesystem" "definitions.local.path = $work/rabbitmq/definitions.json" \
  >"$work/rabbitmq/rabbitmq.conf"
printf '[].\n' >"$work/rabbitmq/enabled_plugins"
# An epmd of our own, in the foreground on its own loopback port (one that rabbitmq-server started
# would daemonize and stay behind).
epmd_port=$(free_port)
epmd -port "$epmd_port" -address 127.0.0.1 >"$work/epmd.log" 2>&1 &
pids+=($!)
wait_tcp 127.0.0.1 "$epmd_port" epmd "$work/epmd.log"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME="$work/rabbitmq" \
  ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME="shop-hosts-$$@localhost" \
  RABBITMQ_DIST_PORT="$(free_port)" RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
  RABBITMQ_MNESIA_BASE="$work/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$work/rabbitmq/log" RABBITMQ_LOGS=- \
  RABBITMQ_PID_FILE="$work/rabbitmq/rabbitmq.pid" RABBITMQ_ENABLED_PLUGINS_FILE="$work/rabbitmq/enabled_plugins" \
  RABBITMQ_CONFIG_FILE="$work/rabbitmq/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$work/rabbitmq/advanced.config" \
  RABBITMQ_CONF_ENV_FILE="$work/rabbitmq/rabbitmq-env.conf" \
  "$RABBITMQ_SERVER" >"$work/rabbitmq.log" 2>&1 &
pids+=($!)
# (Waited for below, with the others: its Erlang VM takes the longest to start.)

# --- the Elasticsearch addresses: accept, then close ----------------------------------------------
for es_addr in 203.0.113.14 203.0.113.15; do
  python3 -c '
import socket, sys
s = socket.create_server((sys.argv[1], 9200))
while True:
    s.accept()[0].close()
' "$es_addr" >"$work/es-$es_addr.log" 2>&1 &
  pids+=($!)
done

# --- versitygw (S3) ---------------------------------------------------------------------------
s3_access=shop-$RANDOM$RANDOM s3_secret=$(secret)
# The suite environment's buckets (examples/shop/app.ts: shop-<environment>-media and -static); the suite
# checks that the render names no other. In versitygw's posix backend a bucket is a folder of its root.
SHOP_S3_BUCKETS=${SHOP_S3_BUCKETS:-shop-e2e-media shop-e2e-static}
SHOP_S3_STATIC_BUCKET=${SHOP_S3_STATIC_BUCKET:-shop-e2e-static}
case " $SHOP_S3_BUCKETS " in *" $SHOP_S3_STATIC_BUCKET "*) ;; *) die "$P" "SHOP_S3_STATIC_BUCKET $SHOP_S3_STATIC_BUCKET is not among SHOP_S3_BUCKETS ($SHOP_S3_BUCKETS)" ;; esac
BAKERY_S3_BUCKETS="bakery-media bakery-static"
RECIPES_S3_BUCKETS="recipes-media recipes-static"
PICVARIO_S3_BUCKETS="picvario-e2e-media picvario-e2e-static"
DEVSTACK_S3_BUCKETS="devstack-media devstack-static"
NEWSROOM_S3_BUCKETS="newsroom-media newsroom-static"
MEDIAHUB_S3_BUCKETS="mediahub-media mediahub-static"
mkdir "$work/s3"
for bucket in $SHOP_S3_BUCKETS $BAKERY_S3_BUCKETS $RECIPES_S3_BUCKETS $PICVARIO_S3_BUCKETS $DEVSTACK_S3_BUCKETS $NEWSROOM_S3_BUCKETS $MEDIAHUB_S3_BUCKETS; do mkdir "$work/s3/$bucket"; done
"$versitygw" --access "$s3_access" --secret "$s3_secret" --region eu-west-1 --port "$S3_ADDR:$S3_PORT" posix "$work/s3" \
  >"$work/versitygw.log" 2>&1 &
pids+=($!)
wait_tcp "$S3_ADDR" "$S3_PORT" versitygw "$work/versitygw.log"
s3_public_read "http://$S3_ADDR:$S3_PORT" "$s3_access" "$s3_secret" "$SHOP_S3_STATIC_BUCKET" \
  || die "$P" "versitygw refused the public-read policy of $SHOP_S3_STATIC_BUCKET"
for bucket in bakery-static recipes-static devstack-static newsroom-static mediahub-static; do
  s3_public_read "http://$S3_ADDR:$S3_PORT" "$s3_access" "$s3_secret" "$bucket" \
    || die "$P" "versitygw refused the public-read policy of $bucket"
done
s3_public_read "http://$S3_ADDR:$S3_PORT" "$s3_access" "$s3_secret" picvario-e2e-static \
  || die "$P" "versitygw refused the public-read policy of picvario-e2e-static"
wait_tcp "$RABBITMQ_ADDR" 5672 rabbitmq-server "$work/rabbitmq.log"
for es_addr in 203.0.113.14 203.0.113.15; do wait_tcp "$es_addr" 9200 "the Elasticsearch listener" "$work/es-$es_addr.log"; done
log "$P" "PostgreSQL $PG_ADDR:5432, redis-server $REDIS_ADDR:6379 and $PASSWORD_REDIS_ADDR:6379, versitygw $S3_ADDR:$S3_PORT, rabbitmq-server $RABBITMQ_ADDR:5672, MariaDB $MARIADB_ADDR:3306 (on $IFACE)"

export SHOP_DATABASE_URL="postgres://shop:$pg_password@$PG_ADDR:5432/shop"
export SHOP_REDIS_ADDRESS="$REDIS_ADDR:6379"
export SHOP_S3_ENDPOINT="http://$S3_ADDR:$S3_PORT" SHOP_S3_ACCESS_KEY=$s3_access SHOP_S3_SECRET_KEY=$s3_secret SHOP_S3_BUCKETS
export BAKERY_DATABASE_URL="postgres://bakery:$bakery_pg_password@$PG_ADDR:5432/bakery" BAKERY_S3_BUCKETS
export RECIPES_DATABASE_URL="postgres://recipes:$recipes_pg_password@$PG_ADDR:5432/recipes" RECIPES_S3_BUCKETS
export PICVARIO_DATABASE_URL="postgres://picvario:$picvario_pg_password@$PG_ADDR:5432/picvario" PICVARIO_S3_BUCKETS
export PICVARIO_BROKER_URL="amqp://picvario:$rabbitmq_password@$RABBITMQ_ADDR:5672/picvario"
export PICVARIO_CACHE_URL="redis://$REDIS_ADDR:6379/2"
export DEVSTACK_DATABASE_URL="mysql://devstack:$devstack_db_password@$MARIADB_ADDR:3306/devstack" DEVSTACK_S3_BUCKETS
export DEVSTACK_BROKER_URL="amqp://devstack:$devstack_rabbitmq_password@$RABBITMQ_ADDR:5672/devstack"
export NEWSROOM_DATABASE_URL="postgres://newsroom:$newsroom_pg_password@$PG_ADDR:5432/newsroom" NEWSROOM_S3_BUCKETS
export NEWSROOM_REDIS_ADDRESS="$PASSWORD_REDIS_ADDR:6379" NEWSROOM_REDIS_PASSWORD=$newsroom_redis_password
export MEDIAHUB_DATABASE_URL="postgres://mediahub:$mediahub_pg_password@$PG_ADDR:5432/mediahub" MEDIAHUB_S3_BUCKETS
export MEDIAHUB_BROKER_URL="amqp://mediahub:$mediahub_rabbitmq_password@$RABBITMQ_ADDR:5672/mediahub"
# In the background with `wait`, so that INT/TERM (start.sh stopping its command) run the cleanup at
# once rather than after the command ends: start.sh KILLs what has not stopped 15 s after its TERM,
# and servers left behind by a cleanup cut short kept the real nodes' lock (the next start waited).
"$@" <&0 &
pids+=($!)
rc=0
wait "${pids[-1]}" || rc=$?
exit "$rc"
