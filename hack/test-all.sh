#!/usr/bin/env bash
# `npm run test:all`: everything CI runs, in an order that keeps a cold machine busy.
#
# The Go builds (the control plane, Argo CD and KEDA; the validators: kubeconform, kube-score, trivy,
# cyclonus) are most of a cold run's CPU, and most of the suites need none of them. So, after the
# quick installs (Debian packages, nginx, the faults venv), they build in the background, each job in
# a session of its own with its output in $CACHE_ROOT/logs/, while the suites that need only npm,
# nginx or the brokers run in the foreground; a suite that needs a build waits for it (and prints
# its log). The order follows what waits longest: the cluster suites need the control plane, Argo CD
# and KEDA and take about 17 minutes themselves, so those build first, in two jobs of about the same
# CPU time (the control plane; Argo CD, then KEDA). The real nodes (kubelet, kube-proxy, CoreDNS,
# metrics-server, kube-router), needed by the longest suite (CP_SUITES=shop, about 15 minutes, after
# CP_SUITES=nodes; both need root), build next, after the control plane, at the lowest priority
# (background --nice 19), in the CPU the cluster suites leave; the validators, needed only by the
# suites that run last, after the nodes, in the same way. On a warm machine each background install returns in about a second.
#
# Every step prints "time: <step>: <seconds>s" (to TIMED_LOG too, which .ci/run prints at the end). The
# first failing step fails the run; the background builds are then stopped, with nothing left running.
# `bash hack/bootstrap.sh` installs the same things one after the other.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
prefix=test-all
BACKGROUND_LOGS="$CACHE_ROOT/logs"

# shellcheck source=lib/background.sh
source "$REPO_ROOT/hack/lib/background.sh"
trap stop_background EXIT

step() { # <label> <command...>
  timed "$@"
}

# --- quick installs, in the foreground: every apt install happens here or waits for dpkg's lock ----------
step "bootstrap shellcheck" apt_ensure "$prefix" shellcheck
step "bootstrap nginx" bash hack/nginx/install.sh
step "bootstrap faults" bash hack/faults/install.sh
background control-plane bash hack/control-plane/install.sh control-plane
background argocd-keda bash hack/control-plane/install.sh argocd keda

# --- suites that need npm, nginx or the brokers only --------------------------------------------------------
step "test" npx projen test
step "typecheck:tests" npx projen typecheck:tests
step "lint:shell" npx projen lint:shell
step "synth" npx projen synth
# The real nodes after the control plane (install.sh waits on its lock, then finds it built), so that no
# more than two Go builds run at a time: with more, their links waited for the disk (docs/CI.md). After
# it, kubelet and kube-proxy also find the packages they share with it in Go's build cache.
background --nice 19 nodes bash -c 'bash hack/control-plane/install.sh control-plane >/dev/null && bash hack/control-plane/install.sh nodes'
# The validators after the nodes, for the same reason; their suites run after the shop suite, whose
# long waits on pods and controllers leave the CPU to this build. After synth too: the gate's install
# runs the compiled src/validate/ (lib/validate/), and would otherwise compile it while synth does.
background --nice 19 validate bash -c 'bash hack/control-plane/install.sh control-plane >/dev/null && bash hack/control-plane/install.sh nodes >/dev/null && bash hack/validate/install.sh'
# The images' registry is a Go build and their root filesystems come from mmdebstrap: after Argo CD and
# KEDA (that install waits on their lock), so that the cluster suites' wait is not longer, and at the
# lowest priority, in the CPU the suites leave (docs/IMAGES.md).
# The shop suite's test-host packages first (test.sh would otherwise install them in the foreground).
# shellcheck disable=SC2016 # (expanded by the job's own shell, which sources common.sh)
background --nice 19 images bash -c 'bash hack/control-plane/install.sh argocd keda >/dev/null && bash hack/images/install.sh \
  && source hack/lib/common.sh && apt_ensure images "${SHOP_HOSTS_DEBS[@]}" && bash hack/images/build.sh'
step "diff:rendered" npx projen diff:rendered
step "render:examples" npx projen render:examples
step "test:faults" npx projen test:faults
step "test:package" npx projen test:package

# --- the cluster suites: the control plane alone, then with the real Argo CD and KEDA -------------------------
await control-plane
step "test:cluster topology" env CP_SUITES=topology npx projen test:cluster
await argocd-keda
step "test:cluster controllers gitops" env CP_SUITES="controllers gitops" npx projen test:cluster

# The app-side kit: PostgreSQL, the venv and the versitygw build (about 80 s of Go on a cold machine), here,
# where only the images' and the nodes' builds may still run beside it; 16 s warm.
step "test:kit" npx projen test:kit

# --- the images, built in the background above: about 2 min warm (31 s on an idle machine) -------------------
await images
step "test:images" npx projen test:images

# --- real containers on real nodes (root) ---------------------------------------------------------------------
await nodes
step "test:cluster nodes" env CP_SUITES=nodes npx projen test:cluster
# The shop's render on the same nodes, from the images test:images pushed (built by then), with its
# PostgreSQL, Redis and S3 on test hosts (CP_SUITES=shop, docs/CONTROL-PLANE.md, "The shop suite").
step "test:cluster shop" env CP_SUITES=shop npx projen test:cluster

# --- suites that need the validators, built while the shop suite ran -------------------------------------------
await validate
step "test:integration" npx projen test:integration
step "validate" npx projen validate
step "validate:examples" bash hack/validate/run.sh --manifests examples/shop/dist/manifests \
  --exceptions hack/validate/examples-exceptions.yaml
step "validate:examples previews" bash hack/validate/run.sh --manifests examples/shop/dist/previews \
  --exceptions hack/validate/examples-exceptions.yaml
step "validate:compose" npx projen validate:compose

mapfile -t pinned < <(printf '%s\n' "${!APT_PINS[@]}" | sort)
apt_report "${pinned[@]}" | sed "s/^/$prefix: ran with /" >&2
log "$prefix" "all passed"
