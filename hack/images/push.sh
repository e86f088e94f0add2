#!/usr/bin/env bash
# Pushes the built images to a registry under every reference the renders use, then resolves each
# reference from the registry, as a node's container runtime would:
#
#   hack/images/push.sh <ip>:<port> <manifests dir>      e.g. push.sh 127.0.0.1:5000 examples/shop/dist/manifests
#
# Every image reference of every container under <manifests dir> must be built by a definition in
# defs/ (IMAGE_REPOSITORY is the reference without its tag). One registry serves the repositories of
# every host the renders name (registry.example.com/shop/api is shop/api, docker.io/nginxinc/... is
# nginxinc/...): the nodes' runtime maps each host to it as a mirror, so two hosts must not share a
# repository path. For each reference: the tag must resolve (GET /v2/<path>/manifests/<tag>) to the digest
# of the built manifest, and that digest must resolve too (skopeo inspect <path>@<digest>).
# Prints one line per reference: <reference> <digest>.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
P=images-push

[ $# = 2 ] || die "$P" "usage: push.sh <ip>:<port> <manifests dir>; got $# arguments"
registry=$1 manifests=$2
[ -d "$manifests" ] || die "$P" "$manifests is not a folder (render first: npm run render:examples)"

declare -A layout_of digest_of
while read -r repository layout digest; do
  layout_of[$repository]=$layout
  digest_of[$repository]=$digest
done < <(bash "$IMAGES_DIR/build.sh")

mapfile -t refs < <(node "$IMAGES_DIR/pod.js" images "$manifests")
declare -A host_of_path
accept='application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json'
for ref in "${refs[@]}"; do
  case $ref in
    *@*) die "$P" "$ref: a reference by digest cannot be pushed to; the renders name images by tag" ;;
    */*:*) ;;
    *) die "$P" "$ref: expected <host>/<path>:<tag>" ;;
  esac
  repository=${ref%:*} tag=${ref##*:}
  host=${repository%%/*} path=${repository#*/}
  [ -n "${layout_of[$repository]:-}" ] \
    || die "$P" "$ref: no definition in hack/images/defs/ builds $repository (IMAGE_REPOSITORY; built: ${!layout_of[*]})"
  if [ -n "${host_of_path[$path]:-}" ] && [ "${host_of_path[$path]}" != "$host" ]; then
    die "$P" "$ref: repository path $path is also used by ${host_of_path[$path]}: one registry cannot mirror both"
  fi
  host_of_path[$path]=$host

  skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
    "oci:${layout_of[$repository]}:image" "docker://$registry/$path:$tag" \
    || die "$P" "skopeo copy to $registry/$path:$tag failed"
  served=$(curl -fsS -m 10 -o /dev/null -D - -H "Accept: $accept" "http://$registry/v2/$path/manifests/$tag" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }') \
    || die "$P" "$ref: GET http://$registry/v2/$path/manifests/$tag failed"
  [ "$served" = "${digest_of[$repository]}" ] \
    || die "$P" "$ref: the registry resolves tag $tag to '$served'; built ${digest_of[$repository]}"
  skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$registry/$path@$served" >/dev/null \
    || die "$P" "$ref: $registry/$path@$served does not resolve"
  echo "$ref $served"
done
