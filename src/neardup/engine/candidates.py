"""The local engine's candidate stage: pairs of processed documents that share a band key,
for a containment search pairs that share enough winnowed fingerprints, and for a rewrite
search pairs that share enough distinctive 4-grams."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .._types import I64, U32
from ..core.fingerprints import shared_fingerprint_pairs
from ..core.lsh import band_columns, band_pair_codes, candidate_pairs, pairs_of_codes
from ..core.rewrites import resembling_pairs
from ..parameters import Parameters
from .hashing_stage import Processed
from .workers import Workers


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs ``(i, j)``, ``i < j``, sorted, and the fingerprints cut as
    boilerplate (containment search only; sorted)."""

    pairs: I64
    common: U32 = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    max_df: int | None = None
    """The boilerplate cut applied (lower than asked when the pairs would not fit)."""
    rewrite_common: U32 = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    """The 4-grams a rewrite search found common (held by more than its cut; sorted)."""
    rewrite_max_df: int | None = None
    """The cut the rewrite search applied."""


def find_candidates(hashed: Processed, workers: Workers, params: Parameters) -> Candidates:
    """:func:`~neardup.core.lsh.candidate_pairs` of the documents' band keys (the bands
    shared between the worker processes when they are running), and when ``params`` ask for
    a containment search, :func:`~neardup.core.fingerprints.shared_fingerprint_pairs`."""
    if not workers.started:
        by_bands = candidate_pairs(hashed.keys)
    else:
        columns = ((column,) for column in band_columns(hashed.keys))  # made as they are sent
        by_bands = pairs_of_codes(list(workers.map(band_pair_codes, columns)), len(hashed.ids))
    found = Candidates(by_bands)
    if params.containment is not None:
        counts = np.asarray(hashed.fingerprint_counts, dtype=np.int64)
        shared = shared_fingerprint_pairs(
            hashed.fingerprints, counts, params.containment, params.max_df
        )
        found = replace(found, pairs=union_of_pairs(found.pairs, shared.pairs),
                        common=shared.common, max_df=shared.max_df)
    if params.rewrite is not None:
        counts = np.asarray(hashed.rewrite_counts, dtype=np.int64)
        shared = resembling_pairs(
            hashed.rewrite_shingles, counts, params.rewrite, params.max_df
        )
        found = replace(found, pairs=union_of_pairs(found.pairs, shared.pairs),
                        rewrite_common=shared.common, rewrite_max_df=shared.max_df)
    return found


def union_of_pairs(first: I64, second: I64) -> I64:
    """The sorted distinct pairs of two arrays of pairs (shape (m, 2), values < 2**32)."""
    codes = np.union1d(_codes(first), _codes(second))
    return np.stack(((codes >> 32), (codes & 0xFFFFFFFF)), axis=1).astype(np.int64)


def _codes(pairs: I64) -> I64:
    out: I64 = (pairs[:, 0].astype(np.int64) << 32) | pairs[:, 1].astype(np.int64)
    return out
