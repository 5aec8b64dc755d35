#!/usr/bin/env bash
# Peak resident memory of `newsflow run` with the default pipeline bounds on
# large name-dense articles (default 200 of 900 KiB) through one Apache
# Kafka 4.4 broker on loopback that accepts records of up to 8 MiB. Prints
# the machine's conditions and a JSON line with the peak (VmHWM), the time
# and what came out; exits 1 if the peak is above LIMIT_MIB (default 320).
#
# Usage: scripts/bench-memory.sh [COUNT] [KIB] [LIMIT_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-200}"
KIB="${2:-900}"
LIMIT="${3:-320}"
cargo build --release --bin newsflow --example memory >&2
export KAFKA_EXTRA_PROPERTIES="message.max.bytes=8388608
replica.fetch.max.bytes=8388608"
. scripts/bench-broker.sh
out=$(target/release/examples/memory "127.0.0.1:$PORT" target/release/newsflow "$COUNT" "$KIB")
echo "$out"
peak=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_mib"])')
python3 -c "import sys; sys.exit(0 if $peak <= $LIMIT else 1)" || { echo "peak RSS $peak MiB is above $LIMIT MiB" >&2; exit 1; }
echo "peak RSS $peak MiB (limit $LIMIT MiB)"
