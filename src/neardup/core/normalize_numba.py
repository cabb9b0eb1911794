"""Normalization compiled by numba (extra ``neardup[fast]``), fused with the MinHash loop.

Same result as the numpy path of :mod:`neardup.core.normalize` (after markup and markers are
stripped): every code point goes through the kernel table (``table[c]`` = the code point it
becomes, :data:`REMOVED`, :data:`MULTI` for an expansion looked up in the packed expansion
arrays, or :data:`UNKNOWN` when not yet filled), and a mapped code point with
:data:`CHECK` set may need canonical composition: its document is reported, and the caller
checks and composes it in Python as the numpy path does (:func:`kernel_tables` makes the
kernel table from the numpy path's :class:`~neardup.core.normalize.CharacterTable`). Each
document is normalized into its place in ``out`` and, while its code points are still in
cache, signed with the same loop as :func:`neardup.core.minhash_numba.minhash_ngrams`.
Compiled once and cached on disk (``cache=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, uint32

from .arrays import starts_of
from .minhash_numba import CHUNK, mixed_windows, permute_min

UNKNOWN = -3
MULTI = -2
REMOVED = -1
CHECK = 1 << 21
"""Set in a table entry whose code point may need canonical composition with its neighbours."""
CODE = CHECK - 1
"""The code point bits of a table entry."""


@njit(cache=True, nogil=True)
def _expansion(cp: Any, multi_cps: np.ndarray) -> int:
    """Index of ``cp`` in the sorted ``multi_cps`` (it is there)."""
    return int(np.searchsorted(multi_cps, cp))


@njit(cache=True, nogil=True)
def normalize_sign(
    cps: np.ndarray,
    sizes: np.ndarray,
    table: np.ndarray,
    multi: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    out: np.ndarray,
    lengths: np.ndarray,
    check: np.ndarray,
    unknown: np.ndarray,
    sign: tuple[int, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[int, int]:
    """Normalize each document of ``cps`` (``sizes[d]`` code points each) into ``out``.

    Args:
        cps: the documents' code points, concatenated (uint32).
        sizes: each document's length (int64).
        table: the kernel table (int32, 0x110000 entries, see the module docstring).
        multi: the expansions: sorted code points (uint32), their bounds into the values
            (int64), the values (uint32) and whether each expansion has a :data:`CHECK` code
            point (bool).
        out: receives the normalized code points (uint32); written only while they fit.
        lengths: receives each document's normalized length (int64).
        check: set for each document that may need canonical composition (bool).
        unknown: receives code points not yet in the table (uint32), as many as fit.
        sign: ``(ngram, a, b, signatures)``; with ``ngram`` 0, no signatures are computed,
            otherwise ``signatures[d]`` (uint32, n_docs x num_perm) receives document d's.

    Returns:
        The number of normalized code points (when larger than ``out``, nothing past its end
        was written: call again with a larger one) and the number of unknown code points
        met (when not 0, the results are incomplete: fill the table and call again).
    """
    multi_cps, multi_bounds, multi_values, multi_check = multi
    ngram, a, b, signatures = sign
    mixed = np.empty(CHUNK, dtype=np.uint32)
    keys = np.empty(CHUNK + max(ngram, 1), dtype=np.uint32)
    capacity = out.size
    written = 0
    missing = 0
    position = 0
    for d in range(sizes.size):
        begin = written
        flagged = False
        for i in range(position, position + sizes[d]):
            entry = table[cps[i]]
            if entry >= 0:
                if written < capacity:
                    out[written] = uint32(entry & CODE)
                written += 1
                flagged |= entry >= CHECK
            elif entry == MULTI:
                at = _expansion(cps[i], multi_cps)
                for j in range(multi_bounds[at], multi_bounds[at + 1]):
                    if written < capacity:
                        out[written] = multi_values[j]
                    written += 1
                flagged |= multi_check[at]
            elif entry == UNKNOWN:
                if missing < unknown.size:
                    unknown[missing] = cps[i]
                missing += 1
        position += sizes[d]
        lengths[d] = written - begin
        check[d] = flagged
        if ngram == 0 or missing or written > capacity:
            continue
        row = signatures[d]
        row[:] = uint32(0xFFFFFFFF)
        size = written - begin
        if 0 < size < ngram:
            mixed_windows(out, begin, 1, size, keys, mixed)
            permute_min(mixed, 1, a, b, row)
        elif size >= ngram:
            count = size - ngram + 1
            for lo in range(0, count, CHUNK):
                m = min(CHUNK, count - lo)
                mixed_windows(out, begin + lo, m, ngram, keys, mixed)
                permute_min(mixed, m, a, b, row)
    return written, missing


def kernel_tables(
    kernel: dict[str, np.ndarray],
    entries: np.ndarray,
    expansions: dict[int, np.ndarray],
    checked: np.ndarray,
    filled: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The kernel's table (int32: the mapped code point, with :data:`CHECK` set when it may
    need composition; or :data:`REMOVED`, :data:`MULTI`, :data:`UNKNOWN`) and expansions
    (sorted code points, bounds into the values, the values, whether each may need
    composition), kept in ``kernel`` and made from the numpy path's table
    (:class:`neardup.core.normalize.CharacterTable`: ``entries``, ``expansions``,
    ``checked``) on first use; ``filled``: its code points filled since, to bring over."""
    if "table" not in kernel:
        kernel["table"] = np.full(0x110000, UNKNOWN, dtype=np.int32)
        filled = np.flatnonzero(entries != UNKNOWN).astype(np.uint32)
    table = kernel["table"]
    new_multi = "multi_cps" not in kernel
    if filled is not None and filled.size:
        filled_entries = entries[filled]
        table[filled] = filled_entries
        table[filled[(filled_entries >= 0) & checked[filled]]] |= CHECK
        new_multi |= bool((filled_entries == MULTI).any())
    if new_multi:
        multi_cps = np.array(sorted(expansions), dtype=np.uint32)
        values = [expansions[cp] for cp in multi_cps.tolist()]
        sizes = np.fromiter((v.size for v in values), np.int64, len(values))
        kernel.update(
            multi_cps=multi_cps,
            multi_bounds=starts_of(sizes),
            multi_values=np.concatenate(values) if values else np.zeros(0, np.uint32),
            multi_check=checked[multi_cps],
        )
    multi = (kernel["multi_cps"], kernel["multi_bounds"], kernel["multi_values"],
             kernel["multi_check"])
    return table, multi
