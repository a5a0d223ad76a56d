#!/usr/bin/env bash
# Runs s3rver (an S3-compatible server, from the npm registry) for the tests:
#   run.sh DATA_DIR BUCKET...
# Installs it first with `npm ci` from the committed package-lock.json into
# node_modules/ beside this script (git-ignored), serialized by a lock so that
# parallel tests install once. Listens on a free loopback port and prints
# "S3rver listening on 127.0.0.1:PORT"; serves until killed.
#
# s3rver checks that the access key exists (S3RVER / S3RVER) but does not
# implement Signature V4 verification, hence --allow-mismatched-signatures.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$1; shift
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "node and npm are needed for the S3 test server: scripts/install-deps.sh test" >&2; exit 1; }
(
  flock 9
  if [[ ! -f $here/node_modules/s3rver/package.json ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
) 9>"$here/.install.lock"
buckets=()
for b in "$@"; do buckets+=(--configure-bucket "$b"); done
exec node --openssl-legacy-provider "$here/node_modules/s3rver/bin/s3rver.js" -d "$data" -a 127.0.0.1 -p 0 --silent \
  --allow-mismatched-signatures --no-vhost-buckets "${buckets[@]}"
