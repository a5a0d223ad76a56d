# Shared by check_bench.sh and bag_bench.sh: timing and the generated archive.
# Expects WORK (a scratch folder), DOSAR and MAKE_SAMPLES; BENCH names the
# benchmark in messages.

now() { date +%s.%N; }

# timed NAME COMMAND...: runs the command (output in $WORK/NAME.out/.err),
# prints its wall-clock seconds; stops the benchmark when it fails.
timed() {
  local t0 t1
  t0=$(now)
  "${@:2}" >"$WORK/$1.out" 2>"$WORK/$1.err" || {
    cat "$WORK/$1.out" "$WORK/$1.err" >&2; echo "$BENCH: $1 failed" >&2; exit 1
  }
  t1=$(now)
  echo "$t0 $t1" | awk '{printf "%.2f", $2-$1}'
}

best() { printf '%s\n' "$@" | sort -g | head -1; }

# make_archive DIR MB FILE_MB: generated PDFs of FILE_MB with incompressible
# filler, MB in all, ingested with --no-ocr into a new archive DIR (not timed).
make_archive() {
  local count=$(( ($2 + $3 - 1) / $3 ))
  echo "generating $count PDFs of ~$3 MB and ingesting them (not timed)..." >&2
  "$MAKE_SAMPLES" "$WORK/input" "$count" $(($3 * 1000000)) 1 >/dev/null
  DOSAR_ARCHIVE=$1 "$DOSAR" init >/dev/null
  DOSAR_ARCHIVE=$1 "$DOSAR" ingest --no-ocr "$WORK/input" >/dev/null 2>&1
  rm -rf "$WORK/input"
}

# ratio_line PEER_SECONDS DOSAR_SECONDS TARGET LABEL: "ratio LABEL: R (target T: yes|NO)".
ratio_line() {
  local ratio met
  ratio=$(awk -v d="$2" -v r="$1" 'BEGIN {printf "%.2f", r / d}')
  met=$(awk -v x="$ratio" -v t="$3" 'BEGIN {print (x >= t) ? "yes" : "NO"}')
  echo "ratio $4 throughput: $ratio (target $3: $met)"
}
