"""The aligned shares of the rewrite resemblance, compiled by numba (extra
``neardup[fast]``): one merge of two documents' sorted sentence 4-grams, the same result as
the numpy path of :func:`neardup.core.rewrites.aligned_shares`."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _matches(
    grams_a: np.ndarray, sentences_a: np.ndarray, grams_b: np.ndarray,
    sentences_b: np.ndarray, per_b: int, codes: np.ndarray, fill: bool,
) -> int:
    """How many (sentence of a, sentence of b) pairs hold a 4-gram in both (one merge of
    the sorted 4-grams), written as ``sentence_a * per_b + sentence_b`` to ``codes`` when
    ``fill``."""
    n_a, n_b = grams_a.size, grams_b.size
    k = p = q = 0
    while p < n_a and q < n_b:
        if grams_a[p] < grams_b[q]:
            p += 1
        elif grams_a[p] > grams_b[q]:
            q += 1
        else:
            p_end, q_end = p, q
            while p_end < n_a and grams_a[p_end] == grams_a[p]:
                p_end += 1
            while q_end < n_b and grams_b[q_end] == grams_b[q]:
                q_end += 1
            if fill:
                for x in range(p, p_end):
                    for y in range(q, q_end):
                        codes[k] = sentences_a[x] * per_b + sentences_b[y]
                        k += 1
            else:
                k += (p_end - p) * (q_end - q)
            p, q = p_end, q_end
    return k


@njit(cache=True, nogil=True)
def aligned_lengths(
    grams_a: np.ndarray, sentences_a: np.ndarray, lengths_a: np.ndarray,
    grams_b: np.ndarray, sentences_b: np.ndarray, lengths_b: np.ndarray, partner: int,
) -> tuple[int, int]:
    """The normalized characters of a's sentences that share at least ``partner`` of the
    sorted ``grams_a`` (repeats allowed, one per sentence) with one sentence of b, and of
    b's sentences likewise."""
    per_b = max(lengths_b.size, 1)
    codes = np.empty(0, dtype=np.int64)
    matched = _matches(grams_a, sentences_a, grams_b, sentences_b, per_b, codes, False)
    codes = np.empty(matched, dtype=np.int64)
    _matches(grams_a, sentences_a, grams_b, sentences_b, per_b, codes, True)
    codes.sort()
    with_a = np.zeros(lengths_a.size, dtype=np.bool_)
    with_b = np.zeros(lengths_b.size, dtype=np.bool_)
    start = 0
    for end in range(1, matched + 1):
        if end == matched or codes[end] != codes[start]:
            if end - start >= partner:
                with_a[codes[start] // per_b] = True
                with_b[codes[start] % per_b] = True
            start = end
    total_a = 0
    for s in range(lengths_a.size):
        if with_a[s]:
            total_a += lengths_a[s]
    total_b = 0
    for s in range(lengths_b.size):
        if with_b[s]:
            total_b += lengths_b[s]
    return total_a, total_b
