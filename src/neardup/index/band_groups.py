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

import numpy as np

from .._types import I64, U64
from ..core.lsh import MAX_GROUP

NEW_RANK = 1 << 40
"""A new document's rank in a group is this plus its position: after every indexed one."""


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
    new_band = np.tile(np.arange(bands, dtype=np.int64), n)
    new_rank = np.repeat(np.arange(n, dtype=np.int64), bands) + NEW_RANK
    new_key = keys.reshape(-1)
    if banded:
        pos, doc, band = np.array(banded, dtype=np.int64).reshape(-1, 3).T
        old_key = keys[pos, band]
        old = np.unique(np.stack([band, old_key.view(np.int64), doc], axis=1), axis=0)
        old_band, old_key, old_rank = old[:, 0], old[:, 1].view(np.uint64), old[:, 2]
    else:
        old_band = old_rank = np.empty(0, dtype=np.int64)
        old_key = np.empty(0, dtype=np.uint64)
    all_band = np.concatenate([new_band, old_band])
    all_key = np.concatenate([new_key, old_key])
    all_rank = np.concatenate([new_rank, old_rank])
    order = np.lexsort((all_rank, all_key, all_band))
    band_s, key_s, rank_s = all_band[order], all_key[order], all_rank[order]
    change = (band_s[1:] != band_s[:-1]) | (key_s[1:] != key_s[:-1])
    starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    sizes = np.diff(np.append(starts, rank_s.size))
    among: set[tuple[int, int]] = set()
    stored: set[tuple[int, int]] = set()
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        members = rank_s[start : start + size].tolist()
        if members[-1] < NEW_RANK:  # no new document in the group
            continue
        if size > max_group:  # a star from the first member (ranks are sorted)
            pairs = [(members[0], m) for m in members[1:]]
        else:
            pairs = [(a, b) for k, a in enumerate(members) for b in members[k + 1 :]]
        for a, b in pairs:
            if a >= NEW_RANK:
                among.add((a - NEW_RANK, b - NEW_RANK))
            elif b >= NEW_RANK:
                stored.add((b - NEW_RANK, a))
    among_new = np.array(sorted(among), dtype=np.int64).reshape(-1, 2)
    return among_new, sorted(stored)
