#!/usr/bin/env bash
# Installs what the image builder needs, on a fresh machine or again on this one:
#   - Debian's mmdebstrap, umoci, skopeo, runc, python3 (+ pip), iproute2, util-linux, redis-server and
#     postgresql-15 (pinned by upstream version in APT_PINS, hack/lib/common.sh, but PostgreSQL);
#   - the OCI registry, built from the pinned Go module in registry/ ($REGISTRY_MODULE $REGISTRY_VERSION)
#     into $CACHE_ROOT/images/bin/registry-<hash>/, the hash covering go.mod, go.sum, the Go version and
#     the build flags. The directory counts only with its .complete marker; a lock keeps two installs from
#     building it at once.
# Idempotent: with everything in place it returns in well under a second. Prints REGISTRY_BIN=<path>.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=images

apt_ensure "$P" "${IMAGES_TOOLS[@]}"
for tool in flock sha256sum ip nsenter; do
  command -v "$tool" >/dev/null || die "$P" "missing '$tool' (Debian packages util-linux, coreutils, iproute2)"
done
command -v go >/dev/null || die "$P" "Go is required to build the registry (the go command is missing)"
grep -Eq "^\s*(require\s+)?$REGISTRY_MODULE $REGISTRY_VERSION( |\$)" "$IMAGES_DIR/registry/go.mod" \
  || die "$P" "registry/go.mod does not require $REGISTRY_MODULE $REGISTRY_VERSION (update lib.sh with it)"

bin=$(registry_bin_dir)

build_registry() {
  [ -f "$bin/.complete" ] && [ -x "$bin/registry" ] && return 0
  local tmp
  tmp=$(mktemp -d "$IMAGES_CACHE/bin/.build.XXXXXX")
  log "$P" "building the registry ($REGISTRY_MODULE $REGISTRY_VERSION) into $bin"
  (cd "$IMAGES_DIR/registry" && go mod download) # fails here if go.sum lacks a line: nothing resolves anew
  local TIMEFORMAT="time: go build registry: %1R s wall, %1U s user + %1S s system CPU"
  time (cd "$IMAGES_DIR/registry" && CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags="$REGISTRY_LDFLAGS" \
    -o "$tmp/registry" "$REGISTRY_MODULE/cmd/registry") || { rm -rf "$tmp"; die "$P" "go build of the registry failed"; }
  touch "$tmp/.complete"
  rm -rf "$bin"
  mv "$tmp" "$bin"
}

if [ ! -f "$bin/.complete" ]; then
  mkdir -p "$IMAGES_CACHE/bin"
  with_lock install-registry build_registry
fi
echo "REGISTRY_BIN=$bin/registry"
