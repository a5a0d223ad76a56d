# Deferred ingest (issues 2, 3): `ingest --defer` stores originals at once and
# queues text extraction and OCR; `dosar jobs run` does them. Both are killed
# with SIGKILL at random moments: after every kill `dosar check` passes,
# nothing is stored twice, and the next `jobs run` finishes the work of the
# dead one (its derivations are released at once, not after their lease).
source "$(dirname "$0")/lib.sh"

FILES=${DEFER_FILES:-200}
KILLS=${DEFER_KILLS:-6}
"$MAKE_SAMPLES" "$WORK/in" "$FILES" 3000 2 >/dev/null
cp "$SOURCE_DIR/samples/documents/scan-200dpi.tif" "$WORK/in/scan.tif"
total=$((FILES + 1))
"$DOSAR" init >/dev/null

checked() {
  "$DOSAR" check >"$WORK/check.out" 2>&1 || { fail "$1: dosar check failed"; head -20 "$WORK/check.out" >&2; }
  local docs dupes
  docs=$("$DOSAR" list --json | jq length)
  dupes=$("$DOSAR" audit --json | jq -r '.[] | select(.action == "document.create") | .detail.original' | sort | uniq -d | wc -l)
  ((dupes == 0)) || fail "$1: $dupes originals stored twice"
  echo "$docs"
}

# Kills during ingest --defer: every input stored once or not at all.
for k in $(seq 1 $((KILLS / 2))); do
  "$DOSAR" ingest --defer "$WORK/in" >/dev/null 2>&1 &
  pid=$!
  delay_ms=$((RANDOM % 1500 + 100))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "ingest --defer killed after $delay_ms ms: $(checked "kill $k of ingest") documents stored"
done
expect_exit 0 "$DOSAR" ingest --defer "$WORK/in"
[[ $(checked "after ingest") == "$total" ]] || fail "expected $total documents after the completed ingest"
leftover=$(find "$DOSAR_ARCHIVE/spool" -type f | wc -l)
((leftover == 0)) || fail "$leftover staged files left in the spool"

# Nothing is searchable by its text yet; the queue shows every version.
queued=$("$DOSAR" jobs --json | jq '[.[] | select(.state == "queued")] | length')
[[ $queued == "$total" ]] || fail "expected $total queued derivations, got $queued"
[[ $("$DOSAR" search --json pagina | jq .total) == 0 ]] || fail "text searchable before it was extracted"
expect_exit 1 "$DOSAR" export 1 --what text -o "$WORK/t.txt"

# Kills during jobs run: the next run takes over what the dead one held.
for k in $(seq 1 $((KILLS / 2))); do
  "$DOSAR" jobs run --jobs 2 >/dev/null 2>&1 &
  pid=$!
  delay_ms=$((RANDOM % 2000 + 100))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  checked "kill $k of jobs run" >/dev/null
  running=$("$DOSAR" jobs --json | jq '[.[] | select(.state == "running")] | length')
  done_so_far=$("$DOSAR" jobs --all --json | jq '[.[] | select(.state == "done")] | length')
  echo "jobs run killed after $delay_ms ms: $done_so_far done, $running held by the dead worker"
done
expect_exit 0 "$DOSAR" jobs run --jobs 2
[[ $("$DOSAR" jobs --json | jq length) == 0 ]] || fail "derivations left after jobs run: $("$DOSAR" jobs)"
failed=$("$DOSAR" jobs --all --json | jq '[.[] | select(.state != "done")] | length')
((failed == 0)) || fail "$failed derivations not done"
# Every document has its text once, and the scan was read by OCR.
derived=$("$DOSAR" audit --json | jq '[.[] | select(.action == "version.derive")] | length')
[[ $derived == "$total" ]] || fail "expected $total version.derive audit rows, got $derived"
hits=$("$DOSAR" search --json pagina | jq .total)
[[ $hits == "$FILES" ]] || fail "search finds $hits of $FILES generated documents after jobs run"
scan_id=$("$DOSAR" list --json | jq '.[] | select(.title == "scan") | .id')
"$DOSAR" export "$scan_id" --what text -o "$WORK/scan.txt"
[[ -s $WORK/scan.txt ]] || fail "the scan has no OCR text"
"$DOSAR" versions "$scan_id" --json | jq -e '.[0].ocr_confidence > 50' >/dev/null \
  || fail "the scan's OCR confidence is missing"
expect_exit 0 "$DOSAR" audit verify
[[ $(checked "final") == "$total" ]] || fail "document count changed"
finish
