#!/usr/bin/env bash
# Preservation through the real binary (issue 10, items 7-9): check records
# fixity runs, evidence sealed with the institution key and checked by
# verify-evidence and by `openssl cms -verify`, a BagIt bag validated from
# outside, and its import into an empty archive with identical bytes.
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}" "${MAKE_SAMPLES:?}"

PKI=$WORK/pki
bash "$SOURCE_DIR/tests/support/make_test_pki.sh" "$PKI" >/dev/null
"$MAKE_SAMPLES" "$WORK/samples" 3 >/dev/null
export DOSAR_PIN=test

expect_exit 0 "$DOSAR" init
expect_exit 0 "$DOSAR" ingest --no-ocr "$WORK/samples"
FIRST=$(ls "$WORK"/samples/*.pdf | head -1)
expect_exit 0 "$DOSAR" sign 1 --key "$PKI/rsa.p12" --pin-env DOSAR_PIN

# check: one fixity run per check, one audit row per run (not one per blob).
expect_exit 0 "$DOSAR" check
expect_output_contains "fixity run 1 recorded"
expect_exit 0 "$DOSAR" check --json
jq -e '.ok and .fixity_run == 2' "$WORK/last.out" >/dev/null || fail "check --json: $(cat "$WORK/last.out")"
"$DOSAR" audit --json >"$WORK/audit.json"
[[ $(jq '[.[] | select(.action == "fixity.check")] | length' "$WORK/audit.json") == 2 ]] ||
  fail "expected two fixity.check audit rows"
expect_exit 0 "$DOSAR" audit verify

# The background sampler of `dosar watch` re-verifies a share of the blobs at once (then once a day).
mkdir -p "$WORK/hot"
"$DOSAR" watch "$WORK/hot" --fixity-period 2 >"$WORK/watch.out" 2>&1 &
WATCH_PID=$!
sampled=0
for _ in $(seq 1 120); do
  if "$DOSAR" audit --json | jq -e 'any(.[]; .action == "fixity.check" and .detail.kind == "sample")' >/dev/null; then
    sampled=1; break
  fi
  sleep 0.5
done
kill "$WATCH_PID"; wait "$WATCH_PID" || true
((sampled)) || fail "the watch's fixity sampler made no run: $(cat "$WORK/watch.out")"
expect_exit 2 "$DOSAR" watch "$WORK/hot" --once --fixity-period soon
expect_exit 0 "$DOSAR" audit verify

# evidence: unsealed, then sealed by the key configured in ARCHIVE/config.json.
expect_exit 0 "$DOSAR" records evidence 1 -o "$WORK/plain.json" --trust "$PKI/trust-crl"
[[ ! -e "$WORK/plain.json.p7s" ]] || fail "an unsealed report got a seal"
expect_exit 0 "$DOSAR" records verify-evidence "$WORK/plain.json"
expect_output_contains "evidence verified"
printf '{"records": {"seal_key": "%s", "seal_pin_env": "DOSAR_PIN"}}\n' "$PKI/rsa.p12" >"$DOSAR_ARCHIVE/config.json"
chmod 600 "$DOSAR_ARCHIVE/config.json"
expect_exit 0 "$DOSAR" records evidence 1 -o "$WORK/evidence.json" --trust "$PKI/trust-crl"
expect_output_contains "sealed by"
jq -e '.document.id == 1 and (.versions | length) == 2 and (.fixity | length) >= 4
       and .signatures[0].signatures[0].indication == "TOTAL-PASSED"' "$WORK/evidence.json" >/dev/null ||
  fail "unexpected evidence: $(head -c 2000 "$WORK/evidence.json")"
expect_exit 0 "$DOSAR" records verify-evidence "$WORK/evidence.json" --trust "$PKI/trust-crl"
expect_output_contains "TOTAL-PASSED"
openssl cms -verify -binary -inform DER -in "$WORK/evidence.json.p7s" -content "$WORK/evidence.json" \
  -CAfile "$PKI/ca-chain.pem" -purpose any -out /dev/null 2>/dev/null || fail "openssl rejects the seal"
# One byte changed: the seal no longer holds, for Dosar and for OpenSSL.
sed 's/"title": "/"title": "X/' "$WORK/evidence.json" >"$WORK/changed.json"
cmp -s "$WORK/evidence.json" "$WORK/changed.json" && fail "the change did not happen"
expect_exit 1 "$DOSAR" records verify-evidence "$WORK/changed.json" --seal "$WORK/evidence.json.p7s" --trust "$PKI/trust-crl"
expect_output_contains "NOT verified"
openssl cms -verify -binary -inform DER -in "$WORK/evidence.json.p7s" -content "$WORK/changed.json" \
  -CAfile "$PKI/ca-chain.pem" -purpose any -out /dev/null 2>/dev/null && fail "openssl accepts a changed report"

# The same evidence as a printable PDF: the facts in print, the JSON attached
# (poppler's pdfdetach extracts it), the seal a PAdES signature (pdfsig).
expect_exit 0 "$DOSAR" records evidence 1 -o "$WORK/evidence.pdf" --trust "$PKI/trust-crl"
expect_output_contains "PAdES"
pdftotext "$WORK/evidence.pdf" - >"$WORK/evidence.txt"
grep -q "Dovadă de integritate" "$WORK/evidence.txt" || fail "the PDF does not print its title"
grep -q "$(jq -r '.versions[0].original.sha256' "$WORK/evidence.json")" "$WORK/evidence.txt" ||
  fail "the PDF does not print the original's SHA-256"
pdfdetach -savefile evidence.json -o "$WORK/attached.json" "$WORK/evidence.pdf" ||
  fail "pdfdetach finds no evidence.json"
jq -e '.format == "dosar-evidence-v1" and .document.id == 1' "$WORK/attached.json" >/dev/null ||
  fail "the attached report is not the evidence"
NSS=$WORK/nss
mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n root -t CT,C,C -i "$PKI/root.pem"
pdfsig -nssdir "sql:$NSS" "$WORK/evidence.pdf" >"$WORK/pdfsig.out" 2>&1 || true
grep -q "Signature is Valid" "$WORK/pdfsig.out" || fail "pdfsig rejects the seal: $(cat "$WORK/pdfsig.out")"
expect_exit 0 "$DOSAR" records verify-evidence "$WORK/evidence.pdf" --trust "$PKI/trust-crl"
expect_output_contains "evidence verified"
# A byte of the printed report changed after sealing: the seal breaks.
python3 - "$WORK/evidence.pdf" "$WORK/changed.pdf" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = data.index(b'/Producer')
data[at + 1] = ord('p')
open(sys.argv[2], 'wb').write(data)
PY
expect_exit 1 "$DOSAR" records verify-evidence "$WORK/changed.pdf" --trust "$PKI/trust-crl"
expect_output_contains "NOT verified"
expect_exit 1 "$DOSAR" records verify-evidence "$FIRST" --trust "$PKI/trust-crl"

# export-bag, validated from outside.
expect_exit 0 "$DOSAR" records export-bag --document 1 --document 2 --document 3 -o "$WORK/bag" --trust "$PKI/trust-crl"
(cd "$WORK/bag" && sha256sum -c --quiet manifest-sha256.txt) || fail "payload manifest does not check"
(cd "$WORK/bag" && sha256sum -c --quiet tagmanifest-sha256.txt) || fail "tag manifest does not check"
diff <(cd "$WORK/bag" && find data -type f | sort) <(sed 's/^[0-9a-f]*  //' "$WORK/bag/manifest-sha256.txt" | sort) ||
  fail "payload and manifest differ"
for mets in "$WORK"/bag/data/*/mets.xml; do
  xmllint --noout "$mets" || fail "$mets is not well-formed"
  dir=$(dirname "$mets")
  for section in fileSec structMap amdSec; do
    [[ $(xmllint --xpath "count(//*[local-name()='$section'])" "$mets") -ge 1 ]] || fail "$mets has no $section"
  done
  files=$(xmllint --xpath "count(//*[local-name()='file'])" "$mets")
  pointers=$(xmllint --xpath "count(//*[local-name()='fptr'])" "$mets")
  [[ $files == "$pointers" && $files -ge 1 ]] || fail "$mets: $files files but $pointers structMap pointers"
  for ((i = 1; i <= files; i++)); do
    href=$(xmllint --xpath "string((//*[local-name()='file'])[$i]/*[local-name()='FLocat']/@*[local-name()='href'])" "$mets")
    sum=$(xmllint --xpath "string((//*[local-name()='file'])[$i]/@CHECKSUM)" "$mets")
    [[ -f "$dir/$href" ]] || fail "$mets names $href, which does not exist"
    rel=${dir#"$WORK/bag/"}/$href
    grep -qx "$sum  $rel" "$WORK/bag/manifest-sha256.txt" || fail "$rel: METS checksum is not the manifest's"
  done
  grep -q "fixity check" "$mets" || fail "$mets has no fixity event"
done
grep -q "digital signature validation" "$WORK"/bag/data/doc-1/mets.xml || fail "signature event missing"

# import-bag: refused into a non-empty archive, accepted into an empty one.
expect_exit 1 "$DOSAR" records import-bag "$WORK/bag"
expect_output_contains "empty archive"
export DOSAR_ARCHIVE=$WORK/restored
expect_exit 0 "$DOSAR" init
cp -r "$WORK/bag" "$WORK/bad-bag"
printf 'smuggled' >"$WORK/bad-bag/data/extra.txt"
expect_exit 1 "$DOSAR" records import-bag "$WORK/bad-bag"
expect_output_contains "not in manifest-sha256.txt"
expect_exit 0 "$DOSAR" records import-bag "$WORK/bag"
expect_output_contains "imported 3 documents"
expect_exit 0 "$DOSAR" check
expect_exit 0 "$DOSAR" audit verify
for id in 1 2 3; do
  for version in $(DOSAR_ARCHIVE=$WORK/archive "$DOSAR" versions "$id" --json | jq -r '.[].number'); do
    DOSAR_ARCHIVE=$WORK/archive "$DOSAR" export "$id" --version "$version" -o "$WORK/a-$id-$version"
    "$DOSAR" export "$id" --version "$version" -o "$WORK/b-$id-$version"
    cmp -s "$WORK/a-$id-$version" "$WORK/b-$id-$version" || fail "document $id version $version differs after import"
  done
done
"$DOSAR" audit 1 --json | jq -e '.[-1].action == "records.import"' >/dev/null || fail "no import audit row"
expect_exit 0 "$DOSAR" records provenance 1 --json
jq -e '.original_id == 1 and .provenance.audit[0].action == "document.create"
       and (.provenance.fixity | length) >= 1' "$WORK/last.out" >/dev/null || fail "provenance: $(cat "$WORK/last.out")"
expect_exit 0 "$DOSAR" records provenance 1
expect_output_contains "document.create"
expect_exit 1 "$DOSAR" --archive "$WORK/archive" records provenance 1
expect_output_contains "was not imported"
finish
