#!/usr/bin/env bash
# The web pages in a real browser: `dosar serve` on loopback, driven through
# Debian's Chromium by playwright-core (tests/browser/web_ui.test.mjs).
# Screenshots are kept in $ARTIFACTS (default build/test-artifacts/web-ui).
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"

NODE_DIR=${DOSAR_NODE_CACHE:-$SOURCE_DIR/build/node/browser}
browser_tools "$NODE_DIR" web_ui.test.mjs

export DOSAR_TEST_PASSWORD="parola-de-test-1"
"$DOSAR" init >/dev/null
"$DOSAR" user add ana --display-name "Ana Popescu" --departments "Asistență socială" --password-env DOSAR_TEST_PASSWORD >/dev/null
"$DOSAR" user add maria --display-name "Maria Ionescu" --departments "Asistență socială" --password-env DOSAR_TEST_PASSWORD >/dev/null
"$DOSAR" user add ion --display-name "Ion Vasile" --departments "Urbanism" --password-env DOSAR_TEST_PASSWORD >/dev/null

# A head who approves from the web pages with the key the server keeps.
PKI=$WORK/pki
bash "$SOURCE_DIR/tests/support/make_test_pki.sh" "$PKI" >/dev/null
"$DOSAR" user add sef --display-name "Elena Șerban" --departments "Asistență socială" --password-env DOSAR_TEST_PASSWORD >/dev/null
"$DOSAR" user signing-key sef --key "$PKI/rsa.p12" >/dev/null
"$DOSAR" flow template cerere --step "aprobare=sef" >/dev/null

serve_archive / --threads 4 --trust "$PKI/trust-crl"

ARTIFACTS=${ARTIFACTS:-$SOURCE_DIR/build/test-artifacts/web-ui}
mkdir -p "$ARTIFACTS"
if ! BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$DOSAR_TEST_PASSWORD" ARTIFACTS="$ARTIFACTS" KEY_PIN=test \
     SAMPLES="$SOURCE_DIR/samples/documents" node "$NODE_DIR/web_ui.test.mjs"; then
  fail "browser checks failed (screenshots in $ARTIFACTS)"
  sed 's/^/  server: /' "$WORK/serve.err" | tail -20 >&2
fi

# The server stops cleanly on SIGTERM.
kill -TERM $SERVER
if ! wait $SERVER; then
  fail "dosar serve exited $? on SIGTERM"
  sed 's/^/  server: /' "$WORK/serve.err" | head -60 >&2
fi
grep -q "stopped" "$WORK/serve.err" || fail "dosar serve did not report stopping"
finish
