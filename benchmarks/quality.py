"""Recall and precision of neardup against exact Jaccard on the real corpora.

The truth is every pair with exact character 5-gram Jaccard ``J >= t`` after neardup's
normalization, found by the exact similarity join of :mod:`exact` (prefix filtering plus
exact verification: the same result as comparing all pairs). neardup runs
``find_duplicates(threshold=t)`` with its defaults (char 5-grams, 128 permutations, bands
chosen for t, exact verification) on the same documents.

* pair recall: share of true pairs that neardup reports as a pair;
* cluster recall: share of true pairs whose two documents are in the same neardup cluster;
* precision: share of neardup's pairs that are true pairs.

Usage::

    PYTHONPATH=src python benchmarks/quality.py --corpus laws news
    PYTHONPATH=src python benchmarks/quality.py --corpus laws --thresholds 0.7 0.8
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from common import load_corpus, markdown_table
from contenders import report_pairs
from exact import shingle_sets, similar_pairs

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
# Counted by the corpora's SOURCES.md (J >= 0.7, J >= 0.8), for comparison.
PUBLISHED = {"laws": {0.7: 89, 0.8: 65}, "news": {0.7: 128, 0.8: 69}}


@dataclass(frozen=True)
class Row:
    """Quality of one neardup run at one threshold."""

    threshold: float
    true_pairs: int
    reported: int
    found: int
    in_cluster: int
    correct: int
    seconds: float
    missed: tuple[tuple[int, int, float], ...] = ()

    @property
    def recall(self) -> float:
        return self.found / self.true_pairs if self.true_pairs else 1.0

    @property
    def cluster_recall(self) -> float:
        return self.in_cluster / self.true_pairs if self.true_pairs else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0


def bands_for(threshold: float, num_perm: int = 128) -> int | None:
    """None (neardup's own choice) when neardup accepts ``threshold`` with its default banding.

    Otherwise the banding neardup would choose if it kept to divisors of ``num_perm``: the
    most rows per band with P(candidate | J = t) >= 0.99. (neardup's ``choose_bands`` may
    pick ``bands = num_perm // rows`` that does not divide num_perm, which ``Parameters``
    then rejects; see the README.)
    """
    from neardup import Banding, ParameterError, Parameters
    from neardup.core.lsh import TARGET_PROBABILITY

    try:
        Parameters(threshold=threshold, num_perm=num_perm).to_dict()
        return None
    except ParameterError:
        for rows in range(num_perm, 0, -1):
            banding = Banding(num_perm // rows, rows)
            if num_perm % rows == 0 and banding.probability(threshold) >= TARGET_PROBABILITY:
                return banding.bands
        raise


def neardup_result(
    texts: list[str], threshold: float
) -> tuple[set[tuple[int, int]], npt.NDArray[np.int64], float]:
    """neardup's pairs (document indices, i < j), each document's cluster label, seconds."""
    from neardup import find_duplicates

    report = find_duplicates(
        [(str(i), t) for i, t in enumerate(texts)],
        threshold=threshold,
        bands=bands_for(threshold),
    )
    pairs = report_pairs(report)
    label = np.arange(len(texts), dtype=np.int64)  # singletons: their own label
    for number, cluster in enumerate(report.clusters):
        for member in cluster.members:
            label[int(member.id)] = len(texts) + number
    return pairs, label, report.seconds


def evaluate(
    texts: list[str],
    truth: npt.NDArray[np.int64],
    jaccard: npt.NDArray[np.float64],
    threshold: float,
) -> Row:
    """Compare neardup at ``threshold`` with the true pairs (``truth`` holds J >= min t)."""
    true_at = {tuple(p) for p in truth[jaccard >= threshold].tolist()}
    reported, label, seconds = neardup_result(texts, threshold)
    in_cluster = sum(1 for i, j in true_at if label[i] == label[j])
    by_pair = dict(zip(map(tuple, truth.tolist()), jaccard.tolist(), strict=True))
    missed = tuple(sorted((i, j, by_pair[(i, j)]) for i, j in true_at - reported))
    return Row(
        missed=missed,
        threshold=threshold,
        true_pairs=len(true_at),
        reported=len(reported),
        found=len(true_at & reported),
        in_cluster=in_cluster,
        correct=len(reported & true_at),
        seconds=seconds,
    )


def diagnose(texts: list[str], row: Row) -> str:
    """Why neardup missed each true pair at ``row.threshold``: the bands the pair shares,
    and the size of each shared band's group (groups above ``neardup.core.lsh.MAX_GROUP``
    documents are connected as a star, so a pair inside one is not a candidate)."""
    from neardup import Banding
    from neardup.core.lsh import MAX_GROUP, band_keys
    from neardup.core.minhash import minhash_codepoints
    from neardup.core.normalize import normalize_codepoints

    bands = bands_for(row.threshold) or choose_default_bands(row.threshold)
    sigs = minhash_codepoints([normalize_codepoints(t)[0] for t in texts], 5, 128, 1)
    keys = band_keys(sigs, Banding(bands, 128 // bands))
    out = [f"\nMissed at t={row.threshold} ({bands} bands of {128 // bands} rows):"]
    for i, j, jac in row.missed:
        shared = np.flatnonzero(keys[i] == keys[j])
        groups = [int((keys[:, band] == keys[i, band]).sum()) for band in shared]
        why = (
            "no shared band (an LSH miss)"
            if not shared.size
            else f"shares {shared.size} bands, in groups of {sorted(groups)} documents"
            + (
                f": all above MAX_GROUP={MAX_GROUP}, so only star edges"
                if min(groups) > MAX_GROUP
                else ""
            )
        )
        out.append(
            f"- documents {i} and {j}: exact J {jac:.3f}, MinHash estimate "
            f"{float(np.mean(sigs[i] == sigs[j])):.3f}; {why}"
        )
    return "\n".join(out)


def choose_default_bands(threshold: float) -> int:
    """neardup's own band count for ``threshold``."""
    from neardup import choose_bands

    return choose_bands(threshold, 128).bands


def run_corpus(name: str, thresholds: tuple[float, ...]) -> str:
    """The quality table of one corpus, as Markdown (with the exact join's own figures)."""
    _, texts, label = load_corpus(name)
    started = time.perf_counter()
    sets = shingle_sets(texts)
    shingled = time.perf_counter() - started
    started = time.perf_counter()
    truth, jaccard, candidates = similar_pairs(sets, min(thresholds))
    joined = time.perf_counter() - started
    lines = [
        f"### {label}: {len(texts):,} documents",
        "",
        f"Exact join: shingle sets in {shingled:.1f} s; prefix filter at t={min(thresholds)} "
        f"gave {candidates:,} candidates of {len(texts) * (len(texts) - 1) // 2:,} pairs, "
        f"verified in {joined:.1f} s.",
        "",
    ]
    rows = [evaluate(texts, truth, jaccard, t) for t in thresholds]
    published = PUBLISHED.get(name, {})
    table = []
    for r in rows:
        expected = published.get(r.threshold)
        check = "" if expected is None else f" ({'=' if expected == r.true_pairs else '≠'} "
        check += "" if expected is None else f"SOURCES.md {expected})"
        bands = bands_for(r.threshold)
        table.append(
            [
                f"{r.threshold:.1f}" + ("" if bands is None else f" (bands={bands}*)"),
                f"{r.true_pairs}{check}",
                str(r.reported),
                str(r.found),
                f"{r.recall:.3f}",
                f"{r.cluster_recall:.3f}",
                f"{r.precision:.3f}",
                f"{r.seconds:.1f}",
            ]
        )
    lines.append(
        markdown_table(
            [
                "threshold",
                "true pairs (exact J ≥ t)",
                "neardup pairs",
                "true pairs found",
                "pair recall",
                "cluster recall",
                "precision",
                "neardup s",
            ],
            table,
        )
    )
    if any(bands_for(r.threshold) is not None for r in rows):
        lines += [
            "",
            "\\* neardup's default banding for this threshold is rejected by its own "
            "`Parameters` (bands not a divisor of 128); run with the divisor banding "
            "that has P(candidate | J = t) ≥ 0.99.",
        ]
    for r in rows:
        if r.missed:
            lines.append(diagnose(texts, r))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus", nargs="+", choices=["laws", "news", "sample"], default=["laws", "news"]
    )
    parser.add_argument("--thresholds", nargs="+", type=float, default=list(THRESHOLDS))
    args = parser.parse_args(argv)
    if any(not 0.0 < t <= 1.0 for t in args.thresholds):
        parser.error("thresholds must be in (0, 1]")
    for name in args.corpus:
        print(run_corpus(name, tuple(sorted(args.thresholds))))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
