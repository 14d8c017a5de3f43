#!/usr/bin/env bash
# Fuzzes the configuration parsers and mapping, then the Avro decoder and schema parser, with
# libFuzzer (+ AddressSanitizer and leak checks), each for the given time: Fuzz/ is a package
# of its own, built into Fuzz/.build-fuzz.
#   scripts/fuzz.sh [seconds]     (default: FUZZ_SECONDS or 120; 0 skips fuzzing, where
#                                  libFuzzer's own 0 would mean no time limit)
# Prints "fuzz: N executions in S s, no crash" or libFuzzer's report and exits 1.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-120}}
if [ "$seconds" = 0 ]; then echo "fuzz: skipped (0 seconds)"; exit 0; fi
cd "$ROOT/Fuzz" || exit 1
swift build -c release --sanitize=fuzzer --sanitize=address --scratch-path .build-fuzz || { echo "fuzz: build failed"; exit 1; }
status=0
for target in config avro; do
    # A scratch corpus seeded from the committed one, so runs do not dirty the work tree.
    work=$(mktemp -d)
    corpus=corpus
    [ "$target" = avro ] && corpus=avro-corpus
    cp "$corpus"/* "$work"/
    log="$work/fuzz.log"
    .build-fuzz/release/$target-fuzzer -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$ROOT/Fuzz/" "$work" >"$log" 2>&1
    result=$?
    runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*')
    if [ $result -ne 0 ]; then
        tail -40 "$log"
        echo "fuzz: $target FAILED (exit $result); the crashing input is in Fuzz/ (crash-*, leak-*, timeout-*)"
        status=1
    else
        echo "fuzz: $target: ${runs:-?} executions in $seconds s, no crash, hang or leak"
    fi
    rm -rf "$work"
done
exit $status
