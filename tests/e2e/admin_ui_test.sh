#!/usr/bin/env bash
# The web admin, the registry book, the reports and batch signing in a real
# browser (issues 7 and 11): `dosar serve` on loopback driven through
# Debian's Chromium by playwright-core (tests/browser/admin_ui.test.mjs).
# An administrator adds a user who then signs in; the clerk sends two
# documents for approval from their pages; the head signs both with one PIN
# and Poppler's pdfsig finds both signatures valid; the reports page
# downloads the same CSV as `dosar report petitii`; axe-core finds nothing
# serious or critical on the new pages. Screenshots are kept in $ARTIFACTS
# (default build/test-artifacts/admin-ui).
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"

NODE_DIR=${DOSAR_NODE_CACHE:-$SOURCE_DIR/build/node/browser}
browser_tools "$NODE_DIR" admin_ui.test.mjs

export DOSAR_TEST_PASSWORD="parola-de-test-1"
SOCIAL="Asistență socială"
"$DOSAR" init >/dev/null
"$DOSAR" user add admin --display-name "Administrator" --all-departments --role admin --password-env DOSAR_TEST_PASSWORD >/dev/null
"$DOSAR" user add ana --display-name "Ana Popescu" --departments "$SOCIAL" --password-env DOSAR_TEST_PASSWORD >/dev/null
"$DOSAR" user add sef --display-name "Elena Șerban" --departments "$SOCIAL" --role sef --password-env DOSAR_TEST_PASSWORD >/dev/null
PKI=$WORK/pki
bash "$SOURCE_DIR/tests/support/make_test_pki.sh" "$PKI" >/dev/null
"$DOSAR" user signing-key sef --key "$PKI/rsa.p12" >/dev/null
"$DOSAR" flow template aviz --step "aprobare=sef" >/dev/null
for f in cerere-ancheta-sociala dispozitie-comisie-selectionare; do
  "$DOSAR" ingest --no-ocr --type aviz --department "$SOCIAL" "$SOURCE_DIR/samples/documents/$f.pdf" >/dev/null
done
# Entries for the registry book and the reports.
"$DOSAR" registry add --kind petitie --sender "Ion Popa" --subject "Iluminat stradal" --doc 1 >/dev/null
"$DOSAR" registry add --kind informatii-publice --channel email --sender "Ziarul Local" --subject "Bugetul local" >/dev/null
"$DOSAR" registry add --kind sesizare --channel online --sender "Maria Pop" --subject "Groapă în carosabil" >/dev/null
FIRST=$("$DOSAR" registry list --json | jq -r '.[0].number')
"$DOSAR" registry assign "$FIRST" --department "$SOCIAL" >/dev/null
YEAR=${FIRST##*.}

serve_archive / --threads 4 --no-ocr --trust "$PKI/trust"

ARTIFACTS=${ARTIFACTS:-$SOURCE_DIR/build/test-artifacts/admin-ui}
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.pdf "$ARTIFACTS"/*.csv
if ! BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$DOSAR_TEST_PASSWORD" ARTIFACTS="$ARTIFACTS" KEY_PIN=test \
     YEAR="$YEAR" node "$NODE_DIR/admin_ui.test.mjs"; then
  fail "browser checks failed (screenshots in $ARTIFACTS)"
  sed 's/^/  server: /' "$WORK/serve.err" | tail -20 >&2
fi

# Both documents signed from the inbox verify with Poppler, trusting the test root.
mkdir -p "$WORK/nss"
certutil -N -d "sql:$WORK/nss" --empty-password
certutil -A -d "sql:$WORK/nss" -n root -t CT,C,C -i "$PKI/root.pem"
for doc in 1 2; do
  pdf=$ARTIFACTS/semnat-$doc.pdf
  if [[ ! -s $pdf ]]; then fail "the browser did not save the signed version of document $doc"; continue; fi
  pdfsig -nssdir "sql:$WORK/nss" "$pdf" >"$WORK/pdfsig.out" 2>&1 || true
  grep -q "Signature is Valid." "$WORK/pdfsig.out" || fail "pdfsig: document $doc: $(cat "$WORK/pdfsig.out")"
  grep -q "Certificate is Trusted." "$WORK/pdfsig.out" || fail "pdfsig does not trust the signer of document $doc"
done

# The CSV the reports page downloaded is the command line's, byte for byte.
"$DOSAR" report petitii --from "$YEAR-01-01" --to "$YEAR-12-31" --csv "$WORK/petitii.csv" >/dev/null
cmp -s "$WORK/petitii.csv" "$ARTIFACTS/raport-petitii.csv" || fail "the web's petitions CSV differs from the CLI's"
# The administrator's changes are audited with their name.
"$DOSAR" audit --json | jq -e '[.[] | select(.action == "user.create" and .detail.name == "dana" and .actor == "admin")] | length == 1' >/dev/null ||
  fail "the user added on the admin page is not audited as the administrator's"
finish
