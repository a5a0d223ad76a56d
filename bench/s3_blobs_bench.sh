#!/usr/bin/env bash
# Blob-store benchmark (issue 13): `dosar ingest --defer --no-ocr` of COUNT
# generated PDFs into an archive with file blobs and into one with S3 blobs
# (s3rver on loopback, tests/tools/s3rver), then `dosar check` of each, in one
# run; prints seconds, files/s and the S3/file ratio.
#
# usage: bench/s3_blobs_bench.sh [--count N] [--filler BYTES] [--build DIR] [--repeat R]
#   --count N       files to generate and ingest (default 1000)
#   --filler BYTES  incompressible filler per PDF (default 100000: ~100 KB files)
#   --build DIR     build directory holding dosar and tests/dosar-make-samples
#                   (default build/release)
#   --repeat R      rounds, median reported (default 3)
# Environment: DOSAR and MAKE_SAMPLES override the binaries' paths.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=1000
FILLER=100000
BUILD=$ROOT/build/release
REPEAT=3
usage() { sed -n '7,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "s3_blobs_bench: $*" >&2; exit 1; }
while (($#)); do
  case $1 in
    --count) COUNT=${2:?}; shift 2 ;;
    --filler) FILLER=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "s3_blobs_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ && $REPEAT =~ ^[1-9][0-9]*$ && $FILLER =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
DOSAR=${DOSAR:-$BUILD/dosar}
MAKE_SAMPLES=${MAKE_SAMPLES:-$BUILD/tests/dosar-make-samples}
[[ -x $DOSAR && -x $MAKE_SAMPLES ]] || die "build dosar and dosar-make-samples in $BUILD first"
command -v jq >/dev/null || die "jq is required"

WORK=$ROOT/bench/work/s3blobs
rm -rf "$WORK"
mkdir -p "$WORK"
SOURCE_DIR=$ROOT
# s3rver.sh expects lib.sh's WORK and sets S3_ENDPOINT and the credentials.
source "$ROOT/tests/e2e/s3rver.sh"
start_s3rver dosar
trap 'stop_s3rver' EXIT

now() { date +%s.%N; }
timed() {  # LOG COMMAND...: prints the wall seconds
  local t0 t1
  t0=$(now)
  "${@:2}" >"$1" 2>&1 || { cat "$1" >&2; die "failed: ${*:2}"; }
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "generating $COUNT PDFs (filler $FILLER bytes)" >&2
"$MAKE_SAMPLES" "$WORK/in" "$COUNT" "$FILLER" >/dev/null
MB=$(find "$WORK/in" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }')
cat "$WORK/in"/* >/dev/null

declare -A ingest check
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= REPEAT; r++)); do
  for kind in file s3; do
    archive=$WORK/archive-$kind-$r
    blobs=()
    [[ $kind == s3 ]] && blobs=(--blobs "s3://dosar/run$r" --s3-endpoint "$S3_ENDPOINT")
    "$DOSAR" --archive "$archive" init "${blobs[@]}" >/dev/null
    sync
    t=$(timed "$WORK/ingest-$kind-$r.log" "$DOSAR" --archive "$archive" ingest --defer --no-ocr "$WORK/in")
    docs=$("$DOSAR" --archive "$archive" list --json | jq length)
    ((docs == COUNT)) || die "$archive holds $docs documents, expected $COUNT"
    c=$(timed "$WORK/check-$kind-$r.log" "$DOSAR" --archive "$archive" check)
    ingest[$kind]+="$t "
    check[$kind]+="$c "
    echo "round $r: $kind ingest ${t}s, check ${c}s" >&2
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Blob-store benchmark: $COUNT PDFs, $MB MB, ingest --defer --no-ocr, then check (full), median of $REPEAT"
echo "dosar: $DOSAR; S3: s3rver $(jq -r .dependencies.s3rver "$ROOT/tests/tools/s3rver/package.json") on loopback; $(nproc) cores"
echo
echo "| blobs | ingest s | files/s | check s |"
echo "|---|---:|---:|---:|"
for kind in file s3; do
  # shellcheck disable=SC2086
  i=$(median ${ingest[$kind]})
  # shellcheck disable=SC2086
  c=$(median ${check[$kind]})
  echo "| $kind | $i | $(awk -v n="$COUNT" -v s="$i" 'BEGIN { printf "%.0f", n / s }') | $c |"
done
# shellcheck disable=SC2086
awk -v f="$(median ${ingest[file]})" -v s="$(median ${ingest[s3]})" \
  'BEGIN { printf "\nratio S3/file ingest throughput: %.2f\n", f / s }'
# shellcheck disable=SC2086
awk -v f="$(median ${check[file]})" -v s="$(median ${check[s3]})" \
  'BEGIN { printf "ratio S3/file check throughput: %.2f\n", f / s }'
echo "load average before: $load_before, after: $load_after (the machine is shared)"
