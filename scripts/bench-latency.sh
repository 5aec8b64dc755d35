#!/usr/bin/env bash
# Freshness through one Apache Kafka 4.4 broker on loopback: input record
# creation to receipt of the enriched event by a read_committed reader, at a
# steady rate of Reuters articles, for at-least-once and exactly-once in one
# run. Prints p50, p99 and max per mode (last line: JSON), beside the
# service's own newsflow_end_to_end_seconds histogram (its p50 and p99 bucket
# bounds, read from /metrics before the service stops).
#
# Client settings: consumer fetch.wait.max.ms=10, producer linger.ms=5 (the
# default), pipeline.commit_interval_ms=100.
#
# The first WARM_UP seconds (default 5) run at the rate but are not counted:
# with a fresh broker and service the first seconds of load are slow
# (measured: 150-360 ms worst in seconds 1-3, 13-60 ms after; the broker's
# JIT compiler is busy then). The worst latency of every second, warm-up
# included, is printed too.
#
# Usage: scripts/bench-latency.sh [RATE_PER_SEC] [SECONDS] [WARM_UP]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE="${1:-500}"
SECONDS_="${2:-20}"
WARM_UP="${3:-5}"
cargo build --release --bin newsflow --example latency >&2
. scripts/bench-broker.sh
sleep 2
target/release/examples/latency "127.0.0.1:$PORT" target/release/newsflow "$RATE" "$SECONDS_" "$WARM_UP"
