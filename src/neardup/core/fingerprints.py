"""Winnowed fingerprints of documents, and the pairs of documents that share enough of them:
the candidates of a containment search (a document that copies part of another).

A document's fingerprints are its winnowed shingle hashes (Schleimer, Wilkerson & Aiken
2003, the method of MOSS): of every window of :data:`WINDOW` consecutive shingles, the
smallest hash. Two documents that share a run of at least ``WINDOW + ngram - 1`` normalized
characters share a whole window of shingles, hence that window's fingerprint: any copied
run that long is found, whatever else the documents hold. A document with fewer shingles
than a window has one fingerprint, its smallest hash. On average a document keeps about
``2 / (WINDOW + 1)`` of its shingles.

:func:`shared_fingerprint_pairs` turns the fingerprints of many documents into candidate
pairs through an inverted index (one sort of ``fingerprint << 32 | document``). A
fingerprint held by more than ``max_df`` documents is boilerplate (a dateline, a standard
clause) and makes no candidates; the others give every pair of their documents, and a pair
is a candidate when the fingerprints it shares are enough for the containment asked for
(:func:`enough_shared`). Verification then computes the exact containment. A fingerprint
held by ``d`` documents makes ``d (d - 1) / 2`` pairs to count: when all of them would pass
a budget (:data:`PAIRS_PER_DOCUMENT`), the cut comes down below ``max_df`` until they fit,
and the caller says so.

Boilerplate is also set aside when verification decides whether a pair is a copy: the
stretches of text from one common fingerprint to the next (:func:`boilerplate_mask`) leave
both shingle sets first, so two documents that share only a standard lead or closing are
not a copy, however short they are. (Marking every window whose minimum is common instead
marked 15-80% of many news items, whose political reporting shares formulaic phrases, and
lost a tenth of the planted copies of the partial-copies benchmark.)

Example:
    >>> import numpy as np
    >>> hashes = np.array([9, 4, 7, 1, 8, 6, 3, 5], dtype=np.uint32)
    >>> winnow(hashes, 4).tolist()  # minima of windows 9471, 4718, 7186, 1863, 8635
    [1, 3]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import numpy.typing as npt

from .._types import I64, U32, U64
from . import kernels
from .arrays import members, ranges, sorted_unique, starts_of
from .shingles import ngram_hashes

WINDOW = 16
"""Shingles per winnowing window: with character 5-grams, every shared run of 20 normalized
characters (a short sentence) is guaranteed a shared fingerprint. Measured on the news
corpus: a document keeps 11% of its shingles (24: 7%, and more copies with light edits
escape)."""

SHARE_SLACK = 0.5
"""A pair is a candidate when the fingerprints it shares are at least this share of what its
containment asks for (fingerprints estimate containment roughly; verification is exact)."""

_WORD = np.uint64(32)
_LOW = np.uint64(0xFFFFFFFF)


def winnow(hashes: U32, window: int = WINDOW) -> U32:
    """The distinct fingerprints of one document's shingle hashes (in order), sorted: the
    minimum of every ``window`` consecutive hashes, or of all when there are fewer."""
    if hashes.size == 0:
        return np.empty(0, dtype=np.uint32)
    if hashes.size <= window:
        return np.array([hashes.min()], dtype=np.uint32)
    return sorted_unique(_window_minima(hashes, window))


def winnow_flat(flat: U32, lengths: I64, ngram: int, window: int = WINDOW) -> tuple[U32, I64]:
    """The fingerprints of many normalized texts given as concatenated code points and their
    lengths (character ``ngram`` shingles): each text's sorted distinct fingerprints,
    concatenated, and how many each text has.

    The same as ``winnow(ngram_hashes(text, ngram), window)`` for each text, computed with a
    few whole-array steps: the hashes of all n-grams of the concatenation, the minima of
    all windows, then only the windows that lie inside one text.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if not lengths.size:
        return np.empty(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    compiled = kernels.fingerprints()
    if compiled is not None:
        owners, values = _candidates_compiled(compiled, flat, lengths, ngram, window)
    else:
        owners, values = _candidates(flat, lengths, ngram, window)
    if not owners.size:
        return np.empty(0, dtype=np.uint32), np.zeros(lengths.size, dtype=np.int64)
    combined = sorted_unique((owners << _WORD) | values.astype(np.uint64))
    per_text = np.bincount((combined >> _WORD).astype(np.int64), minlength=lengths.size)
    return (combined & _LOW).astype(np.uint32), per_text.astype(np.int64)


def _candidates_compiled(
    compiled: ModuleType, flat: U32, lengths: I64, ngram: int, window: int
) -> tuple[U64, U32]:
    """Each text's window minima (repeats allowed) and their texts, by the numba kernel."""
    values = np.empty(flat.size, dtype=np.uint32)
    owners = np.empty(flat.size, dtype=np.uint64)
    cps = np.ascontiguousarray(flat, dtype=np.uint32)
    written = compiled.window_minima(cps, starts_of(lengths), ngram, window, values, owners)
    return owners[:written], values[:written]


def _candidates(flat: U32, lengths: I64, ngram: int, window: int) -> tuple[U64, U32]:
    """Each text's window minima (repeats allowed) and their texts, with whole-array steps."""
    starts = starts_of(lengths)[:-1]
    shingles = np.where(lengths >= ngram, lengths - ngram + 1, np.minimum(lengths, 1))
    owners: list[U64] = []
    values: list[U32] = []
    long = np.flatnonzero(shingles > window)
    if long.size:
        hashes = ngram_hashes(flat, ngram)
        minima = _window_minima(hashes, window)
        del hashes
        first, count = starts[long], shingles[long] - window + 1
        inside = np.zeros(minima.size + 1, dtype=np.int8)  # windows inside one text: 1
        np.add.at(inside, first, 1)
        np.add.at(inside, first + count, -1)
        keep = np.cumsum(inside[:-1], dtype=np.int8).astype(bool)
        keep[1:] &= minima[1:] != minima[:-1]  # a window whose minimum is new
        keep[first] = True
        where = np.flatnonzero(keep)
        owner = long[np.searchsorted(first, where, side="right") - 1]
        owners.append(owner.astype(np.uint64))
        values.append(minima[where])
    for k in np.flatnonzero((shingles > 0) & (shingles <= window)).tolist():
        text = flat[starts[k] : starts[k] + lengths[k]]
        owners.append(np.array([k], dtype=np.uint64))
        values.append(np.array([ngram_hashes(text, ngram).min()], dtype=np.uint32))
    if not owners:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint32)
    return np.concatenate(owners), np.concatenate(values)


def _window_minima(hashes: U32, window: int) -> U32:
    """The minimum of each ``window`` consecutive values (``size - window + 1`` of them), in
    linear time (van Herk / Gil-Werman: prefix minima within blocks of ``window`` and
    suffix minima, one of each per window)."""
    size = hashes.size
    blocks = -(-size // window)
    padded = np.full(blocks * window, np.iinfo(np.uint32).max, dtype=np.uint32)
    padded[:size] = hashes
    grid = padded.reshape(blocks, window)
    prefix = np.minimum.accumulate(grid, axis=1).ravel()
    suffix = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    count = size - window + 1
    out: U32 = np.minimum(suffix[:count], prefix[window - 1 : window - 1 + count])
    return out


@dataclass(frozen=True)
class SharedFingerprints:
    """Candidate pairs from shared fingerprints, and what the inverted index cut."""

    pairs: I64
    """Pairs ``(i, j)``, ``i < j``, sorted, shape (m, 2)."""
    shared: I64
    """How many fingerprints each pair shares."""
    common: U32
    """The fingerprints held by more than ``max_df`` documents (cut as boilerplate), sorted."""
    max_df: int
    """The cut applied: the one asked for, or lower when the pairs would not fit the budget
    (:func:`within_budget`)."""
    common_held: I64
    """How many of the ``common`` fingerprints each document holds."""


PART_FINGERPRINTS = 1 << 23
"""Fingerprints sorted at once (64 MB as ``fingerprint << 32 | document``): larger inputs are
taken in parts by fingerprint value (a fingerprint's documents are all in one part)."""

PAIRS_PER_DOCUMENT = 64
"""Pair codes (8 bytes each) a containment search may make per document, and at least
:data:`LEAST_PAIRS`: a fingerprint held by ``d`` documents makes ``d (d - 1) / 2`` of them,
so a collection whose passages recur in tens of documents each would otherwise need
gigabytes. Real news makes about 64 per document with ``max_df`` 50 (24,102 CCTV items)."""

LEAST_PAIRS = 1 << 24


def shared_fingerprint_pairs(
    fingerprints: U32 | Sequence[U32], counts: I64, containment: float, max_df: int,
    least: int = 1,
) -> SharedFingerprints:
    """Pairs of documents sharing enough fingerprints for ``containment``.

    Args:
        fingerprints: each document's distinct fingerprints, concatenated in document order,
            as one array or in blocks that each hold whole documents.
        counts: how many fingerprints each document has.
        containment: the least containment asked for, in (0, 1].
        max_df: fingerprints held by more documents than this make no pairs.
        least: the fewest fingerprints a pair must share (:func:`enough_shared`).
    """
    counts = np.asarray(counts, dtype=np.int64)
    blocks = [fingerprints] if isinstance(fingerprints, np.ndarray) else list(fingerprints)
    owners = _block_owners(blocks, counts)
    total = int(counts.sum())
    parts = max(1, -(-total // PART_FINGERPRINTS))
    frequencies = np.zeros(max_df + 2, dtype=np.int64)
    if parts > 1:  # a first pass finds how many documents hold each fingerprint
        for part in range(parts):
            frequencies += _frequencies(_sorted_values(blocks, part, parts), max_df)
        max_df = within_budget(frequencies, max_df, counts.size)
    codes = np.empty(_pairs_made(frequencies, max_df), dtype=np.uint64)
    made = 0
    common: list[U32] = []
    common_held = np.zeros(counts.size, dtype=np.int64)
    for part in range(parts):
        ordered = _sorted_part(blocks, owners, part, parts)
        if parts == 1:
            frequencies = _frequencies(ordered, max_df)
            max_df = within_budget(frequencies, max_df, counts.size)
            codes = np.empty(_pairs_made(frequencies, max_df), dtype=np.uint64)
        part_codes, part_common = _pairs_in_part(ordered, max_df, common_held)
        del ordered
        codes[made : made + part_codes.size] = part_codes  # filled in place: no second copy
        made += part_codes.size
        common.append(part_common)
    pairs, shared = _counted_enough(codes, counts, containment, least)
    return SharedFingerprints(pairs, shared, np.sort(np.concatenate(common)), max_df,
                              common_held)


def _pairs_made(frequencies: I64, max_df: int) -> int:
    """How many pair codes the fingerprints held by 2 to ``max_df`` documents make."""
    held = np.arange(max_df + 1, dtype=np.int64)
    return int((frequencies[: max_df + 1] * held * (held - 1) // 2).sum())


def within_budget(frequencies: I64, max_df: int, documents: int) -> int:
    """The largest document frequency cut, at most ``max_df``, whose pairs fit the budget
    (:data:`PAIRS_PER_DOCUMENT` per document); ``frequencies[d]`` is how many fingerprints
    ``d`` documents hold."""
    budget = max(LEAST_PAIRS, PAIRS_PER_DOCUMENT * documents)
    held = np.arange(frequencies.size, dtype=np.int64)
    made = np.cumsum(frequencies * held * (held - 1) // 2)
    fits = np.flatnonzero(made[: max_df + 1] <= budget)
    return max(2, int(fits[-1])) if fits.size else 2


def _sorted_values(blocks: list[U32], part: int, parts: int) -> U32:
    """The fingerprints whose value is ``part`` modulo ``parts``, sorted (without their
    documents: enough to count how many documents hold each)."""
    values = np.concatenate([block[block % np.uint32(parts) == part] for block in blocks])
    values.sort()
    return values


def _frequencies(ordered: U64 | U32, max_df: int) -> I64:
    """How many fingerprints each number of documents holds, up to ``max_df + 1`` (more),
    from sorted fingerprints (or ``fingerprint << 32 | document`` codes)."""
    if not ordered.size:
        return np.zeros(max_df + 2, dtype=np.int64)
    values = ordered >> _WORD if ordered.dtype == np.uint64 else ordered
    starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    sizes = np.diff(np.append(starts, values.size))
    return np.bincount(np.minimum(sizes, max_df + 1), minlength=max_df + 2).astype(np.int64)


def _block_owners(blocks: list[U32], counts: I64) -> list[tuple[int, I64]]:
    """For each block, its first document and the fingerprint counts of its documents."""
    starts = starts_of(counts)
    out = []
    offset = 0
    for block in blocks:
        first = int(np.searchsorted(starts, offset, side="right")) - 1
        last = int(np.searchsorted(starts, offset + block.size, side="left"))
        out.append((first, counts[first:last]))
        offset += block.size
    return out


def _sorted_part(
    blocks: list[U32], owners: list[tuple[int, I64]], part: int, parts: int
) -> U64:
    """``fingerprint << 32 | document`` of the fingerprints whose value is ``part`` modulo
    ``parts``, sorted."""
    pieces: list[U64] = []
    for block, (first, block_counts) in zip(blocks, owners, strict=True):
        docs = np.repeat(np.arange(first, first + block_counts.size, dtype=np.uint64),
                         block_counts)
        if parts > 1:
            chosen = block % np.uint32(parts) == part
            block, docs = block[chosen], docs[chosen]
        pieces.append((block.astype(np.uint64) << _WORD) | docs)
    if not pieces:
        return np.empty(0, dtype=np.uint64)
    ordered = np.concatenate(pieces)
    del pieces
    ordered.sort()
    return ordered


def _pairs_in_part(ordered: U64, max_df: int, common_held: I64) -> tuple[U64, U32]:
    """The pair codes ``i << 32 | j`` of every fingerprint of a sorted part held by 2 to
    ``max_df`` documents, and the fingerprints held by more (each of their documents counted
    in ``common_held``)."""
    if not ordered.size:
        return ordered, np.empty(0, dtype=np.uint32)
    values = ordered >> _WORD
    group_starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    sizes = np.diff(np.append(group_starts, values.size)).astype(np.int64)
    frequent = sizes > max_df
    common = values[group_starts[frequent]].astype(np.uint32)
    del values
    useful = (sizes >= 2) & (sizes <= max_df)
    docs = (ordered & _LOW).astype(np.uint32)
    del ordered
    holders = docs[ranges(group_starts[frequent], sizes[frequent])]
    common_held += np.bincount(holders, minlength=common_held.size)
    return _pair_codes(docs, group_starts[useful], sizes[useful]), common


def enough_shared(
    shared: I64, count_a: I64, count_b: I64, containment: float, least: int = 1
) -> npt.NDArray[np.bool_]:
    """Whether pairs sharing ``shared`` fingerprints, of documents with ``count_a`` and
    ``count_b`` fingerprints, may reach ``containment``: at least :data:`SHARE_SLACK` of
    ``containment`` times the smaller count, and at least ``least``."""
    need = np.maximum(float(least), SHARE_SLACK * containment * np.minimum(count_a, count_b))
    out: npt.NDArray[np.bool_] = shared >= np.floor(need)
    return out


CODES_AT_ONCE = 1 << 20
"""Pair codes made or counted in one step (their index arrays take about 7 x 8 bytes each)."""


def _pair_codes(docs: U32, starts: I64, sizes: I64) -> U64:
    """``i << 32 | j`` for every pair of documents within each group
    ``docs[start:start + size]`` (documents ascending in a group), made a few million at a
    time so that the index arrays stay small."""
    if not sizes.size:
        return np.empty(0, dtype=np.uint64)
    made = np.cumsum(sizes * (sizes - 1) // 2)
    bounds = np.searchsorted(made, np.arange(CODES_AT_ONCE, int(made[-1]), CODES_AT_ONCE))
    pieces = [
        _pair_codes_of(docs, starts[lo:hi], sizes[lo:hi])
        for lo, hi in itertools.pairwise([0, *np.unique(bounds + 1).tolist(), sizes.size])
        if hi > lo
    ]
    return np.concatenate(pieces) if pieces else np.empty(0, dtype=np.uint64)


def _pair_codes_of(docs: U32, starts: I64, sizes: I64) -> U64:
    """:func:`_pair_codes` of a few groups."""
    members = ranges(starts, sizes)  # positions in docs, group by group
    after = np.repeat(starts + sizes, sizes) - members - 1  # partners after each member
    firsts = np.repeat(members, after)
    seconds = ranges(members + 1, after)
    codes: U64 = (docs[firsts].astype(np.uint64) << _WORD) | docs[seconds].astype(np.uint64)
    return codes


def _counted_enough(
    codes: U64, counts: I64, containment: float, least: int
) -> tuple[I64, I64]:
    """The distinct pairs of pair codes that occur often enough for ``containment``
    (:func:`enough_shared`), sorted, and how often each occurs; the codes are sorted in
    place and taken :data:`CODES_AT_ONCE` at a time (most pairs share one fingerprint and
    go no further)."""
    codes.sort()
    pairs: list[I64] = []
    shared: list[I64] = []
    lo = 0
    while lo < codes.size:
        hi = min(lo + CODES_AT_ONCE, codes.size)
        hi = int(np.searchsorted(codes, codes[hi - 1], side="right"))  # whole runs
        chunk = codes[lo:hi]
        first_of_run = np.concatenate(([0], np.flatnonzero(chunk[1:] != chunk[:-1]) + 1))
        times = np.diff(np.append(first_of_run, chunk.size)).astype(np.int64)
        unique = chunk[first_of_run]
        a, b = (unique >> _WORD).astype(np.int64), (unique & _LOW).astype(np.int64)
        keep = enough_shared(times, counts[a], counts[b], containment, least)
        pairs.append(np.stack((a[keep], b[keep]), axis=1))
        shared.append(times[keep])
        lo = hi
    if not pairs:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(pairs), np.concatenate(shared)


def boilerplate_mask(hashes: U32, common: U32, window: int = WINDOW) -> npt.NDArray[np.bool_]:
    """Which of one document's shingles (hashes in order) are boilerplate: those whose hash
    is one of the sorted ``common`` fingerprints, and those between two such shingles that
    are at most ``window`` apart (the stretch of a phrase that many documents hold, from its
    first common fingerprint to its last)."""
    marked = np.zeros(hashes.size, dtype=bool)
    if not hashes.size or not common.size:
        return marked
    at = np.flatnonzero(members(hashes, common))
    if not at.size:
        return marked
    near = np.flatnonzero(np.diff(at) <= window)
    edges = np.zeros(hashes.size + 1, dtype=np.int64)
    np.add.at(edges, at[near], 1)
    np.add.at(edges, at[near + 1], -1)
    marked = np.cumsum(edges[:-1]) > 0
    marked[at] = True
    return marked
