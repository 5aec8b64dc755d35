#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs what is missing
# (Apache Kafka 4.4.0 jars from Maven Central into ~/.cache/newsflow; needs
# Java 17+ and Maven), then runs formatting and lint checks, the deployment
# checks (scripts/check-deploy.sh: Helm chart, manifests, compose), the boundary
# check of the core crate, unit tests, the golden, taxonomy and model tests,
# and the Kafka integration tests on both librdkafka's in-process mock cluster
# and Apache Kafka brokers (each test starts its own KRaft broker on free
# 127.0.0.1 ports and stops it).
#
# The corpora for the model tests are found under $NEWSFLOW_DATA (default
# ../shared/data); without them those tests print SKIPPED, except under CI
# (CI=true), where a missing corpus fails.
set -euo pipefail
cd "$(dirname "$0")/.."

export KAFKA_HOME="$(scripts/install-kafka.sh)"
echo "kafka: $KAFKA_HOME"

cargo fmt --all --check

# The core must stay pure: no Kafka client, async runtime, config loader or CLI.
forbidden='^(rdkafka|rdkafka-sys|tokio|futures|futures-util|figment|clap|tracing-subscriber) '
if cargo tree -p newsflow-core -e normal --prefix none | sort -u | grep -E "$forbidden"; then
  echo "newsflow-core depends on a crate it must not use (above)" >&2
  exit 1
fi

cargo clippy --release --workspace --all-targets -- -D warnings
# The Helm chart, the raw manifests, docker-compose and the Grafana dashboard
# (installs helm, kubernetes-validate and a compose loader on first use).
scripts/check-deploy.sh
# Release profile: the Kafka tests move thousands of messages; debug builds of
# the core would dominate their run time.
cargo test --release --workspace -- --test-threads=2
