#!/usr/bin/env bash
# Swift SDK vs plain C librdkafka, side by side (`make bench`; see Benchmarks/README.md).
#
#   Benchmarks/run.sh            full set, 3 alternating repetitions, medians, then insn.sh
#   QUICK=1 Benchmarks/run.sh    200,000 x 100 B produce/consume and friends, 2 repetitions (< 3 min)
#
# Builds Benchmarks/.build/c (C bench + malloc counter) and the Swift bench (release, nested
# package), starts its own librdkafka mock cluster (and noida-db when installed), runs every
# (workload, impl) pair alternately, prints a table plus one `RATIO <workload> <swift/c>` line
# per workload, and writes Benchmarks/results/latest.json (quick.json for QUICK=1); the full set
# then runs insn.sh (RATIO_INSN lines). Brokers it started are always stopped.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/Benchmarks
OUT=$BENCH/.build
RESULTS=$BENCH/results
QUICK=${QUICK:-0}
SWIFT=${SWIFT:-swift}
WORK=$(mktemp -d /tmp/rdkafka-bench.XXXXXX)
PIDS=()

log() { echo "bench: $*" >&2; }

stop_brokers() {
    local pid i
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] || continue
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    PIDS=()
}

cleanup() {
    stop_brokers
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- sizes
if [ "$QUICK" = 1 ]; then
    REPS=${REPS:-2}
    PAIRS_100=${PAIRS_100:-1}
    # size:messages:partitions
    SIZES="100:200000:32"
    NOIDA_N=200000
    LAT_N=5000; LAT_RATE=2000
    SENDLAT_N=500
    SEND_N=100000
else
    REPS=${REPS:-3}
    PAIRS_100=${PAIRS_100:-6}
    # The mock keeps ~5 MiB or 100k message sets per partition: 1M x 100 B over 48 partitions;
    # 1000 B and 10,000 B are scaled down to 100 MB of payload each.
    SIZES="100:1000000:48 1000:100000:48 10000:10000:48"
    NOIDA_N=500000
    LAT_N=10000; LAT_RATE=2000
    SENDLAT_N=1000
    SEND_N=300000
fi

# ---------------------------------------------------------------- build
log "building C bench into $OUT/c"
"$BENCH/c/build.sh" "$OUT/c"
CBIN=$OUT/c/rdkafka_bench
MALLOC_LIB=$OUT/c/libmalloc_count.so
log "building Swift bench (release)"
SBIN=$("$BENCH/swift-build.sh")/rdkafka-swift-bench

MOCK=$ROOT/.brokers/mock-cluster
if [ ! -x "$MOCK" ]; then
    MOCK=$OUT/mock-cluster
    if [ ! -x "$MOCK" ] || [ "$ROOT/scripts/mock-cluster.c" -nt "$MOCK" ]; then
        log "compiling mock-cluster"
        gcc -O2 -o "$MOCK" "$ROOT/scripts/mock-cluster.c" -lrdkafka
    fi
fi

# ---------------------------------------------------------------- brokers
wait_file() {  # wait_file FILE PID WHAT
    local i
    for i in $(seq 1 100); do
        [ -s "$1" ] && return 0
        kill -0 "$2" 2>/dev/null || { log "$3 exited"; return 1; }
        sleep 0.1
    done
    log "$3 not ready"; return 1
}

TOPIC_ARGS=(--topic lat:4)
for spec in $SIZES; do
    IFS=: read -r size n parts <<<"$spec"
    TOPIC_ARGS+=(--topic "b$size:$parts")
done
"$MOCK" --brokers 3 "${TOPIC_ARGS[@]}" --ready-file "$WORK/mock.ready" >"$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_file "$WORK/mock.ready" "$!" mock-cluster
MOCK_BOOT=$(cat "$WORK/mock.ready")
log "mock cluster: $MOCK_BOOT"

NOIDA_BOOT=""
if python3 -c 'import noida_db' 2>/dev/null; then
    NOIDA_BIN=$(python3 -c 'import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), "noida-db"))')
    NOIDA_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$WORK/noida"
    "$NOIDA_BIN" start --only kafka --kafka-port "$NOIDA_PORT" --data-dir "$WORK/noida" --host 127.0.0.1 \
        >"$WORK/noida.log" 2>&1 &
    PIDS+=($!)
    for i in $(seq 1 100); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1',$NOIDA_PORT),0.2)" 2>/dev/null; then
            NOIDA_BOOT=127.0.0.1:$NOIDA_PORT; break
        fi
        sleep 0.1
    done
    [ -n "$NOIDA_BOOT" ] && log "noida-db: $NOIDA_BOOT" || log "noida-db did not start; skipping it"
else
    log "noida-db not installed; mock cluster only"
fi

# ---------------------------------------------------------------- running
RAW=$WORK/runs.jsonl
: >"$RAW"

# run WORKLOAD IMPL BROKER REP PRELOAD CMD...: one benchmark process, its JSON line tagged.
run() {
    local workload=$1 impl=$2 broker=$3 rep=$4 preload=$5 line rc=0
    shift 5
    if [ "$preload" = 1 ]; then
        line=$(MALLOC_COUNT_OUT=/dev/null LD_PRELOAD=$MALLOC_LIB timeout 600 "$@" 2>>"$WORK/bench.log") || rc=$?
    else
        line=$(timeout 600 "$@" 2>>"$WORK/bench.log") || rc=$?
    fi
    line=$(printf '%s\n' "$line" | grep '^{' | tail -n 1 || true)
    if [ -z "$line" ]; then
        log "$workload/$impl/$broker rep $rep: no result (exit $rc); see stderr below"
        tail -n 5 "$WORK/bench.log" >&2
        return 0
    fi
    [ "$rc" = 0 ] || log "$workload/$impl/$broker rep $rep: exit $rc"
    printf '{"workload":"%s","impl_label":"%s","broker":"%s","rep":%s,"preload":%s,"exit":%s,%s\n' \
        "$workload" "$impl" "$broker" "$rep" "$preload" "$rc" "${line#\{}" >>"$RAW"
    log "$(printf '%-26s %-16s %-5s rep %s: %s' "$workload" "$impl" "$broker" "$rep" "$line")"
}

# pair WORKLOAD REP "C CMD" "SWIFT CMD" [ORDER]: both in an order that alternates with ORDER
# (default REP): C first when it is odd.
pair() {
    local workload=$1 rep=$2 ccmd=$3 scmd=$4 order=${5:-$2}
    if [ $((order % 2)) = 1 ]; then
        run "$workload" c mock "$rep" 0 $ccmd
        run "$workload" swift mock "$rep" 0 $scmd
    else
        run "$workload" swift mock "$rep" 0 $scmd
        run "$workload" c mock "$rep" 0 $ccmd
    fi
}

BIG_QUEUE="-X queued.min.messages=1000000 -X queued.max.messages.kbytes=1048576"
# The mock parks a fetch for fetch.wait.max.ms (500 ms) even when data arrives meanwhile,
# which would dominate produce-to-consume latency: both sides use 10 ms there.
LAT_X="-X fetch.wait.max.ms=10"

for rep in $(seq 1 "$REPS"); do
    log "---- repetition $rep of $REPS"
    for spec in $SIZES; do
        IFS=: read -r size n parts <<<"$spec"
        t=b$size
        B=$MOCK_BOOT
        # 100 B is the target row and its single pairs swing by +-15 %: several pairs per
        # repetition; rep = repetition x 100 + pair keeps each pair together in the summary.
        npairs=1
        [ "$size" = 100 ] && npairs=$PAIRS_100
        for k in $(seq 1 "$npairs"); do
            pair "produce_${size}B" "$((rep * 100 + k))" \
                "$CBIN produce -b $B -t $t -n $n -s $size -p rr" \
                "$SBIN produce -b $B -t $t -n $n -s $size -p rr -P $parts --mode-variant handler" \
                "$((rep + k - 1))"
        done
        prep=$((rep * 100 + 1))  # the other rows pair with the first C run of this repetition
        run "produce_${size}B" swift_stream mock "$prep" 0 \
            $SBIN produce -b $B -t $t -n $n -s $size -p rr -P $parts --mode-variant stream
        run "produce_${size}B" swift_callback mock "$prep" 0 \
            $SBIN produce -b $B -t $t -n $n -s $size -p rr -P $parts --mode-variant callback
        run "produce_${size}B" c_by_name mock "$prep" 0 \
            $CBIN produce -b $B -t $t -n $n -s $size -p rr --by-name
        if [ "$size" = 100 ]; then
            run "produce_${size}B" c_events mock "$prep" 0 \
                $CBIN produce -b $B -t $t -n $n -s $size -p rr --events
            run "produce_${size}B" c_classic mock "$prep" 0 \
                $CBIN produce -b $B -t $t -n $n -s $size -p rr --classic
            run "produce_${size}B" c_thread mock "$prep" 0 \
                $CBIN produce -b $B -t $t -n $n -s $size -p rr --thread
            run "send_${size}B" c mock "$prep" 0 \
                $CBIN produce -b $B -t $t -n $SEND_N -s $size -p rr --inflight 1000
            run "send_${size}B" swift_send mock "$prep" 0 \
                $SBIN send -b $B -t $t -n $SEND_N -s $size -p rr -P $parts --inflight 1000
        fi
        # consume: the topic was just filled by the produce runs above
        pair "consume_${size}B" "$prep" \
            "$CBIN consume -b $B -t $t -n $n" \
            "$SBIN consume -b $B -t $t -n $n -P $parts" "$rep"
        pair "consume_bigqueue_${size}B" "$prep" \
            "$CBIN consume -b $B -t $t -n $n $BIG_QUEUE" \
            "$SBIN consume -b $B -t $t -n $n -P $parts $BIG_QUEUE" "$rep"
        if [ "$size" = 100 ]; then
            run "consume_${size}B" swift_mainactor mock "$prep" 0 \
                $SBIN consume -b $B -t $t -n $((n < 200000 ? n : 200000)) -P $parts --mainactor
        fi
    done
    pair latency_100B "$rep" \
        "$CBIN latency -b $MOCK_BOOT -t lat -n $LAT_N -s 100 -r $LAT_RATE $LAT_X" \
        "$SBIN latency -b $MOCK_BOOT -t lat -n $LAT_N -s 100 -r $LAT_RATE -P 4 $LAT_X"
    run send_latency_100B swift mock "$rep" 0 \
        $SBIN send-latency -b $MOCK_BOOT -t lat -n $SENDLAT_N -s 100 -p 0
    run send_latency_100B swift_linger0 mock "$rep" 0 \
        $SBIN send-latency -b $MOCK_BOOT -t lat -n $SENDLAT_N -s 100 -p 0 -X linger.ms=0

    if [ -n "$NOIDA_BOOT" ]; then
        # noida auto-creates 1-partition topics and ignores fetch byte limits: a fresh topic per
        # produce run keeps the partition's backlog at N x 100 B.
        for impl in c swift; do
            [ $((rep % 2)) = 0 ] && impl=$([ $impl = c ] && echo swift || echo c)
            t=np$rep$impl
            if [ $impl = c ]; then
                run noida_produce_100B c noida "$rep" 0 $CBIN produce -b $NOIDA_BOOT -t $t -n $NOIDA_N -s 100 -p rr
            else
                run noida_produce_100B swift noida "$rep" 0 \
                    $SBIN produce -b $NOIDA_BOOT -t $t -n $NOIDA_N -s 100 -p rr -P 1 --mode-variant handler
            fi
        done
        t=np${rep}c
        for impl in c swift; do
            [ $((rep % 2)) = 0 ] && impl=$([ $impl = c ] && echo swift || echo c)
            if [ $impl = c ]; then
                run noida_consume_100B c noida "$rep" 0 $CBIN consume -b $NOIDA_BOOT -t $t -n $NOIDA_N
            else
                run noida_consume_100B swift noida "$rep" 0 $SBIN consume -b $NOIDA_BOOT -t $t -n $NOIDA_N -P 1
            fi
        done
    fi
done

# Peak RSS while producing 10,000,000 x 100 B (full set only): bounded by librdkafka's queue
# limits on both sides, not by the message count. Throughput is reported too.
if [ "$QUICK" != 1 ]; then
    # Peak RSS swings by ~15 MB on both sides with how full librdkafka's queue gets in a run:
    # three alternating pairs, medians.
    log "---- 10,000,000 messages (peak RSS)"
    IFS=: read -r size n parts <<<"${SIZES%% *}"
    for rep in 1 2 3; do
        pair produce_10M_100B "$rep" \
            "$CBIN produce -b $MOCK_BOOT -t b$size -n 10000000 -s 100 -p rr" \
            "$SBIN produce -b $MOCK_BOOT -t b$size -n 10000000 -s 100 -p rr -P $parts --mode-variant handler"
    done
fi

# Heap allocations per message: once each, with the malloc counter preloaded.
log "---- allocation counts (LD_PRELOAD=$MALLOC_LIB)"
IFS=: read -r size n parts <<<"${SIZES%% *}"
t=b$size
run "produce_${size}B" c mock 0 1 $CBIN produce -b $MOCK_BOOT -t $t -n $n -s $size -p rr
run "produce_${size}B" swift mock 0 1 $SBIN produce -b $MOCK_BOOT -t $t -n $n -s $size -p rr -P $parts --mode-variant handler
run "produce_${size}B" swift_stream mock 0 1 $SBIN produce -b $MOCK_BOOT -t $t -n $n -s $size -p rr -P $parts --mode-variant stream
run "produce_${size}B" swift_callback mock 0 1 $SBIN produce -b $MOCK_BOOT -t $t -n $n -s $size -p rr -P $parts --mode-variant callback
run "send_${size}B" c mock 0 1 $CBIN produce -b $MOCK_BOOT -t $t -n $SEND_N -s $size -p rr --inflight 1000
run "send_${size}B" swift_send mock 0 1 $SBIN send -b $MOCK_BOOT -t $t -n $SEND_N -s $size -p rr -P $parts --inflight 1000
run "consume_${size}B" c mock 0 1 $CBIN consume -b $MOCK_BOOT -t $t -n $n
run "consume_${size}B" swift mock 0 1 $SBIN consume -b $MOCK_BOOT -t $t -n $n -P $parts

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
# The committed results/latest.json is always a full run; a quick one goes to quick.json.
OUTPUT=$RESULTS/latest.json
[ "$QUICK" = 1 ] && OUTPUT=$RESULTS/quick.json
python3 "$BENCH/summarize.py" "$RAW" "$OUTPUT" --quick "$QUICK" --reps "$REPS" \
    --swift-version "$("$SWIFT" --version 2>&1 | head -n 1)" \
    --librdkafka "$(pkg-config --modversion rdkafka 2>/dev/null || echo unknown)"

# Instruction counts, the figures that repeat (full set with valgrind installed; INSN=0 skips).
if [ "$QUICK" != 1 ] && [ "${INSN:-1}" != 0 ] && command -v valgrind >/dev/null; then
    log "---- instructions per message (insn.sh, callgrind)"
    # On a quiet machine: the counts of the polling paths move with load.
    stop_brokers
    "$BENCH/insn.sh" | tee "$WORK/insn.txt"
    python3 - "$OUTPUT" "$WORK/insn.txt" <<'PY'
import json, sys
path, insn = sys.argv[1:3]
data = json.load(open(path))
data["instructions"] = [line.rstrip("\n") for line in open(insn) if line.strip()]
json.dump(data, open(path, "w"), indent=1)
PY
fi
