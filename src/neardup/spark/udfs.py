"""The Python functions the Spark engine runs on Arrow batches (``mapInArrow``): the stages
every engine shares, applied to one batch of rows at a time on the workers.

* :func:`hash_function`: band keys, winnowed fingerprints and normalized lengths
  (:func:`neardup.stages.hashing.hash_batch`);
* :func:`set_function`: shingle sets, with and without boilerplate
  (:func:`neardup.stages.hashing.shingle_sets`);
* :func:`similarity_batches`: exact Jaccard, containment and shares of pairs
  (:func:`neardup.core.similarity.overlap`);
* :func:`enough_shared_function`: the containment candidate rule
  (:func:`neardup.core.fingerprints.enough_shared`);
* :func:`signature_function`: MinHash signatures as bytes.

uint32 values travel in Spark's signed ``int``/``long`` columns with the same bits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from .._types import U32
from ..core.arrays import starts_of
from ..core.fingerprints import enough_shared
from ..core.similarity import overlap
from ..errors import InputError
from ..parameters import Parameters
from ..searches.containment import NAME as CONTAINMENT
from ..searches.containment import sets_without_boilerplate
from ..searches.near_duplicates import NAME as NEAR_DUPLICATES
from ..searches.near_duplicates import keys_of
from ..searches.protocol import packed
from ..stages.hashing import (
    BATCH_DOCS,
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
"""The rows of :func:`similarity_batches`."""

DIGEST = ("digest0", "digest1")
"""The columns of a normalized text's digest in the rows of :func:`hash_function`."""


def hash_function(params: Parameters) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, text)`` → ``(ord, length, keys, fingerprints,
    skip, digest0, digest1)``.

    ``length`` is the normalized text's length in code points (what picks a cluster's
    representative, as locally), ``keys`` the document's band keys
    (uint64 viewed as int64, one per band; empty when skipped), ``fingerprints`` its
    distinct winnowed fingerprints (uint32 viewed as int32; empty unless ``params`` ask for
    a containment search), ``skip`` the reason a document is skipped, else null,
    ``digest0``/``digest1`` the normalized text's 128-bit digest (:mod:`neardup.core.exact`;
    uint64 halves viewed as int64): identical texts share it.
    """

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        bands = params.banding.bands
        for batch in batches:
            ords = batch.column(ORD).to_numpy(zero_copy_only=False)
            texts: list[str | None] = batch.column(TEXT).to_pylist()
            for lo in range(0, len(texts), BATCH_DOCS):
                chunk = texts[lo : lo + BATCH_DOCS]
                hashes = hash_batch([t or "" for t in chunk], params)
                keys, lengths = keys_of(hashes.of(NEAR_DUPLICATES)), hashes.lengths
                fingerprints = packed(hashes.of(CONTAINMENT))
                kept = lengths > 0
                digests = np.ascontiguousarray(hashes.digests).view(np.int64)
                sizes = np.where(kept, bands, 0)
                offsets = starts_of(sizes).astype(np.int32)
                kept_keys = np.ascontiguousarray(keys[kept]).reshape(-1).view(np.int64)
                fp_offsets = starts_of(fingerprints.counts).astype(np.int32)
                reasons = [
                    None if ok else skip_reason(t)
                    for ok, t in zip(kept.tolist(), chunk, strict=True)
                ]
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array(ords[lo : lo + BATCH_DOCS], pa.int64()),
                        pa.array(lengths, pa.int64()),
                        pa.ListArray.from_arrays(pa.array(offsets), pa.array(kept_keys)),
                        pa.ListArray.from_arrays(
                            pa.array(fp_offsets), pa.array(fingerprints.values.view(np.int32))
                        ),
                        pa.array(reasons, pa.string()),
                        pa.array(digests[:, 0], pa.int64()),
                        pa.array(digests[:, 1], pa.int64()),
                    ],
                    names=[ORD, "length", "keys", "fingerprints", "skip", *DIGEST],
                )

    return run


EMPTY: U32 = np.empty(0, dtype=np.uint32)
"""No fingerprints (no boilerplate cut)."""


def set_function(params: Parameters, common: U32) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, text)`` → ``(ord, shingles, free)``, the sorted
    unique uint32 shingle hashes of the normalized text, stored as ``array<int>`` (same
    bits), and those without the boilerplate of the ``common`` fingerprints
    (:func:`neardup.searches.containment.sets_without_boilerplate`; the same as ``shingles`` when
    there is none)."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            texts: list[str | None] = batch.column(TEXT).to_pylist()
            cps = normalized_codepoints([t or "" for t in texts], params)
            sets = shingle_sets(cps, params)
            free = sets_without_boilerplate(cps, params, common) if common.size else sets
            yield pa.RecordBatch.from_arrays(
                [batch.column(ORD), _list_column(sets), _list_column(free)],
                names=[ORD, "shingles", "free"],
            )

    return run


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


def _list_arrays(column: pa.Array) -> list[U32]:
    """The rows of an Arrow ``list<int32>`` column as uint32 arrays (views, no copies)."""
    offsets = column.offsets.to_numpy()
    values = column.values.to_numpy(zero_copy_only=False).view(np.uint32)
    return [values[offsets[i] : offsets[i + 1]] for i in range(len(column))]


def similarity_batches(batches: ArrowBatches) -> ArrowBatches:
    """``(a, b, sa, sb, fa, fb)`` → ``(a, b, jaccard, containment, a_in_b, b_in_a,
    free_containment)``, exact, row by row (:func:`neardup.core.similarity.overlap`, as every
    engine verifies; ``free_containment`` of the sets without boilerplate)."""
    import pyarrow as pa

    for batch in batches:
        sa = _list_arrays(batch.column("sa"))
        sb = _list_arrays(batch.column("sb"))
        fa = _list_arrays(batch.column("fa"))
        fb = _list_arrays(batch.column("fb"))
        values = [overlap(x, y) for x, y in zip(sa, sb, strict=True)]
        free = [overlap(x, y).containment for x, y in zip(fa, fb, strict=True)]
        yield pa.RecordBatch.from_arrays(
            [
                batch.column("a"),
                batch.column("b"),
                pa.array([v.jaccard for v in values], pa.float64()),
                pa.array([v.containment for v in values], pa.float64()),
                pa.array([v.a_in_b for v in values], pa.float64()),
                pa.array([v.b_in_a for v in values], pa.float64()),
                pa.array(free, pa.float64()),
            ],
            names=["a", "b", "jaccard", "containment", "a_in_b", "b_in_a", "free_containment"],
        )


def enough_shared_function(containment: float) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(a, b, count_a, count_b, shared)`` → the ``(a, b)``
    rows that share enough fingerprints for ``containment``."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            shared, count_a, count_b = (
                batch.column(name).to_numpy(zero_copy_only=False)
                for name in ("shared", "count_a", "count_b")
            )
            enough = enough_shared(shared, count_a, count_b, containment)
            yield pa.RecordBatch.from_arrays(
                [batch.column("a"), batch.column("b")], names=["a", "b"]
            ).filter(pa.array(enough))

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


