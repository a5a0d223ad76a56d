# Forwarding requests between institutions (issue 12, item 5) through the
# real binary: two archives, a sealed package forwarded with a PKCS#12 key,
# received and acknowledged, checked from outside with sha256sum and
# openssl cms; the citizen's route shows the number given there; bad
# packages refused with nothing changed; then the same exchange over HTTPS
# between two `dosar serve` with mutual TLS, an untrusted client refused in
# the handshake.
source "$(dirname "$0")/lib.sh"

PKI="$WORK/pki"
bash "$SOURCE_DIR/tests/support/make_exchange_pki.sh" "$PKI" >/dev/null
export SEAL_PIN=test
A="$WORK/a" B="$WORK/b"
INST_A="Primăria Municipiului Test" INST_B="Direcția de Asistență Socială Test"
DA() { "$DOSAR" --archive "$A" "$@"; }
DB() { "$DOSAR" --archive "$B" "$@"; }
# receive at B with B's seal
RB() { DB registry receive "$@" --trust "$PKI/trust" --key "$PKI/b.p12" --pin-env SEAL_PIN --no-ocr; }

expect_exit 0 DA init
expect_exit 0 DB init
"$MAKE_SAMPLES" "$WORK/gen" 2 >/dev/null
expect_exit 0 DA ingest --no-ocr "$WORK/gen/doc-00001.pdf" "$WORK/gen/doc-00002.pdf"
docs=$(DA list --json | jq -r '.[].id' | sed 's/^/--doc /' | tr '\n' ' ')
# shellcheck disable=SC2086
expect_exit 0 DA registry add --kind petitie --sender "Ion Popescu" --contact "Str. Lungă 1" \
  --subject "Ajutor pentru încălzire" $docs --json
nr=$(jq -r .number "$WORK/last.out")
code=$(jq -r .access_code "$WORK/last.out")

# 1. Forward with a sealed package (the OG 27/2002 duty recorded with it).
expect_exit 1 DA registry forward "$nr" --to "$INST_B" --notice "Trimisă la DAS" -o "$WORK/p1"
expect_output_contains "--key"
[[ $(DA registry show "$nr" --json | jq -r .status) == registered ]] || fail "a refused forward changed the entry"
expect_exit 0 DA registry forward "$nr" --to "$INST_B" --notice "Cererea a fost trimisă la DAS" \
  --key "$PKI/a.p12" --pin-env SEAL_PIN -o "$WORK/p1" --json
pkg=$(jq -r .package "$WORK/last.out")
[[ $(DA registry show "$nr" --json | jq -r '.status + "|" + .dispositions[0].kind + "|" + .exchanges[0].state') == "closed|forwarded|sent" ]] ||
  fail "the forward with a package is not recorded"
[[ -f $WORK/p1/package.json && -f $WORK/p1/manifest-sha256.txt && -f $WORK/p1/manifest-sha256.txt.p7s ]] ||
  fail "the package lacks its files"
[[ $(ls "$WORK/p1/documents" | wc -l) == 2 ]] || fail "the package does not carry both documents"
# Checked from outside, with no Dosar at hand.
(cd "$WORK/p1" && sha256sum -c --strict --quiet manifest-sha256.txt) || fail "sha256sum -c of the manifest"
openssl cms -verify -binary -inform DER -in "$WORK/p1/manifest-sha256.txt.p7s" -content "$WORK/p1/manifest-sha256.txt" \
  -CAfile "$PKI/ca.pem" -purpose any -out /dev/null 2>"$WORK/cms.err" || { fail "openssl cms -verify of the seal"; cat "$WORK/cms.err" >&2; }
cp -r "$WORK/p1" "$WORK/p1-pristine"
# The 5 days of OG 27/2002 hold with a package too: later only with --late
# (recorded, flagged), and a refused forward leaves no package behind.
expect_exit 0 DA registry add --kind petitie --sender "Vasile" --subject "Târziu" --json
late_nr=$(jq -r .number "$WORK/last.out")
sqlite3 "$A/catalog.sqlite" \
  "UPDATE registry_entries SET registered_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days') WHERE number = '$late_nr'"
expect_exit 1 DA registry forward "$late_nr" --to "$INST_B" --notice "Trimisă" --key "$PKI/a.p12" --pin-env SEAL_PIN -o "$WORK/late"
expect_output_contains "5"
[[ ! -e $WORK/late ]] || fail "a refused forward wrote its package"
ls -a "$WORK" | grep -q partial && fail "a refused forward left a partial package"
expect_exit 0 DA registry forward "$late_nr" --to "$INST_B" --notice "Trimisă" --late "concediu medical" \
  --key "$PKI/a.p12" --pin-env SEAL_PIN -o "$WORK/late" --json
[[ $(DA registry show "$late_nr" --json | jq -r '.dispositions[0].late|tostring') == true ]] || fail "the late forward is not flagged"
[[ -f $WORK/late/manifest-sha256.txt.p7s ]] || fail "the late forward wrote no package"

# 2. Bad packages are refused, and B stays empty.
bad() {  # NAME FRAGMENT: copies the pristine package to $WORK/NAME for tampering
  rm -rf "$WORK/$1"
  cp -r "$WORK/p1-pristine" "$WORK/$1"
}
check_refused() {  # DIR FRAGMENT
  expect_exit 1 RB "$1" -o "$WORK/ack-refused"
  expect_output_contains "$2"
  [[ $(DB registry list --json | jq length) == 0 ]] || fail "a refused package ($1) was registered"
  [[ $(DB list --json | jq length) == 0 ]] || fail "a refused package ($1) stored documents"
  [[ ! -e $WORK/ack-refused ]] || fail "a refused package ($1) was acknowledged"
}
bad changed; printf 'x' >>"$(ls -d "$WORK"/changed/documents/* | head -1)"
check_refused "$WORK/changed" "does not match its SHA-256 in the sealed manifest"
bad added; echo extra >"$WORK/added/documents/extra.txt"
check_refused "$WORK/added" "is not in the sealed manifest"
bad missing; rm "$(ls -d "$WORK"/missing/documents/* | head -1)"
check_refused "$WORK/missing" "missing from the package"
bad seal; python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-10]^=1; open(p,"wb").write(b)' \
  "$WORK/seal/manifest-sha256.txt.p7s"
check_refused "$WORK/seal" "the seal does not verify"
bad link; ln -s /etc/passwd "$WORK/link/documents/passwd"
check_refused "$WORK/link" "symbolic link"
# A path escaping the package, in a manifest sealed with a trusted key.
mkdir -p "$WORK/escape"
echo "$(printf x | sha256sum | cut -d' ' -f1)  ../outside" >"$WORK/escape/manifest-sha256.txt"
openssl pkcs12 -in "$PKI/a.p12" -passin pass:test -nodes -out "$WORK/a-all.pem" 2>/dev/null
openssl cms -sign -binary -outform DER -in "$WORK/escape/manifest-sha256.txt" -signer "$WORK/a-all.pem" \
  -out "$WORK/escape/manifest-sha256.txt.p7s" -md sha256 -cades
check_refused "$WORK/escape" "escapes"
# An institution the trust store does not know.
bad rogue; openssl pkcs12 -in "$PKI/rogue.p12" -passin pass:test -nodes -out "$WORK/rogue-all.pem" 2>/dev/null
rm "$WORK/rogue/manifest-sha256.txt.p7s"
openssl cms -sign -binary -outform DER -in "$WORK/rogue/manifest-sha256.txt" -signer "$WORK/rogue-all.pem" \
  -out "$WORK/rogue/manifest-sha256.txt.p7s" -md sha256 -cades
check_refused "$WORK/rogue" "Instituția Necunoscută"
# A request needs B's key (it is acknowledged); addressed to B only.
expect_exit 1 DB registry receive "$WORK/p1" --trust "$PKI/trust" -o "$WORK/ack-refused"
expect_output_contains "acknowledged"
expect_exit 1 DB registry receive "$WORK/p1" --trust "$PKI/trust" --key "$PKI/a.p12" --pin-env SEAL_PIN -o "$WORK/ack-refused" --no-ocr
expect_output_contains "is addressed to '$INST_B'"
[[ $(DB registry list --json | jq length) == 0 ]] || fail "a package addressed elsewhere was registered"

# 3. Received at B: registered with the sender's number, acknowledged.
expect_exit 0 RB "$WORK/p1" -o "$WORK/ack1" --json
nr_b=$(jq -r .number "$WORK/last.out")
[[ $(jq -r .from "$WORK/last.out") == "$INST_B" ]] && fail "from is the receiver"
[[ $(jq -r .from "$WORK/last.out") == "$INST_A" ]] || fail "the sender is not A"
shown=$(DB registry show "$nr_b" --json)
[[ $(jq -r '.channel + "|" + .sender.name + "|" + .exchanges[0].peer_number + "|" + (.documents | length | tostring)' <<<"$shown") == \
   "interinstitutional|$INST_A|$nr|2" ]] || fail "the received entry is not as expected: $shown"
# The same package twice: refused, naming the first number; nothing changes.
audit_rows=$(DB audit --json | jq length)
expect_exit 1 RB "$WORK/p1" -o "$WORK/ack2"
expect_output_contains "registered as intrare $nr_b"
[[ $(DB registry list --json | jq length) == 1 ]] || fail "the duplicate was registered"
[[ $(DB audit --json | jq length) == "$audit_rows" ]] || fail "the duplicate changed the audit trail"
[[ ! -e $WORK/ack2 ]] || fail "the duplicate was acknowledged again"
(cd "$WORK/ack1" && sha256sum -c --strict --quiet manifest-sha256.txt) || fail "sha256sum -c of the acknowledgement"

# 4. The acknowledgement back at A: the citizen sees the number given at B.
expect_exit 0 DA registry receive "$WORK/ack1" --trust "$PKI/trust"
expect_output_contains "registered there as $nr_b"
expect_exit 0 DA registry lookup "$nr" "$code" --json
[[ $(jq -r '.route[-1].event + "|" + .route[-1].note' "$WORK/last.out") == \
   "forward-registered|redirecționată către $INST_B, înregistrată acolo cu nr. $nr_b" ]] ||
  fail "the citizen's route does not show the number given at B: $(cat "$WORK/last.out")"
expect_exit 1 DA registry receive "$WORK/ack1" --trust "$PKI/trust"
expect_output_contains "already acknowledged"

# The seal on a PKCS#11 token (SoftHSM2, as in sign_test): A's key never
# leaves the token; B verifies the seal and the files and registers.
pkcs11_token sigiliu seal "$PKI/a.key" "$PKI/a.pem"
expect_exit 0 DA registry add --kind petitie --sender "Elena Marin" --subject "Ajutor de urgență" --json
nr_t=$(jq -r .number "$WORK/last.out")
TOKEN_PIN=0000 expect_exit 1 DA registry forward "$nr_t" --to "$INST_B" --notice "Trimisă la DAS" \
  --key "$TOKEN_KEY" --pin-env TOKEN_PIN --chain "$PKI/ca.pem" -o "$WORK/pt-bad"
expect_output_contains "PIN"
[[ ! -e $WORK/pt-bad && $(DA registry show "$nr_t" --json | jq -r .status) == registered ]] ||
  fail "a forward refused by the token wrote a package or recorded the duty"
TOKEN_PIN=1234 expect_exit 0 DA registry forward "$nr_t" --to "$INST_B" --notice "Trimisă la DAS" \
  --key "$TOKEN_KEY" --pin-env TOKEN_PIN --chain "$PKI/ca.pem" -o "$WORK/pt" --json
openssl cms -verify -binary -inform DER -in "$WORK/pt/manifest-sha256.txt.p7s" -content "$WORK/pt/manifest-sha256.txt" \
  -CAfile "$PKI/ca.pem" -purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify of the token's seal"
expect_exit 0 RB "$WORK/pt" -o "$WORK/ackt" --json
[[ $(jq -r .from "$WORK/last.out") == "$INST_A" ]] || fail "the token-sealed package is not from A: $(cat "$WORK/last.out")"
nr_tb=$(jq -r .number "$WORK/last.out")
expect_exit 0 DA registry receive "$WORK/ackt" --trust "$PKI/trust"
expect_output_contains "registered there as $nr_tb"
# A token-sealed package changed afterwards is refused like any other.
cp -r "$WORK/pt" "$WORK/pt-changed"
printf 'x' >>"$WORK/pt-changed/package.json"
expect_exit 1 RB "$WORK/pt-changed" -o "$WORK/ackt2"
expect_output_contains "does not match its SHA-256 in the sealed manifest"

# Both archives stay sound: blobs, catalogue (migration 13 widened a CHECK in place), audit chain.
expect_exit 0 DB check
expect_exit 0 DA audit verify

# 5. Over HTTPS with mutual TLS between two servers on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
expect_exit 0 DA registry add --kind petitie --sender "Maria Ionescu" --subject "Loc de parcare" --json
nr2=$(jq -r .number "$WORK/last.out")
code2=$(jq -r .access_code "$WORK/last.out")
start_server() {  # ARCHIVE NAME HTTP_PORT EXCHANGE_PORT
  "$DOSAR" --archive "$1" serve --listen "127.0.0.1:$3" --threads 2 --no-ocr --fixity-period 0 \
    --tls-cert "$PKI/$2-tls.pem" --tls-key "$PKI/$2-tls.key" --trust "$PKI/trust" \
    --exchange-listen "127.0.0.1:$4" --exchange-ca "$PKI/ca.pem" \
    --exchange-key "$PKI/$2.p12" --exchange-pin-env SEAL_PIN 2>"$WORK/serve-$2.err" &
}
HA=$(free_port) XA=$(free_port) HB=$(free_port) XB=$(free_port)
start_server "$A" a "$HA" "$XA"; PID_A=$!
start_server "$B" b "$HB" "$XB"; PID_B=$!
trap 'kill $PID_A $PID_B 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  curl -sk "https://127.0.0.1:$HA/" >/dev/null && curl -sk "https://127.0.0.1:$HB/" >/dev/null && break
  sleep 0.2
done
# The browser listener needs no client certificate; the exchange one does.
curl -sf --cacert "$PKI/ca.pem" "https://127.0.0.1:$HB/" >/dev/null || fail "the browser listener wants a client certificate"
if curl -s --cacert "$PKI/ca.pem" -X POST "https://127.0.0.1:$XB/api/v1/exchange/packages" -d '{}' >/dev/null 2>&1; then
  fail "the exchange listener answered a client without a certificate"
fi
# A client whose certificate no trusted CA issued is refused in the handshake.
expect_exit 1 DA registry forward "$nr2" --to "$INST_B" --notice "Trimisă la DAS" --key "$PKI/a.p12" --pin-env SEAL_PIN \
  -o "$WORK/p2" --send "https://127.0.0.1:$XB" --tls-ca "$PKI/ca.pem" --client-cert "$PKI/rogue-tls.pem" \
  --client-key "$PKI/rogue-tls.key" --trust "$PKI/trust"
expect_output_contains "no answer"
[[ $(DB registry list --json | jq length) == 2 ]] || fail "a package from an untrusted client was registered"
# The client checks the server too: a server its --tls-ca did not issue gets nothing.
expect_exit 1 DA registry send "$WORK/p2" --url "https://127.0.0.1:$XB" --tls-ca "$PKI/rogue-ca.pem" \
  --client-cert "$PKI/a-tls.pem" --client-key "$PKI/a-tls.key" --trust "$PKI/trust" --ack "$WORK/p2.ack-rogue"
expect_output_contains "the server's certificate is not trusted"
[[ $(DB registry list --json | jq length) == 2 ]] || fail "a package sent to an untrusted server was registered there"
# The package was written and the forward recorded; sending again with A's certificate.
[[ $(DA registry show "$nr2" --json | jq -r '.exchanges[0].state') == sent ]] || fail "the forward was not recorded before sending"
expect_exit 0 DA registry send "$WORK/p2" --url "https://127.0.0.1:$XB" --tls-ca "$PKI/ca.pem" \
  --client-cert "$PKI/a-tls.pem" --client-key "$PKI/a-tls.key" --trust "$PKI/trust" --json
nr2_b=$(jq -r .registered_there.number "$WORK/last.out")
[[ $nr2_b =~ ^3/ ]] || fail "the request sent over HTTPS did not get B's number 3: $(cat "$WORK/last.out")"
[[ $(DB registry show "$nr2_b" --json | jq -r '.channel + "|" + .exchanges[0].peer_number') == "interinstitutional|$nr2" ]] ||
  fail "B did not register the request sent over HTTPS"
# The citizen asks A's public status page, and sees B's number.
status=$(curl -sf --cacert "$PKI/ca.pem" "https://127.0.0.1:$HA/api/v1/public/status?number=$(jq -rn --arg v "$nr2" '$v|@uri')&code=$code2")
[[ $(jq -r '.route[-1].note' <<<"$status") == "redirecționată către $INST_B, înregistrată acolo cu nr. $nr2_b" ]] ||
  fail "the public status does not show B's number: $status"
# Sending the same package again: refused over the wire, naming the first number.
expect_exit 1 DA registry send "$WORK/p2" --url "https://127.0.0.1:$XB" --tls-ca "$PKI/ca.pem" \
  --client-cert "$PKI/a-tls.pem" --client-key "$PKI/a-tls.key" --trust "$PKI/trust" --ack "$WORK/p2.ack2"
expect_output_contains "registered as intrare $nr2_b"
# A package sealed by A but sent with B's own TLS certificate: the sender must be the sealer.
expect_exit 0 DA registry add --kind petitie --sender "Ana" --subject "Alt subiect" --json
nr3=$(jq -r .number "$WORK/last.out")
expect_exit 1 DA registry forward "$nr3" --to "$INST_B" --notice "Trimisă" --key "$PKI/a.p12" --pin-env SEAL_PIN \
  -o "$WORK/p3" --send "https://127.0.0.1:$XB" --tls-ca "$PKI/ca.pem" --client-cert "$PKI/b-tls.pem" \
  --client-key "$PKI/b-tls.key" --trust "$PKI/trust"
expect_output_contains "but sent by '$INST_B'"
[[ $(DB registry list --json | jq length) == 3 ]] || fail "a package sent by another institution was registered"

kill -TERM $PID_A $PID_B
wait $PID_A $PID_B 2>/dev/null || true
finish
