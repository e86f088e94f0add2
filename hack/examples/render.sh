#!/usr/bin/env bash
# `npm run render:examples`: renders every app under examples/ with the k8s-topology CLI, the way its
# team runs it (`npx k8s-topology render` in the app's folder, which reads its cdk8s.yaml), but from
# this checkout: examples/node_modules/@picvario/k8s-topology holds links to its package.json and lib/, and the
# repository's node_modules/.bin is on PATH (for an "app" line that runs as written; the TypeScript
# runner of the CLI needs neither). Compiles first when lib/ is older than src/.
# Each app also renders the preview of one pull request, as its CI does for a PR
# (`k8s-topology preview render --pr 42`, into examples/<app>/dist/previews/pr-42/), so that every
# example shows the preview path and test:all validates a preview render too.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"

if [ ! -f lib/cli/main.js ] || is_newer "$(newest src)" "$(newest lib)"; then
  log examples "lib/ is missing or older than src/: npx projen compile"
  npx projen compile >/dev/null || die examples "npx projen compile failed"
fi
link_package examples/node_modules/@picvario/k8s-topology
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"

# The pull request the example previews are rendered for (hack/validate/examples-exceptions.yaml names it).
preview_pr=42
found=0
for dir in examples/*/; do
  [ -f "$dir/cdk8s.yaml" ] || continue
  found=$((found + 1))
  log examples "rendering ${dir%/}"
  (cd "$dir" && node "$REPO_ROOT/lib/cli/main.js" render) || die examples "rendering ${dir%/} failed"
  log examples "rendering the preview of pull request $preview_pr of ${dir%/}"
  rm -rf "${dir}dist/previews"
  (cd "$dir" && node "$REPO_ROOT/lib/cli/main.js" preview render --pr "$preview_pr") \
    || die examples "rendering the preview of ${dir%/} failed (every example app renders PreviewEnvironment.fromEnvironment's chart under k8s-topology preview render)"
done
[ "$found" -gt 0 ] || die examples "no example app (examples/*/cdk8s.yaml) found"
