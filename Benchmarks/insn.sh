#!/usr/bin/env bash
# Instructions per message, Swift against C, counted by valgrind's callgrind (`make bench-insn`).
# Counts repeat run after run (wall-clock rates on a small VM do not): judge hot-path changes here.
#
#   Benchmarks/insn.sh              100,000 x 100 B per workload on a fresh mock cluster
#   N=20000 Benchmarks/insn.sh      fewer messages (quicker; per-message figures shift a little)
#   ONLY='produce|send' Benchmarks/insn.sh   only the workloads whose name matches (a regex)
#
# Per workload and implementation: instructions per message for the whole process and for the
# thread that does the work (the one that calls rd_kafka_produce, _producev or _produceva to send, or
# rd_kafka_consume_batch_queue/rd_kafka_consumer_poll to consume), then one
# `RATIO_INSN <workload> <thread|process> <swift/c>` line per ratio (awaited sends against C
# producing with as many messages in flight; a `LIKE_INSN callback` line sets callback sends
# against C keeping a callback record per message), `ANCHOR_INSN <tool> ...` lines for kcat and
# python3-confluent-kafka (installed from Debian when missing), and a `FLOOR_INSN awaited` line:
# the Swift runtime's own cost of an awaited, cancellable operation resumed from another thread.
# Setup (connecting, warm-up) is counted too; it is the same for every run of a workload, so
# ratios stay comparable.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/Benchmarks
OUT=$BENCH/.build
N=${N:-100000}
SIZE=100
PARTS=8
SWIFT=${SWIFT:-swift}
WORK=$(mktemp -d /tmp/rdkafka-insn.XXXXXX)
MOCK_PID=""
log() { echo "bench-insn: $*" >&2; }
cleanup() {
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

command -v valgrind >/dev/null || { log "valgrind is not installed (apt-get install valgrind)"; exit 1; }
# Anchors beside C and Swift: kcat and Debian's python3-confluent-kafka, both on the system librdkafka.
if ! command -v kcat >/dev/null || ! /usr/bin/python3 -c "import confluent_kafka" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat python3-confluent-kafka >/dev/null 2>&1 \
            || log "could not install kcat and python3-confluent-kafka: anchors left out"
    fi
fi
"$BENCH/c/build.sh" "$OUT/c" >&2
CBIN=$OUT/c/rdkafka_bench
SBIN=$("$BENCH/swift-build.sh")/rdkafka-swift-bench
MOCK=$OUT/mock-cluster
if [ ! -x "$MOCK" ] || [ "$ROOT/scripts/mock-cluster.c" -nt "$MOCK" ]; then
    gcc -O2 -o "$MOCK" "$ROOT/scripts/mock-cluster.c" -lrdkafka
fi
"$MOCK" --brokers 3 --topic "insn:$PARTS" --topic "insn-consume:$PARTS" --ready-file "$WORK/mock.ready" >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/mock.ready" ] && break; sleep 0.1; done
B=$(cat "$WORK/mock.ready")
log "mock cluster: $B; $N x $SIZE B per workload"

# count NAME THREAD_PATTERN CMD...: runs CMD under callgrind, prints "NAME process thread".
count() {
    local name=$1 pattern=$2 dir=$WORK/$1
    shift 2
    [[ $name =~ ${ONLY:-.} ]] || return 0
    mkdir -p "$dir"
    if ! valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/cg.out" "$@" \
        >"$dir/stdout" 2>"$dir/stderr"; then
        log "$name failed:"; tail -n 5 "$dir/stderr" >&2; return 1
    fi
    python3 - "$dir" "$pattern" "$name" <<'PY'
import glob, re, sys
directory, pattern, name = sys.argv[1:4]
process = 0
thread = 0
for path in glob.glob(directory + "/cg.out*"):
    text = open(path, errors="replace").read()
    if not text:
        continue  # the per-process file stays empty with --separate-threads
    total = int(re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M).group(1))
    process += total
    if re.search(pattern, text, re.M):
        thread = max(thread, total)
print(name, process, thread)
PY
}

SEND='fn=\(\d+\) rd_kafka_produce(v|va)?$'
RECV='fn=\(\d+\) (rd_kafka_consume_batch_queue|rd_kafka_consumer_poll)$'
{
    count produce_c "$SEND" "$CBIN" produce -b "$B" -t insn -n "$N" -s $SIZE -p rr
    count produce_swift "$SEND" "$SBIN" produce -b "$B" -t insn -n "$N" -s $SIZE -p rr -P $PARTS --mode-variant handler
    count callback_swift "$SEND" "$SBIN" produce -b "$B" -t insn -n "$N" -s $SIZE -p rr -P $PARTS --mode-variant callback
    # C with what a callback send needs: a record per message holding the callback, malloc'd
    # on send and freed once the report is served.
    count callback_c "$SEND" "$CBIN" produce -b "$B" -t insn -n "$N" -s $SIZE -p rr --callback
    count stream_swift "$SEND" "$SBIN" produce -b "$B" -t insn -n "$N" -s $SIZE -p rr -P $PARTS --mode-variant stream
    count send_c "$SEND" "$CBIN" produce -b "$B" -t insn -n "$N" -s $SIZE -p rr --inflight 1000
    count send_swift "$SEND" "$SBIN" send -b "$B" -t insn -n "$N" -s $SIZE -p rr -P $PARTS --inflight 1000
    # No broker: 1,000 tasks awaiting continuations (with a cancellation handler each) that a
    # plain thread resumes, as awaited sends are; the Swift runtime's share of an awaited send.
    count floor_swift 'ResumeQueue' "$SBIN" continuation-floor -n "$N" --inflight 1000 --mode-variant cancellable
    # Consumers read a topic of their own holding exactly N messages, filled once (not counted):
    # on the produce topic, how far librdkafka fetched beyond the N read before close depended
    # on timing and moved C's count by up to 10 %.
    if printf '%s\n' consume_c consume_swift consume_python consume_kcat | grep -qE "${ONLY:-.}"; then
        "$CBIN" produce -b "$B" -t insn-consume -n "$N" -s $SIZE -p rr >/dev/null 2>"$WORK/fill.log" \
            || { log "filling insn-consume failed:"; tail -n 5 "$WORK/fill.log" >&2; exit 1; }
    fi
    count consume_c "$RECV" "$CBIN" consume -b "$B" -t insn-consume -n "$N"
    count consume_swift "$RECV" "$SBIN" consume -b "$B" -t insn-consume -n "$N" -P $PARTS
    if /usr/bin/python3 -c "import confluent_kafka" 2>/dev/null; then
        count produce_python "$SEND" /usr/bin/python3 "$BENCH/anchors/confluent_bench.py" produce "$B" insn "$N" $SIZE $PARTS
        count consume_python "$RECV" /usr/bin/python3 "$BENCH/anchors/confluent_bench.py" consume "$B" insn-consume "$N" $PARTS
    fi
    if command -v kcat >/dev/null; then
        # One message per line, SIZE bytes each.
        python3 -c "import sys; sys.stdout.write(('a' * $SIZE + '\n') * $N)" >"$WORK/lines"
        count produce_kcat "$SEND" kcat -P -b "$B" -t insn -X acks=all -l "$WORK/lines"
        count consume_kcat "$RECV" kcat -C -b "$B" -t insn-consume -o beginning -e -q -c "$N" -f '%s\n'
    fi
} >"$WORK/counts"

python3 - "$WORK/counts" "$N" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, process, thread = line.split()
    rows[name] = (int(process), int(thread))
n = int(sys.argv[2])
print(f"{'workload':<16}{'process insn/msg':>18}{'thread insn/msg':>17}")
for name, (process, thread) in rows.items():
    print(f"{name:<16}{process / n:>18.0f}{thread / n:>17.0f}")
for name, (process, thread) in rows.items():
    kind, impl = name.rsplit("_", 1)
    if impl == "c":
        continue
    if kind == "floor":
        # What an awaited send costs at least, beside what C pays for the same bounded loop.
        send_c = rows.get("send_c")
        print(f"FLOOR_INSN awaited process {process / n:.0f} insn/msg"
              + (f" (C bounded + floor: {(send_c[0] + process) / rows['produce_c'][0]:.3f} x C produce)" if send_c and "produce_c" in rows else ""))
        continue
    # Like with like: awaited sends against C's loop with as many messages in flight. Callback
    # sends against C's plain loop (the goal), and against C with a callback record per message.
    if kind == "callback" and impl == "swift" and "callback_c" in rows:
        print(f"LIKE_INSN callback process {process / rows['callback_c'][0]:.3f} (vs C with a callback record per message)")
    base = (rows.get(kind + "_c") if kind != "callback" else None) \
        or rows.get(("consume" if kind == "consume" else "produce") + "_c")
    if not base:
        continue
    # Swift's figures are the ones checked; the anchors' are for the table.
    label = "RATIO_INSN" if impl == "swift" else f"ANCHOR_INSN {impl}"
    if base[1] and thread:
        print(f"{label} {kind} thread {thread / base[1]:.3f}")
    print(f"{label} {kind} process {process / base[0]:.3f}")
PY
