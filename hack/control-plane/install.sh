#!/usr/bin/env bash
# Installs everything `npm run test:cluster` needs, on a fresh machine or again on this one:
#   - Debian packages it uses (openssl, curl, procps for pgrep, util-linux), if missing, through
#     apt_ensure of hack/lib/common.sh;
#   - etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl built from the
#     pinned Go module in kube/ (k8s.io/kubernetes v1.37.2, go.etcd.io/etcd/server/v3 v3.7.0);
#   - kwok built from the pinned Go module in kwok/ (sigs.k8s.io/kwok v0.8.0).
# Binaries go to ${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/bin/<hash of the pins>/,
# never into the repository. Idempotent: with the binaries cached it returns in about a second.
# Prints the binary directory on stdout as its last line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

P=control-plane
# util-linux brings setsid and setpriv, which start.sh uses.
apt_ensure "$P" openssl curl procps util-linux

command -v go >/dev/null || die "$P" "Go >= $GO_MIN_VERSION is required (the go command is missing)"
go_version=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$go_version" | sort -V | head -1)" != "$GO_MIN_VERSION" ]; then
  die "$P" "Go >= $GO_MIN_VERSION is required, found $go_version"
fi

grep -Eq "k8s.io/kubernetes $KUBERNETES_VERSION( |\$)" "$CP_DIR/kube/go.mod" || die "$P" "kube/go.mod does not require k8s.io/kubernetes $KUBERNETES_VERSION (update lib.sh with it)"
grep -Eq "go.etcd.io/etcd/server/v3 $ETCD_VERSION( |\$)" "$CP_DIR/kube/go.mod" || die "$P" "kube/go.mod does not require etcd $ETCD_VERSION (update lib.sh with it)"
grep -Eq "sigs.k8s.io/kwok $KWOK_VERSION( |\$)" "$CP_DIR/kwok/go.mod" || die "$P" "kwok/go.mod does not require kwok $KWOK_VERSION (update lib.sh with it)"

bin=$(cp_bin_dir)
complete=1
for b in "${CP_BINARIES[@]}"; do [ -x "$bin/$b" ] || complete=0; done
[ -f "$bin/.complete" ] && [ -f "$bin/kwok-stages.yaml" ] || complete=0
if [ "$complete" = 1 ]; then
  log "$P" "binaries cached in $bin"
  echo "$bin"
  exit 0
fi

log "$P" "building the control plane into $bin (first build takes a while; see docs/CONTROL-PLANE.md)"
start=$(date +%s)
mkdir -p "$CACHE_ROOT/bin"
tmp=$(mktemp -d "$CACHE_ROOT/bin/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
build() { # <module dir> <output> <package>
  log "$P" "  go build $3"
  (cd "$CP_DIR/$1" && nice -n 10 go build -trimpath -ldflags="$CP_LDFLAGS" -o "$tmp/$2" "$3")
}
(cd "$CP_DIR/kube" && go mod download) # fails here if go.sum is missing a line: nothing is resolved anew
(cd "$CP_DIR/kwok" && go mod download)
build kube etcd go.etcd.io/etcd/server/v3
build kube kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
build kube kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler
build kube kubectl k8s.io/kubernetes/cmd/kubectl
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
# kwok runs no lifecycle without Stage objects: take its own "fast" stages (nodes become Ready and
# renew a Lease; pods become Running and Ready at once, Job pods complete, deleted pods go away)
# from the pinned module source.
kwok_src=$(cd "$CP_DIR/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
  pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
  [ -f "$kwok_src/kustomize/stage/$stage.yaml" ] || die "$P" "kwok stage $stage.yaml not found in $kwok_src"
  echo "---"
  cat "$kwok_src/kustomize/stage/$stage.yaml"
done > "$tmp/kwok-stages.yaml"
touch "$tmp/.complete"
rm -rf "$bin"
mv "$tmp" "$bin"
trap - EXIT
log "$P" "built in $(( $(date +%s) - start ))s"
echo "$bin"
