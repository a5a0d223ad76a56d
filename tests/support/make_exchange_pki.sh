#!/usr/bin/env bash
# Makes the PKI of the exchange tests (issue 12) with the `openssl` command:
#   make_exchange_pki.sh DIR
# DIR/ca.pem, DIR/trust/ca.pem          the institutions' CA (trust store of seals and of TLS)
# DIR/trust/ca.crl.pem                  its current CRL (none revoked): a seal verifies offline only
#                                       when its certificate's revocation status is known (issue 5)
# DIR/a.p12, DIR/b.p12                  seals of institution A (O=Primăria Municipiului Test) and
#                                       B (O=Direcția de Asistență Socială Test); password "test"
# DIR/a-tls.pem|key, DIR/b-tls.pem|key  their TLS certificates (127.0.0.1; serverAuth and clientAuth)
# DIR/rogue-ca.pem                      another CA, trusted by no one
# DIR/rogue.p12, DIR/rogue-tls.pem|key  an institution of that CA (O=Instituția Necunoscută)
# DIR/noorg.p12                         a seal of the trusted CA whose certificate names no O
# All keys are ECDSA P-256, so that the whole runs in well under a second.
set -euo pipefail
DIR=${1:?usage: make_exchange_pki.sh DIR}
mkdir -p "$DIR/trust"
cd "$DIR"

cat >ext.cnf <<'CNF'
[x_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[x_seal]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[x_tls]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # NAME SUBJECT
  key "$1.key"
  openssl req -new -x509 -utf8 -key "$1.key" -subj "$2" -days 3650 -out "$1.pem" \
    -extensions x_ca -config <(cat /etc/ssl/openssl.cnf ext.cnf) 2>/dev/null
}

issue() {  # NAME SUBJECT CA EXTENSION
  key "$1.key"
  openssl req -new -utf8 -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 825 \
    -extfile ext.cnf -extensions "x_$4" -out "$1.pem" 2>/dev/null
}

seal() {  # NAME SUBJECT CA
  issue "$1" "$2" "$3" seal
  openssl pkcs12 -export -inkey "$1.key" -in "$1.pem" -certfile "$3.pem" -passout pass:test -out "$1.p12"
}

ca ca "/C=RO/O=Autoritatea de Certificare Test/CN=CA Test"
ca rogue-ca "/C=RO/O=Altă Autoritate/CN=CA Necunoscut"
cp ca.pem trust/ca.pem
# `openssl ca -gencrl` needs only an (empty) index and a CRL number.
mkdir -p ca.db
: >ca.db/index.txt
echo 1000 >ca.db/crlnumber
cat >ca-crl.cnf <<'CNF'
[ca]
default_ca = this
[this]
database = ca.db/index.txt
crlnumber = ca.db/crlnumber
certificate = ca.pem
private_key = ca.key
default_md = sha256
default_crl_days = 30
CNF
openssl ca -batch -config ca-crl.cnf -gencrl -out trust/ca.crl.pem 2>/dev/null
seal a "/C=RO/O=Primăria Municipiului Test/CN=Sigiliu Primăria Municipiului Test" ca
seal b "/C=RO/O=Direcția de Asistență Socială Test/CN=Sigiliu DAS Test" ca
seal rogue "/C=RO/O=Instituția Necunoscută/CN=Sigiliu necunoscut" rogue-ca
seal noorg "/C=RO/CN=Sigiliu fără instituție" ca
for name in a b; do
  o=$(openssl x509 -in "$name.pem" -noout -subject -nameopt utf8,sep_multiline | sed -n 's/^ *O=//p')
  issue "$name-tls" "/C=RO/O=$o/CN=127.0.0.1" ca tls
done
issue rogue-tls "/C=RO/O=Instituția Necunoscută/CN=127.0.0.1" rogue-ca tls
