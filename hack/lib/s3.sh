# Requests to the suites' S3 test server (versitygw), signed as the pods sign theirs. Source it after common.sh:
#   s3_status <endpoint> <access key> <secret key> <bucket[/key][?query]> [curl options...]
#       prints the HTTP status of one request (SigV4, region eu-west-1, 5 s at most); runs curl in the
#       network namespace $S3_NETNS when it is set (the image suite's servers listen only there).
#   s3_public_read <endpoint> <access key> <secret key> <bucket>
#       gives the bucket a policy that lets anyone read its objects, as a team's statics bucket is (the edge
#       fetches /static/ from it unsigned); fails if the server refuses it.
# shellcheck shell=bash

s3_status() {
  local endpoint=$1 access=$2 secret=$3 resource=$4
  shift 4
  local run=()
  [ -z "${S3_NETNS:-}" ] || run=(ip netns exec "$S3_NETNS")
  "${run[@]}" curl -s -m 5 -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:eu-west-1:s3 --user "$access:$secret" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@" "$endpoint/$resource"
}

s3_public_read() {
  local endpoint=$1 access=$2 secret=$3 bucket=$4
  local policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::'"$bucket"'/*"]}]}'
  [ "$(s3_status "$endpoint" "$access" "$secret" "$bucket?policy=" -X PUT --data "$policy")" = 204 ]
}
