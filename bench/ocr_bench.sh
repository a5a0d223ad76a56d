#!/usr/bin/env bash
# OCR benchmark (issue 3): the scanned corpus from originals to searchable
# PDF, side by side in one run:
#   (a) dosar ingest --jobs 2: type, OSD rotation, deskew, Tesseract, one-page
#       PDFs assembled as PDF/A-2b, blobs stored (fsync), catalogue, index;
#   (b) ocrmypdf -l ron+eng --jobs 2, file after file (Debian's package;
#       its default output is PDF/A-2b too, made by Ghostscript);
#   (c) the bare limit: two `tesseract IMG OUT -l ron+eng pdf` processes in
#       parallel over the same pages (PDF pages extracted beforehand with
#       pdfimages, untimed), OMP_THREAD_LIMIT=1 as dosar runs.
# Pages per minute, ratios to the peer and the limit, and peak memory
# (maximum resident set, /usr/bin/time -v: dosar's whole process with its two
# engines, one ocrmypdf file run with its children, one tesseract process).
#
# usage: bench/ocr_bench.sh [--corpus DIR] [--build DIR] [--repeat R] [--jobs N]
#   --corpus DIR  scans to read (default tests/data/scans: 9 files, 12 pages)
#   --build DIR   holds dosar (default build/release)
#   --repeat R    rounds, the median reported (default 3)
#   --jobs N      workers of each tool (default 2)
# Installs ocrmypdf (Debian) when it is missing: the benchmark needs it, the
# tests do not. Exit status: 0 when every run worked (targets are reported,
# not enforced), 1 on failure, 2 on bad usage.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=$ROOT/tests/data/scans
BUILD=$ROOT/build/release
REPEAT=3
JOBS=2
while (($#)); do
  case $1 in
    --corpus) CORPUS=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --jobs) JOBS=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,22s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "ocr_bench: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ $REPEAT =~ ^[1-9][0-9]*$ && $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "ocr_bench: --repeat and --jobs are numbers" >&2; exit 2; }
die() { echo "ocr_bench: $*" >&2; exit 1; }
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
DOSAR=${DOSAR:-$BUILD/dosar}
[[ -x $DOSAR ]] || die "no dosar in $BUILD (cmake --preset release && cmake --build --preset release)"
if ! command -v ocrmypdf >/dev/null; then
  echo "installing ocrmypdf (Debian) for the benchmark" >&2
  SUDO=(); [[ $(id -u) == 0 ]] || SUDO=(sudo)
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends ocrmypdf >/dev/null
fi
for tool in jq pdfimages pdfinfo /usr/bin/time tesseract; do command -v "$tool" >/dev/null || die "$tool is missing"; done

WORK=$ROOT/bench/work/ocr
rm -rf "$WORK"
mkdir -p "$WORK/in" "$WORK/pages"
export OMP_THREAD_LIMIT=1  # as dosar runs Tesseract: one thread per engine

# The corpus (scans only) and its pages as images for bare tesseract.
pages=0
for f in "$CORPUS"/*; do
  case $f in
    *.jpg|*.jpeg|*.png) cp "$f" "$WORK/in/"; cp "$f" "$WORK/pages/"; pages=$((pages + 1)) ;;
    *.tif|*.tiff)
      cp "$f" "$WORK/in/"
      n=1  # the corpus's TIFFs have one page each; tiffinfo counts them when present
      command -v tiffinfo >/dev/null && n=$(tiffinfo "$f" 2>/dev/null | grep -c 'TIFF Directory')
      cp "$f" "$WORK/pages/"; pages=$((pages + n)) ;;
    *.pdf)
      cp "$f" "$WORK/in/"
      pdfimages -tiff "$f" "$WORK/pages/$(basename "$f" .pdf)-dpi300"
      pages=$((pages + $(pdfinfo "$f" | awk '/^Pages:/ {print $2}'))) ;;
  esac
done
files=$(find "$WORK/in" -type f | wc -l)
images=$(find "$WORK/pages" -type f | wc -l)
((images == pages)) || die "expected $pages page images for tesseract, extracted $images"

# timed LOG COMMAND...: wall seconds and peak RSS (KB) of COMMAND.
timed() {
  local log=$1 t0 t1; shift
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1 || { tail -20 "$log" >&2; die "failed: $* (see $log)"; }
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') $(awk '/Maximum resident/ {print $NF}' "$log.time")"
}

run_dosar() {  # ROUND
  local archive=$WORK/archive-$1 docs pdfs
  "$DOSAR" --archive "$archive" init >/dev/null
  sync
  timed "$WORK/dosar-$1.log" "$DOSAR" --archive "$archive" ingest --jobs "$JOBS" "$WORK/in"
  docs=$("$DOSAR" --archive "$archive" list --json | jq length)
  ((docs == files)) || die "dosar stored $docs of $files files"
  pdfs=$("$DOSAR" --archive "$archive" versions 1 --json | jq '[.[0].derived[] | select(.kind == "searchable-pdf")] | length')
  ((pdfs == 1)) || die "dosar made no searchable PDF for document 1"
}

# ocrmypdf, one file after the other (as a clerk's script would), each with --jobs.
ocrmypdf_all() {  # OUT_DIR
  local f
  mkdir -p "$1"
  for f in "$WORK"/in/*; do
    ocrmypdf -q -l ron+eng --jobs "$JOBS" --image-dpi 300 "$f" "$1/$(basename "$f").pdf"
  done
}
run_ocrmypdf() { timed "$WORK/ocrmypdf-$1.log" bash -c "$(declare -f ocrmypdf_all); WORK='$WORK' JOBS=$JOBS ocrmypdf_all '$WORK/ocrmypdf-$1'"; }

# The limit: JOBS tesseract processes at once, one page each, producing PDF.
tesseract_page() {  # IMAGE OUT_DIR
  local dpi=()
  [[ $1 == *-dpi300* ]] && dpi=(--dpi 300)  # pdfimages writes no resolution
  tesseract "$1" "$2/$(basename "$1")" -l ron+eng "${dpi[@]}" pdf 2>/dev/null
}
run_tesseract() {
  mkdir -p "$WORK/tesseract-$1"
  timed "$WORK/tesseract-$1.log" bash -c "$(declare -f tesseract_page); export -f tesseract_page;
    find '$WORK/pages' -type f -print0 | xargs -0 -P $JOBS -I{} bash -c 'tesseract_page \"\$1\" \"$WORK/tesseract-$1\"' _ {}"
}
# Peak memory of one tesseract process (the parallel run reports only the largest child).
tesseract_rss() {
  /usr/bin/time -v -o "$WORK/one.time" tesseract "$WORK/pages/$(ls "$WORK/pages" | head -1)" "$WORK/one" -l ron+eng pdf >/dev/null 2>&1
  awk '/Maximum resident/ {print $NF}' "$WORK/one.time"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -a D O T
for ((r = 1; r <= REPEAT; r++)); do
  D+=("$(run_dosar "$r")"); echo "round $r: dosar ${D[-1]} (s, KB)" >&2
  O+=("$(run_ocrmypdf "$r")"); echo "round $r: ocrmypdf ${O[-1]}" >&2
  T+=("$(run_tesseract "$r")"); echo "round $r: tesseract ${T[-1]}" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
median() { printf '%s\n' "$@" | sort -g | awk '{ w[NR] = $1; m[NR] = $2 } END { i = int((NR + 1) / 2); print w[i], m[i] }'; }
read -r dw dm <<<"$(median "${D[@]}")"
read -r ow om <<<"$(median "${O[@]}")"
read -r tw tm <<<"$(median "${T[@]}")"
one=$(tesseract_rss)
ppm() { awk -v p="$pages" -v s="$1" 'BEGIN { printf "%.1f", p * 60 / s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

echo
echo "OCR benchmark: $files files, $pages pages ($CORPUS), jobs $JOBS, median of $REPEAT rounds"
echo "dosar $("$DOSAR" --version | awk '{print $2}'), $(ocrmypdf --version 2>/dev/null | head -1 | sed 's/^/ocrmypdf /'), $(tesseract --version 2>&1 | head -1), $(nproc --all) cores"
echo
echo "| run | seconds | pages/min | peak RSS MB |"
echo "|---|---:|---:|---:|"
echo "| dosar ingest --jobs $JOBS (searchable PDF/A stored, indexed) | $dw | $(ppm "$dw") | $(mb "$dm") (process, $JOBS engines) |"
echo "| ocrmypdf -l ron+eng --jobs $JOBS, file by file | $ow | $(ppm "$ow") | $(mb "$om") (largest process) |"
echo "| limit: $JOBS x tesseract ... pdf in parallel | $tw | $(ppm "$tw") | $(mb "$one") (one process) |"
echo
echo "every run (s KB): dosar ${D[*]} | ocrmypdf ${O[*]} | tesseract ${T[*]}"
echo "load average before: $load_before, after: $load_after (the machine is shared)"
awk -v d="$dw" -v o="$ow" -v t="$tw" 'BEGIN {
  printf "ratio dosar/ocrmypdf throughput: %.2f (target 1.5: %s)\n", o / d, (o / d >= 1.5 ? "met" : "NOT met")
  printf "ratio dosar/bare tesseract throughput: %.2f (target 0.9: %s)\n", t / d, (t / d >= 0.9 ? "met" : "NOT met") }'
