#!/usr/bin/env bash
# Prints a directory whose librdkafka.so.1 is librdkafka 2.16.0, for LD_LIBRARY_PATH: the build
# that PyPI's confluent-kafka==2.16.2 wheel ships (statically linked with its own OpenSSL),
# installed under .build-librdkafka on first use. The SDK, built against the system's 2.0.2
# headers, runs on it unchanged and uses what it adds (see Librdkafka.supports).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WHEEL_VERSION=2.16.2
dir="$ROOT/.build-librdkafka/2.16"
if [ ! -e "$dir/librdkafka.so.1" ]; then
    target="$ROOT/.build-librdkafka/confluent-kafka-$WHEEL_VERSION"
    if [ ! -d "$target/confluent_kafka.libs" ]; then
        echo "librdkafka-newer: installing confluent-kafka==$WHEEL_VERSION's librdkafka (pip)" >&2
        rm -rf "$target"
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --target "$target" "confluent-kafka==$WHEEL_VERSION" >&2
    fi
    library=$(ls "$target"/confluent_kafka.libs/librdkafka-*.so.1 2>/dev/null | head -1)
    [ -n "$library" ] || { echo "librdkafka-newer: no librdkafka in the confluent-kafka wheel" >&2; exit 1; }
    mkdir -p "$dir"
    ln -sf "$library" "$dir/librdkafka.so.1"
fi
echo "$dir"
