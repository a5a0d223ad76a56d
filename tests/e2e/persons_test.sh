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
D registry add --kind petitie --sender "Ion Popescu" --subject "Cerere ajutor, CNP $ION" --doc "$doc_cerere" --json >"$WORK/entry.json"
entry=$(jq -r .id "$WORK/entry.json")
entry_nr=$(jq -r .number "$WORK/entry.json")
expect_exit 0 D person link "$ion" --entry "$entry"

# CLI reads of a document in a person's file need a purpose from the list
# and go into the person's access records, as the web's do; a document in no
# one's file needs nothing.
expect_exit 1 D show "$doc_cerere"
expect_output_contains "document $doc_cerere: is in the file of a person: reading it needs --purpose P, one of: anchetă-socială, evaluare"
expect_exit 1 D show "$doc_cerere" --purpose curiozitate
expect_output_contains "'curiozitate' is not one of them"
expect_exit 1 D export "$doc_cerere" -o "$WORK/exported.pdf"
[[ -e $WORK/exported.pdf ]] && fail "a refused export wrote the file"
expect_exit 1 D versions "$doc_cerere"
expect_exit 0 D show "$doc_cerere" --purpose evaluare --json
[[ $(jq -r .id "$WORK/last.out") == "$doc_cerere" ]] || fail "show with a purpose"
DOSAR_USER=dan expect_exit 0 D versions "$doc_cerere" --purpose evaluare
expect_exit 0 D export "$doc_cerere" -o "$WORK/exported.pdf" --purpose control
cmp -s "$WORK/exported.pdf" "$WORK/cerere.pdf" || fail "the export with a purpose differs"
expect_exit 0 D show "$doc_altul"
expect_exit 0 D export "$doc_altul" -o "$WORK/altul-out.pdf"
D person access-report "$ion" --json >"$WORK/cli-reads.json"
for read in "ana|evaluare|document $doc_cerere (show)" "dan|evaluare|document $doc_cerere (versions)" \
            "ana|control|document $doc_cerere (export original)"; do
  jq -e --arg r "$read" '.accesses | map(select("\(.user)|\(.purpose)|\(.what)" == $r)) | length == 1' \
    "$WORK/cli-reads.json" >/dev/null || fail "the CLI read '$read' is not recorded: $(cat "$WORK/cli-reads.json")"
done
jq -e --arg d "document $doc_altul" '.accesses | map(select(.what | startswith($d))) | length == 0' \
  "$WORK/cli-reads.json" >/dev/null || fail "a read of an unlinked document went into the person's file"

# So does `registry show` of an entry in a person's file.
expect_exit 1 D registry show "$entry_nr"
expect_output_contains "registry entry $entry_nr: is in the file of a person: reading it needs --purpose P"
expect_exit 0 D registry show "$entry_nr" --purpose evaluare
expect_output_contains "Cerere ajutor, CNP $ION"
# A list has no purpose: its CNPs are masked, as in the audit rows (issue 12).
expect_exit 0 D registry list
expect_output_contains "Cerere ajutor, CNP 1********0016"
grep -q "$ION" "$WORK/last.out" && fail "registry list shows a CNP in clear"
D person access-report "$ion" --json | jq -e --arg w "registry entry $entry_nr (show)" \
  '.accesses | map(select(.user == "ana" and .purpose == "evaluare" and .what == $w)) | length == 1' >/dev/null ||
  fail "registry show of an entry in a person's file is not recorded"
expect_exit 2 D registry list --purpose evaluare
expect_output_contains "'registry list' has no option --purpose: it declares no read of a person's data"

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

# The electronic sheet of a document in a person's file: the same rule, and
# a refused read sets nothing.
expect_exit 1 D records sheet "$doc_cerere" --set "keywords=ajutor, CNP $ION"
expect_output_contains "document $doc_cerere: is in the file of a person: reading it needs --purpose P"
expect_exit 0 D records sheet "$doc_cerere" --set "keywords=ajutor, CNP $ION" --purpose evaluare
expect_output_contains "keywords: ajutor, CNP $ION"
expect_exit 0 D records sheet "$doc_cerere" --purpose evaluare --as maria --json
grep -q "$ION" "$WORK/last.out" && fail "records sheet shows a CNP in clear to someone not assigned"
[[ $(jq -r .keywords "$WORK/last.out") == "ajutor, CNP 1********0016" ]] || fail "sheet keywords not masked"
D person access-report "$ion" --json | jq -e --arg w "document $doc_cerere (sheet)" \
  '.accesses | map(select(.what == $w)) | length == 2' >/dev/null ||
  fail "records sheet reads of a document in a person's file are not recorded"

# Search snippets: a document in a person's file shows its snippet only
# with --purpose; a CNP shows in full only to the person's case workers.
expect_exit 0 D search Subsemnatul --json
jq -e '.hits[0].snippet == "" and .hits[0].snippet_withheld' "$WORK/last.out" >/dev/null ||
  fail "a snippet of a document in a person's file shown without a purpose: $(cat "$WORK/last.out")"
expect_exit 0 D search Subsemnatul
expect_output_contains "dați --purpose"
expect_exit 0 D search Subsemnatul --purpose evaluare --as maria --json
grep -q "$ION" "$WORK/last.out" && fail "a search snippet shows a full CNP to someone not assigned"
expect_output_contains "1********0016"
expect_exit 0 D search Subsemnatul --purpose evaluare --json
expect_output_contains "$ION"
expect_exit 1 D search Subsemnatul --purpose curiozitate
expect_output_contains "anchetă-socială"
D person access-report "$ion" --json | jq -e '.accesses | map(select(.user == "ana" and .what == "CNP in a search hit")) | length == 1' >/dev/null ||
  fail "the CNP shown in full is not recorded"

# cnp: finds a CNP exactly, and nothing else reaches it.
expect_exit 0 D search "cnp:$ION" --purpose evaluare --json
[[ $(jq -r '[.hits[].id] | join(",")' "$WORK/last.out") == "$doc_cerere" ]] || fail "cnp: search: $(cat "$WORK/last.out")"
[[ $(D search "$ION" --json | jq -r '[.hits[].id] | join(",")') == "$doc_cerere" ]] || fail "a bare CNP is not exact"
for near in "${ION:0:12}*" "${ION:0:8}*" "${ION:0:12}" "${ION:1}"; do
  D search "$near" --json >"$WORK/near.json" 2>/dev/null || true
  jq -e --argjson d "$doc_cerere" 'any(.hits[]?; .id == $d) | not' "$WORK/near.json" >/dev/null ||
    fail "'$near' reached the document by its CNP"
  grep -q "$ION" "$WORK/near.json" && fail "'$near' suggested or showed the CNP"
done
expect_exit 1 D search "cnp:${ION:0:12}"
expect_output_contains "query: 'cnp:${ION:0:12}' is not a CNP"
expect_exit 1 D search "cnp:1800101400017"
expect_output_contains "control digit"

# The legal representative as a person of the archive: shown on both persons,
# the free text kept, the change in the history; only someone the user sees.
expect_exit 0 D person rectify "$child" --set "representative_id=$ion" --set representative_role=părinte --reason "act de naștere"
expect_exit 0 D person show "$child" --purpose evaluare --json
jq -e --argjson ion "$ion" '.representative.person == $ion and .representative.name == "Ion Popescu" and
  .representative.role == "părinte" and .legal_representative == "Ion Popescu" and
  (.history | map(select(.field == "representative_id" and .old == "" and .new == ($ion | tostring))) | length == 1)' \
  "$WORK/last.out" >/dev/null || fail "the representative is not shown on the child: $(cat "$WORK/last.out")"
expect_exit 0 D person show "$ion" --purpose evaluare --json
jq -e --argjson c "$child" '.represents == [{"person": $c, "name": "Maria Popescu", "role": "părinte"}]' \
  "$WORK/last.out" >/dev/null || fail "the parent does not show whom he represents: $(cat "$WORK/last.out")"
expect_exit 0 D person show "$ion" --purpose evaluare
expect_output_contains "reprezentant legal al: Maria Popescu [$child, părinte]"
expect_exit 1 D person rectify "$child" --set "representative_id=$child" --reason x
expect_output_contains "cannot be their own legal representative"
expect_exit 1 D person add --name "Copil" --id-type pașaport --id Z1 --representative "$ion" --as maria
expect_output_contains "not assigned"
expect_exit 0 D person add --name "Ana Popescu" --id-type pașaport --id Z2 --representative "$ion" --representative-role părinte --json
[[ $(D person show "$ion" --purpose evaluare --json | jq '.represents | length') == 2 ]] || fail "a second child"

# The audit trail and the log never hold the CNP.
D audit --json > "$WORK/audit.json"
grep -q "$ION" "$WORK/audit.json" && fail "the audit trail holds a CNP"

# A CNP in a document's title: masked in the list (read with no purpose) and
# in search hits, shown in full only to the assigned with a purpose. (After
# the audit check: the document.create row holds the title.)
text_pdf "$WORK/dosar-$ION.pdf" "Dosarul familiei Zamfirescu."
expect_exit 0 D ingest --no-ocr "$WORK/dosar-$ION.pdf"
expect_exit 0 D list --json
grep -q "$ION" "$WORK/last.out" && fail "the list shows a full CNP in a title"
expect_output_contains "dosar-1********0016"
expect_exit 0 D search Zamfirescu --purpose evaluare --as maria --json
[[ $(jq -r '.hits[0].title' "$WORK/last.out") == "dosar-1********0016" ]] ||
  fail "a search hit's title shows a CNP to someone not assigned: $(cat "$WORK/last.out")"
expect_exit 0 D search Zamfirescu --json
[[ $(jq -r '.hits[0].title' "$WORK/last.out") == "dosar-1********0016" ]] || fail "a title's CNP shown without a purpose"
expect_exit 0 D search Zamfirescu --purpose evaluare --json
[[ $(jq -r '.hits[0].title' "$WORK/last.out") == "dosar-$ION" ]] || fail "the case worker does not see the title's CNP"

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
