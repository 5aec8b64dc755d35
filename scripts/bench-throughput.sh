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
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
scripts/kafka-broker.sh "$PORT" "$WORK" >"$WORK/broker.log" 2>&1 &
BROKER=$!
trap 'kill $BROKER 2>/dev/null || true; wait $BROKER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); Apache Kafka 4.4.0 (KRaft, 1 node)" >&2
target/release/examples/throughput "127.0.0.1:$PORT" target/release/newsflow "$COUNT" "$PARTITIONS"
