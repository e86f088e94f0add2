# Shared by install.sh, start.sh and test.sh. Source it; it defines variables and functions only.
# shellcheck shell=bash disable=SC2034 # (the variables are for the scripts that source it)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

CP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Pinned versions. The Go modules in kube/, kwok/, argocd/ and keda/ (go.mod + go.sum) are the
# source of truth; these are used in messages, checked against go.mod by install.sh and stamped
# into the binaries.
KUBERNETES_VERSION=v1.37.2
ETCD_VERSION=v3.7.0
KWOK_VERSION=v0.8.0
ARGOCD_VERSION=v3.6.1
KEDA_VERSION=v2.20.2
# The real nodes (install.sh nodes): kubelet and kube-proxy from kubelet/ (the same k8s.io/kubernetes
# as kube/, in a module of its own so that adding them does not rebuild the control plane), and the
# three add-ons from their own small modules.
COREDNS_VERSION=v1.15.0
METRICS_SERVER_VERSION=v0.8.0
KUBE_ROUTER_VERSION=v2.1.0
# The pause image's version, as k8s.io/kubernetes v1.37.2 names it (build/pause/Makefile, TAG).
PAUSE_VERSION=3.10.2
GO_MIN_VERSION=1.26.0
# Argo CD v3.6 requires Go >= 1.27: its module alone is built with this toolchain, which the go
# command downloads from the module proxy (golang.org/toolchain) the first time.
ARGOCD_GOTOOLCHAIN=go1.27.3

# -s -w: no symbol tables (smaller, faster link). The -X flags stamp the release into the binaries,
# as Kubernetes' own build does (otherwise /version and `kubectl version` say v0.0.0-master);
# the linker ignores them in etcd and kwok, which lack those packages.
CP_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  CP_LDFLAGS+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION") -X $pkg.gitTreeState=clean"
done
# Argo CD and KEDA stamp their release the way their Makefiles do. Both are built without cgo, as
# their release images are.
ARGOCD_LDFLAGS="-s -w -X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}"
KEDA_LDFLAGS="-s -w -X github.com/kedacore/keda/v2/version.Version=${KEDA_VERSION#v}"
# The node binaries are static (no cgo), so that the CoreDNS binary runs in an image that holds
# nothing else. kubelet and kube-proxy get the control plane's version stamps. The control plane is
# built without cgo too, as Kubernetes' releases are: then the packages kubelet shares with it (client-go,
# the API types, most of k8s.io/kubernetes) come from Go's build cache, and kubelet's build takes about
# 30 s of CPU instead of 300 on a cold machine (docs/CI.md).
COREDNS_LDFLAGS="-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"
KUBE_ROUTER_LDFLAGS="-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"

# Never fetch another Go toolchain behind our back, and never change go.mod/go.sum while building.
go_env

CP_BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
ARGOCD_BINARIES=(argocd git-verify-wrapper.sh)
KEDA_BINARIES=(keda-operator keda-adapter)
# The images are OCI archives that start.sh imports into each node's containerd (no registry).
NODES_BINARIES=(kubelet kube-proxy coredns metrics-server kube-router pause.oci.tar coredns.oci.tar busybox.oci.tar)
PAUSE_IMAGE=registry.k8s.io/pause:$PAUSE_VERSION
COREDNS_IMAGE=picvario.test/coredns:$COREDNS_VERSION
BUSYBOX_IMAGE=picvario.test/busybox:${APT_PINS[busybox-static]}

# The directory holding the binaries for the current pins: a hash of everything that decides
# what gets built, so a changed go.mod/go.sum or Go version gives a new directory.
cp_bin_dir() {
  local key
  key=$( { cat "$CP_DIR/kube/go.mod" "$CP_DIR/kube/go.sum" "$CP_DIR/kwok/go.mod" "$CP_DIR/kwok/go.sum";
           go env GOVERSION GOOS GOARCH; echo "build-flags: CGO_ENABLED=0 -trimpath -ldflags=$CP_LDFLAGS"; } | sha256sum | cut -c1-16)
  echo "$CACHE_ROOT/bin/$key"
}

# The same for Argo CD (built with its own toolchain) and KEDA (built with the machine's).
argocd_bin_dir() {
  local key
  key=$( { cat "$CP_DIR/argocd/go.mod" "$CP_DIR/argocd/go.sum" "$CP_DIR/argocd/main.go";
           (cd "$CP_DIR/argocd" && GOTOOLCHAIN=$ARGOCD_GOTOOLCHAIN go env GOVERSION GOOS GOARCH);
           echo "build-flags: CGO_ENABLED=0 -trimpath -ldflags=$ARGOCD_LDFLAGS";
           echo "packages: ${ARGOCD_BINARIES[*]}"; } | sha256sum | cut -c1-16)
  echo "$CACHE_ROOT/bin/argocd-$key"
}

keda_bin_dir() {
  local key
  key=$( { cat "$CP_DIR/keda/go.mod" "$CP_DIR/keda/go.sum";
           go env GOVERSION GOOS GOARCH;
           echo "build-flags: CGO_ENABLED=0 -trimpath -ldflags=$KEDA_LDFLAGS";
           echo "packages: ${KEDA_BINARIES[*]}"; } | sha256sum | cut -c1-16)
  echo "$CACHE_ROOT/bin/keda-$key"
}

# The same for the real nodes: the four modules, the image recipe (oci.sh) and the Debian busybox
# packed into the test image.
nodes_bin_dir() {
  local key m
  key=$( { for m in kubelet coredns metrics-server kube-router; do cat "$CP_DIR/$m/go.mod" "$CP_DIR/$m/go.sum"; done
           cat "$CP_DIR/oci.sh"; echo "busybox-static $(apt_version busybox-static)"
           go env GOVERSION GOOS GOARCH;
           echo "build-flags: CGO_ENABLED=0 -trimpath $CP_LDFLAGS $COREDNS_LDFLAGS $KUBE_ROUTER_LDFLAGS";
           echo "files: ${NODES_BINARIES[*]} $PAUSE_IMAGE $COREDNS_IMAGE"; } | sha256sum | cut -c1-16)
  echo "$CACHE_ROOT/bin/nodes-$key"
}
