"""Verification of candidate pairs: exact Jaccard and containment of shingle sets.

For shingle sets A and B (sorted unique uint32 hashes)::

    jaccard     = |A ∩ B| / |A ∪ B|
    containment = |A ∩ B| / min(|A|, |B|)

``estimate_jaccard`` is the MinHash estimate (share of equal signature values), for callers
who keep no texts; containment is then estimated from it and the set sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .._types import U32


def intersection_size(a: U32, b: U32) -> int:
    """``|A ∩ B|`` of two sorted unique arrays."""
    if a.size > b.size:
        a, b = b, a
    if not a.size:
        return 0
    idx = np.searchsorted(b, a)
    idx[idx == b.size] = 0
    return int(np.count_nonzero(b[idx] == a))


def jaccard_containment(a: U32, b: U32) -> tuple[float, float]:
    """Exact ``(jaccard, containment)`` of two sorted unique arrays; (0, 0) when one is empty."""
    if not a.size or not b.size:
        return 0.0, 0.0
    inter = intersection_size(a, b)
    union = a.size + b.size - inter
    return inter / union, inter / min(a.size, b.size)


def estimate_jaccard(sig_a: U32, sig_b: U32) -> float:
    """MinHash estimate: the share of positions where the two signatures agree."""
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size


def estimate_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Containment implied by a Jaccard value and the two set sizes.

    From ``|A ∩ B| = J (|A| + |B|) / (1 + J)``, capped at 1.
    """
    if size_a == 0 or size_b == 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / min(size_a, size_b))


def exact_pairs(sets: Sequence[U32], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair ``(i, j, jaccard)``, ``i < j``, with exact Jaccard >= threshold.

    The brute-force oracle for recall measurements, made fast by prefix filtering (exact, not
    approximate): tokens are ordered rarest first; two sets with ``J >= t`` must share a token
    among the first ``|A| - ceil(t |A|) + 1`` of each, and their sizes differ by at most the
    factor ``t``. Only pairs passing both filters are intersected.
    """
    n = len(sets)
    nonempty = [i for i in range(n) if sets[i].size]
    if len(nonempty) < 2:
        return []
    tokens, counts = np.unique(np.concatenate([sets[i] for i in nonempty]), return_counts=True)
    rank = np.lexsort((tokens, counts))  # rarest first, ties by token value
    order_of = np.empty(tokens.size, dtype=np.int64)
    order_of[rank] = np.arange(tokens.size)
    prefix_docs: list[npt.NDArray[np.int64]] = []
    prefix_tokens: list[npt.NDArray[np.int64]] = []
    for i in nonempty:
        ranks = np.sort(order_of[np.searchsorted(tokens, sets[i])])
        size = ranks.size
        keep = size - math.ceil(threshold * size - 1e-9) + 1
        prefix_tokens.append(ranks[:keep])
        prefix_docs.append(np.full(min(keep, size), i, dtype=np.int64))
    docs = np.concatenate(prefix_docs)
    toks = np.concatenate(prefix_tokens)
    order = np.lexsort((docs, toks))
    docs, toks = docs[order], toks[order]
    bounds = np.flatnonzero(np.diff(toks)) + 1
    candidates: set[tuple[int, int]] = set()
    for group in np.split(docs, bounds):
        if group.size < 2:
            continue
        members = group.tolist()
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                candidates.add((a, b) if a < b else (b, a))
    found: list[tuple[int, int, float]] = []
    for a, b in sorted(candidates):
        small, large = sorted((sets[a].size, sets[b].size))
        if small < threshold * large - 1e-9:
            continue
        jac = jaccard_containment(sets[a], sets[b])[0]
        if jac >= threshold:
            found.append((a, b, jac))
    return found
