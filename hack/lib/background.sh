# Background jobs for scripts that run long installs while they do other work (hack/test-all.sh).
# Source it after common.sh; set BACKGROUND_LOGS to the folder of the jobs' logs, and call
# stop_background on EXIT so that no job outlives the script:
#   background <name> <command...>   starts the command in a session of its own
#   await <name>                     waits for it, prints its log, fails when it failed
#   stop_background                  stops every job still running, with all it started
# shellcheck shell=bash
BACKGROUND_LOGS=${BACKGROUND_LOGS:-$CACHE_ROOT/logs}
declare -A bg_pid=() bg_log=()

# background <name> <command...>: starts an install in a session of its own (so that it can be stopped
# with everything it started), its output in $BACKGROUND_LOGS/<name>.log.
background() {
  local name=$1
  shift
  bg_log[$name]="$BACKGROUND_LOGS/$name.log"
  mkdir -p "$BACKGROUND_LOGS"
  log background "started in the background: $name (log: ${bg_log[$name]})"
  setsid bash "$REPO_ROOT/hack/lib/timed.sh" "install $name (background)" "$@" >"${bg_log[$name]}" 2>&1 </dev/null &
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
