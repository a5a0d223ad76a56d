# Shared helpers for the end-to-end suites. Each suite sources this file; it
# expects DOSAR and MAKE_SAMPLES (set by ctest) and gives a fresh $WORK.
set -euo pipefail

: "${DOSAR:?path of the dosar binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dosar-e2e-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export DOSAR_ARCHIVE="$WORK/archive"
FAILURES=0

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }

# stop_all: for an EXIT trap. Ends the processes listed in PIDS (workers,
# servers the suite started), then the servers of the helpers sourced
# (shards.sh, s3rver.sh, postgres.sh), and removes $WORK.
PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for stop in stop_shards stop_s3rver stop_postgres; do
    if declare -F "$stop" >/dev/null; then "$stop"; fi
  done
  rm -rf "$WORK"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# expect_exit CODE COMMAND...: runs the command, compares its exit status.
expect_exit() {
  local want=$1; shift
  set +e
  "$@" >"$WORK/last.out" 2>"$WORK/last.err"
  local got=$?
  set -e
  if [[ $got != "$want" ]]; then
    fail "'$*' exited $got, expected $want"
    sed 's/^/  out: /' "$WORK/last.out" | head -20 >&2
    sed 's/^/  err: /' "$WORK/last.err" | head -20 >&2
  fi
}

# expect_output_contains FRAGMENT: checks the last command's stdout+stderr.
expect_output_contains() {
  if ! grep -qF -- "$1" "$WORK/last.out" "$WORK/last.err"; then
    fail "output does not contain '$1'"
    cat "$WORK/last.out" "$WORK/last.err" | sed 's/^/  | /' | head -20 >&2
  fi
}

finish() {
  if (( FAILURES > 0 )); then
    echo "$FAILURES check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}

# browser_tools NODE_DIR SCRIPT: Debian's Chromium must be there; installs
# tests/browser's npm packages (playwright-core, axe-core), pinned by the
# committed lock file, into NODE_DIR once per lock file, and copies SCRIPT
# (a file of tests/browser/) and their shared ui_lib.mjs beside them. Needs SOURCE_DIR.
browser_tools() {
  local node_dir=$1 script=$2
  [[ -x /usr/bin/chromium ]] ||
    { echo "FAIL: /usr/bin/chromium is missing (scripts/install-deps.sh test installs it)" >&2; exit 1; }
  if ! cmp -s "$SOURCE_DIR/tests/browser/package-lock.json" "$node_dir/package-lock.json" 2>/dev/null ||
     [[ ! -d $node_dir/node_modules/playwright-core || ! -d $node_dir/node_modules/axe-core ]]; then
    mkdir -p "$node_dir"
    cp "$SOURCE_DIR/tests/browser/package.json" "$SOURCE_DIR/tests/browser/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  cp "$SOURCE_DIR/tests/browser/$script" "$SOURCE_DIR/tests/browser/ui_lib.mjs" "$node_dir/"
}

# serve_archive PROBE_PATH [ARGS...]: `dosar serve` with ARGS on a free
# loopback port, its stderr in $WORK/serve.err; sets PORT and SERVER, stops
# it (and removes $WORK) on exit, and returns once PROBE_PATH answers.
serve_archive() {
  local probe=$1
  shift
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$DOSAR" serve --listen "127.0.0.1:$PORT" "$@" 2>"$WORK/serve.err" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT$probe" >/dev/null && break
    sleep 0.1
  done
}

# text_pdf FILE TEXT: a one-page born-digital PDF (Helvetica, ASCII text).
text_pdf() {
  python3 - "$1" "$2" <<'PY'
import sys
text = sys.argv[2].replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)')
stream = f"BT /F1 11 Tf 50 750 Td ({text}) Tj ET".encode()
objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> >>",
           b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
           b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out, offsets = bytearray(b"%PDF-1.4\n"), []
for i, body in enumerate(objects, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(sys.argv[1], "wb").write(out)
PY
}

# pkcs11_token TOKEN OBJECT KEY CERT: a SoftHSM2 token TOKEN made in $WORK
# (user PIN 1234) holding KEY and CERT (PEM) as OBJECT; sets TOKEN_KEY to
# the key's pkcs11: URI. The key never leaves the token.
pkcs11_token() {
  export SOFTHSM2_CONF=$WORK/softhsm2.conf
  mkdir -p "$WORK/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$WORK/tokens" >"$SOFTHSM2_CONF"
  local module=/usr/lib/softhsm/libsofthsm2.so
  softhsm2-util --init-token --free --label "$1" --pin 1234 --so-pin 5678 >/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$3" -out "$WORK/$2.p8"
  softhsm2-util --import "$WORK/$2.p8" --token "$1" --label "$2" --id 01 --pin 1234 >/dev/null
  openssl x509 -in "$4" -outform DER -out "$WORK/$2.der"
  pkcs11-tool --module "$module" --login --pin 1234 --token-label "$1" --write-object "$WORK/$2.der" --type cert \
    --label "$2" --id 01 >/dev/null 2>&1
  TOKEN_KEY="pkcs11:token=$1;object=$2;type=private?module-path=$module"
}
