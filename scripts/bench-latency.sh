#!/usr/bin/env bash
# Freshness through one Apache Kafka 4.4 broker on loopback: input record
# creation to receipt of the enriched event by a read_committed reader, at a
# steady rate of Reuters articles, for at-least-once and exactly-once in one
# run. Prints p50, p99 and max per mode (last line: JSON).
#
# Client settings: consumer fetch.wait.max.ms=10, producer linger.ms=5 (the
# default), pipeline.commit_interval_ms=100.
#
# Usage: scripts/bench-latency.sh [RATE_PER_SEC] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE="${1:-500}"
SECONDS_="${2:-20}"
cargo build --release --bin newsflow --example latency >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
scripts/kafka-broker.sh "$PORT" "$WORK" >"$WORK/broker.log" 2>&1 &
BROKER=$!
trap 'kill $BROKER 2>/dev/null || true; wait $BROKER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
sleep 2
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); Apache Kafka 4.4.0 (KRaft, 1 node)" >&2
target/release/examples/latency "127.0.0.1:$PORT" target/release/newsflow "$RATE" "$SECONDS_"
