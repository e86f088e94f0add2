# Shared by every script under hack/ and .ci/. Source it; it defines variables and functions only.
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"    (adjust the path to the caller)
# shellcheck shell=bash

# The repository root, whatever folder the checkout is in.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export REPO_ROOT

# Every cache the suites build (Go tools, schemas, venvs, apt stamps) lives here, never in the checkout.
CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology
export CACHE_ROOT

# log <prefix> <message...>: one line on stderr, prefixed with the suite's name.
log() {
  local prefix=$1
  shift
  echo "$prefix: $*" >&2
}

# die <prefix> <message...>: an error line on stderr, then exit 1.
die() {
  local prefix=$1
  shift
  echo "$prefix: ERROR: $*" >&2
  exit 1
}

# newest <path...>: the newest modification time (epoch seconds, fractional) of any file under the paths.
newest() {
  find "$@" -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1
}

# is_newer <a> <b>: true when epoch time a is later than b (both may be fractional).
is_newer() {
  awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'
}

# timed <label> <command...>: runs the command and prints "time: <label>: <seconds>s" on stderr
# (with " (exit N)" when it fails), then returns its exit code. The command runs in a subshell with the
# caller's `set -e`, so a function fails at its first failing command as it would untimed, and its
# variables do not come back. (As for any function, bash ignores `set -e` inside a call that is the
# condition of `if`, `||` or `&&`: call `timed` as a plain command.) With TIMED_LOG set, the line is also appended to that file, so a
# caller can print every step's time at the end (.ci/run does).
timed() {
  local label=$1 start rc errexit=
  shift
  case $- in *e*) errexit=1 ;; esac
  start=$EPOCHREALTIME
  set +e
  (
    [ -z "$errexit" ] || set -e
    "$@"
  )
  rc=$?
  [ -z "$errexit" ] || set -e
  local line
  line="time: $label: $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
  [ "$rc" = 0 ] || line="$line (exit $rc)"
  echo "$line" >&2
  [ -z "${TIMED_LOG:-}" ] || echo "$line" >>"$TIMED_LOG"
  return "$rc"
}

# The Debian packages the suites start or use, pinned to the versions measured on this machine kind
# (Debian 12). A package already installed at another version is reported, not replaced, unless
# APT_PIN_STRICT=1.
declare -A APT_PINS=(
  [nginx]=1.22.1-9+deb12u11
  [redis-server]=5:7.0.15-1~deb12u10
  [rabbitmq-server]=3.10.8-1.1+deb12u1
  [shellcheck]=0.9.0-1
)

# apt_version <package>: the installed version, or nothing. (dpkg-query exits 1 for a package it
# has never seen, which pipefail would turn into the caller's silent exit under set -e.)
apt_version() {
  { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null || true; } | awk '$3 == "installed" { print $4 }'
}

# as_root <command...>: runs the command as root: directly when we are root, else through sudo
# (which asks for a password only on a terminal); returns 1 when neither is possible.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [ -t 0 ]; then sudo "$@"; else sudo -n "$@"; fi
  else
    return 1
  fi
}

# The daemons a package install may start although the suites start their own (process names).
APT_DAEMONS=(nginx redis-server beam.smp epmd)

# daemon_pids: the pids of every running process named in APT_DAEMONS, one a line. (One pgrep per
# name: procps warns about any pattern longer than a process name, 15 characters.)
daemon_pids() {
  local name
  for name in "${APT_DAEMONS[@]}"; do
    pgrep -x "$name" || true
  done
}

# apt_ensure <prefix> <package...>: installs what is missing, with one code path for every suite:
# as root (or through sudo), service starts refused by a temporary policy-rc.d (the suites start
# their own servers on loopback ports), the package lists refreshed at most once a day, pinned
# versions from APT_PINS, and any daemon the install started anyway stopped again.
apt_ensure() {
  local prefix=$1
  shift
  local want=() pkg installed
  for pkg in "$@"; do
    installed=$(apt_version "$pkg")
    if [ -z "$installed" ]; then
      want+=("$pkg${APT_PINS[$pkg]:+=${APT_PINS[$pkg]}}")
    elif [ -n "${APT_PINS[$pkg]:-}" ] && [ "$installed" != "${APT_PINS[$pkg]}" ]; then
      if [ "${APT_PIN_STRICT:-0}" = 1 ]; then
        want+=("$pkg=${APT_PINS[$pkg]}")
      else
        log "$prefix" "note: $pkg $installed is installed; the pin is ${APT_PINS[$pkg]}"
      fi
    fi
  done
  [ ${#want[@]} -gt 0 ] || return 0

  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    die "$prefix" "missing ${want[*]}: run as root, or apt-get install them"
  fi
  command -v apt-get >/dev/null 2>&1 || die "$prefix" "missing ${want[*]} and no apt-get to install them"

  local stamp="$CACHE_ROOT/apt-updated"
  mkdir -p "$CACHE_ROOT"
  if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    as_root apt-get -o DPkg::Lock::Timeout=600 update -qq || die "$prefix" "apt-get update failed"
    touch "$stamp"
  fi

  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Temporary, from hack/lib/common.sh: no service starts during the install.\nexit 101\n' \
      | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    made_policy=1
  fi
  local before
  before=" $(daemon_pids | tr '\n' ' ') "
  log "$prefix" "apt-get install ${want[*]}"
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${want[@]}" >/dev/null || rc=$?
  [ -z "$made_policy" ] || as_root rm -f "$policy"
  if [ "$rc" != 0 ]; then
    # A pinned version that the archive no longer carries is the likely cause: say what it offers.
    for pkg in "${want[@]}"; do
      case $pkg in *=*) log "$prefix" "${pkg%%=*}: pinned ${pkg#*=}; apt offers $(apt-cache policy "${pkg%%=*}" 2>/dev/null | awk '/Candidate:/ { print $2 }')" ;; esac
    done
    die "$prefix" "apt-get install ${want[*]} failed"
  fi
  sleep 1
  local pid
  for pid in $(daemon_pids); do
    case "$before" in *" $pid "*) continue ;; esac
    log "$prefix" "stopping $(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid), started by the package install"
    as_root kill "$pid" 2>/dev/null || true
  done
}

# apt_report <package...>: "name version" for each, as the suites print what they run with.
apt_report() {
  local pkg
  for pkg in "$@"; do
    echo "$pkg $(apt_version "$pkg" | grep . || echo '(not installed)')"
  done
}

# Go builds never fetch another toolchain behind our back, and never change go.mod/go.sum.
# -dwarf=false: every build links with -s -w, which drops the debug information the compiler wrote for
# each package; not writing it saves about a tenth of a cold build's CPU (docs/CI.md). Stack traces
# still work: they come from the runtime's own line tables, not from DWARF.
go_env() {
  export GOTOOLCHAIN=${GOTOOLCHAIN_OVERRIDE:-local}
  export GOFLAGS="-mod=readonly -buildvcs=false -gcflags=all=-dwarf=false"
}
