#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `npm run validate`: render if needed, then run kubeconform (-strict, oldest and newest pinned Kubernetes),
# kube-score, the apiVersion lifecycle check, trivy and the NetworkPolicy traffic matrix (cyclonus) on every
# environment folder under dist/manifests/. Exits 1 on any finding, 2 on a setup error.
#   --manifests DIR        validate DIR/<environment>/*.yaml instead (never renders)
#   --no-render            use dist/manifests as it is
#   --traffic-models DIR   DIR/<environment>.json is the traffic model of a folder whose index.json has none
#   --env NAME, --tool NAME (kubeconform | kube-score | apiversions | trivy | cyclonus), --exceptions FILE, --json
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=compiled.sh
source "$(dirname "${BASH_SOURCE[0]}")/compiled.sh"
cd "$REPO_ROOT"

manifests=dist/manifests
render=auto
models=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --manifests) manifests=$2; render=no; shift 2 ;;
    --no-render) render=no; shift ;;
    --traffic-models) models=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

if [ "$render" = auto ]; then
  reason=
  if [ ! -d "$manifests" ] || [ -z "$(newest "$manifests")" ]; then
    reason="$manifests is missing"
  else
    sources=$(newest src lib)
    if [ -n "$sources" ] && is_newer "$sources" "$(newest "$manifests")"; then
      reason="src/ or lib/ changed after the last render"
    fi
  fi
  if [ -n "$reason" ]; then
    echo "validate: $reason: npm run synth"
    npm run synth || { log validate "ERROR: npm run synth failed, nothing to validate"; exit 2; }
  fi
fi

# The gate is compiled TypeScript (lib/validate/), so a render that was not needed above may still need
# a compile.
ensure_compiled validate

# Fast when everything is cached; on a fresh machine this builds the tools and schemas first.
if ! out=$(bash hack/validate/install.sh 2>&1); then
  echo "$out" >&2
  log validate "ERROR: bash hack/validate/install.sh failed"
  exit 2
fi
echo "$out" | grep -v '^install: cached' || true
exec node lib/validate/cli.js check --manifests "$manifests" ${models:+--traffic-models "$models"} "${args[@]}"
