#!/usr/bin/env bash
# Portability and layering checks (run by `make test`); each failure names the file and the rule.
# - Only Sources/RdKafka/Internals/Syscalls.swift imports a C library module (Glibc, Darwin, Musl,
#   WinSDK): every libc call has one home, with a branch per platform.
# - Linux-only headers in the C shim are included under `#ifdef __linux__` only.
# - `import CRdKafka` only in the C-interop layer (Sources/RdKafka/Interop), and in
#   Sources/RdKafkaTesting/MockCluster.swift until its fault injection goes through that layer.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=${1:-Sources}
status=0
fail() { echo "check-portability: $*" >&2; status=1; }

while IFS= read -r hit; do
    file=${hit%%:*}
    [ "$file" = "$ROOT/RdKafka/Internals/Syscalls.swift" ] && continue
    fail "$hit: import a C library only in Sources/RdKafka/Internals/Syscalls.swift (add a wrapper there)"
done < <(grep -rnE '^\s*(@_implementationOnly\s+)?import\s+(Glibc|Darwin|Musl|WinSDK|ucrt)\b' "$ROOT" --include='*.swift')

while IFS= read -r hit; do
    file=${hit%%:*}
    case "$file" in
        "$ROOT"/RdKafka/Interop/*|"$ROOT"/RdKafkaTesting/MockCluster.swift) continue ;;
    esac
    fail "$hit: librdkafka's C API is for Sources/RdKafka/Interop only (add an internal wrapper there)"
done < <(grep -rnE '^\s*(@_implementationOnly\s+)?import\s+CRdKafka\b' "$ROOT" --include='*.swift')

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

[ $status = 0 ] && echo "check-portability: ok (libc in Internals/Syscalls.swift only, Linux headers guarded, librdkafka in Interop only)"
exit $status
