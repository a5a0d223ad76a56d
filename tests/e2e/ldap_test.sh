#!/usr/bin/env bash
# LDAP sign-in through the real binary (issue 7): `dosar user add --ldap`,
# the "ldap" settings of ARCHIVE/config.json and their `serve --ldap-…`
# overrides, against Debian's slapd started on loopback with the test CA
# (tests/support/start_slapd.sh). A right password opens a session; a local
# password never does; a directory whose certificate is not trusted, or
# that is down, answers 503 and signs nobody in.
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
bash "$SOURCE_DIR/tests/support/make_exchange_pki.sh" "$WORK/pki" >/dev/null
LDAP_PORT=$(free_port)
LDAPS_PORT=$(free_port)
bash "$SOURCE_DIR/tests/support/start_slapd.sh" "$WORK/slapd" "$WORK/pki/a-tls.pem" "$WORK/pki/a-tls.key" \
  "$LDAP_PORT" "$LDAPS_PORT"
stop_slapd() {
  kill "$(cat "$WORK/slapd/slapd.pid" 2>/dev/null)" 2>/dev/null || true
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$LDAPS_PORT") 2>/dev/null || return 0
    sleep 0.05
  done
}

export DOSAR_TEST_PASSWORD="parola-locala-1"
"$DOSAR" init >/dev/null
expect_exit 0 "$DOSAR" user add ana --departments Urbanism --ldap
expect_output_contains "LDAP directory's password"
expect_exit 2 "$DOSAR" user add ion --ldap --password-env DOSAR_TEST_PASSWORD
expect_exit 1 "$DOSAR" user passwd ana --password-env DOSAR_TEST_PASSWORD
expect_output_contains "signs in through LDAP"

# The settings in config.json (private: it may hold the service account's password).
cat >"$DOSAR_ARCHIVE/config.json" <<JSON
{"ldap": {"url": "ldaps://127.0.0.1:$LDAPS_PORT", "ca_file": "$WORK/pki/ca.pem",
          "bind_dn": "uid={user},ou=people,dc=test,dc=ro"}}
JSON
chmod 600 "$DOSAR_ARCHIVE/config.json"

sign_in() {  # USER PASSWORD -> HTTP status
  curl -s -o "$WORK/sign-in.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "http://127.0.0.1:$PORT/api/v1/session"
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
serve() {  # serve_archive, and slapd stopped at the end too
  serve_archive / --no-ocr "$@"
  trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; stop_slapd; rm -rf "$WORK"' EXIT
}
trap 'stop_slapd; rm -rf "$WORK"' EXIT

serve
[[ $(sign_in ana ana-ldap-parola) == 200 ]] || fail "the directory's password did not sign ana in: $(cat "$WORK/sign-in.json")"
[[ $(sign_in ana parola-locala-1) == 401 ]] || fail "a wrong password was not 401"
[[ $(sign_in 'an*' ana-ldap-parola) == 401 ]] || fail "a wildcard name was not 401"
stop_server

# A search by a service account over StartTLS, its password from the environment.
cat >"$DOSAR_ARCHIVE/config.json" <<JSON
{"ldap": {"url": "ldap://127.0.0.1:$LDAP_PORT", "ca_file": "$WORK/pki/ca.pem",
          "search_base": "ou=people,dc=test,dc=ro", "service_dn": "cn=dosar-svc,dc=test,dc=ro"}}
JSON
export SVC_PASSWORD=svc-parola
serve --ldap-service-password-env SVC_PASSWORD
[[ $(sign_in ana ana-ldap-parola) == 200 ]] || fail "the search did not find ana: $(cat "$WORK/sign-in.json")"
stop_server

# The directory's certificate is not of the CA named: refused before any bind.
serve --ldap-service-password-env SVC_PASSWORD --ldap-ca "$WORK/pki/rogue-ca.pem"
status=$(sign_in ana ana-ldap-parola)
[[ $status == 503 ]] || fail "an untrusted directory certificate gave $status, not 503"
grep -q directory_unavailable "$WORK/sign-in.json" || fail "no directory_unavailable code: $(cat "$WORK/sign-in.json")"
stop_server

# The directory down: 503, no session, and the audit says why.
serve --ldap-service-password-env SVC_PASSWORD
stop_slapd
status=$(sign_in ana ana-ldap-parola)
[[ $status == 503 ]] || fail "a stopped directory gave $status, not 503"
stop_server
"$DOSAR" audit --json | jq -e 'map(select(.action == "login.directory_unavailable")) | length >= 2' >/dev/null ||
  fail "the audit trail does not record the directory outages"

# Bad settings stop the start with the setting named.
expect_exit 1 "$DOSAR" serve --listen 127.0.0.1:0 --ldap-url "ldapi:///" --ldap-service-password-env SVC_PASSWORD
expect_output_contains "LDAP URL"
finish
