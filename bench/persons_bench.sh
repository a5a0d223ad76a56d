#!/usr/bin/env bash
# Timeline of one person's file (issue 12): L linked documents in an archive
# of N documents generated straight into the catalogue; p99 of C calls of
# Persons::timeline (purpose, access rule, access record, one page of 50).
#
# usage: bench/persons_bench.sh [--build DIR] [--docs N] [--links L] [--calls C]
#   --build DIR  build directory holding (or to build) dosar-persons-bench
#                (default build/release, configured with the release preset)
#   --docs N     documents in the archive (default 1000000)
#   --links L    documents linked to the person (default 2000)
#   --calls C    timed calls (default 2000)
# The archive goes to bench/work/persons/ and is removed afterwards (1,000,000
# documents take about 1 GB while running). Exit status 1 when p99 >= 50 ms.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build/release
ARGS=()
while (($#)); do
  case $1 in
    --build) BUILD=${2:?}; shift 2 ;;
    --docs|--links|--calls) ARGS+=("$1" "${2:?}"); shift 2 ;;
    -h|--help) sed -n '5,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "persons_bench: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ ! -x $BUILD/bench/dosar-persons-bench ]]; then
  [[ -f $BUILD/CMakeCache.txt ]] || cmake --preset release >/dev/null
  cmake --build "$BUILD" --target dosar-persons-bench -j2 >/dev/null
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "binary: $BUILD/bench/dosar-persons-bench ($(grep -m1 CMAKE_BUILD_TYPE "$BUILD/CMakeCache.txt" | cut -d= -f2))"
exec "$BUILD/bench/dosar-persons-bench" --work "$ROOT/bench/work/persons" "${ARGS[@]}"
