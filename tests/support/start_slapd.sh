#!/usr/bin/env bash
# Starts Debian's slapd on loopback for the LDAP sign-in tests (issue 7):
#   start_slapd.sh DIR CERT KEY LDAP_PORT LDAPS_PORT
# with its own slapd.conf, an MDB database under DIR and the directory
#   dc=test,dc=ro
#     ou=people: uid=ana, uid=andrei, uid=bogdan (passwords "ana-ldap-parola", …)
#     cn=dosar-svc: the service account that searches (password "svc-parola")
# listening on ldap://127.0.0.1:LDAP_PORT (StartTLS offered) and
# ldaps://127.0.0.1:LDAPS_PORT, with CERT/KEY as its TLS certificate. Returns
# once both answer; DIR/slapd.pid holds the process id (kill it to stop).
set -euo pipefail
DIR=${1:?usage: start_slapd.sh DIR CERT KEY LDAP_PORT LDAPS_PORT}
CERT=${2:?} KEY=${3:?} LDAP_PORT=${4:?} LDAPS_PORT=${5:?}
SLAPD=/usr/sbin/slapd
SLAPADD=/usr/sbin/slapadd
mkdir -p "$DIR/db"

cat >"$DIR/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $DIR/slapd.pid
argsfile $DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile $CERT
TLSCertificateKeyFile $KEY
# No simple bind without TLS (ssf 0 = cleartext) is accepted at all.
security simple_bind=128
access to attrs=userPassword by anonymous auth by * none
access to * by * read
database mdb
maxsize 10485760
suffix "dc=test,dc=ro"
rootdn "cn=admin,dc=test,dc=ro"
directory $DIR/db
CONF

cat >"$DIR/users.ldif" <<'LDIF'
dn: dc=test,dc=ro
objectClass: dcObject
objectClass: organization
dc: test
o: Primaria Test

dn: ou=people,dc=test,dc=ro
objectClass: organizationalUnit
ou: people

dn: uid=ana,ou=people,dc=test,dc=ro
objectClass: inetOrgPerson
uid: ana
cn: Ana Popescu
sn: Popescu
userPassword: ana-ldap-parola

dn: uid=andrei,ou=people,dc=test,dc=ro
objectClass: inetOrgPerson
uid: andrei
cn: Andrei Ionescu
sn: Ionescu
userPassword: andrei-ldap-parola

dn: uid=bogdan,ou=people,dc=test,dc=ro
objectClass: inetOrgPerson
uid: bogdan
cn: Bogdan Marin
sn: Marin
userPassword: bogdan-ldap-parola

dn: cn=dosar-svc,dc=test,dc=ro
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: dosar-svc
userPassword: svc-parola
LDIF

"$SLAPADD" -q -f "$DIR/slapd.conf" -l "$DIR/users.ldif" >"$DIR/slapadd.log" 2>&1 ||
  { cat "$DIR/slapadd.log" >&2; exit 1; }
"$SLAPD" -f "$DIR/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/" \
  >"$DIR/slapd.log" 2>&1 || { cat "$DIR/slapd.log" >&2; exit 1; }
for _ in $(seq 100); do
  if [[ -s $DIR/slapd.pid ]] && (exec 3<>"/dev/tcp/127.0.0.1/$LDAP_PORT") 2>/dev/null &&
    (exec 3<>"/dev/tcp/127.0.0.1/$LDAPS_PORT") 2>/dev/null; then
    exit 0
  fi
  sleep 0.05
done
echo "slapd did not start listening on $LDAP_PORT/$LDAPS_PORT" >&2
cat "$DIR/slapd.log" >&2
exit 1
