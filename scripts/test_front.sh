#!/usr/bin/env bash
# Self-check for scripts/kafka_front.py using kcat (librdkafka 2.0.2).
#
#   scripts/test_front.sh            # noida-db upstream + librdkafka mock cluster upstream
#   NO_MOCK=1 scripts/test_front.sh  # skip the mock-cluster part
#
# Prints one PASS/FAIL line per check; exit status = number of failures (0 = all good).
# Everything lives in a temp dir that is removed at exit; only processes started here are killed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
FRONT="$HERE/kafka_front.py"
WORK=$(mktemp -d /tmp/kafka-front-test.XXXXXX)
PIDS=()
FAILS=0
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1"; [ $# -gt 1 ] && echo "$2" | head -5 | sed 's/^/      | /'; FAILS=$((FAILS + 1)); }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { # host port timeout_s
    python3 - "$@" <<'EOF'
import socket, sys, time
h, p, t = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + t
while time.time() < end:
    try:
        socket.create_connection((h, p), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

CERTS="$WORK/certs"
"$HERE/gen-certs.sh" "$CERTS" || { echo "gen-certs.sh failed"; exit 1; }
printf 'alice:alice-secret\n' > "$WORK/users"

# start_front NAME UPSTREAM [extra args...]  -> sets READY_<NAME> file
start_front() {
    local name=$1 up=$2; shift 2
    python3 "$FRONT" --upstream "$up" --certs "$CERTS" --users "$WORK/users" \
        --ready-file "$WORK/$name.ready" --log "$WORK/$name.log" "$@" 2>>"$WORK/$name.log" &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$WORK/$name.ready" ] && return 0; sleep 0.05; done
    echo "front $name did not become ready"; cat "$WORK/$name.log"; exit 1
}
addr() { grep "^$2=" "$WORK/$1.ready" | head -1 | cut -d= -f2; }

# ---- client configs (kcat -X ...) ----
K="kcat -m 5"
CA="-X ssl.ca.location=$CERTS/ca.pem"
SSL_PEM="-X security.protocol=SSL $CA -X ssl.certificate.location=$CERTS/client.pem -X ssl.key.location=$CERTS/client.key -X ssl.key.password=client-key-secret"
SSL_P12="-X security.protocol=SSL $CA -X ssl.keystore.location=$CERTS/client.p12 -X ssl.keystore.password=keystore-secret"
sasl() { echo "-X security.protocol=$1 -X sasl.mechanism=$2 -X sasl.username=alice -X sasl.password=${3:-alice-secret}"; }

# roundtrip NAME BROKER TOPIC CLIENT_ARGS...: produce one unique message, consume it back.
roundtrip() {
    local name=$1 broker=$2 topic=$3; shift 3
    local msg="msg-$name-$RANDOM$RANDOM" out
    out=$(echo "$msg" | timeout 30 $K -b "$broker" "$@" -P -t "$topic" 2>&1) || { fail "$name (produce)" "$out"; return; }
    out=$(timeout 30 $K -b "$broker" "$@" -C -t "$topic" -o beginning -e -q 2>&1)
    if grep -qx "$msg" <<<"$out"; then pass "$name"; else fail "$name (consume)" "$out"; fi
}

# expect_error NAME PATTERN BROKER CLIENT_ARGS...: kcat -L must fail and print PATTERN.
expect_error() {
    local name=$1 pat=$2 broker=$3; shift 3
    local out t0 t1
    t0=$(date +%s%N)
    out=$(timeout 30 kcat -m 3 -b "$broker" "$@" -L 2>&1)
    local rc=$?
    t1=$(date +%s%N)
    local first
    first=$(grep -m1 -E '\|FAIL\||ERROR' <<<"$out" | sed -E 's/^%[0-9]\|[0-9.]+\|FAIL\|[^ ]+ \[[^]]*\]: //')
    if [ $rc -ne 0 ] && grep -qE "$pat" <<<"$out"; then
        pass "$name  ($(( (t1 - t0) / 1000000 )) ms incl. kcat -m 3)"
        echo "      librdkafka: $first"
    else
        fail "$name (rc=$rc, wanted /$pat/)" "$out"
    fi
}

# metadata_check NAME BROKER NBROKERS FORBIDDEN_PORTS CLIENT_ARGS...
metadata_check() {
    local name=$1 broker=$2 n=$3 forbidden=$4; shift 4
    local out lines bad=""
    out=$(timeout 30 $K -b "$broker" "$@" -L 2>&1)
    lines=$(grep -E '^  broker [0-9]+ at ' <<<"$out")
    for p in $forbidden; do grep -q ":$p\b" <<<"$lines" && bad="upstream port $p leaked"; done
    grep -vqE 'at 127\.0\.0\.1:[0-9]+' <<<"$lines" && bad="non-127.0.0.1 host"
    if [ "$(grep -c . <<<"$lines")" -eq "$n" ] && [ -z "$bad" ]; then
        pass "$name: $(echo $lines | sed 's/ broker/;broker/g')"
    else
        fail "$name $bad" "$out"
    fi
}

# ======================================================================
echo "== upstream: noida-db"
NOIDA=$(python3 -c 'import noida_db,os;print(os.path.join(os.path.dirname(noida_db.__file__),"noida-db"))')
NPORT=$(free_port)
"$NOIDA" start --only kafka --kafka-port "$NPORT" --data-dir "$WORK/noida" --host 127.0.0.1 >"$WORK/noida.log" 2>&1 &
PIDS+=($!)
wait_port 127.0.0.1 "$NPORT" 30 || { echo "noida-db did not start"; cat "$WORK/noida.log"; exit 1; }

start_front main "127.0.0.1:$NPORT" --listen ssl=0 --listen sasl_plaintext=0 --listen sasl_ssl=0
sed 's/^/   ready: /' "$WORK/main.ready"
S=$(addr main ssl); SP=$(addr main sasl_plaintext); SS=$(addr main sasl_ssl)

roundtrip "SSL: CA + client cert + encrypted key"   "$S"  t_ssl   $SSL_PEM
roundtrip "SSL: PKCS#12 keystore"                   "$S"  t_ssl   $SSL_P12
roundtrip "SASL_PLAINTEXT PLAIN"                    "$SP" t_sasl  $(sasl SASL_PLAINTEXT PLAIN)
roundtrip "SASL_PLAINTEXT SCRAM-SHA-256"            "$SP" t_sasl  $(sasl SASL_PLAINTEXT SCRAM-SHA-256)
roundtrip "SASL_SSL PLAIN"                          "$SS" t_sasl  $CA $(sasl SASL_SSL PLAIN)
roundtrip "SASL_SSL SCRAM-SHA-256"                  "$SS" t_sasl  $CA $(sasl SASL_SSL SCRAM-SHA-256)
roundtrip "SASL_SSL SCRAM-SHA-512"                  "$SS" t_sasl  $CA $(sasl SASL_SSL SCRAM-SHA-512)
roundtrip "SASL_SSL SCRAM-SHA-512 + client cert"    "$SS" t_sasl  $CA -X ssl.keystore.location=$CERTS/client.p12 -X ssl.keystore.password=keystore-secret $(sasl SASL_SSL SCRAM-SHA-512)

# bulk: 20000 messages through SASL_SSL, consumer group through SSL
seq 1 20000 > "$WORK/bulk.txt"
out=$(timeout 60 $K -b "$SS" $CA $(sasl SASL_SSL SCRAM-SHA-256) -P -t t_bulk -l "$WORK/bulk.txt" 2>&1) || fail "bulk produce" "$out"
n=$(timeout 60 $K -b "$S" $SSL_PEM -G g_bulk -o beginning -e -q t_bulk 2>/dev/null | wc -l)
[ "$n" -eq 20000 ] && pass "bulk: 20000 msgs SASL_SSL produce -> SSL consumer group" || fail "bulk: got $n/20000"

metadata_check "kcat -L via ssl"            "$S"  1 "$NPORT" $SSL_PEM
metadata_check "kcat -L via sasl_plaintext" "$SP" 1 "$NPORT" $(sasl SASL_PLAINTEXT SCRAM-SHA-512)

echo "== expected failures"
expect_error "wrong password, SASL_SSL SCRAM-SHA-256" "Authentication failed: invalid credentials" "$SS" $CA $(sasl SASL_SSL SCRAM-SHA-256 wrong)
expect_error "wrong password, SASL_SSL SCRAM-SHA-512" "Authentication failed: invalid credentials" "$SS" $CA $(sasl SASL_SSL SCRAM-SHA-512 wrong)
expect_error "wrong password, SASL_PLAINTEXT PLAIN"   "Authentication failed: invalid credentials" "$SP" $(sasl SASL_PLAINTEXT PLAIN wrong)
expect_error "unknown user, SASL_PLAINTEXT SCRAM"     "Authentication failed: invalid credentials" "$SP" -X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=SCRAM-SHA-256 -X sasl.username=mallory -X sasl.password=x
expect_error "untrusted CA (client trusts other-ca)"  "SSL handshake failed: .*certificate verify failed" "$SS" -X ssl.ca.location=$CERTS/other-ca.pem $(sasl SASL_SSL PLAIN)
expect_error "no CA configured (system trust store)"  "SSL handshake failed: .*certificate verify failed" "$S" -X security.protocol=SSL -X ssl.certificate.location=$CERTS/client.pem -X ssl.key.location=$CERTS/client-plain.key
expect_error "ssl listener, no client certificate"    "alert certificate required" "$S" -X security.protocol=SSL $CA
expect_error "ssl listener, other-CA client cert"     "alert unknown ca" "$S" -X security.protocol=SSL $CA -X ssl.certificate.location=$CERTS/other-client.pem -X ssl.key.location=$CERTS/other-client.key
expect_error "wrong ssl.key.password"                 "ssl.key.location|[Pp]assword|decrypt" "$S" -X security.protocol=SSL $CA -X ssl.certificate.location=$CERTS/client.pem -X ssl.key.location=$CERTS/client.key -X ssl.key.password=nope
expect_error "wrong keystore password"                "keystore|PKCS12|mac verify" "$S" -X security.protocol=SSL $CA -X ssl.keystore.location=$CERTS/client.p12 -X ssl.keystore.password=nope
expect_error "SASL_SSL client w/o cert on ssl listener" "alert certificate required" "$S" $CA $(sasl SASL_SSL PLAIN)

# A raw Metadata request before authenticating must not be forwarded: connection is closed.
if python3 - "${SP%:*}" "${SP#*:}" <<'EOF'
import socket, struct, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 5)
body = struct.pack(">hhih", 3, 1, 7, 4) + b"test" + struct.pack(">i", -1)
s.sendall(struct.pack(">i", len(body)) + body)
s.settimeout(5)
sys.exit(0 if s.recv(4) == b"" else 1)
EOF
then pass "unauthenticated Metadata on sasl_plaintext => connection closed, nothing forwarded"
else fail "unauthenticated Metadata was answered"; fi

echo "== variants: TLS 1.2 mTLS listener + legacy SaslHandshake v0; expired server cert"
start_front v12 "127.0.0.1:$NPORT" --tls-max 1.2 --sasl-v0-only --listen ssl=0 --listen sasl_plaintext=0
expect_error "TLS1.2 ssl listener, no client certificate" "SSL handshake failed: .*alert handshake failure" "$(addr v12 ssl)" -X security.protocol=SSL $CA
expect_error "TLS1.2 ssl listener, other-CA client cert"  "SSL handshake failed: .*alert unknown ca" "$(addr v12 ssl)" -X security.protocol=SSL $CA -X ssl.certificate.location=$CERTS/other-client.pem -X ssl.key.location=$CERTS/other-client.key
roundtrip "TLS1.2 SSL: PKCS#12 keystore" "$(addr v12 ssl)" t_ssl $SSL_P12
roundtrip "SaslHandshake v0 (raw SASL) SCRAM-SHA-512" "$(addr v12 sasl_plaintext)" t_sasl $(sasl SASL_PLAINTEXT SCRAM-SHA-512)
roundtrip "SaslHandshake v0 (raw SASL) PLAIN" "$(addr v12 sasl_plaintext)" t_sasl $(sasl SASL_PLAINTEXT PLAIN)
expect_error "SaslHandshake v0 wrong password" "SASL authentication failure: Disconnected" "$(addr v12 sasl_plaintext)" $(sasl SASL_PLAINTEXT SCRAM-SHA-256 wrong)
start_front expired "127.0.0.1:$NPORT" --server-cert expired-server --listen sasl_ssl=0
expect_error "expired server certificate" "SSL handshake failed: .*certificate verify failed" "$(addr expired sasl_ssl)" $CA $(sasl SASL_SSL PLAIN)

# ======================================================================
if [ "${NO_MOCK:-0}" != 1 ]; then
    echo "== upstream: librdkafka mock cluster (3 brokers)"
    MOCKSRC="$HERE/mock-cluster.c"
    if [ ! -f "$MOCKSRC" ]; then
        MOCKSRC="$WORK/mock.c"
        cat > "$MOCKSRC" <<'EOF'
#include <stdio.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
int main(void) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 3);
    if (!mc) return 1;
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    for (;;) pause();
}
EOF
    fi
    if gcc -O1 -o "$WORK/mock" "$MOCKSRC" -lrdkafka 2>"$WORK/mock-build.log"; then
        "$WORK/mock" >"$WORK/mock.out" 2>/dev/null &
        PIDS+=($!)
        for _ in $(seq 100); do grep -qE '^[^ ]+:[0-9]+' "$WORK/mock.out" && break; sleep 0.05; done
        MB=$(grep -m1 -oE '^[^ ]+:[0-9]+(,[^ ]+:[0-9]+)*' "$WORK/mock.out")
        echo "   mock bootstraps: $MB"
        MPORTS=$(tr ',' '\n' <<<"$MB" | cut -d: -f2 | tr '\n' ' ')
        start_front mock "$MB" --listen ssl=0 --listen sasl_ssl=0
        MS=$(addr mock ssl); MSS=$(addr mock sasl_ssl)
        metadata_check "mock: kcat -L via sasl_ssl" "$MSS" 3 "$MPORTS" $CA $(sasl SASL_SSL SCRAM-SHA-256)
        metadata_check "mock: kcat -L via ssl"      "$MS"  3 "$MPORTS" $SSL_P12
        # create a 3-partition topic through the mock's auto-create (partitions spread over brokers)
        out=$(timeout 60 $K -b "$MSS" $CA $(sasl SASL_SSL SCRAM-SHA-512) -P -t m_bulk -l "$WORK/bulk.txt" 2>&1) || fail "mock bulk produce" "$out"
        n=$(timeout 60 $K -b "$MS" $SSL_PEM -C -t m_bulk -o beginning -e -q 2>/dev/null | wc -l)
        [ "$n" -eq 20000 ] && pass "mock: 20000 msgs SASL_SSL produce -> SSL consume" || fail "mock: got $n/20000"
        n=$(timeout 60 $K -b "$MSS" $CA $(sasl SASL_SSL PLAIN) -G g_mock -o beginning -e -q m_bulk 2>/dev/null | wc -l)
        [ "$n" -eq 20000 ] && pass "mock: consumer group via SASL_SSL (FindCoordinator rewrite)" || fail "mock: group got $n/20000"
        echo "   per-broker listeners: $(grep -c 'listening .* -> [^,]*$' "$WORK/mock.log") (expect 6 = 3 brokers x 2 kinds)"
    else
        fail "mock cluster build" "$(cat "$WORK/mock-build.log")"
    fi
fi

echo "== front logs: $(cat "$WORK"/*.log | grep -c 'auth OK') auth OK, $(cat "$WORK"/*.log | grep -c 'auth FAILED') auth FAILED, $(cat "$WORK"/*.log | grep -c 'TLS handshake failed') TLS handshake failures"
if grep -qi 'alice-secret' "$WORK"/*.log; then fail "password leaked into front log"; else pass "no password in front logs"; fi
echo "== $FAILS failure(s)"
exit "$FAILS"
