# The real nodes of start.sh (CP_WITH_NODES=1). Sourced by start.sh after lib.sh; it defines
# variables and functions only, and uses start.sh's WORK, PKI, BIN, launch, wait_cmd and log.
#
# Two kubelets in two zones, each in a network namespace of its own with its own containerd, CNI
# bridge, kube-proxy (iptables mode) and kube-router (NetworkPolicy firewall only), joined by veths
# to a bridge in the host namespace. Every address is in 198.18.0.0/15 (RFC 2544, reserved for
# tests):
#   198.18.0.1/24      the host side (bridge pcp-br0): the API server listens here too, and so may a
#                      test registry (CP_REGISTRY)
#   198.18.0.2, .3     the nodes (eth0 in netns pcp-node-a, pcp-node-b); kubelet on :10250
#   198.18.1.0/24,     their pod CIDRs; each node routes the other's through the other node's
#   198.18.2.0/24      address on the shared bridge, so the host forwards nothing (ip_forward stays);
#                      the host routes them through the nodes too, to answer pods
#   198.19.0.0/16      the Service CIDR (kubernetes 198.19.0.1, kube-dns 198.19.0.10)
#   203.0.113.0/24     test hosts on the host side (RFC 5737), routed through 198.18.0.1: the shop
#                      suite's PostgreSQL, Redis and S3 (shop-hosts.sh). Not 192.0.2.0/24: a
#                      machine's own network may be there (this one's eth0 is 192.0.2.2/24)
# A node's namespace has routes to these ranges only, no default route.
# Only one start.sh at a time can have real nodes (a lock), since the names and addresses are
# fixed; the lock also makes it safe to clean up what a SIGKILLed run left behind.
# shellcheck shell=bash disable=SC2034 # (the variables are for start.sh)

NODES_BRIDGE=pcp-br0
NODES_HOST_IP=198.18.0.1
NODES_PREFIX=24
NODE_NAMES=(pcp-node-a pcp-node-b)
declare -A NODE_IP=([pcp-node-a]=198.18.0.2 [pcp-node-b]=198.18.0.3)
declare -A NODE_POD_CIDR=([pcp-node-a]=198.18.1.0/24 [pcp-node-b]=198.18.2.0/24)
declare -A NODE_ZONE=([pcp-node-a]=zone-a [pcp-node-b]=zone-b)
NODES_CLUSTER_CIDR=198.18.0.0/16
SERVICE_CIDR=198.19.0.0/16
TEST_HOSTS_CIDR=203.0.113.0/24
KUBERNETES_SERVICE_IP=198.19.0.1
KUBE_DNS_IP=198.19.0.10
# Where containerd 1.6, its CNI library and the kubelet write whatever their configuration says:
# pod network namespaces, CNI result caches (containerd's own loopback network too), shim sockets,
# the kubelet's device plugin socket and its log symlinks. nodes_cleanup removes our entries
# there, and the folders themselves when this run created them (OUTSIDE_DIRS, deepest first).
NETNS_DIR=/var/run/netns
CNI_CACHE_DIR=/var/lib/cni/results
SHIM_SOCKET_DIR=/run/containerd/s
DEVICE_PLUGIN_SOCKET=/var/lib/kubelet/device-plugins/kubelet.sock
CONTAINER_LOG_LINKS=/var/log/containers
OUTSIDE_DIRS=(/var/lib/kubelet/device-plugins /var/lib/kubelet "$CONTAINER_LOG_LINKS" "$CNI_CACHE_DIR" /var/lib/cni
  "$SHIM_SOCKET_DIR" /run/containerd "$NETNS_DIR")
NODES_LOCK=$CACHE_ROOT/.nodes.lock

nodes_check() { # the binaries and tools the nodes need, before anything starts
  local b tool
  NODES_BIN=${CP_NODES_BIN_DIR:-$(nodes_bin_dir)}
  for b in "${NODES_BINARIES[@]}"; do
    [ -s "$NODES_BIN/$b" ] || die "$P" "missing $NODES_BIN/$b: run hack/control-plane/install.sh nodes first"
  done
  for tool in containerd containerd-shim-runc-v2 ctr runc ip nsenter iptables ipset flock mountpoint; do
    command -v "$tool" >/dev/null || die "$P" "missing '$tool' for the real nodes (hack/control-plane/install.sh nodes installs it)"
  done
  for b in bridge host-local portmap loopback; do
    [ -x "/usr/lib/cni/$b" ] || die "$P" "missing the CNI plugin /usr/lib/cni/$b (Debian's containernetworking-plugins)"
  done
  [ "$(id -u)" = 0 ] || die "$P" "real nodes need root (network namespaces, mounts, cgroups); run as root or without CP_WITH_NODES"
  [ -d /sys/fs/cgroup/memory ] || die "$P" "real nodes are set up for cgroup v1 (no /sys/fs/cgroup/memory here)"
  mkdir -p "$CACHE_ROOT"
  exec 8>"$NODES_LOCK"
  if ! flock -n 8; then
    log "$P" "another control plane with real nodes holds $NODES_LOCK: waiting for it (up to 30 min)"
    flock -w 1800 8 || die "$P" "could not lock $NODES_LOCK within 30 min"
  fi
}

# The certificates of the nodes (client and kubelet serving) and kube-proxy. Called inside gen_pki (in $PKI, with its cert function).
nodes_pki() {
  local client='basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=clientAuth' n
  for n in "${NODE_NAMES[@]}"; do
    cert "$n" "/O=system:nodes/CN=system:node:$n" "$client"
    cert "$n-serving" "/CN=$n" "$(printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature' \
      'extendedKeyUsage=serverAuth' "subjectAltName=IP:${NODE_IP[$n]},DNS:$n")"
  done
  cert kube-proxy "/CN=system:kube-proxy" "$client"
}

# --- cleanup (at the end of every run, and at the start for what a killed run left) -------------

# The pids in a node's cgroups (every v1 hierarchy), one a line.
node_cgroup_pids() { # <node>
  find /sys/fs/cgroup/*/"$1" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u
}

# True when a named network namespace is one of our pods': it holds an address of our pod CIDRs.
is_our_pod_netns() { # <netns name>
  ip -n "$1" -4 -o addr show 2>/dev/null | grep -Eq ' inet 198\.18\.(1|2)\.'
}

# shellcheck disable=SC2317 # (called from stop_all through the EXIT trap)
nodes_cleanup() {
  local n pid ns inode pod_inodes=() left sandbox link dir
  # Container processes first: they are in the nodes' cgroups, in no process group of ours. Their
  # network namespaces are recorded before they die (the netns files are bind mounts of them).
  for n in "${NODE_NAMES[@]}"; do
    for pid in $(node_cgroup_pids "$n"); do
      inode=$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) && pod_inodes+=("$inode")
    done
  done
  # The containerd shims, each in a session of its own, have our socket path on their command line.
  for pid in $(pgrep -f -- "$WORK/nodes/" || true); do kill -KILL "$pid" 2>/dev/null || true; done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=
    for n in "${NODE_NAMES[@]}"; do
      for pid in $(node_cgroup_pids "$n"); do kill -KILL "$pid" 2>/dev/null || true; left=1; done
    done
    [ -n "$left" ] || break
    sleep 0.3
  done
  # The pod sandboxes' CNI result cache entries (our networks and containerd's loopback).
  for n in "${NODE_NAMES[@]}"; do
    for sandbox in "$WORK/nodes/$n/containerd/root/io.containerd.grpc.v1.cri/sandboxes"/*; do
      [ -e "$sandbox" ] || continue
      basename "$sandbox" >>"$WORK/nodes/sandboxes"
      rm -f "$CNI_CACHE_DIR/cni-loopback-$(basename "$sandbox")-lo"
    done
  done
  # Pod network namespaces: bind mounts in $NETNS_DIR made by the CRI plugin.
  for ns in "$NETNS_DIR"/cni-*; do
    [ -e "$ns" ] || continue
    inode=$(stat -L -c %i "$ns" 2>/dev/null || true)
    if [[ " ${pod_inodes[*]} " == *" $inode "* ]] || is_our_pod_netns "$(basename "$ns")"; then
      umount "$ns" 2>/dev/null || true
      rm -f "$ns"
    fi
  done
  # Mounts under the nodes' folders (kubelet's root dir, volumes; containerd's overlays and shm),
  # deepest first.
  if [ -d "$WORK/nodes" ]; then
    awk -v root="$WORK/nodes/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
  fi
  for n in "${NODE_NAMES[@]}"; do
    # The node namespace takes its bridge, veths, iptables rules and ipsets with it.
    if [ -e "$NETNS_DIR/$n" ]; then ip netns delete "$n" 2>/dev/null || true; fi
    ip link delete "veth-$n" 2>/dev/null || true
    rm -f "$CNI_CACHE_DIR/$n"-*
    # The cgroups, deepest first (empty now).
    find /sys/fs/cgroup/*/"$n" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  ip link delete "$NODES_BRIDGE" 2>/dev/null || true
  # Shim sockets whose shim is gone, and the device plugin socket of a kubelet that is gone (ours,
  # since no other containerd or kubelet may run on a machine with real nodes).
  if [ -d "$SHIM_SOCKET_DIR" ] && ! pgrep -x containerd >/dev/null; then
    find "$SHIM_SOCKET_DIR" -maxdepth 1 -type s -delete 2>/dev/null || true
  fi
  if [ -S "$DEVICE_PLUGIN_SOCKET" ] && ! pgrep -x kubelet >/dev/null; then rm -f "$DEVICE_PLUGIN_SOCKET"; fi
  # The kubelets' symlinks to container logs: ours point into a work directory's nodes folder.
  for link in "$CONTAINER_LOG_LINKS"/*.log; do
    [ -L "$link" ] || continue
    case $(readlink "$link") in "$WORK/nodes/"* | */picvario-cp.*/nodes/pcp-node-*) rm -f "$link" ;; esac
  done
  if [ -f "$WORK/nodes/made-dirs" ]; then
    while read -r dir; do
      # `ip netns add` made the namespace folder a mount point of its own (once per namespace
      # added while it was empty, stacked).
      if [ "$dir" = "$NETNS_DIR" ]; then
        for _ in 1 2 3 4 5; do
          if ! mountpoint -q "$dir" || [ -n "$(ls -A "$dir")" ] || ! umount "$dir" 2>/dev/null; then break; fi
        done
      fi
      rmdir "$dir" 2>/dev/null || true
    done <"$WORK/nodes/made-dirs"
  fi
}

nodes_left() { # prints what cleanup failed to remove; empty when nothing
  local n ns
  for n in "${NODE_NAMES[@]}"; do
    [ ! -e "$NETNS_DIR/$n" ] || echo "network namespace $n"
    [ -z "$(node_cgroup_pids "$n")" ] || echo "processes in cgroup $n: $(node_cgroup_pids "$n" | xargs)"
    ! compgen -G "/sys/fs/cgroup/*/$n" >/dev/null || echo "cgroup folders $(compgen -G "/sys/fs/cgroup/*/$n" | xargs)"
    ! compgen -G "$CNI_CACHE_DIR/$n-*" >/dev/null || echo "CNI cache entries $CNI_CACHE_DIR/$n-*"
  done
  for ns in "$NETNS_DIR"/cni-*; do
    [ -e "$ns" ] && is_our_pod_netns "$(basename "$ns")" && echo "pod network namespace $ns"
  done
  ! ip link show "$NODES_BRIDGE" >/dev/null 2>&1 || echo "bridge $NODES_BRIDGE"
  [ ! -e "$DEVICE_PLUGIN_SOCKET" ] || echo "the kubelet's $DEVICE_PLUGIN_SOCKET"
  local link sandbox dir
  for link in "$CONTAINER_LOG_LINKS"/*.log; do
    [ -L "$link" ] && [[ $(readlink "$link") == "$WORK/nodes/"* ]] && echo "log symlink $link"
  done
  if [ -f "$WORK/nodes/sandboxes" ]; then
    while read -r sandbox; do
      ! compgen -G "$CNI_CACHE_DIR/*$sandbox*" >/dev/null || echo "CNI cache entries $CNI_CACHE_DIR/*$sandbox*"
    done <"$WORK/nodes/sandboxes"
  fi
  if [ -f "$WORK/nodes/made-dirs" ]; then
    while read -r dir; do [ ! -e "$dir" ] || echo "folder $dir (created by this run)"; done <"$WORK/nodes/made-dirs"
  fi
  [ ! -d "$WORK/nodes" ] || awk -v root="$WORK/nodes/" 'index($2, root) == 1 { print "mount " $2 }' /proc/self/mounts
}

# --- network, before the API server starts (it listens on the bridge address) -------------------
nodes_network() {
  local n
  nodes_cleanup # what a killed run left behind (we hold the lock)
  mkdir -p "$WORK/nodes"
  local dir
  for dir in "${OUTSIDE_DIRS[@]}"; do [ -e "$dir" ] || echo "$dir" >>"$WORK/nodes/made-dirs"; done
  ip link add "$NODES_BRIDGE" type bridge
  ip addr add "$NODES_HOST_IP/$NODES_PREFIX" dev "$NODES_BRIDGE"
  ip link set "$NODES_BRIDGE" up
  for n in "${NODE_NAMES[@]}"; do
    ip netns add "$n"
    ip link add "veth-$n" type veth peer name eth0 netns "$n"
    ip link set "veth-$n" master "$NODES_BRIDGE" up
    ip -n "$n" link set lo up
    ip -n "$n" addr add "${NODE_IP[$n]}/$NODES_PREFIX" dev eth0
    ip -n "$n" link set eth0 up
    # No default route: nothing in a node's namespace (containerd resolving a registry, a pod)
    # can reach an address outside the test ranges. Services need a route for the node's own
    # connections (kube-proxy rewrites the destination after the routing decision).
    ip -n "$n" route add "$SERVICE_CIDR" via "$NODES_HOST_IP"
    # Test hosts a suite serves on the host (shop-hosts.sh: PostgreSQL, Redis, S3 on addresses of
    # the bridge); without them the host owns no such address and forwards nothing, so it goes nowhere.
    ip -n "$n" route add "$TEST_HOSTS_CIDR" via "$NODES_HOST_IP"
    # Pods reach the pods of the other node through it, over the shared bridge.
    local other
    for other in "${NODE_NAMES[@]}"; do
      [ "$other" = "$n" ] || ip -n "$n" route add "${NODE_POD_CIDR[$other]}" via "${NODE_IP[$other]}"
    done
    ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1
    # The host answers pods (the API server, a registry) through their node; the route goes with
    # the bridge.
    ip route add "${NODE_POD_CIDR[$n]}" via "${NODE_IP[$n]}" dev "$NODES_BRIDGE"
  done
}

# Writes a node's configuration: containerd, CNI, registry mirrors, kubelet, kube-proxy.
node_config() { # <node>
  local n=$1 d=$WORK/nodes/$1
  mkdir -p "$d/containerd" "$d/cni/net.d" "$d/certs.d" "$d/kubelet" "$d/pki" "$d/volume-plugins" "$d/pod-logs" "$d/runc"
  cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
# Plugins that would write outside these folders (opt: /opt/containerd) or need what this
# machine lacks.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The machine lacks CAP_SYS_RESOURCE: without this, every sandbox fails with
  # "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$d/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$d/certs.d"
TOML
  # The CNI network is named after the node, so that its result cache entries are ours to remove.
  cat >"$d/cni/net.d/10-$n.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "$n", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "${NODE_POD_CIDR[$n]}"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$d/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}
]}
JSON
  # Registry mirrors: every host in CP_REGISTRY_HOSTS is pulled from http://CP_REGISTRY and
  # nowhere else (server names the mirror too, so there is no fallback to the real registry).
  local host
  if [ -n "${CP_REGISTRY:-}" ]; then
    for host in ${CP_REGISTRY_HOSTS:-}; do
      mkdir -p "$d/certs.d/$host"
      printf 'server = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
        "$CP_REGISTRY" "$CP_REGISTRY" >"$d/certs.d/$host/hosts.toml"
    done
  fi
  # Containers resolve through CoreDNS (clusterDNS); a pod with dnsPolicy Default gets this file,
  # which names no server outside the machine.
  printf 'nameserver %s\n' "$KUBE_DNS_IP" >"$d/resolv.conf"
  kubeconfig_for "$n" "$n" "$d/kubelet.kubeconfig"
  kubeconfig_for "$n" kube-proxy "$d/kube-proxy.kubeconfig"
  cat >"$d/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine has cgroup v1 only; v1.37 refuses it unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /$n
address: ${NODE_IP[$n]}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/$n-serving.crt
tlsPrivateKeyFile: $PKI/$n-serving.key
clusterDNS: [$KUBE_DNS_IP]
clusterDomain: cluster.local
resolvConf: $d/resolv.conf
containerRuntimeEndpoint: unix://$d/containerd.sock
# Without these two the kubelet writes to /usr/libexec/kubernetes and /var/log/pods.
volumePluginDir: $d/volume-plugins
podLogsDir: $d/pod-logs
failSwapOn: false
# The images are imported, never pulled again: no garbage collection of them, no eviction for a
# full disk of a shared machine.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%}
serializeImagePulls: false
# The suites run three apps (the shop, the bakery, Picvario) on these two nodes at once, and a drain puts
# all of them on one; the kubelet's default of 110 (the pod CIDR is a /24).
maxPods: 110
YAML
  cat >"$d/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $d/kube-proxy.kubeconfig}
hostnameOverride: $n
bindAddress: ${NODE_IP[$n]}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
mode: iptables
clusterCIDR: $NODES_CLUSTER_CIDR
# Leave the conntrack sysctls alone: nf_conntrack_max is the whole machine's.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
nodePortAddresses: [primary]
YAML
}

kubeconfig_for() { # <node> <user> <file>: a kubeconfig reaching the API server on the bridge
  cat >"$3" <<KC
apiVersion: v1
kind: Config
clusters:
- name: picvario-test
  cluster: {certificate-authority: $PKI/ca.crt, server: "https://$NODES_HOST_IP:$APISERVER_PORT"}
users:
- name: $2
  user: {client-certificate: $PKI/$2.crt, client-key: $PKI/$2.key}
contexts:
- name: picvario-test
  context: {cluster: picvario-test, user: $2}
current-context: picvario-test
KC
}

# cgroup root folders in every v1 hierarchy (cpuset ones need their CPUs and memory nodes).
node_cgroups() { # <node>
  local h
  for h in /sys/fs/cgroup/*/; do
    mkdir -p "$h$1"
    if [ -f "${h}cpuset.cpus" ]; then
      cat "${h}cpuset.cpus" >"$h$1/cpuset.cpus"
      cat "${h}cpuset.mems" >"$h$1/cpuset.mems"
    fi
  done
}

# What the nodes need from the API: Node objects with their pod CIDR and zone (created before the
# kubelets register, so that kube-router finds the CIDR at once), the kubelets' permissions,
# CoreDNS behind the kube-dns Service, and metrics-server behind its APIService.
nodes_objects() {
  local n
  for n in "${NODE_NAMES[@]}"; do
    cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $n
  labels: {kubernetes.io/hostname: $n, kubernetes.io/os: linux, topology.kubernetes.io/zone: ${NODE_ZONE[$n]}, picvario.test/node: real}
spec: {podCIDR: ${NODE_POD_CIDR[$n]}, podCIDRs: [${NODE_POD_CIDR[$n]}]}
---
YAML
  done
  cat <<YAML
# The kubelets' webhook authentication and authorization (TokenReview, SubjectAccessReview) and
# what the Node authorizer does not cover.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: picvario-test:nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:nodes}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: picvario-test:coredns}
rules:
- {apiGroups: [""], resources: [services, pods, namespaces], verbs: [list, watch]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: picvario-test:coredns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: picvario-test:coredns}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  # No forward plugin: names outside the cluster are not resolved, so no query leaves the machine.
  Corefile: |
    .:53 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        cache 5
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      nodeSelector: {picvario.test/node: real}
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 2}
        livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10}
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes: [{name: config, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $KUBE_DNS_IP
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
YAML
  # metrics-server runs on the host, as KEDA's adapter does.
  host_api_service kube-system metrics-server "$METRICS_SERVER_PORT" metrics.k8s.io
}

# Starts both nodes and metrics-server, and waits until the nodes are Ready, CoreDNS answers and
# the metrics API serves.
nodes_start() {
  local n d kc=(--kubeconfig "$WORK/admin.kubeconfig")
  nodes_objects >"$WORK/nodes.yaml"
  "$BIN/kubectl" "${kc[@]}" apply --server-side --field-manager picvario-control-plane -f "$WORK/nodes.yaml" \
    >"$WORK/log/nodes-objects.log" 2>&1 || { cat "$WORK/log/nodes-objects.log" >&2; die "$P" "could not apply $WORK/nodes.yaml"; }
  for n in "${NODE_NAMES[@]}"; do
    d=$WORK/nodes/$n
    node_config "$n"
    node_cgroups "$n"
    launch "containerd-$n" nsenter --net="$NETNS_DIR/$n" -- containerd --config "$d/containerd.toml"
  done
  for n in "${NODE_NAMES[@]}"; do
    d=$WORK/nodes/$n
    wait_cmd "containerd-$n" ctr --address "$d/containerd.sock" version
    local image
    for image in pause coredns busybox; do
      ctr --address "$d/containerd.sock" -n k8s.io images import "$NODES_BIN/$image.oci.tar" \
        >>"$WORK/log/images-$n.log" 2>&1 || { cat "$WORK/log/images-$n.log" >&2; die "$P" "could not import $image.oci.tar into $n"; }
    done
    launch "kubelet-$n" nsenter --net="$NETNS_DIR/$n" -- "$NODES_BIN/kubelet" \
      --config "$d/kubelet.yaml" --kubeconfig "$d/kubelet.kubeconfig" \
      --root-dir "$d/kubelet" --cert-dir "$d/pki" \
      --hostname-override "$n" --node-ip "${NODE_IP[$n]}" \
      --node-labels "topology.kubernetes.io/zone=${NODE_ZONE[$n]},picvario.test/node=real" \
      --v 1
    launch "kube-proxy-$n" nsenter --net="$NETNS_DIR/$n" -- "$NODES_BIN/kube-proxy" --config "$d/kube-proxy.yaml" --v 1
  done
  mkdir -p "$WORK/metrics-server"
  # Only the real nodes' kubelets are scraped: a kwok node's address is made up, and nothing here
  # may connect to an address the run did not create.
  launch metrics-server "$NODES_BIN/metrics-server" \
    --kubeconfig "$WORK/admin.kubeconfig" \
    --authentication-kubeconfig "$WORK/admin.kubeconfig" --authorization-kubeconfig "$WORK/admin.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$METRICS_SERVER_PORT" --cert-dir "$WORK/metrics-server" \
    --tls-cert-file "$PKI/metrics-server.crt" --tls-private-key-file "$PKI/metrics-server.key" \
    --client-ca-file "$PKI/ca.crt" --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
    --kubelet-preferred-address-types InternalIP --kubelet-certificate-authority "$PKI/ca.crt" \
    --node-selector picvario.test/node=real \
    --metric-resolution 10s --kubelet-request-timeout 5s --v 1
  for n in "${NODE_NAMES[@]}"; do
    wait_cmd "kubelet-$n" "$BIN/kubectl" "${kc[@]}" wait --for condition=Ready --timeout 5s "node/$n"
    # The NetworkPolicy firewall only: no routing (the bridge and the routes above do it), no
    # Service proxy (kube-proxy does it). After Ready: it reads the node's address from its status.
    launch "kube-router-$n" nsenter --net="$NETNS_DIR/$n" -- "$NODES_BIN/kube-router" \
      --kubeconfig "$WORK/admin.kubeconfig" --hostname-override "$n" \
      --run-firewall=true --run-router=false --run-service-proxy=false \
      --health-port 20244 --metrics-port 0 --v 1
  done
  wait_cmd coredns "$BIN/kubectl" "${kc[@]}" -n kube-system wait --for condition=Available --timeout 5s deployment/coredns
  wait_cmd metrics-server "$BIN/kubectl" "${kc[@]}" get --raw /apis/metrics.k8s.io/v1beta1/nodes
}
