#!/usr/bin/env bash
# Search benchmark: Dosar's Xapian index against SQLite FTS5 on the same
# generated Romanian documents and queries, one run per collection size.
#
# usage: bench/search_bench.sh [--queries Q] [--seed S] [--build DIR] [--keep] [N...]
#   N...          collection sizes in documents (default: 100000 1000000)
#   --queries Q   measured queries per size, after 50 warm-up (default 1000)
#   --seed S      generator seed (default 1)
#   --build DIR   build directory (default build/searchbench; configured
#                 and built there if dosar-search-bench is missing)
#   --keep        keep the indexes in bench/work/search/N/ (for profiling
#                 with `dosar-search-bench --reuse`; delete them yourself)
# Environment: SEARCH_BENCH overrides the binary's path.
#
# Each size writes its indexes to bench/work/search/N/ (deleted afterwards;
# check `df -h` first: 1,000,000 documents need about 16 GB while running)
# and its report to bench/work/search/report-N.txt. Exit status: 0 when every
# run completed and every query succeeded on both engines (the targets are
# reported, not enforced), 1 otherwise, 2 on bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUERIES=1000
SEED=1
BUILD=$ROOT/build/searchbench
SIZES=()
KEEP=()

usage() { sed -n '5,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "search_bench: $*" >&2; exit 1; }

while (($#)); do
  case $1 in
    --queries) QUERIES=${2:?}; shift 2 ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --keep) KEEP=(--keep); shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "search_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    *) SIZES+=("$1"); shift ;;
  esac
done
((${#SIZES[@]})) || SIZES=(100000 1000000)
for n in "${SIZES[@]}" "$QUERIES" "$SEED"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "search_bench: '$n' is not a number" >&2; exit 2; }
done

[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
BENCH=${SEARCH_BENCH:-$BUILD/bench/dosar-search-bench}
if [[ ! -x $BENCH ]]; then
  echo "building dosar-search-bench in $BUILD" >&2
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DDOSAR_TESTS=OFF >&2 || die "configure failed"
  cmake --build "$BUILD" --target dosar-search-bench >&2 || die "build failed"
fi

# CPU seconds used by the whole machine (all cores) and by this script's
# children so far: their difference is what other processes took meanwhile.
machine_cpu() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.1f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# (`times` runs in this shell, not in a $(...) subshell, which has no children yet.)
children_cpu() {
  times >"$WORK/.times"
  awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); printf "%.1f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
    "$WORK/.times"
}

WORK=$ROOT/bench/work/search
mkdir -p "$WORK"
status=0
for n in "${SIZES[@]}"; do
  echo "== $n documents: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  children_cpu >"$WORK/.mine0"
  start=$(date +%s) machine0=$(machine_cpu) mine0=$(<"$WORK/.mine0")
  if "$BENCH" --docs "$n" --queries "$QUERIES" --seed "$SEED" --work "$WORK/$n" "${KEEP[@]}" | tee "$WORK/report-$n.txt"; then
    :
  else
    status=1
  fi
  wall=$(($(date +%s) - start)) machine1=$(machine_cpu)
  children_cpu >"$WORK/.mine1"
  awk -v w="$wall" -v m="$(awk -v a="$machine0" -v b="$machine1" 'BEGIN { print b - a }')" \
      -v b="$(awk -v a="$mine0" -v b="$(<"$WORK/.mine1")" 'BEGIN { print b - a }')" -v c="$(nproc)" \
      'BEGIN { printf "\nwall time %d s; CPU s: this benchmark %.0f, other processes %.0f of %d available%s\n",
               w, b, m - b, w * c, (m - b > 0.25 * w ? " (a busy machine: rerun when quiet for cleaner figures)" : "") }' \
    | tee -a "$WORK/report-$n.txt"
  rm -f "$WORK/.times" "$WORK/.mine0" "$WORK/.mine1"
  ((${#KEEP[@]})) || rm -rf "${WORK:?}/$n"
done
exit $status
