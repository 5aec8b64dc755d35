#!/usr/bin/env python3
"""Helper for scripts/bench-vs-spacy.sh.

  make-input N OUT [--reuters FILE]
                        Write N JSON Lines articles to OUT, each with a unique
                        id: the first N stories with a body of the Reuters-21578
                        training split (FILE), or the project's samples
                        (samples/articles.jsonl and the body of
                        samples/seed-putin-tehran.txt) cycled.
                        Needs only the standard library.
  run INPUT MODEL       Run spaCy NER alone (only the components that `ner`
                        needs) over the bodies in INPUT with nlp.pipe, after a
                        warm-up, and print one JSON line of results on stdout.
                        MODEL is an installed package name or a model directory.
"""
import argparse
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")


def sample_articles():
    """The project's sample articles, in a fixed order."""
    out = []
    with open(REPO / "samples" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    seed = (REPO / "samples" / "seed-putin-tehran.txt").read_text(encoding="utf-8")
    m = SEED_PREFIX.match(seed)
    if not m:
        sys.exit("seed-putin-tehran.txt does not start with ' date YYYY-MM-DD '")
    out.append({
        "id": "seed-putin-tehran",
        "published_at": m.group(1),
        "source": "reuters",
        "language": "en",
        "body": seed[m.end():].rstrip(),
    })
    return out


def reuters_articles(path, n):
    """The first n Reuters-21578 training stories with a body, as input events."""
    import gzip

    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if not (r.get("body") or "").strip():
                continue
            out.append({
                "id": f"reuters-{r['newid']}",
                "source": "reuters",
                "language": "en",
                "title": r.get("title") or None,
                "body": r["body"],
            })
            if len(out) == n:
                break
    return out


def make_input(n, path, reuters=None):
    base = reuters_articles(reuters, n) if reuters else sample_articles()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            art = {k: v for k, v in base[i % len(base)].items() if v is not None}
            art["id"] = f"bench-{i:06d}-{art['id']}"
            f.write(json.dumps(art, ensure_ascii=False) + "\n")
    what = f"Reuters-21578 training stories from {reuters}" if reuters else "samples"
    print(f"{n} articles from {len(base)} {what} -> {path}", file=sys.stderr)


def model_dir(model):
    """Directory holding the model's config.cfg (package dir or its one subdir)."""
    import spacy.util

    p = Path(model)
    if not p.exists():
        p = Path(spacy.util.get_package_path(model))
    if (p / "config.cfg").exists():
        return p
    subs = [d for d in p.iterdir() if (d / "config.cfg").is_file()]
    if len(subs) != 1:
        sys.exit(f"cannot find the model data (config.cfg) under {p}")
    return subs[0]


def components_ner_needs(config):
    """'ner' plus any upstream tok2vec it listens to (a Tok2VecListener)."""
    keep = {"ner"}
    t2v = config["components"]["ner"]["model"].get("tok2vec", {})
    if "Listener" in str(t2v.get("@architectures", "")):
        keep.add(t2v.get("upstream", "tok2vec"))
    return keep


def run(input_path, model, warmup, batch_size):
    import spacy
    import spacy.util

    mdir = model_dir(model)
    config = spacy.util.load_config(mdir / "config.cfg")
    all_pipes = list(config["nlp"]["pipeline"])
    keep = components_ner_needs(config)
    disable = [p for p in all_pipes if p not in keep]

    t0 = time.perf_counter()
    nlp = spacy.load(mdir, disable=disable)
    load_s = time.perf_counter() - t0
    assert "ner" in nlp.pipe_names, nlp.pipe_names
    assert set(nlp.pipe_names) <= keep, nlp.pipe_names

    texts = []
    with open(input_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["body"])
    if len(texts) <= warmup:
        sys.exit(f"need more than {warmup} articles, got {len(texts)}")

    warm_tokens = 0
    for doc in nlp.pipe(texts[:warmup], batch_size=batch_size):
        warm_tokens += len(doc)

    timed = texts[warmup:]
    tokens = ents = 0
    labels = {}
    c0 = time.process_time()
    t0 = time.perf_counter()
    for doc in nlp.pipe(timed, batch_size=batch_size):
        tokens += len(doc)
        ents += len(doc.ents)
        for e in doc.ents:
            labels[e.label_] = labels.get(e.label_, 0) + 1
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0

    print(json.dumps({
        "model": f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}",
        "model_version": nlp.meta.get("version"),
        "model_path": str(mdir),
        "spacy_version": spacy.__version__,
        "python_version": sys.version.split()[0],
        "pipe_names": nlp.pipe_names,
        "disabled": disable,
        "load_s": load_s,
        "batch_size": batch_size,
        "warmup_articles": warmup,
        "articles_total": len(texts),
        "tokens_total": warm_tokens + tokens,
        "timed_articles": len(timed),
        "timed_tokens": tokens,
        "timed_entities": ents,
        "entities_by_label": dict(sorted(labels.items(), key=lambda kv: -kv[1])),
        "wall_s": wall,
        "cpu_s": cpu,
        "articles_per_sec": len(timed) / wall,
        "tokens_per_sec": tokens / wall,
        "articles_per_cpu_sec": len(timed) / cpu if cpu > 0 else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make-input")
    mk.add_argument("n", type=int)
    mk.add_argument("out")
    mk.add_argument("--reuters", help="Reuters-21578 train.jsonl.gz: use its stories instead of the samples")
    rn = sub.add_parser("run")
    rn.add_argument("input")
    rn.add_argument("model")
    rn.add_argument("--warmup", type=int, default=20)
    rn.add_argument("--batch-size", type=int, default=64)
    a = ap.parse_args()
    if a.cmd == "make-input":
        make_input(a.n, a.out, a.reuters)
    else:
        run(a.input, a.model, a.warmup, a.batch_size)


if __name__ == "__main__":
    main()
