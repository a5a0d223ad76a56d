# Scale-out through the real binaries (issue 13 item 2): one catalogue on a
# real PostgreSQL, the blobs in a real S3 server (s3rver), the index on two
# xapian-tcpsrv shards. Two `dosar serve` register entries through the HTTP
# API at once while three `dosar worker` processes — each with an archive
# directory, a spool and a config.json of its own, as on three machines —
# take the deferred OCR of a few scanned pages; the worker reading the
# two-page scan is killed with SIGKILL after its first page is recorded.
# Checked: every derivation done, every page recognized exactly once (the
# page in hand of the killed worker was never recorded), the two-page scan
# finished by another worker from the page recorded in the catalogue (its
# spool never saw it) with both pages in its searchable PDF; registry
# numbers gapless; the OCR text found on the shards; a worker stopped by
# SIGTERM exits 0. Then a few hundred small generated scans, each derived
# once by one of three new workers and found through either server. One
# audit chain; `dosar check` clean.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postgres.sh"
source "$(dirname "$0")/s3rver.sh"
source "$(dirname "$0")/shards.sh"

D() { "$DOSAR" "$@"; }

# PIDS: servers and workers, stopped by stop_all (lib.sh).

start_postgres
start_s3rver dosar
trap stop_all EXIT
CATALOG=$(new_database dosar_scale)

start_two_shards

# One archive made by init; every other process (each "machine") gets a
# directory of its own holding a copy of its config.json.
expect_exit 0 D --catalog "$CATALOG" --index "$SHARDS" init --blobs s3://dosar/scale --s3-endpoint "$S3_ENDPOINT"
machine() {  # NAME: an archive directory for another machine; prints it
  mkdir -p "$WORK/$1"
  install -m 600 "$DOSAR_ARCHIVE/config.json" "$WORK/$1/config.json"
  echo "$WORK/$1"
}
export DOSAR_TEST_PASSWORD=parola-de-test-1
expect_exit 0 D user add clerk --all-departments --password-env DOSAR_TEST_PASSWORD

# A batch of scanned pages, stored at once and queued: a two-page scan
# first (the oldest job), then two one-page scans.
expect_exit 0 D ingest --defer --json --department Registratură "$TEST_DATA/scans/s09.pdf"
scan=$(jq -r .id "$WORK/last.out")
expect_exit 0 D ingest --defer --department Registratură "$TEST_DATA/scans/s04.tif" "$TEST_DATA/scans/s06.tif"
[[ $(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM derivation_queue WHERE state = 'queued'") == 3 ]] ||
  fail "three derivations should wait"
[[ $scan =~ ^[0-9]+$ ]] || { fail "the two-page scan was not stored: $(cat "$WORK/last.out")"; finish; }

# Three workers, one per machine; a short lease so that a dead one's work
# is taken over quickly.
start_worker() {  # NAME [JOBS]: sets WORKER_PID
  local dir
  dir=$(machine "$1")
  "$DOSAR" --archive "$dir" worker --jobs "${2:-1}" --poll 1 --lease 6 --languages ron >"$WORK/$1.log" 2>"$WORK/$1.err" &
  WORKER_PID=$!
  PIDS+=($WORKER_PID)
}
start_worker w1; W1=$WORKER_PID
start_worker w2; W2=$WORKER_PID
start_worker w3; W3=$WORKER_PID

# Two web servers, each on its own machine, deriving nothing themselves;
# started while the workers read.
start_server() {  # NAME: sets SERVE_PORT
  local dir
  dir=$(machine "$1")
  SERVE_PORT=$(free_port)
  "$DOSAR" --archive "$dir" serve --listen "127.0.0.1:$SERVE_PORT" --no-derivations >/dev/null 2>"$WORK/$1.err" &
  PIDS+=($!)
}
start_server web1; WEB1=$SERVE_PORT
start_server web2; WEB2=$SERVE_PORT
for port in "$WEB1" "$WEB2"; do
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/" >/dev/null && break
    sleep 0.1
  done
done

# Meanwhile both servers register entries through the HTTP API.
register_through() {  # PORT TAG COUNT: signs in, registers COUNT entries
  local port=$1 tag=$2 jar="$WORK/cookies-$2" csrf
  csrf=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"clerk\",\"password\":\"$DOSAR_TEST_PASSWORD\"}" \
    "http://127.0.0.1:$port/api/v1/session" | jq -r .csrf_token)
  for i in $(seq 1 "$3"); do
    curl -s -o /dev/null -w '%{http_code}\n' -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
      -d "{\"register\":\"intrare\",\"kind\":\"petitie\",\"sender\":\"Cetățean $tag-$i\",\"subject\":\"cerere $tag-$i\"}" \
      "http://127.0.0.1:$port/api/v1/registry" >>"$WORK/registered-$tag"
  done
}
register_through "$WEB1" a 12 &
REG_A=$!
register_through "$WEB2" b 12 &
REG_B=$!

# The worker that holds the two-page scan is killed once its first page is
# recorded: it is reading the second (or about to). The queue is watched
# with psql: a `dosar` under ASan every 0.2 s would take the workers' CPU.
queue_row() { psql -tA -F ' ' "$CATALOG" -c "SELECT state, pages_done, worker FROM derivation_queue WHERE document_id = $scan"; }
victim= job=
for _ in $(seq 1 1200); do
  read -r state done_pages worker <<<"$(queue_row)" || true
  job="$state $done_pages $worker"
  if [[ $state == running && $done_pages -ge 1 ]]; then
    victim=${worker%%@*}
    break
  fi
  [[ $state == done ]] && break
  sleep 0.2
done
[[ $victim =~ ^($W1|$W2|$W3)$ ]] || { fail "no worker of ours recorded a page of the scan in 240 s: $job"; finish; }
victim_name=w1
[[ $victim == "$W2" ]] && victim_name=w2
[[ $victim == "$W3" ]] && victim_name=w3
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true  # reaped: the others see that it is gone
read -r state done_pages worker <<<"$(queue_row)"
[[ $done_pages -lt 2 ]] || fail "the scan was finished before its worker was killed"
echo "killed worker $victim after its first page"

# Every derivation done, by the two workers left.
for _ in $(seq 1 1200); do
  [[ $(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM derivation_queue WHERE state IN ('queued', 'running')") == 0 ]] &&
    break
  sleep 0.2
done
D jobs --all --json >"$WORK/jobs.json"
[[ $(jq 'length == 3 and all(.state == "done")' "$WORK/jobs.json") == true ]] ||
  fail "not every derivation is done: $(jq -c . "$WORK/jobs.json")"
# Each page recognized exactly once: the page in hand of the killed worker
# was never recorded, every page recorded was taken over as it was.
jq -e 'all(.pages_recognized == .pages_total)' "$WORK/jobs.json" >/dev/null ||
  fail "a page was recognized twice or not at all: $(jq -c 'map({document_id, pages_total, pages_recognized, attempts})' "$WORK/jobs.json")"
[[ $(jq --argjson id "$scan" '.[] | select(.document_id == $id) | .pages_total' "$WORK/jobs.json") == 2 ]] ||
  fail "the scan should have 2 pages"
detail=$(D audit "$scan" --json | jq -c '[.[] | select(.action == "version.derive")] | last | .detail')
[[ $(jq '.pages_resumed' <<<"$detail") == 1 && $(jq '.pages_read' <<<"$detail") == 1 ]] ||
  fail "the scan was not resumed at its second page from the catalogue: $detail"
[[ $(psql -tA "$CATALOG" -c 'SELECT COUNT(*) FROM derivation_pages') == 0 ]] || fail "page rows left behind"
# The killed worker read page 1 into its own spool; another logged the scan done.
[[ -s $WORK/$victim_name/spool/pages/$scan-1/1.pdf ]] || fail "the killed worker's spool lacks page 1"
grep -q "^$scan	1	done" "$WORK/$victim_name.log" && fail "the killed worker logged the scan done"
grep -q "^$scan	1	done" "$WORK"/w?.log || fail "no worker logged the scan done"
# The searchable PDF has both pages: the first from the catalogue's copy.
expect_exit 0 D export "$scan" --what pdf -o "$WORK/scan.pdf"
[[ $(pdfinfo "$WORK/scan.pdf" | awk '/^Pages:/ {print $2}') == 2 ]] || fail "the scan's searchable PDF lacks a page"
pdftotext -f 1 -l 1 "$WORK/scan.pdf" - | grep -qi 'sociale\|Cluj' ||
  fail "page 1 of the searchable PDF has no text layer"

# The registrations: all answered 201, numbers 1..24 with no gap.
wait "$REG_A" "$REG_B"
[[ $(sort -u "$WORK"/registered-* | tr '\n' ' ') == "201 " ]] ||
  fail "registrations answered $(sort "$WORK"/registered-* | uniq -c | tr '\n' ' ')"
D registry list --register intrare --json | jq -r '.[].seq' | sort -n >"$WORK/seqs"
seq 1 24 | cmp -s - "$WORK/seqs" || fail "registry numbers are not 1..24: $(tr '\n' ' ' <"$WORK/seqs")"

# The OCR text is found on the shards, from any machine.
for word in Antidrog Biroul plasament; do
  expect_exit 0 D --archive "$WORK/web1" search --json "$word"
  [[ $(jq .total "$WORK/last.out") -ge 1 ]] || fail "search on the shards does not find '$word'"
done
n0=$(xapian-delve "$WORK/shard0" 2>&1 | sed -n 's/^number of documents = //p')
n1=$(xapian-delve "$WORK/shard1" 2>&1 | sed -n 's/^number of documents = //p')
((n0 + n1 == 3 && n0 >= 1 && n1 >= 1)) || fail "the shards hold $n0 and $n1 versions, expected 3 over both"

# The workers left, stopped by SIGTERM, exit 0 and say so.
for w in "$W1" "$W2" "$W3"; do
  [[ $w == "$victim" ]] && continue
  kill -TERM "$w"
  set +e
  wait "$w"
  status=$?
  set -e
  [[ $status == 0 ]] || fail "a worker stopped by SIGTERM exited $status"
done
grep -q "worker stopped" "$WORK"/w?.err || fail "the stopped workers did not say so"

# A few hundred scans (must-have 4): generated pages, the first line of
# each ("Document 1, pagina N") rendered at 300 dpi as a small grey PNG
# (small, so that their OCR stays short), stored at once and derived by
# three new workers of two jobs each while both servers run.
SCANS=200
batch_started=$SECONDS
"$MAKE_SAMPLES" "$WORK/gen" 1 0 $SCANS >/dev/null
mkdir "$WORK/scans"
pdftoppm -r 300 -x 150 -y 165 -W 700 -H 62 -gray -png "$WORK/gen/doc-00001.pdf" "$WORK/scans/p"
before=$(psql -tA "$CATALOG" -c 'SELECT COALESCE(MAX(id), 0) FROM documents')
start_worker w4 2
start_worker w5 2
start_worker w6 2
expect_exit 0 D ingest --defer --department Registratură "$WORK"/scans/p-*.png
batch_left() { psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM derivation_queue WHERE document_id > $before AND state IN ('queued', 'running')"; }
for _ in $(seq 1 1500); do
  [[ $(batch_left) == 0 ]] && break
  sleep 0.2
done
echo "$SCANS scans made, stored and derived by three workers in $((SECONDS - batch_started)) s"
# Each derivation claimed once (no lease ran out, so no second claim), its
# one page recognized once, one derive audit row and one "done" line in the
# logs of all workers for each.
[[ $(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM derivation_queue WHERE document_id > $before AND state = 'done' AND attempts = 1 AND pages_total = 1 AND pages_recognized = 1") == "$SCANS" ]] ||
  fail "not every scan was claimed and recognized once: $(psql -tA "$CATALOG" -c "SELECT state, attempts, pages_total, pages_recognized, COUNT(*) FROM derivation_queue WHERE document_id > $before GROUP BY 1, 2, 3, 4")"
[[ $(psql -tA "$CATALOG" -c "SELECT COUNT(*) = $SCANS AND COUNT(DISTINCT document_id) = $SCANS FROM audit WHERE action = 'version.derive' AND document_id > $before") == t ]] ||
  fail "not one version.derive audit row per scan"
cat "$WORK"/w?.log | awk -F'\t' -v b="$before" '$3 == "done" && $1 > b { print $1 }' | sort -n >"$WORK/batch-done"
seq $((before + 1)) $((before + SCANS)) | cmp -s - "$WORK/batch-done" ||
  fail "the workers' logs do not show each scan done once: $(uniq -d "$WORK/batch-done" | head -3 | tr '\n' ' ')"
for w in w4 w5 w6; do
  awk -F'\t' -v b="$before" '$3 == "done" && $1 > b' "$WORK/$w.log" | grep -q . || fail "worker $w derived none of the scans"
done
# Every scan is found by a word of its OCR text through either server.
found_through() {  # PORT JAR: prints the ids of the scans a search for "pagina" finds, in order
  local offset
  for offset in $(seq 0 100 $((SCANS + 100))); do
    curl -s -b "$2" "http://127.0.0.1:$1/api/v1/search?q=pagina&limit=100&offset=$offset" | jq -r '.hits[].id'
  done | awk -v b="$before" '$1 > b' | sort -n
}
for server in "$WEB1 $WORK/cookies-a" "$WEB2 $WORK/cookies-b"; do
  read -r port jar <<<"$server"
  for _ in $(seq 1 50); do
    found_through "$port" "$jar" >"$WORK/found"
    seq $((before + 1)) $((before + SCANS)) | cmp -s - "$WORK/found" && break
    sleep 0.2
  done
  seq $((before + 1)) $((before + SCANS)) | cmp -s - "$WORK/found" ||
    fail "the server on port $port finds $(wc -l <"$WORK/found") of the $SCANS scans by their text"
done

# One audit chain under concurrent writers; the archive checks clean.
expect_exit 0 D audit verify
expect_exit 0 D check
grep -h 'dosar:' "$WORK"/w?.err "$WORK"/web?.err | grep -v 'worker stopped' | head -5 >&2 || true
finish
