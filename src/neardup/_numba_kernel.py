"""The fused MinHash loop compiled by numba (extra ``neardup[fast]``).

Same math as :mod:`neardup.minhash`; per shingle: MurmurHash3 blocks over its code points,
fmix32, then ``a_k * h + b_k`` (uint32) and a running minimum for every permutation k, the
inner loop over k vectorized by LLVM. Compiled once and cached on disk (``cache=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, uint32


@njit(cache=True, nogil=True, inline="always")
def _fmix(h: Any) -> Any:
    h = uint32(h ^ (h >> 16))
    h = uint32(h * uint32(0x85EBCA6B))
    h = uint32(h ^ (h >> 13))
    h = uint32(h * uint32(0xC2B2AE35))
    return uint32(h ^ (h >> 16))


@njit(cache=True, nogil=True, inline="always")
def _murmur(cps: np.ndarray, start: int, length: int) -> Any:
    h = uint32(0)
    for i in range(length):
        k = uint32(cps[start + i] * uint32(0xCC9E2D51))
        k = uint32((k << 15) | (k >> 17))
        k = uint32(k * uint32(0x1B873593))
        h = uint32(h ^ k)
        h = uint32((h << 13) | (h >> 19))
        h = uint32(h * uint32(5) + uint32(0xE6546B64))
    return _fmix(uint32(h ^ uint32(4 * length)))


CHUNK = 4096  # shingles per pass: the chunk stays in L1/L2 across all permutations


@njit(cache=True, nogil=True, inline="always")
def _permute_min(
    mixed: np.ndarray, count: int, a: np.ndarray, b: np.ndarray, row: np.ndarray
) -> None:
    # Permutation-major: the inner loop over shingles is a vectorized min-reduction.
    for k in range(a.size):
        ak = a[k]
        bk = b[k]
        m = row[k]
        for i in range(count):
            m = min(m, uint32(ak * mixed[i] + bk))
        row[k] = m


@njit(cache=True, nogil=True)
def minhash_ngrams(
    cps: np.ndarray, offsets: np.ndarray, ngram: int, a: np.ndarray, b: np.ndarray, out: np.ndarray
) -> None:
    """Fill ``out[d]`` with the signature of the character n-grams of document d."""
    mixed = np.empty(CHUNK, dtype=np.uint32)
    for d in range(offsets.size - 1):
        start, end = offsets[d], offsets[d + 1]
        size = end - start
        out[d, :] = uint32(0xFFFFFFFF)
        if 0 < size < ngram:
            mixed[0] = _fmix(_murmur(cps, start, size))
            _permute_min(mixed, 1, a, b, out[d])
        elif size >= ngram:
            count = size - ngram + 1
            for lo in range(0, count, CHUNK):
                hi = min(lo + CHUNK, count)
                for p in range(lo, hi):
                    mixed[p - lo] = _fmix(_murmur(cps, start + p, ngram))
                _permute_min(mixed, hi - lo, a, b, out[d])


@njit(cache=True, nogil=True)
def minhash_hashed(
    hashes: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray
) -> None:
    """Fill ``out[d]`` with the signature of the shingle hashes of document d."""
    mixed = np.empty(CHUNK, dtype=np.uint32)
    for d in range(offsets.size - 1):
        out[d, :] = uint32(0xFFFFFFFF)
        for lo in range(offsets[d], offsets[d + 1], CHUNK):
            hi = min(lo + CHUNK, offsets[d + 1])
            for i in range(lo, hi):
                mixed[i - lo] = _fmix(uint32(hashes[i]))
            _permute_min(mixed, hi - lo, a, b, out[d])
