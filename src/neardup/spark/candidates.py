"""Candidate pairs on Spark SQL: documents sharing an LSH band key, and for a containment
search documents sharing enough winnowed fingerprints; the joins that
:func:`neardup.core.lsh.candidate_pairs` and
:func:`neardup.core.fingerprints.shared_fingerprint_pairs` are locally.

Both take the rows of :func:`neardup.spark.udfs.hash_function` and give ``(a, b)`` pairs of
input order numbers, ``a < b``; the caller unites them and removes repeats once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .._types import U32
from .inputs import ORD
from .udfs import (
    KEY_PARTS_SCHEMA,
    band_pairs_batches,
    enough_shared_function,
    key_parts_function,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def candidate_pairs(hashed: DataFrame, parts: int) -> DataFrame:
    """Candidate pairs ``(a, b)``, ``a < b``, as :func:`neardup.core.lsh.candidate_pairs`
    finds them, possibly repeated (a pair sharing band keys of two parts).

    One exchange: each batch of documents' band keys is cut into ``parts`` parts by
    ``(band, key)`` in Python (:func:`neardup.spark.udfs.key_parts_function`: a few
    packed rows per batch, not a row per key), the parts are partitioned by part number,
    and each partition's keys are sorted and cut into groups
    (:func:`neardup.spark.udfs.band_pairs_batches`: a group of at most ``MAX_GROUP`` rows
    gives all its pairs, a larger one a star from its smallest order number).
    """
    return (
        hashed.select(ORD, "keys")
        .mapInArrow(key_parts_function(parts), KEY_PARTS_SCHEMA)
        .repartition(parts, "part")
        .mapInArrow(band_pairs_batches, "a long, b long")
    )


def fingerprint_pairs(
    hashed: DataFrame,
    containment: float,
    max_df: int,
    keep: Callable[[DataFrame], DataFrame],
) -> tuple[DataFrame, U32]:
    """Candidate pairs ``(a, b)``, ``a < b``, of a containment search, and the fingerprints
    cut as boilerplate (sorted; verification sets their text aside), as
    :func:`neardup.core.fingerprints.shared_fingerprint_pairs` finds them.

    Rows sharing a fingerprint form a group. A fingerprint held by more than ``max_df``
    documents is collected (one small job on the driver) and makes no pairs; the others give
    every pair of their documents. The pairs' shared fingerprints are counted, and a pair is
    a candidate when :func:`neardup.core.fingerprints.enough_shared` says so: the very
    function the local engine uses, run on Arrow batches of ``(shared, count_a, count_b)``,
    so the two cannot drift apart. ``keep`` persists the fingerprint counts, which are read
    twice.
    """
    from pyspark.sql import functions as F

    held = hashed.select(
        ORD,
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
        .where(F.col(f"x.{ORD}") < F.col(f"y.{ORD}"))
        .select(
            F.col(f"x.{ORD}").alias("a"), F.col(f"y.{ORD}").alias("b"),
            F.col("x.held").alias("count_a"), F.col("y.held").alias("count_b"),
        )
        .groupBy("a", "b", "count_a", "count_b")  # counts follow from a and b
        .agg(F.count("*").alias("shared"))
    )
    pairs = shared.mapInArrow(enough_shared_function(containment), "a long, b long")
    return pairs, common
