#!/usr/bin/env bash
# Fixity benchmark: full `dosar check` (rehash every blob, record one fixity
# event per blob, verify the audit chain) of an archive of MB of blobs, side
# by side in one run with `sha256sum` over the same blob files (the limit).
# Both read from a warm page cache; each is run ROUNDS times, alternating,
# and the best time of each is kept.
#
# usage: bench/check_bench.sh [--mb MB] [--file-mb MB] [--rounds N] [--build DIR] [--keep]
#   --mb MB        archive size to generate, in MB of blobs (default 2000)
#   --file-mb MB   size of each generated PDF (default 1)
#   --rounds N     runs of each tool (default 3)
#   --build DIR    build directory with dosar and tests/dosar-make-samples (default build/release)
#   --keep         keep bench/work/check (the archive; bag_bench.sh --archive reuses it)
# Environment: DOSAR and MAKE_SAMPLES override the binaries' paths. Exit 0 when
# every run completed and dosar found the archive intact (the 0.8 target is
# reported, not enforced).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=2000 FILE_MB=1 ROUNDS=3 BUILD=$ROOT/build/release KEEP=0 TARGET=0.8
usage() { sed -n '8,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --mb) MB=${2:?}; shift 2 ;;
    --file-mb) FILE_MB=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
DOSAR=${DOSAR:-$BUILD/dosar}
MAKE_SAMPLES=${MAKE_SAMPLES:-$BUILD/tests/dosar-make-samples}
[[ -x $DOSAR && -x $MAKE_SAMPLES ]] || { echo "check_bench: build first: cmake --build $BUILD" >&2; exit 1; }

WORK=$ROOT/bench/work/check
rm -rf "$WORK"; mkdir -p "$WORK"
cleanup() { ((KEEP)) || rm -rf "$WORK"; }
trap cleanup EXIT
BENCH=check_bench
source "$ROOT/bench/bench_lib.sh"

export DOSAR_ARCHIVE=$WORK/archive
make_archive "$DOSAR_ARCHIVE" "$MB" "$FILE_MB"
find "$WORK/archive/blobs" -type f | sort >"$WORK/files"
blob_bytes=$(xargs -a "$WORK/files" -d '\n' stat -c %s | awk '{s+=$1} END {print s}')
blob_count=$(wc -l <"$WORK/files")
xargs -a "$WORK/files" -d '\n' cat >/dev/null  # warm the page cache for both

sha_times=() dosar_times=()
for ((r = 1; r <= ROUNDS; r++)); do
  sha_times+=("$(timed sha256sum xargs -a "$WORK/files" -d '\n' sha256sum)")
  dosar_times+=("$(timed dosar "$DOSAR" check --json)")
  jq -e '.ok' "$WORK/dosar.out" >/dev/null || { cat "$WORK/dosar.out" >&2; exit 1; }
done
sha_s=$(best "${sha_times[@]}")
dosar_s=$(best "${dosar_times[@]}")
mbs() { awk -v b="$blob_bytes" -v s="$1" 'BEGIN {printf "%.1f", b / 1e6 / s}'; }
cat <<REPORT
check benchmark: $blob_count blobs, $(awk -v b="$blob_bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB, warm cache, best of $ROUNDS, $(nproc) cores
| tool | seconds (each run) | best MB/s |
| sha256sum (one process) | ${sha_times[*]} | $(mbs "$sha_s") |
| dosar check (full, records fixity) | ${dosar_times[*]} | $(mbs "$dosar_s") |
$(ratio_line "$sha_s" "$dosar_s" "$TARGET" dosar/sha256sum)
REPORT
