#!/usr/bin/env bash
# Derives the tone lexicon, data/tone/lexicon.tsv, from VADER's sentiment
# lexicon (C.J. Hutto and Eric Gilbert, ICWSM 2014; MIT licence) as shipped in
# the PyPI package vaderSentiment 3.3.2 (vaderSentiment/vader_lexicon.txt
# inside the wheel). The wheel is fetched with `pip download` into a cache
# outside the checkout (${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}/vader) and
# checked against its pinned SHA-256; only the derived file is committed (see
# data/tone/README.md and NOTICE).
#
# Output: header `word<TAB>valence`, then one line per token made of lowercase
# ASCII letters, optionally with internal apostrophes or hyphens (emoticons,
# punctuation, digits, capitals, spaces and non-ASCII are dropped), with the
# mean valence exactly as written upstream (e.g. `2.3`). Where the upstream
# file lists a token twice, the later line wins, as in VADER's own
# make_lex_dict. Sorted by token in byte order, LF line ends, UTF-8. Re-running
# it reproduces the committed file byte for byte. Needs pip and python3
# (standard library only).
#
# Usage: scripts/derive-tone-lexicon.sh [--lists] [OUTPUT]
#   (default OUTPUT data/tone/lexicon.tsv; --lists also prints VADER's NEGATE
#    words and BOOSTER_DICT words, as quoted in data/tone/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

LISTS=0
if [[ "${1:-}" == "--lists" ]]; then LISTS=1; shift; fi
OUT="${1:-data/tone/lexicon.tsv}"

VERSION="3.3.2"
WHEEL_NAME="vaderSentiment-${VERSION}-py2.py3-none-any.whl"
WHEEL_SHA256="3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311"
CACHE="${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}/vader"
WHEEL="$CACHE/$WHEEL_NAME"

if [[ ! -f "$WHEEL" ]]; then
  command -v pip >/dev/null || { echo "pip is needed to fetch vaderSentiment==$VERSION" >&2; exit 2; }
  mkdir -p "$CACHE"
  echo "fetching vaderSentiment==$VERSION into $CACHE ..." >&2
  pip download "vaderSentiment==$VERSION" --no-deps --only-binary=:all: -d "$CACHE" --quiet
fi

mkdir -p "$(dirname "$OUT")"
TMP="$(mktemp "$OUT.XXXXXX")"
trap 'rm -f "$TMP"' EXIT

python3 - "$WHEEL" "$WHEEL_SHA256" "$TMP" "$LISTS" <<'PY'
import ast, hashlib, re, sys, zipfile

wheel, want_sha, out, lists = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"

with open(wheel, "rb") as f:
    wheel_sha = hashlib.sha256(f.read()).hexdigest()
if wheel_sha != want_sha:
    sys.exit(f"{wheel}: SHA-256 {wheel_sha}, expected {want_sha}; remove it and re-run")

with zipfile.ZipFile(wheel) as z:
    raw = z.read("vaderSentiment/vader_lexicon.txt")
    src = z.read("vaderSentiment/vaderSentiment.py").decode("utf-8")
lex_sha = hashlib.sha256(raw).hexdigest()

# The upstream file has CRLF line ends and no final newline.
entries = [l.strip() for l in raw.decode("utf-8").split("\n")]
entries = [l for l in entries if l]
word = re.compile(r"[a-z]+(?:['-][a-z]+)*\Z")
kept = {}
matched = 0
for line in entries:
    fields = line.split("\t")
    if len(fields) != 4:
        sys.exit(f"unexpected line in vader_lexicon.txt: {line!r}")
    token, valence = fields[0], fields[1]
    float(valence)  # must parse
    if word.match(token):
        matched += 1
        kept[token] = valence  # later line wins, as in VADER's make_lex_dict

rows = sorted(kept.items(), key=lambda kv: kv[0].encode("utf-8"))
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("word\tvalence\n")
    for token, valence in rows:
        f.write(f"{token}\t{valence}\n")

print(f"wheel              {wheel_sha}  {wheel.rsplit('/', 1)[-1]}")
print(f"vader_lexicon.txt  {lex_sha}")
print(f"entries in original: {len(entries)}")
print(f"entries matching the word rule: {matched} ({matched - len(kept)} repeated tokens, later line kept)")
print(f"entries kept: {len(kept)}")

if lists:
    tree = ast.parse(src)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in ("NEGATE", "BOOSTER_DICT"):
            found[node.targets[0].id] = node.value
    negate = [ast.literal_eval(e) for e in found["NEGATE"].elts]
    incr, decr = [], []
    for k, v in zip(found["BOOSTER_DICT"].keys, found["BOOSTER_DICT"].values):
        (incr if isinstance(v, ast.Name) and v.id == "B_INCR" else decr).append(ast.literal_eval(k))
    print(f"NEGATE ({len(negate)}): " + ", ".join(negate))
    print(f"BOOSTER_DICT B_INCR ({len(incr)}): " + ", ".join(incr))
    print(f"BOOSTER_DICT B_DECR ({len(decr)}): " + ", ".join(decr))
PY

chmod 644 "$TMP"
mv "$TMP" "$OUT"
trap - EXIT
echo "wrote $OUT ($(sha256sum "$OUT" | cut -d' ' -f1))" >&2
