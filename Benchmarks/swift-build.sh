#!/usr/bin/env bash
# Builds the Swift benchmarks as a Swift server is deployed on Linux (release, the Swift runtime
# linked statically: --static-swift-stdlib) into .build-static and prints the directory that holds
# rdkafka-swift-bench. (rdkafka-avro-bench stays in .build: static Foundation needs libcurl's.)
# With the runtime linked dynamically, every run also counts resolving its symbols at start-up,
# and each call into the runtime (retain, release, task switches, Dispatch) goes through the PLT.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
SWIFT=${SWIFT:-swift}
flags=(-c release --package-path "$BENCH" --scratch-path "$BENCH/.build-static" --product rdkafka-swift-bench)
[ "$(uname -s)" = Linux ] && flags+=(--static-swift-stdlib)
"$SWIFT" build "${flags[@]}" >&2
"$SWIFT" build "${flags[@]}" --show-bin-path
