# Starts a real PostgreSQL server for an end-to-end suite, as the unit tests'
# tests/support/postgres_server.h does: initdb in a directory of its own, run
# as the unprivileged `postgres` user (the suites run as root, which
# PostgreSQL refuses), on a Unix socket in that directory only, no TCP.
# Source after lib.sh. `start_postgres` sets PG_DIR and PG_ADMIN (a URI of
# the `postgres` database); `new_database NAME` creates one and prints its
# URI; the server stops with the suite.
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR=

stop_postgres() {
  if [[ -n $PG_DIR && -f $PG_DIR/data/postmaster.pid ]]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [[ -n $PG_DIR ]] && rm -rf "$PG_DIR"
  PG_DIR=
}

start_postgres() {
  id postgres >/dev/null 2>&1 || { echo "FAIL: no postgres user (scripts/install-deps.sh test installs postgresql)" >&2; exit 1; }
  PG_DIR=$(mktemp -d /tmp/dosar-pg-XXXXXX)
  chown postgres: "$PG_DIR"
  trap 'stop_postgres; rm -rf "$WORK"' EXIT
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -N \
    >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; echo "initdb failed" >&2; exit 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-k $PG_DIR -p 5432 -c listen_addresses= -c fsync=off" start >/dev/null ||
    { cat "$PG_DIR/server.log" >&2; echo "the PostgreSQL server did not start" >&2; exit 1; }
  PG_ADMIN="postgresql:///postgres?host=$PG_DIR&port=5432&user=postgres"
}

# restart_postgres: fast shutdown (sessions cut) and start on the same data.
restart_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -m fast -w -t 60 \
    -o "-k $PG_DIR -p 5432 -c listen_addresses= -c fsync=off" restart >/dev/null
}

new_database() {
  psql -q "$PG_ADMIN" -c "CREATE DATABASE $1" >/dev/null
  echo "postgresql:///$1?host=$PG_DIR&port=5432&user=postgres"
}
