#!/usr/bin/env bash
# Paired per-article cost of the core (decode + enrich + encode) on real
# newswire, at two revisions: BASE (default HEAD) against the working tree.
# Builds crates/newsflow-core/examples/core_throughput.rs at both (BASE in a
# git worktree under target/bench-base, its own target dir; the example is
# copied in when BASE predates it), then runs the two binaries alternately,
# ROUNDS times each, pinned to one core, and prints every run and the ratio
# of the medians.
#
# Usage: scripts/bench-core-cost.sh [BASE] [ROUNDS]
# Input: the first 2,000 Reuters-21578 training stories
# (${NEWSFLOW_DATA:-../shared/data}/reuters21578/train.jsonl.gz).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:-HEAD}"
ROUNDS="${2:-5}"
DATA="${NEWSFLOW_DATA:-../shared/data}/reuters21578/train.jsonl.gz"
[ -f "$DATA" ] || { echo "no corpus at $DATA (set NEWSFLOW_DATA)" >&2; exit 1; }
WT=target/bench-base/src
rm -rf "$WT"
git worktree prune
git worktree add --detach -f "$WT" "$BASE" >&2
mkdir -p "$WT/crates/newsflow-core/examples"
cp -n crates/newsflow-core/examples/core_throughput.rs "$WT/crates/newsflow-core/examples/" || true
(cd "$WT" && CARGO_TARGET_DIR="$PWD/../target" cargo build --release -q -p newsflow-core --example core_throughput)
cargo build --release -q -p newsflow-core --example core_throughput
OLD=target/bench-base/target/release/examples/core_throughput
NEW=target/release/examples/core_throughput
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "base: $(git rev-parse --short "$BASE"); new: working tree of $(git rev-parse --short HEAD)"
old_us=(); new_us=()
for i in $(seq "$ROUNDS"); do
  o=$($PIN "$OLD" "$DATA" 2000 5); n=$($PIN "$NEW" "$DATA" 2000 5)
  echo "round $i  base: $o"
  echo "round $i  new:  $n"
  old_us+=("$(echo "$o" | sed -E 's/.*median ([0-9.]+) µs.*/\1/')")
  new_us+=("$(echo "$n" | sed -E 's/.*median ([0-9.]+) µs.*/\1/')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${old_us[@]}"); mn=$(median "${new_us[@]}")
awk -v o="$mo" -v n="$mn" 'BEGIN { printf "median µs/article: base %.1f, new %.1f, ratio %.3f (%+.1f %%)\n", o, n, n/o, 100*(n/o-1) }'
git worktree remove --force "$WT"
