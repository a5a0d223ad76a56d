# Faults under a scaled-out archive (issue 13, "Bad input and faults"), with
# real servers: the catalogue on PostgreSQL, the blobs on s3rver, the index
# on two xapian-tcpsrv shards, `dosar worker` processes each with an archive
# directory and a spool of its own, as on separate machines.
#  1. PostgreSQL restarted while two workers derive: they say they lost the
#     connection, reconnect, and every derivation is done exactly once.
#  2. A shard stopped while documents are indexed: the error names it, the
#     index work stays queued, nothing stored is lost; once the shard is back
#     the running workers catch up and search finds the documents.
#  3. A worker on "another machine" (its own host name) killed with SIGKILL
#     mid-scan: its job stays leased until the lease runs out, then another
#     worker resumes it at the next page; each page read once.
#  4. `dosar migrate` killed mid-upload and rerun: blobs the killed run had
#     read back are not read again, the counts say so, `dosar check` passes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postgres.sh"
source "$(dirname "$0")/s3rver.sh"
source "$(dirname "$0")/shards.sh"

D() { "$DOSAR" "$@"; }

# PIDS: workers, stopped by stop_all (lib.sh).

start_postgres
start_s3rver dosar
trap stop_all EXIT
CATALOG=$(new_database dosar_faults)
start_two_shards
expect_exit 0 D --catalog "$CATALOG" --index "$SHARDS" init --blobs s3://dosar/faults --s3-endpoint "$S3_ENDPOINT"

q() { psql -tA "$CATALOG" -c "$1"; }  # the queue is watched with psql: a `dosar` under ASan is slow to start
wait_for() {  # SECONDS CONDITION...: polls the condition every 0.2 s
  local tries=$(($1 * 5)); shift
  for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.2; done
  return 1
}
unfinished() { q "SELECT COUNT(*) FROM derivation_queue WHERE state IN ('queued', 'running')"; }
all_derived() { [[ $(unfinished) == 0 ]]; }
start_worker() {  # NAME [PREFIX...]: a worker in its own directory (PREFIX runs it); sets WORKER_PID
  local name=$1; shift
  mkdir -p "$WORK/$name"
  install -m 600 "$DOSAR_ARCHIVE/config.json" "$WORK/$name/config.json"
  "$@" "$DOSAR" --archive "$WORK/$name" worker --jobs 1 --poll 1 --lease 4 --languages ron >"$WORK/$name.log" 2>"$WORK/$name.err" &
  WORKER_PID=$!
  PIDS+=($WORKER_PID)
}

echo "$SECONDS s: part 1"
# --- 1. PostgreSQL restarted while two workers derive: a scan first (the
# oldest job: one worker is in OCR when the server goes), then text PDFs.
expect_exit 0 D ingest --defer --json --department DGASPC "$TEST_DATA/scans/s06.tif"
first_scan=$(jq -r .id "$WORK/last.out")
mkdir -p "$WORK/in" "$WORK/in2"
for i in 1 2 3 4 5 6; do text_pdf "$WORK/in/cerere-$i.pdf" "Cerere de ajutor social numarul $i"; done
expect_exit 0 D ingest --defer --department DGASPC "$WORK/in"
start_worker w1; W1=$WORKER_PID
start_worker w2; W2=$WORKER_PID
both_working() {  # the scan in OCR, and the other worker through at least one text PDF
  [[ $(q "SELECT state FROM derivation_queue WHERE document_id = $first_scan") == running &&
     $(q "SELECT COUNT(*) FROM derivation_queue WHERE state = 'done'") -ge 1 ]]
}
wait_for 60 both_working || fail "the two workers were not both at work: $(q 'SELECT state, worker FROM derivation_queue')"
restart_postgres || fail "the PostgreSQL server did not restart"
echo "PostgreSQL restarted with $(unfinished) derivations unfinished"
wait_for 90 all_derived || fail "derivations left after the restart: $(q 'SELECT document_id, state, error FROM derivation_queue')"
grep -q "lost the connection to the PostgreSQL server" "$WORK"/w[12].err ||
  fail "no worker said it lost the connection: $(cat "$WORK"/w[12].err | head -5)"
kill -0 "$W1" && kill -0 "$W2" || fail "a worker did not outlive the restart"
# A worker logs a change of state, not every poll: the failed try with the
# back-off before the next, then once that the archive answers again.
grep -q "; trying again in [0-9]* s$" "$WORK"/w[12].err && grep -q "the archive answers again" "$WORK"/w[12].err ||
  fail "no worker logged the failed try and the archive back: $(cat "$WORK"/w[12].err | head -5)"
D jobs --all --json >"$WORK/jobs.json"
jq -e 'length == 7 and all(.state == "done")' "$WORK/jobs.json" >/dev/null ||
  fail "not every derivation is done: $(jq -c 'map({document_id, state})' "$WORK/jobs.json")"
jq -e 'all(.pages_recognized == .pages_total)' "$WORK/jobs.json" >/dev/null ||
  fail "a page was read twice or not at all: $(jq -c 'map({document_id, pages_total, pages_recognized})' "$WORK/jobs.json")"
derives=$(q "SELECT COUNT(*), COUNT(DISTINCT document_id) FROM audit WHERE action = 'version.derive'")
[[ $derives == "7|7" ]] || fail "version.derive audit rows (all, documents): $derives, expected 7|7"
indexed() { [[ $(q 'SELECT COUNT(*) FROM index_queue') == 0 ]]; }
wait_for 20 indexed || fail "index work left after the restart: $(q 'SELECT COUNT(*) FROM index_queue')"
expect_exit 0 D search --json --limit 50 'ajutor social'
[[ $(jq .total "$WORK/last.out") == 6 ]] || fail "search finds $(jq .total "$WORK/last.out") of the 6 requests"
expect_exit 0 D search --json Biroul
[[ $(jq .total "$WORK/last.out") -ge 1 ]] || fail "the OCR text of a scan is not found"

echo "$SECONDS s: part 2"
# --- 2. One shard stopped while documents are indexed.
kill -KILL -- "-$SHARD1_PID"
wait "$SHARD1_PID" 2>/dev/null || true
for i in 1 2 3; do text_pdf "$WORK/in2/aviz-$i.pdf" "Aviz de mediu eliberat $i"; done
expect_exit 1 D ingest --defer --department Urbanism "$WORK/in2"
expect_output_contains "index shard 127.0.0.1:$P1: documents stored, but the search index was not updated"
wait_for 60 all_derived || fail "the derivations did not finish with a shard away"
shard_named() { grep -q "index shard 127.0.0.1:$P1" "$WORK"/w[12].err; }
wait_for 20 shard_named || fail "no worker named the stopped shard: $(grep -h 'dosar:' "$WORK"/w[12].err | tail -3)"
[[ $(q 'SELECT COUNT(*) FROM index_queue') -ge 3 ]] || fail "the index work of the new documents was not kept"
[[ $(D list --json | jq 'map(select(.department == "Urbanism")) | length') == 3 ]] ||
  fail "documents stored while a shard was away are not listed"
expect_exit 1 D search --json Aviz
expect_output_contains "127.0.0.1:$P1"
start_shard "$WORK/shard1" "$P1"
wait_for 30 indexed || fail "the workers did not catch up once the shard was back: $(q 'SELECT COUNT(*) FROM index_queue')"
expect_exit 0 D search --json 'aviz mediu'
[[ $(jq .total "$WORK/last.out") == 3 ]] || fail "search finds $(jq .total "$WORK/last.out") of the 3 documents indexed late"
for w in "$W1" "$W2"; do kill -TERM "$w"; wait "$w" || fail "a worker stopped by SIGTERM exited $?"; done

echo "$SECONDS s: part 3"
# --- 3. A worker on another machine killed mid-scan. Its own host name
# (a UTS namespace), so that no worker here takes it for one of its own
# dead processes: only the lease running out frees its job.
expect_exit 0 D ingest --defer --json --department DGASPC "$TEST_DATA/scans/s09.pdf"
scan=$(jq -r .id "$WORK/last.out")
start_worker w3 unshare --uts sh -c 'hostname masina-b && exec "$@"' sh
W3=$WORKER_PID
row() { q "SELECT state, pages_done, worker FROM derivation_queue WHERE document_id = $scan"; }
first_page_recorded() { [[ $(row) =~ ^running\|1\|$W3@masina-b ]]; }
wait_for 60 first_page_recorded || fail "the worker on masina-b did not record the scan's first page: $(row)"
kill -KILL "$W3"
wait "$W3" 2>/dev/null || true
killed_at=$(date +%s.%N)
start_worker w4; W4=$WORKER_PID
[[ $(row) =~ ^running\|1\|$W3@masina-b ]] || fail "the dead worker's job was not left leased: $(row)"
taken() { [[ $(row) == *"|$W4@"* || $(row) == done* ]]; }
wait_for 30 taken || fail "no worker took the job over: $(row)"
took=$(echo "$(date +%s.%N) - $killed_at" | bc)
echo "taken over $took s after the kill (lease 4 s)"
(($(echo "$took >= 1" | bc))) || fail "the job was taken over after $took s, before its lease could run out"
scan_done() { [[ $(row) == done* ]]; }
wait_for 60 scan_done || fail "the scan was not finished: $(row)"
D jobs --all --json | jq --argjson id "$scan" '.[] | select(.document_id == $id)' >"$WORK/scan.json"
[[ $(jq -c '[.pages_total, .pages_recognized]' "$WORK/scan.json") == "[2,2]" ]] ||
  fail "each page of the scan should be read once: $(jq -c . "$WORK/scan.json")"
detail=$(D audit "$scan" --json | jq -c '[.[] | select(.action == "version.derive")] | last | .detail')
[[ $(jq '.pages_resumed' <<<"$detail") == 1 && $(jq '.pages_read' <<<"$detail") == 1 ]] ||
  fail "the scan was not resumed at its second page: $detail"
[[ -s $WORK/w3/spool/pages/$scan-1/1.pdf ]] || fail "the killed worker's spool lacks page 1"
[[ ! -e $WORK/w4/spool/pages/$scan-1/1.pdf ]] || fail "the new worker read page 1 again"
expect_exit 0 D audit verify
expect_exit 0 D check

echo "$SECONDS s: part 4"
# --- 4. `dosar migrate` killed mid-upload, then rerun.
export DOSAR_ARCHIVE=$WORK/embedded
MIGRATED=$(new_database dosar_migrated)
"$MAKE_SAMPLES" "$WORK/gen" 100 >/dev/null  # two blobs each: batches of 64 (blob_migration.cpp)
expect_exit 0 D init
expect_exit 0 D ingest --department Registratura --type raspuns "$WORK/gen"
total_blobs=$(find "$DOSAR_ARCHIVE/blobs" -type f | wc -l)
recorded() { q_m "SELECT COUNT(*) FROM dosar_migration WHERE item LIKE 'blob:%'" 2>/dev/null; }
q_m() { psql -tA "$MIGRATED" -c "$1"; }
one_batch_verified() { [[ $(recorded) -gt 0 ]]; }
"$DOSAR" migrate --to-catalog "$MIGRATED" --to-blobs s3://dosar/migrated --s3-endpoint "$S3_ENDPOINT" >"$WORK/killed.out" 2>&1 &
migrating=$!
for _ in $(seq 3000); do one_batch_verified && break; sleep 0.02; done  # kill it early in the second batch
kill -KILL "$migrating" 2>/dev/null || true
wait "$migrating" 2>/dev/null || true
# ("$DOSAR" itself in the background, not the function D: killing the
# subshell that runs a function leaves its dosar running.) A COMMIT the server
# had received before the kill still completes after it: count only once the
# killed client's sessions are gone from the server.
others() { q_m "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()"; }
for _ in $(seq 500); do [[ $(others) == 0 ]] && break; sleep 0.02; done
[[ $(others) == 0 ]] || fail "the killed migration's sessions are still open on the server after 10 s"
verified=$(recorded)
echo "migration killed with $verified of $total_blobs blobs verified at the destination"
((verified > 0)) || fail "the migration verified no blob: $(cat "$WORK/killed.out")"
((verified < total_blobs)) || fail "the migration finished before it was killed: nothing to resume"
expect_exit 0 D migrate --json --to-catalog "$MIGRATED" --to-blobs s3://dosar/migrated --s3-endpoint "$S3_ENDPOINT"
jq -e --argjson n "$total_blobs" --argjson v "$verified" \
  '.blobs.blobs == $n and .blobs.verified_before == $v and .blobs.already_there >= $v and
   .blobs.copied + .blobs.already_there == $n' "$WORK/last.out" >/dev/null ||
  fail "the rerun's counts: $(jq -c .blobs "$WORK/last.out"), expected $verified of $total_blobs not read again"
[[ $(recorded) == "$total_blobs" ]] || fail "$(recorded) of $total_blobs blobs recorded as verified"
expect_exit 0 D check
expect_output_contains "archive ok"
echo "$SECONDS s: done"
finish
