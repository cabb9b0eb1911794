"""The passages two texts share, as spans of the original texts: the pure algorithm (two
texts in, spans out); :mod:`neardup.evidence.passages` turns them into a report's passages.

For documents A and B, normalized as for hashing (:func:`neardup.core.normalize.normalize`),
and the hashes of their character n-grams ``hA[p]`` (``p = 0 .. |A|-n``) and ``hB[q]``
(:func:`neardup.core.shingles.ngram_hashes`):

1. *Match points*: every ``(p, q)`` with ``hA[p] == hB[q]``, found by sorting ``hB`` and a
   binary search per ``p`` (``O((|A| + |B|) log |B|)`` plus the number of points, never an
   ``O(|A|·|B|)`` comparison). An n-gram repeated more than :data:`NEAREST` times in B
   (repetitive text) is paired, at ``p``, only with its occurrences within ``NEAREST`` of
   ``p + d``, ``d`` the diagonal of the nearest other match before ``p`` (0 when there is
   none), so there are at most ``NEAREST·|A|`` points.
2. *Runs*: a point covers ``A[p : p+n] == B[q : q+n]``; points of one diagonal
   ``d = q - p`` whose n-grams overlap or touch (``p`` at most ``n`` apart) merge into a run,
   the common substring ``A[p0 : p1+n] == B[p0+d : p1+d+n]``. Because both spans are read on
   the same diagonal, a passage's span in A and its span in B always hold the same
   normalized text; characters are compared before a run is used, so a hash collision never
   makes a passage.
3. *Tiling* (greedy string tiling): the longest run whose characters are still free in both
   texts becomes a passage and takes them; a run that is partly taken is cut into its free
   pieces, which are queued again; this ends when no free piece of at least ``min_length``
   characters is left (ties: the earlier start in A, then in B). Every normalized
   character is in at most one passage of each text, and passages come out longest first.
   A span repeated in one text is matched once. The runs are sorted once and the taken
   characters kept as masks, so a run costs a look at each of its characters: the tiling
   takes time linear in the match points.
4. *Offsets*: a passage's normalized span ``[s, e)`` becomes the original span
   ``[offsets[s], end(e-1))`` where ``end(i) = offsets[i] + 1``, extended over an HTML entity
   or combining marks that produced normalized character ``i``. Slicing the original text with
   it gives text whose normalization is exactly the passage's normalized text.

*Coverage* of a document is the share of its normalized characters inside the passages.

With numba (``neardup[fast]``; :func:`neardup.core.kernels.kernel_name`), steps 1 to 3 run
compiled (:mod:`neardup.core.passages_numba`: radix sorts and scans, linear in the texts
and the match points) with the same results; two identical texts are normalized once.

With script or synonym folding (``NormalizeOptions.script``, ``.synonyms``) the passages are
found in the folded texts: a passage is text the two documents share once folded, and
spans in the original texts that may differ in script or in words of one synonym class. A
replacement word's characters share the offset of the word they replaced, so a passage
never splits a replaced word, and its span covers the whole original word.

Example:
    >>> found = shared_spans("今天天气很好，我们去公园散步吧。", "昨天：今天天气很好我们去公园散步")
    >>> found.spans
    ((0, 14, 3, 16),)
    >>> round(found.a_coverage, 3), round(found.b_coverage, 3)
    (0.929, 0.867)
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .._types import I64
from ..errors import ParameterError
from .arrays import ranges
from .normalize import (
    ENTITY_PATTERN,
    NormalizeOptions,
    codepoints,
    normalize,
    normalize_codepoints,
)
from .shingles import ngram_hashes

NEAREST = 16
"""An n-gram repeated more often than this in document b is matched, at a position ``p`` of
document a, only with its occurrences near the diagonal of the nearest other match before
``p`` (repetitive text would otherwise make ``|A|·|B|`` match points)."""

_ENTITY = re.compile(ENTITY_PATTERN)


@dataclass(frozen=True)
class SharedSpans:
    """The passages two texts share as spans ``(a_start, a_end, b_start, b_end)`` of the
    original texts, longest first, and the share of each text (of its normalized
    characters) they cover."""

    spans: tuple[tuple[int, int, int, int], ...]
    a_coverage: float
    b_coverage: float


def shared_spans(
    text_a: str,
    text_b: str,
    *,
    ngram: int = 5,
    options: NormalizeOptions | None = None,
    min_length: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SharedSpans:
    """The passages that ``text_a`` and ``text_b`` share (see the module docstring).

    Args:
        text_a: the original text of document a.
        text_b: the original text of document b.
        ngram: character n-gram size used to find matches.
        options: normalization (HTML, markers), as used for hashing.
        min_length: shortest passage reported, in normalized characters (default ``ngram``).
        progress: called with a number of characters as the work advances: the two
            texts' lengths in all, in three steps (normalized and hashed, runs found,
            passages tiled), so that a long pair shows progress.

    Returns:
        The passages as spans of the original texts, longest first.

    Raises:
        ParameterError: ``ngram`` or ``min_length`` below 1.
    """
    if ngram < 1:
        raise ParameterError(f"ngram must be >= 1 (got {ngram})")
    if min_length is None:
        min_length = ngram
    if min_length < 1:
        raise ParameterError(f"min_length must be >= 1 (got {min_length})")
    options = options or NormalizeOptions()
    step = _steps(len(text_a) + len(text_b), progress)
    same = text_a == text_b  # (exact copies are common) normalized and hashed once
    cps_a, offsets_a, ends_a = _normalized(text_a, options)
    step(0.5)
    cps_b, offsets_b, ends_b = (cps_a, offsets_a, ends_a) if same else _normalized(text_b, options)
    step(0.8)
    if not cps_a.size or not cps_b.size:
        step(3)
        return SharedSpans((), 0.0, 0.0)
    n = min(ngram, cps_a.size, cps_b.size)
    hash_a = ngram_hashes(cps_a, n)
    hash_b = hash_a if same else ngram_hashes(cps_b, n)
    step(1)
    done = 0

    def chained(positions: int) -> None:
        nonlocal done
        done += positions
        step(1 + done / hash_a.size)

    runs = _diagonal_runs(hash_a, hash_b, n, same, chained)
    step(2)
    tiles = _tiles(cps_a, cps_b, *runs, max(min_length, 1))
    start_a, start_b, length = _snapped(offsets_a, offsets_b, tiles, min_length)
    a_start, a_end = _original_spans(text_a, offsets_a, ends_a, start_a, length, options.html)
    b_start, b_end = _original_spans(text_b, offsets_b, ends_b, start_b, length, options.html)
    spans = tuple(zip(a_start, a_end, b_start, b_end, strict=True))
    covered_a = covered_b = int(length.sum())
    step(3)
    return SharedSpans(spans, covered_a / cps_a.size, covered_b / cps_b.size)


def normalized_passages(
    cps_a: npt.NDArray[np.uint32],
    cps_b: npt.NDArray[np.uint32],
    ngram: int,
    min_length: int,
    hashes: tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]] | None = None,
) -> I64:
    """The passages two normalized texts share (steps 1 to 3 of the module docstring): rows
    (start in A, start in B, length) in normalized characters, longest first. ``hashes``:
    the texts' ``ngram`` hashes when made already (both texts at least ``ngram`` long)."""
    if not cps_a.size or not cps_b.size:
        return np.zeros((0, 3), dtype=np.int64)
    n = min(ngram, cps_a.size, cps_b.size)
    same = cps_a is cps_b
    if hashes is not None and n == ngram:
        hash_a, hash_b = hashes
    else:
        hash_a = ngram_hashes(cps_a, n)
        hash_b = hash_a if same else ngram_hashes(cps_b, n)
    runs = _diagonal_runs(hash_a, hash_b, n, same)
    return _tiles(cps_a, cps_b, *runs, max(min_length, 1)).reshape(-1, 3)


def _normalized(
    text: str, options: NormalizeOptions
) -> tuple[npt.NDArray[np.uint32], I64, I64 | None]:
    """The normalized code points of ``text``, their offsets, and the ends of synonym-folded
    words (:class:`~neardup.core.normalize.Normalized`); the normalized text itself is not
    decoded when there is no synonym folding (a round trip through ``str`` of each huge
    text)."""
    if options.synonyms:
        norm = normalize(text, options)
        return codepoints(norm.text), norm.offsets, norm.ends
    cps, offsets = normalize_codepoints(text, options)
    return cps, offsets, None


def _steps(total: int, progress: Callable[[int], None] | None) -> Callable[[float], None]:
    """``step(k)``: report to ``progress`` the characters up to step ``k`` of three (a
    fraction within a step as that step advances)."""
    done = 0

    def step(k: float) -> None:
        nonlocal done
        if progress is not None:
            reached = int(total * k) // 3
            if reached > done:
                progress(reached - done)
            done = max(done, reached)

    return step


def _match_points(
    hash_a: npt.NDArray[np.uint32], hash_b: npt.NDArray[np.uint32]
) -> tuple[I64, I64]:
    """The match points ``(p, q)``, ``hash_a[p] == hash_b[q]`` (see the module docstring).

    An n-gram that occurs more than :data:`NEAREST` times in B is paired only with its
    occurrences within :data:`NEAREST` of ``p + d``, where ``d`` is the diagonal of the
    nearest other match before ``p`` (0 when there is none): at most ``NEAREST·|A|`` points.
    """
    order = np.argsort(hash_b, kind="stable").astype(np.int64)  # ascending q within a hash
    sorted_b = hash_b[order]
    lo = np.searchsorted(sorted_b, hash_a, "left").astype(np.int64)
    counts = np.searchsorted(sorted_b, hash_a, "right").astype(np.int64) - lo
    heavy = counts > NEAREST
    positions = np.arange(hash_a.size, dtype=np.int64)
    p, q = _points_along(positions, lo, np.where(heavy, 0, counts), order)
    if not heavy.any():
        return p, q
    where = positions[heavy]
    if p.size:
        before = np.maximum(np.searchsorted(p, where, "right") - 1, 0)
        diagonal = q[before] - p[before]
    else:
        diagonal = np.zeros(where.size, dtype=np.int64)
    expected = where + diagonal
    target = np.clip(expected, 0, hash_b.size - 1)
    keys = (sorted_b.astype(np.uint64) << np.uint64(32)) | order.astype(np.uint64)
    probe = (hash_a[where].astype(np.uint64) << np.uint64(32)) | target.astype(np.uint64)
    nearest = np.searchsorted(keys, probe).astype(np.int64) - NEAREST // 2
    first = np.clip(nearest, lo[where], lo[where] + counts[where] - NEAREST)
    p_heavy, q_heavy = _points_along(where, first, np.full(where.size, NEAREST, np.int64), order)
    near = np.abs(q_heavy - np.repeat(expected, NEAREST)) <= NEAREST
    return np.concatenate((p, p_heavy[near])), np.concatenate((q, q_heavy[near]))


def _points_along(positions: I64, first: I64, counts: I64, order: I64) -> tuple[I64, I64]:
    """Points ``(positions[i], order[first[i] + j])`` for ``j < counts[i]``."""
    return np.repeat(positions, counts), order[ranges(first, counts)]


def _diagonal_runs(
    hash_a: npt.NDArray[np.uint32], hash_b: npt.NDArray[np.uint32], ngram: int,
    same: bool = False, progress: Callable[[int], None] | None = None,
) -> tuple[I64, I64, I64]:
    """Runs of match points on one diagonal whose n-grams overlap or touch (consecutive points
    at most ``ngram`` apart), as arrays (start in A, start in B, characters), ordered by
    diagonal, then start. ``progress`` is told the positions of A done as the kernel goes
    (whole-array path: all at the end)."""
    if _compiled(hash_a.size, hash_b.size):
        from .passages_numba import diagonal_runs

        run_a, run_b, run_len = diagonal_runs(hash_a, hash_b, same, ngram, NEAREST, progress)
        return run_a, run_b, run_len
    p, q = _match_points(hash_a, hash_b)
    if not p.size:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    diag = q - p
    order = np.lexsort((p, diag))
    p, diag = p[order], diag[order]
    breaks = np.flatnonzero((np.diff(diag) != 0) | (np.diff(p) > ngram)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [p.size]))
    run_a = p[starts]
    run_b = run_a + diag[starts]
    run_len = p[ends - 1] + ngram - run_a
    if progress is not None:
        progress(hash_a.size)
    return run_a, run_b, run_len


_COMPILED_LIMIT = 1 << 30
"""Texts longer than this (in n-grams) take the whole-array path (the kernel's positions
are 32-bit)."""


NUMPY_SECONDS_PER_NGRAM = 1e-6
"""About what the numpy path spends per n-gram of the two texts (1.6–6 µs per character of
one text of 1M–17M characters, `benchmarks/passages_scale.py`): a pair of huge texts loads
the numba kernel at once rather than after :data:`neardup.core.kernels.NUMBA_LOAD_SECONDS`
of signatures, which a scan of two documents never spends."""


def _compiled(size_a: int, size_b: int) -> bool:
    """Whether the numba kernel does the work (see :func:`neardup.core.kernels.kernel_name`)."""
    from .kernels import kernel_name

    ahead = (size_a + size_b) * NUMPY_SECONDS_PER_NGRAM
    return kernel_name(ahead) == "numba" and size_a + size_b < _COMPILED_LIMIT


def tile_runs(
    cps_a: npt.NDArray[np.uint32],
    cps_b: npt.NDArray[np.uint32],
    runs: list[tuple[int, int, int]],
    min_length: int,
) -> list[tuple[int, int, int]]:
    """Greedy string tiling of runs given as ``(-length, start_a, start_b)`` (step 3 of the
    module docstring): passages as (start in A, start in B, length), longest first; see
    :func:`_tiles`."""
    columns = np.array(runs, dtype=np.int64).reshape(-1, 3)
    columns = columns[np.lexsort((columns[:, 1], columns[:, 2] - columns[:, 1]))]
    run_len, run_a, run_b = -columns[:, 0], columns[:, 1], columns[:, 2]
    tiles = _tiles(cps_a, cps_b, run_a, run_b, run_len, min_length)
    return [(a, b, length) for a, b, length in tiles.tolist()]


def _tiles(
    cps_a: npt.NDArray[np.uint32],
    cps_b: npt.NDArray[np.uint32],
    run_a: I64,
    run_b: I64,
    run_len: I64,
    min_length: int,
) -> I64:
    """Greedy string tiling of the runs (ordered by diagonal, then start): rows (start in
    A, start in B, length) of the passages, longest first. Characters are compared, so a
    run that a hash collision made is cut to its truly equal pieces.

    The runs are taken longest first (then by start in A and in B); a run that is partly
    taken has its free pieces put in a heap, from which they are taken in their turn. The
    taken characters of each text are a byte mask, so a run costs a look at each of its
    characters (at most ``ngram`` times the match points in all).
    """
    if _compiled(cps_a.size, cps_b.size):
        from .passages_numba import tile_runs as tile_compiled

        tiles: I64 = tile_compiled(cps_a, cps_b, run_a, run_b, run_len, min_length)
        return tiles
    return _tiles_numpy(cps_a, cps_b, run_a, run_b, run_len, min_length)


_FIRST_CHUNK = 64


def _tiles_numpy(
    cps_a: npt.NDArray[np.uint32],
    cps_b: npt.NDArray[np.uint32],
    run_a: I64,
    run_b: I64,
    run_len: I64,
    min_length: int,
) -> I64:
    """:func:`_tiles` without the kernel: the runs sorted in chunks that double in size,
    each chunk first rid (in one numpy pass) of the runs already taken entirely in A or in
    B, which most short runs are by then."""
    keep = run_len >= min_length
    run_a, run_b, run_len = run_a[keep], run_b[keep], run_len[keep]
    order = np.lexsort((run_b, run_a, -run_len))
    taken_a = np.zeros(cps_a.size, dtype=bool)
    taken_b = np.zeros(cps_b.size, dtype=bool)
    heap: list[tuple[int, int, int]] = []
    tiles: list[tuple[int, int, int]] = []

    def take(run: tuple[int, int, int]) -> None:
        length, start_a, start_b = -run[0], run[1], run[2]
        end_a, end_b, shift = start_a + length, start_b + length, start_b - start_a
        blocked_a, blocked_b = taken_a[start_a:end_a], taken_b[start_b:end_b]
        if blocked_a.all() or blocked_b.all():
            return
        free = ~(blocked_a | blocked_b)
        if free.all():
            same = cps_a[start_a:end_a] == cps_b[start_b:end_b]
            if same.all():
                taken_a[start_a:end_a] = True
                taken_b[start_b:end_b] = True
                tiles.append((start_a, start_b, length))
                return
            free = same  # a hash collision: keep only the characters that really match
        for begin, end in _true_segments(free):
            if end - begin >= min_length:
                heapq.heappush(heap, (begin - end, start_a + begin, start_a + begin + shift))

    done, chunk = 0, _FIRST_CHUNK
    while done < order.size:
        rows = order[done : done + chunk]
        done, chunk = done + chunk, 2 * chunk
        rows = rows[~(_all_taken(taken_a, run_a[rows], run_len[rows])
                      | _all_taken(taken_b, run_b[rows], run_len[rows]))]
        for run in zip((-run_len[rows]).tolist(), run_a[rows].tolist(), run_b[rows].tolist(),
                       strict=True):
            while heap and heap[0] < run:
                take(heapq.heappop(heap))
            take(run)
    while heap:
        take(heapq.heappop(heap))
    return np.array(tiles, dtype=np.int64).reshape(-1, 3)


def _all_taken(taken: npt.NDArray[np.bool_], starts: I64, lengths: I64) -> npt.NDArray[np.bool_]:
    """Whether each span ``[start, start + length)`` is taken entirely."""
    sums = np.zeros(taken.size + 1, dtype=np.int64)
    np.cumsum(taken, out=sums[1:])
    covered: npt.NDArray[np.bool_] = sums[starts + lengths] - sums[starts] == lengths
    return covered


def _true_segments(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[begin, end)`` of every maximal run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    begins = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(begins.tolist(), ends.tolist(), strict=True))


def _snapped(
    offsets_a: I64, offsets_b: I64, tiles: I64, min_length: int
) -> tuple[I64, I64, I64]:
    """Shrink each tile so that it splits no group of normalized characters that come from
    one original character (e.g. ``㎏`` → ``kg``) in either text, and keep those still at
    least ``min_length`` long: (start in A, start in B, length), in the tiles' order."""
    start_a, start_b, length = (tiles[:, k].copy() for k in range(3))
    rows = np.arange(length.size)
    while rows.size:
        a, b, n = start_a[rows], start_b[rows], length[rows]
        front = _inside_group(offsets_a, a) | _inside_group(offsets_b, b)
        back = _inside_group(offsets_a, a + n) | _inside_group(offsets_b, b + n)
        cut = (front | back) & (n > 0)
        rows, front, back = rows[cut], front[cut], back[cut]
        start_a[rows] += front
        start_b[rows] += front
        length[rows] -= front.astype(np.int64) + back
    keep = length >= max(min_length, 1)
    return start_a[keep], start_b[keep], length[keep]


def _inside_group(offsets: I64, boundaries: I64) -> npt.NDArray[np.bool_]:
    """Whether each boundary falls between two normalized characters of one original
    character."""
    inside = (boundaries > 0) & (boundaries < offsets.size)
    if offsets.size < 2:
        return inside
    at = np.where(inside, boundaries, 1)
    found: npt.NDArray[np.bool_] = inside & (offsets[at] == offsets[at - 1])
    return found


def _original_spans(
    text: str, offsets: I64, word_ends: I64 | None, starts: I64, lengths: I64, html: bool
) -> tuple[list[int], list[int]]:
    """The original spans ``[begin, end)`` of normalized characters ``[start, start +
    length)``."""
    if not starts.size:
        return [], []
    last = starts + lengths - 1
    begin = offsets[starts]
    origin = offsets[last]
    following = np.minimum(last + 1, offsets.size - 1)
    limit = np.where(last + 1 < offsets.size, offsets[following], len(text))
    if word_ends is not None:  # a synonym-folded word stands for the whole original word
        origin = np.maximum(origin, word_ends[last] - 1)
        limit = np.maximum(limit, origin + 1)
    ends = []
    for origin_i, limit_i in zip(origin.tolist(), limit.tolist(), strict=True):
        end = origin_i + 1
        if html and text[origin_i] == "&":
            entity = _ENTITY.match(text, origin_i)
            if entity is not None and entity.end() <= max(limit_i, origin_i + 1):
                end = entity.end()
        while end < limit_i and unicodedata.combining(text[end]):
            end += 1
        ends.append(end)
    return begin.tolist(), ends
