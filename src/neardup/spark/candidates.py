"""Candidate pairs on Spark SQL: documents sharing an LSH band key, and documents sharing
enough values of a search mode (winnowed fingerprints for a containment search, distinctive
4-grams for the rewrite search, rare sampled shingles for the copies judgement); the joins
that :func:`neardup.core.lsh.candidate_pairs` and
:func:`neardup.core.fingerprints.shared_fingerprint_pairs` are locally.

Both take the rows of :func:`neardup.spark.udfs.hash_function` and give ``(a, b)`` pairs of
input order numbers, ``a < b``; the caller unites them and removes repeats once. Which pairs
share *enough* is decided by the local engine's own functions, on Arrow batches
(:data:`PairRule`, :func:`containment_rule`, :func:`rewrite_rule`, :func:`copies_rule`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._types import I64, U32
from ..core.fingerprints import enough_shared, within_budget
from ..core.rewrites import LEAST_SHARED as REWRITE_LEAST_SHARED
from ..core.rewrites import resembles_enough
from ..searches.copies import LEAST_SHARED as COPIES_LEAST_SHARED
from ..searches.copies import enough_rare
from ..searches.protocol import Bools
from .inputs import ORD
from .udfs import (
    KEY_PARTS_SCHEMA,
    PairRule,
    band_pairs_batches,
    key_parts_function,
    pair_rule_function,
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


@dataclass
class SharedValues:
    """A search mode's candidate pairs and what its candidate stage cut."""

    pairs: DataFrame
    """``(a, b)``, ``a < b``, the pairs the mode's rule keeps."""
    common: U32
    """The values held by more documents than the cut, sorted (boilerplate, common 4-grams,
    formula shingles)."""
    max_df: int
    """The cut applied: the one asked for, or lower when the pairs would not fit the local
    engine's budget (:func:`neardup.core.fingerprints.within_budget`, so both cut alike)."""


def shared_value_pairs(
    hashed: DataFrame,
    column: str,
    max_df: int,
    documents: int,
    rule: PairRule,
    keep: Callable[[DataFrame], DataFrame],
) -> SharedValues:
    """The pairs of documents sharing values of ``column`` (an ``array<int>`` of each
    document's distinct values), as :func:`neardup.core.fingerprints.shared_fingerprint_pairs`
    finds them, kept by ``rule``.

    Rows sharing a value form a group. How many values each number of documents holds is
    counted (a small aggregate to the driver) and the cut chosen from it as locally
    (:func:`~neardup.core.fingerprints.within_budget` of ``max_df`` and the ``documents``
    not skipped); a value held by more documents than the cut is collected (the
    ``common`` values, sorted) and makes no pairs; the others give every pair of their
    documents. Each pair's shared values are counted, with each document's count of values
    and of common values, and ``rule`` (the local engine's function) keeps the pairs on
    Arrow batches, so the engines cannot drift apart. ``keep`` persists the value
    frequencies, which are read several times.
    """
    from pyspark.sql import functions as F

    held = hashed.select(
        ORD, F.size(column).alias("held"), F.explode(column).alias("value")
    )
    frequency = keep(held.groupBy("value").agg(F.count("*").alias("frequency")))
    frequencies = np.zeros(max_df + 2, dtype=np.int64)
    for row in (frequency.groupBy(F.least("frequency", F.lit(max_df + 1)).alias("held_by"))
                .count().collect()):
        frequencies[int(row[0])] = int(row[1])
    cut = within_budget(frequencies, max_df, documents)
    common = np.sort(np.array(
        [row[0] for row in frequency.where(F.col("frequency") > cut).select("value").collect()],
        dtype=np.int64,
    ).astype(np.int32).view(np.uint32))
    useful = frequency.where((F.col("frequency") >= 2) & (F.col("frequency") <= cut))
    # sort-merge joins: the values held by few documents are most of them, and a hash table
    # of them broadcast from the driver would not fit its memory on a large collection
    members = held.join(useful.select("value").hint("merge"), "value")
    shared = (
        members.alias("x")
        .join(members.alias("y").hint("merge"), "value")
        .where(F.col(f"x.{ORD}") < F.col(f"y.{ORD}"))
        .select(
            F.col(f"x.{ORD}").alias("a"), F.col(f"y.{ORD}").alias("b"),
            F.col("x.held").alias("count_a"), F.col("y.held").alias("count_b"),
        )
        .groupBy("a", "b", "count_a", "count_b")  # counts follow from a and b
        .agg(F.count("*").alias("shared"))
    )
    held_common = (
        held.join(F.broadcast(frequency.where(F.col("frequency") > cut).select("value")),
                  "value")
        .groupBy(ORD).agg(F.count("*").alias("common"))
    )
    zero = F.lit(0).cast("long")
    with_common = (
        shared.join(held_common.select(F.col(ORD).alias("a"), F.col("common").alias("common_a")),
                    "a", "left")
        .join(held_common.select(F.col(ORD).alias("b"), F.col("common").alias("common_b")),
              "b", "left")
        .select("a", "b", "count_a", "count_b", F.coalesce("common_a", zero).alias("common_a"),
                F.coalesce("common_b", zero).alias("common_b"), "shared")
    ) if common.size else shared.select(
        "a", "b", "count_a", "count_b", zero.alias("common_a"), zero.alias("common_b"),
        "shared",
    )
    pairs = with_common.mapInArrow(pair_rule_function(rule), "a long, b long")
    return SharedValues(pairs, common, cut)


def containment_rule(containment: float) -> PairRule:
    """The containment search's candidates: enough fingerprints shared for ``containment``
    (:func:`neardup.core.fingerprints.enough_shared`)."""

    def rule(shared: I64, count_a: I64, count_b: I64, common_a: I64, common_b: I64) -> Bools:
        return enough_shared(shared, count_a, count_b, containment)

    return rule


def rewrite_rule(rewrite: float) -> PairRule:
    """The rewrite search's candidates, as :func:`neardup.core.rewrites.resembling_pairs`
    keeps them: at least its least shared 4-grams, and a Jaccard of the distinctive sets
    (without the common 4-grams) that reaches ``rewrite``
    (:func:`neardup.core.rewrites.resembles_enough`)."""

    def rule(shared: I64, count_a: I64, count_b: I64, common_a: I64, common_b: I64) -> Bools:
        return enough_shared(shared, count_a, count_b, 0.0, REWRITE_LEAST_SHARED) & (
            resembles_enough(shared, count_a - common_a, count_b - common_b, rewrite))

    return rule


def copies_rule() -> PairRule:
    """The copies judgement's own candidates, as
    :meth:`neardup.searches.copies.SpecificCopies.candidates` keeps them: its least shared
    rare sampled shingles, and enough of them for the smaller document
    (:func:`neardup.searches.copies.enough_rare`)."""

    def rule(shared: I64, count_a: I64, count_b: I64, common_a: I64, common_b: I64) -> Bools:
        return enough_shared(shared, count_a, count_b, 1e-9, COPIES_LEAST_SHARED) & (
            enough_rare(shared, count_a, count_b))

    return rule
