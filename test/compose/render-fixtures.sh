#!/usr/bin/env bash
# `npm run render:compose`: imports every compose fixture under test/compose/fixtures/ with
# `k8s-topology import` into dist/compose/<fixture>/app/, then renders that app the way its team
# would (`npx k8s-topology render` in the app's folder) into dist/compose/<fixture>/manifests/.
# The app's node_modules/@picvario/k8s-topology links to this checkout's package.json and lib/ (compiled first when lib/
# is older than src/), and the repository's node_modules/.bin is on PATH; the CLI runs main.ts itself.
# With --validate, each render then goes through the validation gate, with the accepted findings of the
# fixture's validate-exceptions.yaml (or --exceptions FILE for all, e.g. hack/validate/examples-exceptions.yaml).
# Arguments: fixture names to import instead of all of them.
set -euo pipefail
# shellcheck source=../../hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/common.sh"
cd "$REPO_ROOT"
prefix=render:compose

validate=
exceptions=
fixtures=()
while [ $# -gt 0 ]; do
  case $1 in
    --validate) validate=1 ;;
    --exceptions) exceptions=$2; shift ;;
    *) fixtures+=("$1") ;;
  esac
  shift
done
if [ ${#fixtures[@]} -eq 0 ]; then
  for dir in test/compose/fixtures/*/; do
    [ -f "$dir/docker-compose.yml" ] && fixtures+=("$(basename "$dir")")
  done
fi
[ ${#fixtures[@]} -gt 0 ] || die "$prefix" "no fixture (test/compose/fixtures/*/docker-compose.yml) found"

if [ ! -f lib/cli/main.js ] || is_newer "$(newest src)" "$(newest lib)"; then
  log "$prefix" "lib/ is missing or older than src/: npx projen compile"
  npx projen compile >/dev/null || die "$prefix" "npx projen compile failed"
fi
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
cli="$REPO_ROOT/lib/cli/main.js"

for name in "${fixtures[@]}"; do
  fixture=test/compose/fixtures/$name
  [ -f "$fixture/docker-compose.yml" ] || die "$prefix" "$fixture/docker-compose.yml does not exist"
  out=dist/compose/$name
  # The generated folder is replaced as a whole, so a file the importer no longer writes does not linger.
  rm -rf "$out/app"
  mkdir -p "$out"
  log "$prefix" "importing $fixture/docker-compose.yml into $out/app"
  node "$cli" import "$fixture/docker-compose.yml" --out "$out/app" >"$out/import.log" 2>&1 || {
    cat "$out/import.log" >&2
    die "$prefix" "importing $name failed"
  }
  tail -n1 "$out/import.log" >&2
  link_package "$out/app/node_modules/@picvario/k8s-topology"
  log "$prefix" "rendering $out/app into $out/manifests"
  (cd "$out/app" && node "$cli" render --out ../manifests) || die "$prefix" "rendering $name failed"
done

if [ -n "$validate" ]; then
  failed=()
  for name in "${fixtures[@]}"; do
    log "$prefix" "validating dist/compose/$name/manifests"
    accepted=${exceptions:-test/compose/fixtures/$name/validate-exceptions.yaml}
    bash hack/validate/run.sh --manifests "dist/compose/$name/manifests" --exceptions "$accepted" || failed+=("$name")
  done
  [ ${#failed[@]} -eq 0 ] || die "$prefix" "validation failed for: ${failed[*]}"
fi
