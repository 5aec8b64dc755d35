#!/usr/bin/env bash
# Measures `newsflow run` and `newsflow run --passthrough` through a Tansu
# broker on loopback, same settings, one run, and prints both rates and their
# ratio (target: pipeline >= 0.8 x pass-through).
#
# Usage: scripts/bench-throughput.sh [COUNT] [PARTITIONS] [STORAGE]
#   STORAGE: memory (default) or sqlite
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-20000}"
PARTITIONS="${2:-4}"
STORAGE="${3:-memory}"
export TANSU_BIN="$(scripts/install-tansu.sh)"
cargo build --release --bin newsflow --example throughput >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
case "$STORAGE" in
  memory) ENGINE="memory://tansu/" ;;
  sqlite) ENGINE="sqlite://tansu.db" ;;
  *) echo "STORAGE must be memory or sqlite" >&2; exit 2 ;;
esac
(cd "$WORK" && exec "$TANSU_BIN" broker --listener-url "tcp://127.0.0.1:$PORT" \
  --advertised-listener-url "tcp://127.0.0.1:$PORT" --storage-engine "$ENGINE" >"$WORK/broker.log" 2>&1) &
BROKER=$!
trap 'kill $BROKER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); tansu 0.6.0 $STORAGE" >&2
target/release/examples/throughput "127.0.0.1:$PORT" target/release/newsflow "$COUNT" "$PARTITIONS"
