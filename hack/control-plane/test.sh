#!/usr/bin/env bash
# `npm run test:cluster`: builds or reuses the control plane (install.sh), renders the manifests if
# dist/manifests is missing, starts the control plane (start.sh) and runs the jest suite in
# test/cluster/ against it. Arguments are passed to jest (e.g. -t 'zone loss').
#   MANIFESTS_DIR  rendered environments to test (default dist/manifests)
#   CRDS_DIR       CRD folders (default ../shared/crds, next to the repository)
#   CP_KEEP_WORK=1 keep certificates and component logs after the run
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
P=control-plane
cd "$REPO_ROOT"

installed=$(bash "$CP_DIR/install.sh" control-plane) || die "$P" "install.sh control-plane failed"
BIN=$(sed -n 's/^CP_BIN_DIR=//p' <<<"$installed")
[ -x "$BIN/kube-apiserver" ] || die "$P" "install.sh did not produce the control plane binaries"

export MANIFESTS_DIR=${MANIFESTS_DIR:-dist/manifests}
if [ ! -d "$MANIFESTS_DIR" ]; then
  [ "$MANIFESTS_DIR" = dist/manifests ] || die "$P" "MANIFESTS_DIR=$MANIFESTS_DIR does not exist"
  log "$P" "dist/manifests is missing: running npm run synth"
  npm run synth
  [ -d dist/manifests ] || die "$P" "npm run synth did not produce dist/manifests"
fi
export CRDS_DIR=${CRDS_DIR:-$REPO_ROOT/../shared/crds}
[ -d "$CRDS_DIR" ] || die "$P" "CRD folder $CRDS_DIR is missing (KEDA, Argo CD and External Secrets CRDs; set CRDS_DIR)"
[ -x node_modules/.bin/jest ] || die "$P" "node_modules/.bin/jest is missing (run npm ci)"

CP_BIN_DIR=$BIN exec bash "$CP_DIR/start.sh" -- \
  node_modules/.bin/jest --config test/cluster/jest.config.js --runInBand "$@"
