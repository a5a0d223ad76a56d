#!/usr/bin/env bash
# E-mail to citizens (issue 11): `dosar serve --smtp` against a local SMTP
# sink (Debian's python3-aiosmtpd, on loopback, storing what it gets in a
# maildir): an online submission mails its receipt (the PDF attached), and a
# status change made afterwards is mailed too.
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
  { echo "FAIL: python3-aiosmtpd is missing (scripts/install-deps.sh test installs it)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SMTP_PORT=$(free_port)
MAILDIR=$WORK/mail
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" 2>"$WORK/smtp.err" &
SINK=$!
"$DOSAR" init >/dev/null
PORT=$(free_port)
"$DOSAR" serve --listen "127.0.0.1:$PORT" --no-ocr --no-proof-of-work --institution "Primăria de test" \
  --smtp "smtp://127.0.0.1:$SMTP_PORT" --smtp-from registratura@primarie.example --mail-interval 1 \
  2>"$WORK/serve.err" &
SERVER=$!
trap 'kill $SERVER $SINK 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/formulare" >/dev/null && break
  sleep 0.1
done

mails() { ls "$MAILDIR/new" 2>/dev/null | wc -l; }
wait_for_mails() {
  for _ in $(seq 100); do (( $(mails) >= $1 )) && return 0; sleep 0.2; done
  return 1
}

"$MAKE_SAMPLES" "$WORK/pdf" 1 >/dev/null
PDF=$(ls "$WORK"/pdf/*.pdf | head -1)
curl -s -o "$WORK/answer.json" -w '%{http_code}' -F form=petitie -F 'nume=Ion Popescu' -F 'adresa=Str. Băicului 3' \
  -F email=ion@example.ro -F obiect=Iluminat -F 'continut=Vă rog.' -F consent=on -F "files=@$PDF" \
  "http://127.0.0.1:$PORT/api/v1/public/submissions" >"$WORK/status"
[[ $(cat "$WORK/status") == 201 ]] || fail "submission answered $(cat "$WORK/status"): $(cat "$WORK/answer.json")"
NUMBER=$(jq -r .number "$WORK/answer.json")

wait_for_mails 1 || fail "no receipt mail arrived"
python3 - "$MAILDIR" "$NUMBER" <<'PY' || fail "the receipt mail is not what was sent"
import email, email.policy, os, sys
folder, number = sys.argv[1] + "/new", sys.argv[2]
message = email.message_from_binary_file(open(os.path.join(folder, os.listdir(folder)[0]), "rb"), policy=email.policy.default)
assert message["To"] == "<ion@example.ro>" or "ion@example.ro" in message["To"], message["To"]
assert number in str(message["Subject"]), message["Subject"]
parts = {p.get_content_type(): p for p in message.walk()}
assert "text/plain" in parts and number in parts["text/plain"].get_content()
assert parts["application/pdf"].get_content()[:5] == b"%PDF-"
PY

# A status change made at the desk (here from the command line) is mailed.
expect_exit 0 "$DOSAR" registry assign "$NUMBER" --department Urbanism
wait_for_mails 2 || fail "the status change was not mailed"
grep -rl "repartizat" "$MAILDIR/new" >/dev/null 2>&1 ||
  python3 - "$MAILDIR" <<'PY' || fail "no mail tells of the routing"
import email, email.policy, os, sys
folder = sys.argv[1] + "/new"
texts = []
for name in os.listdir(folder):
    m = email.message_from_binary_file(open(os.path.join(folder, name), "rb"), policy=email.policy.default)
    for p in m.walk():
        if p.get_content_type() == "text/plain": texts.append(p.get_content())
assert any("repartizat" in t and "Urbanism" in t for t in texts), texts
PY
sleep 2
(( $(mails) == 2 )) || fail "$(mails) mails; a change must be mailed once"

kill -TERM $SERVER
wait $SERVER || fail "dosar serve exited $? on SIGTERM"
finish
