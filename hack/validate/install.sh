#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs everything the validation gate needs, into $CACHE_ROOT (hack/lib/common.sh):
#   - kubeconform, kube-score and cyclonus, built with `go install` at the versions pinned in versions.env,
#     into $CACHE_ROOT/bin/<tool>-<version>/;
#   - trivy's Kubernetes scanner (trivy-k8s-config), built from the module in hack/validate/trivy, which
#     requires the pinned trivy release, into $CACHE_ROOT/bin/trivy-k8s-config-<version>-<hash of its sources>/;
#   - kubeconform JSON schemas generated from the OpenAPI spec in the k8s.io/kubernetes module
#     (oldest and newest pinned release), plain and -strict;
#   - JSON schemas for the CRDs in ../shared/crds (KEDA, Argo CD, External Secrets);
#   - apiVersion lifecycle data generated from the k8s.io/api module.
# Idempotent: every entry is keyed by tool/version (or by a hash of its inputs) and is skipped when present,
# so a second run takes about a second. Needs only the Go module proxy and, on a machine without
# node_modules, the npm registry. A cold build prints each tool's wall and CPU time.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=compiled.sh
source "$(dirname "${BASH_SOURCE[0]}")/compiled.sh"
cd "$REPO_ROOT"
here=hack/validate
# shellcheck source=versions.env
source "$here/versions.env"
start=$(date +%s)

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    die install "the Go toolchain (go 1.26 or newer) is not on PATH; the validators are built with it"
  fi
fi
command -v node >/dev/null 2>&1 || die install "node is not on PATH"
if [ ! -f node_modules/yaml/package.json ]; then
  log install "node_modules/yaml missing: npm ci"
  npm ci --no-audit --no-fund
fi
go_env

# The cache paths and the schema generators are the gate's compiled TypeScript (lib/validate/).
ensure_compiled install
eval "$(node lib/validate/cli.js paths)"
[ "$CACHE_DIR" = "$CACHE_ROOT" ] || die install "src/validate/setup.ts caches in $CACHE_DIR but hack/lib/common.sh says $CACHE_ROOT"
mkdir -p "$CACHE_DIR"
# One install at a time (the test suite and the bootstrap may start it together).
exec 9>"$CACHE_DIR/.install.lock"
flock -w 1800 9 || die install "could not lock $CACHE_DIR/.install.lock"

# go_build <module/cmd path> <version> <target binary>: go install into a temporary GOBIN, then move the
# binary into place, so an interrupted build never leaves a half-written cache entry. LDFLAGS_VERSION
# stamps the version the way each project's release build does.
go_build() {
  local pkg=$1 version=$2 target=$3
  if [ -x "$target" ]; then
    log install "cached   $(basename "$target") $version"
    return
  fi
  local tmp times
  tmp=$(mktemp -d "$CACHE_DIR/.build.XXXXXX")
  times="$tmp/time"
  log install "building $(basename "$target") $version (go install $pkg@$version)"
  env GOBIN="$tmp" /usr/bin/time -f '%e %U %S' -o "$times" \
    nice -n 10 go install -trimpath -ldflags "-s -w ${LDFLAGS_VERSION:-}" "$pkg@$version"
  mkdir -p "$(dirname "$target")"
  mv "$tmp/$(basename "$target")" "$target"
  local wall user sys
  read -r wall user sys <"$times"
  rm -rf "$tmp"
  log install "built    $(basename "$target") $version: wall ${wall}s, CPU $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')s (user ${user}s, sys ${sys}s)"
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

command -v /usr/bin/time >/dev/null 2>&1 || apt_ensure install time
LDFLAGS_VERSION="-X main.version=$KUBECONFORM_VERSION" go_build "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" "$KUBECONFORM_BIN"
LDFLAGS_VERSION="-X main.version=$KUBE_SCORE_VERSION" go_build "$KUBE_SCORE_MODULE" "$KUBE_SCORE_VERSION" "$KUBE_SCORE_BIN"
# trivy_build: the module in $TRIVY_MODULE_DIR (a main on trivy's Kubernetes scanner, a quarter of the
# packages of the trivy command), with go.sum as it is: nothing is resolved anew. The version is stamped
# without the "v", as trivy's release build does: the embedded checks' minimum-version filter cannot
# parse it otherwise.
trivy_build() {
  if [ -x "$TRIVY_BIN" ]; then
    log install "cached   $(basename "$TRIVY_BIN") (trivy $TRIVY_VERSION)"
    return
  fi
  local mod=$REPO_ROOT/$TRIVY_MODULE_DIR required tmp times wall user sys
  (cd "$mod" && nice -n 10 go mod download) || die install "go mod download in $TRIVY_MODULE_DIR failed"
  required=$(cd "$mod" && GOEXPERIMENT=jsonv2 go list -m -f '{{.Version}}' github.com/aquasecurity/trivy)
  [ "$required" = "$TRIVY_VERSION" ] ||
    die install "$TRIVY_MODULE_DIR/go.mod requires trivy $required but versions.env pins $TRIVY_VERSION: change both together"
  tmp=$(mktemp -d "$CACHE_DIR/.build.XXXXXX")
  times="$tmp/time"
  log install "building $(basename "$TRIVY_BIN") (trivy $TRIVY_VERSION's Kubernetes scanner, go build in $TRIVY_MODULE_DIR with GOEXPERIMENT=jsonv2)"
  (cd "$mod" && GOEXPERIMENT=jsonv2 /usr/bin/time -f '%e %U %S' -o "$times" nice -n 10 go build -trimpath \
    -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" -o "$tmp/bin" .)
  mkdir -p "$(dirname "$TRIVY_BIN")"
  mv "$tmp/bin" "$TRIVY_BIN"
  read -r wall user sys <"$times"
  rm -rf "$tmp"
  log install "built    $(basename "$TRIVY_BIN"): wall ${wall}s, CPU $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')s (user ${user}s, sys ${sys}s)"
}
trivy_build
LDFLAGS_VERSION="-X github.com/mattfenwick/cyclonus/pkg/cli.version=$CYCLONUS_VERSION" \
  go_build "$CYCLONUS_MODULE" "$CYCLONUS_VERSION" "$CYCLONUS_BIN"

# k8s_schemas <version> <out dir>
k8s_schemas() {
  local version=$1 out=$2
  if [ -f "$out/done" ]; then
    log install "cached   Kubernetes $version schemas"
    return
  fi
  local dir
  dir=$(module_dir "k8s.io/kubernetes@v$version")
  local tmp="$out.tmp.$$"
  rm -rf "$tmp"
  node lib/validate/schemas.js k8s "$dir/api/openapi-spec/swagger.json" "$tmp" "$version"
  touch "$tmp/done"
  rm -rf "$out"
  mv "$tmp" "$out"
}
k8s_schemas "$K8S_OLDEST_VERSION" "$K8S_SCHEMA_DIR_OLDEST"
k8s_schemas "$K8S_NEWEST_VERSION" "$K8S_SCHEMA_DIR_NEWEST"

if [ -f "$CRD_SCHEMA_DIR/crd-versions.json" ]; then
  log install "cached   CRD schemas"
else
  [ -d "$CRDS_DIR" ] || die install "CRD folder $CRDS_DIR not found (set CRDS_DIR)"
  tmp="$CRD_SCHEMA_DIR.tmp.$$"
  node lib/validate/schemas.js crds "$CRDS_DIR" "$tmp"
  rm -rf "$CRD_SCHEMA_DIR"
  mv "$tmp" "$CRD_SCHEMA_DIR"
fi

if [ -f "$LIFECYCLE_FILE" ]; then
  log install "cached   apiVersion lifecycle data"
else
  api_dir=$(module_dir "k8s.io/api@$K8S_API_MODULE_VERSION")
  old_dir=$(module_dir "k8s.io/kubernetes@v$K8S_OLDEST_VERSION")
  new_dir=$(module_dir "k8s.io/kubernetes@v$K8S_NEWEST_VERSION")
  node lib/validate/schemas.js lifecycle "$api_dir" "$K8S_API_MODULE_VERSION" "$LIFECYCLE_FILE.tmp.$$" \
    "$K8S_OLDEST_VERSION=$old_dir/api/openapi-spec/swagger.json" "$K8S_NEWEST_VERSION=$new_dir/api/openapi-spec/swagger.json"
  mv "$LIFECYCLE_FILE.tmp.$$" "$LIFECYCLE_FILE"
fi

# Smoke test: the binaries run.
"$KUBECONFORM_BIN" -v >/dev/null
"$KUBE_SCORE_BIN" version >/dev/null
[ "$("$TRIVY_BIN" --version)" = "${TRIVY_VERSION#v}" ] || die install "$TRIVY_BIN does not report trivy ${TRIVY_VERSION#v}"
"$CYCLONUS_BIN" version >/dev/null 2>&1
log install "ready in $(( $(date +%s) - start ))s: kubeconform $KUBECONFORM_VERSION, kube-score $KUBE_SCORE_VERSION, trivy $TRIVY_VERSION, cyclonus $CYCLONUS_VERSION, schemas for Kubernetes $K8S_OLDEST_VERSION and $K8S_NEWEST_VERSION, cache $CACHE_DIR"
