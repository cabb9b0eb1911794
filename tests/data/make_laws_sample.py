"""Rebuild tests/data/laws_sample.jsonl.gz and laws_sample_pairs.json from the shared corpus.

The sample holds every law that has a near-duplicate (exact character 5-gram Jaccard >= 0.5)
in ../shared/corpora/laws_zh.jsonl.gz, plus a seeded random choice of others, so the regular
test suite measures recall on natural near-duplicates. Statutes are not protected by
copyright (PRC Copyright Law art. 5), so the sample may be committed.

Usage: python tests/data/make_laws_sample.py
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

from neardup import normalize_text, shingle_set

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the oracles
from oracles import exact_pairs

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1].parent / "shared" / "corpora" / "laws_zh.jsonl.gz"
OTHERS = 120
THRESHOLD = 0.5


def main() -> None:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        laws = [json.loads(line) for line in handle]
    sets = [shingle_set(normalize_text(law["text"]), 5) for law in laws]
    involved = sorted({i for a, b, _ in exact_pairs(sets, THRESHOLD) for i in (a, b)})
    rest = sorted(set(range(len(laws))) - set(involved))
    chosen = sorted(involved + random.Random(5).sample(rest, OTHERS))
    sample = [{k: laws[i][k] for k in ("id", "title", "text")} for i in chosen]
    with gzip.open(HERE / "laws_sample.jsonl.gz", "wt", encoding="utf-8") as out:
        for law in sample:
            out.write(json.dumps(law, ensure_ascii=False) + "\n")
    sample_sets = [sets[i] for i in chosen]
    pairs = [
        {"a": sample[a]["id"], "b": sample[b]["id"], "jaccard": round(j, 6)}
        for a, b, j in exact_pairs(sample_sets, THRESHOLD)
    ]
    (HERE / "laws_sample_pairs.json").write_text(
        json.dumps(
            {"ngram": 5, "threshold": THRESHOLD, "pairs": pairs}, ensure_ascii=False, indent=1
        )
    )
    print(f"{len(sample)} laws, {len(pairs)} pairs with J >= {THRESHOLD}")


if __name__ == "__main__":
    main()
