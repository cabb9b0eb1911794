"""Exact all-pairs Jaccard similarity join (brute force made smart), the quality oracle.

Every document is its set of character 5-gram hashes after neardup's normalization,
``neardup.shingle_set(neardup.normalize_text(text), 5)``. All pairs with exact Jaccard
``J >= threshold`` are found without comparing every pair, by prefix filtering:

* Order all shingles globally by document frequency (rarest first, ties by hash value).
* If ``J(x, y) >= t`` then ``|x ∩ y| >= t * max(|x|, |y|)`` (the union is at least the larger
  set), so x and y must share a shingle among the first ``|x| - ceil(t|x|) + 1`` shingles of x
  in that order (its *prefix*) and likewise for y. Pairs sharing a prefix shingle are the
  candidates; pairs violating the length filter ``min(|x|, |y|) >= t * max(|x|, |y|)`` are
  dropped.
* Every candidate is verified with the exact intersection size of the two sorted sets.

The filter is lossless (a textbook result for prefix filtering; here the prefix is taken one
longer than needed to be safe against float rounding), so the result is exactly the set of
pairs a comparison of all n(n-1)/2 pairs would give; ``brute_force_pairs`` does that literal
comparison for tests on small inputs, and :func:`overlap` the exact overlap of two texts
(containment, directional shares, Jaccard) that scores planted copies and sampled pairs.
Every benchmark takes its truth from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

NGRAM = 5
CHUNK_PAIRS = 20_000_000


def shingle_sets(texts: Sequence[str], ngram: int = NGRAM) -> list[U32]:
    """Sorted unique shingle hashes of each text after neardup's default normalization."""
    return [shingles(t, ngram) for t in texts]


def shingles(text: str, ngram: int = NGRAM) -> U32:
    """neardup's character n-gram shingle set of ``text`` after its default normalization."""
    from neardup import normalize_text, shingle_set

    return shingle_set(normalize_text(text), ngram)


@dataclass(frozen=True)
class Overlap:
    """Exact overlap of two shingle sets A and B (all 0.0 when either is empty)."""

    containment: float  # |A∩B| / min(|A|, |B|)
    a_in_b: float  # |A∩B| / |A|
    b_in_a: float  # |A∩B| / |B|
    jaccard: float


def overlap(a: str, b: str) -> Overlap:
    """Exact containment, directional shares and Jaccard of two texts' shingle sets.

    Example:
        >>> o = overlap("甲乙丙丁戊己庚辛", "丙丁戊己庚")
        >>> o.containment, round(o.a_in_b, 3), o.b_in_a, round(o.jaccard, 3)
        (1.0, 0.25, 1.0, 0.25)
    """
    return overlap_sets(shingles(a), shingles(b))


def overlap_sets(a: U32, b: U32) -> Overlap:
    """:func:`overlap` of two sorted unique shingle sets."""
    if not a.size or not b.size:
        return Overlap(0.0, 0.0, 0.0, 0.0)
    inter = np.intersect1d(a, b, assume_unique=True).size
    return Overlap(
        containment=inter / min(a.size, b.size),
        a_in_b=inter / a.size,
        b_in_a=inter / b.size,
        jaccard=inter / (a.size + b.size - inter),
    )


def _flat(sets: Sequence[U32]) -> tuple[U32, I64]:
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.concatenate(sets).astype(np.uint32) if sets else np.empty(0, np.uint32)
    return flat, offsets


def intersections(sets: Sequence[U32], pairs: I64) -> I64:
    """``|S_i ∩ S_j|`` for each row (i, j) of ``pairs`` (sorted unique sets).

    With numba: shingles become dense token ids; for each i the tokens of S_i are marked in
    a byte array and each partner j counts its marked tokens (O(|S_j|) per pair). Without
    numba, ``np.intersect1d`` per pair.
    """
    if not pairs.shape[0]:
        return np.empty(0, dtype=np.int64)
    flat, offsets = _flat(sets)
    try:
        kernel = _count_kernel()
    except ImportError:
        return np.array(
            [np.intersect1d(sets[i], sets[j], assume_unique=True).size for i, j in pairs.tolist()],
            dtype=np.int64,
        )
    _, token_ids = np.unique(flat, return_inverse=True)
    order = np.argsort(pairs[:, 0], kind="stable")
    out = np.empty(pairs.shape[0], dtype=np.int64)
    counted = np.empty(pairs.shape[0], dtype=np.int64)
    marks = np.zeros(int(token_ids.max()) + 1, dtype=np.uint8)
    kernel(token_ids.astype(np.int64), offsets, np.ascontiguousarray(pairs[order]), marks, counted)
    out[order] = counted
    return out


def _count(tokens, offsets, pairs, marks, out):  # type: ignore[no-untyped-def]
    """For pairs sorted by i: mark S_i's tokens once per i, count each S_j's marked tokens."""
    current = -1
    for p in range(pairs.shape[0]):
        i, j = pairs[p, 0], pairs[p, 1]
        if i != current:
            if current >= 0:
                for t in range(offsets[current], offsets[current + 1]):
                    marks[tokens[t]] = 0
            for t in range(offsets[i], offsets[i + 1]):
                marks[tokens[t]] = 1
            current = i
        total = 0
        for t in range(offsets[j], offsets[j + 1]):
            total += marks[tokens[t]]
        out[p] = total


def _count_kernel() -> Callable[..., None]:
    """``_count`` compiled by numba (cached on disk); ImportError without numba."""
    global _KERNEL
    if _KERNEL is None:
        from numba import njit

        _KERNEL = njit(cache=True, nogil=True)(_count)
    return _KERNEL


_KERNEL: Callable[..., None] | None = None


def candidate_pairs(sets: Sequence[U32], threshold: float) -> I64:
    """Pairs (i < j) that share a prefix shingle and pass the length filter; sorted, unique."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1] (got {threshold})")
    n = len(sets)
    flat, offsets = _flat(sets)
    sizes = np.diff(offsets)
    if flat.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    doc = np.repeat(np.arange(n, dtype=np.int64), sizes)
    tokens, inverse, df = np.unique(flat, return_inverse=True, return_counts=True)
    rank = np.empty(tokens.size, dtype=np.int64)
    rank[np.lexsort((tokens, df))] = np.arange(tokens.size, dtype=np.int64)
    token_rank = rank[inverse]
    # Each document's shingles in global order (rarest first), then its prefix.
    order = np.argsort(doc * tokens.size + token_rank)
    position = np.arange(flat.size, dtype=np.int64) - offsets[doc[order]]
    prefix = sizes - np.floor(threshold * sizes).astype(np.int64) + 1
    keep = (position < prefix[doc[order]]) & (df[inverse[order]] > 1)
    entry_doc = doc[order][keep]
    entry_rank = token_rank[order][keep]
    # Group prefix entries by shingle; all pairs within a group are candidates.
    by_token = np.argsort(entry_rank * n + entry_doc)
    entry_doc, entry_rank = entry_doc[by_token], entry_rank[by_token]
    if entry_doc.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], entry_rank[1:] != entry_rank[:-1])))
    group_sizes = np.diff(np.concatenate((starts, [entry_doc.size])))
    multi = group_sizes > 1
    # Largest groups first, so the groups with more than d members are a prefix.
    by_size = np.argsort(-group_sizes[multi], kind="stable")
    starts, group_sizes = starts[multi][by_size], group_sizes[multi][by_size]
    found: list[I64] = []
    pending: list[I64] = []
    pending_size = 0
    for d in range(1, int(group_sizes[0]) if group_sizes.size else 1):
        eligible = int(np.searchsorted(-group_sizes, -d, side="left"))
        first = _positions(starts[:eligible], group_sizes[:eligible] - d)
        a, b = entry_doc[first], entry_doc[first + d]  # a < b: entries sorted by doc
        ok = np.minimum(sizes[a], sizes[b]) >= threshold * np.maximum(sizes[a], sizes[b])
        pending.append(a[ok] * n + b[ok])
        pending_size += int(ok.sum())
        if pending_size > CHUNK_PAIRS:
            found.append(np.unique(np.concatenate(pending)))
            pending, pending_size = [], 0
    if pending:
        found.append(np.unique(np.concatenate(pending)))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


def _positions(starts: I64, counts: I64) -> I64:
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return np.arange(int(counts.sum()), dtype=np.int64) + offsets


def similar_pairs(sets: Sequence[U32], threshold: float) -> tuple[I64, F64, int]:
    """All pairs (i < j) with exact ``J >= threshold``, their Jaccard, and the candidate count.

    Example:
        >>> sets = shingle_sets(["今天天气很好我们去公园散步", "今天天气很好我们去公园散步了", "完全不同"])
        >>> pairs, jaccard, _ = similar_pairs(sets, 0.5)
        >>> pairs.tolist(), jaccard.round(3).tolist()
        ([[0, 1]], [0.9])
    """
    candidates = candidate_pairs(sets, threshold)
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    inter = intersections(sets, candidates)
    union = sizes[candidates[:, 0]] + sizes[candidates[:, 1]] - inter
    jaccard = inter / np.maximum(union, 1)
    keep = jaccard >= threshold
    return candidates[keep], jaccard[keep], int(candidates.shape[0])


def brute_force_pairs(sets: Sequence[U32], threshold: float) -> tuple[I64, F64]:
    """The literal O(n²) comparison of every pair (for checking :func:`similar_pairs`)."""
    rows: list[tuple[int, int]] = []
    values: list[float] = []
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if not sets[i].size or not sets[j].size:
                continue
            jac = overlap_sets(sets[i], sets[j]).jaccard
            if jac >= threshold:
                rows.append((i, j))
                values.append(jac)
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return pairs, np.array(values, dtype=np.float64)
