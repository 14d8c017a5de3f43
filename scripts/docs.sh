#!/usr/bin/env bash
# `make docs`: the DocC catalog (Sources/RdKafka/RdKafka.docc) with the RdKafka symbol graph,
# converted by the toolchain's `docc` (no package plugin). Any warning, such as a broken
# ``symbol`` link or an undocumented parameter, fails the build. Output: .build/docs.
set -euo pipefail
cd "$(dirname "$0")/.."
# dump-symbol-graph also tries the test modules, which fail when not built yet (a fresh clone):
# only RdKafka's graph is used, so its presence is what counts.
rm -f .build/*/symbolgraph/RdKafka.symbols.json
log=$(swift package dump-symbol-graph --minimum-access-level public 2>&1) || true
graphs=$(ls .build/*/symbolgraph/RdKafka.symbols.json 2>/dev/null | head -1)
[ -n "$graphs" ] || { echo "$log" | tail -20 >&2; echo "docs: no RdKafka symbol graph was written" >&2; exit 1; }
staging=.build/docs-symbols
rm -rf "$staging" && mkdir -p "$staging" && cp "$graphs" "$staging/"
docc convert Sources/RdKafka/RdKafka.docc --additional-symbol-graph-dir "$staging" \
    --output-path .build/docs --fallback-display-name RdKafka \
    --fallback-bundle-identifier org.swift-rdkafka.RdKafka --warnings-as-errors
echo "docs: ok (.build/docs)"
