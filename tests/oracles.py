"""Reference implementations the tests hold neardup against: shingles as strings, and every
pair above a Jaccard threshold by an exact (prefix-filtered) all-pairs join.

They are slow and plain on purpose, and are not part of the package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from neardup.core.shingles import WORD_SEPARATOR, words
from neardup.core.similarity import overlap

U32 = npt.NDArray[np.uint32]


def char_shingles(text: str, ngram: int) -> list[str]:
    """The character shingles of a normalized text as strings (reference, for tests and oracles)."""
    if not text:
        return []
    if len(text) < ngram:
        return [text]
    return [text[i : i + ngram] for i in range(len(text) - ngram + 1)]


def word_shingles(text: str, ngram: int) -> list[str]:
    """Word n-grams of a normalized text, each joined by U+001F (reference for tests)."""
    ws = words(text)
    if not ws:
        return []
    if len(ws) < ngram:
        return [WORD_SEPARATOR.join(ws)]
    return [WORD_SEPARATOR.join(ws[i : i + ngram]) for i in range(len(ws) - ngram + 1)]


def exact_pairs(sets: Sequence[U32], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair ``(i, j, jaccard)``, ``i < j``, with exact Jaccard >= threshold.

    The brute-force oracle for recall measurements, made fast by prefix filtering (exact, not
    approximate): tokens are ordered rarest first; two sets with ``J >= t`` must share a token
    among the first ``|A| - ceil(t |A|) + 1`` of each, and their sizes differ by at most the
    factor ``t``. Only pairs passing both filters are intersected.
    """
    n = len(sets)
    nonempty = [i for i in range(n) if sets[i].size]
    if len(nonempty) < 2:
        return []
    tokens, counts = np.unique(np.concatenate([sets[i] for i in nonempty]), return_counts=True)
    rank = np.lexsort((tokens, counts))  # rarest first, ties by token value
    order_of = np.empty(tokens.size, dtype=np.int64)
    order_of[rank] = np.arange(tokens.size)
    prefix_docs: list[npt.NDArray[np.int64]] = []
    prefix_tokens: list[npt.NDArray[np.int64]] = []
    for i in nonempty:
        ranks = np.sort(order_of[np.searchsorted(tokens, sets[i])])
        size = ranks.size
        keep = size - math.ceil(threshold * size - 1e-9) + 1
        prefix_tokens.append(ranks[:keep])
        prefix_docs.append(np.full(min(keep, size), i, dtype=np.int64))
    docs = np.concatenate(prefix_docs)
    toks = np.concatenate(prefix_tokens)
    order = np.lexsort((docs, toks))
    docs, toks = docs[order], toks[order]
    bounds = np.flatnonzero(np.diff(toks)) + 1
    candidates: set[tuple[int, int]] = set()
    for group in np.split(docs, bounds):
        if group.size < 2:
            continue
        members = group.tolist()
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                candidates.add((a, b) if a < b else (b, a))
    found: list[tuple[int, int, float]] = []
    for a, b in sorted(candidates):
        small, large = sorted((sets[a].size, sets[b].size))
        if small < threshold * large - 1e-9:
            continue
        jac = overlap(sets[a], sets[b]).jaccard
        if jac >= threshold:
            found.append((a, b, jac))
    return found
