"""The resemblance of rewritten copies (洗稿): Jaccard of *distinctive* character 4-grams.

A paraphrase that replaces 40–50 % of an article's words and moves its sentences leaves no
long verbatim run (what the containment search's fingerprints need) and a 5-gram Jaccard
near that of unrelated news. What it keeps are the short pieces between the replaced words:
names, numbers, places and the words the tool has no substitute for. Those pieces are rare
in a collection, while the phrases two unrelated reports of one genre share (会见, 表示,
双边关系) are common. So a rewrite search compares documents by the 4-grams of their
normalized (and folded) text that at most :data:`MAX_DF` documents of the collection hold
(or ``max_df``, when that is lower)::

    resemblance = |A' ∩ B'| / |A' ∪ B'|,   X' = X without the 4-grams held by > MAX_DF documents

and a rewrite must also share at least :data:`LEAST_SHARED` distinctive 4-grams: below that
there is too little text to tell a rewrite from two short reports written from one template.

Measured on news items rewritten by a word-embedding paraphraser (``benchmarks/rewrites.py``),
4-grams separate rewrites from the background better than 2- or 3-grams, and cutting the
common ones better than weighting them; see the benchmarks README for the figures.

Candidates come from the same inverted index as the containment search's
(:func:`~neardup.core.fingerprints.shared_fingerprint_pairs` over every distinct 4-gram,
which also finds the common ones). The index counts exactly the distinctive 4-grams two
documents share, so :func:`resembling_pairs` keeps only the pairs that reach the
resemblance asked for; every pair is then verified from the texts with
:func:`resemblance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from .._types import I64, U32
from .arrays import members, pieces_of
from .fingerprints import SharedFingerprints, shared_fingerprint_pairs
from .shingles import char_shingle_sets
from .similarity import intersection_size

REWRITE_NGRAM = 4
"""Characters per shingle of the rewrite search."""

MAX_DF = 20
"""4-grams held by more documents than this are common (not distinctive). Chosen on the
benchmark's tune split among 10, 15, 20, 31 and 50: 20 separates the 50 % rewrites (5th
percentile 0.082) from the background (99th percentile 0.046) best, and pairs half as many
news items as 50."""

LEAST_SHARED = 25
"""Distinctive 4-grams a rewritten copy shares with its source at least. Chosen on the
benchmark's tune split: its 50 % rewrites share 25 or more in 99 % of cases, while the cut
removes a third of the news items the search pairs with a template sibling (most are a few
dozen characters long)."""


class Resemblance(NamedTuple):
    """The rewrite resemblance of two documents and how many distinctive 4-grams they share."""

    value: float
    shared: int

    def reaches(self, rewrite: float) -> bool:
        """Whether the pair is a rewritten copy at ``rewrite``."""
        return self.value >= rewrite and self.shared >= LEAST_SHARED


def rewrite_shingles(flat: U32, lengths: I64) -> tuple[U32, I64]:
    """The distinct 4-gram hashes of each normalized text (concatenated code points and
    their lengths), sorted per text and concatenated, and how many each text has."""
    sets = char_shingle_sets(pieces_of(flat, lengths), REWRITE_NGRAM)
    counts = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
    return values.astype(np.uint32, copy=False), counts


def distinctive(shingles: U32, common: U32) -> U32:
    """The sorted ``shingles`` of one text without those in the sorted ``common``."""
    out: U32 = shingles[~members(shingles, common)]
    return out


def distinctive_sets(cps: Sequence[U32], common: U32) -> list[U32]:
    """Each normalized text's distinctive 4-gram set (:func:`distinctive`)."""
    return [distinctive(s, common) for s in char_shingle_sets(cps, REWRITE_NGRAM)]


def resemblance(a: U32, b: U32) -> Resemblance:
    """Jaccard of two distinctive sets (0 when both are empty), and their intersection."""
    shared = intersection_size(a, b)
    union = a.size + b.size - shared
    return Resemblance(shared / union if union else 0.0, shared)


def resembling_pairs(
    shingles: U32 | Sequence[U32], counts: I64, rewrite: float, max_df: int
) -> SharedFingerprints:
    """The pairs of documents whose distinctive sets resemble at least ``rewrite``, found
    through the inverted index of their 4-grams (:func:`rewrite_shingles`, as one array or
    in blocks of whole documents; ``counts`` per document), and the common 4-grams."""
    counts = np.asarray(counts, dtype=np.int64)
    # no share of the counts is asked for: they include the common 4-grams, so a share of
    # them could drop a pair that resembles enough; LEAST_SHARED is needed in any case
    found = shared_fingerprint_pairs(shingles, counts, 0.0, min(max_df, MAX_DF), LEAST_SHARED)
    common_held = _common_held(shingles, counts, found.common)
    rare = counts - common_held
    a, b = found.pairs[:, 0], found.pairs[:, 1]
    union = rare[a] + rare[b] - found.shared
    keep = (found.shared >= rewrite * union) & (found.shared >= LEAST_SHARED)
    return replace(found, pairs=found.pairs[keep], shared=found.shared[keep])


def _common_held(shingles: U32 | Sequence[U32], counts: I64, common: U32) -> I64:
    """How many of the sorted ``common`` 4-grams each document holds (blocks of whole
    documents, in order, taken one at a time)."""
    held = np.zeros(counts.size, dtype=np.int64)
    if not common.size:
        return held
    blocks = [shingles] if isinstance(shingles, np.ndarray) else shingles
    ends = np.cumsum(counts)
    first = done = 0
    for block in blocks:
        done += block.size
        last = int(np.searchsorted(ends, done, side="right"))
        owner = np.repeat(np.arange(first, last), counts[first:last])
        held += np.bincount(owner[members(block, common)], minlength=counts.size)
        first = last
    return held
