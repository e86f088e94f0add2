#!/usr/bin/env bash
# Starts a throw-away Kubernetes control plane on 127.0.0.1 and runs a command against it:
#
#   hack/control-plane/start.sh [--] COMMAND [ARGS...]
#
# etcd, kube-apiserver (with the aggregation layer), kube-controller-manager, kube-scheduler and
# kwok (fake nodes) always; on request also:
#   CP_WITH_ARGOCD=1   Argo CD v3.6.1: its CRDs, the argocd namespace and settings, a Redis, the
#                      repo server, the application controller and the ApplicationSet controller
#   CP_WITH_KEDA=1     KEDA v2.20.2: its CRDs, the keda namespace, the operator and the metrics
#                      adapter behind the external.metrics.k8s.io APIService
#   CP_WITH_BROKERS=1  a Redis (with a password) and a RabbitMQ (with its management API) for KEDA's
#                      scalers to read and the tests to fill
#   CP_WITH_NODES=1    two real nodes (zone-a, zone-b: kubelet, containerd, kube-proxy, kube-router's
#                      NetworkPolicy firewall, each in a network namespace of its own), CoreDNS as a
#                      pod behind kube-dns, and metrics-server (nodes.sh; needs root). The API server
#                      then listens on 198.18.0.1 instead of 127.0.0.1. With CP_REGISTRY=<host:port>
#                      every registry host in CP_REGISTRY_HOSTS (space-separated) is pulled from
#                      http://CP_REGISTRY by the nodes' containerd.
# Everything listens on free loopback ports only. COMMAND runs with KUBECONFIG, PATH (our kubectl
# first) and CP_* set (see docs/CONTROL-PLANE.md); its exit code is ours. Everything started here
# is stopped when this script ends, however it ends: COMMAND fails, Ctrl-C, TERM; and if this shell
# is SIGKILLed, the kernel signals the components (PR_SET_PDEATHSIG). Afterwards pgrep checks that
# nothing survived. Without a COMMAND it runs an interactive shell.
#   CP_BIN_DIR, CP_ARGOCD_BIN_DIR, CP_KEDA_BIN_DIR  binaries (default: install.sh's cache directories)
#   CRDS_DIR        CRD folders (default ../shared/crds, next to the repository)
#   CP_KEEP_WORK=1  keep certificates and component logs afterwards
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# shellcheck source=nodes.sh
source "$(dirname "$0")/nodes.sh"
P=control-plane

[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || set -- "${SHELL:-bash}"

WITH_ARGOCD=${CP_WITH_ARGOCD:-0}
WITH_KEDA=${CP_WITH_KEDA:-0}
WITH_BROKERS=${CP_WITH_BROKERS:-0}
WITH_NODES=${CP_WITH_NODES:-0}

BIN=${CP_BIN_DIR:-$(cp_bin_dir)}
for b in "${CP_BINARIES[@]}" kwok-stages.yaml; do
  [ -e "$BIN/$b" ] || die "$P" "missing $BIN/$b: run hack/control-plane/install.sh first"
done
[ -f "$CP_DIR/kwok/test-stages.yaml" ] || die "$P" "missing $CP_DIR/kwok/test-stages.yaml"
for tool in openssl curl pgrep setpriv setsid node; do
  command -v "$tool" >/dev/null || die "$P" "missing '$tool' (hack/control-plane/install.sh installs it)"
done
CRDS_DIR=${CRDS_DIR:-$REPO_ROOT/../shared/crds}
if [ "$WITH_ARGOCD" = 1 ]; then
  ARGOCD_BIN=${CP_ARGOCD_BIN_DIR:-$(argocd_bin_dir)}
  for b in "${ARGOCD_BINARIES[@]}"; do
    [ -x "$ARGOCD_BIN/$b" ] || die "$P" "missing $ARGOCD_BIN/$b: run hack/control-plane/install.sh argocd first"
  done
  for tool in git redis-server redis-cli; do
    command -v "$tool" >/dev/null || die "$P" "missing '$tool' for Argo CD (hack/control-plane/install.sh argocd installs it)"
  done
  ARGOCD_CRDS=$CRDS_DIR/argo-cd-${ARGOCD_VERSION}
  [ -f "$ARGOCD_CRDS/application-crd.yaml" ] || die "$P" "Argo CD CRDs missing: $ARGOCD_CRDS/application-crd.yaml (set CRDS_DIR)"
fi
if [ "$WITH_KEDA" = 1 ]; then
  KEDA_BIN=${CP_KEDA_BIN_DIR:-$(keda_bin_dir)}
  for b in "${KEDA_BINARIES[@]}"; do
    [ -x "$KEDA_BIN/$b" ] || die "$P" "missing $KEDA_BIN/$b: run hack/control-plane/install.sh keda first"
  done
  KEDA_CRDS=$CRDS_DIR/keda-${KEDA_VERSION}
  [ -f "$KEDA_CRDS/keda.sh_scaledobjects.yaml" ] || die "$P" "KEDA CRDs missing: $KEDA_CRDS/keda.sh_scaledobjects.yaml (set CRDS_DIR)"
fi
[ "$WITH_NODES" = 1 ] && nodes_check
RABBITMQ_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
if [ "$WITH_BROKERS" = 1 ]; then
  for tool in redis-server redis-cli epmd "$RABBITMQ_SERVER"; do
    command -v "$tool" >/dev/null || die "$P" "missing '$tool' for the brokers (hack/control-plane/install.sh keda installs redis-server and rabbitmq-server)"
  done
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/picvario-cp.XXXXXX")
CMD_PID=
PIDS=()
NAMES=()
stopping=0

# shellcheck disable=SC2317 # (run by the EXIT trap; shellcheck 0.9 cannot see that)
stop_all() {
  local rc=$?
  [ "$stopping" = 1 ] && return
  stopping=1
  set +e
  if [ -n "${CMD_PID:-}" ] && kill -0 "$CMD_PID" 2>/dev/null; then
    log "$P" "stopping the command (pid $CMD_PID)"
    kill -TERM "$CMD_PID" 2>/dev/null
    local waited=0
    while kill -0 "$CMD_PID" 2>/dev/null && [ "$waited" -lt 50 ]; do sleep 0.2; waited=$((waited + 1)); done
    kill -KILL "$CMD_PID" 2>/dev/null
  fi
  report_memory
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do # reverse start order: the controllers, kwok, ..., etcd
    kill -TERM -- "-${PIDS[i]}" 2>/dev/null || kill -TERM "${PIDS[i]}" 2>/dev/null
  done
  local deadline=$((SECONDS + 15))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [ "$WITH_NODES" != 1 ] || nodes_cleanup
  # Every component has $WORK on its command line (Redis, epmd and Argo CD run from symlinks in
  # $WORK/bin, so even Redis' rewritten process title has it), and each one led its own process
  # group, so these two find any survivor, children included.
  local left groups
  sleep 0.2
  groups=$(IFS=,; echo "${PIDS[*]}")
  if left=$({ pgrep -a -f -- "$WORK"; [ -z "$groups" ] || pgrep -a -g "$groups"; } | sort -u | grep .); then
    echo "$P: ERROR: processes still running after stop:" >&2
    echo "$left" >&2
    rc=1
  else
    log "$P" "stopped: no process of this control plane is left (pgrep -f $WORK and pgrep -g <its ${#PIDS[@]} process groups> found none)"
  fi
  if [ "$WITH_NODES" = 1 ]; then
    if left=$(nodes_left | grep .); then
      echo "$P: ERROR: the real nodes left behind:" >&2
      echo "$left" >&2
      rc=1
    else
      log "$P" "nodes cleaned up: no netns, pod netns, bridge, veth, cgroup, mount or CNI cache entry of theirs is left"
    fi
  fi
  if [ "${CP_KEEP_WORK:-0}" = 1 ]; then log "$P" "kept $WORK (logs in $WORK/log)"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# VmRSS now and VmHWM (peak) of each component, summed over the processes of its process group
# (RabbitMQ's Erlang VM and its helpers, for instance).
# shellcheck disable=SC2317 # (called from stop_all)
report_memory() {
  [ ${#PIDS[@]} -gt 0 ] || return 0
  local i total=0 rss hwm pid
  log "$P" "memory (VmRSS now / VmHWM peak, MiB):"
  for i in "${!PIDS[@]}"; do
    rss=0 hwm=0
    for pid in $(pgrep -g "${PIDS[i]}"); do
      [ -r "/proc/$pid/status" ] || continue
      rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" || echo 0)))
      hwm=$((hwm + $(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" || echo 0)))
    done
    [ "$hwm" -gt 0 ] || continue
    total=$((total + hwm))
    log "$P" "  $(printf '%-30s %5s / %5s' "${NAMES[i]}" $((rss / 1024)) $((hwm / 1024)))"
  done
  log "$P" "  $(printf '%-30s %5s / %5s' total '' $((total / 1024)))"
}

free_ports() { # <count>: distinct free TCP ports on 127.0.0.1, chosen by the kernel
  node -e '
    const net = require("net");
    const n = Number(process.argv[1]); const servers = [];
    (async () => {
      for (let i = 0; i < n; i++) {
        servers.push(await new Promise((ok, ko) => { const s = net.createServer(); s.on("error", ko); s.listen(0, "127.0.0.1", () => ok(s)); }));
      }
      console.log(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    })();' "$1"
}

# --- certificates --------------------------------------------------------------------------------
PKI=$WORK/pki
mkdir -p "$PKI" "$WORK/log" "$WORK/etcd" "$WORK/bin"
gen_pki() {
  cd "$PKI"
  # ECDSA P-256 keys: generated in milliseconds, where RSA 2048 took most of the start on a busy machine.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=picvario-test-ca" \
    -keyout ca.key -out ca.crt 2>/dev/null
  # The aggregation layer's own CA, as kubeadm has it: the API server proxies to extension API
  # servers (KEDA's metrics adapter) with the front-proxy-client certificate, and they trust the
  # X-Remote-User/-Group headers only from a client that this CA signed.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=picvario-test-front-proxy-ca" -keyout front-proxy-ca.key -out front-proxy-ca.crt 2>/dev/null
  cert() { # <name> <subject> <extension file content> [<ca name>]
    local ca=${4:-ca}
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 2 \
      -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  }
  cert apiserver "/CN=kube-apiserver" "$(printf '%s\n' \
    'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature' 'extendedKeyUsage=serverAuth' \
    "subjectAltName=IP:127.0.0.1,IP:$NODES_HOST_IP,IP:$KUBERNETES_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")"
  local client='basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=clientAuth'
  cert admin "/O=system:masters/CN=picvario-test-admin" "$client"
  cert controller-manager "/CN=system:kube-controller-manager" "$client"
  cert scheduler "/CN=system:kube-scheduler" "$client"
  cert front-proxy-client "/CN=front-proxy-client" "$client" front-proxy-ca
  # The API server's client certificate for kubelets (exec, logs, metrics of real nodes).
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client"
  if [ "$WITH_NODES" = 1 ]; then
    nodes_pki
    cert metrics-server "/CN=metrics-server" "$(printf '%s\n' \
      'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature' 'extendedKeyUsage=serverAuth' \
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:metrics-server.kube-system.svc')"
  fi
  if [ "$WITH_KEDA" = 1 ]; then
    # One certificate for KEDA's operator (gRPC server), its adapter (gRPC client and the serving
    # certificate of the aggregated API, reached as keda-metrics-apiserver.keda.svc), as KEDA's
    # own certificate rotation makes it.
    cert keda "/CN=keda-operator" "$(printf '%s\n' \
      'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature' 'extendedKeyUsage=serverAuth,clientAuth' \
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:keda-operator,DNS:keda-operator.keda.svc,DNS:keda-operator.keda.svc.cluster.local,DNS:keda-metrics-apiserver,DNS:keda-metrics-apiserver.keda.svc,DNS:keda-metrics-apiserver.keda.svc.cluster.local')"
    mkdir -p "$WORK/keda/certs"
    cp ca.crt "$WORK/keda/certs/ca.crt"
    cp keda.crt "$WORK/keda/certs/tls.crt"
    cp keda.key "$WORK/keda/certs/tls.key"
  fi
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sa.key 2>/dev/null
  openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
  cd - >/dev/null
}

kubeconfig() { # <user> -> $WORK/<user>.kubeconfig
  cat > "$WORK/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: picvario-test
  cluster:
    certificate-authority: $PKI/ca.crt
    server: https://$API_HOST:$APISERVER_PORT
users:
- name: $1
  user:
    client-certificate: $PKI/$1.crt
    client-key: $PKI/$1.key
contexts:
- name: picvario-test
  context: {cluster: picvario-test, user: $1}
current-context: picvario-test
KC
}

# host_api_service <namespace> <service> <port> <group>: the objects that put an extension API
# server running on the host (KEDA's metrics adapter, metrics-server) behind an APIService. Its
# Service is an ExternalName for localhost: the aggregator resolves it to https://localhost:<port>
# (EndpointSlices cannot hold loopback addresses, so --enable-aggregator-routing cannot reach it).
host_api_service() {
  cat <<YAML
apiVersion: v1
kind: Service
metadata: {name: $2, namespace: $1}
spec:
  type: ExternalName
  externalName: localhost
  ports: [{name: https, port: $3, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.$4}
spec:
  group: $4
  version: v1beta1
  service: {name: $2, namespace: $1, port: $3}
  caBundle: $(base64 -w0 "$PKI/ca.crt")
  groupPriorityMinimum: 100
  versionPriority: 100
---
YAML
}

# launch [--pdeathsig SIG] <name> <command> [args...]: own process group, signalled when we die
# (KILL by default; RabbitMQ's start script gets TERM, which it passes on to its Erlang VM).
launch() {
  local sig=KILL
  if [ "$1" = --pdeathsig ]; then sig=$2; shift 2; fi
  local name=$1; shift
  setsid setpriv --pdeathsig "$sig" -- "$@" >"$WORK/log/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
}

check_alive() { # fails naming the first component that has exited
  local i
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
      tail -n 30 "$WORK/log/${NAMES[i]}.log" >&2
      die "$P" "${NAMES[i]} exited before $1 became ready (log above: $WORK/log/${NAMES[i]}.log)"
    fi
  done
}

wait_ready() { # <name> <url> [curl args...]
  local name=$1 url=$2; shift 2
  local deadline=$((SECONDS + ${CP_READY_TIMEOUT:-120}))
  until curl -fsS --max-time 2 "$@" "$url" >/dev/null 2>&1; do
    check_alive "$name"
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$WORK/log/$name.log" >&2; die "$P" "$name not ready at $url after ${CP_READY_TIMEOUT:-120}s"; }
    sleep 0.2
  done
}

wait_cmd() { # <name> <command...>: until the command succeeds
  local name=$1; shift
  local deadline=$((SECONDS + ${CP_READY_TIMEOUT:-120}))
  until "$@" >/dev/null 2>&1; do
    check_alive "$name"
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$WORK/log/$name.log" >&2; die "$P" "$name not ready after ${CP_READY_TIMEOUT:-120}s ($*)"; }
    sleep 0.2
  done
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

# The brokers and Argo CD's Redis run from symlinks in $WORK/bin: Redis rewrites its process title
# to "<argv[0]> <address>", and this keeps $WORK in it for the pgrep check.
link_bin() { ln -sf "$(command -v "$1")" "$WORK/bin/$1"; echo "$WORK/bin/$1"; }

# --- ports ---------------------------------------------------------------------------------------
n_ports=6
[ "$WITH_ARGOCD" = 1 ] && n_ports=$((n_ports + 7))
[ "$WITH_KEDA" = 1 ] && n_ports=$((n_ports + 5))
[ "$WITH_BROKERS" = 1 ] && n_ports=$((n_ports + 5))
[ "$WITH_NODES" = 1 ] && n_ports=$((n_ports + 1))
read -r -a ports <<<"$(free_ports "$n_ports")"
next_port() { PORT=${ports[0]}; ports=("${ports[@]:1}"); }
for v in ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHED_PORT KWOK_PORT; do next_port; printf -v "$v" %s "$PORT"; done
if [ "$WITH_ARGOCD" = 1 ]; then
  for v in ARGOCD_REDIS_PORT ARGOCD_REPO_PORT ARGOCD_REPO_METRICS_PORT ARGOCD_CONTROLLER_METRICS_PORT; do next_port; printf -v "$v" %s "$PORT"; done
  for v in ARGOCD_APPSET_METRICS_PORT ARGOCD_APPSET_PROBE_PORT ARGOCD_APPSET_WEBHOOK_PORT; do next_port; printf -v "$v" %s "$PORT"; done
fi
if [ "$WITH_KEDA" = 1 ]; then
  for v in KEDA_METRICS_PORT KEDA_PROBE_PORT KEDA_GRPC_PORT KEDA_ADAPTER_PORT KEDA_ADAPTER_METRICS_PORT; do next_port; printf -v "$v" %s "$PORT"; done
fi
if [ "$WITH_BROKERS" = 1 ]; then
  for v in REDIS_PORT RABBITMQ_PORT RABBITMQ_MANAGEMENT_PORT RABBITMQ_DIST_PORT EPMD_PORT; do next_port; printf -v "$v" %s "$PORT"; done
fi
if [ "$WITH_NODES" = 1 ]; then
  next_port
  METRICS_SERVER_PORT=$PORT
fi
# The API server's address: loopback, or with real nodes the host side of their bridge, which the
# nodes and pods reach (and the host too).
API_HOST=127.0.0.1
[ "$WITH_NODES" = 1 ] && API_HOST=$NODES_HOST_IP

t0=$(date +%s.%N)
gen_pki
kubeconfig admin
kubeconfig controller-manager
kubeconfig scheduler
t_pki=$(date +%s.%N)

# --- brokers (started first: RabbitMQ takes the longest to boot) ----------------------------------
if [ "$WITH_BROKERS" = 1 ]; then
  mkdir -p "$WORK/redis" "$WORK/rabbitmq"
  REDIS_PASSWORD=$(openssl rand -hex 12)
  printf 'requirepass %s\n' "$REDIS_PASSWORD" > "$WORK/redis/redis.conf"
  launch redis "$(link_bin redis-server)" "$WORK/redis/redis.conf" --port "$REDIS_PORT" --bind 127.0.0.1 \
    --save '' --appendonly no --dir "$WORK/redis" --daemonize no --protected-mode yes --databases 16
  # RabbitMQ without its package service: our own epmd on its own port, a node of our own, its
  # data and logs in $WORK (as the fault suite does), plus the management plugin on a loopback
  # port, through which the tests create their vhost and user and publish.
  printf '[rabbitmq_management].\n' > "$WORK/rabbitmq/enabled_plugins"
  printf '%s\n' "listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT" \
    "management.tcp.ip = 127.0.0.1" "management.tcp.port = $RABBITMQ_MANAGEMENT_PORT" \
    > "$WORK/rabbitmq/rabbitmq.conf"
  launch epmd "$(link_bin epmd)" -port "$EPMD_PORT" -address 127.0.0.1
  launch --pdeathsig TERM rabbitmq env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    HOME="$WORK/rabbitmq" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODENAME="picvario-cp-$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$RABBITMQ_PORT" RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    RABBITMQ_MNESIA_BASE="$WORK/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$WORK/rabbitmq/log" RABBITMQ_LOGS=- \
    RABBITMQ_PID_FILE="$WORK/rabbitmq/rabbitmq.pid" RABBITMQ_ENABLED_PLUGINS_FILE="$WORK/rabbitmq/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$WORK/rabbitmq/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$WORK/rabbitmq/advanced.config" \
    RABBITMQ_CONF_ENV_FILE="$WORK/rabbitmq/rabbitmq-env.conf" \
    "$RABBITMQ_SERVER"
fi
if [ "$WITH_ARGOCD" = 1 ]; then
  mkdir -p "$WORK/argocd/redis"
  printf '# Argo CD cache, no persistence\n' > "$WORK/argocd/redis/redis.conf"
  launch argocd-redis "$(link_bin redis-server)" "$WORK/argocd/redis/redis.conf" --port "$ARGOCD_REDIS_PORT" \
    --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/argocd/redis" --daemonize no --protected-mode yes
fi

# --- control plane -------------------------------------------------------------------------------
[ "$WITH_NODES" = 1 ] && nodes_network
launch etcd "$BIN/etcd" \
  --name picvario-test --data-dir "$WORK/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "picvario-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --quota-backend-bytes 2147483648 --log-level warn
wait_ready etcd "http://127.0.0.1:$ETCD_PORT/health"

launch kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address "$API_HOST" --advertise-address "$API_HOST" --secure-port "$APISERVER_PORT" \
  --endpoint-reconciler-type "$([ "$WITH_NODES" = 1 ] && echo lease || echo none)" \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User \
  --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC \
  --allow-privileged=false \
  --storage-media-type application/vnd.kubernetes.protobuf \
  --v 1
wait_ready kube-apiserver "https://$API_HOST:$APISERVER_PORT/readyz" \
  --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key"
t_api=$(date +%s.%N)

# Nodes are kwok's; a lost zone is simulated by deleting its Node objects, after which the pod
# garbage collector deletes their pods (about 40 to 60 s) and the ReplicaSets replace them.
# With real nodes, an HPA keeps the highest recommendation of the last 30 s instead of 5 min, so that
# a suite sees it back at rest after the load of its earlier tests (the shop suite's HPA test).
hpa_flags=()
[ "$WITH_NODES" = 1 ] && hpa_flags=(--horizontal-pod-autoscaler-downscale-stabilization 30s)
launch kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$WORK/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$WORK/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$WORK/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
  --leader-elect=false \
  --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
  --use-service-account-credentials=true \
  --node-monitor-period 2s --node-monitor-grace-period 40s \
  --horizontal-pod-autoscaler-sync-period 5s "${hpa_flags[@]}" \
  --kube-api-qps 100 --kube-api-burst 200 \
  --v 1
launch kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$WORK/scheduler.kubeconfig" \
  --authentication-kubeconfig "$WORK/scheduler.kubeconfig" \
  --authorization-kubeconfig "$WORK/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" \
  --leader-elect=false \
  --v 1
# kwok's own stages, then the suites' (kwok/test-stages.yaml: pods that carry a cluster-test
# annotation fail, or complete only after a while; no other pod is affected).
launch kwok "$BIN/kwok" \
  --kubeconfig "$WORK/admin.kubeconfig" --config "$BIN/kwok-stages.yaml" --config "$CP_DIR/kwok/test-stages.yaml" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --server-address "127.0.0.1:$KWOK_PORT" \
  --node-lease-duration-seconds 40 \
  --v INFO

# --- Argo CD and KEDA: CRDs and the objects their installations bring ----------------------------
# Applied while controller-manager, scheduler and kwok come up.
KC=(--kubeconfig "$WORK/admin.kubeconfig")
if [ "$WITH_ARGOCD" = 1 ] || [ "$WITH_KEDA" = 1 ]; then
  crd_files=()
  # The ApplicationSet CRD too (1.5 MB, about 4 s to become Established here): the ApplicationSet
  # controller runs, for the previews of the gitops suite.
  [ "$WITH_ARGOCD" = 1 ] && crd_files+=("$ARGOCD_CRDS/application-crd.yaml" "$ARGOCD_CRDS/appproject-crd.yaml" "$ARGOCD_CRDS/applicationset-crd.yaml")
  [ "$WITH_KEDA" = 1 ] && crd_files+=("$KEDA_CRDS"/*.yaml)
  crd_args=()
  for f in "${crd_files[@]}"; do crd_args+=(-f "$f"); done
  "$BIN/kubectl" "${KC[@]}" apply --server-side --field-manager picvario-control-plane "${crd_args[@]}" \
    >"$WORK/log/crds.log" 2>&1 || { cat "$WORK/log/crds.log" >&2; die "$P" "could not apply the CRDs"; }
  {
    if [ "$WITH_ARGOCD" = 1 ]; then
      # What Argo CD's install manifest brings besides its workloads: the namespace and the settings
      # the components read (found by the part-of label). The default AppProject is created by
      # argocd-server, which does not run here, so it is created as that would.
      cat <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: argocd, labels: {app.kubernetes.io/name: argocd-cm, app.kubernetes.io/part-of: argocd}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-rbac-cm, namespace: argocd, labels: {app.kubernetes.io/name: argocd-rbac-cm, app.kubernetes.io/part-of: argocd}}
---
apiVersion: v1
kind: Secret
metadata: {name: argocd-secret, namespace: argocd, labels: {app.kubernetes.io/name: argocd-secret, app.kubernetes.io/part-of: argocd}}
type: Opaque
stringData: {server.secretkey: "$(openssl rand -hex 16)"}
---
YAML
    fi
    if [ "$WITH_KEDA" = 1 ]; then
      # The HPA controller's built-in role (system:controller:horizontal-pod-autoscaler) already
      # reads external.metrics.k8s.io.
      cat <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: keda}
---
YAML
      host_api_service keda keda-metrics-apiserver "$KEDA_ADAPTER_PORT" external.metrics.k8s.io
    fi
  } > "$WORK/platform.yaml"
  # kubectl wait fails at once (instead of waiting) on a CRD that has no conditions yet: retry.
  wait_cmd "the CRDs (Established)" "$BIN/kubectl" "${KC[@]}" wait --for condition=Established --timeout 10s "${crd_args[@]}"
  "$BIN/kubectl" "${KC[@]}" apply --server-side --field-manager picvario-control-plane -f "$WORK/platform.yaml" \
    >"$WORK/log/platform.log" 2>&1 || { cat "$WORK/log/platform.log" >&2; die "$P" "could not apply $WORK/platform.yaml"; }
  if [ "$WITH_ARGOCD" = 1 ]; then
    cat <<YAML | "$BIN/kubectl" "${KC[@]}" apply --server-side --field-manager picvario-control-plane -f - \
      >>"$WORK/log/platform.log" 2>&1 || { cat "$WORK/log/platform.log" >&2; die "$P" "could not create the default AppProject"; }
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
YAML
  fi
fi
t_crds=$(date +%s.%N)

# --- Argo CD: repo server and application controller ---------------------------------------------
if [ "$WITH_ARGOCD" = 1 ]; then
  mkdir -p "$WORK/argocd/home" "$WORK/argocd/tmp" "$WORK/argocd/tls" "$WORK/argocd/ssh" \
    "$WORK/argocd/gpg/keys" "$WORK/argocd/gpg/source" "$WORK/argocd/plugins" "$WORK/git"
  # Out of cluster as Argo CD's own Procfile runs it: one binary, the role chosen by
  # ARGOCD_BINARY_NAME; ARGOCD_FAKE_IN_CLUSTER=true makes the in-cluster destination
  # (https://kubernetes.default.svc) use --kubeconfig. Plaintext gRPC between the two, on loopback.
  # Data paths, clones (TMPDIR) and the git askpass socket (by default a fixed /tmp path) go to
  # $WORK. The repo server finds git-verify-wrapper.sh on PATH. --disable-tls needs an empty
  # --client-ca-path: v3.6 refuses the pair, and the flag has a default.
  argocd_env=(env HOME="$WORK/argocd/home" TMPDIR="$WORK/argocd/tmp" ARGOCD_FAKE_IN_CLUSTER=true
    ARGOCD_TLS_DATA_PATH="$WORK/argocd/tls" ARGOCD_SSH_DATA_PATH="$WORK/argocd/ssh"
    ARGOCD_GNUPGHOME="$WORK/argocd/gpg/keys" ARGOCD_GPG_DATA_PATH="$WORK/argocd/gpg/source" ARGOCD_GPG_ENABLED=false
    ARGOCD_PLUGINSOCKFILEPATH="$WORK/argocd/plugins" ARGOCD_ASK_PASS_SOCK="$WORK/argocd/reposerver-ask-pass.sock"
    PATH="$ARGOCD_BIN:$PATH")
  # Each role runs from a symlink named after it in $WORK/bin, so that its command line has $WORK
  # in it for the pgrep check (the repo server has no other argument with a path).
  for role in argocd-repo-server argocd-application-controller argocd-applicationset-controller; do ln -sf "$ARGOCD_BIN/argocd" "$WORK/bin/$role"; done
  wait_cmd argocd-redis redis-cli -p "$ARGOCD_REDIS_PORT" ping
  launch argocd-repo-server "${argocd_env[@]}" ARGOCD_BINARY_NAME=argocd-repo-server "$WORK/bin/argocd-repo-server" \
    --address 127.0.0.1 --port "$ARGOCD_REPO_PORT" \
    --metrics-address 127.0.0.1 --metrics-port "$ARGOCD_REPO_METRICS_PORT" \
    --redis "127.0.0.1:$ARGOCD_REDIS_PORT" --disable-tls --client-ca-path= \
    --logformat text --loglevel info
  # Its metrics server (with /healthz) binds 0.0.0.0:<port>; Argo CD has no flag for the address.
  # The in-cluster destination is read with client-go's default loading rules (KUBECONFIG), not
  # from --kubeconfig, so both are set. --persist-resource-health writes each object's health into
  # the Application's status.resources, where tests read it (by default v3 keeps it only in the
  # resource tree, which only argocd-server serves).
  launch argocd-application-controller "${argocd_env[@]}" KUBECONFIG="$WORK/admin.kubeconfig" \
    ARGOCD_BINARY_NAME=argocd-application-controller "$WORK/bin/argocd-application-controller" \
    --kubeconfig "$WORK/admin.kubeconfig" --namespace argocd \
    --redis "127.0.0.1:$ARGOCD_REDIS_PORT" \
    --repo-server "127.0.0.1:$ARGOCD_REPO_PORT" --repo-server-plaintext \
    --metrics-port "$ARGOCD_CONTROLLER_METRICS_PORT" --persist-resource-health \
    --logformat text --loglevel info
  # The ApplicationSet controller turns each folder under previews/ of a rendered branch into an
  # Application (git directory generator, through the repo server). Its three servers on loopback.
  launch argocd-applicationset-controller "${argocd_env[@]}" KUBECONFIG="$WORK/admin.kubeconfig" \
    ARGOCD_BINARY_NAME=argocd-applicationset-controller "$WORK/bin/argocd-applicationset-controller" \
    --kubeconfig "$WORK/admin.kubeconfig" --namespace argocd \
    --argocd-repo-server "127.0.0.1:$ARGOCD_REPO_PORT" --repo-server-plaintext \
    --metrics-addr "127.0.0.1:$ARGOCD_APPSET_METRICS_PORT" --probe-addr "127.0.0.1:$ARGOCD_APPSET_PROBE_PORT" \
    --webhook-addr "127.0.0.1:$ARGOCD_APPSET_WEBHOOK_PORT" --enable-scm-providers=false \
    --logformat text --loglevel info
fi

# --- KEDA: operator and metrics adapter ----------------------------------------------------------
if [ "$WITH_KEDA" = 1 ]; then
  # All namespaces (WATCH_NAMESPACE set and empty); the cluster objects' namespace is keda. Both
  # use the admin kubeconfig. The operator's gRPC metrics service and the adapter's client share
  # the certificate in keda/certs (ca.crt, tls.crt, tls.key), as KEDA's rotation writes them.
  keda_env=(env WATCH_NAMESPACE= KEDA_CLUSTER_OBJECT_NAMESPACE=keda POD_NAMESPACE=keda
    KEDA_HTTP_DEFAULT_TIMEOUT=3000 HOME="$WORK/keda")
  launch keda-operator "${keda_env[@]}" POD_NAME=keda-operator "$KEDA_BIN/keda-operator" \
    --kubeconfig "$WORK/admin.kubeconfig" \
    --metrics-bind-address "127.0.0.1:$KEDA_METRICS_PORT" \
    --health-probe-bind-address "127.0.0.1:$KEDA_PROBE_PORT" \
    --metrics-service-bind-address "127.0.0.1:$KEDA_GRPC_PORT" \
    --cert-dir "$WORK/keda/certs" --ca-dir "$WORK/keda/certs" \
    --enable-cert-rotation=false --leader-elect=false \
    --zap-log-level info --zap-encoder console
  # Its /metrics server binds 0.0.0.0:<port> (--port); KEDA has no flag for the address.
  launch keda-adapter "${keda_env[@]}" POD_NAME=keda-adapter "$KEDA_BIN/keda-adapter" \
    --kubeconfig "$WORK/admin.kubeconfig" --lister-kubeconfig "$WORK/admin.kubeconfig" \
    --authentication-kubeconfig "$WORK/admin.kubeconfig" --authorization-kubeconfig "$WORK/admin.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KEDA_ADAPTER_PORT" \
    --cert-dir "$WORK/keda/certs" --tls-cert-file "$WORK/keda/certs/tls.crt" --tls-private-key-file "$WORK/keda/certs/tls.key" \
    --client-ca-file "$PKI/ca.crt" \
    --metrics-service-address "127.0.0.1:$KEDA_GRPC_PORT" \
    --port "$KEDA_ADAPTER_METRICS_PORT" \
    --zap-log-level info --zap-encoder console
fi

wait_ready kube-controller-manager "https://127.0.0.1:$KCM_PORT/healthz" --insecure # self-signed serving certificate, loopback only
wait_ready kube-scheduler "https://127.0.0.1:$SCHED_PORT/healthz" --insecure # self-signed serving certificate, loopback only
wait_ready kwok "http://127.0.0.1:$KWOK_PORT/healthz"
t_ready=$(date +%s.%N)
if [ "$WITH_ARGOCD" = 1 ]; then
  wait_ready argocd-repo-server "http://127.0.0.1:$ARGOCD_REPO_METRICS_PORT/healthz?full=true"
  wait_ready argocd-application-controller "http://127.0.0.1:$ARGOCD_CONTROLLER_METRICS_PORT/healthz"
  # It registers no health check (its probe server answers 404): its metrics server, which the manager
  # starts with the controller, stands in.
  wait_ready argocd-applicationset-controller "http://127.0.0.1:$ARGOCD_APPSET_METRICS_PORT/metrics"
fi
if [ "$WITH_KEDA" = 1 ]; then
  wait_ready keda-operator "http://127.0.0.1:$KEDA_PROBE_PORT/readyz"
  wait_ready keda-adapter "https://127.0.0.1:$KEDA_ADAPTER_PORT/readyz" --cacert "$PKI/ca.crt"
  # The API server reaches the adapter through the aggregation layer.
  wait_cmd keda-adapter "$BIN/kubectl" "${KC[@]}" get --raw /apis/external.metrics.k8s.io/v1beta1
fi
t_controllers=$(date +%s.%N)
if [ "$WITH_BROKERS" = 1 ]; then
  wait_cmd redis env REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p "$REDIS_PORT" ping
  wait_cmd rabbitmq curl -fsS --max-time 2 -u guest:guest "http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/api/overview"
fi
t_brokers=$(date +%s.%N)
[ "$WITH_NODES" = 1 ] && nodes_start
t_nodes=$(date +%s.%N)

export KUBECONFIG=$WORK/admin.kubeconfig
export PATH=$BIN:$PATH
export CP_WORK=$WORK CP_BIN_DIR=$BIN CP_PKI=$PKI CP_APISERVER="https://$API_HOST:$APISERVER_PORT"
export CP_START_SECONDS CP_COMPONENTS
CP_START_SECONDS=$(elapsed "$t0" "$t_nodes")
CP_COMPONENTS="${NAMES[*]}"
parts="certificates $(elapsed "$t0" "$t_pki")s, etcd+apiserver /readyz $(elapsed "$t_pki" "$t_api")s"
if [ "$WITH_ARGOCD" = 1 ] || [ "$WITH_KEDA" = 1 ]; then
  parts+=", CRDs and platform objects $(elapsed "$t_api" "$t_crds")s, then controller-manager+scheduler+kwok $(elapsed "$t_crds" "$t_ready")s"
  parts+=", then Argo CD/KEDA $(elapsed "$t_ready" "$t_controllers")s"
else
  parts+=", controller-manager+scheduler+kwok $(elapsed "$t_api" "$t_ready")s"
fi
[ "$WITH_BROKERS" = 1 ] && parts+=", then brokers $(elapsed "$t_controllers" "$t_brokers")s"
[ "$WITH_NODES" = 1 ] && parts+=", then real nodes, CoreDNS and metrics-server $(elapsed "$t_brokers" "$t_nodes")s"
log "$P" "ready in ${CP_START_SECONDS}s ($parts)"
log "$P" "apiserver $CP_APISERVER ($KUBERNETES_VERSION), etcd 127.0.0.1:$ETCD_PORT, logs in $WORK/log"
if [ "$WITH_ARGOCD" = 1 ]; then
  export CP_ARGOCD_VERSION=$ARGOCD_VERSION CP_ARGOCD_NAMESPACE=argocd CP_ARGOCD_GIT_ROOT=$WORK/git
  export CP_ARGOCD_REPO_SERVER=127.0.0.1:$ARGOCD_REPO_PORT CP_ARGOCD_LOG_DIR=$WORK/log
  log "$P" "Argo CD $ARGOCD_VERSION: namespace argocd, repo server $CP_ARGOCD_REPO_SERVER, Redis 127.0.0.1:$ARGOCD_REDIS_PORT; git repositories go to $CP_ARGOCD_GIT_ROOT (file://)"
fi
if [ "$WITH_KEDA" = 1 ]; then
  export CP_KEDA_VERSION=$KEDA_VERSION CP_KEDA_NAMESPACE=keda CP_KEDA_LOG_DIR=$WORK/log
  log "$P" "KEDA $KEDA_VERSION: operator gRPC 127.0.0.1:$KEDA_GRPC_PORT, adapter https://127.0.0.1:$KEDA_ADAPTER_PORT (APIService v1beta1.external.metrics.k8s.io)"
fi
if [ "$WITH_BROKERS" = 1 ]; then
  export CP_REDIS_HOST=127.0.0.1 CP_REDIS_PORT=$REDIS_PORT CP_REDIS_PASSWORD=$REDIS_PASSWORD
  export CP_RABBITMQ_HOST=127.0.0.1 CP_RABBITMQ_PORT=$RABBITMQ_PORT
  export CP_RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT CP_RABBITMQ_ADMIN_USER=guest CP_RABBITMQ_ADMIN_PASSWORD=guest
  log "$P" "brokers: Redis 127.0.0.1:$REDIS_PORT (password in CP_REDIS_PASSWORD), RabbitMQ amqp://127.0.0.1:$RABBITMQ_PORT, management $CP_RABBITMQ_MANAGEMENT_URL"
fi
if [ "$WITH_NODES" = 1 ]; then
  export CP_NODES="${NODE_NAMES[*]}" CP_NODES_BIN_DIR=$NODES_BIN CP_BUSYBOX_IMAGE=$BUSYBOX_IMAGE CP_PAUSE_IMAGE=$PAUSE_IMAGE
  export CP_KUBE_DNS_IP=$KUBE_DNS_IP CP_NODES_HOST_IP=$NODES_HOST_IP
  log "$P" "real nodes: ${NODE_NAMES[*]} (${NODE_IP[pcp-node-a]}, ${NODE_IP[pcp-node-b]}; zones zone-a, zone-b), CoreDNS at $KUBE_DNS_IP, metrics-server https://127.0.0.1:$METRICS_SERVER_PORT${CP_REGISTRY:+, registry mirror http://$CP_REGISTRY for ${CP_REGISTRY_HOSTS:-no host}}"
fi
log "$P" "KUBECONFIG=$KUBECONFIG"

# In the background with `wait`, so that INT/TERM run the traps at once instead of after COMMAND.
set +e
setpriv --pdeathsig TERM -- "$@" <&0 &
CMD_PID=$!
wait "$CMD_PID"
rc=$?
CMD_PID=
set -e
exit "$rc"
