# Encrypted incremental backup, restore and verify through the real binary
# against a real S3-compatible server (s3rver on loopback) (issue 8).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3rver.sh"

D() { "$DOSAR" "$@"; }
start_s3rver backups
KEY="$WORK/backup.key"
TO=(--to s3://backups/primaria --endpoint "$S3_ENDPOINT" --key-file "$KEY")
FROM=(--from s3://backups/primaria --endpoint "$S3_ENDPOINT" --key-file "$KEY")
BUCKET_DIR="$WORK/s3data/backups/primaria"
objects_in_bucket() { find "$BUCKET_DIR/data" -name '*._S3rver_object' 2>/dev/null | wc -l; }

# keygen: 32 bytes, owner only, never overwrites.
expect_exit 0 D backup keygen "$KEY"
[[ $(stat -c %a "$KEY") == 600 && $(stat -c %s "$KEY") == 32 ]] || fail "key file is not 32 bytes with mode 600"
cp "$KEY" "$WORK/key.before"
expect_exit 1 D backup keygen "$KEY"
expect_output_contains "already exists"
cmp -s "$KEY" "$WORK/key.before" || fail "keygen changed an existing key file"

# Usage errors and missing credentials.
expect_exit 2 D backup --key-file "$KEY"
expect_output_contains "--to"
expect_exit 2 D backup --to s3://backups/primaria --endpoint "$S3_ENDPOINT"
expect_output_contains "exactly one of --key-file"
expect_exit 1 env -u AWS_SECRET_ACCESS_KEY "$DOSAR" backup "${TO[@]}"
expect_output_contains AWS_SECRET_ACCESS_KEY

# A first archive.
expect_exit 0 D init
expect_exit 0 D ingest --no-ocr --department DGASPC --type cerere "$SOURCE_DIR/samples/documents"
"$MAKE_SAMPLES" "$WORK/gen" 12 20000 >/dev/null
expect_exit 0 D ingest --no-ocr --department Juridic "$WORK/gen"
# One blob above the 16 MiB in-memory limit and the 64 MiB multipart threshold.
"$MAKE_SAMPLES" "$WORK/big" 1 70000000 1 >/dev/null
expect_exit 0 D ingest --no-ocr --title "dosar scanat mare" "$WORK/big"

# Full backup: every blob is uploaded, names reveal nothing.
expect_exit 0 D backup "${TO[@]}" --json
full_blobs=$(find "$DOSAR_ARCHIVE/blobs" -type f | wc -l)
[[ $(jq .generation "$WORK/last.out") == 1 ]] || fail "first backup is not generation 1"
[[ $(jq .blobs_uploaded "$WORK/last.out") == "$full_blobs" ]] || fail "full backup did not upload all $full_blobs blobs"
[[ $(objects_in_bucket) == $((full_blobs + 1)) ]] || fail "bucket holds $(objects_in_bucket) objects, expected blobs + catalogue"
for f in "$DOSAR_ARCHIVE"/blobs/sha256/*/*/*; do
  id=$(basename "$f")
  grep -rqF "$id" "$WORK/s3data" && fail "blob id $id appears in clear in the bucket"
done
grep -rqaF "Baicului" "$WORK/s3data" && fail "document text appears in clear in the bucket"
grep -rqaF "cerere-ancheta-sociala" "$WORK/s3data" && fail "a file name appears in clear in the bucket"

# Add and change documents; the incremental backup uploads only the new blobs.
"$MAKE_SAMPLES" "$WORK/gen2" 15 20000 >/dev/null
mkdir -p "$WORK/new"
mv "$WORK/gen2/doc-00013.pdf" "$WORK/gen2/doc-00014.pdf" "$WORK/gen2/doc-00015.pdf" "$WORK/new/"
expect_exit 0 D ingest --no-ocr "$WORK/new"
expect_exit 0 D add-version 1 "$WORK/gen/doc-00003.pdf" --comment "schimbat"
before=$(objects_in_bucket)
blobs_before=$full_blobs
full_blobs=$(find "$DOSAR_ARCHIVE/blobs" -type f | wc -l)
expect_exit 0 D backup "${TO[@]}" --json
new_blobs=$((full_blobs - blobs_before))
(( new_blobs > 0 )) || fail "the changes made no new blob"
[[ $(jq .generation "$WORK/last.out") == 2 ]] || fail "second backup is not generation 2"
[[ $(jq .blobs_uploaded "$WORK/last.out") == "$new_blobs" ]] ||
  fail "incremental backup uploaded $(jq .blobs_uploaded "$WORK/last.out") blobs, $new_blobs are new"
[[ $(jq .blobs_already_there "$WORK/last.out") == "$blobs_before" ]] || fail "unchanged blobs not reported as already there"
[[ $(objects_in_bucket) == $((before + new_blobs + 1)) ]] ||
  fail "bucket gained $(( $(objects_in_bucket) - before )) objects, expected $new_blobs blobs + catalogue"

# Verify: everything present and readable.
expect_exit 0 D backup verify "${FROM[@]}" --read-data --json
[[ $(jq .ok "$WORK/last.out") == true ]] || fail "verify --read-data of an intact backup failed"
[[ $(jq .objects_read "$WORK/last.out") == $((full_blobs + 1)) ]] || fail "verify did not read every object"

# Credentials from the archive's config.json when the environment has none;
# a config.json that others may read is refused (it holds secrets).
NO_CREDENTIALS=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$DOSAR")
expect_exit 1 "${NO_CREDENTIALS[@]}" backup verify "${FROM[@]}"
expect_output_contains "config.json"
printf '{"backup": {"access_key_id": "%s", "secret_access_key": "%s"}}\n' "$AWS_ACCESS_KEY_ID" \
  "$AWS_SECRET_ACCESS_KEY" >"$DOSAR_ARCHIVE/config.json"
chmod 644 "$DOSAR_ARCHIVE/config.json"
expect_exit 1 "${NO_CREDENTIALS[@]}" backup verify "${FROM[@]}"
expect_output_contains "chmod 600"
chmod 600 "$DOSAR_ARCHIVE/config.json"
expect_exit 0 "${NO_CREDENTIALS[@]}" backup verify "${FROM[@]}"
rm "$DOSAR_ARCHIVE/config.json"

# Restore onto an empty directory equals the original.
mkdir -p "$WORK/full"; touch "$WORK/full/x"
expect_exit 1 D restore "${FROM[@]}" --to "$WORK/full"
expect_output_contains "not an empty directory"
[[ $(ls "$WORK/full") == x ]] || fail "restore touched a non-empty directory"
expect_exit 0 D restore "${FROM[@]}" --to "$WORK/restored"
(cd "$DOSAR_ARCHIVE/blobs" && find . -type f -exec sha256sum {} + | sort) >"$WORK/blobs.orig"
(cd "$WORK/restored/blobs" && find . -type f -exec sha256sum {} + | sort) >"$WORK/blobs.rest"
cmp -s "$WORK/blobs.orig" "$WORK/blobs.rest" || fail "restored blobs differ from the original"
for table in documents versions derived_blobs version_pages audit; do
  sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" "SELECT * FROM $table ORDER BY 1, 2" >"$WORK/$table.orig"
  sqlite3 "$WORK/restored/catalog.sqlite" "SELECT * FROM $table ORDER BY 1, 2" >"$WORK/$table.rest"
  cmp -s "$WORK/$table.orig" "$WORK/$table.rest" || fail "restored catalogue table $table differs"
  [[ -s $WORK/$table.orig ]] || fail "table $table is empty: the comparison proves nothing"
done
# After the comparison: a check records a fixity run (an audit row) in the restored archive.
expect_exit 0 D --archive "$WORK/restored" check
for query in "ancheta sociala" "Document" "dispozitie"; do
  D search --json --limit 50 $query | jq -S 'del(.elapsed_ms)' >"$WORK/search.orig"
  D --archive "$WORK/restored" search --json --limit 50 $query | jq -S 'del(.elapsed_ms)' >"$WORK/search.rest"
  cmp -s "$WORK/search.orig" "$WORK/search.rest" || fail "search '$query' answers differently after restore"
  [[ $(jq .total "$WORK/search.orig") -gt 0 ]] || fail "search '$query' finds nothing: the comparison proves nothing"
done

# An older generation.
expect_exit 0 D restore "${FROM[@]}" --to "$WORK/gen1" --at 1 --json
[[ $(jq .blobs_restored "$WORK/last.out") == "$blobs_before" ]] || fail "--at 1 did not restore generation 1"
expect_exit 0 D --archive "$WORK/gen1" check

# A wrong key fails clearly, for every command.
expect_exit 0 D backup keygen "$WORK/other.key"
for cmd in "backup verify --from" "restore --to $WORK/wrong --from" "backup --to"; do
  expect_exit 1 D $cmd s3://backups/primaria --endpoint "$S3_ENDPOINT" --key-file "$WORK/other.key"
  expect_output_contains "the key does not open this backup"
done
[[ ! -e $WORK/wrong ]] || fail "restore with a wrong key created the target"
export BACKUP_PASS="parola lungă"
expect_exit 1 D backup verify --from s3://backups/primaria --endpoint "$S3_ENDPOINT" --passphrase-env BACKUP_PASS
expect_output_contains "made with a key file"

# Object names follow docs/formats/backup.md: HMAC-SHA256(HKDF(key, "dosar-backup v1 naming"), blob id).
naming_key=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "hexkey:$(od -An -v -tx1 "$KEY" | tr -d ' \n')" \
  -kdfopt "info:dosar-backup v1 naming" HKDF | tr -d ':' | tr 'A-F' 'a-f')
object_of() { printf %s "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$naming_key" -r | cut -d' ' -f1; }
ids=($(cd "$DOSAR_ARCHIVE/blobs" && find . -type f -printf '%f\n' | sort))
victim="$BUCKET_DIR/data/$(object_of "${ids[0]}")._S3rver_object"
victim2="$BUCKET_DIR/data/$(object_of "${ids[1]}")._S3rver_object"
[[ -f $victim && -f $victim2 ]] || fail "object names do not follow the documented naming"

# A corrupted object is found by verify --read-data (the presence check cannot see it).
cp "$victim" "$WORK/victim.copy"
printf 'X' | dd of="$victim" bs=1 seek=100 conv=notrunc status=none
expect_exit 0 D backup verify "${FROM[@]}"
expect_exit 1 D backup verify "${FROM[@]}" --read-data --json
[[ $(jq '.problems | length' "$WORK/last.out") == 1 ]] || fail "verify --read-data did not find exactly the corrupted object"
jq -r '.problems[0].subject' "$WORK/last.out" | grep -qF "${ids[0]}" || fail "the problem does not name the damaged blob"
jq -r '.problems[0].message' "$WORK/last.out" | grep -q "fails authentication" || fail "corruption not explained"
expect_exit 1 D restore "${FROM[@]}" --to "$WORK/damaged"
expect_output_contains "${ids[0]}"
[[ ! -e $WORK/damaged ]] || fail "an abandoned restore left a partial archive behind"
cp "$WORK/victim.copy" "$victim"

# A deleted object is found by verify; the next backup uploads it again.
rm -f "${victim2%_object}"*
expect_exit 1 D backup verify "${FROM[@]}" --json
jq -r '.problems[].message' "$WORK/last.out" | grep -q "missing from the bucket" || fail "deleted object not found"
expect_output_contains "${ids[1]}"
expect_exit 0 D backup "${TO[@]}" --json
[[ $(jq .blobs_uploaded "$WORK/last.out") == 1 ]] || fail "backup did not re-upload exactly the deleted object"
expect_exit 0 D backup verify "${FROM[@]}" --read-data

# Passphrase backups (scrypt) in another prefix; a wrong passphrase fails clearly.
PASS=(--endpoint "$S3_ENDPOINT" --passphrase-env BACKUP_PASS)
expect_exit 0 D backup --to s3://backups/pass "${PASS[@]}"
expect_exit 0 D backup verify --from s3://backups/pass "${PASS[@]}" --read-data
BACKUP_PASS="alta parola" expect_exit 1 D backup verify --from s3://backups/pass "${PASS[@]}"
expect_output_contains "the key does not open this backup"

# Retention: generations 1-4 exist after this run; --keep 2 deletes 1 and 2 and
# only the objects neither 3 nor 4 names (their catalogue snapshots).
expect_exit 0 D add-version 2 "$WORK/gen2/doc-00001.pdf"
expect_exit 0 D backup "${TO[@]}" --keep 2 --json
[[ $(jq -c .generations_pruned "$WORK/last.out") == "[1,2]" ]] || fail "--keep 2 did not prune generations 1 and 2"
(( $(jq .objects_deleted "$WORK/last.out") >= 1 )) || fail "--keep 2 deleted no unreferenced object"
[[ $(find "$BUCKET_DIR/manifests" -name '*._S3rver_object' | wc -l) == 2 ]] || fail "--keep 2 did not leave 2 manifests"
expect_exit 0 D backup verify "${FROM[@]}" --read-data --at 3
expect_exit 0 D backup verify "${FROM[@]}" --read-data --at 4
expect_exit 1 D backup verify "${FROM[@]}" --at 1
expect_output_contains "has no generation 1"

# A backup killed half-way leaves no manifest, and the next run resumes.
"$MAKE_SAMPLES" "$WORK/many" 300 30000 >/dev/null
expect_exit 0 D ingest --no-ocr "$WORK/many"
KILLED=(--to s3://backups/killed --endpoint "$S3_ENDPOINT" --key-file "$KEY")
"$DOSAR" backup "${KILLED[@]}" --jobs 1 >"$WORK/killed.out" 2>&1 &
pid=$!
count_killed() { find "$WORK/s3data/backups/killed/data" -name '*._S3rver_object' 2>/dev/null | wc -l; }
for _ in $(seq 1 600); do
  (( $(count_killed) >= 40 )) && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.05
done
kill -9 $pid 2>/dev/null || fail "the backup ended before it could be killed: $(cat "$WORK/killed.out")"
wait $pid 2>/dev/null || true
uploaded_before_kill=$(count_killed)
[[ -z $(find "$WORK/s3data/backups/killed" -path '*manifests*' -name '*._S3rver_object') ]] ||
  fail "an interrupted backup left a manifest"
expect_exit 1 D backup verify --from s3://backups/killed --endpoint "$S3_ENDPOINT" --key-file "$KEY"
expect_output_contains "no complete backup generation"
total=$(find "$DOSAR_ARCHIVE/blobs" -type f | wc -l)
expect_exit 0 D backup "${KILLED[@]}" --json
[[ $(jq .generation "$WORK/last.out") == 1 ]] || fail "the resumed backup is not generation 1"
there=$(jq .blobs_already_there "$WORK/last.out")
(( there >= uploaded_before_kill - 2 && there > 0 )) || fail "resume re-uploaded what was there ($there reused, $uploaded_before_kill uploaded before the kill)"
[[ $(jq .blobs_uploaded "$WORK/last.out") == $((total - there)) ]] || fail "resume did not upload exactly the rest"
expect_exit 0 D backup verify --from s3://backups/killed --endpoint "$S3_ENDPOINT" --key-file "$KEY" --read-data
finish
