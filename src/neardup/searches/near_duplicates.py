"""The near-duplicate search: documents whose shingle sets have a Jaccard of at least the
threshold, found through the LSH band keys of their MinHash signatures
(:mod:`neardup.core.lsh`) and accepted on their Jaccard.

Every run makes this search; the other modes asked for (:mod:`~neardup.searches.modes`) add
candidates and accept rules to it. Clusters join the pairs it accepts
(:func:`neardup.stages.verification.verify_candidates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._types import F64, I64, U32, U64, Verification
from ..core.lsh import band_columns, band_keys, band_pair_codes, candidate_pairs, pairs_of_codes
from ..parameters import Parameters
from .protocol import BandKeys, Bools, ComparedTexts, Found, Judged, Mapper, PerDocument, Rule

NAME = "near-duplicates"


def keys_of(arrays: PerDocument) -> U64:
    """The band keys this mode hashed (:class:`~neardup.searches.protocol.BandKeys`)."""
    if not isinstance(arrays, BandKeys):
        raise TypeError(f"expected band keys, got {type(arrays).__name__}")
    return arrays.keys


@dataclass(frozen=True)
class Near:
    """Accepts the pairs at or above the Jaccard threshold."""

    records: str | None = None

    def accept(self, judged: Judged) -> tuple[Bools, F64 | None]:
        return judged.near, None


@dataclass(frozen=True)
class NearDuplicates:
    """LSH band keys to candidates; Jaccard at or above the threshold accepts."""

    name: str = NAME
    counts_every_copy: bool = False

    def hash(self, flat: U32, lengths: I64, signatures: U32, params: Parameters) -> BandKeys:
        return BandKeys(np.asfortranarray(band_keys(signatures, params.banding)))

    def candidates(
        self, blocks: Sequence[PerDocument], params: Parameters, mapper: Mapper | None = None
    ) -> Found:
        """:func:`~neardup.core.lsh.candidate_pairs` of the band keys (the bands shared out
        by ``mapper`` when given)."""
        keys = [keys_of(block) for block in blocks]
        if mapper is None:
            return Found(candidate_pairs(keys))
        documents = sum(block.shape[0] for block in keys)
        columns = ((column,) for column in band_columns(keys))  # made as they are sent
        return Found(pairs_of_codes(list(mapper(band_pair_codes, columns)), documents))

    def notes(self, found: Found, params: Parameters, verification: Verification) -> list[str]:
        return []

    def counts(self, found: Found) -> dict[str, int]:
        return {}

    def rule(self, params: Parameters, compared: ComparedTexts | None) -> Rule:
        return Near()

    def judge(self, params: Parameters, compared: ComparedTexts | None) -> None:
        """None: this mode judges no pair beyond its rule."""
        return None
