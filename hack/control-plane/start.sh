#!/usr/bin/env bash
# Starts a throw-away Kubernetes control plane on 127.0.0.1 and runs a command against it:
#
#   hack/control-plane/start.sh [--] COMMAND [ARGS...]
#
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes) listen on
# free loopback ports only. COMMAND runs with KUBECONFIG, PATH (our kubectl first) and CP_* set;
# its exit code is ours. Everything started here is stopped when this script ends, however it
# ends: COMMAND fails, Ctrl-C, TERM; and if this shell is SIGKILLed, the kernel sends the
# components SIGKILL and COMMAND SIGTERM (PR_SET_PDEATHSIG). Afterwards pgrep checks that
# nothing survived.
# Without a COMMAND it runs an interactive shell.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
P=control-plane

[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || set -- "${SHELL:-bash}"

BIN=${CP_BIN_DIR:-$(cp_bin_dir)}
for b in "${CP_BINARIES[@]}"; do
  [ -x "$BIN/$b" ] || die "$P" "missing $BIN/$b: run hack/control-plane/install.sh first"
done
for tool in openssl curl pgrep setpriv node; do
  command -v "$tool" >/dev/null || die "$P" "missing '$tool' (hack/control-plane/install.sh installs it)"
done

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
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do # reverse start order: kwok, scheduler, ..., etcd
    kill -TERM -- "-${PIDS[i]}" 2>/dev/null || kill -TERM "${PIDS[i]}" 2>/dev/null
  done
  local deadline=$((SECONDS + 15))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # Every component has $WORK on its command line, so this finds any survivor.
  local left
  if left=$(pgrep -a -f -- "$WORK"); then
    echo "$P: ERROR: processes still running after stop:" >&2
    echo "$left" >&2
    rc=1
  else
    log "$P" "stopped: no process of this control plane is left (pgrep -f $WORK found none)"
  fi
  if [ "${CP_KEEP_WORK:-0}" = 1 ]; then log "$P" "kept $WORK (logs in $WORK/log)"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2317 # (called from stop_all)
report_memory() {
  [ ${#PIDS[@]} -gt 0 ] || return 0
  local i total=0 hwm rss
  log "$P" "memory (VmRSS now / VmHWM peak, MiB):"
  for i in "${!PIDS[@]}"; do
    [ -r "/proc/${PIDS[i]}/status" ] || continue
    rss=$(awk '/^VmRSS/ {print int($2/1024)}' "/proc/${PIDS[i]}/status")
    hwm=$(awk '/^VmHWM/ {print int($2/1024)}' "/proc/${PIDS[i]}/status")
    total=$((total + hwm))
    log "$P" "  $(printf '%-24s %5s / %5s' "${NAMES[i]}" "$rss" "$hwm")"
  done
  log "$P" "  $(printf '%-24s %5s / %5s' total '' "$total")"
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
mkdir -p "$PKI" "$WORK/log" "$WORK/etcd"
gen_pki() {
  cd "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=picvario-test-ca" \
    -keyout ca.key -out ca.crt 2>/dev/null
  cert() { # <name> <subject> <extension file content>
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  }
  cert apiserver "/CN=kube-apiserver" "$(printf '%s\n' \
    'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local')"
  local client='basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'
  cert admin "/O=system:masters/CN=picvario-test-admin" "$client"
  cert controller-manager "/CN=system:kube-controller-manager" "$client"
  cert scheduler "/CN=system:kube-scheduler" "$client"
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
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
    server: https://127.0.0.1:$APISERVER_PORT
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

launch() { # <name> <binary> [args...]: own process group, killed with us even on SIGKILL
  local name=$1; shift
  setsid setpriv --pdeathsig KILL -- "$@" >"$WORK/log/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
}

wait_ready() { # <name> <url> [curl args...]
  local name=$1 url=$2; shift 2
  local deadline=$((SECONDS + ${CP_READY_TIMEOUT:-120}))
  until curl -fsS --max-time 2 "$@" "$url" >/dev/null 2>&1; do
    local i
    for i in "${!PIDS[@]}"; do
      if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
        tail -n 30 "$WORK/log/${NAMES[i]}.log" >&2
        die "$P" "${NAMES[i]} exited before $name became ready (log above)"
      fi
    done
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$WORK/log/$name.log" >&2; die "$P" "$name not ready at $url after ${CP_READY_TIMEOUT:-120}s"; }
    sleep 0.2
  done
}

t0=$(date +%s.%N)
gen_pki
read -r ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHED_PORT KWOK_PORT <<<"$(free_ports 6)"
kubeconfig admin
kubeconfig controller-manager
kubeconfig scheduler
t_pki=$(date +%s.%N)

launch etcd "$BIN/etcd" \
  --name picvario-test --data-dir "$WORK/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "picvario-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --quota-backend-bytes 2147483648 --log-level warn
wait_ready etcd "http://127.0.0.1:$ETCD_PORT/health"

launch kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
  --endpoint-reconciler-type none \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.96.0.0/16 \
  --authorization-mode RBAC \
  --allow-privileged=false \
  --storage-media-type application/vnd.kubernetes.protobuf \
  --v 1
wait_ready kube-apiserver "https://127.0.0.1:$APISERVER_PORT/readyz" \
  --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key"
t_api=$(date +%s.%N)

# Nodes are kwok's; a lost zone is simulated by deleting its Node objects, after which the pod
# garbage collector deletes their pods (about 40 to 60 s) and the ReplicaSets replace them.
launch kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$WORK/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$WORK/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$WORK/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
  --leader-elect=false \
  --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
  --use-service-account-credentials=true \
  --node-monitor-period 2s --node-monitor-grace-period 40s \
  --horizontal-pod-autoscaler-sync-period 5s \
  --kube-api-qps 100 --kube-api-burst 200 \
  --v 1
launch kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$WORK/scheduler.kubeconfig" \
  --authentication-kubeconfig "$WORK/scheduler.kubeconfig" \
  --authorization-kubeconfig "$WORK/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" \
  --leader-elect=false \
  --v 1
launch kwok "$BIN/kwok" \
  --kubeconfig "$WORK/admin.kubeconfig" --config "$BIN/kwok-stages.yaml" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --server-address "127.0.0.1:$KWOK_PORT" \
  --node-lease-duration-seconds 40 \
  --v INFO
wait_ready kube-controller-manager "https://127.0.0.1:$KCM_PORT/healthz" --insecure # self-signed serving certificate, loopback only
wait_ready kube-scheduler "https://127.0.0.1:$SCHED_PORT/healthz" --insecure # self-signed serving certificate, loopback only
wait_ready kwok "http://127.0.0.1:$KWOK_PORT/healthz"
t_ready=$(date +%s.%N)

export KUBECONFIG=$WORK/admin.kubeconfig
export PATH=$BIN:$PATH
export CP_WORK=$WORK CP_BIN_DIR=$BIN CP_PKI=$PKI CP_APISERVER="https://127.0.0.1:$APISERVER_PORT"
export CP_START_SECONDS
CP_START_SECONDS=$(awk -v a="$t0" -v b="$t_ready" 'BEGIN {printf "%.1f", b - a}')
log "$P" "ready in ${CP_START_SECONDS}s (certificates $(awk -v a="$t0" -v b="$t_pki" 'BEGIN {printf "%.1f", b - a}')s, etcd+apiserver /readyz $(awk -v a="$t_pki" -v b="$t_api" 'BEGIN {printf "%.1f", b - a}')s, controller-manager+scheduler+kwok $(awk -v a="$t_api" -v b="$t_ready" 'BEGIN {printf "%.1f", b - a}')s)"
log "$P" "apiserver $CP_APISERVER ($KUBERNETES_VERSION), etcd 127.0.0.1:$ETCD_PORT, logs in $WORK/log"
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
