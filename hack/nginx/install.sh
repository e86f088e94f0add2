#!/usr/bin/env bash
# Installs Debian's nginx (the version pinned in APT_PINS, hack/lib/common.sh) and the CA bundle for
# the real-nginx tests (test/workloads/edge/nginx-real.integration.ts), and prints the version it found.
# Idempotent: installs nothing when both are there.
#
# The tests run their own nginx with `-p <tmpdir> -c <file>` on a free loopback port, so the
# package's own service (default site on port 80) must not run: apt_ensure refuses service starts
# during the install and stops any nginx the install started, and a packaged nginx that was
# already running (installed before this script ran) is stopped here.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
prefix=nginx-install

# `nginx` is the package with the http proxy modules in Debian 12; nginx-light only adds modules on top.
# The https-shaped `nginx -t` test loads the CA bundle that proxy_ssl_trusted_certificate names.
apt_ensure "$prefix" nginx ca-certificates
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || die "$prefix" "no nginx binary after installing the nginx package"
[ -s /etc/ssl/certs/ca-certificates.crt ] || die "$prefix" "/etc/ssl/certs/ca-certificates.crt is missing (package ca-certificates)"

# The packaged service writes its pid to /run/nginx.pid; stop only that master process.
if [ -s /run/nginx.pid ]; then
  pid=$(cat /run/nginx.pid)
  if kill -0 "$pid" 2>/dev/null; then
    log "$prefix" "stopping the packaged nginx service (pid $pid)"
    as_root kill -QUIT "$pid" || true
  fi
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  as_root systemctl disable --now nginx >/dev/null 2>&1 || true
fi

log "$prefix" "$(apt_report nginx)"
