# The registry through the real binary: numbering under parallel processes,
# routing, deadlines, annulment, citizen lookup with rate limiting, receipts,
# and bad input leaving the archive unchanged (issue 6).
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }
today_local() { TZ=Europe/Bucharest date +%d.%m.%Y; }

expect_exit 0 D init
expect_exit 0 D user add ana --departments Urbanism
expect_exit 0 D user add sef --departments Urbanism --restricted
expect_exit 0 D user add ion --departments Juridic

# 1. Numbers: 8 processes x 25 registrations each, in parallel, give 1..200
# with no gap and no duplicate.
for p in $(seq 1 8); do
  (for i in $(seq 1 25); do
     D registry add --register intrare --kind petitie --sender "Cetățean $p-$i" --subject "cerere $p-$i" --json \
       >>"$WORK/parallel-$p.jsonl" || echo "process $p registration $i failed" >>"$WORK/parallel-errors"
   done) &
done
wait
[[ ! -s $WORK/parallel-errors ]] || fail "parallel registrations failed: $(cat "$WORK/parallel-errors")"
cat "$WORK"/parallel-*.jsonl | jq -r .seq | sort -n >"$WORK/seqs"
seq 1 200 >"$WORK/expected-seqs"
cmp -s "$WORK/seqs" "$WORK/expected-seqs" || fail "parallel numbers are not exactly 1..200: $(uniq -d "$WORK/seqs" | head -3) $(wc -l <"$WORK/seqs")"
[[ $(D registry list --register intrare --json | jq length) == 200 ]] || fail "expected 200 entries in intrare"
# Registers number independently.
expect_exit 0 D registry add --register iesire --kind adresa --sender "Primăria" --subject "răspuns" --json
[[ $(jq -r .seq "$WORK/last.out") == 1 ]] || fail "iesire does not start at 1"

# 2. An entry: number SEQ/DD.MM.YYYY, deadline from the kind, access code.
"$MAKE_SAMPLES" "$WORK/gen" 1 >/dev/null
expect_exit 0 D ingest "$WORK/gen/doc-00001.pdf"
doc=$(D list --json | jq '.[0].id')
expect_exit 0 D registry add --kind informatii-publice --sender "Maria Ionescu" --contact "maria@example.ro" \
  --subject "Solicitare informații buget" --channel email --doc "$doc" --json
out=$(cat "$WORK/last.out")
nr=$(jq -r .number <<<"$out")
code=$(jq -r .access_code <<<"$out")
[[ $nr == "201/$(today_local)" ]] || fail "number is '$nr', expected 201/$(today_local)"
[[ $(jq -r .deadline <<<"$out") == $(TZ=Europe/Bucharest date -d '+10 days' +%F) ]] || fail "informatii-publice deadline is not 10 days"
[[ $code =~ ^[A-HJ-KM-NP-Z2-9]{10}$ ]] || fail "access code '$code' has the wrong shape"
[[ $(D registry show "$nr" --register intrare --json | jq -r '.documents[0]') == "$doc" ]] || fail "attached document lost"
[[ $(D registry show "$nr" --register intrare --json | jq -r .sender.name) == "Maria Ionescu" ]] || fail "sender not shown to the archive owner"
[[ $(D registry show "$nr" --register intrare --as ana --json | jq -r .sender) == "restricted" ]] || fail "sender shown without restricted access"
! D audit --json | jq -r '.[].detail' | grep -q "Maria Ionescu" || fail "sender's name written to the audit trail"

# Routing and status history with who and when.
expect_exit 0 D registry assign "$nr" --register intrare --department Urbanism --to ana --as sef
expect_exit 0 D registry status "$nr" in-progress --register intrare --as ana
expect_exit 1 D registry assign "$nr" --register intrare --department Urbanism --to ion --as sef
expect_output_contains "does not belong to department Urbanism"
hist=$(D registry show "$nr" --register intrare --json | jq -r '[.history[] | .event + ":" + .status + ":" + .actor] | join(",")')
[[ $hist == "registered:registered:"*",assigned:assigned:sef,status:in-progress:ana" ]] || fail "history is '$hist'"
[[ $(D registry show "$nr" --register intrare --as sef --json | jq -r .sender.name) == "Maria Ionescu" ]] || fail "sender hidden from the head with restricted access"

# The answer is registered as outgoing and linked; the request becomes answered.
expect_exit 0 D registry add --register iesire --kind adresa --sender "Primăria" --subject "Răspuns" --answers "$nr" --json
ans=$(jq -r .id "$WORK/last.out")
req=$(D registry show "$nr" --register intrare --json)
[[ $(jq -r .status <<<"$req") == answered ]] || fail "request not answered after the answer was registered"
[[ $(jq -r '.answered_by[0]' <<<"$req") == "$ans" ]] || fail "request not linked to its answer"

# 3. Deadlines: extension with justification; overdue within N days.
expect_exit 0 D registry add --kind petitie --sender "Vasile" --subject "Petiție iluminat" --json
p_nr=$(jq -r .number "$WORK/last.out")
expect_exit 1 D registry extend "$p_nr" --register intrare --until 2020-01-01 --reason "x"
expect_output_contains "not later than the current deadline"
expect_exit 1 D registry extend "$p_nr" --register intrare --until "$(TZ=Europe/Bucharest date -d '+45 days' +%F)"
expect_output_contains "needs a justification"
expect_exit 0 D registry extend "$p_nr" --register intrare --until "$(TZ=Europe/Bucharest date -d '+45 days' +%F)" --reason "art. 9 OG 27/2002: cercetare pe teren"
[[ $(D registry show "$p_nr" --register intrare --json | jq -r .history[-1].note) == *"cercetare"* ]] || fail "extension justification not kept"
D registry overdue --within 5 --json | jq -e --arg n "$p_nr" 'all(.[]; .number != $n)' >/dev/null || fail "extended entry listed as due within 5 days"
D registry overdue --within 60 --json | jq -e --arg n "$p_nr" 'any(.[]; .number == $n)' >/dev/null || fail "entry due within 60 days not listed"
expect_exit 0 D registry assign "$p_nr" --register intrare --department Juridic
D registry overdue --within 60 --department Juridic --json | jq -e --arg n "$p_nr" 'length == 1 and .[0].number == $n' >/dev/null \
  || fail "overdue --department does not keep exactly the department's entry"

# Annulment keeps the number with the reason.
expect_exit 1 D registry annul "$p_nr" --register intrare
expect_output_contains "needs a reason"
expect_exit 0 D registry annul "$p_nr" --register intrare --reason "înregistrată de două ori"
[[ $(D registry show "$p_nr" --register intrare --json | jq -r '.status + "|" + .annul_reason') == "annulled|înregistrată de două ori" ]] || fail "annulment not kept"
expect_exit 0 D registry add --kind petitie --sender "Next" --subject "după anulare" --json
[[ $(jq -r .seq "$WORK/last.out") == $(( ${p_nr%%/*} + 1 )) ]] || fail "annulled number reused or skipped"

# 4. Citizen lookup: route, nothing personal; wrong codes rate-limited and logged.
expect_exit 0 D registry lookup "$nr" "$code" --json
look=$(cat "$WORK/last.out")
[[ $(jq -r .status <<<"$look") == answered ]] || fail "lookup status wrong"
jq -e '.route | map(.department) | index("Urbanism")' <<<"$look" >/dev/null || fail "route lacks the department"
! grep -qE "Maria|maria@|buget|ana|sef" <<<"$look" || fail "lookup shows personal data or the subject: $look"
expect_exit 0 D registry lookup "$nr" "$(tr 'A-Z' 'a-z' <<<"${code:0:5}")-${code:5}"
tampered="${code:0:9}$([[ ${code:9:1} == A ]] && echo B || echo A)"
for i in 1 2 3 4 5; do
  expect_exit 1 D registry lookup "$nr" "$tampered"
done
expect_output_contains "does not match"
expect_exit 1 D registry lookup "$nr" "$code"
expect_output_contains "too many wrong access codes"
[[ $(D audit --json | jq '[.[] | select(.action == "registry.lookup" and .detail.outcome == "wrong-code")] | length') == 5 ]] \
  || fail "wrong codes not logged in the audit trail"
expect_exit 1 D registry lookup "999/01.01.2026" "$code"
expect_output_contains "does not match"

# 7. Receipt: one page with number, date, subject, deadline and code, diacritics intact.
expect_exit 0 D registry add --kind petitie --sender "Ștefan Țăranu" --subject "Reparație șosea în cartierul Tăbăcăriei" --json
r_nr=$(jq -r .number "$WORK/last.out")
r_code=$(jq -r .access_code "$WORK/last.out")
expect_exit 0 D registry receipt "$r_nr" --register intrare --code "$r_code" -o "$WORK/receipt.pdf"
pdftotext "$WORK/receipt.pdf" "$WORK/receipt.txt"
for want in "$r_nr" "Reparație șosea în cartierul Tăbăcăriei" "$r_code" "Dovadă de înregistrare" "Termen de răspuns" \
            "$(TZ=Europe/Bucharest date -d '+30 days' +%d.%m.%Y)" "$(today_local)"; do
  grep -qF -- "$want" "$WORK/receipt.txt" || fail "receipt lacks '$want'"
done
[[ $(pdfinfo "$WORK/receipt.pdf" | awk '/^Pages:/ {print $2}') == 1 ]] || fail "receipt is not one page"
expect_exit 1 D registry receipt "$r_nr" --register intrare --code "AAAAAAAAAA" -o "$WORK/bad.pdf"
[[ ! -e $WORK/bad.pdf ]] || fail "receipt written with a wrong code"
# Without --code a new code is issued and the old one stops working.
expect_exit 0 D registry receipt "$r_nr" --register intrare -o "$WORK/receipt2.pdf"
new_code=$(pdftotext "$WORK/receipt2.pdf" - | grep -A2 "Cod de acces" | grep -oE '[A-Z2-9]{10}' | head -1)
expect_exit 0 D registry lookup "$r_nr" "$new_code"
expect_exit 1 D registry lookup "$r_nr" "$r_code"

# 8. Bad input: a clear error and nothing changed.
before=$(D registry list --json | md5sum)
audit_before=$(D audit --json | jq length)
expect_exit 1 D registry add --register nicaieri --kind petitie --sender X --subject Y
expect_output_contains "unknown register; known: iesire, intern, intrare"
expect_exit 1 D registry add --kind nimic --sender X --subject Y
expect_output_contains "unknown document kind"
expect_exit 1 D registry add --kind petitie --subject Y
expect_output_contains "sender: is required"
expect_exit 1 D registry add --kind petitie --sender X
expect_output_contains "subject: is required"
expect_exit 1 D registry add --kind petitie --sender X --subject Y --channel fax
expect_output_contains "'fax' is not one of ghiseu, posta, email, online"
expect_exit 1 D registry add --kind petitie --sender X --subject Y --date "$(date -d '+2 days' +%F)"
expect_output_contains "is in the future"
expect_exit 1 D registry add --kind petitie --sender X --subject Y --date 2026-02-30
expect_output_contains "is not a date"
expect_exit 1 D registry add --kind petitie --sender X --subject Y --doc 9999
expect_output_contains "document 9999"
expect_exit 1 D registry add --kind petitie --sender X --subject Y --as nobody
expect_output_contains "user nobody"
expect_exit 1 D registry status "$nr" --register intrare archived
expect_output_contains "cannot become archived"
expect_exit 1 D registry annul "$nr" --register intrare --reason "prea târziu"
expect_output_contains "only open entries can be annulled"
expect_exit 1 D registry show "1/$(today_local)"
expect_output_contains "exists in registers iesire, intrare; name one with --register"
[[ $(D registry list --json | md5sum) == "$before" ]] || fail "bad input changed the registry"
[[ $(D audit --json | jq length) == "$audit_before" ]] || fail "bad input wrote audit rows"

# Configurable kinds and registers.
expect_exit 0 D registry kind-set autorizatie --days 15 --label "autorizație de construire" --basis "Legea 50/1991"
expect_exit 0 D registry add --kind autorizatie --sender X --subject Y --json
[[ $(jq -r .deadline "$WORK/last.out") == $(TZ=Europe/Bucharest date -d '+15 days' +%F) ]] || fail "configured kind's deadline not used"
expect_exit 0 D registry register-add dgaspc --label "registrul DGASPC"
expect_exit 0 D registry add --register dgaspc --kind cerere --sender X --subject Y --json
[[ $(jq -r .seq "$WORK/last.out") == 1 ]] || fail "new register does not start at 1"

expect_exit 0 D audit verify
finish
