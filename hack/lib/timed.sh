#!/usr/bin/env bash
# timed.sh <label> <command...>: runs the command and prints "time: <label>: <seconds>s" when it ends
# (the `timed` of common.sh, for callers that are not bash: the steps of `npm run test:all`).
# Exits with the command's exit code.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 2 ] || die timed "usage: timed.sh <label> <command...>"
label=$1
shift
timed "$label" "$@"
