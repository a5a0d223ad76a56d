#!/usr/bin/env bash
# Scale-out benchmark (issue 13), side by side in one run on this machine:
#  1. the embedded backends (SQLite, file blobs, local Xapian) against
#     PostgreSQL + S3 (s3rver on loopback) + 2 xapian-tcpsrv shards, on N
#     generated PDFs: storing (`ingest --defer --no-ocr`), text extraction and
#     indexing (`jobs run --no-ocr`), and search latency through `dosar serve`
#     (Q sequential HTTP searches; curl's time_total, p50/p99);
#  2. OCR of the scanned corpus (tests/data/scans, copies made unique) with
#     one and with two `dosar worker --jobs 1` processes on the same queue;
#  3. search latency over 1, 2 and 4 shards against a local index
#     (`dosar-search-bench --shards 1,2,4`), unless --no-shards.
#
# usage: bench/scale_out_bench.sh [--docs N] [--queries Q] [--scan-copies C] [--build DIR] [--no-shards]
#   --docs N         generated documents (default 100000)
#   --queries Q      searches per setup (default 500)
#   --scan-copies C  copies of the 12 corpus pages for the OCR part (default 2)
#   --build DIR      Release build directory (default build/release; built if missing)
#   --no-shards      skip part 3
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOCS=100000 QUERIES=500 SCAN_COPIES=2 BUILD=$ROOT/build/release SHARDS_PART=1
usage() { sed -n '14,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "scale_out_bench: $*" >&2; exit 1; }
while (($#)); do
  case $1 in
    --docs) DOCS=${2:?}; shift 2 ;;
    --queries) QUERIES=${2:?}; shift 2 ;;
    --scan-copies) SCAN_COPIES=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --no-shards) SHARDS_PART=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "scale_out_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $DOCS =~ ^[1-9][0-9]*$ && $QUERIES =~ ^[1-9][0-9]*$ && $SCAN_COPIES =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
for tool in jq curl psql xapian-tcpsrv python3; do command -v $tool >/dev/null || die "$tool is required"; done
NEEDED=(dosar tests/dosar-make-samples)
((SHARDS_PART)) && NEEDED+=(bench/dosar-search-bench)
for binary in "${NEEDED[@]}"; do
  [[ -x $BUILD/$binary ]] && continue
  [[ $BUILD == "$ROOT/build/release" ]] || die "$BUILD/$binary is missing"
  cmake --preset release -DDOSAR_TESTS=ON >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target dosar dosar-make-samples dosar-search-bench >/dev/null
done
DOSAR=$BUILD/dosar

WORK=$ROOT/bench/work/scale_out
rm -rf "$WORK"
mkdir -p "$WORK"
SOURCE_DIR=$ROOT
source "$ROOT/tests/e2e/postgres.sh"
source "$ROOT/tests/e2e/s3rver.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
source "$ROOT/tests/e2e/shards.sh"
stop_all() {
  stop_shards
  [[ -n ${SERVER:-} ]] && kill "$SERVER" 2>/dev/null
  stop_s3rver
  stop_postgres
}
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
percentile() {  # P FILE (one number a line)
  sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }'
}

start_postgres
start_s3rver dosar
trap stop_all EXIT
CATALOG=$(new_database dosar_bench)
start_shard "$WORK/shard0"; P0=$SHARD_PORT
start_shard "$WORK/shard1"; P1=$SHARD_PORT
SCALED=(--catalog "$CATALOG" --blobs s3://dosar/bench --s3-endpoint "$S3_ENDPOINT"
        --index "xapian-tcp://127.0.0.1:$P0,127.0.0.1:$P1")

echo "generating $DOCS PDFs" >&2
"$BUILD/tests/dosar-make-samples" "$WORK/pdfs" "$DOCS" 0 1 >/dev/null
find "$WORK/pdfs" -type f -exec cat {} + >/dev/null  # into the page cache; too many for one command line
export DOSAR_BENCH_PASSWORD=parola-de-bench-1

cat >"$WORK/queries.txt" <<'Q'
ancheta sociala
copiilor
hotarare consiliul local
beneficiarului
directia asistenta
"consiliul local"
locuinta familie
ingrijire varstnici
aprobare semnatura
termen raspuns
primaria sectorului
ancheta OR hotarare
ingrijire -varstnici
dezvolt*
Q
urlencode() { jq -rn --arg q "$1" '$q | @uri'; }
mapfile -t QUERY_LIST <"$WORK/queries.txt"

declare -A STORE_S INDEX_S P50 P99
for setup in embedded scaled; do
  archive=$WORK/archive-$setup
  options=()
  [[ $setup == scaled ]] && options=("${SCALED[@]}")
  "$DOSAR" --archive "$archive" "${options[@]}" init >/dev/null
  "$DOSAR" --archive "$archive" user add bench --all-departments --password-env DOSAR_BENCH_PASSWORD >/dev/null
  sync
  t0=$(now)
  "$DOSAR" --archive "$archive" ingest --defer --no-ocr --department "Asistență socială" "$WORK/pdfs" \
    >"$WORK/ingest-$setup.log" 2>&1 || { tail "$WORK/ingest-$setup.log" >&2; die "$setup: ingest failed"; }
  STORE_S[$setup]=$(seconds_since "$t0")
  t0=$(now)
  "$DOSAR" --archive "$archive" jobs run --no-ocr >"$WORK/jobs-$setup.log" 2>&1 ||
    { tail "$WORK/jobs-$setup.log" >&2; die "$setup: jobs run failed"; }
  INDEX_S[$setup]=$(seconds_since "$t0")
  docs=$("$DOSAR" --archive "$archive" list --json | jq length)
  ((docs == DOCS)) || die "$setup: $docs documents stored, expected $DOCS"
  echo "$setup: stored in ${STORE_S[$setup]} s, derived and indexed in ${INDEX_S[$setup]} s" >&2

  port=$(free_port)
  "$DOSAR" --archive "$archive" serve --listen "127.0.0.1:$port" --threads 4 --no-ocr 2>"$WORK/serve-$setup.err" &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$DOSAR_BENCH_PASSWORD\"}" "http://127.0.0.1:$port/api/v1/session" |
    sed -n 's/^Set-Cookie: \(dosar_session=[0-9a-f]*\).*/\1/p')
  [[ -n $cookie ]] || die "$setup: could not sign in"
  : >"$WORK/latency-$setup.txt"
  for ((i = 0; i < QUERIES; ++i)); do
    q=$(urlencode "${QUERY_LIST[i % ${#QUERY_LIST[@]}]}")
    curl -s -o "$WORK/last.json" -w '%{time_total}\n' -H "Cookie: $cookie" \
      "http://127.0.0.1:$port/api/v1/search?q=$q" >>"$WORK/latency-$setup.txt"
    jq -e .total "$WORK/last.json" >/dev/null || die "$setup: search failed: $(head -c 300 "$WORK/last.json")"
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  P50[$setup]=$(percentile 50 "$WORK/latency-$setup.txt")
  P99[$setup]=$(percentile 99 "$WORK/latency-$setup.txt")
done

# 2. OCR with one and two deriving processes, on the embedded archive (the
# catalogue is not the bottleneck of OCR) and on fresh copies of the scans.
declare -A OCR_S
n=0
mkdir -p "$WORK/scans"
for ((c = 1; c <= SCAN_COPIES; ++c)); do
  for f in "$ROOT"/tests/data/scans/s*.{jpg,tif,png,pdf}; do
    [[ -f $f ]] || continue
    n=$((n + 1))
    cp "$f" "$WORK/scans/$n-$(basename "$f")"
    printf '\n%% dosar-bench copy %s' "$c" >>"$WORK/scans/$n-$(basename "$f")"
  done
done
for workers in 1 2; do
  archive=$WORK/ocr-$workers
  "$DOSAR" --archive "$archive" init >/dev/null
  "$DOSAR" --archive "$archive" ingest --defer "$WORK/scans" >/dev/null 2>&1
  # `dosar worker --jobs 1` claims one derivation at a time (`jobs run`
  # would claim a batch and leave the other process idle); stopped once the
  # queue is empty.
  t0=$(now)
  pids=()
  for ((w = 0; w < workers; ++w)); do
    "$DOSAR" --archive "$archive" worker --jobs 1 --poll 1 >"$WORK/ocr-$workers-$w.log" 2>&1 &
    pids+=($!)
  done
  while (($("$DOSAR" --archive "$archive" jobs --json | jq length) > 0)); do sleep 0.5; done
  OCR_S[$workers]=$(seconds_since "$t0")
  kill -TERM "${pids[@]}"
  for pid in "${pids[@]}"; do wait "$pid" || die "a worker of the run with $workers failed"; done
  failed=$("$DOSAR" --archive "$archive" jobs --all --json | jq '[.[] | select(.state != "done")] | length')
  ((failed == 0)) || die "$failed derivations not done with $workers workers"
  PAGES=$("$DOSAR" --archive "$archive" jobs --all --json | jq '[.[].pages_total] | add')
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "scale-out benchmark: $DOCS documents, $QUERIES searches per setup, $(nproc) cores, load $load"
  echo "| backends | store s | docs/s | derive+index s | docs/s | search p50 ms | p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for setup in embedded scaled; do
    name=$([[ $setup == embedded ]] && echo "SQLite + files + local Xapian" || echo "PostgreSQL + S3 + 2 shards")
    awk -v n="$name" -v d="$DOCS" -v s="${STORE_S[$setup]}" -v i="${INDEX_S[$setup]}" -v p="${P50[$setup]}" -v q="${P99[$setup]}" \
      'BEGIN { printf "| %s | %.1f | %.0f | %.1f | %.0f | %s | %s |\n", n, s, d / s, i, d / i, p, q }'
  done
  awk -v a="${STORE_S[embedded]}" -v b="${STORE_S[scaled]}" -v c="${INDEX_S[embedded]}" -v d="${INDEX_S[scaled]}" \
    -v p="${P50[embedded]}" -v q="${P50[scaled]}" -v r="${P99[embedded]}" -v s="${P99[scaled]}" \
    'BEGIN { printf "ratios scaled/embedded: store throughput %.2f, derive+index throughput %.2f, search p50 %.2f, p99 %.2f\n", a / b, c / d, q / p, s / r }'
  echo
  echo "OCR of $PAGES scanned pages ($SCAN_COPIES copies of the corpus):"
  for workers in 1 2; do
    awk -v w="$workers" -v s="${OCR_S[$workers]}" -v p="$PAGES" \
      'BEGIN { printf "| %d worker(s), --jobs 1 each | %.1f s | %.1f pages/min |\n", w, s, p * 60 / s }'
  done
  awk -v a="${OCR_S[1]}" -v b="${OCR_S[2]}" 'BEGIN { printf "speed-up of 2 over 1: %.2f\n", a / b }'
} | tee "$WORK/report.txt"

if ((SHARDS_PART)); then
  echo
  "$BUILD/bench/dosar-search-bench" --docs "$DOCS" --queries "$QUERIES" --work "$WORK/shards" --shards 1,2,4 |
    tee -a "$WORK/report.txt"
fi
