#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs what is missing
# (Tansu 0.6.0 into ~/.cache/newsflow), then runs formatting and lint checks,
# unit tests, the golden and taxonomy tests, and the Kafka integration tests on
# both librdkafka's in-process mock cluster and Tansu brokers (each test starts
# its own broker on a free 127.0.0.1 port and stops it).
set -euo pipefail
cd "$(dirname "$0")/.."

export TANSU_BIN="$(scripts/install-tansu.sh)"
echo "tansu: $TANSU_BIN"

cargo fmt --check
cargo clippy --release --all-targets -- -D warnings
# Release profile: the Kafka tests move thousands of messages; debug builds of
# the core would dominate their run time.
cargo test --release -- --test-threads=2
