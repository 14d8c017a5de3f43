#!/usr/bin/env bash
# Portability and layering checks, run first by `make test`; each failure names the file and the
# rule. `--self-test` plants one violation of each rule in a copy of Sources and fails unless
# every one is caught (and the clean copy passes).
#
# Layers, top to bottom: the public API (Configuration, Producer, Consumer, Admin, Client,
# Observability); Interop/Engines (producer, consumer and admin engines: the policy over
# librdkafka); Interop/Native (thin owners of C handles and conversions); Concurrency (locks,
# waits, threads) and Internals/Syscalls.swift (every libc call).
#  1. Only Internals/Syscalls.swift imports a C library module (Glibc, Darwin, Musl, ...).
#  2. Linux-only headers in the C shim sit inside `#ifdef __linux__`.
#  3. `import CRdKafka` only under Sources/RdKafka/Interop.
#  4. Concurrency and Internals name nothing above them (no engine, C wrapper or client class).
#  5. Interop names no public client class (KafkaProducer, KafkaConsumer, KafkaAdmin,
#     KafkaConfiguration is a value and allowed): engines take what they need as arguments.
#  6. Interop/Native names no engine, except ClientContext.swift, which routes librdkafka's
#     callbacks to the engine that owns the handle.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

if [ "${1:-}" = "--self-test" ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cp -r Sources "$scratch/clean"
    "$0" "$scratch/clean" >/dev/null || { echo "check-structure self-test: the clean tree fails" >&2; exit 1; }
    plant() {  # name, file (relative to Sources), line
        rm -rf "$scratch/planted" && cp -r Sources "$scratch/planted"
        mkdir -p "$(dirname "$scratch/planted/$2")" && printf '%s\n' "$3" >> "$scratch/planted/$2"
        if "$0" "$scratch/planted" 2>/dev/null >&2; then
            echo "check-structure self-test: planted '$1' was not caught" >&2; exit 1
        fi
    }
    plant "libc outside Syscalls" RdKafka/Client/Planted.swift "import Glibc"
    plant "unguarded Linux header" CRdKafka/shim.h "#include <sys/prctl.h>"
    plant "C in the public API" RdKafka/Producer/Planted.swift "import CRdKafka"
    plant "C in the testing module" RdKafkaTesting/Planted.swift "import CRdKafka"
    plant "Concurrency reaching up" RdKafka/Concurrency/Planted.swift "let planted: ProducerCore? = nil"
    plant "an engine naming a client class" RdKafka/Interop/Engines/Planted.swift "let planted = KafkaConsumer.self"
    plant "a C wrapper naming an engine" RdKafka/Interop/Native/Planted.swift "let planted: ConsumerCore? = nil"
    echo "check-structure self-test: all 7 planted violations caught"
    exit 0
fi

ROOT=${1:-Sources}
status=0
fail() { echo "check-structure: $*" >&2; status=1; }
# Code lines (comments dropped) of the Swift files under $1 that match the regex $2.
code_matching() {
    [ -d "$1" ] || return 0
    grep -rnE --include='*.swift' "$2" "$1" | while IFS= read -r hit; do
        line=${hit#*:*:}
        code=${line%%//*}
        [[ "$code" =~ $2 ]] && echo "$hit"
    done
}

while IFS= read -r hit; do
    [ "${hit%%:*}" = "$ROOT/RdKafka/Internals/Syscalls.swift" ] && continue
    fail "$hit: import a C library only in Sources/RdKafka/Internals/Syscalls.swift (add a wrapper there)"
done < <(grep -rnE '^\s*(@_implementationOnly\s+)?import\s+(Glibc|Darwin|Musl|WinSDK|ucrt)\b' "$ROOT" --include='*.swift')

while IFS= read -r hit; do
    case "${hit%%:*}" in "$ROOT"/RdKafka/Interop/*) continue ;; esac
    fail "$hit: librdkafka's C API is for Sources/RdKafka/Interop only (add an internal wrapper there)"
done < <(grep -rnE '^\s*(@_implementationOnly\s+)?import\s+CRdKafka\b' "$ROOT" --include='*.swift')

engines='ProducerCore|ConsumerCore|AdminCore|PendingDelivery|DeliveryReportBuffer|FetchWaker|DeliveryOpaque'
wrappers='NativeHandle|NativeConfiguration|NativePartitionList|NativeGroupMetadata|NativeMockCluster|MessageBatch|TopicHandleCache|QueueWakeup|ClientContext|Interop\.'
clients='KafkaProducer|KafkaConsumer|KafkaAdmin'
for lower in Concurrency Internals; do
    while IFS= read -r hit; do
        fail "$hit: $lower is below the engines, C wrappers and clients: it must not name them"
    done < <(code_matching "$ROOT/RdKafka/$lower" "\\b($engines|$wrappers|$clients)\\b")
done
while IFS= read -r hit; do
    fail "$hit: Interop is below the public clients: pass what the engine needs instead of naming the client"
done < <(code_matching "$ROOT/RdKafka/Interop" "\\b($clients)\\b([^A-Za-z]|$)")
while IFS= read -r hit; do
    [ "${hit%%:*}" = "$ROOT/RdKafka/Interop/Native/ClientContext.swift" ] && continue
    fail "$hit: Interop/Native wraps C handles; engines use it, not the other way round"
done < <(code_matching "$ROOT/RdKafka/Interop/Native" "\\b($engines)\\b")

# Linux-only headers must sit inside an `#ifdef __linux__` block of the shim headers.
while IFS= read -r header; do
    awk -v file="$header" '
        /^[[:space:]]*#[[:space:]]*if/ { depth++; linux[depth] = ($0 ~ /__linux__/) }
        /^[[:space:]]*#[[:space:]]*el/ { linux[depth] = ($0 ~ /__linux__/) }
        /^[[:space:]]*#[[:space:]]*endif/ { depth-- }
        /^[[:space:]]*#[[:space:]]*include[[:space:]]*<(linux\/|sys\/prctl\.h|sys\/epoll\.h|sys\/syscall\.h|sys\/eventfd\.h|sys\/inotify\.h)/ {
            guarded = 0
            for (d = 1; d <= depth; d++) if (linux[d]) guarded = 1
            if (!guarded) { printf "%s:%d: %s: a Linux-only header outside #ifdef __linux__\n", file, NR, $0; bad = 1 }
        }
        END { exit bad }' "$header" >&2 || status=1
done < <(find "$ROOT" -name '*.h')

[ $status = 0 ] && echo "check-structure: ok (libc in Internals/Syscalls.swift only, Linux headers guarded, librdkafka in Interop only, layers reach only down)"
exit $status
