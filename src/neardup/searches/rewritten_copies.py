"""The rewrite search: rewritten copies (洗稿), whose words were swapped and sentences moved,
cut or inserted, found through the distinctive 4-grams they share and accepted on their
rewrite resemblance (:mod:`neardup.core.rewrites`).

Hashing keeps each normalized text's distinct 4-grams
(:func:`~neardup.core.rewrites.rewrite_shingles`); the candidate stage pairs the documents
whose distinctive sets resemble enough, cutting the 4-grams held by more than
:data:`~neardup.core.rewrites.MAX_DF` documents (or ``max_df`` when lower) as common
(:func:`~neardup.core.rewrites.resembling_pairs`); the rule computes every candidate's
resemblance from the original texts (so it needs exact verification) and records it on the
pair. An index (format 3) keeps every document's 4-grams and its normalized sentences
(:func:`normalized_sentences`), from which :func:`stored_rule` makes the same resemblance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._types import F64, I64, U32, Verification
from ..core.arrays import pieces_of
from ..core.normalize import NormalizeOptions, from_codepoints, normalize_many
from ..core.rewrites import (
    MAX_DF,
    Profile,
    Resemblance,
    aligned_lengths_kernel,
    resemblance,
    resemblance_of,
    resembling_pairs,
    rewrite_shingles,
    sentence_profiles,
    sentences_of,
)
from ..parameters import Parameters
from .protocol import (
    Bools,
    ComparedTexts,
    Found,
    Judged,
    Mapper,
    Packed,
    PerDocument,
    joined_packed,
)

NAME = "rewrite"
"""The mode's name, and the :class:`~neardup.report.Pair` field its rule fills."""


@dataclass(frozen=True)
class Rewritten:
    """Accepts the pairs whose ``resemblance`` reaches ``least``, and records every
    candidate's resemblance."""

    least: float
    resemblance: Callable[[int, int], Resemblance]
    records: str | None = NAME

    def accept(self, judged: Judged) -> tuple[Bools, F64 | None]:
        accepted = np.zeros(len(judged.pairs), dtype=bool)
        values = np.full(len(judged.pairs), math.nan)
        for k, (i, j) in enumerate(judged.pairs):
            resembles = self.resemblance(i, j)
            values[k] = resembles.value
            accepted[k] = resembles.reaches(self.least)
        return accepted, values


@dataclass(frozen=True)
class RewrittenCopies:
    """Distinctive 4-grams to candidates; rewrite resemblance accepts."""

    name: str = NAME
    counts_every_copy: bool = True

    def hash(self, flat: U32, lengths: I64, signatures: U32, params: Parameters) -> Packed:
        return Packed(*rewrite_shingles(flat, lengths))

    def candidates(
        self, blocks: Sequence[PerDocument], params: Parameters, mapper: Mapper | None = None
    ) -> Found:
        """:func:`~neardup.core.rewrites.resembling_pairs` of the 4-grams."""
        values, counts = joined_packed(blocks)
        shared = resembling_pairs(values, counts, _least(params), params.max_df)
        return Found(shared.pairs, shared.common, shared.max_df)

    def notes(self, found: Found, params: Parameters, verification: Verification) -> list[str]:
        notes = []
        asked = min(params.max_df, MAX_DF)
        if found.max_df is not None and found.max_df < asked:
            notes.append(
                f"the rewrite search ignored 4-grams held by more than {found.max_df} "
                f"documents (not {asked}): they would have made more candidate pairs than "
                "memory allows"
            )
        if verification != "exact":
            notes.append("rewritten copies were not searched: they need exact verification")
        return notes

    def counts(self, found: Found) -> dict[str, int]:
        return {"common_rewrite_shingles": int(found.common.size)}

    def rule(self, params: Parameters, compared: ComparedTexts | None) -> Rewritten | None:
        """The resemblance of the original texts without the common 4-grams; None without
        the texts (verifying by estimate)."""
        if compared is None or compared.texts is None:
            return None
        rare = compared.common.get(NAME, np.empty(0, dtype=np.uint32))
        by_position = resemblance_of(compared.texts(), compared.cps,
                                     params.normalize_options(), rare)
        position = {node: k for k, node in enumerate(compared.nodes)}

        def resemblance(a: int, b: int) -> Resemblance:
            return by_position(position[a], position[b])

        return Rewritten(_least(params), resemblance)

    def judge(self, params: Parameters, compared: ComparedTexts | None) -> None:
        """None: this mode judges no pair beyond its rule."""
        return None


def _least(params: Parameters) -> float:
    if params.rewrite is None:
        raise ValueError("the parameters ask for no rewrite search")
    return params.rewrite


AS_NORMALIZED = NormalizeOptions(markers=())
"""Options under which normalizing a normalized text leaves it as it is (no markup, marker
or folding step: NFKC, lower case and the removal of punctuation, spaces and control
characters give what they gave)."""


def common_cut(params: Parameters) -> int:
    """The document frequency above which a 4-gram is common (not distinctive)."""
    return min(params.max_df, MAX_DF)


def normalized_sentences(texts: Sequence[str], options: NormalizeOptions) -> list[str]:
    """Each text's sentences (:func:`~neardup.core.rewrites.sentences_of`) normalized one by
    one with ``options``, as the rewrite resemblance reads them, joined by newlines: what an
    index keeps of a text for the rewrite search (a normalized text holds no newline and no
    sentence end, so splitting the joined string gives the same sentences back)."""
    pieces = [sentences_of(text) for text in texts]
    flat, lengths = normalize_many([s for p in pieces for s in p], options)
    # a newline after every sentence but each text's last, then each text decoded once
    per_text = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    ends = np.cumsum(lengths)
    last = np.cumsum(per_text) - 1
    inner = np.ones(lengths.size, dtype=bool)
    inner[last[per_text > 0]] = False
    joined = np.insert(flat, ends[inner], np.uint32(ord("\n")))
    sizes = np.add.reduceat(lengths + inner, np.cumsum(per_text) - per_text) if lengths.size \
        else np.zeros(0, dtype=np.int64)
    sizes[per_text == 0] = 0
    return [from_codepoints(c) for c in pieces_of(joined, sizes)]


def stored_profiles(sentences: Sequence[str], cps: Sequence[U32], common: U32) -> list[Profile]:
    """The :class:`~neardup.core.rewrites.Profile` of stored documents from their
    :func:`normalized_sentences` and normalized texts (``cps``), without the sorted
    ``common`` 4-grams: the profiles of their original texts."""
    return sentence_profiles(sentences, cps, AS_NORMALIZED, common)


def stored_rule(params: Parameters, profiles: dict[int, Profile]) -> Rewritten:
    """The rewrite rule of documents whose profiles are at hand by node (an index's
    query: the new documents' from their texts, the stored ones' from their sentences)."""
    lengths = aligned_lengths_kernel()

    def resembles(a: int, b: int) -> Resemblance:
        return resemblance(profiles[a], profiles[b], lengths)

    return Rewritten(_least(params), resembles)
