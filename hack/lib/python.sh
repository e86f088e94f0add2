# Python environments of the suites (hack/faults/, hack/kit/). Source it after common.sh:
#   pinned_venv <prefix> <venv> <python> <requirements> <stamp file name>
#       (re)creates <venv> with exactly the hashed pins of <requirements> (--no-deps --require-hashes, then
#       pip check) when the requirements or the interpreter changed since the stamp in <venv>/<stamp file>.
#   contrib_wheel <prefix> <venv>
#       builds contrib/django (k8s-topology-django) into a wheel with the venv's pinned setuptools
#       (contrib_wheel_build) and installs it into <venv>, again whenever its files change
#       (stamp <venv>/.contrib-stamp).
#   contrib_wheel_build <prefix> <python> <out dir> [pip wheel options]
#       builds the kit's wheel into <out dir>, from a copy (the build leaves no build/ or *.egg-info in the
#       checkout), versioned as package.json: the kit and the manifests are released together.
# shellcheck shell=bash

pinned_venv() {
  local prefix=$1 venv=$2 python=$3 requirements=$4 stamp_file=$5 stamp
  stamp="$(sha256sum "$requirements" | cut -c1-16)-$("$python" -c 'import sys; print(sys.version.split()[0], sys.executable)' | tr ' /' '_-')"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/$stamp_file" 2>/dev/null)" = "$stamp" ]; then
    log "$prefix" "cached   venv $venv"
    return 0
  fi
  log "$prefix" "creating venv $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "$prefix" "python -m venv failed (on Debian's python: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input --no-deps --require-hashes -r "$requirements" \
    || die "$prefix" "pip install -r $requirements failed"
  "$venv/bin/python" -m pip check >&2 || die "$prefix" "the pinned set in $requirements is incomplete (pip check)"
  echo "$stamp" >"$venv/$stamp_file"
  log "$prefix" "installed $(grep -c '==' "$requirements") pinned packages"
}

contrib_wheel() {
  local prefix=$1 venv=$2 contrib=contrib/django stamp build
  stamp="$(find "$REPO_ROOT/$contrib" -type f -not -path '*/__pycache__/*' -not -path '*.egg-info/*' -not -path '*/build/*' -printf '%P\0' \
    | LC_ALL=C sort -z | (cd "$REPO_ROOT/$contrib" && xargs -0 sha256sum) | sha256sum | cut -c1-16)"
  if [ "$(cat "$venv/.contrib-stamp" 2>/dev/null)" = "$stamp" ]; then
    log "$prefix" "cached   $contrib"
    return 0
  fi
  build=$(mktemp -d)
  # Without build isolation: no unpinned download, the venv's pinned setuptools builds it.
  contrib_wheel_build "$prefix" "$venv/bin/python" "$build/dist" --no-build-isolation
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input --no-deps --force-reinstall "$build"/dist/*.whl \
    || { rm -rf "$build"; die "$prefix" "pip install of the $contrib wheel failed"; }
  rm -rf "$build"
  "$venv/bin/python" -m pip check >&2 || die "$prefix" "$contrib needs a package the pinned set of $venv lacks (pip check)"
  echo "$stamp" >"$venv/.contrib-stamp"
  log "$prefix" "installed $contrib (wheel)"
}

contrib_wheel_build() {
  local prefix=$1 python=$2 out=$3 contrib=contrib/django version src
  shift 3
  version=$(node -p "require('$REPO_ROOT/package.json').version") || die "$prefix" "cannot read the version in $REPO_ROOT/package.json"
  src=$(mktemp -d)
  cp -r "$REPO_ROOT/$contrib/." "$src"
  rm -rf "$src/build" "$src"/*.egg-info
  grep -q '^version = "0.0.0"$' "$src/pyproject.toml" \
    || { rm -rf "$src"; die "$prefix" "$contrib/pyproject.toml must say version = \"0.0.0\" (the build sets package.json's version)"; }
  sed -i "s/^version = \"0.0.0\"\$/version = \"$version\"/" "$src/pyproject.toml"
  mkdir -p "$out"
  "$python" -m pip wheel -q --disable-pip-version-check --no-input --no-deps "$@" -w "$out" "$src" \
    || { rm -rf "$src"; die "$prefix" "building the wheel of $contrib failed"; }
  rm -rf "$src"
}
