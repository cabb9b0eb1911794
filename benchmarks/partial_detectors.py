"""The detectors of ``partial_copies.py``: texts -> pairs of document numbers (i < j), and
what they were asked.

Each runs in a fresh process (``contenders.py``: peak memory of its process tree, see
``measure.py``), from texts in memory to pairs, after a warm-up on two tiny texts:

* ``neardup-jaccard``: ``find_duplicates(docs, threshold=c, workers=1)``, neardup as it is
  without containment search (the baseline);
* ``neardup-containment``: ``find_duplicates(docs, containment=c, workers=1)``;
* ``neardup-copies``: ``find_duplicates(docs, preset="copies", workers=1)`` (one run; its
  precision is judged against the preset's own containment and Jaccard);
* ``lshe-P``: datasketch ``MinHashLSHEnsemble(threshold=c, num_perm=128, num_part=P, m=8)``
  on ``MinHash(num_perm=128)`` (datasketch's default sha1 hash) of the UTF-8 character 5-gram
  shingles of ``neardup.normalize_text(text)``, indexed with each document's number of
  distinct shingles; every document is queried with its own MinHash and size, and the keys
  returned (other than itself) are its pairs, as-is (no verification). A query finds
  indexed sets X with ``|Q∩X|/|Q| >= c`` (estimated), so querying every document covers both
  directions, i.e. containment of the smaller.
"""

from __future__ import annotations

import time
from typing import Any

from common import char_shingles
from contenders import Contender, Pairs, report_pairs

NGRAM = 5
NUM_PERM = 128


def _neardup_pairs(texts: list[str], **options: Any) -> tuple[Pairs, dict[str, Any]]:
    from neardup import find_duplicates

    report = find_duplicates([(str(i), t) for i, t in enumerate(texts)], workers=1, **options)
    params = report.parameters
    info = {
        "threshold": params.threshold,
        "containment": params.containment,
        "candidates": report.counts.candidates,
    }
    return report_pairs(report), info


def run_neardup_jaccard(texts: list[str], level: float) -> tuple[Pairs, dict[str, Any]]:
    """neardup without containment: ``find_duplicates(threshold=level)``."""
    from quality import bands_for

    return _neardup_pairs(texts, threshold=level, bands=bands_for(level))


def run_neardup_containment(texts: list[str], level: float) -> tuple[Pairs, dict[str, Any]]:
    """``find_duplicates(containment=level)``."""
    return _neardup_pairs(texts, containment=level)


def run_neardup_copies(texts: list[str], level: float) -> tuple[Pairs, dict[str, Any]]:
    """``find_duplicates(preset="copies")`` (``level`` unused). Besides containment and
    Jaccard, its pairs claim a shared specific passage (``passage``: the characters the
    copies judgement asks for)."""
    from neardup.core.formula import CopyRule

    del level
    pairs, info = _neardup_pairs(texts, preset="copies")
    return pairs, {**info, "passage": CopyRule.passage}


def run_lshe(texts: list[str], level: float, parts: int = 16) -> tuple[Pairs, dict[str, Any]]:
    """datasketch ``MinHashLSHEnsemble``: index every document, query every document."""
    from datasketch import MinHash, MinHashLSHEnsemble

    from neardup import normalize_text

    started = time.perf_counter()
    sketches, sizes = [], []
    for text in texts:
        grams = {s.encode("utf-8") for s in char_shingles(normalize_text(text), NGRAM)}
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(list(grams))
        sketches.append(m)
        sizes.append(len(grams))
    hashed = time.perf_counter()
    ensemble = MinHashLSHEnsemble(threshold=level, num_perm=NUM_PERM, num_part=parts, m=8)
    ensemble.index([(i, m, n) for i, (m, n) in enumerate(zip(sketches, sizes, strict=True)) if n])
    built = time.perf_counter()
    pairs: Pairs = set()
    for i, (m, n) in enumerate(zip(sketches, sizes, strict=True)):
        if not n:
            continue
        for j in ensemble.query(m, n):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    queried = time.perf_counter()
    info = {
        "threshold": None,
        "containment": level,
        "minhash_s": hashed - started,
        "index_s": built - hashed,
        "query_s": queried - built,
    }
    return pairs, info


def runner(detector: str) -> Contender:
    """The function behind a detector's name (``lshe-P``: LSH Ensemble with P partitions)."""
    if detector.startswith("lshe-"):
        parts = int(detector.split("-", 1)[1])
        return lambda texts, level: run_lshe(texts, level, parts)
    runners: dict[str, Contender] = {
        "neardup-jaccard": run_neardup_jaccard,
        "neardup-containment": run_neardup_containment,
        "neardup-copies": run_neardup_copies,
    }
    if detector not in runners:
        raise ValueError(f"detector must be one of {sorted(runners)} or lshe-P (got {detector!r})")
    return runners[detector]


def asked(detector: str, result: dict[str, Any], level: float) -> str:
    """What ``detector`` was asked at ``level``, as the results table says it."""
    info = result["info"]
    if detector == "neardup-copies":
        return f"preset copies (containment {info['containment']}, J {info['threshold']})"
    if detector == "neardup-jaccard":
        return f"J ≥ {level}"
    if detector == "neardup-containment":
        return f"containment ≥ {level} (or J ≥ {info['threshold']})"
    return f"LSHE t={level}, {detector.split('-')[1]} parts (as-is)"
