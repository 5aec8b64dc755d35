#!/usr/bin/env bash
# A long at-least-once kill loop through one Apache Kafka 4.4 broker on
# loopback (scripts/kafka-broker.sh): CYCLES SIGKILLs (default 100) of
# `newsflow run` in a group of two, half in steady state and half during
# rebalances, then a clean run; prints the machine's conditions and a JSON
# line with lost (must be 0) and repeated deliveries per kill. Input:
# Reuters-21578 training bodies with unique ids. Exits 1 if anything was lost.
#
# Usage: scripts/kill-loop.sh [CYCLES]
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES="${1:-100}"
cargo build --release --bin newsflow --example kill_loop >&2
# The instances use 2 s sessions, so that a killed member leaves quickly;
# the broker's default minimum is 6 s.
export KAFKA_EXTRA_PROPERTIES="group.min.session.timeout.ms=500"
. scripts/bench-broker.sh
target/release/examples/kill_loop "127.0.0.1:$PORT" target/release/newsflow "$CYCLES"
