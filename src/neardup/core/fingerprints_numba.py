"""Winnowing compiled by numba (extra ``neardup[fast]``): the same fingerprints as
:func:`neardup.core.fingerprints.winnow_flat`, in one pass over each text's code points.

Per text: the MurmurHash3 hash of every character n-gram (as
:func:`neardup.core.shingles.ngram_hashes`, by the MinHash kernel's loop), a monotone queue
of the window's candidates for its minimum, and the minimum of each window written out
whenever it changes. The caller sorts the distinct values of each text.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint32

from .minhash_numba import shingle_hashes


@njit(cache=True, nogil=True)
def window_minima(
    cps: np.ndarray,
    offsets: np.ndarray,
    ngram: int,
    window: int,
    values: np.ndarray,
    owners: np.ndarray,
) -> int:
    """Write each text's window minima (a new one each time the minimum changes; the
    minimum of all its shingles when it has at most ``window``) to ``values`` with the
    text's number in ``owners``; return how many were written. ``values`` and ``owners``
    need room for one per character."""
    written = 0
    hashes = np.empty(0, dtype=np.uint32)
    keys = np.empty(0, dtype=np.uint32)
    queue = np.empty(0, dtype=np.int64)
    for d in range(offsets.size - 1):
        start, size = offsets[d], offsets[d + 1] - offsets[d]
        if size == 0:
            continue
        if hashes.size < size:
            hashes = np.empty(2 * size, dtype=np.uint32)
            keys = np.empty(2 * size, dtype=np.uint32)
            queue = np.empty(2 * size, dtype=np.int64)
        if size < ngram:
            shingle_hashes(cps, start, 1, size, keys, hashes)
            values[written] = hashes[0]
            owners[written] = d
            written += 1
            continue
        count = size - ngram + 1
        shingle_hashes(cps, start, count, ngram, keys, hashes)
        if count <= window:
            least = hashes[0]
            for p in range(1, count):
                least = min(least, hashes[p])
            values[written] = least
            owners[written] = d
            written += 1
            continue
        head, tail = 0, 0  # queue[head:tail]: positions, their hashes ascending
        last = uint32(0)
        for p in range(count):
            while tail > head and hashes[queue[tail - 1]] >= hashes[p]:
                tail -= 1
            queue[tail] = p
            tail += 1
            if queue[head] <= p - window:
                head += 1
            if p >= window - 1:
                least = hashes[queue[head]]
                if p == window - 1 or least != last:
                    values[written] = least
                    owners[written] = d
                    written += 1
                    last = least
    return written
