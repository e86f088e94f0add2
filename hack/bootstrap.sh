#!/usr/bin/env bash
# Installs everything the test suites need on a fresh machine: Debian packages, Go-built tools,
# Python virtual environments. Each suite owns its install script; this runs them in order.
# Every script is idempotent and returns in seconds once its cache is warm.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  stamp="${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/apt-updated"
  # One package-list refresh a day is enough; the suites' installs then find their packages.
  if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
  fi
fi

for suite in nginx validate faults control-plane package; do
  script="hack/$suite/install.sh"
  if [ -f "$script" ]; then
    echo "bootstrap: $suite"
    bash "$script"
  fi
done
echo "bootstrap: done"
