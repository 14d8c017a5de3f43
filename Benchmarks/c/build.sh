#!/bin/sh
# Build the C baseline benchmark and the malloc counter into OUTDIR.
#   Benchmarks/c/build.sh OUTDIR
set -eu
OUT=${1:?usage: build.sh OUTDIR}
SRC=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-gcc}
mkdir -p "$OUT"
$CC -O2 -Wall -o "$OUT/rdkafka_bench" "$SRC/rdkafka_bench.c" -lrdkafka -lpthread
$CC -O2 -Wall -shared -fPIC -o "$OUT/libmalloc_count.so" "$SRC/malloc_count.c" -ldl
echo "built $OUT/rdkafka_bench $OUT/libmalloc_count.so" >&2
