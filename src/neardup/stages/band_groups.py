"""The near-duplicate candidates of a query as a scan forms them: the documents sharing a
band key are a group, and a group of more than :data:`~neardup.core.lsh.MAX_GROUP`
documents (mass duplicates, a daily bulletin filled in for the hundredth time) is connected
as a star from its first document (:func:`~neardup.core.lsh.candidate_pairs`).

A query reads every indexed holder of the band keys the new documents make
(:meth:`~neardup.index.statements.Tables.shared_keys`), so it knows each group whole: the
indexed holders and the new documents that make the key. Its candidates are those a scan of
the indexed documents (in doc number order) followed by the new ones (in the order given)
makes that involve a new document: every pair of a group of at most ``MAX_GROUP``
documents, and in a larger one each new document with the group's first (its first
indexed holder, or the first new document when no indexed one holds the key). Pairing a
new document with every member of a large group instead made hundreds of candidates a
scan never looks at (template siblings that the copies judgement then set apart). An indexed
document that a new one replaces (the same id) is left out of the groups, as it is out of
the collection once replaced.

This is how a query forms its band candidates when one of its search modes counts every
copy (:attr:`~neardup.searches.protocol.SearchMode.counts_every_copy`: containment, the
copies judgement), as a scan then groups every document. A Jaccard-only scan groups distinct
normalized texts (identical ones are set aside first and given the pairs of the first),
which the index cannot tell without reading every holder's text: such a query pairs a new
document with every holder of its keys, so it finds at least the pairs the scan reports.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._types import I64, U64
from ..core.lsh import MAX_GROUP


def scanned_band_pairs(
    keys: U64, banded: list[tuple[int, int, int]], max_group: int = MAX_GROUP
) -> tuple[I64, list[tuple[int, int]]]:
    """The band candidates of a query as a scan forms them.

    Args:
        keys: the new documents' band keys, (n, bands).
        banded: (new document's position, indexed doc number, band) of every band key of
            the new documents an indexed document holds.
        max_group: groups larger than this are connected as a star from their first member.

    Returns:
        The pairs among the new documents ``(i, j)``, ``i < j``, sorted, and the (new
        document's position, indexed doc number) pairs, sorted.
    """
    n, bands = keys.shape
    if n == 0:
        return np.empty((0, 2), dtype=np.int64), []
    # a group is a (band, key) the new documents make: its number for each (position, band)
    codes = np.stack([np.broadcast_to(np.arange(bands, dtype=np.uint64), keys.shape).ravel(),
                      keys.ravel()])
    _, group = np.unique(codes, axis=1, return_inverse=True)
    group = group.reshape(n, bands)
    groups = int(group.max()) + 1
    new_count = np.bincount(group.ravel(), minlength=groups)
    rows = np.fromiter(itertools.chain.from_iterable(banded), dtype=np.int64,
                       count=3 * len(banded)).reshape(-1, 3)
    held = np.unique((group[rows[:, 0], rows[:, 2]] << 32) | rows[:, 1])  # (group, doc)
    held_group, held_doc = held >> 32, held & 0xFFFFFFFF  # by group, then doc
    old_count = np.bincount(held_group, minlength=groups)
    old_start = np.concatenate(([0], np.cumsum(old_count)[:-1]))
    star = old_count + new_count > max_group
    among: set[tuple[int, int]] = set()
    stored: set[tuple[int, int]] = set()
    members: list[list[int]] = [[] for _ in range(groups)]
    for pos, g in zip(np.repeat(np.arange(n), bands).tolist(), group.ravel().tolist(),
                      strict=True):
        members[g].append(pos)  # in position order
    for g in np.flatnonzero(old_count + new_count > 1).tolist():
        new = members[g]
        old = held_doc[old_start[g] : old_start[g] + old_count[g]]
        if star[g]:  # a star from the first member: the first indexed holder, else new
            if old.size:
                stored.update((j, int(old[0])) for j in new)
            else:
                among.update((new[0], j) for j in new[1:])
            continue
        docs = old.tolist()
        stored.update((j, doc) for j in new for doc in docs)
        among.update((a, b) for k, a in enumerate(new) for b in new[k + 1 :])
    among_new = np.array(sorted(among), dtype=np.int64).reshape(-1, 2)
    return among_new, sorted(stored)
