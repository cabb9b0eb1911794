"""Whole-array helpers that several algorithms share: offsets of packed arrays, ranges of
positions, and sorted distinct values.

Example:
    >>> import numpy as np
    >>> counts = np.array([2, 0, 3])
    >>> starts_of(counts).tolist()
    [0, 2, 2, 5]
    >>> within(counts).tolist()
    [0, 1, 0, 1, 2]
    >>> ranges(np.array([10, 7, 20]), counts).tolist()
    [10, 11, 20, 21, 22]
    >>> [piece.tolist() for piece in pieces_of(np.arange(5), counts)]
    [[0, 1], [], [2, 3, 4]]
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt

from .._types import I64


def starts_of(lengths: I64) -> I64:
    """Where each of the packed pieces of these lengths starts, and the total at the end
    (``lengths.size + 1`` values)."""
    starts = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return starts


def within(counts: I64) -> I64:
    """``0, 1, ..., c-1`` for each count ``c``, concatenated."""
    return np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts_of(counts)[:-1], counts)


def ranges(starts: I64, counts: I64) -> I64:
    """``s, s+1, ..., s+c-1`` for each start ``s`` and count ``c``, concatenated."""
    return np.repeat(starts, counts) + within(counts)


def pieces_of(flat: npt.NDArray[Any], lengths: I64) -> list[npt.NDArray[Any]]:
    """The packed array ``flat`` cut into pieces of these lengths (views, not copies; a
    slice each, five times faster than ``np.split``, and the same pieces: the last one
    runs to the end of ``flat``; no lengths give ``[flat]``)."""
    bounds = [*starts_of(lengths)[:-1].tolist(), None] if lengths.size else [0, None]
    return [flat[lo:hi] for lo, hi in itertools.pairwise(bounds)]


def members(values: npt.NDArray[Any], sorted_values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Whether each of ``values`` is one of the (sorted) ``sorted_values``."""
    if not sorted_values.size:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), sorted_values.size - 1)
    found: npt.NDArray[np.bool_] = sorted_values[at] == values
    return found


def sorted_unique(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Sorted distinct values (sort-based: numpy's hash-based ``unique`` is far slower on
    millions of uint32)."""
    if values.size < 2:
        copied: npt.NDArray[Any] = values.copy()
        return copied
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    out: npt.NDArray[Any] = ordered[keep]
    return out
