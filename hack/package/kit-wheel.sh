#!/usr/bin/env bash
# The app-side kit (contrib/django, k8s-topology-django) as a wheel in dist/python, beside the jsii package's:
# `npx projen package:python` runs it, so the release publishes both to PyPI at package.json's version.
# The wheel is built with the setuptools release contrib/django/pyproject.toml pins, in a throwaway venv
# (pip's build isolation fetches it from PyPI). Usage: hack/package/kit-wheel.sh [<out dir>, default dist/python]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/hack/lib/python.sh"
P=kit-wheel
out=$(realpath -m "${1:-$REPO_ROOT/dist/python}")
python=${KIT_PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || die "$P" "$python is not on PATH"
venv=$(mktemp -d "${TMPDIR:-/tmp}/kit-wheel-XXXXXX")
trap 'rm -rf "$venv"' EXIT
"$python" -m venv "$venv" || die "$P" "python -m venv failed (on Debian's python: apt-get install python3-venv)"
rm -f "$out"/k8s_topology_django-*.whl
contrib_wheel_build "$P" "$venv/bin/python" "$out"
log "$P" "built $(cd "$out" && ls k8s_topology_django-*.whl)"
