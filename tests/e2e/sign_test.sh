#!/usr/bin/env bash
# Signatures through the real binary: sign-file, sign (a new version in the
# archive), verify (text, --json, exit status), B-T with a loopback TSA, and
# Poppler's pdfsig as the outside judge.
source "$(dirname "$0")/lib.sh"
: "${TEST_TSA:?path of dosar-test-tsa}" "${SOURCE_DIR:?}"

PKI=$WORK/pki
bash "$SOURCE_DIR/tests/support/make_test_pki.sh" "$PKI" >/dev/null
"$MAKE_SAMPLES" "$WORK/samples" 1 >/dev/null
IN=$(ls "$WORK"/samples/*.pdf | head -1)
NSS=$WORK/nss
mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n root -t CT,C,C -i "$PKI/root.pem"
export DOSAR_PIN=test
SIGN_KEY=(--key "$PKI/rsa.p12" --pin-env DOSAR_PIN)

# sign-file: the original bytes stay, one valid signature is added.
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/signed.pdf" "${SIGN_KEY[@]}" --reason "Aprobat, semnătură"
expect_output_contains "signed by Ion Popescu (RSA)"
cmp -s -n "$(stat -c %s "$IN")" "$IN" "$WORK/signed.pdf" || fail "the original bytes changed"
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" "$WORK/signed.pdf"
expect_output_contains "TOTAL-PASSED"
expect_output_contains "valid"
pdfsig -nssdir "sql:$NSS" "$WORK/signed.pdf" >"$WORK/pdfsig.out" 2>&1 || true
grep -q "Signature is Valid." "$WORK/pdfsig.out" || fail "pdfsig does not accept the signature: $(cat "$WORK/pdfsig.out")"
grep -q "Certificate is Trusted." "$WORK/pdfsig.out" || fail "pdfsig does not trust the signer"

# A certification that permits no change: named by verify, accepted by
# pdfsig, and a second signature is refused with nothing written.
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/certified.pdf" "${SIGN_KEY[@]}" --certify 1
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" "$WORK/certified.pdf"
expect_output_contains "certification (DocMDP 1): no changes permitted"
pdfsig -nssdir "sql:$NSS" "$WORK/certified.pdf" >"$WORK/pdfsig.out" 2>&1 || true
grep -q "Signature is Valid." "$WORK/pdfsig.out" || fail "pdfsig rejects the certification: $(cat "$WORK/pdfsig.out")"
expect_exit 1 "$DOSAR" sign-file "$WORK/certified.pdf" -o "$WORK/twice.pdf" "${SIGN_KEY[@]}"
expect_output_contains "no changes permitted"
[[ ! -e "$WORK/twice.pdf" ]] || fail "a refused signature left a file"
expect_exit 1 "$DOSAR" sign-file "$IN" -o "$WORK/cert.p7s" "${SIGN_KEY[@]}" --certify 1

# --json, and exit 1 whenever the verdict is not TOTAL-PASSED.
"$DOSAR" verify --json --trust "$PKI/trust-crl" "$WORK/signed.pdf" >"$WORK/report.json"
jq -e '.valid == true and (.signatures | length) == 1 and .signatures[0].indication == "TOTAL-PASSED"
       and .signatures[0].subindication == "" and .signatures[0].level == "PAdES-B-B"
       and .signatures[0].revision == 2 and .signatures[0].signer == "Ion Popescu (RSA)"
       and (.signatures[0].signing_time | test("Z$")) and .signatures[0].changes_after == []' \
  "$WORK/report.json" >/dev/null || fail "unexpected JSON report: $(cat "$WORK/report.json")"
expect_exit 1 "$DOSAR" verify "$WORK/signed.pdf"
expect_output_contains "NO_CERTIFICATE_CHAIN_FOUND"
# Offline with nothing about the signer's revocation (the root alone, a B-B
# signature): unknown status is not valid; the message says what to do (issue 5).
expect_exit 1 "$DOSAR" verify --json --trust "$PKI/trust" "$WORK/signed.pdf"
jq -e '.valid == false and .signatures[0].indication == "INDETERMINATE"
       and .signatures[0].subindication == "TRY_LATER"
       and (.signatures[0].message | test("could not be checked for revocation: no CRL or OCSP answer about it"))
       and (.signatures[0].message | test("run with --online, or put its CA.s current CRL in the trust folder"))' \
  "$WORK/last.out" >/dev/null || fail "unknown revocation status not reported: $(cat "$WORK/last.out")"
expect_exit 1 "$DOSAR" verify --trust "$PKI/trust" "$WORK/signed.pdf"
expect_output_contains "TRY_LATER"
expect_output_contains "run with --online, or put its CA's current CRL in the trust folder"
expect_exit 1 "$DOSAR" verify --trust "$PKI/trust" "$IN"
expect_output_contains "no signatures"
"$DOSAR" sign-file "$IN" -o "$WORK/revoked.pdf" --key "$PKI/revoked.p12" --pin-env DOSAR_PIN >/dev/null
expect_exit 1 "$DOSAR" verify --json --trust "$PKI/trust-crl" "$WORK/revoked.pdf"
jq -e '.valid == false and .signatures[0].subindication == "REVOKED_NO_POE"' "$WORK/last.out" >/dev/null ||
  fail "revoked signer not reported: $(cat "$WORK/last.out")"

# --at: as of a past time (issue 5). A signature made now proves nothing
# as of 45 days ago (the unit test PadesTest.SignerRevokedAfterSigning… has
# one made before its signer was revoked); the JSON names the time. Now, the
# backdated signer's revocation (30 days ago) is reported.
"$DOSAR" sign-file "$IN" -o "$WORK/backdated.pdf" --key "$PKI/backdated.p12" --pin-env DOSAR_PIN >/dev/null
AT=$(date -u -d "-45 days" +%Y-%m-%dT%H:%M:%S+00:00)
AT_UTC=$(date -u -d "${AT%+00:00}Z" +%Y-%m-%dT%H:%M:%SZ)
expect_exit 1 "$DOSAR" verify --json --trust "$PKI/trust-crl" --at "$AT" "$WORK/backdated.pdf"
jq -e --arg at "$AT_UTC" '.valid == false and .validation_time == $at and
       .signatures[0].subindication == "NO_POE"' "$WORK/last.out" >/dev/null ||
  fail "a signature made after $AT not refused as of then: $(cat "$WORK/last.out")"
expect_exit 1 "$DOSAR" verify --json --trust "$PKI/trust-crl" "$WORK/backdated.pdf"
jq -e '.valid == false and .signatures[0].subindication == "REVOKED_NO_POE" and
       (.validation_time | test("Z$"))' "$WORK/last.out" >/dev/null ||
  fail "revocation before now not reported: $(cat "$WORK/last.out")"
expect_exit 2 "$DOSAR" verify --trust "$PKI/trust-crl" --at "2026-02-30T12:00:00Z" "$WORK/backdated.pdf"
expect_output_contains "--at: '2026-02-30T12:00:00Z' is not a time in ISO 8601"

# A visible stamp; a malformed position is refused with the expected form.
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/visible.pdf" "${SIGN_KEY[@]}" --visible 1:300,40 --reason "Aprobat"
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" "$WORK/visible.pdf"
expect_exit 1 "$DOSAR" sign-file "$IN" -o "$WORK/x.pdf" "${SIGN_KEY[@]}" --visible top-right
expect_output_contains "PAGE:X,Y"

# A qualified certificate (qcStatements QcCompliance + QcSSCD) is shown as such.
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/qualified.pdf" --key "$PKI/qualified.p12" --pin-env DOSAR_PIN
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" "$WORK/qualified.pdf"
expect_output_contains "(qualified certificate, key on a QSCD)"
expect_exit 0 "$DOSAR" verify --json --trust "$PKI/trust-crl" "$WORK/qualified.pdf"
jq -e '.signatures[0].qualified and .signatures[0].qscd' "$WORK/last.out" >/dev/null || fail "qualified not in JSON"

# Bad requests: usage errors exit 2, the rest 1 with the reason.
expect_exit 2 "$DOSAR" sign-file "$IN" "${SIGN_KEY[@]}"
expect_exit 1 "$DOSAR" sign-file "$IN" -o "$WORK/x.pdf" --key "$PKI/rsa.p12" --pin-env NO_SUCH_VARIABLE
expect_output_contains "NO_SUCH_VARIABLE: is not set"
DOSAR_WRONG=nope expect_exit 1 "$DOSAR" sign-file "$IN" -o "$WORK/x.pdf" --key "$PKI/rsa.p12" --pin-env DOSAR_WRONG
expect_output_contains "password"
echo "<html>not a pdf</html>" >"$WORK/fake.pdf"
expect_exit 1 "$DOSAR" sign-file "$WORK/fake.pdf" -o "$WORK/x.pdf" "${SIGN_KEY[@]}"
expect_output_contains "fake.pdf"
[[ -e $WORK/x.pdf ]] && fail "a failed signature left an output file"
expect_exit 1 "$DOSAR" verify "$WORK/fake.pdf"
expect_output_contains "fake.pdf"

# sign ID: the signed PDF is a new version; the old one is untouched.
expect_exit 0 "$DOSAR" init
expect_exit 0 "$DOSAR" ingest --no-ocr "$IN"
expect_exit 0 "$DOSAR" sign 1 "${SIGN_KEY[@]}"
expect_output_contains "stored signed version 2"
expect_exit 0 "$DOSAR" versions 1
expect_output_contains "signed by Ion Popescu (RSA)"
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" 1
expect_output_contains "document 1 v2: valid"
"$DOSAR" export 1 --version 1 -o "$WORK/v1.pdf"
cmp -s "$IN" "$WORK/v1.pdf" || fail "version 1 changed after signing"
expect_exit 0 "$DOSAR" audit 1
[[ $(grep -c . "$WORK/last.out") -ge 2 ]] || fail "the audit trail does not record the signed version"
expect_exit 0 "$DOSAR" audit verify
expect_exit 0 "$DOSAR" sign 1 --key "$PKI/ec.p12" --pin-env DOSAR_PIN --digest sha384
expect_exit 0 "$DOSAR" verify --json --trust "$PKI/trust-crl" 1
jq -e '.valid and (.signatures | length) == 2 and (.signatures[0].changes_after | all(.allowed))' "$WORK/last.out" \
  >/dev/null || fail "second signature broke the first: $(cat "$WORK/last.out")"

# B-T with a TSA on loopback.
"$TEST_TSA" "$WORK/tsa.port" "$PKI/tsa.pem" "$PKI/tsa.key" "$PKI/ca-chain.pem" &
TSA_PID=$!
trap 'kill $TSA_PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [[ -s $WORK/tsa.port ]] && break; sleep 0.05; done
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/b-t.pdf" "${SIGN_KEY[@]}" --level B-T \
  --tsa "http://127.0.0.1:$(cat "$WORK/tsa.port")/"
expect_exit 0 "$DOSAR" verify --json --trust "$PKI/trust-crl" "$WORK/b-t.pdf"
jq -e '.valid and .signatures[0].level == "PAdES-B-T" and .signatures[0].timestamp_time != ""' "$WORK/last.out" \
  >/dev/null || fail "B-T not reported: $(cat "$WORK/last.out")"
expect_exit 1 "$DOSAR" sign-file "$IN" -o "$WORK/x.pdf" "${SIGN_KEY[@]}" --level B-T
expect_output_contains "--tsa"

# B-LT: certificates and CRLs in a DSS; validation needs no CRL in the trust folder.
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/b-lt.pdf" "${SIGN_KEY[@]}" --level B-LT \
  --tsa "http://127.0.0.1:$(cat "$WORK/tsa.port")/" --crls "$PKI/trust-crl"
expect_exit 0 "$DOSAR" verify --json --trust "$PKI/trust" "$WORK/b-lt.pdf"
jq -e '.valid and .signatures[0].level == "PAdES-B-LT"' "$WORK/last.out" >/dev/null ||
  fail "B-LT not reported: $(cat "$WORK/last.out")"
expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/b-lta.pdf" "${SIGN_KEY[@]}" --level B-LTA \
  --tsa "http://127.0.0.1:$(cat "$WORK/tsa.port")/" --crls "$PKI/trust-crl"
expect_exit 0 "$DOSAR" verify --json --trust "$PKI/trust" "$WORK/b-lta.pdf"
jq -e '.valid and .signatures[0].level == "PAdES-B-LTA" and .signatures[1].level == "DocTimeStamp"' \
  "$WORK/last.out" >/dev/null || fail "B-LTA not reported: $(cat "$WORK/last.out")"

# Archive timestamp renewal (issue 5): the last TSA's validation data, then a
# new document timestamp; earlier bytes untouched, every signature still valid.
TSA_URL="http://127.0.0.1:$(cat "$WORK/tsa.port")/"
expect_exit 0 "$DOSAR" sign-file "$WORK/b-lta.pdf" -o "$WORK/renewed.pdf" --extend-lta --tsa "$TSA_URL" \
  --crls "$PKI/trust-crl"
expect_output_contains "archive timestamp renewed"
cmp -s -n "$(stat -c %s "$WORK/b-lta.pdf")" "$WORK/b-lta.pdf" "$WORK/renewed.pdf" || fail "renewal changed earlier bytes"
expect_exit 0 "$DOSAR" verify --json --trust "$PKI/trust" "$WORK/renewed.pdf"
jq -e '.valid and (.signatures | length) == 3 and .signatures[0].level == "PAdES-B-LTA"
       and .signatures[2].level == "DocTimeStamp" and .signatures[2].revision == 6' "$WORK/last.out" >/dev/null ||
  fail "renewed B-LTA not reported: $(cat "$WORK/last.out")"
pdfsig -nssdir "sql:$NSS" "$WORK/renewed.pdf" >"$WORK/pdfsig.out" 2>&1 || true
# pdfsig 22.12 validates the signature; it cannot validate ETSI.RFC3161 document timestamps.
[[ $(grep -c "^Signature #" "$WORK/pdfsig.out") -eq 3 && $(grep -c "Signature is Valid." "$WORK/pdfsig.out") -eq 1 ]] ||
  fail "pdfsig does not accept the renewed file: $(cat "$WORK/pdfsig.out")"
expect_exit 1 "$DOSAR" sign-file "$WORK/b-t.pdf" -o "$WORK/x.pdf" --extend-lta --tsa "$TSA_URL"
expect_output_contains "B-LT"
[[ ! -e $WORK/x.pdf ]] || fail "a refused renewal left a file"

# sign ID --extend-lta: the renewed PDF is a new version of the document.
expect_exit 0 "$DOSAR" sign 1 "${SIGN_KEY[@]}" --level B-LTA --tsa "$TSA_URL" --crls "$PKI/trust-crl"
expect_output_contains "stored signed version 4"
expect_exit 0 "$DOSAR" sign 1 --extend-lta --tsa "$TSA_URL" --crls "$PKI/trust-crl"
expect_output_contains "stored signed version 5"
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust" 1
expect_output_contains "document 1 v5: valid"

# CAdES detached: any file, signature in a .p7s beside it.
printf 'Cerere de concediu\n' >"$WORK/cerere.txt"
expect_exit 0 "$DOSAR" sign-file "$WORK/cerere.txt" -o "$WORK/cerere.p7s" "${SIGN_KEY[@]}"
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" --content "$WORK/cerere.txt" "$WORK/cerere.p7s"
expect_output_contains "CAdES-B-B"
expect_exit 1 "$DOSAR" verify --trust "$PKI/trust" --content "$WORK/cerere.txt" "$WORK/cerere.p7s"
expect_output_contains "TRY_LATER"
openssl cms -verify -binary -inform DER -in "$WORK/cerere.p7s" -content "$WORK/cerere.txt" \
  -CAfile "$PKI/ca-chain.pem" -purpose any -out /dev/null 2>/dev/null || fail "openssl rejects the .p7s"
printf 'Cerere de concediu!\n' >"$WORK/altered.txt"
expect_exit 1 "$DOSAR" verify --trust "$PKI/trust-crl" --content "$WORK/altered.txt" "$WORK/cerere.p7s"
expect_output_contains "HASH_FAILURE"

# PKCS#11: a SoftHSM2 token made here; the key never leaves it.
pkcs11_token dosar head "$PKI/ec.key" "$PKI/ec.pem"
DOSAR_TOKEN_PIN=1234 expect_exit 0 "$DOSAR" sign-file "$IN" -o "$WORK/token.pdf" --key "$TOKEN_KEY" \
  --pin-env DOSAR_TOKEN_PIN --chain "$PKI/chain-int.pem"
expect_exit 0 "$DOSAR" verify --trust "$PKI/trust-crl" "$WORK/token.pdf"
expect_output_contains "Maria Ionescu (ECDSA)"
DOSAR_TOKEN_PIN=0000 expect_exit 1 "$DOSAR" sign-file "$IN" -o "$WORK/x.pdf" --key "$TOKEN_KEY" --pin-env DOSAR_TOKEN_PIN
expect_output_contains "PIN"

finish
