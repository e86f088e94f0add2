#!/usr/bin/env bash
# Installs everything the validation gate needs, into ${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/:
#   - kubeconform and kube-score, built with `go install` at the versions pinned in versions.env;
#   - kubeconform JSON schemas generated from the OpenAPI spec in the k8s.io/kubernetes module
#     (oldest and newest pinned release), plain and -strict;
#   - JSON schemas for the CRDs in ../shared/crds (KEDA, Argo CD, External Secrets);
#   - apiVersion lifecycle data generated from the k8s.io/api module.
# Idempotent: every entry is keyed by tool/version (or by a hash of its inputs) and is skipped when present,
# so a second run takes about a second. Needs only the Go module proxy and, on a machine without
# node_modules, the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=hack/validate
# shellcheck source=versions.env
source "$here/versions.env"
start=$(date +%s)
log() { echo "install: $*"; }

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    echo "install: the Go toolchain (go 1.26 or newer) is not on PATH; kubeconform ${KUBECONFORM_VERSION} needs it" >&2
    exit 1
  fi
fi
command -v node >/dev/null 2>&1 || { echo "install: node is not on PATH" >&2; exit 1; }
if [ ! -f node_modules/yaml/package.json ]; then
  log "node_modules/yaml missing: npm ci"
  npm ci --no-audit --no-fund
fi

eval "$(node "$here/cli.js" paths)"
mkdir -p "$CACHE_DIR"
# One install at a time (the test suite and the bootstrap may start it together).
exec 9>"$CACHE_DIR/.install.lock"
flock -w 1800 9 || { echo "install: could not lock $CACHE_DIR/.install.lock" >&2; exit 1; }

# go_build <module/cmd path> <version> <target binary>
go_build() {
  local pkg=$1 version=$2 target=$3
  if [ -x "$target" ]; then
    log "cached   $(basename "$target") $version"
    return
  fi
  local tmp
  tmp=$(mktemp -d "$CACHE_DIR/.build.XXXXXX")
  log "building $(basename "$target") $version (go install $pkg@$version)"
  local t0
  t0=$(date +%s)
  GOBIN="$tmp" GOFLAGS=-buildvcs=false nice -n 10 go install -trimpath -ldflags "-s -w -X main.version=$version" "$pkg@$version"
  mkdir -p "$(dirname "$target")"
  mv "$tmp/$(basename "$target")" "$target"
  rm -rf "$tmp"
  log "built    $(basename "$target") $version in $(( $(date +%s) - t0 ))s"
}

# module_dir <module@version>: downloads a module source through the Go module proxy, prints its folder
module_dir() {
  nice -n 10 go mod download -json "$1" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      if (j.Error || !j.Dir) { console.error(j.Error || "no Dir in go mod download output"); process.exit(1); }
      console.log(j.Dir);
    });'
}

go_build "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" "$KUBECONFORM_BIN"
go_build "$KUBE_SCORE_MODULE" "$KUBE_SCORE_VERSION" "$KUBE_SCORE_BIN"

# k8s_schemas <version> <out dir>
k8s_schemas() {
  local version=$1 out=$2
  if [ -f "$out/done" ]; then
    log "cached   Kubernetes $version schemas"
    return
  fi
  local dir
  dir=$(module_dir "k8s.io/kubernetes@v$version")
  local tmp="$out.tmp.$$"
  rm -rf "$tmp"
  node "$here/gen-schemas.js" k8s "$dir/api/openapi-spec/swagger.json" "$tmp" "$version"
  touch "$tmp/done"
  rm -rf "$out"
  mv "$tmp" "$out"
}
k8s_schemas "$K8S_OLDEST_VERSION" "$K8S_SCHEMA_DIR_OLDEST"
k8s_schemas "$K8S_NEWEST_VERSION" "$K8S_SCHEMA_DIR_NEWEST"

if [ -f "$CRD_SCHEMA_DIR/crd-versions.json" ]; then
  log "cached   CRD schemas"
else
  [ -d "$CRDS_DIR" ] || { echo "install: CRD folder $CRDS_DIR not found (set CRDS_DIR)" >&2; exit 1; }
  tmp="$CRD_SCHEMA_DIR.tmp.$$"
  node "$here/gen-schemas.js" crds "$CRDS_DIR" "$tmp"
  rm -rf "$CRD_SCHEMA_DIR"
  mv "$tmp" "$CRD_SCHEMA_DIR"
fi

if [ -f "$LIFECYCLE_FILE" ]; then
  log "cached   apiVersion lifecycle data"
else
  api_dir=$(module_dir "k8s.io/api@$K8S_API_MODULE_VERSION")
  old_dir=$(module_dir "k8s.io/kubernetes@v$K8S_OLDEST_VERSION")
  new_dir=$(module_dir "k8s.io/kubernetes@v$K8S_NEWEST_VERSION")
  node "$here/gen-schemas.js" lifecycle "$api_dir" "$K8S_API_MODULE_VERSION" "$LIFECYCLE_FILE.tmp.$$" \
    "$K8S_OLDEST_VERSION=$old_dir/api/openapi-spec/swagger.json" "$K8S_NEWEST_VERSION=$new_dir/api/openapi-spec/swagger.json"
  mv "$LIFECYCLE_FILE.tmp.$$" "$LIFECYCLE_FILE"
fi

# Smoke test: the binaries run.
"$KUBECONFORM_BIN" -v >/dev/null
"$KUBE_SCORE_BIN" version >/dev/null
log "ready in $(( $(date +%s) - start ))s: kubeconform $KUBECONFORM_VERSION, kube-score $KUBE_SCORE_VERSION, schemas for Kubernetes $K8S_OLDEST_VERSION and $K8S_NEWEST_VERSION, cache $CACHE_DIR"
