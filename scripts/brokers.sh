#!/usr/bin/env bash
# Local test brokers for swift-rdkafka.
#
#   scripts/brokers.sh start          (re)start everything, write .brokers/env
#   scripts/brokers.sh stop           stop everything, delete noida data dirs
#   scripts/brokers.sh status         show what runs (exit 0 only if all of it)
#   scripts/brokers.sh restart-noida  stop noida-db (SIGTERM, it saves its data)
#                                     and start it again on the same port and
#                                     data dir
#
# Runs, all on 127.0.0.1:
#   - a librdkafka mock cluster with 3 brokers (scripts/mock-cluster.c),
#   - noida-db (only its Kafka service) on a free port with a fresh data dir,
#   - scripts/kafka_front.py (TLS / SASL_PLAINTEXT / SASL_SSL front for noida),
#     if that file exists.
#   - scripts/schema_registry.py (a Schema Registry with basic auth, in memory).
# State lives in .brokers/ at the repo root (pid files, logs, certs, env).
set -euo pipefail

SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
SCRIPTS=$(dirname "$SCRIPT")
ROOT=$(dirname "$SCRIPTS")
RUN=$ROOT/.brokers
SASL_USER=alice
SASL_PASSWORD=alice-secret
KEY_PASSWORD=client-key-secret
REGISTRY_USER=registry-key
REGISTRY_SECRET=registry-s3cret-value
KEYSTORE_PASSWORD=keystore-secret
READY_TIMEOUT=${BROKERS_READY_TIMEOUT:-30}   # seconds, per component

log() { echo "brokers: $*"; }
warn() { echo "brokers: $*" >&2; }
die() { echo "brokers: error: $*" >&2; exit 1; }

# python3 may be a (slow) pyenv shim: resolve the real interpreter once.
py() {
    if [ -z "${PY:-}" ]; then PY=$(python3 -c 'import sys; print(sys.executable)'); fi
    "$PY" "$@"
}

# alive PID [PATTERN]: process exists, is not a zombie, and (if given) its
# command line contains PATTERN (guards against a recycled pid).
alive() {
    local pid=$1 pat=${2:-} state
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed -e 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
    [ -z "$pat" ] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pat"
}

# name -> pattern expected in its command line
pattern() {
    case $1 in
        mock) echo mock-cluster ;;
        noida) echo noida-db ;;
        front) echo kafka_front.py ;;
        registry) echo schema_registry.py ;;
    esac
}

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }

# stop_names NAME...: SIGTERM all, wait up to 3 s (noida: 10 s so it can save),
# then SIGKILL what is left. Removes the pid files.
stop_names() {
    local name pid left i
    local -a pids=()
    for name in "$@"; do
        pid=$(pid_of "$name")
        if alive "$pid" "$(pattern "$name")"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    local grace=30
    [ "$*" = noida ] && grace=100
    for ((i = 0; i < grace; i++)); do
        left=0
        for pid in "${pids[@]}"; do alive "$pid" && left=1; done
        [ $left = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if alive "$pid"; then
            warn "pid $pid ignored SIGTERM, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for name in "$@"; do rm -f "$RUN/$name.pid"; done
}

# spawn NAME LOGFILE CMD...: start CMD detached (own session, stdin from
# /dev/null, output to LOGFILE, every other inherited fd closed: the lock and
# any pipe of a caller that reads our output until EOF), record its pid.
spawn() {
    local name=$1 logf=$2
    shift 2
    (
        for fd in "/proc/$BASHPID/fd"/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec setsid "$@" </dev/null >>"$logf" 2>&1
    ) &
    echo $! >"$RUN/$name.pid"
}

# wait_until NAME DESCRIPTION TEST-CMD...: poll until TEST-CMD succeeds; fail
# if the process NAME dies or the timeout passes.
wait_until() {
    local name=$1 what=$2 pid
    shift 2
    pid=$(pid_of "$name")
    local end=$((SECONDS + READY_TIMEOUT))
    until "$@"; do
        alive "$pid" || return 1
        [ $SECONDS -lt $end ] || { warn "timed out waiting for $what"; return 1; }
        sleep 0.05
    done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

noida_bin() {
    py -c 'import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), "noida-db"))'
}

# start_noida PORT DATADIR BIN
start_noida() {
    local port=$1 dir=$2 bin=$3
    mkdir -p "$dir"
    spawn noida "$RUN/noida.log" "$bin" start --only kafka --kafka-port "$port" --data-dir "$dir" --host 127.0.0.1
    if ! wait_until noida "noida-db on port $port" port_open "$port"; then
        tail -n 20 "$RUN/noida.log" >&2 || true
        return 1
    fi
}

build_mock() {
    local src=$SCRIPTS/mock-cluster.c bin=$RUN/mock-cluster
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
        gcc -O2 -Wall "$src" -o "$bin.tmp" -lrdkafka || die "cannot compile $src"
        mv -f "$bin.tmp" "$bin"
    fi
}

# Parse kafka_front.py's ready file into "ssl sasl_plaintext sasl_ssl"
# addresses. Accepts JSON ({"ssl": "host:port"|port, ...} possibly nested under
# "listeners"), or lines like "ssl=host:port" / "ssl host:port" / "ssl://host:port".
front_addrs() {
    py - "$1" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
found = {}
def norm(v):
    v = str(v).strip()
    v = re.sub(r"^[a-z_]+://", "", v)
    return v if ":" in v else "127.0.0.1:" + v
try:
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("listeners"), (dict, list)):
        data = data["listeners"]
    if isinstance(data, list):
        data = {str(d.get("name") or d.get("protocol") or d.get("kind")).lower():
                d.get("address") or d.get("bootstrap") or d.get("port") for d in data}
    for k, v in data.items():
        found[str(k).lower()] = norm(v)
except ValueError:
    for line in text.splitlines():
        m = re.match(r"\s*(ssl|sasl_plaintext|sasl_ssl)\s*(?:=|:\s|\s|://)\s*(\S+)", line, re.I)
        if m:
            found[m.group(1).lower()] = norm(m.group(2))
        else:
            for m in re.finditer(r"(ssl|sasl_plaintext|sasl_ssl)://(\S+?)(?=[,\s]|$)", line, re.I):
                found.setdefault(m.group(1).lower(), norm(m.group(2)))
names = ("ssl", "sasl_plaintext", "sasl_ssl")
if not all(n in found for n in names):
    sys.exit("cannot parse front ready file: %r" % text[:200])
print(" ".join(found[n] for n in names))
EOF
}

write_env() {
    local tmp=$RUN/env.tmp
    : >"$tmp"
    while [ $# -gt 0 ]; do
        if [[ $2 =~ ^[A-Za-z0-9_./:,@%+=-]*$ ]]; then
            printf 'export %s=%s\n' "$1" "$2" >>"$tmp"
        else
            printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}" >>"$tmp"
        fi
        shift 2
    done
    mv -f "$tmp" "$RUN/env"
}

cmd_stop() {
    stop_names registry front noida mock
    rm -rf "$RUN"/noida-data-* "$RUN"/*.ready "$RUN"/*.ready.tmp "$RUN/env" "$RUN"/noida.port "$RUN"/noida.datadir
}

cmd_start() {
    local t0=$SECONDS
    cmd_stop
    mkdir -p "$RUN"
    : >"$RUN/mock.log"
    : >"$RUN/noida.log"

    # (a) librdkafka mock cluster
    build_mock
    spawn mock "$RUN/mock.log" "$RUN/mock-cluster" --brokers 3 --ready-file "$RUN/mock.ready"
    wait_until mock "mock cluster" test -s "$RUN/mock.ready" || { cat "$RUN/mock.log" >&2; cmd_stop; die "mock cluster did not start"; }
    local mock_bootstrap
    mock_bootstrap=$(cat "$RUN/mock.ready")
    log "mock cluster (3 brokers) $mock_bootstrap"

    # (b) noida-db, Kafka only, fresh data dir; retry in case the free port
    # was taken between choosing and binding it.
    local bin port dir ok=0
    bin=$(noida_bin) || die "noida-db not installed (run scripts/setup.sh)"
    dir=$RUN/noida-data-$(date +%Y%m%d-%H%M%S)-$$
    for _ in 1 2 3; do
        port=$(free_port)
        if start_noida "$port" "$dir" "$bin"; then ok=1; break; fi
        stop_names noida
    done
    [ $ok = 1 ] || { cmd_stop; die "noida-db did not start (see $RUN/noida.log)"; }
    echo "$port" >"$RUN/noida.port"
    echo "$dir" >"$RUN/noida.datadir"
    log "noida-db 127.0.0.1:$port (data dir $dir)"

    local -a env=(
        RDKAFKA_TEST_MOCK_BOOTSTRAP "$mock_bootstrap"
        RDKAFKA_TEST_NOIDA_BOOTSTRAP "127.0.0.1:$port"
        RDKAFKA_TEST_NOIDA_PORT "$port"
        RDKAFKA_TEST_NOIDA_DATA_DIR "$dir"
        RDKAFKA_TEST_NOIDA_BIN "$bin"
        RDKAFKA_TEST_BROKERS_SCRIPT "$SCRIPT"
    )

    # (c) + (d) TLS/SASL front in front of noida
    if [ -f "$SCRIPTS/kafka_front.py" ]; then
        bash "$SCRIPTS/gen-certs.sh" "$RUN/certs" || { cmd_stop; die "gen-certs.sh failed"; }
        printf '%s:%s\n' "$SASL_USER" "$SASL_PASSWORD" >"$RUN/users.txt"
        python3 -c 'import secrets; print(secrets.token_hex(32))' >"$RUN/oauth.secret"
        : >"$RUN/front.out"
        spawn front "$RUN/front.out" "$(command -v python3)" "$SCRIPTS/kafka_front.py" \
            --upstream "127.0.0.1:$port" --certs "$RUN/certs" --users "$RUN/users.txt" \
            --listen ssl=0 --listen sasl_plaintext=0 --listen sasl_ssl=0 \
            --oauth-secret-file "$RUN/oauth.secret" \
            --ready-file "$RUN/front.ready" --log "$RUN/front.log"
        if ! wait_until front "kafka_front.py" test -s "$RUN/front.ready"; then
            tail -n 20 "$RUN/front.out" >&2 || true
            cmd_stop
            die "kafka_front.py did not start (see $RUN/front.out, $RUN/front.log)"
        fi
        local addrs ssl sasl_plain sasl_ssl
        addrs=$(front_addrs "$RUN/front.ready") || { cmd_stop; die "bad $RUN/front.ready"; }
        read -r ssl sasl_plain sasl_ssl <<<"$addrs"
        env+=(
            RDKAFKA_TEST_SSL_BOOTSTRAP "$ssl"
            RDKAFKA_TEST_SASL_PLAINTEXT_BOOTSTRAP "$sasl_plain"
            RDKAFKA_TEST_SASL_SSL_BOOTSTRAP "$sasl_ssl"
            RDKAFKA_TEST_CERTS_DIR "$RUN/certs"
            RDKAFKA_TEST_SASL_USER "$SASL_USER"
            RDKAFKA_TEST_SASL_PASSWORD "$SASL_PASSWORD"
            RDKAFKA_TEST_KEY_PASSWORD "$KEY_PASSWORD"
            RDKAFKA_TEST_KEYSTORE_PASSWORD "$KEYSTORE_PASSWORD"
            RDKAFKA_TEST_OAUTH_SECRET_FILE "$RUN/oauth.secret"
            RDKAFKA_TEST_OAUTH_ISSUER "$SCRIPTS/front_oauth.py"
        )
        log "front ssl=$ssl, sasl_plaintext=$sasl_plain, sasl_ssl=$sasl_ssl"
    else
        warn "warning: $SCRIPTS/kafka_front.py missing: no SSL/SASL listeners (RDKAFKA_TEST_SSL_* etc. unset)"
    fi

    # (e) the test Schema Registry, with basic auth
    : >"$RUN/registry.log"
    # Over HTTPS too (a second port) when the front's certificates exist.
    registry_tls=()
    [ -f "$RUN/certs/server.pem" ] && registry_tls=(--tls-cert "$RUN/certs/server.pem" --tls-key "$RUN/certs/server.key" \
        --tls-ready "$RUN/registry-tls.ready")
    spawn registry "$RUN/registry.log" "$(command -v python3)" "$SCRIPTS/schema_registry.py" \
        --ready "$RUN/registry.ready" --user "$REGISTRY_USER:$REGISTRY_SECRET" "${registry_tls[@]}"
    if ! wait_until registry "schema_registry.py" test -s "$RUN/registry.ready"; then
        tail -n 20 "$RUN/registry.log" >&2 || true
        cmd_stop
        die "schema_registry.py did not start (see $RUN/registry.log)"
    fi
    env+=(
        RDKAFKA_TEST_SCHEMA_REGISTRY_URL "http://127.0.0.1:$(cat "$RUN/registry.ready")"
        RDKAFKA_TEST_SCHEMA_REGISTRY_USER "$REGISTRY_USER"
        RDKAFKA_TEST_SCHEMA_REGISTRY_SECRET "$REGISTRY_SECRET"
    )
    if [ -s "$RUN/registry-tls.ready" ]; then
        env+=(RDKAFKA_TEST_SCHEMA_REGISTRY_TLS_URL "https://localhost:$(cat "$RUN/registry-tls.ready")")
    fi
    log "schema registry http://127.0.0.1:$(cat "$RUN/registry.ready")"

    write_env "${env[@]}"
    log "ready in $((SECONDS - t0)) s; env: $RUN/env"
}

cmd_restart_noida() {
    local port dir bin
    port=$(cat "$RUN/noida.port" 2>/dev/null) || die "noida-db was not started by '$0 start'"
    dir=$(cat "$RUN/noida.datadir")
    bin=$(noida_bin)
    stop_names noida
    # The old listener may linger briefly; retry binding the same port.
    for _ in 1 2 3 4 5; do
        if start_noida "$port" "$dir" "$bin"; then
            log "noida-db restarted on 127.0.0.1:$port (data dir $dir)"
            return 0
        fi
        stop_names noida
        sleep 0.5
    done
    die "noida-db did not restart on port $port (see $RUN/noida.log)"
}

cmd_status() {
    local name pid all=0
    for name in mock noida front registry; do
        pid=$(pid_of "$name")
        if alive "$pid" "$(pattern "$name")"; then
            case $name in
                mock) echo "mock cluster: running (pid $pid) $(cat "$RUN/mock.ready" 2>/dev/null)" ;;
                noida) echo "noida-db: running (pid $pid) 127.0.0.1:$(cat "$RUN/noida.port" 2>/dev/null)" ;;
                front) echo "kafka_front: running (pid $pid) $(front_addrs "$RUN/front.ready" 2>/dev/null || true)" ;;
                registry) echo "schema registry: running (pid $pid) port $(cat "$RUN/registry.ready" 2>/dev/null)" ;;
            esac
        else
            echo "$name: not running"
            [ "$name" = front ] && [ ! -f "$SCRIPTS/kafka_front.py" ] || all=1
        fi
    done
    return $all
}

[ $# -eq 1 ] || { echo "usage: $0 start|stop|status|restart-noida" >&2; exit 2; }
mkdir -p "$RUN"
# Serialize concurrent invocations (fd 9 is closed in spawned children).
exec 9>"$RUN/.lock"
flock 9
case $1 in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart-noida) cmd_restart_noida ;;
    *) echo "usage: $0 start|stop|status|restart-noida" >&2; exit 2 ;;
esac
