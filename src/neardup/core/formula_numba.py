"""What pairs of texts share of specific and formula text, compiled by numba (extra
``neardup[fast]``): the twin of :func:`neardup.core.formula.specificity` for many pairs in
one call (:func:`neardup.core.formula.specificities`), and of the passes over a batch's
texts that :func:`~neardup.core.formula.sampled_shingles` and
:func:`~neardup.core.formula.profiles` make.

For each pair, read from the batch's packed texts (:class:`neardup.core.formula.Profiles`):
the n-gram hashes of both texts (MinHash's loop,
:func:`~neardup.core.minhash_numba.shingle_hashes`), the passages (the passage search's
compiled kernels, :func:`~neardup.core.passages_numba.diagonal_runs_at_once` and
:func:`~neardup.core.passages_numba.tile_runs`), then in one scan of them the specific and
formula characters and the longest specific passage, the heaviest chain (a Fenwick tree
over the ranks of the passages' starts in B) and its slots. Only integers come out; the
shares are divided in Python, by the same expressions as the numpy path, so the floats are
the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, uint32

from .minhash_numba import shingle_hashes, sorted_distinct
from .passages_numba import diagonal_runs_at_once, tile_runs


@njit(cache=True, nogil=True)
def measure_pairs(
    flat: np.ndarray, starts: np.ndarray, pairs: np.ndarray, formula: np.ndarray,
    sample: int, numerals: np.ndarray, ngram: int, min_passage: int, rare_weight: int,
    slot_gap: int, nearest: int, out: np.ndarray,
) -> None:
    """``out[k]`` = (specific characters, formula characters, longest specific passage,
    characters of the heaviest chain, its slots, its figure slots, passages) of the pair
    ``pairs[k]`` of texts ``flat[starts[i]:starts[i + 1]]`` (all zero: no passage). Each
    text's ``ngram`` hashes are made as its pair is measured; a sampled one (``hash %
    sample == 0``) is formula when in ``formula`` (a hash table of it, :func:`_table`); a
    code point ``c`` is a numeral when ``numerals[c]`` (below its size). ``ngram`` is at
    most ``min_passage``, so a text with a passage has its n-gram hashes."""
    keys, used, bits = _table(formula)
    longest = 0
    for k in range(pairs.shape[0]):
        for i in (pairs[k, 0], pairs[k, 1]):
            longest = max(longest, starts[i + 1] - starts[i])
    scratch = np.empty(longest + ngram, dtype=np.uint32)
    hash_a = np.empty(longest + 1, dtype=np.uint32)
    hash_b = np.empty(longest + 1, dtype=np.uint32)
    for k in range(pairs.shape[0]):
        i, j = pairs[k, 0], pairs[k, 1]
        start_a, start_b = starts[i], starts[j]
        size_a, size_b = starts[i + 1] - start_a, starts[j + 1] - start_b
        out[k, :] = 0
        if min(size_a, size_b) < min_passage:  # no passage of min_passage characters
            continue
        shingles_a, shingles_b = size_a - ngram + 1, size_b - ngram + 1
        shingle_hashes(flat, start_a, shingles_a, ngram, scratch, hash_a)
        shingle_hashes(flat, start_b, shingles_b, ngram, scratch, hash_b)
        run_a, run_b, run_len = diagonal_runs_at_once(
            hash_a[:shingles_a], hash_b[:shingles_b], False, ngram, nearest)
        tiles = tile_runs(flat[start_a : start_a + size_a], flat[start_b : start_b + size_b],
                          run_a, run_b, run_len, min_passage)
        if tiles.shape[0] == 0:
            continue
        specific_chars = 0
        all_chars = 0
        longest_specific = 0
        for t in range(tiles.shape[0]):
            first, length = tiles[t, 0], tiles[t, 2]
            last = min(max(first + length - ngram + 1, first), shingles_a)  # shingles inside
            formula_held = 0
            rare_held = 0
            for w in range(first, last):
                value = hash_a[w]
                if value % sample == 0:
                    if _held(keys, used, bits, value):
                        formula_held += 1
                    else:
                        rare_held += 1
            all_chars += length
            if rare_held * rare_weight >= formula_held and rare_held > 0:
                specific_chars += length
                longest_specific = max(longest_specific, length)
        chain = heaviest_chain(tiles)
        slots, facts = _slots(flat, tiles, chain, numerals, start_a, start_b, slot_gap)
        chain_length = 0
        for c in chain:
            chain_length += tiles[c, 2]
        out[k, 0] = specific_chars
        out[k, 1] = all_chars - specific_chars
        out[k, 2] = longest_specific
        out[k, 3] = chain_length
        out[k, 4] = slots
        out[k, 5] = facts
        out[k, 6] = tiles.shape[0]


@njit(cache=True, nogil=True)
def heaviest_chain(tiles: np.ndarray) -> np.ndarray:
    """The rows of :func:`neardup.core.formula.heaviest_chain`: the passages in the same
    order in both texts with the most characters, in order (passages never overlap, so
    their starts in A, and in B, are distinct); ties go as they go there (the first
    heaviest end, strictly heavier in the tree)."""
    size = tiles.shape[0]
    order = np.argsort(tiles[:, 0])  # distinct starts: any sort is the stable one
    starts_b = np.empty(size, dtype=np.int64)
    for r in range(size):
        starts_b[r] = tiles[order[r], 1]
    by_b = np.argsort(starts_b)
    ranks = np.empty(size, dtype=np.int64)
    for r in range(size):
        ranks[by_b[r]] = r + 1
    tree_best = np.zeros(size + 1, dtype=np.int64)
    tree_at = np.full(size + 1, -1, dtype=np.int64)
    before = np.full(size, -1, dtype=np.int64)
    best = np.zeros(size, dtype=np.int64)
    for k in range(size):
        top, at, r = 0, -1, ranks[k] - 1
        while r > 0:
            if tree_best[r] > top:
                top, at = tree_best[r], tree_at[r]
            r -= r & -r
        best[k], before[k] = top + tiles[order[k], 2], at
        r = ranks[k]
        while r <= size:
            if best[k] > tree_best[r]:
                tree_best[r], tree_at[r] = best[k], k
            r += r & -r
    heaviest = int(np.argmax(best))
    length = 0
    at = heaviest
    while at >= 0:
        length += 1
        at = before[at]
    chain = np.empty(length, dtype=np.int64)
    at = heaviest
    while at >= 0:
        length -= 1
        chain[length] = order[at]
        at = before[at]
    return chain


@njit(cache=True, nogil=True)
def _slots(flat: np.ndarray, tiles: np.ndarray, chain: np.ndarray, numerals: np.ndarray,
           start_a: int, start_b: int, slot_gap: int) -> tuple[int, int]:
    """The slots and figure slots between consecutive passages of the chain, as
    :func:`neardup.core.formula._slots` counts them (a figure slot: a numeral in the gap of
    either text)."""
    slots = 0
    facts = 0
    for c in range(chain.size - 1):
        one, two = chain[c], chain[c + 1]
        end_a = tiles[one, 0] + tiles[one, 2]
        end_b = tiles[one, 1] + tiles[one, 2]
        gap_a = tiles[two, 0] - end_a
        gap_b = tiles[two, 1] - end_b
        if 0 < gap_a <= slot_gap and 0 < gap_b <= slot_gap:
            slots += 1
            if (_numeral_in(flat, start_a + end_a, gap_a, numerals)
                    or _numeral_in(flat, start_b + end_b, gap_b, numerals)):
                facts += 1
    return slots, facts


@njit(cache=True, nogil=True, inline="always")
def _numeral_in(flat: np.ndarray, start: int, length: int, numerals: np.ndarray) -> bool:
    for at in range(start, start + length):
        if flat[at] < numerals.size and numerals[flat[at]]:
            return True
    return False


@njit(cache=True, nogil=True)
def distinct_sampled(
    flat: np.ndarray, starts: np.ndarray, ngram: int, sample: int, counts: np.ndarray,
) -> Any:
    """Each text's distinct sampled n-gram hashes (``hash % sample == 0``), sorted, one
    text after another (returned), and their number (to ``counts``). A text shorter than
    ``ngram`` has none. The output starts with room for a third of the windows (a quarter
    is sampled) and doubles when full."""
    longest = 0
    for d in range(starts.size - 1):
        longest = max(longest, starts[d + 1] - starts[d])
    room = max(longest - ngram + 1, 1)
    keys = np.empty(room + ngram - 1, dtype=np.uint32)
    hashes = np.empty(room, dtype=np.uint32)
    kept = np.empty(room, dtype=np.uint32)
    scratch = np.empty(room, dtype=np.uint32)
    buckets = np.zeros((4, 256), dtype=np.int64)
    values = np.empty(max(flat.size // 3, 1024), dtype=np.uint32)
    written = 0
    for d in range(starts.size - 1):
        windows = starts[d + 1] - starts[d] - ngram + 1
        counts[d] = 0
        if windows <= 0:
            continue
        shingle_hashes(flat, starts[d], windows, ngram, keys, hashes)
        count = 0
        for k in range(windows):
            if hashes[k] % sample == 0:
                kept[count] = hashes[k]
                count += 1
        if written + count > values.size:
            grown = np.empty(max(2 * values.size, written + count), dtype=np.uint32)
            grown[:written] = values[:written]
            values = grown
        found = sorted_distinct(kept, count, scratch, buckets, values, written)
        counts[d] = found
        written += found
    return values[:written].copy()


@njit(cache=True, nogil=True)
def rare_only(values: np.ndarray, counts: np.ndarray, formula: np.ndarray,
              rare_counts: np.ndarray) -> Any:
    """The ``values`` (``counts`` a text, one text after another) that are not in
    ``formula``, in order (returned), and how many each text keeps (to ``rare_counts``)."""
    keys, used, bits = _table(formula)
    out = np.empty(values.size, dtype=np.uint32)
    written = 0
    at = 0
    for d in range(counts.size):
        kept = 0
        for k in range(at, at + counts[d]):
            if not _held(keys, used, bits, values[k]):
                out[written] = values[k]
                written += 1
                kept += 1
        at += counts[d]
        rare_counts[d] = kept
    return out[:written].copy()


@njit(cache=True, nogil=True)
def _table(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """A hash table of ``values`` (uint32): slots at least twice their number, open
    addressing (Fibonacci hashing: the sampled hashes all end in the same bits, so a slot
    comes from the top bits of a multiplication). One probe into a few hundred kilobytes
    where a binary search of the sorted values made fifteen."""
    bits = 4
    while (1 << bits) < 2 * values.size:
        bits += 1
    keys = np.zeros(1 << bits, dtype=np.uint32)
    used = np.zeros(1 << bits, dtype=np.bool_)
    mask = np.int64((1 << bits) - 1)
    for value in values:
        at = _slot(value, bits)
        while used[at] and keys[at] != value:
            at = (at + 1) & mask
        keys[at], used[at] = value, True
    return keys, used, bits


@njit(cache=True, nogil=True, inline="always")
def _held(keys: np.ndarray, used: np.ndarray, bits: int, value: Any) -> bool:
    """Whether ``value`` is in the table (:func:`_table`)."""
    mask = np.int64((1 << bits) - 1)
    at = _slot(value, bits)
    while used[at] and keys[at] != value:
        at = (at + 1) & mask
    return bool(used[at])


@njit(cache=True, nogil=True, inline="always")
def _slot(value: Any, bits: int) -> Any:
    """The first slot of ``value`` in a table of ``2**bits`` slots: its top ``bits`` bits
    once multiplied by the golden ratio (uint32)."""
    return np.int64(uint32(uint32(value) * uint32(0x9E3779B1)) >> uint32(32 - bits))
