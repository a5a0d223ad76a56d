# The catalogue on a real PostgreSQL server through the real binary (issue
# 13 item 1): `--catalog postgresql://…` at init, recorded in the archive's
# config.json; ingest, show, search, check and audit verify with the rows in
# PostgreSQL; a wrong or malformed --catalog, a stopped server and a store
# not yet ported each get a clear error.
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

# Stores not yet ported refuse rather than run untested SQL.
expect_exit 1 D person add --name "Ion Popescu" --cnp 1800101221144
expect_output_contains "persons store: is not yet available on a PostgreSQL catalogue"

# A stopped server: a clear error naming it, nothing changed; then work goes on.
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
expect_exit 1 D list
expect_output_contains "postgresql server $PG_DIR:5432 database dosar_e2e"
restart_postgres 2>/dev/null || runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
  -w -t 60 -o "-k $PG_DIR -p 5432 -c listen_addresses= -c fsync=off" start >/dev/null
[[ $(D list --json | jq length) == "$count" ]] || fail "documents changed across the server's restart"
expect_exit 0 D check --quick

finish
