"""Intersection sizes of many pairs of sorted sets, compiled by numba (extra
``neardup[fast]``): one merge of two sorted arrays per pair (advancing by comparisons, not
branches, which the processor would mispredict half the time), the same result as
:func:`neardup.core.similarity.intersection_size` pair by pair."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def intersection_sizes_merged(
    values: np.ndarray, offsets: np.ndarray, pairs: np.ndarray, out: np.ndarray
) -> None:
    """``out[k] = |S_i ∩ S_j|`` for ``(i, j) = pairs[k]``, where set ``S_d`` is the sorted
    distinct ``values[offsets[d]:offsets[d + 1]]``."""
    for k in range(pairs.shape[0]):
        p, p_end = offsets[pairs[k, 0]], offsets[pairs[k, 0] + 1]
        q, q_end = offsets[pairs[k, 1]], offsets[pairs[k, 1] + 1]
        common = 0
        while p < p_end and q < q_end:  # without branches: which side moves is random
            x, y = values[p], values[q]
            common += x == y
            p += x <= y
            q += y <= x
        out[k] = common
