"""The local engine's candidate stage: pairs of processed documents that share a band key."""

from __future__ import annotations

from .._types import I64
from ..core.lsh import band_columns, band_pair_codes, candidate_pairs, pairs_of_codes
from .hashing import Hashed
from .workers import Workers


def find_candidates(hashed: Hashed, workers: Workers) -> I64:
    """:func:`~neardup.core.lsh.candidate_pairs` of the documents' band keys, the bands
    shared between the worker processes when they are running."""
    if not workers.started:
        return candidate_pairs(hashed.keys)
    columns = ((column,) for column in band_columns(hashed.keys))  # made as they are sent
    return pairs_of_codes(list(workers.map(band_pair_codes, columns)), len(hashed.ids))
