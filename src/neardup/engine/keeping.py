"""Clusters split where they chain (``deduplicate(split_chains=True)``): every document
removed is within the threshold of the one kept for it.

A cluster is a connected component of the pairs at or above the threshold, so it can chain:
a ~ b and b ~ c put a, b and c together while a and c are far apart, and keeping one member
of the whole cluster removes documents below the threshold of the one kept (on the laws, 4
of 69 removed documents are at Jaccard 0.61-0.63 of theirs at threshold 0.7). Splitting
keeps greedily, in the order the keep rule says (its rank, largest first, then input
order): the first member not yet placed is kept, and takes every member not yet placed that
has a verified pair with it at or above the threshold; the others wait for a later kept
member, or are kept themselves. Only verified pairs are used, so each removed document's
similarity is the exact Jaccard of a pair of the report.

Example:
    >>> import numpy as np
    >>> from neardup.stages.verification import Verified
    >>> pairs = np.array([[0, 1], [1, 2]])  # a ~ b, b ~ c, a !~ c
    >>> jaccard = np.array([0.8, 0.75])
    >>> verified = Verified(pairs, np.arange(2), jaccard, jaccard, jaccard,
    ...                     [(0, [(0, 1.0), (1, 0.8), (2, 0.5)])])
    >>> split_chains(verified, np.zeros(3, dtype=np.int64), 0.7)
    [(0, [(0, 1.0), (1, 0.8)])]
"""

from __future__ import annotations

from .._types import I64
from ..stages.verification import Verified


def split_chains(
    verified: Verified, ranks: I64, threshold: float
) -> list[tuple[int, list[tuple[int, float]]]]:
    """The clusters of ``verified`` split so that each member has a verified pair at or above
    ``threshold`` with its cluster's representative (see the module docstring); ``ranks``
    order the members to keep (largest first, then by index). Clusters of one document are
    left out; members ascend, clusters by first member, as in
    :attr:`~neardup.stages.verification.Verified.clusters`."""
    near: dict[int, dict[int, float]] = {}
    for (i, j), similarity in zip(verified.pairs.tolist(), verified.jaccard.tolist(),
                                  strict=True):
        if similarity >= threshold:
            near.setdefault(i, {})[j] = similarity
            near.setdefault(j, {})[i] = similarity
    out: list[tuple[int, list[tuple[int, float]]]] = []
    for _, members in verified.clusters:
        order = sorted((m for m, _ in members), key=lambda m: (-int(ranks[m]), m))
        placed: set[int] = set()
        for kept in order:
            if kept in placed:
                continue
            placed.add(kept)
            taken = [(m, s) for m, s in near.get(kept, {}).items() if m not in placed]
            placed.update(m for m, _ in taken)
            if taken:
                out.append((kept, sorted([(kept, 1.0), *taken])))
    out.sort(key=lambda cluster: cluster[1][0][0])
    return out
