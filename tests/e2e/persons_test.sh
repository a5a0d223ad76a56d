# The electronic beneficiary file through the real binary (issue 12):
# persons and households, bad CNPs refused, links and the timeline, the
# purpose every read needs, access records and their report, masking,
# suggestions from extracted text, rectification, the GDPR export checked
# with outside tools (tar, pdftotext, sha256sum) and the erasure report.
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }
ION=1800101400016
CHILD=5000229520034
expect_exit 0 D init
expect_exit 0 D user add ana --departments "Asistență socială" --restricted
expect_exit 0 D user add dan --departments "Asistență socială" --restricted
expect_exit 0 D user add maria --departments Urbanism --restricted
export DOSAR_USER=ana

# Bad input: a wrong control digit, an impossible date; nothing is stored.
expect_exit 1 D person add --name "Ion Popescu" --cnp 1800101400017
expect_output_contains "CNP: control digit is 7, the other digits give 6"
expect_exit 1 D person add --name "Ion Popescu" --cnp 1800230400013
expect_output_contains "is not a calendar date"
expect_exit 1 D person add --name "Fără act"
expect_output_contains "give a CNP, or an identifier and its type"
expect_exit 1 D person add --name "Străin" --cnp "$ION" --as nimeni
expect_output_contains "is not a user of this archive"
[[ $(sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" 'SELECT count(*) FROM persons') == 0 ]] || fail "a refused person was stored"

ion=$(D person add --name "Ion Popescu" --cnp "$ION" --address "Str. Florilor 1" --json | jq -r .id)
child=$(D person add --name "Maria Popescu" --cnp "$CHILD" --legal-representative "Ion Popescu" --json | jq -r .id)
john=$(D person add --name "John Smith" --id-type pașaport --id X1234567)
[[ $ion =~ ^[0-9]+$ && $child =~ ^[0-9]+$ && $john =~ ^[0-9]+$ ]] || fail "person add did not print ids ($ion $child $john)"
expect_exit 1 D person add --name "Dublură" --cnp "$ION"
expect_output_contains "is already the identifier of person $ion"
expect_exit 0 D person household "Familia Popescu" --member "$ion:părinte" --member "$child:copil"

# Reads need a purpose from the list.
expect_exit 1 D person show "$ion"
expect_output_contains "purpose: is required"
expect_exit 1 D person show "$ion" --purpose curiozitate
expect_output_contains "anchetă-socială"
expect_exit 0 D person show "$child" --purpose anchetă-socială --json
[[ $(jq -r '.households[0].members | map(.role) | join(",")' "$WORK/last.out") == "părinte,copil" ]] ||
  fail "household not shown"
[[ $(jq -r .cnp "$WORK/last.out") == "$CHILD" ]] || fail "the case worker does not see the full CNP"

# Only the assigned see a person; dan after his department is assigned.
expect_exit 1 D person show "$ion" --purpose evaluare --as maria
expect_output_contains "user 'maria' is not assigned to this person"
expect_exit 1 D person show "$ion" --purpose evaluare --as dan
expect_exit 0 D person assign "$ion" --department "Asistență socială"
expect_exit 0 D person show "$ion" --purpose evaluare --as dan

# Search: names without diacritics, CNP exact only, CNPs masked in the list.
expect_exit 0 D person find popescu --purpose evaluare --json
[[ $(jq -r '.persons | length' "$WORK/last.out") == 2 ]] || fail "name search"
grep -q "$ION" "$WORK/last.out" && fail "a list shows a full CNP"
[[ $(jq -r '.persons[] | select(.id == '"$ion"') | .cnp' "$WORK/last.out") == "1********0016" ]] || fail "mask"
[[ $(D person find "$ION" --purpose evaluare --json | jq -r '.persons[0].id') == "$ion" ]] || fail "CNP search"
expect_exit 1 D person find 18001014 --purpose evaluare
expect_output_contains "search needs all 13 digits"
[[ $(D person find popescu --purpose evaluare --as maria --json | jq '.persons | length') == 0 ]] || fail "maria finds"

# Documents: one names Ion's CNP, one his name; the scan suggests, a person confirms.
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
text_pdf "$WORK/cerere.pdf" "Cerere de ajutor social. Subsemnatul, CNP $ION, solicit sprijin."
text_pdf "$WORK/ancheta.pdf" "Raport de ancheta sociala la familia lui ION POPESCU, str. Florilor."
text_pdf "$WORK/altul.pdf" "Alt document, despre nimeni anume."
expect_exit 0 D ingest --no-ocr "$WORK/cerere.pdf" "$WORK/ancheta.pdf" "$WORK/altul.pdf"
expect_output_contains "2 link suggestions for known persons"
doc_cerere=$(D list --json | jq -r '.[] | select(.title | test("cerere")) | .id')
doc_ancheta=$(D list --json | jq -r '.[] | select(.title | test("ancheta")) | .id')
doc_altul=$(D list --json | jq -r '.[] | select(.title | test("altul")) | .id')
# Found at ingest; scanning again finds nothing new.
expect_exit 0 D person scan --json
[[ $(jq -r .new_suggestions "$WORK/last.out") == 0 ]] || fail "scan found again $(cat "$WORK/last.out")"
expect_exit 0 D person suggestions --json
s_cnp=$(jq -r '.suggestions[] | select(.reason == "cnp") | .id' "$WORK/last.out")
s_name=$(jq -r '.suggestions[] | select(.reason == "name") | .id' "$WORK/last.out")
[[ $(jq -r '.suggestions[] | select(.reason == "cnp") | .document' "$WORK/last.out") == "$doc_cerere" ]] ||
  fail "the CNP suggestion is not the request"
expect_exit 0 D person confirm "$s_cnp"
expect_exit 0 D person confirm "$s_name"
expect_exit 1 D person confirm "$s_name"
expect_output_contains "is already confirmed"
expect_exit 0 D person link "$ion" --document "$doc_altul"
expect_exit 1 D person link "$ion" --document "$doc_altul"
expect_output_contains "is already linked"
expect_exit 1 D person link "$ion" --document 999
expect_exit 0 D person unlink "$ion" --document "$doc_altul"
entry=$(D registry add --kind petitie --sender "Ion Popescu" --subject "Cerere ajutor" --doc "$doc_cerere" --json | jq -r .id)
expect_exit 0 D person link "$ion" --entry "$entry"

# The timeline: newest first, paged with the cursor it prints.
expect_exit 0 D person timeline "$ion" --purpose anchetă-socială --json
[[ $(jq -r '.items | length' "$WORK/last.out") == 3 ]] || fail "timeline has $(jq '.items|length' "$WORK/last.out") items"
[[ $(jq -r '.items[0].kind' "$WORK/last.out") == registry-entry ]] || fail "newest first"
next=$(D person timeline "$ion" --purpose evaluare --limit 2 --json | jq -r .next)
[[ -n $next ]] || fail "no cursor after a full page"
[[ $(D person timeline "$ion" --purpose evaluare --limit 2 --after "$next" --json | jq '.items | length') == 1 ]] ||
  fail "second page"
expect_exit 1 D person timeline "$ion" --purpose evaluare --as maria

# Rectification keeps the old value; a bad CNP changes nothing.
expect_exit 0 D person rectify "$ion" --set "address=Str. Nouă 2" --reason "mutare"
expect_exit 1 D person rectify "$ion" --set cnp=1800101400017 --reason "eroare"
[[ $(D person show "$ion" --purpose evaluare --json | jq -r '"\(.address)|\(.cnp)|\(.history[0].old)"') == \
   "Str. Nouă 2|$ION|Str. Florilor 1" ]] || fail "rectification"

# The access report: who saw what, when, why; refused reads are not there.
expect_exit 0 D person access-report "$ion" --json
jq -e '.accesses | map(select(.user == "dan" and .purpose == "evaluare" and .what == "person")) | length == 1' \
  "$WORK/last.out" >/dev/null || fail "dan's read is not recorded"
jq -e '.accesses | map(select(.user == "maria")) | length == 0' "$WORK/last.out" >/dev/null || fail "maria recorded"
jq -e '.accesses | map(select(.what == "timeline")) | length >= 3' "$WORK/last.out" >/dev/null || fail "timeline reads"
expect_exit 1 D person access-report "$ion" --as maria

# Search snippets of documents show a CNP masked.
expect_exit 0 D search Subsemnatul --json
grep -q "$ION" "$WORK/last.out" && fail "a search snippet shows a full CNP"
expect_output_contains "1********0016"

# The audit trail and the log never hold the CNP.
D audit --json > "$WORK/audit.json"
grep -q "$ION" "$WORK/audit.json" && fail "the audit trail holds a CNP"

# GDPR export: refused to maria (nothing written), allowed to ana.
expect_exit 1 D person export "$ion" -o "$WORK/maria.tar" --purpose solicitare-persoană-vizată --as maria
expect_output_contains "not assigned"
[[ -e $WORK/maria.tar ]] && fail "a refused export left a file"
expect_exit 0 D person export "$ion" -o "$WORK/ion.tar" --purpose solicitare-persoană-vizată
mkdir "$WORK/x" && tar -xf "$WORK/ion.tar" -C "$WORK/x" || fail "tar cannot read the export"
dir="$WORK/x/persoana-$ion"
[[ -f $dir/rezumat.pdf && -f $dir/date.json && -f $dir/manifest.json ]] || fail "export lacks files: $(ls -R "$WORK/x")"
pdftotext "$dir/rezumat.pdf" - > "$WORK/summary.txt"
grep -q "Ion Popescu" "$WORK/summary.txt" || fail "summary lacks the name"
grep -q "Str. Nouă 2" "$WORK/summary.txt" || fail "summary lacks the address (diacritics)"
grep -q "anchetă-socială" "$WORK/summary.txt" || fail "summary lacks the access records"
[[ $(ls "$dir/documente" | wc -l) == 2 ]] || fail "export holds $(ls "$dir/documente" | wc -l) documents"
cmp -s "$dir/documente/$doc_cerere-v1-cerere.pdf" "$WORK/cerere.pdf" || fail "exported document differs"
(cd "$dir" && jq -r '.files[] | "\(.sha256)  \(.path)"' manifest.json | sha256sum -c --quiet) || fail "manifest sums"
[[ $(jq -r .person.cnp "$dir/date.json") == "$ION" ]] || fail "data lacks the CNP"

# Erasure: nothing filed yet, so everything stays, and says why.
expect_exit 0 D person erasure-report "$ion" --purpose solicitare-persoană-vizată --json
jq -e '.items | map(select(.kind == "document" and .verdict == "must-stay" and (.rule | test("no file code")))) | length == 2' \
  "$WORK/last.out" >/dev/null || fail "erasure report: $(cat "$WORK/last.out")"
jq -e '.items[-1] | .kind == "person" and .verdict == "must-stay"' "$WORK/last.out" >/dev/null || fail "person line"
expect_exit 1 D person erasure-report "$ion" --purpose control --as maria

finish
