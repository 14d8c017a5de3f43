#!/usr/bin/env bash
# `make test` / CI entry point:
#   scripts/test.sh [swift test args...]   (SKIP_PORTAL=1: skip Integrations and Examples/ProductPortal)
# Installs what is missing (scripts/setup.sh), starts the local test brokers
# (scripts/brokers.sh start), exports their addresses (.brokers/env), runs
# `swift test "$@"` from the repo root and exits with its status. The brokers
# are always stopped afterwards, also on failure, Ctrl-C or SIGTERM.
# The local brokers are started even when KAFKA_BOOTSTRAP_SERVERS is set: the
# tests decide which cluster to use.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    trap - EXIT INT TERM
    "$ROOT/scripts/brokers.sh" stop || echo "make test: warning: brokers.sh stop failed" >&2
}
trap cleanup EXIT
trap 'echo "make test: interrupted (SIGINT)"; exit 130' INT
trap 'echo "make test: terminated (SIGTERM)"; exit 143' TERM

"$ROOT/scripts/check-structure.sh" --self-test || { echo "make test: a planted violation went unnoticed (scripts/check-structure.sh --self-test); swift test not run"; exit 1; }
"$ROOT/scripts/check-structure.sh" || { echo "make test: scripts/check-structure.sh failed; swift test not run"; exit 1; }
if ! "$ROOT/scripts/setup.sh"; then
    echo "make test: scripts/setup.sh failed; swift test not run"
    exit 1
fi
if ! "$ROOT/scripts/brokers.sh" start; then
    echo "make test: scripts/brokers.sh start failed; swift test not run"
    exit 1
fi
# shellcheck disable=SC1091
source "$ROOT/.brokers/env"

# Builds every product first: the CLI tests run the rdkafka-cli binary.
swift build || { echo "make test: swift build failed"; exit 1; }
"$ROOT/scripts/docs.sh" || { echo "make test: the DocC build failed (scripts/docs.sh); swift test not run"; exit 1; }
# The whole suite twice: on the system librdkafka the package was built against, then on
# librdkafka 2.16 (same binaries, LD_LIBRARY_PATH), where tests of newer features run instead of
# checking their "needs librdkafka X" error. LIBRDKAFKA_NEWER=0 skips the second run.
summary() {  # log, label
    local total skipped
    total=$(grep -Eo 'Test run with [0-9]+ tests' "$1" | grep -Eo '[0-9]+' | tail -1)
    skipped=$(grep -ac '^➜ .* skipped' "$1" || true)
    echo "make test: $2: ${total:-?} tests, ${skipped} skipped"
}
logs="$ROOT/.build/test-logs"
mkdir -p "$logs"
rm -f "$logs"/*.log "$logs"/*.stacks  # a recap must not list an earlier run's failures
"$ROOT/scripts/deadline.sh" "${SWIFT_TEST_TIMEOUT:-3600}" "$logs/system.stacks" swift test "$@" 2>&1 | tee "$logs/system.log"
rc=${PIPESTATUS[0]}
system_rc=$rc
echo "make test: swift test exited $rc"
summary "$logs/system.log" "librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo system)"
if [ "${LIBRDKAFKA_NEWER:-1}" != 0 ]; then
    if newer=$("$ROOT/scripts/librdkafka-newer.sh"); then
        LD_LIBRARY_PATH="$newer${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
            "$ROOT/scripts/deadline.sh" "${SWIFT_TEST_TIMEOUT:-3600}" "$logs/newer.stacks" swift test --skip-build "$@" 2>&1 | tee "$logs/newer.log"
        newer_rc=${PIPESTATUS[0]}
        echo "make test: swift test on librdkafka 2.16 exited $newer_rc"
        summary "$logs/newer.log" "librdkafka 2.16"
    else
        echo "make test: could not install librdkafka 2.16 (scripts/librdkafka-newer.sh)"
        newer_rc=1
    fi
    [ $rc -eq 0 ] && rc=$newer_rc
fi

# The server integrations (ServiceLifecycle, swift-log, swift-metrics, tracing) and the server
# example are nested packages (the root package has no dependencies): built and tested against
# the same brokers. SKIP_PORTAL=1 skips both.
if [ "${SKIP_PORTAL:-0}" != 1 ]; then
    (cd "$ROOT/Integrations" && swift build --build-tests && \
        "$ROOT/scripts/deadline.sh" 600 "$logs/integrations.stacks" swift test --skip-build --no-parallel) 2>&1 | tee "$logs/integrations.log"
    integrations=${PIPESTATUS[0]}
    echo "make test: Integrations swift test exited $integrations"
    [ $rc -eq 0 ] && rc=$integrations
fi
if [ "${SKIP_PORTAL:-0}" != 1 ]; then
    (cd "$ROOT/Examples/ProductPortal" && swift build --build-tests && \
        "$ROOT/scripts/deadline.sh" 600 "$logs/portal.stacks" swift test --skip-build --no-parallel) 2>&1 | tee "$logs/portal.log"
    portal=${PIPESTATUS[0]}
    echo "make test: Examples/ProductPortal swift test exited $portal"
    [ $rc -eq 0 ] && rc=$portal
fi
# The failures again, last: a CI log shows only its tail.
if [ $rc -ne 0 ]; then
    echo "make test: failed (exit $rc; 124 is a timeout); what failed, per log in $logs:"
    echo "  exits: system ${system_rc:-?}, librdkafka 2.16 ${newer_rc:-?}, Integrations ${integrations:-?}, ProductPortal ${portal:-?}"
    for log in system newer integrations portal; do
        [ -f "$logs/$log.log" ] || continue
        "$ROOT/scripts/test-recap.sh" "$logs/$log.log" "$log"
    done
fi
exit $rc
