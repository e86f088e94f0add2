#!/usr/bin/env bash
# `npm run lint:shell`: shellcheck (Debian's, pinned in APT_PINS; installed through apt_ensure when
# missing) on every shell script under hack/ and .ci/: files ending in .sh or .bash, and files whose
# first line is a sh or bash shebang. Sourced files (common.sh, lib.sh, versions.env) are checked
# through their callers (-x; .shellcheckrc sets the source path to each script's folder). Any finding, of any severity, fails the task; there are no
# blanket disables, only `# shellcheck disable=SCxxxx` lines with a reason next to what they excuse.
# Arguments: files or folders to check instead of hack/ and .ci/.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"
prefix=lint-shell

command -v shellcheck >/dev/null 2>&1 || apt_ensure "$prefix" shellcheck
command -v shellcheck >/dev/null 2>&1 || die "$prefix" "shellcheck is missing (Debian package shellcheck)"
log "$prefix" "$(shellcheck --version | awk '/^version:/ { print "shellcheck " $2 }') ($(apt_report shellcheck))"

is_shell() {
  case $1 in
    *.sh | *.bash) return 0 ;;
  esac
  head -n1 "$1" 2>/dev/null | grep -Eq '^#!(/usr)?/bin/(env +)?(ba)?sh( |$)'
}

roots=("$@")
[ ${#roots[@]} -gt 0 ] || roots=(hack .ci)
files=()
while IFS= read -r -d '' file; do
  [ -f "$file" ] && is_shell "$file" && files+=("$file")
done < <(
  # Tracked and new files, not what .gitignore hides (the suites' build output under hack/**/bin/).
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- "${roots[@]}"
  else
    find "${roots[@]}" -type f -not -path '*/bin/*' -print0
  fi | sort -zu
)
[ ${#files[@]} -gt 0 ] || die "$prefix" "no shell scripts found under ${roots[*]}"

if shellcheck -x "${files[@]}"; then
  log "$prefix" "${#files[@]} scripts, no findings"
else
  rc=$?
  log "$prefix" "ERROR: findings above (${#files[@]} scripts checked)"
  exit "$rc"
fi
