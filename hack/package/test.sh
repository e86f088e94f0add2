#!/usr/bin/env bash
# npm run test:package: builds the npm and Python packages from this checkout and proves that each
# works for a consumer, in throwaway projects that install it the way a user would. Also checks
# that API.md documents the public constructs only, and that the release bump works (in a clone).
# See docs/RELEASING.md. Needs node, npm, git and python3 with venv; everything else, the Node releases the
# consumers run on included, comes from the npm registry and PyPI at the versions pinned below.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
consumer="$root/hack/package/consumer"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/picvario-k8s-topology/package-test"
mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/package-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
fail() { echo "test:package: FAILED: $*" >&2; exit 1; }
step() { echo "== $* ($((SECONDS - started))s)"; }
for tool in node npm git python3; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
python3 -c 'import venv, ensurepip' 2>/dev/null || fail "python3 has no venv/ensurepip (Debian: apt-get install python3-venv)"

# The consumer installs exactly the versions this package is developed and tested against.
pin() { node -p "require('./package.json').devDependencies['$1'].replace(/^[\\^~]/, '')"; }
CDK8S=$(pin cdk8s); PLUS=$(pin cdk8s-plus-27); CONSTRUCTS=$(pin constructs)
echo "pins: cdk8s $CDK8S, cdk8s-plus-27 $PLUS, constructs $CONSTRUCTS"

# The consumers run on a supported Node release (package.json's engines: 22 and later; Node 20 is past its end
# of life and jsii's support), from the npm registry through hack/package/node-release.js, whatever node this
# machine has. PACKAGE_TEST_NODE picks another major. The build steps (jsii, jsii-pacmak) run on the machine's.
consumer_node=${PACKAGE_TEST_NODE:-24}
node_bin=$(node hack/package/node-release.js "$consumer_node") || fail "Node $consumer_node for the consumers (hack/package/node-release.js)"
build_path=$PATH
consumer_path="$node_bin:$PATH"
# jsii's runtime warns on stderr when it runs on a Node release past its support, or one it has not tested.
no_node_warning() { # <stderr file> <what ran>
  cat "$1" >&2
  if grep -qE 'end-of-life|no longer be supported|has not been tested with node' "$1"; then fail "jsii warns about Node $(node --version) in $2"; fi
}

step "compile (jsii) and API.md"
npx projen compile >"$work/compile.log" 2>&1 || { tail -40 "$work/compile.log"; fail "npx projen compile"; }
npx projen docgen >"$work/docgen.log" 2>&1 || { tail -40 "$work/docgen.log"; fail "npx projen docgen"; }
for api in DjangoBackend CeleryWorkerPool ArgoCdApplication ArgoCdProject ArgoCdApplicationProps DjangoAppChart DeliveryApp RenderDiff RenderedBranch; do
  grep -q "^### ${api} " API.md || fail "API.md does not document $api"
done
for generated in ApplicationSpec AppProjectSpec ScaledObjectSpec KubeDeployment; do
  ! grep -q "^### ${generated}\b" API.md || fail "API.md documents the generated binding $generated"
done

step "npm package"
rm -rf dist/js
npx projen package:js >"$work/pack-js.log" 2>&1 || { tail -40 "$work/pack-js.log"; fail "npx projen package:js"; }
tarball=$(ls dist/js/*.tgz)
echo "built $tarball"

step "JavaScript consumer"
PATH=$consumer_path
echo "consumers run on Node $(node --version)"
mkdir "$work/js" && cd "$work/js"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error --cache "$cache/npm" \
  "$root/$tarball" "cdk8s@$CDK8S" "cdk8s-plus-27@$PLUS" "constructs@$CONSTRUCTS" >"$work/npm-install.log" 2>&1 \
  || { tail -40 "$work/npm-install.log"; fail "npm install of the tarball and its peers"; }
# Copied in, so that require() resolves from the consumer project's node_modules, as a user's would.
cp "$consumer/app.js" app.js
node app.js "$work/js/out"
cd "$root"
node "$consumer/check-output.js" "$work/js/out" "javascript consumer"

step "k8s-topology CLI in a consumer project"
# A second project on the same install: the consumer's own package.json and cdk8s.yaml, and the CLI from the tarball.
shop="$work/shop"
mkdir "$shop" && cd "$shop"
cp "$consumer/shop.js" shop.js
ln -s "$work/js/node_modules" node_modules
cat > package.json <<'JSON'
{ "name": "shop-deploy", "version": "3.2.1", "private": true,
  "k8sTopology": { "annotationDomain": "shop.example.com", "gitAuthor": "Shop render <render@shop.example.com>" } }
JSON
printf 'app: node shop.js\noutput: dist/manifests\n' > cdk8s.yaml
npx --no-install k8s-topology --help | head -1
# No releases.json yet: the render fails naming the file, instead of rendering some default release.
set +e; npx --no-install k8s-topology render 2> "$work/no-pins.txt"; rc=$?; set -e
if [ "$rc" != 1 ] || ! grep -q 'releases.json: no such release-pins file' "$work/no-pins.txt"; then fail "render without releases.json exited $rc: $(tail -3 "$work/no-pins.txt")"; fi
npx --no-install k8s-topology release production 1.4.0 --create || fail "k8s-topology release --create"
npx --no-install k8s-topology render || fail "k8s-topology render in the consumer project"
node "$consumer/check-render.js" dist/manifests shop-deploy 3.2.1 || fail "the consumer's render"
git init -q -b main && git add -A && git -c user.name=dev -c user.email=dev@example.com commit -q -m "shop: first"
# No git identity, as on a CI runner: the commit is made as package.json's gitAuthor.
env -u GIT_AUTHOR_NAME -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
  npx --no-install k8s-topology publish || fail "k8s-topology publish"
[ "$(git log -1 --format='%an <%ae>' rendered)" = "Shop render <render@shop.example.com>" ] || fail "the rendered commit's author is $(git log -1 --format='%an <%ae>' rendered)"
npx --no-install k8s-topology release production 1.5.0 > "$work/release.txt" || fail "k8s-topology release production 1.5.0"
grep -qx 'releases.json: production 1.4.0 -> 1.5.0' "$work/release.txt" || fail "k8s-topology release printed: $(cat "$work/release.txt")"
npx --no-install k8s-topology render >/dev/null || fail "second render"
npx --no-install k8s-topology diff rendered dist/manifests > "$work/diff-safe.txt" || fail "diff of a version bump exited $? (expected 0): $(tail -3 "$work/diff-safe.txt")"
grep -q 'changed' "$work/diff-safe.txt" && tail -1 "$work/diff-safe.txt"
SHOP_BACKEND_NAME=api npx --no-install k8s-topology render >/dev/null || fail "third render"
set +e; npx --no-install k8s-topology diff rendered dist/manifests > "$work/diff-unsafe.txt"; rc=$?; set -e
[ "$rc" = 1 ] || fail "diff of a renamed backend exited $rc (expected 1)"
grep -q 'Deployment shop/backend \[production\]: metadata.name removed' "$work/diff-unsafe.txt" || fail "the unsafe diff does not name the removed Deployment: $(tail -5 "$work/diff-unsafe.txt")"
echo "diff of a renamed backend: exit 1, $(grep -c 'metadata.name removed' "$work/diff-unsafe.txt") unsafe removals named"
mkdir "$work/no-app" && cd "$work/no-app"
set +e; npx --prefix "$shop" --no-install k8s-topology render 2> "$work/no-app.txt"; rc=$?; set -e
if [ "$rc" != 2 ] || ! grep -q 'no cdk8s app here' "$work/no-app.txt"; then fail "render without an app exited $rc: $(cat "$work/no-app.txt")"; fi
echo "render without an app: exit 2 ($(head -1 "$work/no-app.txt"))"
cd "$root"

step "the README's path, as written, on Node 22, 24 and 26 with TypeScript 5.9, 6 and 7"
# README_PATH_CELLS=22:5.9,22:6,... (Node major:TypeScript release) runs other cells; docs/RELEASING.md.
node hack/package/readme-path.js --tarball "$root/$tarball" || fail "the README's path (hack/package/readme-path.js; the cell and the README line are named above)"

step "Python package"
PATH=$build_path
rm -rf dist/python
PIP_CACHE_DIR="$cache/pip" npx projen package:python >"$work/pack-py.log" 2>&1 || { tail -40 "$work/pack-py.log"; fail "npx projen package:python"; }
wheel=$(ls dist/python/picvario_k8s_topology-*.whl)
kit_wheel=$(ls dist/python/k8s_topology_django-*.whl)
version=$(node -p "require('./package.json').version")
[ "$(basename "$kit_wheel")" = "k8s_topology_django-$version-py3-none-any.whl" ] || fail "the kit's wheel $kit_wheel is not version $version"
echo "built $wheel and $kit_wheel"

step "Python consumer"
PATH=$consumer_path
python3 -m venv "$work/venv"
PIP_CACHE_DIR="$cache/pip" "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  "$wheel" "cdk8s==$CDK8S" "cdk8s-plus-27==$PLUS" "constructs==$CONSTRUCTS" >"$work/pip.log" 2>&1 \
  || { tail -40 "$work/pip.log"; fail "pip install of the wheel and its peers"; }
"$work/venv/bin/python" "$consumer/app.py" "$work/py-out" 2>"$work/py-app.err" || { cat "$work/py-app.err" >&2; fail "the Python consumer's app"; }
no_node_warning "$work/py-app.err" "the Python consumer's app"
node "$consumer/check-output.js" "$work/py-out" "python consumer"
git init -q -b main "$work/py-repo"
git -C "$work/py-repo" -c user.name=dev -c user.email=dev@example.com commit -q --allow-empty -m "shop: first"
(cd "$work" && GIT_CONFIG_GLOBAL=/dev/null "$work/venv/bin/python" "$consumer/shop.py" "$work/py-render" "$work/py-repo" 2>"$work/py-shop.err") \
  || { cat "$work/py-shop.err" >&2; fail "render, publish and diff from Python"; }
no_node_warning "$work/py-shop.err" "render, publish and diff from Python"
node "$consumer/check-render.js" "$work/py-render" shop-deploy-py 5.0.1 || fail "the Python consumer's render"

step "Python preview environments, through the k8s-topology CLI"
# A Python team's project: pyproject.toml names the package, cdk8s.yaml runs the app with the venv's python,
# and the CLI of the npm package (installed above) renders it, the base and then a pull request's preview.
mkdir "$work/py-preview" && cd "$work/py-preview"
cp "$consumer/preview.py" main.py
printf '[project]\nname = "shop-deploy-py"\nversion = "5.0.1"\n' > pyproject.toml
printf 'app: python main.py\noutput: dist/manifests\n' > cdk8s.yaml
py_cli() { PATH="$work/venv/bin:$PATH" npx --prefix "$shop" --no-install k8s-topology "$@"; }
py_cli render >"$work/py-base.out" 2>"$work/py-base.err" || { cat "$work/py-base.out" "$work/py-base.err" >&2; fail "k8s-topology render of the Python app"; }
no_node_warning "$work/py-base.err" "the Python app's render"
grep '^base: ' "$work/py-base.out" || fail "the Python app's render printed no base check: $(tail -3 "$work/py-base.out")"
py_cli preview render --pr 42 >"$work/py-preview.out" 2>"$work/py-preview.err" \
  || { cat "$work/py-preview.out" "$work/py-preview.err" >&2; fail "k8s-topology preview render --pr 42 of the Python app"; }
no_node_warning "$work/py-preview.err" "the Python app's preview render"
grep '^preview: pr-42, namespace shop-pr-42, host pr-42.preview.shop.example.com, ' "$work/py-preview.out" \
  || fail "the Python app's preview render printed no preview check: $(tail -3 "$work/py-preview.out")"
previews=$(cd dist/previews && echo *)
[ "$previews" = pr-42 ] || fail "dist/previews holds $previews, expected pr-42 alone"
# A number the library refuses fails the app with the library's error, naming the variable.
set +e; K8S_TOPOLOGY_PREVIEW_PR=0 CDK8S_OUTDIR="$work/py-preview-refused" "$work/venv/bin/python" main.py 2>"$work/py-refused.err"; rc=$?; set -e
if [ "$rc" = 0 ] || ! grep -q 'K8S_TOPOLOGY_PREVIEW_PR: value must be a pull request number' "$work/py-refused.err"; then
  fail "K8S_TOPOLOGY_PREVIEW_PR=0 gave exit $rc: $(tail -2 "$work/py-refused.err")"
fi
echo "K8S_TOPOLOGY_PREVIEW_PR=0: exit $rc, $(grep -o -m1 'K8S_TOPOLOGY_PREVIEW_PR: value must be [^;]*' "$work/py-refused.err" | head -1)"
cd "$root"

step "the app-side kit from its wheel"
# A Django team's venv: the kit's tested pins (hash-checked), then the wheel with its extra, as the README's
# `pip install "k8s-topology-django[django]"`, resolved against them alone (--no-index): the extra's
# requirements must be met by the set the kit is tested with.
python3 -m venv "$work/kit-venv"
PIP_CACHE_DIR="$cache/pip" "$work/kit-venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r hack/kit/requirements.txt >"$work/kit-pip.log" 2>&1 || { tail -20 "$work/kit-pip.log"; fail "pip install of hack/kit/requirements.txt"; }
"$work/kit-venv/bin/pip" install --quiet --disable-pip-version-check --no-index "${kit_wheel}[django]" >>"$work/kit-pip.log" 2>&1 \
  || { tail -20 "$work/kit-pip.log"; fail "pip install of the kit's wheel with [django]"; }
"$work/kit-venv/bin/pip" check || fail "pip check after installing the kit's wheel"
mkdir "$work/kit-app"
"$work/kit-venv/bin/python" "$consumer/kit_app.py" README.md "$work/kit-app" || fail "the kit in a new Django project (hack/package/consumer/kit_app.py)"

step "release bump in a clone"
PATH=$build_path
git clone --quiet "$root" "$work/clone"
ln -s "$root/node_modules" "$work/clone/node_modules"
(
  cd "$work/clone"
  # As if 0.0.0 had been released: a feat commit after it must make a higher version
  # (projen makes 0.0.1 while the major version is 0).
  git tag v0.0.0
  git -c user.name=release -c user.email=release@example.com commit --quiet --allow-empty -m "feat: a releasable change"
  npx projen bump >"$work/bump.log" 2>&1 || { tail -40 "$work/bump.log"; exit 1; }
  version=$(cat dist/version.txt)
  [ "$version" = "0.0.1" ] || { echo "bump made $version, expected 0.0.1"; cat dist/changelog.md; exit 1; }
  [ -s dist/changelog.md ] || { echo "no dist/changelog.md"; exit 1; }
  grep -q "a releasable change" dist/changelog.md || { echo "changelog lacks the feat commit"; cat dist/changelog.md; exit 1; }
  [ "$(node -p "require('./package.json').version")" = "$version" ] || { echo "package.json not bumped to $version"; exit 1; }
  echo "bump: $version, changelog $(wc -l < dist/changelog.md) lines, tag $(cat dist/releasetag.txt)"
) || fail "npx projen bump in a clone"

echo "test:package: all passed in $((SECONDS - started))s"
