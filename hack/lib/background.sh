# Background jobs for scripts that run long installs while they do other work (hack/test-all.sh).
# Source it after common.sh; set BACKGROUND_LOGS to the folder of the jobs' logs, and call
# stop_background on EXIT so that no job outlives the script:
#   background [--nice N] <name> <command...>
#                                    starts the command in a session of its own; --nice N lowers
#                                    the CPU share of that whole session (see below)
#   await <name>                     waits for it, prints its log, fails when it failed
#   stop_background                  stops every job still running, with all it started
# shellcheck shell=bash
BACKGROUND_LOGS=${BACKGROUND_LOGS:-$CACHE_ROOT/logs}
declare -A bg_pid=() bg_log=()

# background [--nice N] <name> <command...>: starts an install in a session of its own (so that it can
# be stopped with everything it started), its output in $BACKGROUND_LOGS/<name>.log.
# With the kernel's autogroup scheduling every session gets an equal share of the CPU whatever the
# nice value of its processes, so --nice N sets the nice value of the session's autogroup
# (/proc/self/autogroup, written by the new session itself, after setsid): the job then takes only
# what the other sessions leave. Without autogroup scheduling the job's processes are niced instead.
background() {
  local nice=
  if [ "${1:-}" = --nice ]; then
    nice=$2
    shift 2
    if ! [[ "$nice" =~ ^[0-9]+$ ]] || [ "$nice" -gt 19 ]; then die background "--nice takes 0 to 19, got '$nice'"; fi
  fi
  local name=$1
  shift
  bg_log[$name]="$BACKGROUND_LOGS/$name.log"
  mkdir -p "$BACKGROUND_LOGS"
  log background "started in the background: $name${nice:+ (nice $nice)} (log: ${bg_log[$name]})"
  # shellcheck disable=SC2016 # expanded by the new session's shell
  setsid bash -c '
    nice=$1 timed=$2
    shift 2
    if [ -n "$nice" ]; then
      if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] && { echo "$nice" >/proc/self/autogroup; } 2>/dev/null; then :
      else renice -n "$nice" -p $$ >/dev/null; fi
    fi
    exec bash "$timed" "$@"' background "$nice" "$REPO_ROOT/hack/lib/timed.sh" "install $name (background)" "$@" \
    >"${bg_log[$name]}" 2>&1 </dev/null &
  bg_pid[$name]=$!
}

# await <name>: waits for a background install, prints its log, and fails the run when it failed.
await() {
  local name=$1 rc=0
  [ -n "${bg_pid[$name]:-}" ] || die background "await $name: it was never started"
  log background "waiting for the background install $name"
  # Not through timed: its subshell could not wait for this shell's child.
  local start=$EPOCHREALTIME line
  wait "${bg_pid[$name]}" || rc=$?
  unset "bg_pid[$name]"
  line="time: wait for $name: $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
  echo "$line" >&2
  [ -z "${TIMED_LOG:-}" ] || echo "$line" >>"$TIMED_LOG"
  sed "s/^/$name| /" "${bg_log[$name]}" >&2
  [ "$rc" = 0 ] || die background "the background install $name failed (exit $rc); its log is above and in ${bg_log[$name]}"
}

stop_background() {
  local name pid
  for name in "${!bg_pid[@]}"; do
    pid=${bg_pid[$name]}
    kill -0 "$pid" 2>/dev/null || continue
    log background "stopping the background install $name (process group $pid); its log: ${bg_log[$name]}"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
