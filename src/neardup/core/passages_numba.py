"""The passage search compiled by numba (extra ``neardup[fast]``): the same runs and tiles
as the whole-array steps of :mod:`neardup.core.passages`, in passes that each take time
linear in the texts (and the match points).

* :func:`diagonal_runs`: the n-gram hashes of each text sorted by an LSD radix sort (the
  positions of one hash stay ascending); one merge of the two sorted arrays gives each
  position of A the occurrences of its n-gram in B; one scan of A's positions makes the
  match points (in chunks of A, between reports of progress); a radix sort by diagonal
  (stable: positions stay ascending) and one scan chain them into runs.
* :func:`tile_runs`: greedy string tiling over the runs sorted longest first (radix
  sorts again), with the pieces of partly taken runs in a heap and the taken characters
  as byte masks (a run costs one look at each of its characters, at most ``ngram`` looks
  per match point in all).

Nothing is compared pair by pair: the time is linear in the texts and the match points
(at most :data:`~neardup.core.passages.NEAREST` per position of A), plus a logarithm for
the pieces in the heap.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
from numba import njit

_RADIX_BITS = 8
_RADIX = 1 << _RADIX_BITS
_DIGITS = 32 // _RADIX_BITS
_BLOCK = 2048
"""Positions of A whose occurrences in B are loaded ahead, together."""


@njit(cache=True, nogil=True)
def _radix_sort(keys: np.ndarray, payload: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``keys`` (uint32) sorted, and ``payload`` in the same order, stable: an LSD radix
    sort, 8 bits a pass, the counts of all four digits taken in one read of the keys, a
    digit that is the same in every key skipped; keys carried along so that each pass reads
    in order. (256 buckets a pass keep the write streams within the processor's cache and
    address translation buffers, which 2,048 did not: 1.7x faster at 17M keys.)"""
    size = keys.size
    counts = np.zeros((_DIGITS, _RADIX + 1), dtype=np.int64)
    for k in keys:
        for digit in range(_DIGITS):
            counts[digit, ((k >> (_RADIX_BITS * digit)) & (_RADIX - 1)) + 1] += 1
    keys_in, payload_in = keys, payload
    keys_out, payload_out = np.empty_like(keys), np.empty_like(payload)
    spare_keys, spare_payload = np.empty_like(keys), np.empty_like(payload)
    moved = False
    for digit in range(_DIGITS):
        if counts[digit, 1:].max() == size:  # one bucket: the pass would change nothing
            continue
        for b in range(_RADIX):
            counts[digit, b + 1] += counts[digit, b]
        shift = _RADIX_BITS * digit
        for i in range(size):
            k = keys_in[i]
            b = (k >> shift) & (_RADIX - 1)
            at = counts[digit, b]
            keys_out[at] = k
            payload_out[at] = payload_in[i]
            counts[digit, b] = at + 1
        if not moved:  # the inputs stay untouched: the next pass writes to the spare arrays
            keys_in, payload_in = keys_out, payload_out
            keys_out, payload_out = spare_keys, spare_payload
            moved = True
        else:
            keys_in, keys_out = keys_out, keys_in
            payload_in, payload_out = payload_out, payload_in
    if not moved:
        return keys.copy(), payload.copy()
    return keys_in, payload_in


@njit(cache=True, nogil=True)
def _occurrences(
    hash_a: np.ndarray, hash_b: np.ndarray, same: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each position p of A: ``lo[p]`` and ``count[p]``, where B's occurrences of A's
    n-gram ``p`` are ``order[lo[p] : lo[p] + count[p]]`` (ascending); and ``order``.
    ``same``: the two are one text (sorted once)."""
    sorted_b, order_b = _radix_sort(hash_b, np.arange(hash_b.size).astype(np.int32))
    sorted_a, order_a = sorted_b, order_b
    if not same:
        sorted_a, order_a = _radix_sort(hash_a, np.arange(hash_a.size).astype(np.int32))
    lo = np.zeros(hash_a.size, dtype=np.int32)
    count = np.zeros(hash_a.size, dtype=np.int32)
    j = 0
    i = 0
    while i < sorted_a.size:
        value = sorted_a[i]
        while j < sorted_b.size and sorted_b[j] < value:
            j += 1
        end = j
        while end < sorted_b.size and sorted_b[end] == value:
            end += 1
        while i < sorted_a.size and sorted_a[i] == value:
            lo[order_a[i]] = j
            count[order_a[i]] = end - j
            i += 1
        j = end
    return lo, count, order_b


def _match_points(
    hash_a: np.ndarray, hash_b: np.ndarray, same: bool, nearest: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The match points of :func:`neardup.core.passages._match_points` as ``(p, q - p +
    |A| - 1)``: positions in A (ascending, and q ascending within one) and diagonals moved
    to be non-negative. They are made :data:`CHUNK` positions of A at a time, and
    ``progress`` is told the positions done after each chunk."""
    size_a, size_b = hash_a.size, hash_b.size
    lo, count, order = _occurrences(hash_a, hash_b, same)
    most, diagonal = _points_bound(lo, count, order, nearest)
    cursor = np.full(size_b, -1, dtype=np.int32)  # by n-gram: where its last search ended
    points_p = np.empty(most, dtype=np.int32)
    points_d = np.empty(most, dtype=np.uint32)
    points = 0
    for first in range(0, size_a, CHUNK):
        last = min(first + CHUNK, size_a)
        points, diagonal = _points_of(
            first, last, lo, count, order, nearest, cursor, points_p, points_d, points,
            diagonal)
        if progress is not None:
            progress(last - first)
    return points_p[:points], points_d[:points]


CHUNK = 1 << 20
"""Positions of A whose match points are made in one call of the kernel, between two
reports of progress."""


@njit(cache=True, nogil=True)
def _points_bound(
    lo: np.ndarray, count: np.ndarray, order: np.ndarray, nearest: int
) -> tuple[int, int]:
    """At most how many match points there are, and the diagonal a repetitive n-gram
    follows before any light point (that of the first light point; 0 when there is
    none)."""
    most = 0
    fallback = 0
    seen = False
    for p in range(count.size):
        most += min(count[p], nearest)
        if not seen and 0 < count[p] <= nearest:
            fallback = order[lo[p]] - p
            seen = True
    return most, fallback


@njit(cache=True, nogil=True)
def _points_of(
    first: int, last: int, lo: np.ndarray, count: np.ndarray, order: np.ndarray,
    nearest: int, cursor: np.ndarray, points_p: np.ndarray, points_d: np.ndarray,
    points: int, diagonal: int,
) -> tuple[int, int]:
    """Append the match points of positions ``first .. last - 1`` of A to ``points_p``
    and ``points_d`` (from row ``points``); returns the rows filled and the diagonal
    followed."""
    size_a, size_b = count.size, cursor.size
    touched = 0
    for block in range(first, last, _BLOCK):
        stop = min(block + _BLOCK, last)
        # first read what the block will look up, in a loop of independent loads (the
        # processor overlaps their cache misses), so that it is at hand below
        for p in range(block, stop):
            if 0 < count[p] <= nearest:
                touched += order[lo[p]]
            elif count[p] > nearest:  # where the search for this n-gram ended last time
                hint = cursor[lo[p]]
                touched += order[hint] if hint >= 0 else hint
        for p in range(block, stop):
            c = count[p]
            if c == 0:
                continue
            if c <= nearest:
                for k in range(lo[p], lo[p] + c):
                    points_p[points] = p
                    points_d[points] = order[k] - p + size_a - 1
                    points += 1
                diagonal = order[lo[p] + c - 1] - p
                continue
            expected = p + diagonal
            target = min(max(expected, 0), size_b - 1)
            low = _at_or_after(order, lo[p], lo[p] + c, target, cursor[lo[p]])
            cursor[lo[p]] = low
            start = min(max(low - nearest // 2, lo[p]), lo[p] + c - nearest)
            for k in range(start, start + nearest):
                if abs(order[k] - expected) <= nearest:
                    points_p[points] = p
                    points_d[points] = order[k] - p + size_a - 1
                    points += 1
    if touched == -1:  # never: keeps the loads of the first loop
        points = 0
    return points, diagonal


@njit(cache=True, nogil=True)
def _at_or_after(order: np.ndarray, lo: int, hi: int, target: int, hint: int) -> int:
    """The first index in ``[lo, hi)`` whose ``order`` value is at least ``target`` (``hi``
    when none; ``order[lo:hi]`` ascends), searched from ``hint`` outwards (galloping: the
    positions of one n-gram are searched for in ascending order, as a rule) when it is in
    the range."""
    if lo <= hint < hi:
        step = 1
        if order[hint] < target:  # the answer is after hint
            low = hint + 1
            high = hint + 1
            while high < hi and order[high] < target:
                low = high + 1
                high = min(hi, high + step)
                step *= 2
            high = min(high, hi)
        else:  # the answer is at or before hint
            high = hint
            low = hint
            while low > lo and order[low - 1] >= target:
                high = low - 1
                low = max(lo, low - step)
                step *= 2
        lo, hi = low, high
    while lo < hi:
        middle = (lo + hi) // 2
        if order[middle] < target:
            lo = middle + 1
        else:
            hi = middle
    return lo


def diagonal_runs(
    hash_a: np.ndarray, hash_b: np.ndarray, same: bool, ngram: int, nearest: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The runs of :func:`neardup.core.passages._diagonal_runs` as ``(start in A, start in
    B, characters)``, ordered by diagonal, then start; ``nearest`` is
    :data:`~neardup.core.passages.NEAREST`; ``progress`` is told the positions of A whose
    match points are made, chunk by chunk."""
    points_p, points_d = _match_points(hash_a, hash_b, same, nearest, progress)
    return _runs_of_points(points_p, points_d, hash_a.size, ngram)


@njit(cache=True, nogil=True)
def diagonal_runs_at_once(
    hash_a: np.ndarray, hash_b: np.ndarray, same: bool, ngram: int, nearest: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`diagonal_runs` in one compiled call, without reports of progress: for kernels
    that find the passages of many pairs (:mod:`neardup.core.formula_numba`)."""
    lo, count, order = _occurrences(hash_a, hash_b, same)
    most, diagonal = _points_bound(lo, count, order, nearest)
    cursor = np.full(hash_b.size, -1, dtype=np.int32)
    points_p = np.empty(most, dtype=np.int32)
    points_d = np.empty(most, dtype=np.uint32)
    points, diagonal = _points_of(0, hash_a.size, lo, count, order, nearest, cursor,
                                  points_p, points_d, 0, diagonal)
    return _runs_of_points(points_p[:points], points_d[:points], hash_a.size, ngram)


@njit(cache=True, nogil=True)
def _runs_of_points(
    points_p: np.ndarray, points_d: np.ndarray, size_a: int, ngram: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The match points sorted by diagonal (stable: positions stay ascending), chained into
    runs in one scan."""
    diagonals, positions = _radix_sort(points_d, points_p)
    runs = 0
    for k in range(positions.size):  # a run starts where the diagonal changes or p jumps
        if k == 0 or diagonals[k] != diagonals[k - 1] or positions[k] - positions[k - 1] > ngram:
            runs += 1
    run_a = np.empty(runs, dtype=np.int64)
    run_b = np.empty(runs, dtype=np.int64)
    run_len = np.empty(runs, dtype=np.int64)
    r = -1
    shift = size_a - 1
    for k in range(positions.size):
        p = np.int64(positions[k])
        if k == 0 or diagonals[k] != diagonals[k - 1] or p - positions[k - 1] > ngram:
            r += 1
            run_a[r] = p
            run_b[r] = p + np.int64(diagonals[k]) - shift
        run_len[r] = p + ngram - run_a[r]
    return run_a, run_b, run_len


@njit(cache=True, nogil=True)
def _longest_first(
    run_a: np.ndarray, run_b: np.ndarray, run_len: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``chosen`` runs (given in the order :func:`diagonal_runs` gives them), longest
    first, then by start in A and in B: two stable sorts, by start in A (runs of one start
    in A are already in the order of their diagonal, that is of their start in B), then by
    length."""
    kept = 0
    longest = 0
    for r in range(run_len.size):
        if chosen[r]:
            kept += 1
            longest = max(longest, run_len[r])
    order = np.empty(kept, dtype=np.int64)
    starts = np.empty(kept, dtype=np.uint32)
    kept = 0
    for r in range(run_len.size):
        if chosen[r]:
            order[kept] = r
            starts[kept] = run_a[r]
            kept += 1
    _, order = _radix_sort(starts, order)
    shorter = np.empty(kept, dtype=np.uint32)
    for k in range(kept):
        shorter[k] = longest - run_len[order[k]]
    _, order = _radix_sort(shorter, order)
    return run_a[order], run_b[order], run_len[order]


LONG_RUN = 32
"""Runs at least this long are tiled first; of the shorter ones, those already taken
entirely in either text are dropped before they are sorted (most of them, as a rule)."""


@njit(cache=True, nogil=True)
def tile_runs(
    cps_a: np.ndarray,
    cps_b: np.ndarray,
    run_a: np.ndarray,
    run_b: np.ndarray,
    run_len: np.ndarray,
    min_length: int,
) -> np.ndarray:
    """Greedy string tiling (as :func:`neardup.core.passages.tile_runs`) of the runs (in
    the order :func:`diagonal_runs` gives them): rows ``(start in A, start in B, length)``
    of the passages, longest first.

    The runs are taken longest first, then by start in A and in B; the free pieces of a
    run that is partly taken go to a heap and are taken in their turn. Runs of at least
    :data:`LONG_RUN` characters are sorted and tiled first; then the shorter runs not yet
    taken entirely in A or in B."""
    taken_a = np.zeros(cps_a.size, dtype=np.bool_)
    taken_b = np.zeros(cps_b.size, dtype=np.bool_)
    heap = [(0, 0, 0)]  # pieces of partly taken runs: (-length, start in A, start in B)
    heap.pop()
    tiles = np.empty((16, 3), dtype=np.int64)
    count = 0
    long_run = max(LONG_RUN, min_length)
    for phase in range(2):
        chosen = np.zeros(run_len.size, dtype=np.bool_)
        for r in range(run_len.size):
            length = run_len[r]
            if phase == 0:
                chosen[r] = length >= long_run
            elif min_length <= length < long_run:
                chosen[r] = not (_all_taken(taken_a, run_a[r], length)
                                 or _all_taken(taken_b, run_b[r], length))
        sorted_a, sorted_b, sorted_len = _longest_first(run_a, run_b, run_len, chosen)
        i = 0
        while i < sorted_len.size or (phase == 1 and heap):
            if i < sorted_len.size:
                run = (-sorted_len[i], sorted_a[i], sorted_b[i])
                if heap and heap[0] < run:
                    run = heapq.heappop(heap)
                else:
                    i += 1
            else:
                run = heapq.heappop(heap)
            if _take(cps_a, cps_b, taken_a, taken_b, run, heap, min_length):
                if count == tiles.shape[0]:
                    grown = np.empty((2 * count, 3), dtype=np.int64)
                    grown[:count] = tiles
                    tiles = grown
                tiles[count, 0], tiles[count, 1], tiles[count, 2] = run[1], run[2], -run[0]
                count += 1
    return tiles[:count]


@njit(cache=True, nogil=True)
def _all_taken(taken: np.ndarray, start: int, length: int) -> bool:
    return bool(taken[start : start + length].all())


@njit(cache=True, nogil=True)
def _take(
    cps_a: np.ndarray,
    cps_b: np.ndarray,
    taken_a: np.ndarray,
    taken_b: np.ndarray,
    run: tuple[int, int, int],
    heap: list[tuple[int, int, int]],
    min_length: int,
) -> bool:
    """Take the run ``(-length, start in A, start in B)`` when it is free and its characters
    are equal (True); otherwise push its free, equal pieces of at least ``min_length``."""
    length, start_a, start_b = -run[0], run[1], run[2]
    shift = start_b - start_a
    end = start_a + length
    whole = True  # no character of the run taken yet
    begin = -1
    for k in range(start_a, end + 1):
        if k < end and not taken_a[k] and not taken_b[k + shift]:
            begin = k if begin < 0 else begin
            continue
        whole = whole and k == end
        if begin >= 0 and not whole and k - begin >= min_length:
            heapq.heappush(heap, (begin - k, begin, begin + shift))
        begin = -1
    if not whole:
        return False
    same = True
    for k in range(length):
        if cps_a[start_a + k] != cps_b[start_b + k]:
            same = False
            break
    if same:
        taken_a[start_a:end] = True
        taken_b[start_b : start_b + length] = True
        return True
    begin = -1  # a hash collision: keep only the characters that really match
    for k in range(start_a, end + 1):
        if k < end and cps_a[k] == cps_b[k + shift]:
            begin = k if begin < 0 else begin
            continue
        if begin >= 0 and k - begin >= min_length:
            heapq.heappush(heap, (begin - k, begin, begin + shift))
        begin = -1
    return False
