#!/usr/bin/env bash
# Installs everything the test suites need on a fresh machine: Debian packages, Go-built tools,
# Python virtual environments. Each suite owns its install script; this runs them in order and
# prints the time of each ("time: bootstrap <suite>: <seconds>s"). Every script is idempotent and
# returns in seconds once its cache is warm. Debian packages go through apt_ensure (hack/lib/common.sh):
# pinned versions, package lists refreshed at most once a day, no package service left running.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

# The shell linter of `npm run lint:shell` (it installs it itself too; here so a fresh machine gets
# every install in one place).
log bootstrap "shellcheck"
timed "bootstrap shellcheck" apt_ensure bootstrap shellcheck

for suite in nginx validate faults kit control-plane images package; do
  script="hack/$suite/install.sh"
  [ -f "$script" ] || continue
  log bootstrap "$suite"
  timed "bootstrap $suite" bash "$script"
done
# The real nodes of the cluster harness are not among install.sh's defaults (test.sh asks for them
# only for CP_SUITES=nodes).
log bootstrap "nodes"
timed "bootstrap nodes" bash hack/control-plane/install.sh nodes
timed "bootstrap shop test hosts" apt_ensure bootstrap "${SHOP_HOSTS_DEBS[@]}"
mapfile -t pinned < <(printf '%s\n' "${!APT_PINS[@]}" | sort)
apt_report "${pinned[@]}" | sed 's/^/bootstrap: installed /' >&2
log bootstrap "done"
