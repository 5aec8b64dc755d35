#!/usr/bin/env bash
# Installs the Tansu 0.6.0 Kafka-protocol broker used by the integration tests
# and the throughput benchmark, from crates.io, into a cache outside the
# checkout (default ~/.cache/newsflow, override with NEWSFLOW_TOOLS) so fresh
# clones and CI runs on the same machine reuse it. Prints the binary's path.
#
# Features: dynostore gives the memory:// engine the tests use; libsql gives
# sqlite:// (durable, correct high watermark) for longer benchmark runs.
set -euo pipefail
TOOLS="${NEWSFLOW_TOOLS:-$HOME/.cache/newsflow}"
ROOT="$TOOLS/tansu-0.6.0"
BIN="$ROOT/bin/tansu"
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q '0.6.0'; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$TOOLS"
echo "installing tansu 0.6.0 into $ROOT (takes 15-20 minutes on 2 cores)..." >&2
cargo install tansu --version 0.6.0 --locked --features dynostore,libsql \
  --root "$ROOT" --target-dir "$TOOLS/tansu-build" >&2
rm -rf "$TOOLS/tansu-build"
"$BIN" --version >&2
echo "$BIN"
