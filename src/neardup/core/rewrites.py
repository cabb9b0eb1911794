"""The resemblance of rewritten copies (洗稿): sentences aligned by *distinctive* 4-grams.

A paraphrase that replaces 40–50 % of an article's words and moves its sentences leaves no
long verbatim run (what the containment search's fingerprints need) and a 5-gram Jaccard
near that of unrelated news. What it keeps are the short pieces between the replaced words:
names, numbers, places and the words the tool has no substitute for. Those pieces are rare
in a collection, while the phrases two unrelated reports of one genre share (会见, 表示,
双边关系) are common. So a rewrite search looks only at the 4-grams of the normalized (and
folded) text that at most :data:`MAX_DF` documents of the collection hold (or ``max_df``,
when that is lower): the *distinctive* 4-grams.

A rewrite keeps its source's sentences, each with some of its distinctive 4-grams, in any
order; sentences inserted from elsewhere or cut have no counterpart. Two reports written
from one template about different events share their frame, but most of their sentences
(the facts each adds) find no partner. So the Jaccard of the distinctive sets is weighed by
the share of each document's text that lies in sentences with a partner in the other::

    J              = |A' ∩ B'| / |A' ∪ B'|,  X' = X without the 4-grams held by > MAX_DF documents
    aligned(A → B) = Σ len(s) over the sentences s of A that share at least PARTNER
                     distinctive 4-grams with one sentence of B  /  Σ len(s) over all of A
    resemblance    = J · min(aligned(A → B), aligned(B → A))

Sentences are the pieces of the original text between the characters of
:data:`SENTENCE_ENDS`, each normalized (and folded) on its own; ``len`` counts normalized
characters, and a sentence's 4-grams are those within it. A rewrite must also share at
least :data:`LEAST_SHARED` distinctive 4-grams: below that there is too little text to
tell a rewrite from two short reports written from one template.

Inserted text still lowers the resemblance (it enlarges the union and has no partner), but
a template sibling loses far more: measured on news items rewritten by a word-embedding
paraphraser (``benchmarks/rewrites.py``), at the same number of news-news pairs the
weighted measure keeps more rewrites than the Jaccard alone, most of all when a third of
their text is inserted from elsewhere; see the benchmarks README for the figures.

Candidates come from the same inverted index as the containment search's
(:func:`~neardup.core.fingerprints.shared_fingerprint_pairs` over every distinct 4-gram,
which also finds the common ones). The index counts exactly the distinctive 4-grams two
documents share, so :func:`resembling_pairs` keeps only the pairs whose Jaccard reaches
the resemblance asked for (the aligned shares are at most 1); verification then aligns
their sentences (:func:`sentence_profiles`, :func:`resemblance`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .._types import I64, U32
from . import kernels
from .arrays import members, pieces_of, ranges, starts_of
from .fingerprints import SharedFingerprints, shared_fingerprint_pairs
from .normalize import NormalizeOptions, normalize_many
from .shingles import char_shingle_sets, ngram_hashes
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

PARTNER = 4
"""Distinctive 4-grams a sentence shares with a sentence of the other document when that
one is its partner. Chosen on the tune split among 2–6 (asking also for a share of the
sentence's 4-grams did worse): at a given number of news-news pairs, 3, 4 and 5 keep the
rewrites within one or two cases of one another (5 slightly ahead once the Jaccard factor
was added, 4 when the aligned share was compared alone, which is when it was chosen);
2 and 6 keep fewer."""

SENTENCE_ENDS = "。！？；!?\n"
"""The characters that end a sentence (an ASCII ``;`` does not: it ends HTML entities)."""

_SENTENCE_SPLIT = re.compile(f"[{SENTENCE_ENDS}]")


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
    """Each normalized text's distinctive 4-gram set (:func:`distinctive`), with one
    membership test for all texts."""
    sets = char_shingle_sets(cps, REWRITE_NGRAM)
    if not sets:
        return []
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    rare = ~members(np.concatenate(sets), common)
    kept = np.add.reduceat(rare, starts_of(sizes)[:-1]) if rare.size else sizes * 0
    kept[sizes == 0] = 0
    return pieces_of(np.concatenate(sets)[rare], kept)


class Profile(NamedTuple):
    """What the rewrite resemblance needs of one document: its whole text's distinctive
    set, and its sentences' distinctive 4-grams with the sentence each is in."""

    distinctive: U32
    """The whole normalized text's distinctive 4-grams, sorted."""
    grams: U32
    """The distinctive 4-grams within each sentence, sorted (a 4-gram in two sentences is
    listed twice)."""
    sentences: I64
    """The sentence of each of ``grams``."""
    lengths: I64
    """Each sentence's normalized length."""


def sentences_of(text: str) -> list[str]:
    """The pieces of ``text`` between the characters of :data:`SENTENCE_ENDS`."""
    return _SENTENCE_SPLIT.split(text)


PROFILE_CHARACTERS = 1 << 20
"""Characters of text whose profiles are made at once (the temporaries of a part take about
30 bytes per character)."""


def sentence_profiles(
    texts: Sequence[str], cps: Sequence[U32], options: NormalizeOptions, common: U32
) -> list[Profile]:
    """The :class:`Profile` of each text (``cps``: the same texts normalized with
    ``options``), without the sorted ``common`` 4-grams; made in parts of about
    :data:`PROFILE_CHARACTERS`."""
    out: list[Profile] = []
    first = size = 0
    for k, text in enumerate(texts):
        size += len(text)
        if size >= PROFILE_CHARACTERS or k == len(texts) - 1:
            out.extend(_profiles(texts[first : k + 1], cps[first : k + 1], options, common))
            first, size = k + 1, 0
    return out


def _profiles(
    texts: Sequence[str], cps: Sequence[U32], options: NormalizeOptions, common: U32
) -> list[Profile]:
    """:func:`sentence_profiles` of one part."""
    pieces = [sentences_of(text) for text in texts]
    per_text = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    flat, lengths = normalize_many([s for p in pieces for s in p], options)
    # 4-grams within one sentence: windows that start at least REWRITE_NGRAM - 1 before its end
    hashes = ngram_hashes(flat, REWRITE_NGRAM) if flat.size >= REWRITE_NGRAM else flat[:0]
    windows = np.maximum(lengths - REWRITE_NGRAM + 1, 0)
    starts = ranges(starts_of(lengths)[:-1], windows)
    sentence = np.repeat(np.arange(lengths.size), windows)
    grams = hashes[starts]
    keep = ~members(grams, common)
    grams, sentence = grams[keep], sentence[keep]
    text_of = np.repeat(np.arange(len(texts), dtype=np.uint64), per_text)
    # by text, then 4-gram, then sentence (stable: the windows come in sentence order)
    order = np.argsort((text_of[sentence] << np.uint64(32)) | grams, kind="stable")
    grams, sentence = grams[order], sentence[order]
    fresh = np.ones(grams.size, dtype=bool)
    fresh[1:] = (grams[1:] != grams[:-1]) | (sentence[1:] != sentence[:-1])
    grams, sentence = grams[fresh], sentence[fresh]
    first = starts_of(per_text)
    per_gram = np.bincount(text_of[sentence].astype(np.int64), minlength=len(texts))
    bounds = starts_of(per_gram)
    rare = distinctive_sets(cps, common)
    return [
        Profile(
            rare[k],
            grams[bounds[k] : bounds[k + 1]],
            sentence[bounds[k] : bounds[k + 1]] - first[k],
            lengths[first[k] : first[k + 1]],
        )
        for k in range(len(texts))
    ]


AlignedLengths = Callable[[Profile, Profile], tuple[int, int]]
"""The normalized characters of a's sentences with a partner in b, and of b's."""


def aligned_lengths_kernel() -> AlignedLengths:
    """The :data:`AlignedLengths` of the kernel in use: compiled when numba is installed."""
    twin = kernels.rewrites()
    if twin is None:
        return _aligned_lengths

    def compiled(a: Profile, b: Profile) -> tuple[int, int]:
        in_a, in_b = twin.aligned_lengths(
            a.grams, a.sentences, a.lengths, b.grams, b.sentences, b.lengths, PARTNER
        )
        return int(in_a), int(in_b)

    return compiled


def aligned_shares(
    a: Profile, b: Profile, lengths: AlignedLengths | None = None
) -> tuple[float, float]:
    """The share of a's normalized text in sentences with a partner in b (a sentence of b
    sharing at least :data:`PARTNER` distinctive 4-grams with it), and the reverse; 0 for
    a text without normalized characters. ``lengths`` is the kernel (default: the one in
    use, :func:`aligned_lengths_kernel`)."""
    in_a, in_b = (lengths or aligned_lengths_kernel())(a, b)
    total_a, total_b = int(a.lengths.sum()), int(b.lengths.sum())
    return in_a / total_a if total_a else 0.0, in_b / total_b if total_b else 0.0


def _aligned_lengths(a: Profile, b: Profile) -> tuple[int, int]:
    """The normalized characters of a's sentences with a partner in b, and of b's."""
    low = np.searchsorted(b.grams, a.grams, side="left")
    found = np.searchsorted(b.grams, a.grams, side="right") - low
    hit = found > 0
    per_b = max(b.lengths.size, 1)
    codes = np.repeat(a.sentences[hit], found[hit]) * per_b + b.sentences[
        ranges(low[hit], found[hit])
    ]
    codes, shared = np.unique(codes, return_counts=True)
    partners = codes[shared >= PARTNER]
    with_a = np.unique(partners // per_b)
    with_b = np.unique(partners % per_b)
    return int(a.lengths[with_a].sum()), int(b.lengths[with_b].sum())


def resemblance(a: Profile, b: Profile, lengths: AlignedLengths | None = None) -> Resemblance:
    """The rewrite resemblance of two documents: the Jaccard of their distinctive sets (0
    when both are empty) times the smaller of their aligned shares (:func:`aligned_shares`,
    with the kernel ``lengths``), and the size of the sets' intersection."""
    shared = intersection_size(a.distinctive, b.distinctive)
    union = a.distinctive.size + b.distinctive.size - shared
    if not shared:
        return Resemblance(0.0, 0)
    return Resemblance(shared / union * min(aligned_shares(a, b, lengths)), shared)


def resemblance_of(
    texts: Sequence[str], cps: Sequence[U32], options: NormalizeOptions, common: U32
) -> Callable[[int, int], Resemblance]:
    """The rewrite resemblance of two of ``texts`` by index (:func:`sentence_profiles`)."""
    profiles = sentence_profiles(texts, cps, options, common)
    lengths = aligned_lengths_kernel()

    def rewrite(a: int, b: int) -> Resemblance:
        return resemblance(profiles[a], profiles[b], lengths)

    return rewrite


def resembling_pairs(
    shingles: U32 | Sequence[U32], counts: I64, rewrite: float, max_df: int
) -> SharedFingerprints:
    """The pairs of documents whose distinctive sets share at least :data:`LEAST_SHARED`
    4-grams with a Jaccard of at least ``rewrite`` (all that can resemble that much), found
    through the inverted index of their 4-grams (:func:`rewrite_shingles`, as one array or
    in blocks of whole documents; ``counts`` per document), and the common 4-grams."""
    counts = np.asarray(counts, dtype=np.int64)
    # no share of the counts is asked for: they include the common 4-grams, so a share of
    # them could drop a pair that resembles enough; LEAST_SHARED is needed in any case
    found = shared_fingerprint_pairs(shingles, counts, 0.0, min(max_df, MAX_DF), LEAST_SHARED)
    rare = counts - found.common_held
    a, b = found.pairs[:, 0], found.pairs[:, 1]
    keep = resembles_enough(found.shared, rare[a], rare[b], rewrite)
    return replace(found, pairs=found.pairs[keep], shared=found.shared[keep])


def resembles_enough(shared: I64, rare_a: I64, rare_b: I64, rewrite: float
                     ) -> npt.NDArray[np.bool_]:
    """Whether pairs sharing ``shared`` distinctive 4-grams, of documents with ``rare_a``
    and ``rare_b`` distinctive 4-grams, may resemble ``rewrite``: their Jaccard reaches it,
    and they share at least :data:`LEAST_SHARED` (what :func:`resembling_pairs` keeps)."""
    union = rare_a + rare_b - shared
    out: npt.NDArray[np.bool_] = (shared >= rewrite * union) & (shared >= LEAST_SHARED)
    return out
