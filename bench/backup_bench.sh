#!/usr/bin/env bash
# Backup benchmark: full `dosar backup` (encrypting) of an archive's blobs to a
# loopback S3 server (s3rver), side by side in one run with `rclone copy` of
# the same blob files to the same server; then an incremental backup after a
# 1% change.
#
# usage: bench/backup_bench.sh [--mb MB] [--file-mb MB] [--jobs N] [--build DIR] [--keep]
#   --mb MB        archive size to generate, in MB of blobs (default 2000)
#   --file-mb MB   size of each generated PDF (default 1)
#   --jobs N       parallel transfers for both dosar (--jobs) and rclone (--transfers) (default 4)
#   --build DIR    build directory with dosar and tests/dosar-make-samples (default build/release)
#   --keep         keep bench/work/backup afterwards
# Environment: DOSAR and MAKE_SAMPLES override the binaries' paths.
# Exit status 0 when every run completed and the backup verified (the 0.8
# target is reported, not enforced).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=2000 FILE_MB=1 JOBS=4 BUILD=$ROOT/build/release KEEP=0 TARGET=0.8
usage() { sed -n '6,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --mb) MB=${2:?}; shift 2 ;;
    --file-mb) FILE_MB=${2:?}; shift 2 ;;
    --jobs) JOBS=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "backup_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
DOSAR=${DOSAR:-$BUILD/dosar}
MAKE_SAMPLES=${MAKE_SAMPLES:-$BUILD/tests/dosar-make-samples}
[[ -x $DOSAR && -x $MAKE_SAMPLES ]] || { echo "backup_bench: build first: cmake --build $BUILD" >&2; exit 1; }
command -v rclone >/dev/null || { echo "backup_bench: rclone missing: scripts/install-deps.sh test" >&2; exit 1; }

WORK=$ROOT/bench/work/backup
rm -rf "$WORK"; mkdir -p "$WORK"
S3RVER_PID=
cleanup() {
  [[ -n $S3RVER_PID ]] && { kill "$S3RVER_PID" 2>/dev/null || true; wait "$S3RVER_PID" 2>/dev/null || true; }
  ((KEEP)) || rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }

# The archive: generated PDFs of FILE_MB with incompressible filler, ingested.
count=$(( (MB + FILE_MB - 1) / FILE_MB ))
echo "generating $count PDFs of ~$FILE_MB MB and ingesting them (not timed)..." >&2
"$MAKE_SAMPLES" "$WORK/input" "$count" $((FILE_MB * 1000000)) 1 >/dev/null
export DOSAR_ARCHIVE=$WORK/archive
"$DOSAR" init >/dev/null
"$DOSAR" ingest --no-ocr "$WORK/input" >/dev/null 2>&1
blob_bytes=$(find "$WORK/archive/blobs" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
blob_count=$(find "$WORK/archive/blobs" -type f | wc -l)
rm -rf "$WORK/input"

# The server, on loopback, data in bench/work.
mkdir -p "$WORK/s3data"
bash "$ROOT/tests/tools/s3rver/run.sh" "$WORK/s3data" bench >"$WORK/s3rver.log" 2>&1 &
S3RVER_PID=$!
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/s3rver.log" | head -1)
  [[ -n $port ]] && break; sleep 0.1
done
[[ -n ${port:-} ]] || { cat "$WORK/s3rver.log" >&2; exit 1; }
ENDPOINT=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other RCLONE_CONFIG_BENCH_ENDPOINT=$ENDPOINT \
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=S3RVER \
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true RCLONE_CONFIG_BENCH_REGION=us-east-1
# rclone's AWS SDK fails on a custom CA bundle with its transport; the server is plain HTTP anyway.
"$DOSAR" backup keygen "$WORK/key" >/dev/null
cat "$WORK"/archive/blobs/sha256/*/*/* >/dev/null  # warm page cache for both

run() {  # run NAME COMMAND...: prints the wall-clock seconds
  sync
  local t0 t1
  t0=$(now)
  "${@:2}" >"$WORK/$1.out" 2>"$WORK/$1.err" || { cat "$WORK/$1.err" >&2; echo "backup_bench: $1 failed" >&2; exit 1; }
  t1=$(now)
  echo "$t0 $t1" | awk '{printf "%.2f", $2-$1}'
}

echo "full copy: $blob_count blobs, $((blob_bytes / 1000000)) MB, --jobs $JOBS, server $ENDPOINT" >&2
rclone_s=$(run rclone env -u AWS_CA_BUNDLE rclone copy --transfers "$JOBS" --checkers "$JOBS" "$WORK/archive/blobs" bench:bench/rclone)
dosar_s=$(run dosar "$DOSAR" backup --to s3://bench/dosar --endpoint "$ENDPOINT" --key-file "$WORK/key" --jobs "$JOBS" --json)
uploaded=$(jq .blobs_uploaded "$WORK/dosar.out")
[[ $uploaded == "$blob_count" ]] || { echo "backup_bench: dosar uploaded $uploaded of $blob_count blobs" >&2; exit 1; }

# 1% change: new documents adding ~1% of the bytes.
change=$(( (count + 99) / 100 ))
"$MAKE_SAMPLES" "$WORK/change" "$((count + change))" $((FILE_MB * 1000000)) 1 >/dev/null
mkdir -p "$WORK/new"
for i in $(seq $((count + 1)) $((count + change))); do mv "$WORK/change/doc-$(printf %05d "$i").pdf" "$WORK/new/"; done
rm -rf "$WORK/change"
"$DOSAR" ingest --no-ocr "$WORK/new" >/dev/null 2>&1
incr_s=$(run dosar_incr "$DOSAR" backup --to s3://bench/dosar --endpoint "$ENDPOINT" --key-file "$WORK/key" --jobs "$JOBS" --json)
rclone_incr_s=$(run rclone_incr env -u AWS_CA_BUNDLE rclone copy --transfers "$JOBS" --checkers "$JOBS" "$WORK/archive/blobs" bench:bench/rclone)
incr_uploaded=$(jq .blobs_uploaded "$WORK/dosar_incr.out")
verify_s=$(run verify "$DOSAR" backup verify --from s3://bench/dosar --endpoint "$ENDPOINT" --key-file "$WORK/key" --jobs "$JOBS")

mbs() { awk -v b="$blob_bytes" -v s="$1" 'BEGIN {printf "%.1f", b / 1e6 / s}'; }
ratio=$(awk -v d="$dosar_s" -v r="$rclone_s" 'BEGIN {printf "%.2f", r / d}')
met=$(awk -v x="$ratio" -v t="$TARGET" 'BEGIN {print (x >= t) ? "yes" : "NO"}')
cat <<REPORT
backup benchmark: $blob_count blobs, $(awk -v b="$blob_bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB, --jobs $JOBS, loopback s3rver 3.7.1, $(nproc) cores
| tool | seconds | MB/s |
| rclone copy (no encryption) | $rclone_s | $(mbs "$rclone_s") |
| dosar backup (AES-256-GCM) | $dosar_s | $(mbs "$dosar_s") |
ratio dosar/rclone throughput: $ratio (target $TARGET: $met)
incremental after +1% ($change new documents): dosar backup $incr_s s ($incr_uploaded blobs uploaded); rclone copy $rclone_incr_s s
dosar backup verify (presence, one listing): $verify_s s
REPORT
