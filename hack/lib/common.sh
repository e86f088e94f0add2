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

# link_package <dir>: makes <dir> (e.g. an app's node_modules/@picvario/k8s-topology) this checkout's
# package as a consumer sees it: package.json and lib/, each a link, and nothing else. A link to the
# whole repository would put the repository inside itself (its examples/ and dist/ hold such links
# too), and tools that walk node_modules, jsii-docgen among them, would then never reach the end.
link_package() {
  local dir=$1
  if [ -L "$dir" ]; then rm -f "$dir"; fi
  mkdir -p "$dir"
  ln -sfn "$REPO_ROOT/package.json" "$dir/package.json"
  ln -sfn "$REPO_ROOT/lib" "$dir/lib"
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

# The Debian packages the suites start or use, pinned by UPSTREAM version: the versions measured on this
# machine kind (Debian 12). Any Debian revision of that upstream version is accepted, so a security update
# (1.22.1-9+deb12u11 -> 1.22.1-9+deb12u12) never breaks a fresh machine: Debian's archive serves only the
# newest revision of a release. A different upstream version, offered or already installed, fails the run
# with a message naming the package, the pin and what apt offers (APT_PIN_MISMATCH=warn installs or keeps
# it with a warning instead). docs/CI.md, "Debian pins", says how to move a pin.
declare -A APT_PINS=(
  [nginx]=1.22.1
  [redis-server]=7.0.15
  [rabbitmq-server]=3.10.8
  [shellcheck]=0.9.0
  # The image builder (hack/images/): Debian's tools, and the python3 the app images run.
  [mmdebstrap]=1.3.5
  [umoci]=0.4.7
  [skopeo]=1.9.3
  [python3]=3.11.2
  # The real nodes of the cluster harness (hack/control-plane/install.sh nodes); runc also runs the
  # image builder's containers.
  [containerd]=1.6.20
  [runc]=1.1.5
  [containernetworking-plugins]=1.1.1
  [iptables]=1.8.9
  [ipset]=7.17
  [conntrack]=1.4.7
  [busybox-static]=1.35.0
)

# apt_upstream <debian version>: its upstream part, without the epoch ("5:"), the Debian revision
# ("-1~deb12u10") and the marker of a repacked upstream tarball ("~ds1", "+ds1", "+ds"):
# 5:7.0.15-1~deb12u10 -> 7.0.15, 1.6.20~ds1-1+deb12u3 -> 1.6.20. A native package has no revision:
# 0.9 -> 0.9.
apt_upstream() {
  local v=$1
  case $v in [0-9]*:*) v=${v#*:} ;; esac
  case $v in *-*) v=${v%-*} ;; esac
  v=$(sed -E 's/[~+]ds[0-9]*$//' <<<"$v")
  echo "$v"
}

# apt_offers: reads `apt-cache policy <package>` on stdin and prints every version in its version table,
# newest first, as apt lists them (the " *** " mark of the installed one removed).
apt_offers() {
  awk '
    /^ *Version table:/ { table = 1; next }
    table && /^ \*\*\* / { print $2; next }
    table && /^     [^ ]/ { print $1 }
  '
}

# apt_pin_choose <package> <pin>: reads `apt-cache policy <package>` on stdin and prints the version to
# install: the newest one offered whose upstream part is <pin>. Without one it says on stderr what apt
# offers and what to change, and returns 1; with APT_PIN_MISMATCH=warn it prints the newest version
# offered instead, after a warning. It returns 1 when apt offers nothing at all, whatever the setting.
apt_pin_choose() {
  local pkg=$1 pin=$2 v offers=()
  mapfile -t offers < <(apt_offers)
  if [ ${#offers[@]} = 0 ]; then
    echo "$pkg: apt offers no version of it (pin: upstream $pin). Run apt-get update, and check that the machine's apt sources are Debian 12's." >&2
    return 1
  fi
  for v in "${offers[@]}"; do
    if [ "$(apt_upstream "$v")" = "$pin" ]; then
      echo "$v"
      return 0
    fi
  done
  local newest=${offers[0]} relation=older what
  if dpkg --compare-versions "$(apt_upstream "$newest")" gt "$pin" 2>/dev/null; then relation=newer; fi
  what="$pkg: pinned upstream $pin; apt offers $newest (upstream $(apt_upstream "$newest"), $relation)"
  if [ "${APT_PIN_MISMATCH:-fail}" = warn ]; then
    echo "$what. WARNING: installing it anyway (APT_PIN_MISMATCH=warn)." >&2
    echo "$newest"
    return 0
  fi
  echo "$what. Run the suites with APT_PIN_MISMATCH=warn; when they pass, set APT_PINS[$pkg]=$(apt_upstream "$newest") in hack/lib/common.sh (docs/CI.md, \"Debian pins\")." >&2
  return 1
}

# apt_pin_check_installed <package> <installed version>: 0 when the installed version's upstream part is
# the pin (or the package has none); else the same message and choice as apt_pin_choose.
apt_pin_check_installed() {
  local pkg=$1 installed=$2 pin=${APT_PINS[$1]:-}
  [ -n "$pin" ] || return 0
  [ "$(apt_upstream "$installed")" != "$pin" ] || return 0
  local what
  what="$pkg: pinned upstream $pin; $installed is installed (upstream $(apt_upstream "$installed"))"
  if [ "${APT_PIN_MISMATCH:-fail}" = warn ]; then
    echo "$what. WARNING: using it anyway (APT_PIN_MISMATCH=warn)." >&2
    return 0
  fi
  echo "$what. Install $pkg $pin (apt-get install $pkg=<a $pin revision>), or run with APT_PIN_MISMATCH=warn; to move the pin, see docs/CI.md, \"Debian pins\"." >&2
  return 1
}

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

# The Debian packages of the shop suite's test hosts (hack/control-plane/shop-hosts.sh) that no other
# install brings: MariaDB for the devstack compose fixture. Not pinned, like postgresql-15: Debian moves
# mariadb-server to each new release of its series (10.11 on Debian 12), and shop-hosts.sh checks the series.
# shellcheck disable=SC2034 # (read by test.sh, test-all.sh and bootstrap.sh)
SHOP_HOSTS_DEBS=(mariadb-server)

# The daemons a package install may start although the suites start their own (process names).
APT_DAEMONS=(nginx redis-server beam.smp epmd mariadbd)

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
# packages at the newest Debian revision of their pinned upstream version (APT_PINS), and any daemon
# the install started anyway stopped again.
apt_ensure() {
  local prefix=$1
  shift
  local want=() pkg installed
  case ${APT_PIN_MISMATCH:-fail} in fail | warn) ;; *) die "$prefix" "APT_PIN_MISMATCH=${APT_PIN_MISMATCH}: expected fail or warn" ;; esac
  for pkg in "$@"; do
    installed=$(apt_version "$pkg")
    if [ -z "$installed" ]; then
      want+=("$pkg")
    else
      apt_pin_check_installed "$pkg" "$installed" || die "$prefix" "$pkg $installed does not match its pin"
    fi
  done
  [ ${#want[@]} -gt 0 ] || return 0

  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    die "$prefix" "missing ${want[*]}: run as root, or apt-get install them"
  fi
  command -v apt-get >/dev/null 2>&1 || die "$prefix" "missing ${want[*]} and no apt-get to install them"

  # Two tries: the package lists may be up to a day old (the stamp), and a security update since then
  # replaces the revision they name; the second try refreshes them first.
  local stamp="$CACHE_ROOT/apt-updated" try rc=0 names=("${want[@]}") resolved=()
  mkdir -p "$CACHE_ROOT"
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Temporary, from hack/lib/common.sh: no service starts during the install.\nexit 101\n' \
      | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    made_policy=1
  fi
  local before
  before=" $(daemon_pids | tr '\n' ' ') "
  for try in 1 2; do
    if [ "$try" = 2 ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
      as_root apt-get -o DPkg::Lock::Timeout=600 update -qq || { rc=$?; break; }
      touch "$stamp"
    fi
    # A pinned package is installed at the newest revision of its pinned upstream version that apt offers.
    resolved=()
    for pkg in "${names[@]}"; do
      if [ -n "${APT_PINS[$pkg]:-}" ]; then
        resolved+=("$pkg=$(apt_pin_choose "$pkg" "${APT_PINS[$pkg]}" <<<"$(apt-cache policy "$pkg" 2>/dev/null || true)")") \
          || { rc=3; continue 2; }
      else
        resolved+=("$pkg")
      fi
    done
    log "$prefix" "apt-get install ${resolved[*]}"
    rc=0
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends "${resolved[@]}" >/dev/null || rc=$?
    [ "$rc" != 0 ] || break
  done
  [ -z "$made_policy" ] || as_root rm -f "$policy"
  case $rc in
    0) ;;
    3) die "$prefix" "no version of ${names[*]} matches its pin (above)" ;;
    *) die "$prefix" "apt-get install ${resolved[*]:-${names[*]}} failed (exit $rc)" ;;
  esac
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
