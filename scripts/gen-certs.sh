#!/usr/bin/env bash
# Generate throw-away TLS material for the Kafka security-front tests.
#
#   scripts/gen-certs.sh DIR
#
# Produces (in DIR):
#   ca.pem / ca.key                 test CA
#   server.pem / server.key         server cert (CN localhost, SAN DNS:localhost, IP:127.0.0.1)
#   client.pem                      client cert (CN client) signed by the test CA
#   client.key                      client key, PKCS#8 encrypted (AES-256-CBC), password "client-key-secret"
#   client-plain.key                the same client key, unencrypted
#   client.p12                      PKCS#12 keystore (client cert + key + CA), password "keystore-secret"
#   other-ca.pem / other-ca.key     an unrelated CA
#   other-client.pem / other-client.key   client cert signed by the unrelated CA
#   expired-server.pem / expired-server.key   server cert (same SANs as server.pem) that expired in 2020
#   wrong-host-server.pem / .key    server cert signed by the test CA for other.example only
#
# Idempotent: does nothing if DIR/ca.pem already exists. Test material only - never commit it.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
DIR=$1
if [ -f "$DIR/ca.pem" ]; then
    exit 0
fi
mkdir -p "$DIR"

CLIENT_KEY_PASS=client-key-secret
KEYSTORE_PASS=keystore-secret

# Build everything in a scratch dir next to DIR and move it in at the end, so a
# concurrent/aborted run never leaves a half-populated DIR with ca.pem present.
WORK=$(mktemp -d "$DIR/.gen-certs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

DAYS=3650
export OPENSSL_CONF=/dev/null   # don't let a system openssl.cnf inject anything

newkey() { # $1 = output key file (unencrypted PKCS#8, EC P-256)
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

serial() { printf '0x%s' "$(openssl rand -hex 16)"; }

mkca() { # $1 = basename, $2 = CN
    newkey "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days "$DAYS" -subj "/O=swift-rdkafka tests/CN=$2" \
        -set_serial "$(serial)" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$1.pem" 2>/dev/null
}

# $1 = basename, $2 = CN, $3 = CA basename, $4 = extendedKeyUsage, $5 = SAN (or "")
mkleaf() {
    newkey "$1.key"
    local args=(-addext "basicConstraints=critical,CA:FALSE"
                -addext "keyUsage=critical,digitalSignature,keyEncipherment"
                -addext "extendedKeyUsage=$4")
    if [ -n "$5" ]; then args+=(-addext "subjectAltName=$5"); fi
    openssl req -new -key "$1.key" -subj "/O=swift-rdkafka tests/CN=$2" "${args[@]}" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -set_serial "$(serial)" \
        -days "$DAYS" -sha256 -copy_extensions copy -out "$1.pem" 2>/dev/null
    rm -f "$1.csr"
}

SERVER_SAN="DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"

mkca ca "swift-rdkafka test CA"
mkca other-ca "swift-rdkafka UNTRUSTED other CA"
mkleaf server localhost ca serverAuth "$SERVER_SAN"
mkleaf client client ca clientAuth ""
mkleaf other-client other-client other-ca clientAuth ""
mkleaf wrong-host-server other.example ca serverAuth "DNS:other.example"

mv client.key client-plain.key
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in client-plain.key \
    -passout "pass:$CLIENT_KEY_PASS" -out client.key 2>/dev/null

openssl pkcs12 -export -name client -in client.pem -inkey client-plain.key -certfile ca.pem \
    -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -iter 2048 \
    -passout "pass:$KEYSTORE_PASS" -out client.p12 2>/dev/null

# Expired server certificate (validity 2020-01-01 .. 2020-01-02) via `openssl ca`,
# which is the only way OpenSSL 3.0 lets us choose explicit dates.
newkey expired-server.key
openssl req -new -key expired-server.key -subj "/O=swift-rdkafka tests/CN=localhost" \
    -addext "subjectAltName=$SERVER_SAN" -addext "extendedKeyUsage=serverAuth" \
    -out expired-server.csr 2>/dev/null
mkdir -p ca-db && : > ca-db/index.txt && openssl rand -hex 16 > ca-db/serial
cat > ca-db/ca.cnf <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $WORK/ca-db/index.txt
new_certs_dir = $WORK/ca-db
serial = $WORK/ca-db/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
organizationName = optional
EOF
openssl ca -batch -config ca-db/ca.cnf -cert ca.pem -keyfile ca.key -notext \
    -startdate 20200101000000Z -enddate 20200102000000Z \
    -in expired-server.csr -out expired-server.pem >/dev/null 2>&1
rm -rf ca-db expired-server.csr

chmod 600 ./*.key client.p12
chmod 644 ./*.pem
mv ./*.pem ./*.key client.p12 "$DIR"/
