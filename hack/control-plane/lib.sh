# Shared by install.sh, start.sh and test.sh. Source it; it defines variables and functions only.
# shellcheck shell=bash disable=SC2034 # (the variables are for the scripts that source it)
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

CP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Pinned versions. The Go modules in kube/ and kwok/ (go.mod + go.sum) are the source of truth;
# these are only used in messages and checked against the binaries' --version output.
KUBERNETES_VERSION=v1.37.2
ETCD_VERSION=v3.7.0
KWOK_VERSION=v0.8.0
GO_MIN_VERSION=1.26.0

# -s -w: no symbol tables (smaller, faster link). The -X flags stamp the release into the binaries,
# as Kubernetes' own build does (otherwise /version and `kubectl version` say v0.0.0-master);
# the linker ignores them in etcd and kwok, which lack those packages.
CP_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  CP_LDFLAGS+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION") -X $pkg.gitTreeState=clean"
done

# Never fetch another Go toolchain behind our back, and never change go.mod/go.sum while building.
go_env

# The directory holding the binaries for the current pins: a hash of everything that decides
# what gets built, so a changed go.mod/go.sum or Go version gives a new directory.
cp_bin_dir() {
  local key
  key=$( { cat "$CP_DIR/kube/go.mod" "$CP_DIR/kube/go.sum" "$CP_DIR/kwok/go.mod" "$CP_DIR/kwok/go.sum";
           go env GOVERSION GOOS GOARCH; echo "build-flags: -trimpath -ldflags=$CP_LDFLAGS"; } | sha256sum | cut -c1-16)
  echo "$CACHE_ROOT/bin/$key"
}

CP_BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
