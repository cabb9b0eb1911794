"""The fused MinHash loop compiled by numba (extra ``neardup[fast]``).

Same math as :mod:`neardup.core.minhash`. Per document, in chunks of :data:`CHUNK` shingles that
stay in cache: the MurmurHash3 block key of every code point, then the hash of every window
of ``ngram`` keys (block position outer, window inner, so LLVM vectorizes across windows),
the finalizer and the scheme's fmix32, and finally ``a_k * h + b_k`` (uint32) with a running
minimum, four permutations per pass over the chunk. Compiled once and cached on disk
(``cache=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, uint32

CHUNK = 4096
"""Shingles per pass: the chunk stays in L1/L2 across all permutations."""


@njit(cache=True, nogil=True, inline="always")
def _fmix(h: Any) -> Any:
    h = uint32(h ^ (h >> 16))
    h = uint32(h * uint32(0x85EBCA6B))
    h = uint32(h ^ (h >> 13))
    h = uint32(h * uint32(0xC2B2AE35))
    return uint32(h ^ (h >> 16))


@njit(cache=True, nogil=True)
def shingle_hashes(
    cps: np.ndarray, start: int, count: int, length: int, keys: np.ndarray, hashes: np.ndarray
) -> None:
    """``hashes[p] = shingle_hash(cps[start+p : start+p+length])`` for p < count (block
    position outer, window inner, so that LLVM vectorizes across windows)."""
    for j in range(count + length - 1):
        k = uint32(cps[start + j] * uint32(0xCC9E2D51))
        k = uint32((k << 15) | (k >> 17))
        keys[j] = uint32(k * uint32(0x1B873593))
    for p in range(count):
        hashes[p] = uint32(0)
    for i in range(length):
        for p in range(count):
            h = uint32(hashes[p] ^ keys[p + i])
            h = uint32((h << 13) | (h >> 19))
            hashes[p] = uint32(h * uint32(5) + uint32(0xE6546B64))
    for p in range(count):
        hashes[p] = _fmix(uint32(hashes[p] ^ uint32(4 * length)))


@njit(cache=True, nogil=True)
def mixed_windows(
    cps: np.ndarray, start: int, count: int, length: int, keys: np.ndarray, mixed: np.ndarray
) -> None:
    """``mixed[p] = fmix32(shingle_hash(cps[start+p : start+p+length]))`` for p < count."""
    shingle_hashes(cps, start, count, length, keys, mixed)
    for p in range(count):
        mixed[p] = _fmix(mixed[p])


@njit(cache=True, nogil=True)
def permute_min(
    mixed: np.ndarray, count: int, a: np.ndarray, b: np.ndarray, row: np.ndarray
) -> None:
    """``row[k] = min(row[k], min_i(a_k * mixed[i] + b_k))``, four permutations per pass."""
    k = 0
    while k + 4 <= a.size:
        a0, a1, a2, a3 = a[k], a[k + 1], a[k + 2], a[k + 3]
        b0, b1, b2, b3 = b[k], b[k + 1], b[k + 2], b[k + 3]
        m0, m1, m2, m3 = row[k], row[k + 1], row[k + 2], row[k + 3]
        for i in range(count):
            h = mixed[i]
            m0 = min(m0, uint32(a0 * h + b0))
            m1 = min(m1, uint32(a1 * h + b1))
            m2 = min(m2, uint32(a2 * h + b2))
            m3 = min(m3, uint32(a3 * h + b3))
        row[k], row[k + 1], row[k + 2], row[k + 3] = m0, m1, m2, m3
        k += 4
    for r in range(k, a.size):
        ar, br, m = a[r], b[r], row[r]
        for i in range(count):
            m = min(m, uint32(ar * mixed[i] + br))
        row[r] = m


@njit(cache=True, nogil=True)
def minhash_ngrams(
    cps: np.ndarray, offsets: np.ndarray, ngram: int, a: np.ndarray, b: np.ndarray, out: np.ndarray
) -> None:
    """Fill ``out[d]`` with the signature of the character n-grams of document d."""
    mixed = np.empty(CHUNK, dtype=np.uint32)
    keys = np.empty(CHUNK + ngram, dtype=np.uint32)
    for d in range(offsets.size - 1):
        start, end = offsets[d], offsets[d + 1]
        size = end - start
        out[d, :] = uint32(0xFFFFFFFF)
        if 0 < size < ngram:
            mixed_windows(cps, start, 1, size, keys, mixed)
            permute_min(mixed, 1, a, b, out[d])
        elif size >= ngram:
            count = size - ngram + 1
            for lo in range(0, count, CHUNK):
                m = min(CHUNK, count - lo)
                mixed_windows(cps, start + lo, m, ngram, keys, mixed)
                permute_min(mixed, m, a, b, out[d])


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
            permute_min(mixed, hi - lo, a, b, out[d])


RADIX_FROM = 64
"""Shingles from which :func:`shingle_sets` sorts a document's hashes by radix (below it,
by insertion sort: fewer passes over a few values)."""


@njit(cache=True, nogil=True)
def sorted_distinct(
    hashes: np.ndarray, count: int, scratch: np.ndarray, counts: np.ndarray,
    out: np.ndarray, at: int,
) -> int:
    """Write the distinct values of ``hashes[:count]`` ascending to ``out[at:]`` and return
    how many there are. ``hashes`` is reordered; ``scratch`` has room for ``count``
    values, ``counts`` is int64 of shape (4, 256).

    An LSD radix sort: one pass counts the four bytes of every value, then one stable
    scatter per byte (a byte all values share is skipped), least significant first; a
    short run is sorted by insertion instead. Distinct values are kept as they are
    copied out."""
    if count == 0:
        return 0
    src, dst = hashes, scratch
    if count < RADIX_FROM:
        for i in range(1, count):
            value = hashes[i]
            j = i - 1
            while j >= 0 and hashes[j] > value:
                hashes[j + 1] = hashes[j]
                j -= 1
            hashes[j + 1] = value
    else:
        counts[:, :] = 0
        for i in range(count):
            value = hashes[i]
            counts[0, value & 0xFF] += 1
            counts[1, (value >> 8) & 0xFF] += 1
            counts[2, (value >> 16) & 0xFF] += 1
            counts[3, value >> 24] += 1
        for byte in range(4):
            shift = 8 * byte
            if counts[byte, (src[0] >> shift) & 0xFF] == count:
                continue  # every value has this byte: the pass would not move any
            total = 0
            for bucket in range(256):
                size = counts[byte, bucket]
                counts[byte, bucket] = total
                total += size
            for i in range(count):
                value = src[i]
                bucket = (value >> shift) & 0xFF
                dst[counts[byte, bucket]] = value
                counts[byte, bucket] += 1
            src, dst = dst, src
    written = at
    out[written] = src[0]
    written += 1
    for i in range(1, count):
        if src[i] != src[i - 1]:
            out[written] = src[i]
            written += 1
    return written - at


@njit(cache=True, nogil=True)
def shingle_sets(
    cps: np.ndarray, offsets: np.ndarray, ngram: int, values: np.ndarray, counts: np.ndarray
) -> int:
    """The sorted distinct character n-gram hashes of each document (a document shorter
    than ``ngram``: the hash of its whole text; an empty one: none), one after another in
    ``values`` (room for every shingle with repeats); ``counts[d]``: how many document d has.
    Returns how many values were written."""
    longest = 0
    for d in range(offsets.size - 1):
        longest = max(longest, offsets[d + 1] - offsets[d])
    keys = np.empty(longest + 1, dtype=np.uint32)
    hashes = np.empty(longest + 1, dtype=np.uint32)
    scratch = np.empty(longest + 1, dtype=np.uint32)
    buckets = np.empty((4, 256), dtype=np.int64)
    written = 0
    for d in range(offsets.size - 1):
        start, size = offsets[d], offsets[d + 1] - offsets[d]
        if size == 0:
            counts[d] = 0
            continue
        count, length = (1, size) if size < ngram else (size - ngram + 1, ngram)
        shingle_hashes(cps, start, count, length, keys, hashes)
        counts[d] = sorted_distinct(hashes, count, scratch, buckets, values, written)
        written += counts[d]
    return written
