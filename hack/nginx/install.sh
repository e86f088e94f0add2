#!/usr/bin/env bash
# Installs Debian's nginx for the real-nginx tests (test/workloads/edge/nginx-real.test.ts).
# Idempotent: installs nothing when an nginx binary is already on PATH (or at /usr/sbin/nginx)
# and the CA bundle exists.
#
# The tests run their own nginx with `-p <tmpdir> -c <file>` on a free loopback port, so the
# package's own service (default site on port 80) must not run. Service start-up during the
# install is refused with a temporary policy-rc.d, and if a packaged nginx is running anyway
# (for instance it was installed before this script ran) it is stopped.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "hack/nginx/install.sh: needs root or sudo" >&2; exit 1; }
  SUDO="sudo"
fi

find_nginx() {
  command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

stop_packaged_nginx() {
  # The packaged service writes its pid to /run/nginx.pid; stop only that master process.
  if [ -s /run/nginx.pid ]; then
    pid="$(cat /run/nginx.pid)"
    if kill -0 "$pid" 2>/dev/null; then
      echo "hack/nginx/install.sh: stopping the packaged nginx service (pid $pid)"
      $SUDO kill -QUIT "$pid" || true
    fi
  fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
}

# The https-shaped `nginx -t` test loads the CA bundle that proxy_ssl_trusted_certificate names.
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
packages=()
[ -n "$(find_nginx)" ] || packages+=(nginx)
[ -s "$CA_BUNDLE" ] || packages+=(ca-certificates)

if [ "${#packages[@]}" -eq 0 ]; then
  echo "hack/nginx/install.sh: nginx already installed: $("$(find_nginx)" -v 2>&1)"
  stop_packaged_nginx
  exit 0
fi

# Refuse service starts while the package installs, restoring any existing policy afterwards.
policy=/usr/sbin/policy-rc.d
backup=""
if [ -e "$policy" ]; then
  backup="$(mktemp)"
  $SUDO cp -p "$policy" "$backup"
fi
restore_policy() {
  if [ -n "$backup" ]; then
    $SUDO cp -p "$backup" "$policy"; rm -f "$backup"
  else
    $SUDO rm -f "$policy"
  fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
$SUDO chmod 755 "$policy"

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# `nginx` is the package with the http proxy modules in Debian 12; nginx-light only adds modules on top.
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${packages[@]}"

stop_packaged_nginx
echo "hack/nginx/install.sh: installed $("$(find_nginx)" -v 2>&1)"
