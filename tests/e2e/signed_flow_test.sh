# Approval flows whose approvals are real PAdES signatures (issues 5 and 6):
# each approver signs with their own key; the result verifies with Dosar and
# with Poppler's pdfsig, every signature intact; a failed signature (wrong
# PIN) leaves the flow and the document unchanged.
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"

D() { "$DOSAR" "$@"; }
PKI=$WORK/pki
bash "$SOURCE_DIR/tests/support/make_test_pki.sh" "$PKI" >/dev/null
export DOSAR_PIN=test

expect_exit 0 D init
for u in autor sef director; do expect_exit 0 D user add "$u" --departments Juridic; done
"$MAKE_SAMPLES" "$WORK/gen" 1 >/dev/null
expect_exit 0 D ingest --type decizie "$WORK/gen/doc-00001.pdf"
doc=$(D list --json | jq '.[0].id')
expect_exit 0 D flow template decizie --step "verificare=sef" --step "aprobare=director"
expect_exit 0 D flow start "$doc" --as autor --json
flow=$(jq .id "$WORK/last.out")

snapshot() { echo "$(D flow show "$flow" --json | md5sum) $(D versions "$doc" --json | jq length)"; }

# A wrong PIN: refused, nothing changed.
before=$(snapshot)
DOSAR_WRONG_PIN=nope expect_exit 1 D flow approve "$flow" --as sef --key "$PKI/rsa.p12" --pin-env DOSAR_WRONG_PIN
[[ $(snapshot) == "$before" ]] || fail "a failed signature changed the flow or the document"

expect_exit 0 D flow approve "$flow" --as sef --version 1 --key "$PKI/rsa.p12" --pin-env DOSAR_PIN --json
[[ $(jq .cryptographic_signature "$WORK/last.out") == true ]] || fail "signed approval not reported as signed"
[[ $(jq .signed_version "$WORK/last.out") == 2 ]] || fail "signed approval did not make version 2"
expect_exit 1 D flow approve "$flow" --as director --key "$PKI/ec.p12" --pin-env DOSAR_PIN --level B-T \
  --tsa "http://127.0.0.1:1/unreachable"
expect_output_contains "unreachable"
# B-T without a reachable TSA fails before anything is stored …
[[ $(D versions "$doc" --json | jq length) == 2 ]] || fail "a failed timestamp left a version behind"
# … and B-B succeeds.
expect_exit 0 D flow approve "$flow" --as director --key "$PKI/ec.p12" --pin-env DOSAR_PIN --json
[[ $(D flow show "$flow" --json | jq -r .status) == approved ]] || fail "flow not approved after the last step"

# Version 3 carries both signatures, each valid, nothing changed after them.
expect_exit 0 D verify --json --trust "$PKI/trust-crl" "$doc"
[[ $(jq '.signatures | length' "$WORK/last.out") == 2 ]] || fail "expected two signatures in the approved version"
[[ $(jq -r '[.signatures[].indication] | unique | join(",")' "$WORK/last.out") == TOTAL-PASSED ]] || fail "a signature is not TOTAL-PASSED"
expect_exit 0 D export "$doc" -o "$WORK/approved.pdf"
mkdir -p "$WORK/nss"
certutil -N -d "sql:$WORK/nss" --empty-password
certutil -A -d "sql:$WORK/nss" -n root -t CT,C,C -i "$PKI/root.pem"
pdfsig -nssdir "sql:$WORK/nss" "$WORK/approved.pdf" >"$WORK/pdfsig.out" 2>&1 || true
[[ $(grep -c "Signature is Valid" "$WORK/pdfsig.out") == 2 ]] || { fail "pdfsig does not find two valid signatures"; cat "$WORK/pdfsig.out" >&2; }
# The original version stays byte-identical.
expect_exit 0 D export "$doc" --version 1 -o "$WORK/v1.pdf"
cmp -s "$WORK/v1.pdf" "$WORK/gen/doc-00001.pdf" || fail "version 1 changed"
finish
