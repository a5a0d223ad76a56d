# The archive core through the real binary: ingest, list, versions, export,
# check and audit, and what bad input gets (issue 2).
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }

expect_exit 0 D init
expect_exit 1 D init
expect_output_contains "already holds an archive"

# Bundled samples: scans (TIFF, JPEG, image PDF) and born-digital PDFs.
expect_exit 0 D ingest --department Registratură "$SOURCE_DIR/samples/documents"
count=$(D list --json | jq length)
[[ $count -ge 4 ]] || fail "expected the samples to be stored, got $count documents"
expect_exit 0 D ingest "$SOURCE_DIR/samples/documents"
expect_output_contains "duplicate"
[[ $(D list --json | jq length) == "$count" ]] || fail "re-ingest created documents"

# A folder with Romanian names, a scan with a lying extension, hostile files.
mkdir -p "$WORK/in/Registratură/ședință"
"$MAKE_SAMPLES" "$WORK/gen" 2 >/dev/null
cp "$WORK/gen/doc-00001.pdf" "$WORK/in/Registratură/ședință/cerere Ţăruş.pdf"
{ cat "$SOURCE_DIR/samples/documents/scan-proces-verbal.jpg"; echo "trailing bytes make it another scan"; } > "$WORK/in/scan.pdf"
printf '<!DOCTYPE html><html><body>login</body></html>' > "$WORK/in/pagină.pdf"
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00' > "$WORK/in/program.pdf"
head -c 700 "$WORK/gen/doc-00002.pdf" > "$WORK/in/trunchiat.pdf"
: > "$WORK/in/gol.pdf"
ln -s "$WORK/in" "$WORK/in/Registratură/înapoi"
expect_exit 1 D ingest "$WORK/in"
expect_output_contains "stored	$WORK/in/Registratură/ședință/cerere Ţăruş.pdf"
expect_output_contains "$WORK/in/pagină.pdf	content is text/html"
expect_output_contains "$WORK/in/program.pdf	content is application/x-"
expect_output_contains "$WORK/in/trunchiat.pdf	PDF cannot be opened"
expect_output_contains "$WORK/in/gol.pdf	empty file"
expect_output_contains "directory loop"
expect_output_contains "warning: $WORK/in/scan.pdf: the name suggests application/pdf but the content is image/jpeg"

id=$(D list --json | jq '.[] | select(.title == "cerere Ţăruş") | .id')
[[ -n $id ]] || fail "document with diacritics in its name not found"
[[ $(D show "$id" --json | jq -r .current.original_name) == "cerere Ţăruş.pdf" ]] || fail "original name changed"
scan=$(D list --json | jq '.[] | select(.title == "scan") | .id')
[[ $(D show "$scan" --json | jq -r .current.mime_type) == "image/jpeg" ]] || fail "lying extension trusted"

# A scan is OCRed: its text and a searchable PDF that Poppler's pdftotext reads.
expect_exit 0 D export "$scan" --what text -o "$WORK/scan.txt"
grep -q "Centre de terapie" "$WORK/scan.txt" || fail "OCR text of the scan lacks a line of the page"
expect_exit 0 D export "$scan" --what pdf -o "$WORK/scan-ocr.pdf"
pdftotext "$WORK/scan-ocr.pdf" - | grep -q "Centre de terapie" || fail "searchable PDF has no text layer"
expect_exit 1 D export "$id" --what pdf -o "$WORK/none.pdf"
expect_output_contains "has no searchable PDF"

# Versions: the old one stays exportable byte for byte.
expect_exit 0 D add-version "$id" "$WORK/gen/doc-00002.pdf" --comment "răspuns"
expect_exit 0 D export "$id" --version 1 -o "$WORK/v1.pdf"
cmp -s "$WORK/v1.pdf" "$WORK/gen/doc-00001.pdf" || fail "version 1 export differs from input"
expect_exit 0 D export "$id" -o "$WORK/v2.pdf"
cmp -s "$WORK/v2.pdf" "$WORK/gen/doc-00002.pdf" || fail "current export differs from input"
expect_exit 0 D export "$id" --what text -o "$WORK/v2.txt"
grep -q "Document 2, pagina 1" "$WORK/v2.txt" || fail "text of version 2 not extracted"
[[ $(D versions "$id" --json | jq length) == 2 ]] || fail "expected 2 versions"
expect_exit 0 D versions "$id"
expect_output_contains "răspuns"

expect_exit 0 D check
expect_output_contains "archive ok"
expect_exit 0 D audit verify
expect_exit 0 D audit "$id"
expect_output_contains "version.add"

# Tampering: a flipped byte in a blob and an edited audit row are found.
blob=$(D show "$id" --json | jq -r .current.original_blob)
file="$DOSAR_ARCHIVE/blobs/sha256/${blob:0:2}/${blob:2:2}/$blob"
cp "$file" "$WORK/blob.bak"
chmod u+w "$file"
printf 'X' | dd of="$file" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit 1 D check
expect_output_contains "$blob"
expect_exit 1 D export "$id" -o "$WORK/bad.pdf"
[[ ! -e $WORK/bad.pdf ]] || fail "corrupt blob was exported"
cp "$WORK/blob.bak" "$file"
expect_exit 0 D check

sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" "UPDATE audit SET actor = 'altcineva' WHERE seq = 2"
expect_exit 1 D audit verify
expect_output_contains "audit row 2"
expect_exit 1 D check

finish
