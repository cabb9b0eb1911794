"""How similar two documents are: exact Jaccard and containment of their shingle sets (what
:mod:`neardup.stages.verification` verifies candidate pairs with), or MinHash estimates.

For shingle sets A and B (sorted unique uint32 hashes)::

    jaccard     = |A ∩ B| / |A ∪ B|
    containment = |A ∩ B| / min(|A|, |B|)

``estimate_jaccard`` is the MinHash estimate (share of equal signature values), for callers
who keep no texts; containment is then estimated from it and the set sizes.
"""

from __future__ import annotations

import numpy as np

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


def estimate_jaccard_containment(
    sig_a: U32, sig_b: U32, size_a: int, size_b: int
) -> tuple[float, float]:
    """MinHash estimates ``(jaccard, containment)`` of two documents from their signatures
    and shingle counts (:func:`estimate_jaccard`, then :func:`estimate_containment`)."""
    jaccard = estimate_jaccard(sig_a, sig_b)
    return jaccard, estimate_containment(jaccard, size_a, size_b)


def estimate_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Containment implied by a Jaccard value and the two set sizes.

    From ``|A ∩ B| = J (|A| + |B|) / (1 + J)``, capped at 1.
    """
    if size_a == 0 or size_b == 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / min(size_a, size_b))
