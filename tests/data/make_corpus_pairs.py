"""Rebuild tests/data/{laws,news}_pairs.json: brute-force exact near-duplicate pairs.

For every pair of documents of ../shared/corpora/laws_zh.jsonl.gz and cctv_news.jsonl.gz with
exact character 5-gram Jaccard >= 0.7 (after neardup's normalization), the two ids and the
Jaccard. Only ids and numbers are stored (the news text may not be committed). The full-corpus
recall test compares find_duplicates with these files.

Usage: python tests/data/make_corpus_pairs.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from neardup import normalize_text, shingle_set

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the oracles
from oracles import exact_pairs

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parents[1].parent / "shared" / "corpora"
THRESHOLD = 0.7


def main() -> None:
    for name, file in (("laws", "laws_zh.jsonl.gz"), ("news", "cctv_news.jsonl.gz")):
        with gzip.open(CORPORA / file, "rt", encoding="utf-8") as handle:
            docs = [json.loads(line) for line in handle]
        sets = [shingle_set(normalize_text(d["text"]), 5) for d in docs]
        pairs = [
            {"a": docs[a]["id"], "b": docs[b]["id"], "jaccard": round(j, 6)}
            for a, b, j in exact_pairs(sets, THRESHOLD)
        ]
        out = {
            "corpus": file,
            "documents": len(docs),
            "ngram": 5,
            "threshold": THRESHOLD,
            "pairs": pairs,
        }
        (HERE / f"{name}_pairs.json").write_text(json.dumps(out, ensure_ascii=False, indent=1))
        print(f"{name}: {len(docs)} documents, {len(pairs)} pairs with J >= {THRESHOLD}")


if __name__ == "__main__":
    main()
