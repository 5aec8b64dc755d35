#!/usr/bin/env bash
# Measures `newsflow run` and `newsflow run --passthrough` through one Apache
# Kafka 4.4 broker on loopback (scripts/kafka-broker.sh), same settings, one
# run, and prints both rates and their ratio.
#
# Client settings (both modes): fetch.wait.max.ms=10, the defaults of
# config/default.toml otherwise (linger.ms=5, lz4), max_in_flight 1024.
#
# Usage: scripts/bench-throughput.sh [COUNT] [PARTITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-20000}"
PARTITIONS="${2:-4}"
cargo build --release --bin newsflow --example throughput >&2
. scripts/bench-broker.sh
target/release/examples/throughput "127.0.0.1:$PORT" target/release/newsflow "$COUNT" "$PARTITIONS"
