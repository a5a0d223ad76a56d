#!/usr/bin/env bash
# The public forms in a real browser (issue 11): `dosar serve` on loopback with
# the proof of work on, driven through Debian's Chromium by playwright-core
# (tests/browser/forms_ui.test.mjs): each form submitted with an attachment,
# the receipt, the status page and documents added later, the clerk's
# "de verificat" queue, script payloads shown as text, and axe-core on every
# public page. Screenshots go to $ARTIFACTS (default build/test-artifacts/forms-ui).
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"

# A folder of its own, so that this suite and web_ui_test.sh may install at the same time.
NODE_DIR=${DOSAR_FORMS_NODE_CACHE:-$SOURCE_DIR/build/node/forms}
browser_tools "$NODE_DIR" forms_ui.test.mjs

export DOSAR_TEST_PASSWORD="parola-de-test-1"
"$DOSAR" init >/dev/null
# The desk clerk handles personal data: she sees who sent what.
"$DOSAR" user add grefier --display-name "Gina Registru" --departments "Registratură" --restricted --password-env DOSAR_TEST_PASSWORD >/dev/null

serve_archive /formulare --threads 4 --no-ocr --institution "Primăria de test"

ARTIFACTS=${ARTIFACTS:-$SOURCE_DIR/build/test-artifacts/forms-ui}
mkdir -p "$ARTIFACTS"
if ! BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$DOSAR_TEST_PASSWORD" ARTIFACTS="$ARTIFACTS" \
     SAMPLES="$SOURCE_DIR/samples/documents" node "$NODE_DIR/forms_ui.test.mjs"; then
  fail "browser checks failed (screenshots in $ARTIFACTS)"
  sed 's/^/  server: /' "$WORK/serve.err" | tail -20 >&2
fi

# What the browser did is in the register: every submission online, the
# accepted one routed, the spam annulled with its number kept.
expect_exit 0 "$DOSAR" registry list --json
python3 - "$WORK/last.out" <<'PY' || fail "the register does not hold what the browser submitted"
import json, sys
entries = json.load(open(sys.argv[1]))
assert len(entries) >= 5, len(entries)
assert all(e["channel"] == "online" for e in entries), entries
assert any(e["status"] == "assigned" and e["department"] == "Urbanism" for e in entries)
assert any(e["status"] == "annulled" for e in entries)
assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
PY
expect_exit 0 "$DOSAR" audit verify

# The registry report counts them: all online, one routed to Urbanism.
TODAY=$(TZ=Europe/Bucharest date +%F)
expect_exit 0 "$DOSAR" report registry --from "$TODAY" --to "$TODAY" --json --csv "$WORK/report.csv" --pdf "$WORK/report.pdf"
python3 - "$WORK/last.out" "$WORK/registry.json" <<'PY' || fail "the registry report does not match the register"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["total"] >= 5 and report["by_channel"] == {"online": report["total"]}, report
assert report["by_department"]["Urbanism"] == 1 and report["by_status"]["annulled"] == 1, report
PY
grep -q '^channel,online,' "$WORK/report.csv" || fail "the CSV report lacks the channel line"
pdftotext "$WORK/report.pdf" - | grep -q "Pe compartimente" || fail "the PDF report lacks its sections"
pdftotext "$WORK/report.pdf" - | grep -q "Urbanism: 1" || fail "the PDF report lacks the department's count"
expect_exit 2 "$DOSAR" report registry --from 2026-13-01 --to "$TODAY"

kill -TERM $SERVER
wait $SERVER || fail "dosar serve exited $? on SIGTERM"
finish
