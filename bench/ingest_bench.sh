#!/usr/bin/env bash
# Ingest benchmark: `dosar ingest` of COUNT generated born-digital PDFs against
# the limit `cp -r` + `sha256sum` + `sync` of the same files, in one run.
#
# usage: bench/ingest_bench.sh [--count N] [--filler BYTES] [--build DIR]
#                              [--jobs LIST] [--repeat R] [--settle S] [--keep]
#   --count N       files to generate and ingest (default 1000)
#   --filler BYTES  incompressible filler per PDF (default 100000: ~100 KB files)
#   --build DIR     build directory holding dosar and tests/dosar-make-samples
#                   (default build/release; built there only if missing)
#   --jobs LIST     comma-separated `dosar ingest --jobs` values to measure;
#                   "default" means no --jobs flag (dosar uses all cores);
#                   "defer" means `ingest --defer` (originals stored, text
#                   queued), then `dosar jobs run` timed on its own row.
#                   Default: "default,defer". Example: --jobs 1,default
#   --repeat R      rounds of (limit, dosar per jobs value), median reported
#                   (default 3)
#   --settle S      seconds to wait after removing a previous run's files
#                   before measuring (default 30: ext4 without a journal
#                   creates files slowly for ~30 s after many deletes)
#   --keep          keep the copies and archives in bench/work/ingest afterwards
#                   (default: remove them at the end, keep inputs and logs)
# Environment: DOSAR and MAKE_SAMPLES override the binaries' paths.
#
# Exit status: 0 when every measurement ran and every archive verified (the
# 0.7 target is reported, not enforced), 1 on any failure, 2 on bad usage.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=1000
FILLER=100000
BUILD=$ROOT/build/release
JOBS_LIST=default,defer
REPEAT=3
KEEP=0
SETTLE=30
TARGET=0.7

usage() { sed -n '5,24s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "ingest_bench: $*" >&2; exit 1; }

while (($#)); do
  case $1 in
    --count) COUNT=${2:?}; shift 2 ;;
    --filler) FILLER=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --jobs) JOBS_LIST=${2:?}; shift 2 ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --settle) SETTLE=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "ingest_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number"
[[ $FILLER =~ ^[0-9]+$ ]] || die "--filler must be a number of bytes"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive number"
[[ $SETTLE =~ ^[0-9]+$ ]] || die "--settle must be a number of seconds"
IFS=, read -r -a JOBS <<<"$JOBS_LIST"
for j in "${JOBS[@]}"; do
  [[ $j == default || $j == defer || $j =~ ^[1-9][0-9]*$ ]] \
    || die "--jobs values are numbers, 'default' or 'defer', not '$j'"
done
command -v jq >/dev/null || die "jq is required (to count the documents in the archive)"

[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
DOSAR=${DOSAR:-$BUILD/dosar}
MAKE_SAMPLES=${MAKE_SAMPLES:-$BUILD/tests/dosar-make-samples}
if [[ ! -x $DOSAR || ! -x $MAKE_SAMPLES ]]; then
  echo "building dosar and dosar-make-samples in $BUILD" >&2
  cmake --build "$BUILD" --target dosar dosar-make-samples >&2 \
    || die "build failed (configure first: cmake -S $ROOT -B $BUILD -DCMAKE_BUILD_TYPE=Release)"
fi

# Nothing is deleted while measuring: on ext4 without a journal (as here) the
# inode allocator skips and re-reads inodes freed in the last ~30 s, and with
# online discard the deletes themselves queue device work; both slow the next
# runs' file creation. So the previous run's files go first, then a pause.
WORK=$ROOT/bench/work/ingest
if [[ -e $WORK ]]; then
  rm -rf "$WORK"
  sync
  if ((SETTLE > 0)); then
    echo "removed the previous run's files; waiting ${SETTLE}s before measuring (--settle)" >&2
    sleep "$SETTLE"
  fi
fi
mkdir -p "$WORK"
IN=$WORK/in

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# CPU seconds the whole machine has been busy (all cores, all processes).
TICK=$(getconf CLK_TCK)
machine_cpu() { awk -v hz="$TICK" '/^cpu / { printf "%.3f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# User + system CPU seconds of this shell's finished children, from the output
# of `times` (which must run unforked: a forked shell has no children yet).
cpu_of_times() { awk 'NR == 2 { for (i = 1; i <= NF; i++) { sub(/s$/, "", $i); split($i, a, "m"); t += a[1] * 60 + a[2] }
                                printf "%.3f", t }' "$1"; }
# Runs a command; prints "WALL CPU OTHER": elapsed seconds, the command's CPU
# seconds, and CPU seconds spent meanwhile by everything else on the machine
# (kernel writeback included).
measure() {
  local start end m0 m1 c0 c1
  m0=$(machine_cpu)
  times >"$WORK/.times0"
  start=$(now)
  "$@" || return
  end=$(now)
  times >"$WORK/.times1"
  m1=$(machine_cpu)
  c0=$(cpu_of_times "$WORK/.times0")
  c1=$(cpu_of_times "$WORK/.times1")
  awk -v w="$(elapsed "$start" "$end")" -v c="$(elapsed "$c0" "$c1")" -v m="$(elapsed "$m0" "$m1")" 'BEGIN {
    o = m - c; if (o < 0) o = 0; printf "%.3f %.3f %.3f", w, c, o }'
}

echo "generating $COUNT PDFs (filler $FILLER bytes) in $IN" >&2
"$MAKE_SAMPLES" "$IN" "$COUNT" "$FILLER" >/dev/null
files=$(find "$IN" -type f | wc -l)
((files == COUNT)) || die "expected $COUNT generated files, found $files"
bytes=$(find "$IN" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }')
MB=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')

# The page cache is not dropped (that needs root and is not reliable in a
# container); instead every input is read once here, so every run below reads
# warm input, and everything dirty is flushed before each timed run.
cat "$IN"/* >/dev/null
sync

# (a) The limit: copy, hash the copies, make them durable.
# shellcheck disable=SC2317  # called through measure
limit_command() { cp -r "$IN" "$1" && sha256sum "$1"/* >/dev/null && sync; }
run_limit() {
  sync
  measure limit_command "$WORK/limit-$1" || die "the limit command failed"
}

# (b) dosar: init (untimed), ingest (timed), then verify (untimed).
run_dosar() {
  local jobs=$2 archive=$WORK/archive-$2-$1 log=$WORK/ingest-$2-$1.log result docs
  local flags=()
  case $jobs in
    default) ;;
    defer) flags=(--defer) ;;
    *) flags=(--jobs "$jobs") ;;
  esac
  "$DOSAR" --archive "$archive" init >/dev/null || die "dosar init failed"
  sync
  # shellcheck disable=SC2317  # called through measure
  ingest_command() { "$DOSAR" --archive "$archive" ingest "${flags[@]}" "$IN" >"$log" 2>&1; }
  result=$(measure ingest_command) || die "dosar ingest failed (see $log)"
  if [[ $jobs == defer ]]; then
    # shellcheck disable=SC2317  # called through measure
    derive_command() { "$DOSAR" --archive "$archive" jobs run >>"$log" 2>&1; }
    sync
    derived=$(measure derive_command) || die "dosar jobs run failed (see $log)"
    echo "$derived" >"$WORK/derive-$1"
    hits=$("$DOSAR" --archive "$archive" search --json 'Document' | jq '.total') \
      || die "dosar search failed on $archive"
    ((hits == COUNT)) || die "after jobs run, a search finds $hits of $COUNT documents in $archive"
  fi
  docs=$("$DOSAR" --archive "$archive" list --json | jq length) || die "dosar list --json failed"
  ((docs == COUNT)) || die "archive $archive holds $docs documents, expected $COUNT"
  "$DOSAR" --archive "$archive" check --quick >>"$log" 2>&1 \
    || die "dosar check --quick failed on $archive (see $log)"
  echo "$result"
}

# One entry per run: "WALL CPU OTHER".
declare -a limit_runs
declare -A dosar_runs
derive_runs=""
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= REPEAT; r++)); do
  m=$(run_limit "$r")
  limit_runs+=("$m")
  echo "round $r: limit $m (wall s, CPU s, other CPU s)" >&2
  for j in "${JOBS[@]}"; do
    m=$(run_dosar "$r" "$j")
    dosar_runs[$j]+="$m,"
    echo "round $r: dosar ingest (jobs $j) $m (wall s, CPU s, other CPU s)" >&2
    if [[ $j == defer ]]; then
      derive_runs+="$(cat "$WORK/derive-$r"),"
      echo "round $r: dosar jobs run after defer $(cat "$WORK/derive-$r")" >&2
    fi
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# "WALL CPU" of the run with the median wall time (the lower middle one
# when the number of runs is even).
summary() {  # RUN...
  printf '%s\n' "$@" | sort -g | awk '{ w[NR] = $1; c[NR] = $2 } END {
    i = int((NR + 1) / 2); printf "%.3f %.3f", w[i], c[i] }'
}
row() {  # label "WALL CPU"
  local wall cpu
  read -r wall cpu <<<"$2"
  awk -v l="$1" -v s="$wall" -v c="$cpu" -v n="$files" -v mb="$MB" 'BEGIN {
    printf "| %-32s | %5d | %8.1f | %7.3f | %7.1f | %6.1f | %5.2f |\n", l, n, mb, s, n / s, mb / s, c }'
}
runs_of() { local IFS=,; read -r -a list <<<"$1"; printf '%s\n' "${list[@]}"; }

limit_summary=$(summary "${limit_runs[@]}")
echo
echo "dosar ingest benchmark: $files born-digital PDFs, $MB MB (1 MB = 10^6 bytes), median of $REPEAT rounds"
echo "input read once before measuring: warm page cache for both (the cache is not dropped)"
echo "dosar $("$DOSAR" --version | awk '{print $2}') ($DOSAR, built $(date -u -r "$DOSAR" '+%Y-%m-%d %H:%M UTC')), $(nproc) cores (default jobs = $(nproc))"
echo
echo "| run                              | files | total MB | seconds |  docs/s |   MB/s | CPU s |"
echo "|----------------------------------|------:|---------:|--------:|--------:|-------:|------:|"
row "limit: cp -r + sha256sum + sync" "$limit_summary"
for j in "${JOBS[@]}"; do
  mapfile -t runs < <(runs_of "${dosar_runs[$j]}")
  if [[ $j == defer ]]; then
    row "dosar ingest --defer (stored)" "$(summary "${runs[@]}")"
    mapfile -t runs < <(runs_of "$derive_runs")
    row "then dosar jobs run (text+index)" "$(summary "${runs[@]}")"
  else
    row "dosar ingest (jobs $j)" "$(summary "${runs[@]}")"
  fi
done
echo
echo "CPU s = user + system CPU of the timed command (the median-time run)."
echo "every run as wall s / CPU s / other CPU s (everything else on the machine meanwhile,"
echo "kernel writeback included; large values mean a busy machine and noisy figures):"
echo "  limit: $(printf '%s\n' "${limit_runs[@]}" | tr ' ' / | paste -sd' ')"
for j in "${JOBS[@]}"; do
  echo "  dosar ingest (jobs $j): $(runs_of "${dosar_runs[$j]}" | tr ' ' / | paste -sd' ')"
done
[[ -z $derive_runs ]] || echo "  dosar jobs run after defer: $(runs_of "$derive_runs" | tr ' ' / | paste -sd' ')"
echo "load average before: $load_before, after: $load_after"
echo
limit_wall=${limit_summary%% *}
for j in "${JOBS[@]}"; do
  mapfile -t runs < <(runs_of "${dosar_runs[$j]}")
  d=$(summary "${runs[@]}")
  # Throughput ratio = limit time / dosar time (same files, same bytes).
  awk -v j="$j" -v l="$limit_wall" -v d="${d%% *}" -v t="$TARGET" 'BEGIN {
    r = l / d
    printf "ratio dosar/limit (jobs %s): %.2f -- target %.1f %s\n", j, r, t, (r >= t ? "MET" : "NOT met") }'
done
echo "every dosar archive verified: list --json has $COUNT documents, check --quick exits 0"
if ((KEEP)); then
  echo "kept: $WORK" >&2
else
  rm -rf "$WORK"/limit-* "$WORK"/archive-*
fi
exit 0
