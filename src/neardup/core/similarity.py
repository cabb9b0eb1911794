"""How similar two documents are: exact Jaccard and containment of their shingle sets (what
:mod:`neardup.stages.verification` verifies candidate pairs with), or MinHash estimates.

For shingle sets A and B (sorted unique uint32 hashes)::

    jaccard     = |A ∩ B| / |A ∪ B|
    a_in_b      = |A ∩ B| / |A|          (the share of A found in B)
    b_in_a      = |A ∩ B| / |B|
    containment = |A ∩ B| / min(|A|, |B|) = max(a_in_b, b_in_a)

``estimate_jaccard`` is the MinHash estimate (share of equal signature values), for callers
who keep no texts; containment is then estimated from it and the set sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import NamedTuple

import numpy as np

from .._types import F64, I64, U32
from . import kernels
from .arrays import pieces_of, starts_of


def intersection_size(a: U32, b: U32) -> int:
    """``|A ∩ B|`` of two sorted unique arrays."""
    if a.size > b.size:
        a, b = b, a
    if not a.size:
        return 0
    idx = np.searchsorted(b, a)
    idx[idx == b.size] = 0
    return int(np.count_nonzero(b[idx] == a))


COMPILED_FROM = 2000
"""Pairs from which :func:`intersection_sizes` loads the compiled kernel in a process that
has not loaded numba yet (loading it costs a process about 0.1 s, more than a few hundred
pairs take in numpy; once numba is loaded, the kernel's own cache costs ~20 ms)."""


def intersection_sizes(sets: Sequence[U32], pairs: I64) -> I64:
    """``|S_i ∩ S_j|`` of each pair ``(i, j)`` of sorted unique arrays: one compiled merge
    per pair with the numba kernel (from :data:`COMPILED_FROM` pairs, or from the first
    when numba's kernels are loaded already), else :func:`intersection_size` pair by
    pair."""
    if _compiled(pairs) is not None:
        sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
        values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
        return packed_intersection_sizes(values, sizes, pairs)
    out = np.zeros(pairs.shape[0], dtype=np.int64)
    for k, (i, j) in enumerate(pairs.tolist()):
        out[k] = intersection_size(sets[i], sets[j])
    return out


def packed_intersection_sizes(values: U32, sizes: I64, pairs: I64) -> I64:
    """:func:`intersection_sizes` of sets packed one after another in ``values``, of these
    sizes."""
    compiled = _compiled(pairs)
    if compiled is None:
        return intersection_sizes(pieces_of(values, sizes), pairs)
    out = np.zeros(pairs.shape[0], dtype=np.int64)
    compiled.intersection_sizes_merged(values, starts_of(sizes), pairs.astype(np.int64), out)
    return out


def _compiled(pairs: I64) -> ModuleType | None:
    """The compiled kernel when :func:`intersection_sizes` merges these pairs with it."""
    if not pairs.shape[0] or (pairs.shape[0] < COMPILED_FROM and not kernels.numba_loaded()):
        return None
    return kernels.overlap()


def overlap_rows(sets: Sequence[U32], pairs: I64) -> F64:
    """The exact overlap of each pair ``(i, j)`` of sorted unique arrays as a row
    ``(jaccard, a_in_b, b_in_a)``, shape (m, 3): the same floats as :func:`overlap`
    gives (an int64 quotient in float64 is Python's ``int / int``), computed for all
    pairs at once."""
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    return _rows(intersection_sizes(sets, pairs), sizes, pairs)


def packed_overlap_rows(values: U32, sizes: I64, pairs: I64) -> F64:
    """:func:`overlap_rows` of sets packed one after another in ``values``, of these
    sizes."""
    return _rows(packed_intersection_sizes(values, sizes, pairs), sizes, pairs)


def _rows(common: I64, sizes: I64, pairs: I64) -> F64:
    rows = np.zeros((pairs.shape[0], 3), dtype=np.float64)
    if not pairs.size:
        return rows
    size_a, size_b = sizes[pairs[:, 0]], sizes[pairs[:, 1]]
    both = (size_a > 0) & (size_b > 0)  # else no overlap: all zero
    common, size_a, size_b = common[both], size_a[both], size_b[both]
    rows[both, 0] = common / (size_a + size_b - common)
    rows[both, 1] = np.minimum(1.0, common / size_a)
    rows[both, 2] = np.minimum(1.0, common / size_b)
    return rows


def overlaps(sets: Sequence[U32], pairs: I64) -> list[Overlap]:
    """The exact overlap of each pair ``(i, j)`` of sorted unique arrays (what
    :func:`overlap` gives, computed for all pairs at once)."""
    return [Overlap(*row) for row in overlap_rows(sets, pairs).tolist()]


class Overlap(NamedTuple):
    """How much two documents a and b share: Jaccard and the two directional shares."""

    jaccard: float
    a_in_b: float
    """``|A ∩ B| / |A|``: the share of a's shingles found in b."""
    b_in_a: float
    """``|A ∩ B| / |B|``."""

    @property
    def containment(self) -> float:
        """``|A ∩ B| / min(|A|, |B|)``: the share of the smaller one found in the other."""
        return max(self.a_in_b, self.b_in_a)


NO_OVERLAP = Overlap(0.0, 0.0, 0.0)


def overlap(a: U32, b: U32) -> Overlap:
    """Exact overlap of two sorted unique arrays; all zero when one is empty."""
    if not a.size or not b.size:
        return NO_OVERLAP
    return overlap_of_sizes(intersection_size(a, b), a.size, b.size)


def overlap_of_sizes(inter: float, size_a: int, size_b: int) -> Overlap:
    """The overlap of two sets of these sizes with ``inter`` elements in common (shares
    capped at 1, for estimated intersections)."""
    if size_a == 0 or size_b == 0:
        return NO_OVERLAP
    union = size_a + size_b - inter
    return Overlap(inter / union if union > 0 else 0.0, min(1.0, inter / size_a),
                   min(1.0, inter / size_b))


def estimate_jaccard(sig_a: U32, sig_b: U32) -> float:
    """MinHash estimate: the share of positions where the two signatures agree."""
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size


def estimate_overlap(sig_a: U32, sig_b: U32, size_a: int, size_b: int) -> Overlap:
    """MinHash estimate of the overlap of two documents from their signatures and shingle
    counts: the Jaccard estimate (:func:`estimate_jaccard`) and the shares implied by it
    and the set sizes (``|A ∩ B| = J (|A| + |B|) / (1 + J)``)."""
    jaccard = estimate_jaccard(sig_a, sig_b)
    if size_a == 0 or size_b == 0:
        return NO_OVERLAP
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return Overlap(jaccard, min(1.0, inter / size_a), min(1.0, inter / size_b))
