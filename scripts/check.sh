#!/usr/bin/env bash
# `make check`: libFuzzer over the configuration parsers (scripts/fuzz.sh, FUZZ_SECONDS), then
# the test suite under AddressSanitizer with LeakSanitizer (.build-asan), against the same
# brokers `make test` starts. ThreadSanitizer (`scripts/check.sh thread`) currently
# crashes inside its own allocator on librdkafka's threads with Swift 6.3.1 on Debian 12.
#   scripts/check.sh [address|thread]...   (default: address)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
trap '"$ROOT/scripts/brokers.sh" stop >/dev/null 2>&1 || true' EXIT
"$ROOT/scripts/setup.sh" || exit 1
status=0
"$ROOT/scripts/fuzz.sh" || status=1
"$ROOT/scripts/brokers.sh" start || exit 1
# shellcheck disable=SC1091
source "$ROOT/.brokers/env"
for sanitizer in "${@:-address}"; do
    for s in $sanitizer; do
        echo "make check: swift test --sanitize=$s"
        # Every product, not just the tests' dependencies: the CLI and example tests run the binaries.
        swift build --sanitize="$s" --scratch-path ".build-${s:0:1}san" || { status=1; continue; }
        # halt_on_error: a race or memory error fails the run instead of scrolling past.
        # fast_unwind_on_malloc=0: full stacks through libcrypto/librdkafka, which the
        # suppressions in lsan.supp need.
        RDKAFKA_TEST_SLOWDOWN=4 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0" LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan.supp" \
            timeout --signal=INT 3000 swift test --no-parallel --sanitize="$s" --scratch-path ".build-${s:0:1}san" || status=1
    done
done
echo "make check: exit $status"
exit $status
