"""The Python functions the Spark engine runs on Arrow batches (``mapInArrow``): the stages
every engine shares, applied to one batch of rows at a time on the workers.

* :func:`hash_function`: band keys, winnowed fingerprints and normalized lengths
  (:func:`neardup.stages.hashing.hash_batch`);
* :func:`set_function`: shingle sets, with and without boilerplate
  (:func:`neardup.stages.hashing.shingle_sets`);
* :func:`similarity_function`: exact Jaccard, containment and shares of pairs, a batch at
  a time (:func:`neardup.core.similarity.packed_overlap_rows`);
* :func:`key_parts_function` and :func:`band_pairs_batches`: band keys cut into parts,
  and the candidate pairs of the LSH groups of a part
  (:func:`neardup.core.lsh.candidate_pairs`' rule);
* :func:`pair_rule_function`: a search mode's candidate rule on pairs sharing values
  (the local engine's functions, :mod:`neardup.spark.candidates`);
* :func:`signature_function`: MinHash signatures as bytes.

uint32 values travel in Spark's signed ``int``/``long`` columns with the same bits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .._types import F64, I64, U32, U64
from ..core.arrays import ranges, starts_of
from ..core.kernels import load_numba
from ..core.lsh import MAX_GROUP
from ..core.similarity import packed_overlap_rows
from ..errors import InputError
from ..parameters import Parameters
from ..searches.containment import NAME as CONTAINMENT
from ..searches.containment import sets_without_boilerplate
from ..searches.copies import NAME as COPIES
from ..searches.near_duplicates import NAME as NEAR_DUPLICATES
from ..searches.near_duplicates import keys_of
from ..searches.protocol import Packed, packed
from ..searches.rewritten_copies import NAME as REWRITE
from ..stages.hashing import (
    BATCH_DOCS,
    HashedBatch,
    hash_batch,
    normalized_codepoints,
    shingle_sets,
    signatures_of_codepoints,
)
from ..stages.intake import skip_reason
from .inputs import ID, ORD, TEXT

if TYPE_CHECKING:
    import pyarrow as pa

ArrowBatches = Iterator["pa.RecordBatch"]
"""What a ``mapInArrow`` function takes and gives."""
ArrowFunction = Callable[[ArrowBatches], ArrowBatches]
"""A ``mapInArrow`` function."""

OVERLAP_SCHEMA = (
    "a long, b long, jaccard double, containment double, a_in_b double, b_in_a double, "
    "free_containment double"
)
"""The rows of :func:`similarity_function`."""

DIGEST = ("digest0", "digest1")
"""The columns of a normalized text's digest in the rows of :func:`hash_function`."""


SEARCHED = {CONTAINMENT: "fingerprints", REWRITE: "rewrites", COPIES: "sampled"}
"""The column of the rows of :func:`hash_function` that holds each search mode's values."""

HASHED_SCHEMA = (
    f"{ORD} long, {ID} string, length long, keys array<long>, fingerprints array<int>, "
    f"skip string, {DIGEST[0]} long, {DIGEST[1]} long, rewrites array<int>, "
    "sampled array<int>"
)
"""The rows of :func:`hash_function`."""


def hash_function(params: Parameters) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, id, text)`` → ``(ord, id, length, keys,
    fingerprints, skip, digest0, digest1)``: everything the later stages need of a document
    but its shingle set, so that its text is read once here and never shuffled.

    ``length`` is the normalized text's length in code points (what picks a cluster's
    representative, as locally), ``keys`` the document's band keys
    (uint64 viewed as int64, one per band; empty when skipped), ``fingerprints`` its
    distinct winnowed fingerprints (uint32 viewed as int32; empty unless ``params`` ask for
    a containment search), ``skip`` the reason a document is skipped, else null,
    ``digest0``/``digest1`` the normalized text's 128-bit digest (:mod:`neardup.core.exact`;
    uint64 halves viewed as int64): identical texts share it; ``rewrites`` its distinct
    4-grams (rewrite search) and ``sampled`` its sampled 5-grams (copies judgement), empty
    unless ``params`` ask for them (:data:`SEARCHED`: each mode's column).
    """

    def run(batches: ArrowBatches) -> ArrowBatches:
        load_numba()  # a pass over every document: worth the load, as for local workers
        for batch in batches:
            ords = batch.column(ORD).to_numpy(zero_copy_only=False)
            ids = batch.column(ID)
            texts: list[str | None] = batch.column(TEXT).to_pylist()
            for lo in range(0, len(texts), BATCH_DOCS):
                chunk = texts[lo : lo + BATCH_DOCS]
                hashes = hash_batch([t or "" for t in chunk], params)
                reasons = [
                    None if length else skip_reason(t)
                    for length, t in zip(hashes.lengths.tolist(), chunk, strict=True)
                ]
                yield hashed_rows(ords[lo : lo + BATCH_DOCS], ids.slice(lo, len(chunk)), hashes,
                                  reasons, params)

    return run


def hashed_rows(ords: I64, ids: pa.Array, hashes: HashedBatch, reasons: list[str | None],
                params: Parameters) -> pa.RecordBatch:
    """The rows of :data:`HASHED_SCHEMA` of hashed documents: their order numbers, ids
    (a string column), hashes and skip reasons (None for the documents kept)."""
    import pyarrow as pa

    keys, lengths = keys_of(hashes.of(NEAR_DUPLICATES)), hashes.lengths
    values = {mode: packed(hashes.of(mode)) for mode in SEARCHED}
    kept = lengths > 0
    digests = np.ascontiguousarray(hashes.digests).view(np.int64)
    offsets = starts_of(np.where(kept, params.banding.bands, 0)).astype(np.int32)
    kept_keys = np.ascontiguousarray(keys[kept]).reshape(-1).view(np.int64)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(ords, pa.int64()),
            ids.cast(pa.string()),
            pa.array(lengths, pa.int64()),
            pa.ListArray.from_arrays(pa.array(offsets), pa.array(kept_keys)),
            _packed_column(values[CONTAINMENT]),
            pa.array(reasons, pa.string()),
            pa.array(digests[:, 0], pa.int64()),
            pa.array(digests[:, 1], pa.int64()),
            _packed_column(values[REWRITE]),
            _packed_column(values[COPIES]),
        ],
        names=[ORD, ID, "length", "keys", "fingerprints", "skip", *DIGEST,
               "rewrites", "sampled"],
    )


def _packed_column(values: Packed) -> pa.Array:
    """Per-document uint32 values as an Arrow ``list<int32>`` column (same bits)."""
    import pyarrow as pa

    offsets = starts_of(values.counts).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.values.view(np.int32)))


EMPTY: U32 = np.empty(0, dtype=np.uint32)
"""No fingerprints (no boilerplate cut)."""


SETS_SCHEMA = f"{ORD} long, shingles array<int>, free array<int>"
"""The rows of :func:`set_function`."""


def set_function(params: Parameters, common: U32 | None) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, text)`` → ``(ord, shingles, free)``, the sorted
    unique uint32 shingle hashes of the normalized text, stored as ``array<int>`` (same
    bits), and those without the boilerplate of the ``common`` fingerprints
    (:func:`neardup.searches.containment.sets_without_boilerplate`); ``free`` is empty when
    there is no boilerplate cut (None or no fingerprints): then it would equal ``shingles``."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        for batch in batches:
            yield set_rows(batch.column(ORD), batch.column(TEXT).to_pylist(), params, common)

    return run


def set_rows(ords: pa.Array, texts: list[str | None], params: Parameters,
             common: U32 | None) -> pa.RecordBatch:
    """The rows of :data:`SETS_SCHEMA` of texts (see :func:`set_function`)."""
    import pyarrow as pa

    cps = normalized_codepoints([t or "" for t in texts], params)
    sets = shingle_sets(cps, params)
    free = (
        sets_without_boilerplate(cps, params, common)
        if common is not None and common.size else [EMPTY] * len(sets)
    )
    return pa.RecordBatch.from_arrays([ords, _list_column(sets), _list_column(free)],
                                      names=[ORD, "shingles", "free"])


def _list_column(sets: list[U32]) -> pa.Array:
    """uint32 arrays as one Arrow ``list<int32>`` column (same bits)."""
    import pyarrow as pa

    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    offsets = starts_of(sizes)
    if offsets[-1] >= 2**31:
        raise InputError("a batch of shingle sets exceeds 2**31 values; lower "
                         "spark.sql.execution.arrow.maxRecordsPerBatch")
    values = np.concatenate(sets) if sets else EMPTY
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32)), pa.array(values.view(np.int32))
    )


def _packed(column: pa.Array) -> tuple[U32, I64]:
    """The rows of an Arrow ``list<int32>`` column packed: all values as uint32, and each
    row's size."""
    offsets = column.offsets.to_numpy().astype(np.int64)
    values = column.values.to_numpy(zero_copy_only=False).view(np.uint32)
    return values[offsets[0] : offsets[-1]], np.diff(offsets)


def _pair_rows(first: pa.Array, second: pa.Array) -> F64:
    """``(jaccard, a_in_b, b_in_a)`` of the sets in row i of ``first`` and of ``second``,
    for every row at once (:func:`neardup.core.similarity.packed_overlap_rows`: the floats
    :func:`neardup.core.similarity.overlap` gives)."""
    va, na = _packed(first)
    vb, nb = _packed(second)
    n = na.size
    pairs = np.stack([np.arange(n), np.arange(n, 2 * n)], axis=1).astype(np.int64)
    return packed_overlap_rows(np.concatenate([va, vb]), np.concatenate([na, nb]), pairs)


def similarity_function(with_free: bool) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(a, b, sa, sb, fa, fb)`` → ``(a, b, jaccard,
    containment, a_in_b, b_in_a, free_containment)``, exact, a batch of pairs at a time, as
    every engine verifies (:func:`neardup.core.similarity.packed_overlap_rows`);
    ``free_containment`` of the sets without boilerplate when ``with_free``, else equal to
    ``containment``."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            rows = _pair_rows(batch.column("sa"), batch.column("sb"))
            containment = np.maximum(rows[:, 1], rows[:, 2])
            if with_free:
                free_rows = _pair_rows(batch.column("fa"), batch.column("fb"))
                free = np.maximum(free_rows[:, 1], free_rows[:, 2])
            else:
                free = containment
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("a"),
                    batch.column("b"),
                    pa.array(rows[:, 0], pa.float64()),
                    pa.array(containment, pa.float64()),
                    pa.array(rows[:, 1], pa.float64()),
                    pa.array(rows[:, 2], pa.float64()),
                    pa.array(free, pa.float64()),
                ],
                names=["a", "b", "jaccard", "containment", "a_in_b", "b_in_a",
                       "free_containment"],
            )

    return run


BAND_MIX = np.uint64(0x9E3779B97F4A7C15)
"""Mixes the band into the key that picks a band key's part (golden-ratio constant)."""

KEY_PARTS_SCHEMA = "part int, ords binary, bands binary, keys binary"
"""The rows of :func:`key_parts_function`."""


def key_parts_function(parts: int) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, keys)`` → one row per part and batch, ``(part,
    ords, bands, keys)``, the batch's band keys whose ``(band, key)`` falls in that part,
    as packed little-endian int64/int32/uint64 bytes.

    The band keys are cut into ``parts`` parts in Python, a few rows per batch: the one
    exchange of the LSH search (by ``part``) then moves a few large values instead of a JVM
    row per band key. All keys of a ``(band, key)`` go to one part."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            ords = batch.column(ORD).to_numpy(zero_copy_only=False).astype(np.int64)
            keys_col = batch.column("keys")
            values, sizes = _packed_keys(keys_col)
            owners = np.repeat(ords, sizes)
            bands = (np.arange(values.size, dtype=np.int64)
                     - np.repeat(starts_of(sizes)[:-1], sizes)).astype(np.int32)
            which = ((values ^ (bands.astype(np.uint64) * BAND_MIX)) % np.uint64(parts))
            # numpy sorts 16-bit integers by radix (stable): six times the int64 sort's pace
            which = which.astype(np.uint16 if parts <= np.iinfo(np.uint16).max else np.int64)
            order = np.argsort(which, kind="stable")
            which, owners, bands, values = which[order], owners[order], bands[order], values[order]
            cuts = np.searchsorted(which, np.arange(parts + 1))
            rows = [p for p in range(parts) if cuts[p + 1] > cuts[p]]
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(rows, pa.int32()),
                    pa.array([owners[cuts[p] : cuts[p + 1]].tobytes() for p in rows],
                             pa.binary()),
                    pa.array([bands[cuts[p] : cuts[p + 1]].tobytes() for p in rows],
                             pa.binary()),
                    pa.array([values[cuts[p] : cuts[p + 1]].tobytes() for p in rows],
                             pa.binary()),
                ],
                names=["part", "ords", "bands", "keys"],
            )

    return run


def _packed_keys(column: pa.Array) -> tuple[U64, I64]:
    """The rows of an Arrow ``list<int64>`` column of band keys packed as uint64, and each
    row's size."""
    offsets = column.offsets.to_numpy().astype(np.int64)
    values = column.values.to_numpy(zero_copy_only=False).view(np.uint64)
    return values[offsets[0] : offsets[-1]], np.diff(offsets)


def band_pairs_batches(batches: ArrowBatches) -> ArrowBatches:
    """``(part, ords, bands, keys)`` rows of one partition (every row of a part in the same
    one: all the band keys of a ``(band, key)``) → ``(a, b)``: the candidate pairs of each
    LSH group (the documents sharing a band key), as :func:`neardup.core.lsh.candidate_pairs`
    makes them: every pair of a group of at most :data:`~neardup.core.lsh.MAX_GROUP`
    members, a star from the smallest member of a larger one; ``a < b``, distinct within
    the partition. The partition's keys are sorted once (numpy)."""
    import pyarrow as pa

    ords, bands, keys = [], [], []
    for batch in batches:
        for blob in batch.column("ords").to_pylist():
            ords.append(np.frombuffer(blob, dtype=np.int64))
        for blob in batch.column("bands").to_pylist():
            bands.append(np.frombuffer(blob, dtype=np.int32))
        for blob in batch.column("keys").to_pylist():
            keys.append(np.frombuffer(blob, dtype=np.uint64))
    if not ords:
        return
    order_of = np.concatenate(ords)
    band = np.concatenate(bands)
    key = np.concatenate(keys)
    band, key, order_of = _by_band_key(band, key, order_of)
    n = order_of.size
    changes = np.flatnonzero((band[1:] != band[:-1]) | (key[1:] != key[:-1])) + 1
    starts = np.concatenate(([0], changes)).astype(np.int64)
    sizes = np.diff(np.concatenate((starts, [n]))).astype(np.int64)
    multi = sizes > 1
    pairs = _group_pairs(order_of, starts[multi], sizes[multi])
    for lo in range(0, max(pairs.shape[0], 1), 1 << 16):
        chunk = pairs[lo : lo + (1 << 16)]
        yield pa.RecordBatch.from_arrays(
            [pa.array(chunk[:, 0], pa.int64()), pa.array(chunk[:, 1], pa.int64())],
            names=["a", "b"],
        )


Bands = npt.NDArray[np.int32]


def _by_band_key(band: Bands, key: U64, values: I64) -> tuple[Bands, U64, I64]:
    """The three arrays ordered so that equal ``(band, key)`` are adjacent: sorted by key
    (numpy's vectorized sort: five times a ``lexsort`` of both at a million keys), then the
    runs of one key that hold several bands (rare: a key is a 64-bit hash) by band."""
    by = np.argsort(key)
    band, key, values = band[by], key[by], values[by]
    mixed = np.flatnonzero((key[1:] == key[:-1]) & (band[1:] != band[:-1]))
    if mixed.size:
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        ends = np.append(starts[1:], key.size)
        for run in np.unique(np.searchsorted(starts, mixed, side="right") - 1).tolist():
            lo, hi = int(starts[run]), int(ends[run])
            inside = lo + np.argsort(band[lo:hi], kind="stable")
            band[lo:hi], values[lo:hi] = band[inside], values[inside]
    return band, key, values


def _group_pairs(values: I64, starts: I64, sizes: I64) -> I64:
    """The distinct pairs ``(a, b)``, ``a < b``, of the groups ``values[start:start+size]``
    (every pair of a group of at most ``MAX_GROUP``, a star from the smallest of a larger
    one), shape (m, 2)."""
    parts: list[I64] = []
    small = sizes <= MAX_GROUP
    s_starts, s_sizes = starts[small], sizes[small]
    for d in range(1, int(s_sizes.max()) if s_sizes.size else 1):
        eligible = s_sizes > d
        first = ranges(s_starts[eligible], s_sizes[eligible] - d)
        parts.append(np.stack([values[first], values[first + d]], axis=1))
    for start, size in zip(starts[~small].tolist(), sizes[~small].tolist(), strict=True):
        members = np.sort(values[start : start + size])
        parts.append(np.stack([np.full(size - 1, members[0]), members[1:]], axis=1))
    if not parts:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(parts), axis=1)
    if pairs.shape[0] < 2:
        return pairs
    codes = np.unique(pairs.view([("a", np.int64), ("b", np.int64)]).reshape(-1))
    return codes.view(np.int64).reshape(-1, 2)


PairRule = Callable[[I64, I64, I64, I64, I64], "npt.NDArray[np.bool_]"]
"""Which pairs sharing values are candidates, given ``(shared, count_a, count_b, common_a,
common_b)`` for each: the values they share, each document's values, and how many of
those are common (:mod:`neardup.spark.candidates`)."""


def pair_rule_function(rule: PairRule) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(a, b, count_a, count_b, common_a, common_b,
    shared)`` → the ``(a, b)`` rows that ``rule`` keeps."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        names = ("shared", "count_a", "count_b", "common_a", "common_b")
        for batch in batches:
            columns = [batch.column(name).to_numpy(zero_copy_only=False).astype(np.int64)
                       for name in names]
            kept = rule(*columns)
            yield pa.RecordBatch.from_arrays(
                [batch.column("a"), batch.column("b")], names=["a", "b"]
            ).filter(pa.array(kept))

    return run


def signature_function(params: Parameters) -> ArrowFunction:
    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            texts: list[str | None] = batch.column(TEXT).to_pylist()
            cps = normalized_codepoints([t or "" for t in texts], params)
            sigs, _ = signatures_of_codepoints(cps, params)
            sigs = sigs.astype("<u4", copy=False)
            yield pa.RecordBatch.from_arrays(
                [batch.column(ID), pa.array([row.tobytes() for row in sigs], pa.binary())],
                names=["id", "signature"],
            )

    return run


