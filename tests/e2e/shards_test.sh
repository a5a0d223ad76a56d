# The search index on two remote Xapian shards served by xapian-tcpsrv
# (issue 13): init, ingest, reindex and search through `--index
# xapian-tcp://…` answer as a local index does, the archive remembers the
# locator, each shard is an ordinary Xapian database that xapian-delve and
# quest read, and a shard that goes away fails the search naming it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/shards.sh"

D() { "$DOSAR" "$@"; }
trap 'stop_shards; rm -rf "$WORK"' EXIT
start_two_shards

# A bad locator is a usage error naming what is wrong.
expect_exit 2 D --index "xapian-tcp://127.0.0.1" search ancheta
expect_output_contains "no :PORT"

"$MAKE_SAMPLES" "$WORK/gen" 12 >/dev/null
cp "$SOURCE_DIR/samples/documents/cerere-ancheta-sociala.pdf" "$SOURCE_DIR/samples/documents/dispozitie-comisie-selectionare.pdf" "$WORK/gen/"

# The same documents into a sharded archive and into a local one.
LOCAL="$WORK/local"
expect_exit 0 D --index "$SHARDS" init
expect_output_contains "search index: $SHARDS"
jq -e --arg s "$SHARDS" '.index == $s' "$DOSAR_ARCHIVE/config.json" >/dev/null || fail "config.json does not keep the index"
expect_exit 0 D --index "$SHARDS" ingest --department DGASPC --type cerere "$WORK/gen"
expect_exit 0 D --archive "$LOCAL" init
expect_exit 0 D --archive "$LOCAL" ingest --department DGASPC --type cerere "$WORK/gen"

# sorted_hits ARCHIVE_ARGS… -- QUERY: total and hit titles, sorted (ties may order differently).
same_answers() {
  local query=$1
  expect_exit 0 D --index "$SHARDS" search --json --limit 50 "$query"
  jq -c '{total, titles: [.hits[].title] | sort, facets}' "$WORK/last.out" >"$WORK/sharded.json"
  expect_exit 0 D --archive "$LOCAL" search --json --limit 50 "$query"
  jq -c '{total, titles: [.hits[].title] | sort, facets}' "$WORK/last.out" >"$WORK/local.json"
  cmp -s "$WORK/sharded.json" "$WORK/local.json" ||
    fail "'$query': shards answer $(cat "$WORK/sharded.json"), the local index $(cat "$WORK/local.json")"
}
for query in "ancheta sociala" "hotarare consiliul local" '"document 7"' "varstnici" "comisiei de selectionare"; do
  same_answers "$query"
done
expect_exit 0 D --index "$SHARDS" search --json '"document 7"'
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "the phrase \"document 7\" finds $(jq .total "$WORK/last.out") documents"
expect_exit 0 D --index "$SHARDS" search --json ancheta sociala Baicului
jq -r '.hits[0].snippet' "$WORK/last.out" | grep -q '<mark>Baicului</mark>' || fail "no snippet from a shard"

# Without --index the archive's config.json names the shards.
expect_exit 0 D search --json '"document 7"'
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "search without --index does not use config.json's shards"

# Each shard is an ordinary Xapian database: documents by id modulo 2.
count_on() { xapian-delve "$1" 2>&1 | sed -n 's/^number of documents = //p'; }
n0=$(count_on "$WORK/shard0"); n1=$(count_on "$WORK/shard1")
[[ $n0 == 7 && $n1 == 7 ]] || fail "shards hold $n0 and $n1 versions, expected 7 and 7 (ids modulo 2)"
xapian-delve -t XID2 "$WORK/shard0" >/dev/null 2>&1 || fail "document 2 is not on shard 0"
xapian-delve -t XID3 "$WORK/shard1" >/dev/null 2>&1 || fail "document 3 is not on shard 1"
quest -d "$WORK/shard1" -s none -p fisier:XFN 'fisier:cerere' >"$WORK/quest.out" 2>&1 || fail "quest cannot query shard 1"
quest -d "$WORK/shard0" -s none -p fisier:XFN 'fisier:cerere' >>"$WORK/quest.out" 2>&1 || fail "quest cannot query shard 0"
grep -q '"title":"cerere-ancheta-sociala"' "$WORK/quest.out" || fail "quest does not find the request on its shard: $(cat "$WORK/quest.out")"

# reindex rebuilds the shards in place: same answers, nothing twice.
expect_exit 0 D reindex
n0=$(count_on "$WORK/shard0"); n1=$(count_on "$WORK/shard1")
[[ $n0 == 7 && $n1 == 7 ]] || fail "after reindex the shards hold $n0 and $n1 versions"
for query in "ancheta sociala" "varstnici"; do same_answers "$query"; done

# A shard that goes away: the search fails naming it, never half an answer.
kill -KILL -- "-${SHARD_PIDS[1]}"
wait "${SHARD_PIDS[1]}" 2>/dev/null || true
expect_exit 1 D search varstnici
expect_output_contains "index shard 127.0.0.1:$P1"
expect_output_contains "cannot be reached"
# Ingest stores the document and keeps its index work queued for when the shard is back.
"$MAKE_SAMPLES" "$WORK/late" 1 64 >/dev/null
expect_exit 1 D ingest --department DGASPC --title "Dosar tardiv" "$WORK/late/doc-00001.pdf"
expect_output_contains "index shard 127.0.0.1:$P1"
expect_output_contains "documents stored"
setsid xapian-tcpsrv --quiet --writable --interface 127.0.0.1 --port "$P1" "$WORK/shard1" &
SHARD_PIDS+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$P1") 2>/dev/null && break; sleep 0.1; done
expect_exit 0 D reindex
expect_exit 0 D search --json titlu:tardiv
[[ $(jq .total "$WORK/last.out") == 1 ]] || fail "the document stored while a shard was down is not found after reindex"

finish
