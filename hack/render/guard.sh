#!/usr/bin/env bash
# `npm run diff:rendered`: the guard against unintended change. Compares the render in dist/manifests with
# the last published one, and prints every object and field that changed, and fails on changes that
# Kubernetes rejects or that cause downtime (`k8s-topology diff`, docs/RENDERING.md). The baseline, first
# found of:
#   1. the rendered branch that Argo CD syncs (RENDERED_BRANCH, default "rendered"): origin/<branch>, the
#      local branch, or origin's branch fetched (a clone of main alone has none of it);
#   2. else the render of the commit before this one (HEAD^, its source exported and rendered in a
#      temporary folder): what this commit changes, as a pull request's guard compares with its base.
# A change is accepted by publishing it (npm run publish:rendered), which is what deploys it.
# Fails, and says so, when there is no render to compare or no baseline of either kind.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"
prefix=diff-rendered
branch=${RENDERED_BRANCH:-rendered}

compgen -G 'dist/manifests/*/index.json' >/dev/null || die "$prefix" "dist/manifests holds no render (no */index.json): run npm run synth first"
# The CLI is wherever package.json's bin says, in this checkout and in the commit before it alike.
cli_of() { node -p "require('./package.json').bin['k8s-topology']" 2>/dev/null; }
cli=$(cli_of)
{ [ -n "$cli" ] && [ -f "$cli" ]; } || die "$prefix" "lib/ is not compiled (no ${cli:-k8s-topology bin in package.json}): run npx projen compile first"

has_commit() { git rev-parse -q --verify "$1^{commit}" >/dev/null 2>&1; }

rendered_ref() {
  local candidate
  for candidate in "refs/remotes/origin/$branch" "refs/heads/$branch"; do
    if has_commit "$candidate"; then
      echo "${candidate#refs/*/}"
      return
    fi
  done
  if git remote get-url origin >/dev/null 2>&1 \
    && git fetch -q --depth=1 origin "+refs/heads/$branch:refs/remotes/origin/$branch" 2>/dev/null; then
    echo "origin/$branch"
  fi
}

ref=$(rendered_ref)
if [ -n "$ref" ]; then
  log "$prefix" "dist/manifests against $ref ($(git rev-parse --short "$ref"))"
  exec node "$cli" diff "$ref" dist/manifests
fi

has_commit HEAD^ || die "$prefix" "no branch $branch (nor origin/$branch) and no commit before HEAD to compare the render with: publish one with npm run publish:rendered, or clone with history"
base=$(git rev-parse --short HEAD^)
log "$prefix" "no branch $branch (nor origin/$branch): dist/manifests against the render of the commit before this one, $base"
work=$(mktemp -d "${TMPDIR:-/tmp}/diff-rendered.XXXXXX")
trap 'rm -rf "$work"' EXIT
git archive HEAD^ | tar -x -C "$work"
# The dependencies of this checkout: a commit whose package.json differs still compiles with them or fails here.
ln -s "$REPO_ROOT/node_modules" "$work/node_modules"
(
  cd "$work"
  node_modules/.bin/jsii --silence-warnings=reserved-word >"$work/.compile.log" 2>&1 \
    || { cat "$work/.compile.log" >&2; die "$prefix" "the commit before this one ($base) does not compile"; }
  base_cli=$(cli_of)
  { [ -n "$base_cli" ] && [ -f "$base_cli" ]; } || die "$prefix" "the commit before this one ($base) has no k8s-topology CLI to render with"
  node "$base_cli" render --out "$work/baseline" >/dev/null \
    || die "$prefix" "the commit before this one ($base) does not render"
)
node "$cli" diff "$work/baseline" dist/manifests
