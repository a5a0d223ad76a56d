# `dosar migrate` (issue 13 item 3): an embedded archive (SQLite, local
# blobs, local index) with documents, a registry entry and an approval flow
# moves onto a real PostgreSQL, a real S3 server and two xapian-tcpsrv
# shards; afterwards check, audit verify, list, search, show, export,
# registry and flow answers are those of before. Interrupted runs (the S3
# server down, the command killed mid-upload) resume without duplicating; a
# stored copy with other bytes, a foreign database, an unreachable server
# and a second migration each get a clear error naming the target.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postgres.sh"
source "$(dirname "$0")/s3rver.sh"
source "$(dirname "$0")/shards.sh"

D() { "$DOSAR" "$@"; }

start_postgres
start_s3rver dosar-migrate
start_two_shards
trap stop_all EXIT
CATALOG=$(new_database dosar_migrated)
BUCKET=s3://dosar-migrate/arhiva

# The embedded archive: the bundled samples (their scans not OCRed: OCR is
# not what moves, and it would take most of the suite's time), generated
# documents (more blobs than one upload batch), a registry entry and a flow.
expect_exit 0 D init
expect_exit 0 D ingest --no-ocr --department DGASPC --type cerere "$SOURCE_DIR/samples/documents"
"$MAKE_SAMPLES" "$WORK/gen" 30 >/dev/null
expect_exit 0 D ingest --department Registratură --type raspuns "$WORK/gen"
doc=$(D list --json | jq '.[] | select(.title == "cerere-ancheta-sociala") | .id')
[[ -n $doc ]] || fail "the sample request is not listed"
for u in autor sef; do expect_exit 0 D user add "$u" --departments DGASPC; done
expect_exit 0 D registry add --kind petitie --sender "Ion Popescu" --subject "ancheta sociala" --doc "$doc" --json
number=$(jq -r .number "$WORK/last.out")
expect_exit 0 D flow template cerere --step "verificare=sef"
expect_exit 0 D flow start "$doc" --as autor --json
flow=$(jq .id "$WORK/last.out")
expect_exit 0 D flow approve "$flow" --as sef

# What the archive answers before.
answers() {  # DIR: every answer compared after the migration
  mkdir -p "$1"
  D list --json >"$1/list.json"
  D show "$doc" --json >"$1/show.json"
  D export "$doc" -o "$1/export.pdf" >/dev/null
  D registry show "$number" --json >"$1/registry.json"
  D flow show "$flow" --json >"$1/flow.json"
  for q in "ancheta sociala" '"document 7"'; do
    D search --json --limit 100 "$q" | jq -c '{total, titles: [.hits[].title] | sort}'
  done >"$1/search.json"
}
answers "$WORK/before"
expect_exit 0 D check --quick
D audit --json >"$WORK/audit-before.json"
audit_rows=$(jq length "$WORK/audit-before.json")
blob_files=$(find "$DOSAR_ARCHIVE/blobs" -type f | sort | md5sum)
sqlite_rows() { python3 -c "import sqlite3,sys; c=sqlite3.connect('$DOSAR_ARCHIVE/catalog.sqlite'); print(*[c.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0] for t in ('documents','versions','audit','registry_entries','flows')])"; }
rows_before=$(sqlite_rows)
tables=$(python3 -c "import sqlite3; print(sqlite3.connect('$DOSAR_ARCHIVE/catalog.sqlite').execute(\"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'\").fetchone()[0])")

# Clear errors naming the target, and nothing changed.
expect_exit 2 D migrate --to-catalog "sqlite:$WORK/x.sqlite"
expect_output_contains "--to-catalog postgresql://"
expect_exit 1 D migrate --to-catalog "postgresql:///dosar_migrated?host=$WORK/no-server&port=5432&user=postgres"
expect_output_contains "cannot connect"
FOREIGN=$(new_database strain)
psql -q "$FOREIGN" -c "CREATE TABLE contabilitate (id int)"
expect_exit 1 D migrate --to-catalog "$FOREIGN"
expect_output_contains "database strain: is not empty (1 tables: contabilitate)"
[[ ! -e $DOSAR_ARCHIVE/config.json ]] || fail "a failed migration wrote config.json"

# Interrupted (1): the S3 server is down. The catalogue is copied, the blobs fail naming the endpoint.
ENDPOINT=$S3_ENDPOINT
stop_s3rver
expect_exit 1 D migrate --to-catalog "$CATALOG" --to-blobs "$BUCKET" --s3-endpoint "$ENDPOINT" --to-index "$SHARDS"
expect_output_contains "catalogue: $tables tables"
expect_output_contains "$ENDPOINT"
[[ ! -e $DOSAR_ARCHIVE/config.json ]] || fail "config.json was switched although the blobs were not copied"
copied_tables=$(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM dosar_migration WHERE item LIKE 'table:%'")
[[ $copied_tables == "$tables" ]] || fail "the catalogue copy recorded $copied_tables complete tables, expected $tables"

# Interrupted (2): killed mid-upload.
start_s3rver dosar-migrate
trap stop_all EXIT
objects() { find "$WORK/s3data/dosar-migrate" -name '*._S3rver_object' 2>/dev/null | wc -l; }
total_blobs=$(find "$DOSAR_ARCHIVE/blobs" -type f | wc -l)
"$DOSAR" migrate --to-catalog "$CATALOG" --to-blobs "$BUCKET" --s3-endpoint "$S3_ENDPOINT" --to-index "$SHARDS" \
  >"$WORK/killed.out" 2>&1 &
migrating=$!
for _ in $(seq 600); do (( $(objects) > 0 )) && break; sleep 0.02; done
kill -KILL $migrating 2>/dev/null || true
wait $migrating 2>/dev/null || true
uploaded=$(objects)
echo "killed with $uploaded of $total_blobs blobs uploaded"
(( uploaded > 0 )) || fail "no blob was uploaded before the kill"
[[ ! -e $DOSAR_ARCHIVE/config.json ]] || fail "config.json was switched by the killed run"

# A stored copy with other bytes of the right size is named, not accepted,
# unless the killed run had already read it back (those are not read again).
psql -tA "$CATALOG" -c "SELECT substr(item, 6) FROM dosar_migration WHERE item LIKE 'blob:%'" >"$WORK/verified"
victim=
for object in $(find "$WORK/s3data/dosar-migrate" -name '*._S3rver_object'); do
  id=$(basename "$object" ._S3rver_object)
  grep -qx "$id" "$WORK/verified" && continue
  local_blob=$(find "$DOSAR_ARCHIVE/blobs" -name "$id")
  [[ $(stat -c %s "$object") == $(stat -c %s "$local_blob") && $(stat -c %s "$object") -gt 0 ]] && { victim=$object; break; }
done
[[ -n $victim ]] || { fail "the killed run read back every blob it uploaded: kill it sooner"; finish; }
cp "$victim" "$WORK/victim.orig"
printf 'X' | dd of="$victim" bs=1 seek=0 conv=notrunc status=none
expect_exit 1 D migrate --to-catalog "$CATALOG" --to-blobs "$BUCKET" --s3-endpoint "$S3_ENDPOINT" --to-index "$SHARDS"
expect_output_contains "blob $id does not arrive intact"
expect_output_contains "remove that object and run migrate again"
cp "$WORK/victim.orig" "$victim"

# The rerun completes: tables and blobs already there are not copied again.
start=$(date +%s.%N)
expect_exit 0 D migrate --to-catalog "$CATALOG" --to-blobs "$BUCKET" --s3-endpoint "$S3_ENDPOINT" --to-index "$SHARDS"
echo "resumed migration: $(echo "$(date +%s.%N) - $start" | bc) s for $total_blobs blobs"
cat "$WORK/last.out"
expect_output_contains "$tables tables already copied by an interrupted run"
expect_output_contains "already there"
expect_output_contains "left untouched as a fallback"
[[ $(objects) == "$total_blobs" ]] || fail "the bucket holds $(objects) blobs, the archive $total_blobs"
jq -e --arg c "$CATALOG" --arg s "$SHARDS" --arg e "$S3_ENDPOINT" \
  '.catalog == $c and .blobs == "s3://dosar-migrate/arhiva/" and .blobs_s3.endpoint == $e and .index == $s' \
  "$DOSAR_ARCHIVE/config.json" >/dev/null || fail "config.json does not name the new backends: $(cat "$DOSAR_ARCHIVE/config.json")"
[[ $(stat -c %a "$DOSAR_ARCHIVE/config.json") == 600 ]] || fail "config.json is not 600"

# Ids, counts and sequences: no row twice, new rows continue after the highest id.
for t in documents versions audit registry_entries flows; do
  printf '%s ' "$(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM $t")"
done >"$WORK/pg-counts"
[[ $(cat "$WORK/pg-counts") == "$(echo "$rows_before" | awk '{print $1, $2, $3 + 1, $4, $5}') " ]] ||
  fail "PostgreSQL holds $(cat "$WORK/pg-counts")rows, the SQLite catalogue $rows_before (+1 audit row)"

# The same answers from PostgreSQL, S3 and the shards; the migration is the
# audit trail's one new row.
expect_exit 0 D audit verify
expect_output_contains "audit chain intact: $((audit_rows + 1)) rows"
D audit --json >"$WORK/audit-after.json"
jq -e '.[-1].action == "archive.migrate"' "$WORK/audit-after.json" >/dev/null ||
  fail "the migration's audit row is not last: $(jq -c '.[-1]' "$WORK/audit-after.json")"
expect_exit 0 D check
expect_output_contains "archive ok"
cmp -s <(jq -c ".[:$audit_rows]" "$WORK/audit-after.json") <(jq -c . "$WORK/audit-before.json") ||
  fail "the audit trail changed"
answers "$WORK/after"
for f in list.json show.json export.pdf registry.json flow.json search.json; do
  cmp -s "$WORK/before/$f" "$WORK/after/$f" || fail "$f differs after the migration: $(diff <(head -c 2000 "$WORK/before/$f") <(head -c 2000 "$WORK/after/$f") | head -5)"
done
[[ $(head -1 "$WORK/after/search.json" | jq .total) -ge 1 ]] || fail "search finds nothing after the migration"
n0=$(xapian-delve "$WORK/shard0" 2>&1 | sed -n 's/^number of documents = //p')
n1=$(xapian-delve "$WORK/shard1" 2>&1 | sed -n 's/^number of documents = //p')
(( n0 > 0 && n1 > 0 )) || fail "the shards hold $n0 and $n1 documents"

# New work continues on the new backends, after the highest ids.
max_id=$(jq 'map(.id) | max' "$WORK/before/list.json")
text_pdf "$WORK/nou.pdf" "Cerere noua dupa migrare"
expect_exit 0 D ingest --department DGASPC "$WORK/nou.pdf"
[[ $(D list --json | jq 'map(.id) | max') == $((max_id + 1)) ]] || fail "the new document's id does not follow $max_id"
expect_exit 0 D search --json '"noua dupa migrare"'
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "the new document is not found on the shards"

# The old catalogue and blobs are untouched; a second migration is refused.
[[ $(sqlite_rows) == "$rows_before" ]] || fail "the SQLite catalogue changed: $(sqlite_rows), was $rows_before"
[[ $(find "$DOSAR_ARCHIVE/blobs" -type f | sort | md5sum) == "$blob_files" ]] || fail "the local blobs changed"
expect_exit 1 D migrate --to-catalog "$CATALOG" --to-blobs "$BUCKET" --s3-endpoint "$S3_ENDPOINT"
expect_output_contains "is already migrated"

finish
