#!/usr/bin/env bash
# Shows what changed between two renders (folders or rendered-branch revisions) and exits 1 on
# changes that Kubernetes rejects or that cause downtime (see docs/RENDERING.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$root/lib/topology/diff-cli.js" ] || { echo "diff: lib/topology/diff-cli.js missing; run npx projen compile" >&2; exit 2; }
exec node "$root/lib/topology/diff-cli.js" "$@"
