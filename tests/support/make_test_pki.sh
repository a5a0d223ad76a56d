#!/usr/bin/env bash
# Makes the test PKI of the signing tests with the `openssl` command:
#   make_test_pki.sh DIR
# DIR/root.pem, DIR/int.pem             root CA and intermediate CA
# DIR/rsa.p12, DIR/ec.p12, DIR/p384.p12 signers (RSA-2048, ECDSA P-256, P-384), chain included
# DIR/expired.p12                       valid 2020-01-01 .. 2021-01-01
# DIR/revoked.p12                       revoked in DIR/int.crl.pem
# DIR/selfsigned.p12                    not issued by the test root
# DIR/nokeyusage.p12                    key usage keyEncipherment only
# DIR/qualified.p12                     qcStatements: QcCompliance and QcSSCD (a qualified certificate, key on a QSCD)
# DIR/tsa.pem, DIR/tsa.key              TSA, critical extendedKeyUsage timeStamping
# DIR/backdated.p12                    valid from 400 days ago, revoked 30 days ago (validation --at a past time);
#                                       root and intermediate are valid from 400 days ago too
# DIR/tsa-revoked.{pem,key}             a TSA revoked in DIR/int.crl.pem (its timestamps prove no time)
# DIR/short.p12, DIR/tsa-short.{pem,key} a signer and a TSA valid for 2 days only: validation "years
#                                       later" (after they expired) runs with a later validation time
# DIR/ocsp.pem, DIR/ocsp.key            OCSP responder of the intermediate (critical OCSPSigning);
#                                       with OCSP_URL=... in the environment, signers and the TSA name it in their AIA
#                                       with CRL_URL=... they and the intermediate name CRL distribution
#                                       points CRL_URL/int.crl and CRL_URL/root.crl (DIR/int.crl, DIR/root.crl: DER)
# DIR/trust/                            root.pem only
# DIR/trust-crl/                        root.pem + the CRLs of root and intermediate
# DIR/ca-chain.pem                      root + intermediate, for `openssl cms -verify -CAfile`
# Every PKCS#12 password is "test". Only the RSA signer has an RSA key (the
# CAs and the others are P-256), so that it runs in well under a second.
set -euo pipefail
DIR=${1:?usage: make_test_pki.sh DIR}
mkdir -p "$DIR"
cd "$DIR"

cat >ext.cnf <<'CNF'
[ca_root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca_int]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[nokeyusage]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[qualified]
basicConstraints = CA:false
keyUsage = critical, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qc_statements
[qc_statements]
compliance = SEQUENCE:qc_compliance
sscd = SEQUENCE:qc_sscd
[qc_compliance]
id = OID:0.4.0.1862.1.1
[qc_sscd]
id = OID:0.4.0.1862.1.4
[ocsp]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
# With OCSP_URL set, signer and TSA certificates name that OCSP responder (AIA).
if [[ -n ${OCSP_URL:-} ]]; then
  sed -i "/^\[signer\]$/a authorityInfoAccess = OCSP;URI:$OCSP_URL" ext.cnf
  sed -i "/^\[tsa\]$/a authorityInfoAccess = OCSP;URI:$OCSP_URL" ext.cnf
fi

# With CRL_URL set, signers, the TSA and the intermediate name where their CA's CRL is.
if [[ -n ${CRL_URL:-} ]]; then
  sed -i "/^\[signer\]$/a crlDistributionPoints = URI:$CRL_URL/int.crl" ext.cnf
  sed -i "/^\[tsa\]$/a crlDistributionPoints = URI:$CRL_URL/int.crl" ext.cnf
  sed -i "/^\[ca_int\]$/a crlDistributionPoints = URI:$CRL_URL/root.crl" ext.cnf
fi

# A minimal `openssl ca` setup per CA: it keeps the index that CRLs need.
make_ca_config() {  # NAME
  mkdir -p "$1.db/new"
  : >"$1.db/index.txt"
  echo 1000 >"$1.db/serial"
  echo 1000 >"$1.db/crlnumber"
  cat >"$1.cnf" <<CNF
[ca]
default_ca = this
[this]
dir = $DIR/$1.db
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $DIR/$1.pem
private_key = $DIR/$1.key
default_md = sha256
default_days = 3650
default_crl_days = 30
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
CNF
}

key() {  # FILE rsa|ec|p384
  case $2 in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
    p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
  esac
}

issue() {  # CA NAME CN EXTENSIONS KEYTYPE [openssl ca date options...]
  local ca=$1 name=$2 cn=$3 ext=$4 type=$5
  shift 5
  key "$name.key" "$type"
  openssl req -new -utf8 -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
  openssl ca -batch -config "$ca.cnf" -extfile ext.cnf -extensions "$ext" -notext \
    -in "$name.csr" -out "$name.pem" "$@" 2>/dev/null
}

p12() {  # NAME [CHAIN_FILE]
  local chain=()
  [[ -n ${2:-} ]] && chain=(-certfile "$2")
  openssl pkcs12 -export -inkey "$1.key" -in "$1.pem" "${chain[@]}" -passout pass:test -out "$1.p12"
}

# Validation as of a past time (dosar verify --at) needs a chain valid then.
PAST=$(date -u -d "-400 days" +%Y%m%d%H%M%SZ)
UNTIL=$(date -u -d "+3650 days" +%Y%m%d%H%M%SZ)
key root.key ec
make_ca_config root
openssl req -new -key root.key -subj "/CN=Dosar Test Root CA" -out root.csr
openssl ca -batch -selfsign -config root.cnf -keyfile root.key -extfile ext.cnf -extensions ca_root -notext \
  -startdate "$PAST" -enddate "$UNTIL" -in root.csr -out root.pem 2>/dev/null
issue root int "Dosar Test Intermediate CA" ca_int ec -startdate "$PAST" -enddate "$UNTIL"
make_ca_config int
cat int.pem >chain-int.pem

issue int rsa "Ion Popescu (RSA)" signer rsa
issue int ec "Maria Ionescu (ECDSA)" signer ec
issue int p384 "Andrei Pop (P-384)" signer p384
issue int expired "Expired Signer" signer ec -startdate 20200101000000Z -enddate 20210101000000Z
issue int revoked "Revoked Signer" signer ec
issue int nokeyusage "No Key Usage Signer" nokeyusage ec
issue int tsa "Dosar Test TSA" tsa ec
issue int tsa-revoked "Dosar Revoked TSA" tsa ec
issue int backdated "Backdated Signer" signer ec -startdate "$PAST" -enddate "$UNTIL"
issue int qualified "Elena Calificat (QSCD)" qualified ec
issue int romanian "Ștefan Țărănescu" signer ec  # the visible stamp's diacritics (issue 5)
issue int ocsp "Dosar Test OCSP" ocsp ec
issue int short "Short Lived Signer" signer ec -days 2
issue int tsa-short "Dosar Short Lived TSA" tsa ec -days 2
for n in rsa ec p384 expired revoked nokeyusage qualified romanian short backdated; do p12 "$n" chain-int.pem; done

key selfsigned.key ec
openssl req -x509 -new -key selfsigned.key -subj "/CN=Self Signed" -days 365 \
  -config ext.cnf -extensions signer -out selfsigned.pem 2>/dev/null
p12 selfsigned

openssl ca -batch -config int.cnf -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config int.cnf -revoke tsa-revoked.pem -crl_reason keyCompromise 2>/dev/null
# Revoked 30 days ago: `openssl ca` writes the revocation time into its index, which gencrl reads.
openssl ca -batch -config int.cnf -revoke backdated.pem -crl_reason superseded 2>/dev/null
BACKDATED_SERIAL=$(openssl x509 -in backdated.pem -noout -serial | cut -d= -f2)
REVOKED_AT=$(date -u -d "-30 days" +%y%m%d%H%M%SZ)
awk -v serial="$BACKDATED_SERIAL" -v at="$REVOKED_AT" 'BEGIN { FS = OFS = "\t" }
  $4 == serial { split($3, parts, ","); $3 = at "," parts[2] } { print }' int.db/index.txt >int.db/index.new
mv int.db/index.new int.db/index.txt
openssl ca -batch -config int.cnf -gencrl -out int.crl.pem 2>/dev/null
openssl ca -batch -config root.cnf -gencrl -out root.crl.pem 2>/dev/null
openssl crl -in int.crl.pem -outform DER -out int.crl
openssl crl -in root.crl.pem -outform DER -out root.crl

mkdir -p trust trust-crl
cp root.pem trust/
cp root.pem root.crl.pem int.crl.pem trust-crl/
cat root.pem int.pem >ca-chain.pem
