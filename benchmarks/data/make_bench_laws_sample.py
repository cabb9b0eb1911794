"""Rebuild benchmarks/data/laws_sample.jsonl.gz from the shared laws corpus.

200 laws of 1,000 to 3,000 characters, a seeded choice, kept in corpus order: the real text
the benchmarks and the corpus generator fall back on when ../shared/corpora is absent.
Statutes are not protected by copyright (PRC Copyright Law art. 5), so the sample may be
committed; news text may not.

Usage: python benchmarks/data/make_bench_laws_sample.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1].parent / "shared" / "corpora" / "laws_zh.jsonl.gz"
OUT = HERE / "laws_sample.jsonl.gz"
COUNT = 200
SEED = 20240601


def main() -> None:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        laws = [json.loads(line) for line in handle]
    eligible = [i for i, law in enumerate(laws) if 1000 <= len(law["text"]) <= 3000]
    chosen = sorted(np.random.default_rng(SEED).choice(eligible, COUNT, replace=False).tolist())
    # mtime=0: the same input gives the same bytes.
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for i in chosen:
            record = {k: laws[i][k] for k in ("id", "title", "category", "text")}
            gz.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"wrote {COUNT} laws to {OUT.name} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
