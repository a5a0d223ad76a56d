# Starts an S3-compatible server (s3rver, tests/tools/s3rver) on loopback for
# an end-to-end suite; source after lib.sh. `start_s3rver BUCKET...` sets
# S3_ENDPOINT and the credentials s3rver knows; the server stops with the suite.
: "${SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
S3RVER_PID=

stop_s3rver() {
  if [[ -n $S3RVER_PID ]]; then
    kill "$S3RVER_PID" 2>/dev/null || true
    wait "$S3RVER_PID" 2>/dev/null || true
    S3RVER_PID=
  fi
}

start_s3rver() {
  mkdir -p "$WORK/s3data"
  bash "$SOURCE_DIR/tests/tools/s3rver/run.sh" "$WORK/s3data" "$@" >"$WORK/s3rver.log" 2>&1 &
  S3RVER_PID=$!
  trap 'stop_s3rver; rm -rf "$WORK"' EXIT
  local port=
  for _ in $(seq 1 600); do  # up to 60 s: the first run installs s3rver
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/s3rver.log" | head -1)
    [[ -n $port ]] && break
    kill -0 "$S3RVER_PID" 2>/dev/null || { cat "$WORK/s3rver.log" >&2; echo "s3rver did not start" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$WORK/s3rver.log" >&2; echo "s3rver did not start in 60 s" >&2; exit 1; }
  export S3_ENDPOINT="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
}
