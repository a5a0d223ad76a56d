# The catalogue on a real PostgreSQL server through the real binary (issue
# 13 item 1): `--catalog postgresql://…` at init, recorded in the archive's
# config.json; ingest, show, search, check and audit verify with the rows in
# PostgreSQL; the beneficiary's file with its access records, from the CLI
# and the web; a wrong or malformed --catalog and a stopped server each get a
# clear error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postgres.sh"

D() { "$DOSAR" "$@"; }

start_postgres
CATALOG=$(new_database dosar_e2e)

expect_exit 0 D --catalog "$CATALOG" init
[[ ! -e $DOSAR_ARCHIVE/catalog.sqlite ]] || fail "init made a SQLite catalogue beside the PostgreSQL one"
[[ $(jq -r .catalog "$DOSAR_ARCHIVE/config.json") == "$CATALOG" ]] || fail "config.json does not name the catalogue"
[[ $(stat -c %a "$DOSAR_ARCHIVE/config.json") == 600 ]] || fail "config.json (it may hold a password) is not 600"
expect_exit 1 D --archive "$WORK/second" --catalog "$CATALOG" init
expect_output_contains "already holds a Dosar catalogue"

# Later commands find the catalogue through config.json, with or without --catalog.
expect_exit 0 D ingest --department DGASPC --type cerere "$SOURCE_DIR/samples/documents/cerere-ancheta-sociala.pdf"
expect_exit 0 D ingest --department Registratură "$SOURCE_DIR/samples/documents"
count=$(D list --json | jq length)
[[ $count -ge 4 ]] || fail "expected the samples to be stored, got $count documents"
[[ $(psql -tA "$CATALOG" -c 'SELECT COUNT(*) FROM documents') == "$count" ]] || fail "the documents are not in PostgreSQL"
id=$(D list --json | jq '.[] | select(.title == "cerere-ancheta-sociala") | .id')
[[ -n $id ]] || fail "the request is not listed"
expect_exit 0 D --catalog "$CATALOG" show "$id" --json
[[ $(jq -r .current.original_name "$WORK/last.out") == "cerere-ancheta-sociala.pdf" ]] || fail "show: wrong original name"
expect_exit 0 D search --json ancheta
[[ $(jq .total "$WORK/last.out") -ge 1 ]] || fail "search does not find the request"
expect_exit 0 D check
expect_exit 0 D audit verify
[[ $(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM audit WHERE action = 'document.create'") == "$count" ]] ||
  fail "one audit row per document expected in PostgreSQL"

# The archive is bound to its catalogue; a malformed --catalog is a usage error.
expect_exit 1 D --catalog "sqlite:$WORK/other.sqlite" list
expect_output_contains "its catalogue is postgresql://"
expect_exit 2 D --catalog "mysql://localhost/dosar" list
expect_output_contains "give sqlite:PATH or a PostgreSQL URI"

# The beneficiary's file on PostgreSQL: a person, a document linked to them
# whose reads (show, search, the web's document route) need a purpose and
# go into the person's access records.
export DOSAR_TEST_PASSWORD="parola-de-test-1"
expect_exit 0 D user add ana --departments DGASPC --restricted --password-env DOSAR_TEST_PASSWORD
export DOSAR_USER=ana
ion=$(D person add --name "Ion Popescu" --cnp 1800101400016 --json | jq -r .id)
[[ $ion =~ ^[0-9]+$ ]] || fail "person add did not print an id ($ion)"
[[ $(psql -tA "$CATALOG" -c 'SELECT COUNT(*) FROM persons') == 1 ]] || fail "the person is not in PostgreSQL"
expect_exit 0 D person link "$ion" --document "$id"
expect_exit 1 D show "$id"
expect_output_contains "document $id: is in the file of a person: reading it needs --purpose P"
expect_exit 0 D show "$id" --purpose evaluare --json
[[ $(jq -r .id "$WORK/last.out") == "$id" ]] || fail "show with a purpose"
expect_exit 0 D search ancheta --json
jq -e --argjson id "$id" '.hits | map(select(.id == $id)) | .[0].snippet_withheld' "$WORK/last.out" >/dev/null ||
  fail "a snippet of a document in a person's file shown without a purpose: $(cat "$WORK/last.out")"
expect_exit 0 D search ancheta --purpose control --json
jq -e --argjson id "$id" '.hits | map(select(.id == $id)) | .[0].snippet != ""' "$WORK/last.out" >/dev/null ||
  fail "the snippet is withheld despite a purpose"

serve_archive / --no-ocr
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; stop_postgres; rm -rf "$WORK"' EXIT
status=$(curl -s -c "$WORK/cookies" -o "$WORK/sign-in.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"username":"ana","password":"parola-de-test-1"}' "http://127.0.0.1:$PORT/api/v1/session")
[[ $status == 200 ]] || fail "sign-in answered $status: $(cat "$WORK/sign-in.json")"
status=$(curl -s -b "$WORK/cookies" -o "$WORK/web-doc.json" -w '%{http_code}' \
  "http://127.0.0.1:$PORT/api/v1/documents/$id?purpose=anchet%C4%83-social%C4%83")
[[ $status == 200 && $(jq -r .id "$WORK/web-doc.json") == "$id" ]] ||
  fail "the web's document route answered $status: $(cat "$WORK/web-doc.json")"
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
trap 'stop_postgres; rm -rf "$WORK"' EXIT

expect_exit 0 D person access-report "$ion" --json
for read in "ana|evaluare|document $id (show)" "ana|control|document $id (search hit)" \
            "ana|anchetă-socială|document $id (record)"; do
  jq -e --arg r "$read" '.accesses | map(select("\(.user)|\(.purpose)|\(.what)" == $r)) | length == 1' \
    "$WORK/last.out" >/dev/null || fail "the read '$read' is not recorded: $(cat "$WORK/last.out")"
done
[[ $(psql -tA "$CATALOG" -c "SELECT COUNT(*) FROM person_access WHERE person_id = $ion") -ge 3 ]] ||
  fail "the access records are not in PostgreSQL"

# A stopped server: a clear error naming it, nothing changed; then work goes on.
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
expect_exit 1 D list
expect_output_contains "postgresql server $PG_DIR:5432 database dosar_e2e"
restart_postgres 2>/dev/null || runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
  -w -t 60 -o "-k $PG_DIR -p 5432 -c listen_addresses= -c fsync=off" start >/dev/null
[[ $(D list --json | jq length) == "$count" ]] || fail "documents changed across the server's restart"
expect_exit 0 D check --quick

finish
