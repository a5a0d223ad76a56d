# An archive whose blobs live in an S3 bucket (issue 13), through the real
# binary against a real S3-compatible server (s3rver on loopback): init,
# ingest, derive, export byte for byte, search, check, and what a missing
# object, a wrong option and a dead endpoint get.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3rver.sh"

D() { "$DOSAR" "$@"; }
start_s3rver dosar
BLOBS=(--blobs s3://dosar/primaria --s3-endpoint "$S3_ENDPOINT")
OBJECTS="$WORK/s3data/dosar/primaria/sha256"
objects_in_bucket() { find "$OBJECTS" -name '*._S3rver_object' 2>/dev/null | wc -l; }

# Usage errors: no endpoint, an endpoint alone, neither file: nor s3://.
expect_exit 2 D init --blobs s3://dosar/primaria
expect_output_contains "--s3-endpoint: is required"
expect_exit 2 D list --s3-endpoint "$S3_ENDPOINT"
expect_output_contains "only goes with --blobs"
expect_exit 2 D init --blobs ftp://dosar/primaria
expect_output_contains "neither file:DIR nor s3://BUCKET/PREFIX"
[[ ! -e $DOSAR_ARCHIVE ]] || fail "a refused init left $DOSAR_ARCHIVE behind"

# A bucket that does not exist: refused, nothing made.
expect_exit 1 D init --blobs s3://nu-exista/primaria --s3-endpoint "$S3_ENDPOINT"
expect_output_contains "NoSuchBucket"
[[ ! -e $DOSAR_ARCHIVE ]] || fail "init against a missing bucket left $DOSAR_ARCHIVE behind"

expect_exit 0 D init "${BLOBS[@]}"
expect_output_contains "blobs in s3://dosar/primaria/ at $S3_ENDPOINT"
[[ ! -e $DOSAR_ARCHIVE/blobs ]] || fail "an S3 archive has a local blobs folder"
[[ $(stat -c %a "$DOSAR_ARCHIVE/config.json") == 600 ]] || fail "config.json is not mode 600"
[[ $(jq -r .blobs "$DOSAR_ARCHIVE/config.json") == s3://dosar/primaria/ ]] || fail "config.json lacks blobs"
[[ $(jq -r .blobs_s3.endpoint "$DOSAR_ARCHIVE/config.json") == "$S3_ENDPOINT" ]] || fail "config.json lacks the endpoint"
grep -q "$AWS_SECRET_ACCESS_KEY" "$DOSAR_ARCHIVE/config.json" && fail "init wrote the secret key into config.json"

# Credentials only from the environment or config.json.
expect_exit 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$DOSAR" list
expect_output_contains "AWS_ACCESS_KEY_ID"
expect_output_contains "blobs_s3.access_key_id"

# The samples, stored now and read (text, OCR) by the workers from the bucket.
expect_exit 0 D ingest --defer --department Registratură "$SOURCE_DIR/samples/documents"
count=$(D list --json | jq length)
[[ $count == 6 ]] || fail "expected the 6 samples stored, got $count documents"
[[ $(objects_in_bucket) == 6 ]] || fail "expected 6 objects in the bucket, found $(objects_in_bucket)"
[[ -z $(ls -A "$DOSAR_ARCHIVE/spool") ]] || fail "staged files left in the spool: $(ls -A "$DOSAR_ARCHIVE/spool")"
expect_exit 0 D jobs run --jobs 2
[[ -z $(ls -A "$DOSAR_ARCHIVE/spool" | grep -v '^pages$' || true) ]] || fail "the blob cache outlived jobs run"
(( $(objects_in_bucket) > 6 )) || fail "derived text and searchable PDFs were not stored in the bucket"

# Export byte for byte, and search (born-digital text and OCR).
for f in cerere-ancheta-sociala.pdf scan-proces-verbal.jpg; do
  id=$(D list --json | jq --arg n "${f%.*}" '.[] | select(.title == $n) | .id')
  [[ -n $id ]] || fail "$f not found"
  expect_exit 0 D export "$id" -o "$WORK/out-$f"
  cmp -s "$WORK/out-$f" "$SOURCE_DIR/samples/documents/$f" || fail "export of $f differs from the input"
done
expect_exit 0 D search --json "terapie"
[[ $(jq .total "$WORK/last.out") -ge 1 ]] || fail "OCR text of the scan is not searchable"

# A duplicate is recognised without uploading again.
before=$(objects_in_bucket)
expect_exit 0 D ingest --no-ocr "$SOURCE_DIR/samples/documents/cerere-ancheta-sociala.pdf"
expect_output_contains "duplicate"
[[ $(objects_in_bucket) == "$before" ]] || fail "a duplicate added objects"

expect_exit 0 D check
expect_output_contains "archive ok"

# --blobs on a later command must agree with config.json.
expect_exit 0 D list "${BLOBS[@]}"
expect_exit 1 D list --blobs s3://dosar/alta --s3-endpoint "$S3_ENDPOINT"
expect_output_contains "differs from the archive's blobs"

# Another archive on the same prefix is refused: the blobs belong to this one.
expect_exit 1 env DOSAR_ARCHIVE="$WORK/other" "$DOSAR" init "${BLOBS[@]}"
expect_output_contains "already holds blobs"

# An object deleted behind Dosar's back: check names the blob and the key.
id=$(D list --json | jq '.[] | select(.title == "dispozitie-comisie-selectionare") | .id')
blob=$(D show "$id" --json | jq -r .current.original_blob)
[[ -f $OBJECTS/$blob._S3rver_object ]] || fail "blob $blob is not at the documented key"
rm -f "$OBJECTS/$blob"._S3rver_*
expect_exit 1 D check
expect_output_contains "archive check FAILED"
expect_output_contains "blob $blob"
expect_output_contains "missing from s3://dosar/primaria/sha256/$blob at $S3_ENDPOINT"

# The endpoint gone: a clear io error naming the blob and the endpoint, after the retries.
stop_s3rver
other=$(D list --json | jq '.[] | select(.title == "cerere-ancheta-sociala") | .id')
expect_exit 1 D export "$other" -o "$WORK/unreachable.pdf"
expect_output_contains "network error"
expect_output_contains "attempts"
expect_output_contains "at $S3_ENDPOINT"
[[ ! -e $WORK/unreachable.pdf ]] || fail "a failed export left a file"

finish
