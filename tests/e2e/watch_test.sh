# The scanner's hot folder (issue 3): complete files only, done/ and failed/,
# a restart after a crash between ingest and move takes nothing twice.
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }
HOT="$WORK/scanner"
mkdir -p "$HOT"
expect_exit 0 D init
"$MAKE_SAMPLES" "$WORK/gen" 4 >/dev/null

cp "$WORK/gen/doc-00001.pdf" "$HOT/cerere ședință.pdf"
printf '<html><body>nu e un PDF</body></html>' > "$HOT/pagină.pdf"
cp "$WORK/gen/doc-00002.pdf" "$HOT/in-curs.pdf.part"   # still being written by the scanner
expect_exit 0 D watch "$HOT" --once --settle 0.3 --no-ocr
[[ -f "$HOT/done/cerere ședință.pdf" ]] || fail "stored file not moved to done/"
[[ -f "$HOT/failed/pagină.pdf" ]] || fail "rejected file not moved to failed/"
grep -q "text/html" "$HOT/failed/pagină.pdf.error.txt" || fail "no reason beside the failed file"
[[ -f "$HOT/in-curs.pdf.part" ]] || fail "a partial file was taken"
[[ $(D list --json | jq length) == 1 ]] || fail "expected one document"

# Crash between ingest and move: the file is already stored; the next run
# reports it as a duplicate and moves it, storing nothing twice.
D ingest "$WORK/gen/doc-00003.pdf" >/dev/null 2>&1
cp "$WORK/gen/doc-00003.pdf" "$HOT/doc-00003.pdf"
expect_exit 0 D watch "$HOT" --once --settle 0.3 --no-ocr
expect_output_contains "duplicate"
[[ -f "$HOT/done/doc-00003.pdf" ]] || fail "duplicate not moved to done/"
[[ $(D list --json | jq length) == 2 ]] || fail "a file was stored twice"

# A file written in two steps is taken only once complete.
"$DOSAR" watch "$HOT" --settle 1.5 --no-ocr >"$WORK/watch.out" 2>&1 &
watcher=$!
head -c 3000 "$WORK/gen/doc-00004.pdf" > "$HOT/lent.pdf"
sleep 0.7
tail -c +3001 "$WORK/gen/doc-00004.pdf" >> "$HOT/lent.pdf"
for _ in $(seq 1 60); do [[ -f "$HOT/done/lent.pdf" || -f "$HOT/failed/lent.pdf" ]] && break; sleep 0.25; done
kill -TERM "$watcher"
wait "$watcher" || fail "watch did not stop cleanly on SIGTERM"
[[ -f "$HOT/done/lent.pdf" ]] || fail "slowly written file not stored: $(cat "$WORK/watch.out")"
id=$(D list --json | jq '.[] | select(.title == "lent") | .id')
expect_exit 0 D export "$id" -o "$WORK/lent.pdf"
cmp -s "$WORK/lent.pdf" "$WORK/gen/doc-00004.pdf" || fail "the stored file is not the complete file"
expect_exit 0 D check

finish
