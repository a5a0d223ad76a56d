#!/usr/bin/env bash
# Preservation-package benchmark: `dosar records export-bag` of every document
# of an archive of MB of blobs (real copies, each blob rehashed while copied,
# plus METS and manifests), side by side in one run with the limit: `cp -r` of
# the same blob files and `sha256sum` of the copies. Warm page cache; each is
# run ROUNDS times, alternating, and the best time of each is kept.
#
# usage: bench/bag_bench.sh [--mb MB] [--file-mb MB] [--rounds N] [--archive DIR] [--build DIR] [--keep]
#   --mb MB        archive size to generate, in MB of blobs (default 2000)
#   --file-mb MB   size of each generated PDF (default 1)
#   --rounds N     runs of each (default 2)
#   --archive DIR  use this archive instead of generating one (e.g. bench/work/check/archive)
#   --build DIR    build directory with dosar and tests/dosar-make-samples (default build/release)
#   --keep         keep bench/work/bag afterwards
# Environment: DOSAR and MAKE_SAMPLES override the binaries' paths. Exit 0 when
# every run completed (the 0.7 target is reported, not enforced).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=2000 FILE_MB=1 ROUNDS=2 ARCHIVE= BUILD=$ROOT/build/release KEEP=0 TARGET=0.7
usage() { sed -n '8,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --mb) MB=${2:?}; shift 2 ;;
    --file-mb) FILE_MB=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --archive) ARCHIVE=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bag_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
DOSAR=${DOSAR:-$BUILD/dosar}
MAKE_SAMPLES=${MAKE_SAMPLES:-$BUILD/tests/dosar-make-samples}
[[ -x $DOSAR && -x $MAKE_SAMPLES ]] || { echo "bag_bench: build first: cmake --build $BUILD" >&2; exit 1; }

WORK=$ROOT/bench/work/bag
rm -rf "$WORK"; mkdir -p "$WORK"
cleanup() { ((KEEP)) || rm -rf "$WORK"; }
trap cleanup EXIT
BENCH=bag_bench
source "$ROOT/bench/bench_lib.sh"

if [[ -z $ARCHIVE ]]; then
  ARCHIVE=$WORK/archive
  make_archive "$ARCHIVE" "$MB" "$FILE_MB"
fi
export DOSAR_ARCHIVE=$ARCHIVE
documents=()
for id in $("$DOSAR" list --json | jq -r '.[].id'); do documents+=(--document "$id"); done
blob_bytes=$(find "$ARCHIVE/blobs" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
blob_count=$(find "$ARCHIVE/blobs" -type f | wc -l)
find "$ARCHIVE/blobs" -type f -exec cat {} + >/dev/null  # warm the page cache for both

limit() { cp -r "$ARCHIVE/blobs" "$WORK/copy" && find "$WORK/copy" -type f -exec sha256sum {} + >/dev/null; }

limit_times=() dosar_times=()
for ((r = 1; r <= ROUNDS; r++)); do
  rm -rf "$WORK/copy" "$WORK/bag"; sync
  limit_times+=("$(timed limit limit)")
  rm -rf "$WORK/copy"; sync
  dosar_times+=("$(timed dosar "$DOSAR" records export-bag "${documents[@]}" -o "$WORK/bag")")
done
(cd "$WORK/bag" && sha256sum -c --quiet tagmanifest-sha256.txt) || { echo "bag_bench: bad bag" >&2; exit 1; }
bag_bytes=$(du -sb "$WORK/bag" | cut -f1)
limit_s=$(best "${limit_times[@]}")
dosar_s=$(best "${dosar_times[@]}")
mbs() { awk -v b="$blob_bytes" -v s="$1" 'BEGIN {printf "%.1f", b / 1e6 / s}'; }
cat <<REPORT
bag benchmark: $(( ${#documents[@]} / 2 )) documents, $blob_count blobs, $(awk -v b="$blob_bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB (bag $(awk -v b="$bag_bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB), warm cache, best of $ROUNDS, $(nproc) cores
| tool | seconds (each run) | best MB/s |
| cp -r + sha256sum of the copies | ${limit_times[*]} | $(mbs "$limit_s") |
| dosar records export-bag | ${dosar_times[*]} | $(mbs "$dosar_s") |
$(ratio_line "$limit_s" "$dosar_s" "$TARGET" dosar/limit)
REPORT
