"""The neardup pipeline on Apache Spark DataFrames, with the same result as the local one.

Extra ``neardup[spark]`` (pyspark, pyarrow, pandas). What runs where:

* **Python workers** (``mapInArrow``, one Arrow batch of documents at a time, the stages
  every engine shares): normalization, MinHash signatures and LSH band keys, and for a
  containment search each document's winnowed fingerprints
  (:func:`neardup.stages.hashing.hash_batch`, as the local engine hashes); shingle sets of
  candidate documents (:func:`neardup.stages.hashing.shingle_sets`); exact Jaccard,
  containment and the two directional shares of candidate pairs
  (:func:`neardup.core.similarity.overlap`); the rule that says whether a pair shares
  enough fingerprints to be a containment candidate
  (:func:`neardup.core.fingerprints.enough_shared`, the local engine's own function).
* **Spark SQL** (JVM): candidate pairs by grouping band keys on ``(band, key)`` (groups of at
  most :data:`neardup.core.lsh.MAX_GROUP` documents give all their pairs, larger ones a star
  from their earliest document, as locally); for a containment search, candidate pairs by
  grouping fingerprints (a fingerprint held by more than ``max_df`` documents is counted as
  boilerplate and makes no pairs; the others give all their pairs, with the number of
  fingerprints each pair shares), united with the LSH candidates, as
  :func:`neardup.core.fingerprints.shared_fingerprint_pairs` does locally; joins of pairs to
  shingle sets, the threshold (Jaccard at least ``threshold``, or containment at least
  ``containment`` with and without the boilerplate's text), connected components of the
  pairs at or above the Jaccard threshold only (alternating large-star / small-star rounds
  until the edge set no longer changes, no GraphFrames), representatives and the final
  ordering: the steps of :func:`neardup.stages.verification.verify_candidates`, as joins
  over DataFrames instead of loops in one process.
* **Driver**: only parameters, small validation results, the boilerplate
  fingerprints and the convergence checks; no per-document data is collected, so clusters
  scale beyond the driver's memory.

**Input order.** Locally, the first document of a pair is the one that comes first in input,
large LSH groups are stars from their earliest member and ties between equally long
representatives go to the earliest document. On Spark the input order is the value of
``order_col`` when given (a unique integer column), else ``monotonically_increasing_id()``
taken once at input: the partition index, then the row position in the partition. For a
DataFrame made from a local list, or a single file, that is the file order;
:func:`scan_spark` builds an order column that follows the order of the given paths and of
the lines in each file (as :func:`neardup.load_documents` reads them).

Example (not run as a doctest: it needs a Spark session)::

    from neardup.spark import find_duplicates_spark
    df = spark.read.parquet("docs/")              # columns id, text
    pairs, clusters = find_duplicates_spark(df, threshold=0.8, containment=0.3)
    pairs.write.parquet("out/pairs")              # a, b, jaccard, containment, a_in_b, b_in_a
    clusters.write.parquet("out/clusters")        # id, cluster_id, representative, similarity
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._types import U32, ShingleUnit
from .core.arrays import starts_of
from .core.fingerprints import enough_shared
from .core.lsh import MAX_GROUP
from .core.normalize import DEFAULT_MARKERS
from .core.similarity import overlap
from .errors import DuplicateIdError, InputError, ParameterError, require
from .parameters import DEFAULT_MAX_DF, Parameters
from .searches.containment import NAME as CONTAINMENT
from .searches.containment import sets_without_boilerplate
from .searches.near_duplicates import NAME as NEAR_DUPLICATES
from .searches.near_duplicates import keys_of
from .searches.protocol import packed
from .stages.hashing import (
    BATCH_DOCS,
    hash_batch,
    normalized_codepoints,
    shingle_sets,
    signatures_of_codepoints,
)
from .stages.intake import skip_reason

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

ArrowBatches = Iterator["pa.RecordBatch"]
ArrowFunction = Callable[[ArrowBatches], ArrowBatches]

MAX_ROUNDS = 200
"""Most large-star/small-star rounds before giving up (a round at least halves the depth of
the label forest in practice; near-duplicate graphs converge in a handful)."""

_PARTITION_SHIFT = 33
"""``monotonically_increasing_id()`` puts the partition index above bit 33."""

_ORD, _ID, _TEXT = "_nd_ord", "_nd_id", "_nd_text"
_OVERLAP_SCHEMA = (
    "a long, b long, jaccard double, containment double, a_in_b double, b_in_a double, "
    "free_containment double"
)

PAIRS_SCHEMA = (
    "a string, b string, jaccard double, containment double, a_in_b double, b_in_a double"
)
CLUSTERS_SCHEMA = "id string, cluster_id string, representative string, similarity double"
SKIPPED_SCHEMA = "id string, reason string"


def _import_spark() -> Any:
    """``pyspark.sql.functions``, or :class:`MissingDependencyError` naming the extra."""
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        from pyspark.sql import functions
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "pyspark"
        require(missing, "spark")
    return functions


@dataclass
class SparkResult:
    """Everything :func:`find_duplicates_spark` computed, as Spark DataFrames.

    Attributes:
        pairs: ``a, b, jaccard, containment, a_in_b, b_in_a`` (:data:`PAIRS_SCHEMA`); ``a``
            comes before ``b`` in input order.
        clusters: ``id, cluster_id, representative, similarity``; ``cluster_id`` is the id of
            the cluster's earliest document, ``similarity`` the Jaccard to the representative.
        skipped: ``id, reason`` of documents with nothing left after normalization.
        parameters: the validated parameters.
        common_fingerprints: fingerprints of a containment search held by more than
            ``max_df`` documents, cut as boilerplate (0 without a containment search); the
            local report's ``counts.common_fingerprints``.
        cached: DataFrames persisted on the way; :meth:`unpersist` frees them once the
            outputs are written.
    """

    pairs: DataFrame
    clusters: DataFrame
    skipped: DataFrame
    parameters: Parameters
    common_fingerprints: int = 0
    cached: list[DataFrame] = field(default_factory=list, repr=False)
    members: DataFrame | None = field(default=None, repr=False)
    """``node, root, length``: each clustered document's input order, its cluster's
    (the earliest member's order) and its normalized length."""

    def unpersist(self) -> None:
        """Free the cached intermediate DataFrames (the outputs cannot be read afterwards)."""
        for frame in self.cached:
            frame.unpersist()
        self.cached.clear()


def find_duplicates_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    threshold: float = 0.7,
    containment: float | None = None,
    max_df: int | None = None,
    ngram: int = 5,
    unit: ShingleUnit = "char",
    num_perm: int = 128,
    seed: int = 1,
    bands: int | None = None,
    html: bool = False,
    markers: Sequence[str] | None = None,
    order_col: str | None = None,
    script: str | None = None,
    synonyms: bool = False,
) -> tuple[DataFrame, DataFrame]:
    """Near-duplicate pairs and clusters of a DataFrame of documents, as :func:`find_duplicates`,
    and with ``containment`` the pairs where one document copies part of the other.

    The pairs and clusters equal those of :func:`neardup.find_duplicates` on the same
    documents in the same order (exact verification); see the module docstring for what
    "order" means on Spark.

    Args:
        df: one row per document.
        id_col: column of unique document ids (cast to string).
        text_col: string column of document texts; null or empty-after-normalization texts
            are skipped.
        threshold: minimum Jaccard similarity of shingle sets, in (0, 1].
        containment: also report pairs whose containment (the share of the smaller
            document's shingles found in the other) is at least this, whatever their
            Jaccard; candidates come from shared winnowed fingerprints, as locally. Clusters
            join only pairs at or above ``threshold``.
        max_df: fingerprints held by more documents than this are boilerplate and make no
            containment candidates (default 50; counted in
            :attr:`SparkResult.common_fingerprints`).
        ngram: shingle size, in characters (``unit="char"``) or jieba words (``"word"``).
        unit: ``"char"`` or ``"word"``.
        num_perm: MinHash permutations.
        seed: permutation seed (as datasketch's).
        bands: LSH bands (must divide num_perm); chosen from the threshold when None.
        html: strip HTML tags and entities before normalizing.
        markers: regular expressions removed before normalizing (default: scraper markers).
        order_col: unique integer column giving the input order; when None,
            ``monotonically_increasing_id()`` taken at input.
        script: ``"simplified"`` folds traditional characters to simplified ones.
        synonyms: fold words to their synonym class (extended HIT Cilin).

    Returns:
        ``(pairs, clusters)``: pairs ``a, b, jaccard, containment, a_in_b, b_in_a``
        (``a_in_b``: the share of a's shingles found in b) sorted by input order of ``a``
        then ``b``; clusters ``id, cluster_id, representative, similarity`` sorted by
        cluster (earliest member first), then member input order.

    Raises:
        MissingDependencyError: pyspark, pyarrow or pandas is not installed.
        ParameterError: a parameter is out of range.
        InputError: a column is missing or of the wrong type, or an id/order value is null.
        DuplicateIdError: two rows share an id.
    """
    result = find_duplicates_spark_result(
        df, id_col, text_col, threshold=threshold, containment=containment, max_df=max_df,
        ngram=ngram, unit=unit, num_perm=num_perm, seed=seed, bands=bands, html=html,
        markers=markers, order_col=order_col, script=script, synonyms=synonyms,
    )
    return result.pairs, result.clusters


def find_duplicates_spark_result(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    threshold: float = 0.7,
    containment: float | None = None,
    max_df: int | None = None,
    ngram: int = 5,
    unit: ShingleUnit = "char",
    num_perm: int = 128,
    seed: int = 1,
    bands: int | None = None,
    html: bool = False,
    markers: Sequence[str] | None = None,
    order_col: str | None = None,
    script: str | None = None,
    synonyms: bool = False,
) -> SparkResult:
    """:func:`find_duplicates_spark` with the skipped documents and the cached intermediates.

    Same arguments and errors as :func:`find_duplicates_spark`.
    """
    F = _import_spark()
    from pyspark import StorageLevel

    params = Parameters(
        threshold=threshold, containment=containment,
        max_df=DEFAULT_MAX_DF if max_df is None else max_df, ngram=ngram, unit=unit,
        num_perm=num_perm, seed=seed, bands=bands, verify="exact", html=html,
        markers=DEFAULT_MARKERS if markers is None else tuple(markers), script=script,
        synonyms=synonyms,
    )
    cached: list[DataFrame] = []

    def keep(frame: DataFrame) -> DataFrame:
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(frame)
        return frame

    docs = keep(_input_rows(df, id_col, text_col, order_col))
    _check_ids(docs, order_col)

    hashed = keep(docs.select(_ORD, _TEXT).mapInArrow(
        _hash_function(params),
        f"{_ORD} long, length long, keys array<long>, fingerprints array<int>, skip string",
    ))
    skipped = (
        hashed.where(F.col("skip").isNotNull())
        .join(docs.select(_ORD, _ID), _ORD)
        .orderBy(_ORD)
        .select(F.col(_ID).alias("id"), F.col("skip").alias("reason"))
    )
    candidates = _candidate_pairs(hashed, F)
    common = _EMPTY
    if params.containment is not None:
        copies, common = _fingerprint_pairs(
            hashed, params.containment, params.max_df, keep, F
        )
        candidates = candidates.union(copies).distinct()
    candidates = keep(candidates)
    needed = candidates.select(F.col("a").alias(_ORD)).union(
        candidates.select(F.col("b").alias(_ORD))
    ).distinct()
    sets = keep(
        docs.select(_ORD, _TEXT)
        .join(needed, _ORD, "left_semi")
        .mapInArrow(_set_function(params, common),
                    f"{_ORD} long, shingles array<int>, free array<int>")
    )
    similar = F.col("jaccard") >= params.threshold
    if params.containment is not None:  # a copy, with and without its boilerplate
        similar = similar | (
            (F.col("containment") >= params.containment)
            & (F.col("free_containment") >= params.containment)
        )
    verified = keep(_similarities(candidates, sets, F).where(similar).drop("free_containment"))
    ids = docs.select(_ORD, _ID)
    pairs = (
        verified.join(ids.select(F.col(_ORD).alias("a"), F.col(_ID).alias("a_id")), "a")
        .join(ids.select(F.col(_ORD).alias("b"), F.col(_ID).alias("b_id")), "b")
        .orderBy("a", "b")
        .select(
            F.col("a_id").alias("a"), F.col("b_id").alias("b"),
            "jaccard", "containment", "a_in_b", "b_in_a",
        )
    )
    # Clusters join near-duplicates only: partial copies are pairs, not cluster edges.
    near = verified.where(F.col("jaccard") >= params.threshold).select("a", "b")
    members = connected_components(near, cached).join(
        hashed.select(F.col(_ORD).alias("node"), "length"), "node"
    )
    clusters = _cluster_rows(members, ids, sets, F)
    return SparkResult(
        pairs, clusters, skipped, params, common_fingerprints=int(common.size), cached=cached,
        members=members,
    )


def _input_rows(df: DataFrame, id_col: str, text_col: str, order_col: str | None) -> DataFrame:
    """``(_nd_ord long, _nd_id string, _nd_text string)``, with columns checked."""
    F = _import_spark()
    from pyspark.sql.types import IntegralType, StringType

    fields = {f.name: f.dataType for f in df.schema.fields}
    for role, name in (("id", id_col), ("text", text_col), ("order", order_col)):
        if name is not None and name not in fields:
            raise InputError(
                f"{role} column {name!r} is not in the DataFrame (columns: {sorted(fields)})"
            )
    if not isinstance(fields[text_col], StringType):
        raise InputError(
            f"text column {text_col!r} must be a string column "
            f"(got {fields[text_col].simpleString()})"
        )
    if order_col is not None and not isinstance(fields[order_col], IntegralType):
        raise InputError(
            f"order column {order_col!r} must be an integer column "
            f"(got {fields[order_col].simpleString()})"
        )
    order = (
        F.col(order_col).cast("long") if order_col is not None
        else F.monotonically_increasing_id()
    )
    return df.select(
        order.alias(_ORD), F.col(id_col).cast("string").alias(_ID), F.col(text_col).alias(_TEXT)
    )


def _check_ids(docs: DataFrame, order_col: str | None) -> None:
    """Raise on null or duplicate ids (and null or duplicate order values)."""
    F = _import_spark()
    bad = (
        docs.groupBy(_ID).count()
        .where(F.col(_ID).isNull() | (F.col("count") > 1))
        .select(_ID).limit(11).collect()
    )
    if any(row[0] is None for row in bad):
        raise InputError("the id column is null in some rows; every document needs an id")
    if bad:
        raise DuplicateIdError(sorted(str(row[0]) for row in bad))
    if order_col is not None:
        clash = (
            docs.groupBy(_ORD).count()
            .where(F.col(_ORD).isNull() | (F.col("count") > 1))
            .limit(1).collect()
        )
        if clash and clash[0][0] is None:
            raise InputError(f"order column {order_col!r} is null in some rows")
        if clash:
            raise InputError(
                f"order column {order_col!r} has the value {clash[0][0]} in more than one row; "
                "it must be unique"
            )


def _hash_function(params: Parameters) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, text)`` → ``(ord, length, keys, fingerprints,
    skip)``.

    ``length`` is the normalized text's length in code points (what picks a cluster's
    representative, as locally), ``keys`` the document's band keys
    (uint64 viewed as int64, one per band; empty when skipped), ``fingerprints`` its
    distinct winnowed fingerprints (uint32 viewed as int32; empty unless ``params`` ask for
    a containment search), ``skip`` the reason a document is skipped, else null.
    """

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        bands = params.banding.bands
        for batch in batches:
            ords = batch.column(_ORD).to_numpy(zero_copy_only=False)
            texts: list[str | None] = batch.column(_TEXT).to_pylist()
            for lo in range(0, len(texts), BATCH_DOCS):
                chunk = texts[lo : lo + BATCH_DOCS]
                hashes = hash_batch([t or "" for t in chunk], params)
                keys, lengths = keys_of(hashes.of(NEAR_DUPLICATES)), hashes.lengths
                fingerprints = packed(hashes.of(CONTAINMENT))
                kept = lengths > 0
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
                    ],
                    names=[_ORD, "length", "keys", "fingerprints", "skip"],
                )

    return run


_EMPTY: U32 = np.empty(0, dtype=np.uint32)


def _set_function(params: Parameters, common: U32) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, text)`` → ``(ord, shingles, free)``, the sorted
    unique uint32 shingle hashes of the normalized text, stored as ``array<int>`` (same
    bits), and those without the boilerplate of the ``common`` fingerprints
    (:func:`neardup.searches.containment.sets_without_boilerplate`; the same as ``shingles`` when
    there is none)."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            texts: list[str | None] = batch.column(_TEXT).to_pylist()
            cps = normalized_codepoints([t or "" for t in texts], params)
            sets = shingle_sets(cps, params)
            free = sets_without_boilerplate(cps, params, common) if common.size else sets
            yield pa.RecordBatch.from_arrays(
                [batch.column(_ORD), _list_column(sets), _list_column(free)],
                names=[_ORD, "shingles", "free"],
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
    values = np.concatenate(sets) if sets else _EMPTY
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32)), pa.array(values.view(np.int32))
    )


def _list_arrays(column: pa.Array) -> list[U32]:
    """The rows of an Arrow ``list<int32>`` column as uint32 arrays (views, no copies)."""
    offsets = column.offsets.to_numpy()
    values = column.values.to_numpy(zero_copy_only=False).view(np.uint32)
    return [values[offsets[i] : offsets[i + 1]] for i in range(len(column))]


def _similarity_batches(batches: ArrowBatches) -> ArrowBatches:
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


def _similarities(edges: DataFrame, sets: DataFrame, F: Any) -> DataFrame:
    """Exact Jaccard, containment and the two shares of each ``(a, b)`` row (input order
    numbers)."""
    left = sets.select(
        F.col(_ORD).alias("a"), F.col("shingles").alias("sa"), F.col("free").alias("fa")
    )
    right = sets.select(
        F.col(_ORD).alias("b"), F.col("shingles").alias("sb"), F.col("free").alias("fb")
    )
    return (
        edges.join(left, "a")
        .join(right, "b")
        .select("a", "b", "sa", "sb", "fa", "fb")
        .mapInArrow(_similarity_batches, _OVERLAP_SCHEMA)
    )


def _candidate_pairs(hashed: DataFrame, F: Any) -> DataFrame:
    """Distinct candidate pairs ``(a, b)``, ``a < b``, as
    :func:`neardup.core.lsh.candidate_pairs`.

    Rows sharing ``(band, key)`` form a group; a group of at most ``MAX_GROUP`` rows gives
    all its pairs (a self-join), a larger one a star from its smallest order number.
    """
    keys = hashed.select(_ORD, F.posexplode("keys").alias("band", "key"))
    groups = (
        keys.groupBy("band", "key")
        .agg(F.count("*").alias("size"), F.min(_ORD).alias("first"))
        .where(F.col("size") > 1)
    )
    members = keys.join(groups, ["band", "key"])
    small = members.where(F.col("size") <= MAX_GROUP).select("band", "key", _ORD)
    all_pairs = (
        small.alias("x")
        .join(small.alias("y"), ["band", "key"])
        .where(F.col(f"x.{_ORD}") < F.col(f"y.{_ORD}"))
        .select(F.col(f"x.{_ORD}").alias("a"), F.col(f"y.{_ORD}").alias("b"))
    )
    stars = (
        members.where((F.col("size") > MAX_GROUP) & (F.col(_ORD) != F.col("first")))
        .select(F.col("first").alias("a"), F.col(_ORD).alias("b"))
    )
    return all_pairs.union(stars).distinct()


def _fingerprint_pairs(
    hashed: DataFrame,
    containment: float,
    max_df: int,
    keep: Callable[[DataFrame], DataFrame],
    F: Any,
) -> tuple[DataFrame, U32]:
    """Candidate pairs ``(a, b)``, ``a < b``, of a containment search, and the fingerprints
    cut as boilerplate (sorted; verification sets their text aside), as
    :func:`neardup.core.fingerprints.shared_fingerprint_pairs` finds them.

    Rows sharing a fingerprint form a group. A fingerprint held by more than ``max_df``
    documents is collected (one small job on the driver) and makes no pairs; the others give
    every pair of their documents. The pairs' shared fingerprints are counted, and a pair is
    a candidate when :func:`neardup.core.fingerprints.enough_shared` says so: the very
    function the local engine uses, run on Arrow batches of ``(shared, count_a, count_b)``,
    so the two cannot drift apart.
    """
    held = hashed.select(
        _ORD,
        F.size("fingerprints").alias("held"),
        F.explode("fingerprints").alias("fingerprint"),
    )
    frequency = keep(held.groupBy("fingerprint").agg(F.count("*").alias("frequency")))
    common = np.sort(np.array(
        [row[0] for row in frequency.where(F.col("frequency") > max_df).select("fingerprint")
         .collect()],
        dtype=np.int64,
    ).astype(np.int32).view(np.uint32))
    useful = frequency.where(
        (F.col("frequency") >= 2) & (F.col("frequency") <= max_df)
    ).select("fingerprint")
    members = held.join(useful, "fingerprint")
    shared = (
        members.alias("x")
        .join(members.alias("y"), "fingerprint")
        .where(F.col(f"x.{_ORD}") < F.col(f"y.{_ORD}"))
        .select(
            F.col(f"x.{_ORD}").alias("a"), F.col(f"y.{_ORD}").alias("b"),
            F.col("x.held").alias("count_a"), F.col("y.held").alias("count_b"),
        )
        .groupBy("a", "b", "count_a", "count_b")  # counts follow from a and b
        .agg(F.count("*").alias("shared"))
    )
    pairs = shared.mapInArrow(_enough_shared_function(containment), "a long, b long")
    return pairs, common


def _enough_shared_function(containment: float) -> ArrowFunction:
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


def connected_components(edges: DataFrame, cached: list[DataFrame]) -> DataFrame:
    """``(node, root)`` for every node of an edge list ``(a, b)`` (long columns), root = the
    component's smallest node; the final edges are appended to ``cached``.

    Alternating large-star and small-star rounds (Kiveris et al., "Connected Components in
    MapReduce and Beyond", 2014) over ``(lo, hi)`` edges, ``lo < hi``:

    * large-star: every node ``u`` links each larger neighbour to ``m(u)``, the smallest of
      ``u`` and its neighbours;
    * small-star: every node ``u`` links itself and each smaller neighbour to the smallest
      of them.

    Both keep the components; the fixed point (checked as "the edge set did not change") is
    a star per component centred on its smallest node. Each round's edges are materialized
    with ``localCheckpoint`` so the query plan does not grow.
    """
    F = _import_spark()
    current = _ordered_edges(edges.select(F.col("a").alias("u"), F.col("b").alias("v")), F)
    current = current.localCheckpoint()
    stats = _edge_stats(current, F)
    for _ in range(MAX_ROUNDS):
        step = _small_star(_large_star(current, F), F).localCheckpoint()
        step_stats = _edge_stats(step, F)
        # Same size and hash sum: confirm exactly (once, at the end) before stopping.
        unchanged = step_stats == stats and step.exceptAll(current).isEmpty()
        current, stats = step, step_stats
        if unchanged:
            break
    else:  # pragma: no cover - needs a pathological graph
        raise ParameterError(f"connected components did not converge in {MAX_ROUNDS} rounds")
    cached.append(current)
    roots = current.select("u").distinct()
    return current.select(F.col("v").alias("node"), F.col("u").alias("root")).union(
        roots.select(F.col("u").alias("node"), F.col("u").alias("root"))
    )


def _edge_stats(edges: DataFrame, F: Any) -> tuple[int, int]:
    """Number of edges and the sum of their 64-bit hashes (one cheap job on cached edges)."""
    row = edges.agg(
        F.count("*").alias("n"), F.sum(F.xxhash64("u", "v").cast("decimal(38,0)")).alias("h")
    ).first()
    if row is None:  # pragma: no cover - a global aggregate always has one row
        return 0, 0
    return int(row["n"]), int(row["h"] or 0)


def _ordered_edges(edges: DataFrame, F: Any) -> DataFrame:
    """Edges as distinct ``(u, v)`` with ``u < v``, self-loops dropped."""
    return (
        edges.where(F.col("u") != F.col("v"))
        .select(F.least("u", "v").alias("u"), F.greatest("u", "v").alias("v"))
        .distinct()
    )


def _large_star(edges: DataFrame, F: Any) -> DataFrame:
    both = edges.select(F.col("u").alias("n"), F.col("v").alias("m")).union(
        edges.select(F.col("v").alias("n"), F.col("u").alias("m"))
    )
    smallest = both.groupBy("n").agg(F.min("m").alias("low"))
    linked = (
        both.where(F.col("m") > F.col("n"))
        .join(smallest, "n")
        .select(F.col("m").alias("u"), F.least("n", "low").alias("v"))
    )
    return _ordered_edges(linked, F)


def _small_star(edges: DataFrame, F: Any) -> DataFrame:
    # (u, v) with u < v: v's smaller neighbours are the u's.
    smallest = edges.groupBy("v").agg(F.min("u").alias("low"))
    spokes = edges.join(smallest, "v")
    linked = spokes.select(F.col("u"), F.col("low").alias("v")).union(
        smallest.select(F.col("v").alias("u"), F.col("low").alias("v"))
    )
    return _ordered_edges(linked, F)


def _cluster_rows(members: DataFrame, ids: DataFrame, sets: DataFrame, F: Any) -> DataFrame:
    """Cluster rows of ``node, root, length`` members: representative = longest text, ties
    to the earliest document."""
    from pyspark.sql import Window

    by_cluster = Window.partitionBy("root")
    best = F.max(F.struct(F.col("length"), (-F.col("node")).alias("neg")))
    members = members.withColumn("rep", -best.over(by_cluster).getField("neg"))
    others = members.where(F.col("node") != F.col("rep")).select(
        F.col("rep").alias("a"), F.col("node").alias("b")
    )
    similar = _similarities(others, sets, F).select(
        F.col("b").alias("node"), F.col("jaccard").alias("similarity")
    )
    names = ids.select(F.col(_ORD).alias("key"), F.col(_ID).alias("name"))

    def named(column: str, alias: str) -> DataFrame:
        return names.select(F.col("key").alias(column), F.col("name").alias(alias))

    return (
        members.join(similar, "node", "left")
        .join(named("node", "id"), "node")
        .join(named("root", "cluster_id"), "root")
        .join(named("rep", "representative"), "rep")
        .orderBy("root", "node")
        .select(
            "id", "cluster_id", "representative",
            F.coalesce(F.col("similarity"), F.lit(1.0)).alias("similarity"),
        )
    )


def signatures_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    ngram: int = 5,
    unit: ShingleUnit = "char",
    num_perm: int = 128,
    seed: int = 1,
    html: bool = False,
    markers: Sequence[str] | None = None,
) -> DataFrame:
    """MinHash signatures of a DataFrame's documents: ``id string, signature binary``.

    ``signature`` is ``num_perm`` little-endian uint32 values
    (``np.frombuffer(row.signature, "<u4")``), bit-identical to :func:`neardup.signatures`
    with the same parameters: an empty (or null) document gets the empty signature, all
    0xFFFFFFFF, as in datasketch.

    Raises:
        ParameterError: a parameter is out of range.
        InputError: a column is missing or not a string column.
    """
    _import_spark()
    params = Parameters(
        ngram=ngram, unit=unit, num_perm=num_perm, seed=seed, html=html,
        markers=DEFAULT_MARKERS if markers is None else tuple(markers),
    )
    docs = _input_rows(df, id_col, text_col, None)
    return docs.select(_ID, _TEXT).mapInArrow(
        _signature_function(params), "id string, signature binary"
    )


def _signature_function(params: Parameters) -> ArrowFunction:
    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            texts: list[str | None] = batch.column(_TEXT).to_pylist()
            cps = normalized_codepoints([t or "" for t in texts], params)
            sigs, _ = signatures_of_codepoints(cps, params)
            sigs = sigs.astype("<u4", copy=False)
            yield pa.RecordBatch.from_arrays(
                [batch.column(_ID), pa.array([row.tobytes() for row in sigs], pa.binary())],
                names=["id", "signature"],
            )

    return run


def read_documents_spark(
    spark: SparkSession,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    id_col: str = "id",
    text_col: str = "text",
    file_format: str | None = None,
    all_columns: bool = False,
) -> DataFrame:
    """Parquet or JSON Lines files as ``(id_col, text_col, _nd_input_order)`` rows (with
    ``all_columns``, every column of the files and ``_nd_input_order``).

    ``_nd_input_order`` follows the order of ``paths``, then of the files of each path
    (sorted by name), then of the rows in each file, as :func:`neardup.load_documents` reads
    them. The format is taken from ``file_format`` (``"parquet"`` or ``"json"``) or the
    first path's suffix (``.parquet``/``.parq`` → Parquet, ``.jsonl``, ``.json``,
    ``.ndjson`` (optionally ``.gz``) → JSON Lines); a directory without a suffix is read as
    Parquet.

    Raises:
        InputError: no paths, an unknown format, or a column missing from the data.
    """
    F = _import_spark()
    from pyspark.sql import Window

    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise InputError("no input paths given")
    fmt = file_format or _guess_format(str(items[0]))
    if fmt not in ("parquet", "json"):
        raise InputError(f"file_format must be 'parquet' or 'json' (got {fmt!r})")
    frames = []
    for index, item in enumerate(items):
        reader = spark.read.option("recursiveFileLookup", "true")
        raw = reader.parquet(str(item)) if fmt == "parquet" else reader.json(str(item))
        for role, name in (("id", id_col), ("text", text_col)):
            if name not in raw.columns:
                raise InputError(f"{item}: no {role} column {name!r} (columns: {raw.columns})")
        columns = [F.col(c) for c in raw.columns] if all_columns else [
            F.col(id_col), F.col(text_col)
        ]
        frames.append(raw.select(
            *columns, F.lit(index).alias("_nd_path"),
            F.col("_metadata.file_path").alias("_nd_file"),
        ))
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame, allowMissingColumns=all_columns)
    rows = rows.withColumn("_nd_mono", F.monotonically_increasing_id())
    rows = rows.withColumn("_nd_part", F.shiftright("_nd_mono", _PARTITION_SHIFT))
    # Each (path, file, partition) run of rows is contiguous and in file order inside its
    # partition; number the runs in (path, file name, partition) order, then rows by position.
    runs = (
        rows.select("_nd_path", "_nd_file", "_nd_part").distinct()
        .withColumn("_nd_run", F.row_number().over(
            Window.orderBy("_nd_path", "_nd_file", "_nd_part")
        ) - 1)
    )
    low_bits = (1 << _PARTITION_SHIFT) - 1
    return (
        rows.join(F.broadcast(runs), ["_nd_path", "_nd_file", "_nd_part"])
        .select(
            *([c for c in rows.columns if not c.startswith("_nd_")] if all_columns
              else [id_col, text_col]),
            (F.shiftleft(F.col("_nd_run").cast("long"), _PARTITION_SHIFT)
             + F.col("_nd_mono").bitwiseAND(F.lit(low_bits))).alias("_nd_input_order"),
        )
    )


def _guess_format(path: str) -> str:
    name = path.lower().rstrip("/")
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "json"
    if name.endswith((".parquet", ".parq")) or not Path(name).suffix:
        return "parquet"
    raise InputError(f"{path}: cannot tell the format from the name; pass file_format")


def scan_spark(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    master: str = "local[*]",
    id_col: str = "id",
    text_col: str = "text",
    file_format: str | None = None,
    spark: SparkSession | None = None,
    **params: Any,
) -> dict[str, int]:
    """Read Parquet or JSON Lines documents, find near-duplicates on Spark, write Parquet.

    Writes ``pairs/``, ``clusters/`` and ``skipped/`` (Parquet, overwritten) under
    ``output_dir``. Uses ``spark`` when given, else gets or creates a session on ``master``
    (an existing session, e.g. under ``spark-submit``, is reused).

    Args:
        paths: files or directories (see :func:`read_documents_spark`).
        output_dir: directory (or ``hdfs://``/``s3a://`` URI) for the outputs.
        master: Spark master when a new session is created.
        id_col: id column of the input.
        text_col: text column of the input.
        file_format: ``"parquet"`` or ``"json"``; from the first path's suffix when None.
        spark: an existing session.
        **params: parameters of :func:`find_duplicates_spark` (threshold, containment,
            max_df, ngram, unit, num_perm, seed, bands, html, markers, script, synonyms).

    Returns:
        Counts: ``documents``, ``skipped``, ``pairs``, ``clusters`` (documents in clusters
        are counted in ``clustered``), ``common_fingerprints`` (cut as boilerplate by a
        containment search; 0 without one).

    Raises:
        ParameterError: an unknown or out-of-range parameter.
        InputError: unreadable input (see :func:`read_documents_spark`).
    """
    allowed = {
        "threshold", "containment", "max_df", "ngram", "unit", "num_perm", "seed", "bands",
        "html", "markers", "script", "synonyms",
    }
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ParameterError(f"unknown parameter(s) for scan_spark: {', '.join(unknown)}")
    _import_spark()
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.master(master).appName("neardup").getOrCreate()
    docs = read_documents_spark(
        spark, paths, id_col=id_col, text_col=text_col, file_format=file_format
    )
    result = find_duplicates_spark_result(
        docs, id_col, text_col, order_col="_nd_input_order", **params
    )
    out = str(output_dir).rstrip("/")
    try:
        result.pairs.write.mode("overwrite").parquet(f"{out}/pairs")
        result.clusters.write.mode("overwrite").parquet(f"{out}/clusters")
        result.skipped.write.mode("overwrite").parquet(f"{out}/skipped")
        written = spark.read.parquet(f"{out}/clusters")
        return {
            "documents": int(docs.count()),
            "skipped": int(spark.read.parquet(f"{out}/skipped").count()),
            "pairs": int(spark.read.parquet(f"{out}/pairs").count()),
            "clusters": int(written.select("cluster_id").distinct().count()),
            "clustered": int(written.count()),
            "common_fingerprints": result.common_fingerprints,
        }
    finally:
        result.unpersist()


DEDUP_KEEPS = ("first", "longest")
"""The values of ``keep`` of :func:`deduplicate_spark`."""
_NODE = "_nd_node"


def deduplicate_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    keep: str = "first",
    prefer: str | None = None,
    cluster_col: str | None = None,
    order_col: str | None = None,
    **params: Any,
) -> DataFrame:
    """The rows of ``df`` that :func:`neardup.deduplicate` keeps: one document of each
    cluster of near-duplicates (identical texts included), every column as it was, and the
    rows of documents in no cluster (skipped ones too).

    The member kept is the one :func:`neardup.deduplicate` keeps on the same rows in the
    same order: the earliest (``keep="first"``), the longest normalized text
    (``"longest"``, ties to the earliest), or with ``prefer`` the largest value of that
    column (nulls last), then as ``keep`` says.

    Args:
        df: one row per document.
        id_col: column of unique document ids.
        text_col: string column of texts.
        keep: ``"first"`` or ``"longest"``.
        prefer: a column whose largest value wins (a quality score, a date).
        cluster_col: when given, add this column: the id of the earliest member of the
            row's cluster (null for a row in no cluster).
        order_col: unique integer column giving the input order (see the module
            docstring); when None, ``monotonically_increasing_id()`` taken at input.
        **params: parameters of :func:`find_duplicates_spark`.

    Raises:
        ParameterError: an unknown keep or parameter.
        InputError: a column is missing.
    """
    F = _import_spark()
    from pyspark import StorageLevel
    from pyspark.sql import Window

    if keep not in DEDUP_KEEPS:
        raise ParameterError(f"keep must be one of {DEDUP_KEEPS} (got {keep!r})")
    if prefer is not None and prefer not in df.columns:
        raise InputError(
            f"prefer column {prefer!r} is not in the DataFrame (columns: {sorted(df.columns)})"
        )
    if cluster_col is not None and cluster_col in df.columns:
        raise InputError(f"cluster column {cluster_col!r} is already in the DataFrame")
    rows = df
    if order_col is None:
        rows = df.withColumn(_NODE, F.monotonically_increasing_id()).persist(
            StorageLevel.MEMORY_AND_DISK
        )
    order = order_col or _NODE
    result = find_duplicates_spark_result(rows, id_col, text_col, order_col=order, **params)
    assert result.members is not None
    rank = [F.col("length") if keep == "longest" else F.lit(0), (-F.col("node")).alias("neg")]
    if prefer is not None:
        rank = [F.col(prefer).isNotNull(), F.col(prefer), *rank]
    ranked = result.members.join(
        rows.select(F.col(order).cast("long").alias("node"),
                    *([F.col(prefer)] if prefer is not None else [])),
        "node",
    )
    best = F.max(F.struct(*rank)).over(Window.partitionBy("root")).getField("neg")
    removed = (
        ranked.withColumn("_nd_best", -best)
        .where(F.col("node") != F.col("_nd_best"))
        .select(F.col("node").alias("_nd_removed"))
    )
    kept = rows.join(removed, F.col(order).cast("long") == F.col("_nd_removed"), "left_anti")
    if cluster_col is not None:
        names = rows.select(F.col(order).cast("long").alias("root"),
                            F.col(id_col).cast("string").alias(cluster_col))
        labels = result.members.select("node", "root").join(names, "root").select(
            F.col("node").alias("_nd_labelled"), cluster_col
        )
        kept = kept.join(labels, F.col(order).cast("long") == F.col("_nd_labelled"), "left")
        kept = kept.drop("_nd_labelled")
    return kept.orderBy(order).drop(_NODE) if order_col is None else kept.orderBy(order)


def dedup_spark(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    master: str = "local[*]",
    id_col: str = "id",
    text_col: str = "text",
    keep: str = "first",
    prefer: str | None = None,
    cluster_col: str | None = None,
    spark: SparkSession | None = None,
    **params: Any,
) -> dict[str, int]:
    """Read Parquet or JSON Lines records (every column), keep what
    :func:`deduplicate_spark` keeps, and write them as Parquet to ``output_dir`` (a local
    directory is written under a temporary name and renamed when complete).

    Returns:
        Counts: ``read`` and ``kept`` rows.
    """
    _import_spark()
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.master(master).appName("neardup").getOrCreate()
    rows = read_documents_spark(spark, paths, id_col=id_col, text_col=text_col,
                                all_columns=True)
    kept = deduplicate_spark(
        rows, id_col, text_col, keep=keep, prefer=prefer, cluster_col=cluster_col,
        order_col="_nd_input_order", **params,
    ).drop("_nd_input_order")
    out = str(output_dir).rstrip("/")
    local = "://" not in out
    partial = f"{out}.partial" if local else out
    kept.write.mode("overwrite").parquet(partial)
    if local:
        os.replace(partial, out)
    return {"read": int(rows.count()), "kept": int(spark.read.parquet(out).count())}
