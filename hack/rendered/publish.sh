#!/usr/bin/env bash
# Commits dist/manifests/ to the rendered branch with git plumbing (see docs/RENDERING.md).
# Arguments pass through: --branch, --source, --repo, --source-commit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$root/lib/topology/publish-cli.js" ] || { echo "publish:rendered: lib/topology/publish-cli.js missing; run npx projen compile" >&2; exit 2; }
exec node "$root/lib/topology/publish-cli.js" "$@"
