"""Candidate pairs on Spark SQL: documents sharing an LSH band key, and for a containment
search documents sharing enough winnowed fingerprints; the joins that
:func:`neardup.core.lsh.candidate_pairs` and
:func:`neardup.core.fingerprints.shared_fingerprint_pairs` are locally.

Both take the rows of :func:`neardup.spark.udfs.hash_function` and give ``(a, b)`` pairs of
input order numbers, ``a < b``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .._types import U32
from ..core.lsh import MAX_GROUP
from .inputs import ORD
from .udfs import enough_shared_function

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def candidate_pairs(hashed: DataFrame) -> DataFrame:
    """Distinct candidate pairs ``(a, b)``, ``a < b``, as
    :func:`neardup.core.lsh.candidate_pairs`.

    Rows sharing ``(band, key)`` form a group; a group of at most ``MAX_GROUP`` rows gives
    all its pairs (a self-join), a larger one a star from its smallest order number.
    """
    from pyspark.sql import functions as F

    keys = hashed.select(ORD, F.posexplode("keys").alias("band", "key"))
    groups = (
        keys.groupBy("band", "key")
        .agg(F.count("*").alias("size"), F.min(ORD).alias("first"))
        .where(F.col("size") > 1)
    )
    members = keys.join(groups, ["band", "key"])
    small = members.where(F.col("size") <= MAX_GROUP).select("band", "key", ORD)
    all_pairs = (
        small.alias("x")
        .join(small.alias("y"), ["band", "key"])
        .where(F.col(f"x.{ORD}") < F.col(f"y.{ORD}"))
        .select(F.col(f"x.{ORD}").alias("a"), F.col(f"y.{ORD}").alias("b"))
    )
    stars = (
        members.where((F.col("size") > MAX_GROUP) & (F.col(ORD) != F.col("first")))
        .select(F.col("first").alias("a"), F.col(ORD).alias("b"))
    )
    return all_pairs.union(stars).distinct()


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


