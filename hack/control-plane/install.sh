#!/usr/bin/env bash
# Installs everything `npm run test:cluster` needs, on a fresh machine or again on this one:
#
#   hack/control-plane/install.sh [control-plane] [argocd] [keda] [nodes]
#                                                   (default: the first three; nodes only on request)
#
#   control-plane  Debian's openssl, curl, procps, util-linux; etcd, kube-apiserver,
#                  kube-controller-manager, kube-scheduler and kubectl built from the pinned Go
#                  module in kube/ (k8s.io/kubernetes v1.37.2, go.etcd.io/etcd/server/v3 v3.7.0), and
#                  kwok from kwok/ (sigs.k8s.io/kwok v0.8.0), with kwok's "fast" stages.
#   argocd         Debian's git and redis-server; the `argocd` binary from argocd/
#                  (github.com/argoproj/argo-cd/v3 v3.6.1, Go 1.27 toolchain) and its
#                  git-verify-wrapper.sh, which the repo server runs.
#   keda           Debian's redis-server and rabbitmq-server (the brokers the KEDA tests scale on);
#                  keda-operator and keda-adapter from keda/ (github.com/kedacore/keda/v2 v2.20.2).
#   nodes          what start.sh's real nodes (CP_WITH_NODES=1) run: Debian's containerd, runc, CNI
#                  plugins, iptables, ipset, conntrack, iproute2, busybox-static and gcc; kubelet and
#                  kube-proxy from kubelet/ (k8s.io/kubernetes v1.37.2), CoreDNS v1.15.0 from coredns/ (its main.go:
#                  the Corefile's plugins only),
#                  metrics-server v0.8.0 from metrics-server/, kube-router v2.1.0 from kube-router/;
#                  and three OCI image archives: the pause image (Kubernetes' pause.c, gcc -static),
#                  CoreDNS (its static binary alone) and a busybox image (Debian's busybox-static).
#
# Binaries go to ${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/bin/<hash>/ (argocd-<hash>/,
# keda-<hash>/, nodes-<hash>/), never into the repository; the hash covers go.mod, go.sum, the Go version and the
# build flags. A directory counts only with its .complete marker. Builds run under nice and print
# the wall and CPU time of each step; a lock per component keeps two installs from building the same
# thing, and lets installs of different components build side by side.
# Idempotent: with everything cached it returns in well under a second. Prints one line per
# component on stdout: CP_BIN_DIR=..., CP_ARGOCD_BIN_DIR=..., CP_KEDA_BIN_DIR=..., CP_NODES_BIN_DIR=...
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# shellcheck source=oci.sh
source "$(dirname "$0")/oci.sh"
P=control-plane

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(control-plane argocd keda)
debs=()
for c in "${components[@]}"; do
  case "$c" in
    control-plane) debs+=(openssl curl procps util-linux) ;;
    argocd) debs+=(git redis-server) ;;
    keda) debs+=(redis-server rabbitmq-server) ;;
    nodes) debs+=(containerd runc containernetworking-plugins iptables ipset conntrack iproute2 busybox-static gcc libc6-dev) ;;
    *) die "$P" "unknown component '$c' (control-plane, argocd, keda or nodes)" ;;
  esac
done
# util-linux brings flock, setsid and setpriv, which install.sh and start.sh use.
apt_ensure "$P" "${debs[@]}"
for tool in flock sha256sum; do
  command -v "$tool" >/dev/null || die "$P" "missing '$tool' (Debian packages util-linux, coreutils)"
done

command -v go >/dev/null || die "$P" "Go >= $GO_MIN_VERSION is required (the go command is missing)"
go_version=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$go_version" | sort -V | head -1)" != "$GO_MIN_VERSION" ]; then
  die "$P" "Go >= $GO_MIN_VERSION is required, found $go_version"
fi

pin() { # <module dir> <module path> <version>: go.mod must require what lib.sh names
  # In a require block, or on a require line of its own (go mod tidy writes a lone requirement so).
  grep -Eq "^(\s*|require )$2 $3( |\$)" "$CP_DIR/$1/go.mod" || die "$P" "$1/go.mod does not require $2 $3 (update lib.sh with it)"
}
pin kube k8s.io/kubernetes "$KUBERNETES_VERSION"
pin kube go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
pin kwok sigs.k8s.io/kwok "$KWOK_VERSION"
pin argocd github.com/argoproj/argo-cd/v3 "$ARGOCD_VERSION"
pin keda github.com/kedacore/keda/v2 "$KEDA_VERSION"
pin kubelet k8s.io/kubernetes "$KUBERNETES_VERSION"
pin coredns github.com/coredns/coredns "$COREDNS_VERSION"
pin metrics-server sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION"
pin kube-router github.com/cloudnativelabs/kube-router/v2 "$KUBE_ROUTER_VERSION"

bin_dir() { # <component>
  case "$1" in
    control-plane) cp_bin_dir ;;
    argocd) argocd_bin_dir ;;
    keda) keda_bin_dir ;;
    nodes) nodes_bin_dir ;;
  esac
}
binaries() { # <component>: the files its directory must hold
  case "$1" in
    control-plane) echo "${CP_BINARIES[*]} kwok-stages.yaml" ;;
    argocd) echo "${ARGOCD_BINARIES[*]}" ;;
    keda) echo "${KEDA_BINARIES[*]}" ;;
    nodes) echo "${NODES_BINARIES[*]}" ;;
  esac
}
env_name() { # <component>: the variable test.sh and start.sh read
  case "$1" in
    control-plane) echo CP_BIN_DIR ;;
    argocd) echo CP_ARGOCD_BIN_DIR ;;
    keda) echo CP_KEDA_BIN_DIR ;;
    nodes) echo CP_NODES_BIN_DIR ;;
  esac
}
is_complete() { # <dir> <component>
  local f
  [ -f "$1/.complete" ] || return 1
  for f in $(binaries "$2"); do [ -s "$1/$f" ] || return 1; done
}

# build <label> <module dir> <output> <package> <ldflags> [VAR=value...]: one timed, niced go build.
build() {
  local label=$1 mod=$2 out=$3 pkg=$4 ldflags=$5
  shift 5
  log "$P" "  go build $pkg ($mod/${*:+, $*})"
  local TIMEFORMAT="time: go build $label: %1R s wall, %1U s user + %1S s system CPU"
  time (cd "$CP_DIR/$mod" && env "$@" nice -n 10 go build -trimpath -ldflags="$ldflags" -o "$out" "$pkg")
}

build_control_plane() { # <tmp dir>
  local tmp=$1 b
  (cd "$CP_DIR/kube" && go mod download) # fails here if go.sum is missing a line: nothing is resolved anew
  (cd "$CP_DIR/kwok" && go mod download)
  for b in etcd:go.etcd.io/etcd/server/v3 kube-apiserver:k8s.io/kubernetes/cmd/kube-apiserver \
    kube-controller-manager:k8s.io/kubernetes/cmd/kube-controller-manager \
    kube-scheduler:k8s.io/kubernetes/cmd/kube-scheduler kubectl:k8s.io/kubernetes/cmd/kubectl; do
    build "${b%%:*}" kube "$tmp/${b%%:*}" "${b#*:}" "$CP_LDFLAGS" CGO_ENABLED=0
  done
  build kwok kwok "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok "$CP_LDFLAGS" CGO_ENABLED=0
  # kwok runs no lifecycle without Stage objects: take its own "fast" stages (nodes become Ready and
  # renew a Lease; pods become Running and Ready at once, Job pods complete, deleted pods go away)
  # from the pinned module source.
  local kwok_src stage
  kwok_src=$(cd "$CP_DIR/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    [ -f "$kwok_src/kustomize/stage/$stage.yaml" ] || die "$P" "kwok stage $stage.yaml not found in $kwok_src"
    echo "---"
    cat "$kwok_src/kustomize/stage/$stage.yaml"
  done > "$tmp/kwok-stages.yaml"
}

build_argocd() { # <tmp dir>
  local tmp=$1 src
  # The first call downloads the Go toolchain named by ARGOCD_GOTOOLCHAIN from the module proxy.
  (cd "$CP_DIR/argocd" && GOTOOLCHAIN=$ARGOCD_GOTOOLCHAIN go mod download)
  # main.go links only the application controller, the repo server and the ApplicationSet controller,
  # not the rest of Argo CD's multi-call binary (CLI, API server, notifications controller), which
  # the suites never start.
  build argocd argocd "$tmp/argocd" . "$ARGOCD_LDFLAGS" \
    "GOTOOLCHAIN=$ARGOCD_GOTOOLCHAIN" CGO_ENABLED=0
  # The repo server runs this script (from its PATH) for every revision it checks out.
  src=$(cd "$CP_DIR/argocd" && GOTOOLCHAIN=$ARGOCD_GOTOOLCHAIN go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)
  [ -f "$src/hack/git-verify-wrapper.sh" ] || die "$P" "hack/git-verify-wrapper.sh not found in $src"
  install -m 755 "$src/hack/git-verify-wrapper.sh" "$tmp/git-verify-wrapper.sh"
}

build_keda() { # <tmp dir>
  local tmp=$1
  (cd "$CP_DIR/keda" && go mod download)
  build keda-operator keda "$tmp/keda-operator" github.com/kedacore/keda/v2/cmd/operator "$KEDA_LDFLAGS" \
    CGO_ENABLED=0
  build keda-adapter keda "$tmp/keda-adapter" github.com/kedacore/keda/v2/cmd/adapter "$KEDA_LDFLAGS" \
    CGO_ENABLED=0
}

build_nodes() { # <tmp dir>
  local tmp=$1 m src rootfs
  for m in kubelet coredns metrics-server kube-router; do (cd "$CP_DIR/$m" && go mod download); done
  build kubelet kubelet "$tmp/kubelet" k8s.io/kubernetes/cmd/kubelet "$CP_LDFLAGS" CGO_ENABLED=0
  build kube-proxy kubelet "$tmp/kube-proxy" k8s.io/kubernetes/cmd/kube-proxy "$CP_LDFLAGS" CGO_ENABLED=0
  # Our main.go: the Corefile's plugins only, not upstream's every plugin.
  build coredns coredns "$tmp/coredns" . "$COREDNS_LDFLAGS" CGO_ENABLED=0
  build metrics-server metrics-server "$tmp/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server "-s -w" CGO_ENABLED=0
  build kube-router kube-router "$tmp/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
    "$KUBE_ROUTER_LDFLAGS" CGO_ENABLED=0

  # The pause image from the pinned Kubernetes source, built as its Makefile does (gcc -static).
  src=$(cd "$CP_DIR/kubelet" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
  [ -f "$src/build/pause/linux/pause.c" ] || die "$P" "build/pause/linux/pause.c not found in $src"
  rootfs=$tmp/rootfs
  mkdir -p "$rootfs"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$rootfs/pause" "$src/build/pause/linux/pause.c"
  oci_archive "$rootfs" "$PAUSE_IMAGE" "$tmp/pause.oci.tar" '["/pause"]'
  rm -rf "$rootfs"
  # CoreDNS: its static binary alone; the Corefile comes from a ConfigMap.
  mkdir -p "$rootfs"
  cp "$tmp/coredns" "$rootfs/coredns"
  oci_archive "$rootfs" "$COREDNS_IMAGE" "$tmp/coredns.oci.tar" '["/coredns"]'
  rm -rf "$rootfs"
  # The suite's own image: Debian's static busybox with its applets (sh, httpd, nc, nslookup, wget).
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$rootfs/etc/passwd"
  oci_archive "$rootfs" "$BUSYBOX_IMAGE" "$tmp/busybox.oci.tar" '["/bin/sh"]'
  rm -rf "$rootfs"
}

declare -A dirs
missing=()
for c in "${components[@]}"; do
  dirs[$c]=$(bin_dir "$c")
  is_complete "${dirs[$c]}" "$c" || missing+=("$c")
done

if [ ${#missing[@]} -gt 0 ]; then
  mkdir -p "$CACHE_ROOT/bin"
  tmp=
  trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT
  for c in "${missing[@]}"; do
    # One lock per component: two installs never build the same one, and builds of different
    # components (test-all.sh builds Argo CD and KEDA side by side) do not wait for each other.
    lock="$CACHE_ROOT/.install-$c.lock"
    exec 9>"$lock"
    if ! flock -n 9; then
      log "$P" "another install holds $lock: waiting for it (up to 3 h)"
      flock -w 10800 9 || die "$P" "could not lock $lock within 3 h"
    fi
    bin=${dirs[$c]}
    if is_complete "$bin" "$c"; then
      log "$P" "$c: built meanwhile by another install, in $bin"
      exec 9>&-
      continue
    fi
    log "$P" "$c: building into $bin (the first build takes a while; see docs/CONTROL-PLANE.md)"
    tmp=$(mktemp -d "$CACHE_ROOT/bin/.build.XXXXXX")
    TIMEFORMAT="time: $c: %1R s wall, %1U s user + %1S s system CPU in all"
    time "build_${c//-/_}" "$tmp"
    touch "$tmp/.complete"
    rm -rf "$bin"
    mv "$tmp" "$bin"
    tmp=
    log "$P" "$c: $(du -sh "$bin" | cut -f1) in $bin"
    exec 9>&-
  done
fi

for c in "${components[@]}"; do
  log "$P" "$c: binaries in ${dirs[$c]}"
  echo "$(env_name "$c")=${dirs[$c]}"
done
