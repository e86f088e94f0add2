#!/usr/bin/env bash
# Installs what `npm run test:kit` (the app-side kit's suite, test/kit/) needs, idempotently:
#   - Debian's postgresql-15 and redis-server (through apt_ensure; their services are never left running:
#     the suite starts a throwaway cluster and server of its own on free loopback ports).
#   - A Python virtual environment with Django, Celery, boto3, psycopg, pytest and pytest-django at the
#     versions pinned with hashes in hack/kit/requirements.txt, in $CACHE_ROOT/kit-venv (override with
#     KIT_VENV), rebuilt only when the requirements or the interpreter change (hack/lib/python.sh).
#   - contrib/django built into a wheel (from a copy, without build isolation: no unpinned download) and
#     installed into that venv; rebuilt whenever its files change.
#   - versitygw, the S3-compatible server the upload tests run, built from the pinned Go module in
#     versitygw/ into $CACHE_ROOT/kit/bin/versitygw-<hash>/ (the hash covers go.mod, go.sum, the Go version
#     and the build flags), counted only with its .complete marker.
# A lock keeps two installs from building at once. Warm, it takes well under a second. Prints
# KIT_VENV=<path> and VERSITYGW_BIN=<path> as its last lines; exits non-zero naming what is missing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/hack/lib/python.sh"
cd "$REPO_ROOT"
here=hack/kit
P=kit-install
VERSITYGW_MODULE=github.com/versity/versitygw
VERSITYGW_VERSION=v1.8.0
LDFLAGS="-s -w"
kit_cache="$CACHE_ROOT/kit"
mkdir -p "$kit_cache/bin"
exec 9>"$kit_cache/.install.lock"
flock -w 1800 9 || die "$P" "could not lock $kit_cache/.install.lock within 1800s"

# --- PostgreSQL, and Redis as the readiness check's broker ----------------------------------------------------
apt_ensure "$P" postgresql-15 redis-server
command -v redis-server >/dev/null 2>&1 || die "$P" "redis-server is not installed (Debian package redis-server)"
pg_bin=${KIT_PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl postgres; do
  [ -x "$pg_bin/$tool" ] || die "$P" "$pg_bin/$tool is missing (Debian package postgresql-15)"
done

# --- Python virtual environment ---------------------------------------------------------------------------
python=${KIT_PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || die "$P" "$python is not on PATH (Python 3.11 is needed)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || die "$P" "$("$python" -V 2>&1): the wheels pinned in $here/requirements.txt are CPython 3.11's (set KIT_PYTHON to a python3.11)"
venv="${KIT_VENV:-$CACHE_ROOT/kit-venv}"
pinned_venv "$P" "$venv" "$python" "$here/requirements.txt" .kit-stamp
contrib_wheel "$P" "$venv"

# --- versitygw ----------------------------------------------------------------------------------------------
command -v go >/dev/null || die "$P" "Go is required to build versitygw (the go command is missing)"
go_env
grep -Eq "^\s*(require\s+)?$VERSITYGW_MODULE $VERSITYGW_VERSION( |\$)" "$here/versitygw/go.mod" \
  || die "$P" "$here/versitygw/go.mod does not require $VERSITYGW_MODULE $VERSITYGW_VERSION (update install.sh with it)"
bin="$kit_cache/bin/versitygw-$( { cat "$here/versitygw/go.mod" "$here/versitygw/go.sum"; go env GOVERSION GOOS GOARCH; echo "CGO_ENABLED=0 -trimpath -ldflags=$LDFLAGS"; } | sha256sum | cut -c1-16)"
if [ -f "$bin/.complete" ] && [ -x "$bin/versitygw" ]; then
  log "$P" "cached   versitygw $bin"
else
  tmp=$(mktemp -d "$kit_cache/bin/.build.XXXXXX")
  log "$P" "building versitygw ($VERSITYGW_MODULE $VERSITYGW_VERSION) into $bin"
  (cd "$here/versitygw" && go mod download) || { rm -rf "$tmp"; die "$P" "go mod download in $here/versitygw failed (go.sum must list every module)"; }
  TIMEFORMAT="time: go build versitygw: %1R s wall, %1U s user + %1S s system CPU"
  time (cd "$here/versitygw" && CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags="$LDFLAGS" \
    -o "$tmp/versitygw" "$VERSITYGW_MODULE/cmd/versitygw") || { rm -rf "$tmp"; die "$P" "go build of versitygw failed"; }
  touch "$tmp/.complete"
  rm -rf "$bin"
  mv "$tmp" "$bin"
fi
echo "KIT_VENV=$venv"
echo "VERSITYGW_BIN=$bin/versitygw"
