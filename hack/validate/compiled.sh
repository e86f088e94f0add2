# The validation gate is TypeScript (src/validate/), run compiled from lib/validate/ by run.sh and
# install.sh. Source it after hack/lib/common.sh, from the repository root.
# shellcheck shell=bash

# ensure_compiled <prefix>: compiles the project (npx projen compile) when lib/validate/ is missing or
# older than src/, so the gate never runs yesterday's code; exits 2 with the compiler's output when the
# compile fails.
ensure_compiled() {
  local prefix=$1 out
  if [ -f lib/validate/cli.js ] && ! is_newer "$(newest src)" "$(newest lib)"; then
    return
  fi
  echo "$prefix: lib/ is missing or older than src/: npx projen compile"
  if ! out=$(npx projen compile 2>&1); then
    echo "$out" | tail -40 >&2
    log "$prefix" "ERROR: npx projen compile failed; the gate runs the compiled src/validate/ from lib/validate/"
    exit 2
  fi
}
