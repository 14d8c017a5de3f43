#!/usr/bin/env bash
# Install what the test harness needs, only if missing (near no-op otherwise):
#   librdkafka-dev (+ pkg-config, gcc to build scripts/mock-cluster.c),
#   openssl (scripts/gen-certs.sh), noida-db==0.2.3 from PyPI (a single-binary
#   Kafka-compatible broker), and under .build-python/interop PyPI's
#   confluent-kafka[avro,schemaregistry] with fastavro (the reference clients the
#   Schema Registry tests interoperate with and compare bytes against). Meant for root on Debian 12; prints nothing when
#   everything is already there.
set -euo pipefail

NOIDA_VERSION=0.2.3
export DEBIAN_FRONTEND=noninteractive

SUDO=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi

apt_updated=0
apt_install() {
    echo "setup: installing $* (apt)" >&2
    # Try with the current package lists first; refresh them only when that fails
    # (fresh machine with empty lists, or stale lists pointing at gone versions).
    if [ "$apt_updated" = 0 ] && $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$apt_updated" = 0 ]; then
        $SUDO apt-get update -qq >/dev/null
        apt_updated=1
    fi
    $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pkgs=()
command -v pkg-config >/dev/null 2>&1 || pkgs+=(pkg-config)
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists rdkafka; then
    pkgs+=(librdkafka-dev)
fi
command -v gcc >/dev/null 2>&1 || pkgs+=(gcc libc6-dev)
command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
command -v python3 >/dev/null 2>&1 || pkgs+=(python3 python3-pip)
if [ ${#pkgs[@]} -gt 0 ]; then apt_install "${pkgs[@]}"; fi

noida_ok() {
    python3 - "$NOIDA_VERSION" <<'EOF' 2>/dev/null
import sys, os, importlib.metadata as md
import noida_db
assert md.version("noida-db") == sys.argv[1]
assert os.access(os.path.join(os.path.dirname(noida_db.__file__), "noida-db"), os.X_OK)
EOF
}
pip_install() {
    echo "setup: installing $* (pip)" >&2
    if ! python3 -m pip --version >/dev/null 2>&1; then apt_install python3-pip; fi
    pip_args=(install -q --disable-pip-version-check "$@")
    if ! out=$(python3 -m pip "${pip_args[@]}" 2>&1); then
        if grep -q externally-managed-environment <<<"$out"; then
            # Debian's own python3 (PEP 668): install into it anyway, root only.
            python3 -m pip "${pip_args[@]}" --break-system-packages
        else
            echo "$out" >&2
            exit 1
        fi
    fi
}
if ! noida_ok; then
    pip_install "noida-db==$NOIDA_VERSION"
    noida_ok || { echo "setup: noida-db still not importable after install" >&2; exit 1; }
fi
INTEROP_VERSION=2.16.2
INTEROP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build-python/interop
if ! PYTHONPATH=$INTEROP python3 -c "import confluent_kafka, fastavro, sys; sys.exit(confluent_kafka.version()[0] != '$INTEROP_VERSION')" 2>/dev/null; then
    echo "setup: installing confluent-kafka[avro,schemaregistry]==$INTEROP_VERSION into .build-python/interop (pip)" >&2
    if ! python3 -m pip --version >/dev/null 2>&1; then apt_install python3-pip; fi
    rm -rf "$INTEROP"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --target "$INTEROP" \
        "confluent-kafka[avro,schemaregistry]==$INTEROP_VERSION" >&2
fi
