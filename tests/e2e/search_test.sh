# Search through the real binary (issue 4): the index follows ingest and
# add-version, permissions come from users, `reindex` rebuilds it, and
# Xapian's own tools read it.
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }

expect_exit 0 D init
expect_exit 0 D search --json ancheta
[[ $(jq .total "$WORK/last.out") == 0 ]] || fail "a new archive finds something"

expect_exit 0 D ingest --department DGASPC --type cerere "$SOURCE_DIR/samples/documents/cerere-ancheta-sociala.pdf"
expect_exit 0 D ingest --department Juridic --type dispoziție --confidentiality restricted-personal-data \
  "$SOURCE_DIR/samples/documents/dispozitie-comisie-selectionare.pdf"

# The index is updated in the same run: no reindex needed.
expect_exit 0 D search --json ancheta sociala Baicului
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "ingested document not found at once"
jq -r '.hits[0].snippet' "$WORK/last.out" | grep -q '<mark>Baicului</mark>' || fail "snippet lacks marked word"
expect_exit 0 D search "comisiei de selectionare"
expect_output_contains "dispozitie-comisie-selectionare"

# Permissions from users.
expect_exit 0 D user add ana --departments DGASPC
expect_exit 0 D user add ion --departments Juridic --restricted
expect_exit 0 D search --json --as ana comisie
[[ $(jq .total "$WORK/last.out") == 0 ]] || fail "ana sees a restricted document of another department"
[[ $(jq '.facets.dep | length' "$WORK/last.out") == 0 ]] || fail "facets leak a restricted document"
expect_exit 0 D search --json --as ion comisie
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "ion cannot see his department's restricted document"
expect_exit 1 D search --as nimeni ancheta
expect_output_contains "no such user"

# Malformed queries: exit 1 with the reason, never an empty answer.
expect_exit 1 D search 'ancheta AND'
expect_output_contains "malformed"
expect_exit 1 D search 'autor:popescu'
expect_output_contains "unknown field"

# A new version replaces the searchable text; the old one stays findable with --all-versions.
"$MAKE_SAMPLES" "$WORK/gen" 1 >/dev/null
expect_exit 0 D add-version 1 "$WORK/gen/doc-00001.pdf"
expect_exit 0 D search --json Baicului
[[ $(jq .total "$WORK/last.out") == 0 ]] || fail "old version still searched by default"
expect_exit 0 D search --json --all-versions Baicului
[[ $(jq '.hits[0].version' "$WORK/last.out") == 1 ]] || fail "--all-versions does not find version 1"

# The index is derived: delete it, rebuild it, same answers.
rm -rf "$DOSAR_ARCHIVE/index"
expect_exit 1 D search ancheta
expect_output_contains "reindex"
expect_exit 0 D reindex
expect_exit 0 D search --json --all-versions Baicului
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "reindex lost a version"
# Built beside, compacted, swapped in: nothing left behind.
leftovers=$(find "$DOSAR_ARCHIVE" -maxdepth 1 -name 'index.*')
[[ -z $leftovers ]] || fail "reindex left $leftovers"
# Compacting the index as it is (an archive grown by ingest): same answers.
expect_exit 0 D reindex --compact
expect_output_contains "search index compacted:"
expect_exit 0 D search --json --all-versions Baicului
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "reindex --compact lost a version"
leftovers=$(find "$DOSAR_ARCHIVE" -maxdepth 1 -name 'index.*')
[[ -z $leftovers ]] || fail "reindex --compact left $leftovers"

# Interoperable: Xapian's own tools open it; prefixes are documented in the README.
# (Debian names delve xapian-delve.)
xapian-check "$DOSAR_ARCHIVE/index" >"$WORK/xcheck.out" 2>&1 || fail "xapian-check finds the index damaged"
xapian-delve "$DOSAR_ARCHIVE/index" >"$WORK/delve.out" 2>&1 || fail "xapian-delve cannot open the index"
grep -q "number of documents = 3" "$WORK/delve.out" || fail "xapian-delve sees: $(cat "$WORK/delve.out")"
xapian-delve -t XDjuridic "$DOSAR_ARCHIVE/index" >"$WORK/delve-term.out" 2>&1 || fail "no XDjuridic department term"
# Terms are folded and lowercase; stems come from Dosar's own Romanian stemmer,
# so quest searches unstemmed words (-s none).
quest -d "$DOSAR_ARCHIVE/index" -s none -p dep:XDEP 'dep:juridic' >"$WORK/quest.out" 2>&1 || fail "quest cannot query the index"
grep -q '"title":"dispozitie-comisie-selectionare"' "$WORK/quest.out" \
  || fail "quest did not find the Juridic document by dep:juridic: $(cat "$WORK/quest.out")"

finish
