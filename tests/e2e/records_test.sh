# Records management through the real binary (issue 10): nomenclator import
# and approval, file codes at ingest, closing a year, retention, legal hold,
# lawful disposal and what the archive looks like afterwards, the inventory.
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }
YEAR=$(TZ=Europe/Bucharest date +%Y)
OLD=2015
expect_exit 0 D init

cat > "$WORK/n.csv" <<'CSV'
department,code,title,retention,remarks
Secretariat,I-1,"Hotărâri, dispoziții",permanent,
Asistență socială,II-1,Anchete sociale,10,"zis ""dosarul social"""
Registratură,III-1,Corespondență,3,
CSV

# Bad input: refused with file, line and reason; nothing imported.
{ cat "$WORK/n.csv"; echo 'Juridic,II-1,Contracte,5,'; } > "$WORK/dup.csv"
expect_exit 1 D nomenclator import "$WORK/dup.csv" --year "$YEAR"
expect_output_contains "$WORK/dup.csv: line 5: duplicate code 'II-1' (already on line 3)"
printf 'department,code,title,retention,remarks\nSecretariat,I-1,Hot\xe3r\xe2ri,permanent,\n' > "$WORK/cp1250.csv"
expect_exit 1 D nomenclator import "$WORK/cp1250.csv" --year "$YEAR"
expect_output_contains "line 2: is not UTF-8"
cp "$SOURCE_DIR/tests/data/bad-nomenclator/xxe.xml" "$WORK/xxe.xml"
expect_exit 1 D nomenclator import "$WORK/xxe.xml" --year "$YEAR"
expect_output_contains "carries a DTD"
expect_exit 1 D nomenclator list --year "$YEAR"
expect_output_contains "has not been imported"

expect_exit 0 D nomenclator import "$WORK/n.csv" --year "$YEAR"
expect_exit 0 D nomenclator approve --year "$YEAR" --reference "AN 1/$YEAR"
[[ $(D nomenclator list --year "$YEAR" --json | jq -r .state) == approved ]] || fail "nomenclator not approved"
expect_exit 0 D nomenclator export --year "$YEAR" -o "$WORK/export.csv"
# The export reads back; importing it into an approved year makes version 2, version 1 stays.
expect_exit 0 D nomenclator import "$WORK/export.csv" --year "$YEAR"
[[ $(D nomenclator list --year "$YEAR" --json | jq -r '"\(.version) \(.state)"') == "2 draft" ]] || fail "re-import is not version 2"
[[ $(D nomenclator list --year "$YEAR" --version 1 --json | jq -r .state) == approved ]] || fail "version 1 lost"
v1=$(D nomenclator list --year "$YEAR" --version 1 --json | jq -c .entries)
v2=$(D nomenclator list --year "$YEAR" --version 2 --json | jq -c .entries)
[[ $v1 == "$v2" ]] || fail "export did not round-trip: $v1 / $v2"

# File codes at ingest: an unknown code is refused before anything is stored.
"$MAKE_SAMPLES" "$WORK/gen" 4 >/dev/null
expect_exit 1 D ingest --file-code IX-9 "$WORK/gen/doc-00001.pdf"
expect_output_contains "is not in the approved nomenclator of $YEAR"
[[ $(D list --json | jq length) == 0 ]] || fail "a refused file code still stored the document"
expect_exit 0 D ingest --file-code II-1 --department "Asistență socială" "$WORK/gen/doc-00001.pdf"
[[ $(D records dossiers --year "$YEAR" --json | jq -r '.[0] | "\(.code) \(.state) \(.retention_end)"') == "II-1 open $((YEAR + 11))-01-01" ]] \
  || fail "the first document did not open dossier II-1/$YEAR"
# The scanner's hot folder files what it takes, too.
mkdir -p "$WORK/hot"
cp "$WORK/gen/doc-00004.pdf" "$WORK/hot/scanat.pdf"
expect_exit 0 D watch "$WORK/hot" --once --settle 0 --file-code III-1
hot=$(D list --json | jq '.[] | select(.title == "scanat") | .id')
[[ $(D records sheet "$hot" --json | jq -r '.["file-code"]') == "III-1/$YEAR" ]] || fail "watch did not file the scan"
expect_exit 1 D registry add --kind petitie --sender "Ion Popescu" --subject "Cerere" --file-code IX-9
expect_output_contains "is not in the approved nomenclator"
expect_exit 0 D registry add --kind petitie --sender "Ion Popescu" --subject "Cerere" --file-code II-1
[[ $(sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" "SELECT code || '/' || year FROM record_entry_codes") == "II-1/$YEAR" ]] \
  || fail "the registry entry does not carry its file code"
[[ $(sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" "SELECT COUNT(*) FROM registry_entries") == 1 ]] || fail "a refused file code still registered"
expect_exit 1 D records close-year "$YEAR"
expect_output_contains "is not over yet"

# An old year: documents that entered the archive in 2015 (dated back in the catalogue).
expect_exit 0 D nomenclator import "$WORK/n.csv" --year "$OLD"
expect_exit 0 D nomenclator approve --year "$OLD" --reference "AN 7/$OLD"
expect_exit 0 D ingest --department Registratură "$WORK/gen/doc-00002.pdf" "$WORK/gen/doc-00003.pdf"
a=$(D list --json | jq '.[] | select(.title == "doc-00002") | .id')
b=$(D list --json | jq '.[] | select(.title == "doc-00003") | .id')
sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" "UPDATE documents SET created_at = '$OLD-05-04T09:00:00.000000Z' WHERE id IN ($a, $b)"
expect_exit 0 D records assign "$a" III-1
expect_exit 0 D records assign "$b" III-1
expect_exit 0 D records close-year "$OLD"
expect_exit 1 D records reopen "III-1/$OLD"
[[ $(D records due --json | jq -r '.[].code') == "III-1" ]] || fail "III-1/$OLD is not due"
expect_exit 0 D records due --as-of "$((OLD + 3))-12-31" --json
[[ $(jq length "$WORK/last.out") == 0 ]] || fail "due before the term ended"

# The sheet says when fixity last verified a document; a dossier becomes a preservation package.
[[ $(D records sheet "$a" --json | jq -r '.["last-verified"]') == "" ]] || fail "verified before any check"
expect_exit 0 D check
[[ $(D records sheet "$a" --json | jq -r '.["last-verified"]') == 20* ]] || fail "the sheet lacks the last verification"
expect_exit 0 D records export-bag "III-1/$OLD" -o "$WORK/bag"
expect_output_contains ": 2 documents"
(cd "$WORK/bag" && sha256sum --quiet -c manifest-sha256.txt && sha256sum --quiet -c tagmanifest-sha256.txt) \
  || fail "the dossier's bag does not validate"
expect_exit 1 D records export-bag "IX-9/$OLD" -o "$WORK/bag-none"

word=$(D export "$a" --what text -o - | tr -cs '[:alpha:]' '\n' | awk 'length > 7' | head -1)
[[ -n $word ]] || fail "no word to search for"
[[ $(D search --json "$word" | jq "[.hits[] | select(.id == $a)] | length") == 1 ]] || fail "search did not find '$word' before disposal"
blob=$(D show "$a" --json | jq -r .current.original_blob)
blob_path="$DOSAR_ARCHIVE/blobs/sha256/${blob:0:2}/${blob:2:2}/$blob"
[[ -f $blob_path ]] || fail "blob layout: $blob_path not found"

# Legal hold blocks disposal; so does asking for a dossier that is not due.
protocol="$SOURCE_DIR/samples/documents/dispozitie-comisie-selectionare.pdf"
expect_exit 0 D records hold add "III-1/$OLD" --reason "litigiu 12/2026"
[[ $(D records hold list --json | jq length) == 1 ]] || fail "hold not listed"
count=$(D list --json | jq length)
expect_exit 1 D records dispose --decision "Decizia 7/$YEAR" --protocol "$protocol" "III-1/$OLD" "II-1/$YEAR"
expect_output_contains "III-1/$OLD is on legal hold (litigiu 12/2026)"
expect_output_contains "II-1/$YEAR is open"
[[ -f $blob_path && $(D list --json | jq length) == "$count" ]] || fail "a refused disposal changed something"
expect_exit 0 D records hold remove "III-1/$OLD" --reason "litigiu încheiat"

expect_exit 0 D records dispose --decision "Decizia 7/$YEAR" --protocol "$protocol" "III-1/$OLD"
[[ ! -e $blob_path ]] || fail "the disposed blob is still there"
expect_exit 0 D check
expect_exit 1 D records export-bag "III-1/$OLD" -o "$WORK/bag-disposed"
expect_output_contains "was disposed of"
expect_exit 0 D audit verify
expect_exit 1 D export "$a" -o "$WORK/x.pdf"
expect_output_contains "disposed on $(TZ=Europe/Bucharest date +%Y-%m-%d) by decision \"Decizia 7/$YEAR\""
[[ $(D search --json "$word" | jq "[.hits[] | select(.id == $a)] | length") == 0 ]] || fail "search still finds a disposed document"
[[ $(D records sheet "$a" --json | jq -r .disposed) == disposed\ on* ]] || fail "the sheet does not say disposed"
[[ $(D records dossiers --year "$OLD" --json | jq -r '.[0].state') == disposed ]] || fail "dossier not disposed"
protocol_id=$(D list --json | jq '.[] | select(.type == "proces-verbal-selectionare") | .id')
[[ $(D records sheet "$protocol_id" --json | jq -r .retention) == permanent ]] || fail "protocol not permanent"
D records sheet "$b" --xml | xmllint --noout - || fail "the sheet's XML is not well-formed"
expect_exit 0 D records sheet "$b" --set "paper-location=Depozit 1, raft 3" --set "keywords=corespondență"
expect_output_contains "paper-location: Depozit 1, raft 3"
expect_exit 1 D records sheet "$b" --set "culoare=roșu"
expect_output_contains "is not a settable sheet field"

# The inventory of the year.
expect_exit 0 D records inventory --year "$OLD" -o "$WORK/inv.csv"
expected="1,III-1/$OLD,Corespondență,Registratură,04.05.$OLD - 04.05.$OLD,2,"
grep -q "^$expected" "$WORK/inv.csv" || { fail "inventory line"; cat "$WORK/inv.csv" >&2; }
expect_exit 0 D records inventory --year "$YEAR" --department "Asistență socială" -o "$WORK/inv.pdf"
pdftotext "$WORK/inv.pdf" - | grep -q "Conținutul pe scurt" || fail "inventory PDF lacks its diacritics"

finish
