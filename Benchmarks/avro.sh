#!/usr/bin/env bash
# The Schema Registry Avro serializers against plain bytes (`make bench-avro`): a 10-field
# record serialized and produced, then consumed and deserialized, beside the same loops with
# plain bytes of the record's size. Prints one JSON line per workload (messages/s, mallocs per
# message) and a summary. Starts the project's test brokers and registry, and stops them.
#
#   Benchmarks/avro.sh        N=200000 messages (N=... to change)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-200000}
cleanup() { "$ROOT/scripts/brokers.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$ROOT/Benchmarks/c/build.sh" "$ROOT/Benchmarks/.build/c" 2>/dev/null
swift build -c release --package-path "$ROOT/Benchmarks" >&2
"$ROOT/scripts/brokers.sh" start >&2
# shellcheck disable=SC1091
source "$ROOT/.brokers/env"
registry=${RDKAFKA_TEST_SCHEMA_REGISTRY_URL/http:\/\//http:\/\/$RDKAFKA_TEST_SCHEMA_REGISTRY_USER:$RDKAFKA_TEST_SCHEMA_REGISTRY_SECRET@}
bin=$(swift build -c release --package-path "$ROOT/Benchmarks" --show-bin-path)/rdkafka-avro-bench
out=$(mktemp)
LD_PRELOAD="$ROOT/Benchmarks/.build/c/libmalloc_count.so" "$bin" avro -b "$RDKAFKA_TEST_MOCK_BOOTSTRAP" \
    -t "avro-bench-$$" -n "$N" --registry "$registry" | tee "$out"
python3 - "$out" <<'PY'
import json, sys
rows = {r["mode"]: r for r in map(json.loads, open(sys.argv[1]))}
for kind in ("produce", "consume"):
    plain, avro = rows["plain-" + kind], rows["avro-" + kind]
    print("%-8s plain %10.0f msg/s %6.2f mallocs/msg | avro %10.0f msg/s %6.2f mallocs/msg | avro/plain time %.2f"
          % (kind, plain["msgs_per_sec"], plain.get("mallocs_per_msg", float("nan")),
             avro["msgs_per_sec"], avro.get("mallocs_per_msg", float("nan")), plain["msgs_per_sec"] / avro["msgs_per_sec"]))
PY
