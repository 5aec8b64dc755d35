#!/usr/bin/env bash
# Fuzzes the core with cargo-fuzz (libFuzzer, AddressSanitizer): the decode
# target and the enrich target (decode, enrich and encode on arbitrary
# bytes, and the bytes as an article body), each for SECONDS (default 300),
# with a corpus seeded from the sample articles, the seed article and the
# synthetic stress shapes. Installs cargo-fuzz and a nightly toolchain if
# missing. A finding stops the run with the crashing input saved under
# fuzz/artifacts/TARGET/ and exit status 1; reproduce it with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-300}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(decode enrich)
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seeds: each sample line, the seed article, and 4 KiB of each stress shape.
seed_dir=fuzz/corpus/seeds
mkdir -p "$seed_dir"
i=0
while IFS= read -r line; do
  [ -n "$line" ] && printf '%s' "$line" >"$seed_dir/sample-$i.json" && i=$((i + 1))
done <samples/articles.jsonl
cp samples/seed-putin-tehran.txt "$seed_dir/seed.txt"
printf '{"title": "", "body": "(Reuters) - \\"He said,\\" (NIOC"}' >"$seed_dir/quote-paren.json"
printf '\xff\xfe{"body": 1}' >"$seed_dir/bad-utf8.bin"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(cargo +nightly --version); commit $(git rev-parse --short HEAD)"
for t in "${TARGETS[@]}"; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus"
  cp -n "$seed_dir"/* "$corpus"/
  echo "fuzzing $t for ${SECONDS_EACH}s (corpus: $(ls "$corpus" | wc -l) inputs)"
  (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1 2>&1) |
    grep -E '^(#[0-9]+.*(DONE|pulse)|stat::|==|SUMMARY|artifact_prefix|Test unit written|Running|thread)' || true
  if ls "fuzz/artifacts/$t"/crash-* "fuzz/artifacts/$t"/oom-* "fuzz/artifacts/$t"/timeout-* >/dev/null 2>&1; then
    echo "$t: findings in fuzz/artifacts/$t" >&2
    exit 1
  fi
  echo "$t: no finding in ${SECONDS_EACH}s (corpus now $(ls "$corpus" | wc -l) inputs)"
done
