#!/usr/bin/env bash
# The Kafka edge's own cost: `newsflow run` through one Apache Kafka 4.4
# broker on loopback (at least once, and pass-through) against `newsflow
# process` on the same articles with the same two workers, in one run.
# Prints the machine's conditions, the three rates and the ratios
# run/process and run/pass-through, and the CPU time per 1,000 articles of
# `process`, of each mode's service and of the broker beside it (the rates
# on this 2-core machine also measure the broker's share of the cores).
#
# Input: COUNT (default 30000) Reuters-21578 training bodies, cycled with
# unique ids (as scripts/bench-throughput.sh). `process` is timed as a whole
# (start-up, about 0.1 s, included); `run` from its first commit to the
# commit of the last message (start-up and group join excluded).
#
# Usage: scripts/bench-edge.sh [COUNT] [PARTITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-30000}"
PARTITIONS="${2:-4}"
DATA="${NEWSFLOW_DATA:-../shared/data}/reuters21578/train.jsonl.gz"
[ -f "$DATA" ] || { echo "no corpus at $DATA (set NEWSFLOW_DATA)" >&2; exit 1; }
cargo build --release --bin newsflow --example throughput >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$DATA" "$COUNT" >"$WORK/input.jsonl" <<'PY'
import gzip, json, sys
bodies = [d for d in (json.loads(l) for l in gzip.open(sys.argv[1], "rt")) if d.get("body", "").strip()]
for i in range(int(sys.argv[2])):
    d = bodies[i % len(bodies)]
    print(json.dumps({"id": f"bench-{i}", "title": d.get("title"), "body": d["body"]}))
PY
# `process`: its rate, and its CPU time (user + system) per 1,000 articles.
read -r process_rate process_cpu < <(python3 - "$WORK/input.jsonl" "$COUNT" <<'PY'
import os, resource, subprocess, sys, time
env = dict(os.environ, RAYON_NUM_THREADS="2")
t = time.monotonic()
subprocess.run(["target/release/newsflow", "process", sys.argv[1]], env=env, check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
dt = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
n = int(sys.argv[2])
print(round(n / dt), round((ru.ru_utime + ru.ru_stime) * 1e6 / n))
PY
)
. scripts/bench-broker.sh
json=$(NEWSFLOW_PIPELINE__WORKERS=2 target/release/examples/throughput "127.0.0.1:$PORT" target/release/newsflow "$COUNT" "$PARTITIONS" 2>/dev/null)
python3 - "$process_rate" "$process_cpu" "$json" <<'PY'
import json, sys
process = float(sys.argv[1]); process_cpu = float(sys.argv[2]); r = json.loads(sys.argv[3])
run, passthrough = r["pipeline_msgs_per_sec"], r["passthrough_msgs_per_sec"]
cpu = r["cpu_ms_per_1000_articles"]
alo = cpu["at_least_once"]
print(json.dumps({
    "articles": r["messages"], "partitions": r["partitions"], "workers": 2,
    "process_articles_per_sec": process,
    "run_at_least_once_msgs_per_sec": run,
    "run_passthrough_msgs_per_sec": passthrough,
    "run_exactly_once_msgs_per_sec": r["exactly_once_msgs_per_sec"],
    "run_over_process": round(run / process, 3),
    "run_over_passthrough": round(run / passthrough, 3),
    "client_settings": r["client_settings"],
    # CPU ms per 1,000 articles: where the two cores went.
    "cpu_ms_per_1000_articles": dict(process=process_cpu, **cpu),
    # What `process` costs over what `run` costs the machine, service and
    # broker together: the ratio the rates would show on idle cores with
    # the broker elsewhere would be process / service alone.
    "cpu_process_over_run_and_broker": round(process_cpu / (alo["service"] + alo["broker"]), 3)
        if alo["service"] and alo["broker"] else None,
    "cpu_process_over_run_service": round(process_cpu / alo["service"], 3) if alo["service"] else None,
}))
PY
