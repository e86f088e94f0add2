#!/usr/bin/env bash
# `npm run test:cluster`: builds or reuses the control plane, Argo CD and KEDA (install.sh), renders
# the manifests if dist/manifests is missing, and runs each suite of test/cluster/ on a control plane
# of its own (start.sh), so that no suite sees another's objects or controllers:
#   topology     test/cluster/topology.cluster.ts: the rendered environments, applied by the test;
#                no Argo CD, no KEDA
#   controllers  test/cluster/controllers.cluster.ts: real Argo CD and KEDA (CP_WITH_ARGOCD=1,
#                CP_WITH_KEDA=1, CP_WITH_BROKERS=1) with small fixtures of their own
#   gitops       test/cluster/gitops.cluster.ts: real Argo CD syncs Picvario's render from a rendered
#                branch (k8s-topology publish) and real KEDA scales its workers; same switches
#   nodes        test/cluster/nodes.cluster.ts: real containers on two real nodes (CP_WITH_NODES=1;
#                needs root): scheduling across zones, a ClusterIP Service through kube-proxy, DNS
#                through CoreDNS, NetworkPolicy through kube-router, a liveness restart, exec, logs
#                and the metrics API; and, unless CP_REGISTRY names a registry, the registry mirrors
#                (CP_REGISTRY=198.18.0.1:<free port>, CP_REGISTRY_HOSTS="registry.picvario.test docker.io",
#                a stand-in the suite serves). Not in the default list: run it with CP_SUITES=nodes.
#   shop         test/cluster/shop.cluster.ts: the shop's suite environment (examples/shop/app.ts,
#                shopSuiteApp) on the two real nodes, published to a rendered branch (k8s-topology
#                publish) and synced by the real Argo CD, with the real KEDA scaling its workers and
#                the HPAs fed by metrics-server (CP_WITH_NODES=1 CP_WITH_ARGOCD=1 CP_WITH_KEDA=1),
#                from the images built here (hack/images/),
#                served by a registry on CP_REGISTRY=198.18.0.1:<free port> as the mirror of
#                registry.example.com, docker.io, registry.picvario.example and docker.elastic.co, with
#                PostgreSQL, Redis, S3 and RabbitMQ on test hosts
#                (hack/control-plane/shop-hosts.sh wraps jest); requests through the edge during a
#                drain of each node and rollouts, the traffic model probed in pods, websockets through
#                the edge, a Job from the CronJob, and a pull request's preview applied beside it and
#                pruned. Then, in the same jest run on the same nodes and test hosts,
#                test/cluster/bakery.cluster.ts: the bakery compose fixture imported with the CLI, its
#                placeholders replaced by the test hosts in main.ts, rendered, pushed (its image is
#                hack/images/defs/bakery-web.sh) and applied, and test/cluster/recipes.cluster.ts: the
#                cookiecutter-django-style recipes fixture the same way (compose-import.ts; its image is
#                hack/images/defs/recipes-django.sh), and test/cluster/devstack.cluster.ts: the devstack
#                fixture on MariaDB and RabbitMQ (hack/images/defs/devstack-django.sh), and
#                test/cluster/newsroom.cluster.ts: the newsroom fixture on ASGI (uvicorn, daphne), a Redis
#                with a password and a Nuxt frontend (defs/newsroom-site.sh, newsroom-web.sh), and
#                test/cluster/mediahub.cluster.ts: the mediahub fixture, django-tenants on RabbitMQ with
#                seven queues, Flower and a Nuxt frontend (defs/mediahub-backend.sh, mediahub-frontend.sh);
#                then test/cluster/picvario.cluster.ts:
#                Picvario's suites' environment (src/picvario/environments.ts, SUITE) published and
#                synced by Argo CD, its traffic model probed, two tenants migrated by the migrate Job
#                of a sync and served on their hosts, KEDA on RabbitMQ, a drain of each node and a
#                rollout under requests through the edge. Root; not in the default list
#                (hack/test-all.sh runs it after the nodes suite).
# Arguments are passed to jest in every suite (e.g. -t 'zone loss').
#   CP_SUITES      suites to run, in order (default "topology controllers gitops")
#   MANIFESTS_DIR  rendered environments to test (default dist/manifests)
#   EXTRA_MANIFESTS_DIRS  more renders the topology suite applies next to it, colon-separated
#                  (default: examples/shop/dist/manifests, rendered if missing; set it empty for
#                  none). Not the compose-import renders (dist/compose/*/manifests): their workers
#                  pin the node pools of their compose placement constraints (node-pool=gpu,
#                  tier=workers), which the suite's kwok nodes do not have, so they stay Pending.
#   CRDS_DIR       CRD folders (default ../shared/crds, next to the repository)
#   CP_KEEP_WORK=1 keep certificates and component logs after the run
# Every suite runs even if an earlier one failed; the exit code is non-zero if any failed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
P=control-plane
cd "$REPO_ROOT"

read -r -a suites <<<"${CP_SUITES:-topology controllers gitops}"
need=(control-plane)
for s in "${suites[@]}"; do
  case "$s" in
    topology) ;;
    controllers | gitops) need+=(argocd keda) ;;
    nodes) need+=(nodes) ;;
    shop) need+=(nodes argocd keda) ;;
    *) die "$P" "unknown suite '$s' in CP_SUITES (topology, controllers, gitops, nodes, shop)" ;;
  esac
done
# The jest files of a suite, in the order they run (test/cluster/sequencer.js keeps it).
suite_files() {
  case "$1" in
    shop) echo test/cluster/shop.cluster.ts test/cluster/bakery.cluster.ts test/cluster/recipes.cluster.ts test/cluster/devstack.cluster.ts test/cluster/newsroom.cluster.ts test/cluster/mediahub.cluster.ts test/cluster/picvario.cluster.ts ;;
    *) echo "test/cluster/$1.cluster.ts" ;;
  esac
}
for s in "${suites[@]}"; do
  for f in $(suite_files "$s"); do [ -f "$f" ] || die "$P" "$f (suite $s) is missing"; done
done

read -r -a need <<<"$(printf '%s\n' "${need[@]}" | awk '!seen[$0]++' | xargs)"
case " ${suites[*]} " in *" shop "*) apt_ensure "$P" "${SHOP_HOSTS_DEBS[@]}" ;; esac
installed=$(bash "$CP_DIR/install.sh" "${need[@]}") || die "$P" "install.sh ${need[*]} failed"
while IFS='=' read -r key value; do
  case "$key" in
    CP_BIN_DIR | CP_ARGOCD_BIN_DIR | CP_KEDA_BIN_DIR | CP_NODES_BIN_DIR) export "$key=$value" ;;
  esac
done <<<"$installed"
[ -x "${CP_BIN_DIR:-}/kube-apiserver" ] || die "$P" "install.sh did not produce the control plane binaries"

export CRDS_DIR=${CRDS_DIR:-$REPO_ROOT/../shared/crds}
[ -d "$CRDS_DIR" ] || die "$P" "CRD folder $CRDS_DIR is missing (KEDA, Argo CD and External Secrets CRDs; set CRDS_DIR)"
[ -x node_modules/.bin/jest ] || die "$P" "node_modules/.bin/jest is missing (run npm ci)"
export MANIFESTS_DIR=${MANIFESTS_DIR:-dist/manifests}
if [[ " ${suites[*]} " == *" topology "* ]]; then
  if [ ! -d "$MANIFESTS_DIR" ]; then
    [ "$MANIFESTS_DIR" = dist/manifests ] || die "$P" "MANIFESTS_DIR=$MANIFESTS_DIR does not exist"
    log "$P" "dist/manifests is missing: running npm run synth"
    npm run synth
    [ -d dist/manifests ] || die "$P" "npm run synth did not produce dist/manifests"
  fi
  if [ -z "${EXTRA_MANIFESTS_DIRS+set}" ]; then
    extra=(examples/shop/dist/manifests)
    if [ ! -d examples/shop/dist/manifests ]; then
      log "$P" "examples/shop/dist/manifests is missing: running npm run render:examples"
      npm run render:examples
      [ -d examples/shop/dist/manifests ] || die "$P" "npm run render:examples did not produce examples/shop/dist/manifests"
    fi
    EXTRA_MANIFESTS_DIRS=$(IFS=:; echo "${extra[*]}")
  fi
  export EXTRA_MANIFESTS_DIRS
  IFS=: read -r -a extra <<<"$EXTRA_MANIFESTS_DIRS"
  for d in "${extra[@]}"; do [ -d "$d" ] || die "$P" "EXTRA_MANIFESTS_DIRS: $d does not exist"; done
  log "$P" "topology suite renders: $MANIFESTS_DIR${EXTRA_MANIFESTS_DIRS:+, ${EXTRA_MANIFESTS_DIRS//:/, }}"
fi
if [[ " ${suites[*]} " == *" gitops "* || " ${suites[*]} " == *" shop "* ]]; then
  # The gitops and shop suites publish with the compiled CLI (lib/cli/main.js) and render from src/; the
  # shop suite's bakery file imports and renders with it too.
  if [ ! -f lib/cli/main.js ] || is_newer "$(newest src)" "$(newest lib)"; then
    log "$P" "lib/ is missing or older than src/: npx projen compile"
    npx projen compile >/dev/null || die "$P" "npx projen compile failed"
  fi
fi

failed=()
results=()
for s in "${suites[@]}"; do
  flags=()
  wrap=()
  case "$s" in
    controllers | gitops) flags=(CP_WITH_ARGOCD=1 CP_WITH_KEDA=1 CP_WITH_BROKERS=1) ;;
    nodes)
      flags=(CP_WITH_NODES=1)
      # Without a registry of the caller's, the suite checks the nodes' registry mirrors against a
      # stand-in that it starts itself on the bridge address (a kernel-chosen free port).
      if [ -z "${CP_REGISTRY:-}" ]; then
        port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
        flags+=(CP_REGISTRY="198.18.0.1:$port" CP_REGISTRY_HOSTS="registry.picvario.test docker.io" CP_REGISTRY_STAND_IN=1)
      fi
      ;;
    shop)
      port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
      flags=(CP_WITH_NODES=1 CP_WITH_ARGOCD=1 CP_WITH_KEDA=1 CP_REGISTRY="198.18.0.1:$port" CP_REGISTRY_HOSTS="registry.example.com docker.io registry.picvario.example docker.elastic.co ghcr.io")
      wrap=(bash "$CP_DIR/shop-hosts.sh" --)
      ;;
  esac
  log "$P" "=== suite $s${flags[*]:+ (${flags[*]})} ==="
  start=$SECONDS
  rc=0
  read -r -a files <<<"$(suite_files "$s")"
  env "${flags[@]}" bash "$CP_DIR/start.sh" -- "${wrap[@]}" \
    node_modules/.bin/jest --config test/cluster/jest.config.js --runInBand --runTestsByPath "${files[@]}" "$@" || rc=$?
  results+=("$s: $([ "$rc" = 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - start))s")
  [ "$rc" = 0 ] || failed+=("$s")
  case "$rc" in 130 | 143) die "$P" "interrupted during suite $s" ;; esac
done
log "$P" "suites: ${results[*]/%/;}"
[ ${#failed[@]} -eq 0 ] || die "$P" "failed suites: ${failed[*]}"
