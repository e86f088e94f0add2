#!/usr/bin/env bash
# `npm run diff:rendered`: the guard against unintended change. Compares the render in dist/manifests with
# the last published one, the rendered branch that Argo CD syncs (origin/<branch> in a clone, else the
# local branch; RENDERED_BRANCH, default "rendered"), prints every object and field that changed, and fails
# on changes that Kubernetes rejects or that cause downtime (`k8s-topology diff`, docs/RENDERING.md).
# A change is accepted by publishing it (npm run publish:rendered), which is what deploys it.
# Fails, and says so, when there is no rendered branch or no render to compare.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
prefix=diff-rendered
branch=${RENDERED_BRANCH:-rendered}

ref=
for candidate in "origin/$branch" "$branch"; do
  if git rev-parse -q --verify "refs/remotes/$candidate^{commit}" >/dev/null 2>&1 \
    || git rev-parse -q --verify "refs/heads/$candidate^{commit}" >/dev/null 2>&1; then
    ref=$candidate
    break
  fi
done
[ -n "$ref" ] || die "$prefix" "no branch $branch (nor origin/$branch) to compare the render with: publish one with npm run publish:rendered"
compgen -G 'dist/manifests/*/index.json' >/dev/null || die "$prefix" "dist/manifests holds no render (no */index.json): run npm run synth first"
[ -f lib/delivery/cli/main.js ] || die "$prefix" "lib/ is not compiled: run npx projen compile first"
log "$prefix" "dist/manifests against $ref ($(git rev-parse --short "$ref"))"
node lib/delivery/cli/main.js diff "$ref" dist/manifests
