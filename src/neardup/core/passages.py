"""Evidence passages: the text two near-duplicate documents share, shown in the original texts.

For documents A and B, normalized as for hashing (:func:`neardup.normalize.normalize`), and
the hashes of their character n-grams ``hA[p]`` (``p = 0 .. |A|-n``) and ``hB[q]``
(:func:`neardup.shingle.ngram_hashes`):

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
   characters is left. Every normalized character is in at most one passage of each text,
   and passages come out longest first. A span repeated in one text is matched once.
4. *Offsets*: a passage's normalized span ``[s, e)`` becomes the original span
   ``[offsets[s], end(e-1))`` where ``end(i) = offsets[i] + 1``, extended over an HTML entity
   or combining marks that produced normalized character ``i``. Slicing the original text with
   it gives text whose normalization is exactly the passage's normalized text.

*Coverage* of a document is the share of its normalized characters inside the passages.

Word-unit parameters (``unit="word"``) get character 5-gram passages.

With script or synonym folding (``NormalizeOptions.script``, ``.synonyms``) the passages are
found in the folded texts: a passage is text the two documents share once folded, and
spans in the original texts that may differ in script or in words of one synonym class. A
replacement word's characters share the offset of the word they replaced, so a passage
never splits a replaced word, and its span covers the whole original word.

Example:
    >>> ev = shared_passages("今天天气很好，我们去公园散步吧。", "昨天：今天天气很好我们去公园散步")
    >>> [(p.a_start, p.a_end, p.b_start, p.b_end, p.text) for p in ev.passages]
    [(0, 14, 3, 16, '今天天气很好，我们去公园散步')]
    >>> round(ev.a_coverage, 3), round(ev.b_coverage, 3)
    (0.929, 0.867)
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from .._types import I64
from ..errors import InputError, ParameterError
from ..report import DuplicateReport, Pair, Passage
from .arrays import ranges
from .copies import copy_ratios
from .normalize import ENTITY_PATTERN, Normalized, NormalizeOptions, codepoints, normalize
from .shingles import ngram_hashes

NEAREST = 16
"""An n-gram repeated more often than this in document b is matched, at a position ``p`` of
document a, only with its occurrences near the diagonal of the nearest other match before
``p`` (repetitive text would otherwise make ``|A|·|B|`` match points)."""

WORD_UNIT_NGRAM = 5
"""Character n-gram size used for passages when the report's shingles are words."""

_ENTITY = re.compile(ENTITY_PATTERN)


@dataclass(frozen=True)
class Evidence:
    """The shared passages of two documents, longest first, and the share of each document
    (of its normalized characters) they cover."""

    passages: tuple[Passage, ...]
    a_coverage: float
    b_coverage: float


def shared_passages(
    text_a: str,
    text_b: str,
    *,
    ngram: int = 5,
    options: NormalizeOptions | None = None,
    min_length: int | None = None,
) -> Evidence:
    """The passages that ``text_a`` and ``text_b`` share (see the module docstring).

    Args:
        text_a: the original text of document a.
        text_b: the original text of document b.
        ngram: character n-gram size used to find matches.
        options: normalization (HTML, markers), as used for hashing.
        min_length: shortest passage reported, in normalized characters (default ``ngram``).

    Returns:
        Passages as spans of the original texts, longest first; ``Passage.text`` is the
        original text of the span in a.

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
    norm_a, norm_b = normalize(text_a, options), normalize(text_b, options)
    cps_a, cps_b = codepoints(norm_a.text), codepoints(norm_b.text)
    if not cps_a.size or not cps_b.size:
        return Evidence((), 0.0, 0.0)
    n = min(ngram, cps_a.size, cps_b.size)
    runs = _diagonal_runs(ngram_hashes(cps_a, n), ngram_hashes(cps_b, n), n)
    tiles = tile_runs(cps_a, cps_b, runs, max(min_length, 1))
    passages: list[Passage] = []
    covered_a = covered_b = 0
    for start_a, start_b, length in tiles:
        snapped = _snap(norm_a.offsets, norm_b.offsets, start_a, start_b, length)
        if snapped is None or snapped[2] < min_length:
            continue
        start_a, start_b, length = snapped
        a_start, a_end = _original_span(text_a, norm_a, start_a, length, options.html)
        b_start, b_end = _original_span(text_b, norm_b, start_b, length, options.html)
        passages.append(Passage(a_start, a_end, b_start, b_end, text_a[a_start:a_end]))
        covered_a += length
        covered_b += length
    return Evidence(tuple(passages), covered_a / cps_a.size, covered_b / cps_b.size)


def add_passages(
    report: DuplicateReport,
    texts: Mapping[str, str],
    *,
    min_length: int | None = None,
    progress: Callable[[Iterable[Pair]], Iterable[Pair]] | None = None,
) -> DuplicateReport:
    """A copy of ``report`` whose pairs carry their shared passages and coverage, and, for a
    containment search, with its copy-ratio view (:func:`neardup.core.copies.copy_ratios`).

    Args:
        report: a report from :func:`neardup.find_duplicates`.
        texts: the original text of (at least) every document in a pair, by id.
        min_length: shortest passage, in normalized characters (default: the n-gram size).
        progress: wraps the pairs while they are processed (e.g. ``tqdm``).

    Raises:
        InputError: ``texts`` lacks a document of a pair.
    """
    params = report.parameters
    ngram = params.ngram if params.unit == "char" else WORD_UNIT_NGRAM
    options = params.normalize_options()
    pairs: Iterable[Pair] = report.pairs if progress is None else progress(report.pairs)
    out: list[Pair] = []
    for pair in pairs:
        missing = [doc_id for doc_id in (pair.a, pair.b) if doc_id not in texts]
        if missing:
            raise InputError(f"no text for document {missing[0]!r} of a reported pair")
        evidence = shared_passages(
            texts[pair.a], texts[pair.b], ngram=ngram, options=options, min_length=min_length
        )
        out.append(
            replace(
                pair,
                passages=evidence.passages,
                a_coverage=evidence.a_coverage,
                b_coverage=evidence.b_coverage,
            )
        )
    copies = copy_ratios(out, texts, options) if params.containment is not None else []
    return replace(report, pairs=out, copies=copies)


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
    hash_a: npt.NDArray[np.uint32], hash_b: npt.NDArray[np.uint32], ngram: int
) -> list[tuple[int, int, int]]:
    """Runs of match points on one diagonal whose n-grams overlap or touch (consecutive points
    at most ``ngram`` apart), as ``(-characters, start in A, start in B)``."""
    p, q = _match_points(hash_a, hash_b)
    if not p.size:
        return []
    diag = q - p
    order = np.lexsort((p, diag))
    p, diag = p[order], diag[order]
    breaks = np.flatnonzero((np.diff(diag) != 0) | (np.diff(p) > ngram)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [p.size]))
    run_p = p[starts]
    run_q = run_p + diag[starts]
    run_chars = p[ends - 1] + ngram - run_p
    return list(zip((-run_chars).tolist(), run_p.tolist(), run_q.tolist(), strict=True))


def tile_runs(
    cps_a: npt.NDArray[np.uint32],
    cps_b: npt.NDArray[np.uint32],
    runs: list[tuple[int, int, int]],
    min_length: int,
) -> list[tuple[int, int, int]]:
    """Greedy string tiling of the runs (step 3 of the module docstring): passages as
    (start in A, start in B, length), longest first; characters are compared, so a run that a
    hash collision made is cut to its truly equal pieces.

    ``runs`` holds ``(-length, start_a, start_b)`` (a heap of the longest first). The taken
    characters of each text are kept as sorted disjoint intervals, so a blocked run costs a
    few bisections; from time to time the runs already blocked entirely in one text are
    dropped all at once (:func:`_drop_blocked`), since most short runs end up so.
    """
    taken_a, taken_b = _Intervals(), _Intervals()
    mask_a = np.zeros(cps_a.size + 1, dtype=np.int32)
    mask_b = np.zeros(cps_b.size + 1, dtype=np.int32)
    heap = [r for r in runs if -r[0] >= min_length]
    heapq.heapify(heap)
    tiles: list[tuple[int, int, int]] = []
    pops = 0
    while heap:
        pops += 1
        if pops >= _FILTER_EVERY and len(heap) > _FILTER_EVERY:
            heap = _drop_blocked(heap, mask_a, mask_b)
            pops = 0
            continue
        neg_length, start_a, start_b = heapq.heappop(heap)
        end_a, end_b = start_a - neg_length, start_b - neg_length
        shift = start_b - start_a
        pieces = _intersect(taken_a.free(start_a, end_a), taken_b.free(start_b, end_b), shift)
        if pieces == [(start_a, end_a)]:
            same = cps_a[start_a:end_a] == cps_b[start_b:end_b]
            if same.all():
                taken_a.add(start_a, end_a)
                taken_b.add(start_b, end_b)
                mask_a[start_a:end_a] = 1
                mask_b[start_b:end_b] = 1
                tiles.append((start_a, start_b, end_a - start_a))
                continue
            # a hash collision: keep only the characters that really match
            pieces = [(start_a + b, start_a + e) for b, e in _true_segments(same)]
        for begin, end in pieces:
            if end - begin >= min_length:
                heapq.heappush(heap, (begin - end, begin, begin + shift))
    return tiles


_FILTER_EVERY = 512


def _drop_blocked(
    heap: list[tuple[int, int, int]], mask_a: npt.NDArray[np.int32], mask_b: npt.NDArray[np.int32]
) -> list[tuple[int, int, int]]:
    """The runs of ``heap`` not entirely taken in A or in B, as a heap (one numpy pass)."""
    runs = np.array(heap, dtype=np.int64)
    length, start_a, start_b = -runs[:, 0], runs[:, 1], runs[:, 2]
    sums_a = np.concatenate(([0], np.cumsum(mask_a, dtype=np.int64)))
    sums_b = np.concatenate(([0], np.cumsum(mask_b, dtype=np.int64)))
    blocked = (sums_a[start_a + length] - sums_a[start_a] == length) | (
        sums_b[start_b + length] - sums_b[start_b] == length
    )
    kept = [heap[i] for i in np.flatnonzero(~blocked).tolist()]
    heapq.heapify(kept)
    return kept


class _Intervals:
    """Sorted disjoint ``[start, end)`` intervals (the taken characters of one text)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        """Add an interval that overlaps none of the others."""
        at = bisect.bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)

    def free(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of ``[start, end)`` outside every interval, in order."""
        pieces: list[tuple[int, int]] = []
        i = bisect.bisect_right(self.ends, start)
        position = start
        while i < len(self.starts) and self.starts[i] < end:
            if self.starts[i] > position:
                pieces.append((position, self.starts[i]))
            position = max(position, self.ends[i])
            i += 1
        if position < end:
            pieces.append((position, end))
        return pieces


def _intersect(
    free_a: list[tuple[int, int]], free_b: list[tuple[int, int]], shift: int
) -> list[tuple[int, int]]:
    """Intersection of free pieces of A and of B (B's moved to A's coordinates by -shift)."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(free_a) and j < len(free_b):
        begin = max(free_a[i][0], free_b[j][0] - shift)
        end = min(free_a[i][1], free_b[j][1] - shift)
        if begin < end:
            out.append((begin, end))
        if free_a[i][1] < free_b[j][1] - shift:
            i += 1
        else:
            j += 1
    return out


def _true_segments(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[begin, end)`` of every maximal run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    begins = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(begins.tolist(), ends.tolist(), strict=True))


def _snap(
    offsets_a: I64, offsets_b: I64, start_a: int, start_b: int, length: int
) -> tuple[int, int, int] | None:
    """Shrink a tile so that it splits no group of normalized characters that come from one
    original character (e.g. ``㎏`` → ``kg``) in either text; None when nothing is left."""
    while length > 0:
        cut_front = max(_inside_group(offsets_a, start_a), _inside_group(offsets_b, start_b))
        end_a, end_b = start_a + length, start_b + length
        cut_back = max(_inside_group(offsets_a, end_a), _inside_group(offsets_b, end_b))
        if not cut_front and not cut_back:
            return start_a, start_b, length
        start_a, start_b = start_a + cut_front, start_b + cut_front
        length -= cut_front + cut_back
    return None


def _inside_group(offsets: I64, boundary: int) -> int:
    """1 when ``boundary`` falls between two normalized characters of one original character."""
    return int(0 < boundary < offsets.size and offsets[boundary] == offsets[boundary - 1])


def _original_span(
    text: str, norm: Normalized, start: int, length: int, html: bool
) -> tuple[int, int]:
    """The original span of normalized characters ``[start, start + length)``."""
    last = start + length - 1
    begin = int(norm.offsets[start])
    origin = int(norm.offsets[last])
    limit = int(norm.offsets[last + 1]) if last + 1 < norm.offsets.size else len(text)
    if norm.ends is not None:  # a synonym-folded word stands for the whole original word
        origin = max(origin, int(norm.ends[last]) - 1)
        limit = max(limit, origin + 1)
    end = origin + 1
    if html and text[origin] == "&":
        entity = _ENTITY.match(text, origin)
        if entity is not None and entity.end() <= max(limit, origin + 1):
            end = entity.end()
    while end < limit and unicodedata.combining(text[end]):
        end += 1
    return begin, end
