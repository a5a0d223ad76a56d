# Per-page resume of OCR (issue 3): `dosar jobs run` is killed with SIGKILL
# once it has recorded a page of a three-page scanned PDF; the next run
# takes the recorded pages as they are and reads only the others. Checked:
# no page lost (the text equals an uninterrupted `dosar ingest` of the same
# file, the searchable PDF has every page), no page read twice (the audit
# row says how many pages were resumed and how many read; every page
# recognition recorded is counted), the spool and the page rows are
# cleaned up, and `jobs --json` shows the pages per minute and the ETA.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/in"
qpdf --empty --pages "$TEST_DATA/scans/s09.pdf" 1-2 "$TEST_DATA/scans/s09.pdf" 1 -- "$WORK/in/dosar.pdf"
"$DOSAR" init >/dev/null
expect_exit 0 "$DOSAR" ingest --defer "$WORK/in/dosar.pdf"

jobs_field() { "$DOSAR" jobs --all --json | jq -r ".[0].$1"; }

"$DOSAR" jobs run --jobs 1 >"$WORK/run1.out" 2>&1 &
pid=$!
recorded=0
for _ in $(seq 1 600); do
  recorded=$(jobs_field pages_done)
  ((recorded >= 1)) && break
  sleep 0.1
done
# The rate and time left are there while it runs.
running=$("$DOSAR" jobs --json)
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
((recorded >= 1)) || { fail "no page recorded within 60 s"; cat "$WORK/run1.out" >&2; finish; }
jq -e '.[0].state == "running" and (.[0].pages_per_minute | type == "number") and .[0].pages_total == 3' \
  <<<"$running" >/dev/null || fail "jobs --json lacks the running state, rate or total: $running"

rows=$(sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" 'SELECT COUNT(*) FROM derivation_pages')
recorded=$rows
((rows >= 1 && rows < 3)) || fail "expected 1 or 2 page rows after the kill, found $rows"
pdfs=$(find "$DOSAR_ARCHIVE/spool/pages/1-1" -name '*.pdf' | wc -l)
((pdfs >= rows)) || fail "$rows pages recorded but only $pdfs page PDFs in the spool"
echo "killed after $rows recorded page(s)"

expect_exit 0 "$DOSAR" jobs run --jobs 1
[[ $(jobs_field state) == done ]] || fail "the derivation is not done: $("$DOSAR" jobs --all)"
detail=$("$DOSAR" audit 1 --json | jq '[.[] | select(.action == "version.derive")] | last | .detail')
[[ $(jq -r '.pages_resumed' <<<"$detail") == "$recorded" ]] || fail "pages resumed: $detail, expected $recorded"
[[ $(jq -r '.pages_read' <<<"$detail") == $((3 - recorded)) ]] || fail "pages read again: $detail"
[[ $(jobs_field pages_recognized) == 3 ]] || fail "page recognitions recorded: $(jobs_field pages_recognized), expected 3"
[[ $(sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" 'SELECT COUNT(*) FROM derivation_pages') == 0 ]] \
  || fail "page rows left after the version was derived"
[[ ! -e $DOSAR_ARCHIVE/spool/pages/1-1 ]] || fail "page PDFs left in the spool"

# The same file ingested without interruption gives the same text.
"$DOSAR" --archive "$WORK/reference" init >/dev/null
expect_exit 0 "$DOSAR" --archive "$WORK/reference" ingest "$WORK/in/dosar.pdf"
"$DOSAR" --archive "$WORK/reference" export 1 --what text -o "$WORK/reference.txt"
"$DOSAR" export 1 --what text -o "$WORK/resumed.txt"
cmp -s "$WORK/reference.txt" "$WORK/resumed.txt" || fail "the resumed text differs from an uninterrupted run"
"$DOSAR" versions 1 --json | jq -e '.[0].pages | length == 3 and all(.text_source == "ocr")' >/dev/null \
  || fail "pages of the version: $("$DOSAR" versions 1 --json | jq -c '.[0].pages')"

# The searchable PDF has every page and gives the OCR text.
"$DOSAR" export 1 --what pdf -o "$WORK/resumed.pdf"
[[ $(pdfinfo "$WORK/resumed.pdf" | awk '/^Pages:/ {print $2}') == 3 ]] || fail "the searchable PDF lacks pages"
words() { tr -s '[:space:]' '\n' <"$1" | grep -v '^$' | sort; }
pdftotext "$WORK/resumed.pdf" "$WORK/pdf.txt"
common=$(comm -12 <(words "$WORK/pdf.txt") <(words "$WORK/resumed.txt") | wc -l)
all=$(words "$WORK/resumed.txt" | wc -l)
# 97%: each word of the text layer lies upright on its word of the original,
# skewed image (up to 1.4 degrees on s08.pdf), so Poppler keeps it whole.
((common * 100 >= all * 97)) || fail "pdftotext gives $common of the $all OCR words"
finish
