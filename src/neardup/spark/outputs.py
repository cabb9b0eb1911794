"""The outputs' columns (:data:`PAIRS_SCHEMA`, :data:`CLUSTERS_SCHEMA`,
:data:`SKIPPED_SCHEMA`), and the pairs and clusters named and ordered on the driver when they
are few (:func:`outputs_on_driver`): a few thousand verified pairs are named, sorted and given
their representatives in one pass of numpy instead of a score of small Spark jobs (the
joins that name ``a`` and ``b``, the window over each cluster, the global sorts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._types import F64, I64
from .inputs import ID, ORD

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

PAIRS_SCHEMA = (
    "a string, b string, jaccard double, containment double, a_in_b double, b_in_a double, "
    "exact boolean"
)
"""The columns of :attr:`~neardup.spark.pipeline.SparkResult.pairs`."""
CLUSTERS_SCHEMA = "id string, cluster_id string, representative string, similarity double"
"""The columns of :attr:`~neardup.spark.pipeline.SparkResult.clusters`."""
SKIPPED_SCHEMA = "id string, reason string"
"""The columns of :attr:`~neardup.spark.pipeline.SparkResult.skipped`."""

DRIVER_ROWS = 2_000_000
"""Reported pairs, and clustered documents, up to which the outputs are made on the driver
(a pair's row is under a hundred bytes: 200 MB at most); more stay Spark joins."""

PAIR_COLUMNS = tuple(column.split()[0] for column in PAIRS_SCHEMA.split(", "))[2:]
"""The columns of every pairs row after ``a`` and ``b``, before a search's own."""


@dataclass(frozen=True)
class Similar:
    """How the overlaps of pairs of documents are found on Spark (``of``: ``(a, b)`` rows
    to their Jaccard and shares), in which session."""

    spark: SparkSession
    of: Callable[[DataFrame], DataFrame]


@dataclass(frozen=True)
class Outputs:
    """The pairs, the pairs set apart (None without the copies judgement) and the clusters,
    as DataFrames of tables made on the driver."""

    pairs: DataFrame
    set_apart: DataFrame | None
    clusters: DataFrame


def outputs_on_driver(
    reported: DataFrame,
    set_apart: DataFrame | None,
    members: DataFrame,
    ids: DataFrame,
    similar: Callable[[DataFrame], DataFrame],
    extra: list[str],
    limit: int = DRIVER_ROWS,
) -> Outputs | None:
    """The outputs of :func:`~neardup.spark.pipeline.find_duplicates_spark_result` from
    persisted pairs of order numbers (``a, b``, the figures, ``extra``), clustered ``node,
    root, length`` rows and the ``ord, id`` names of the documents they involve, when none has
    more than ``limit`` rows; else None (the caller keeps its joins). The same rows in the
    same order as :func:`~neardup.spark.pipeline.named_pairs` and
    :func:`~neardup.spark.pipeline.cluster_rows` give: pairs by input order of ``a`` then
    ``b``; clusters by their earliest member, then member; the representative the longest
    text (ties to the earliest), ``similarity`` its Jaccard, taken from the reported pairs
    when there, else from ``similar``."""
    found = _collected(reported, limit)
    apart = None if set_apart is None else _collected(set_apart, limit)
    clustered = _collected(members, limit)
    if found is None or clustered is None or (set_apart is not None and apart is None):
        return None
    names = _collected(ids, 2 * limit + clustered.num_rows)
    if names is None:
        return None
    name_of = _Names(names)
    spark = reported.sparkSession
    clusters = _cluster_table(clustered, found, name_of, Similar(spark, similar))
    return Outputs(
        pairs=spark.createDataFrame(_named(found, name_of, extra), _schema(reported, extra)),
        set_apart=None if apart is None else spark.createDataFrame(
            _named(apart, name_of, extra), _schema(reported, extra)),
        clusters=spark.createDataFrame(clusters, CLUSTERS_SCHEMA),
    )


def _collected(frame: DataFrame, limit: int) -> pa.Table | None:
    """The rows of ``frame`` (persisted: it is read twice) on the driver, or None when there
    are more than ``limit``. Counted first: a limit of many rows on Spark is taken a few
    partitions at a time, in a job each."""
    return None if frame.count() > limit else frame.toArrow()


def _schema(frame: DataFrame, extra: list[str]) -> str:
    """The DDL schema of the named pairs: :data:`PAIRS_SCHEMA`, then ``extra`` as typed in
    ``frame``."""
    kinds = {field.name: field.dataType.simpleString() for field in frame.schema.fields}
    return ", ".join([PAIRS_SCHEMA, *(f"{name} {kinds[name]}" for name in extra)])


class _Names:
    """Document ids by input order number."""

    def __init__(self, names: pa.Table) -> None:
        orders = names.column(ORD).to_numpy().astype(np.int64)
        by_order = np.argsort(orders, kind="stable")
        self.orders = orders[by_order]
        self.ids = names.column(ID).take(by_order)

    def of(self, orders: I64) -> pa.Array:
        """The ids of these order numbers (every one must be known)."""
        at = np.searchsorted(self.orders, orders)
        if orders.size and (at.max() >= self.orders.size
                            or not np.array_equal(self.orders[at], orders)):
            raise AssertionError("a reported document has no name among the candidates")
        return self.ids.take(at)


def _named(pairs: pa.Table, names: _Names, extra: list[str]) -> pa.Table:
    """Pairs of order numbers as pairs of ids, by input order of ``a`` then ``b``."""
    import pyarrow as pa

    a = pairs.column("a").to_numpy().astype(np.int64)
    b = pairs.column("b").to_numpy().astype(np.int64)
    order = np.lexsort((b, a))
    columns = {"a": names.of(a[order]), "b": names.of(b[order])}
    for name in (*PAIR_COLUMNS, *extra):
        columns[name] = pairs.column(name).take(pa.array(order))
    return pa.table(columns)


def _cluster_table(members: pa.Table, pairs: pa.Table, names: _Names,
                   similar: Similar) -> pa.Table:
    """Cluster rows of ``node, root, length`` members, as
    :func:`~neardup.spark.pipeline.cluster_rows` makes them."""
    import pyarrow as pa

    node = members.column("node").to_numpy().astype(np.int64)
    root = members.column("root").to_numpy().astype(np.int64)
    length = members.column("length").to_numpy().astype(np.int64)
    # the representative: longest first, then earliest, within each cluster
    ranked = np.lexsort((node, -length, root))
    first = np.ones(node.size, dtype=bool)
    first[1:] = root[ranked][1:] != root[ranked][:-1]
    roots, best = root[ranked][first], node[ranked][first]  # roots ascending
    rep = best[np.searchsorted(roots, root)]
    similarity = np.ones(node.size)
    others = np.flatnonzero(node != rep)
    if others.size:
        similarity[others] = _jaccards(rep[others], node[others], pairs, similar)
    order = np.lexsort((node, root))
    return pa.table({
        "id": names.of(node[order]),
        "cluster_id": names.of(root[order]),
        "representative": names.of(rep[order]),
        "similarity": pa.array(similarity[order], pa.float64()),
    })


def _jaccards(a: I64, b: I64, pairs: pa.Table, similar: Similar) -> F64:
    """The Jaccard of each ``(a[k], b[k])``: from the reported pairs when one of them, else
    computed by ``similar`` (on Spark, for those only)."""
    import pyarrow as pa

    lo, hi = np.minimum(a, b), np.maximum(a, b)
    known = _jaccard_of(pairs)
    looked_up = (known.get(key) for key in zip(lo.tolist(), hi.tolist(), strict=True))
    out: F64 = np.array([np.nan if value is None else value for value in looked_up])
    missing = np.flatnonzero(np.isnan(out))
    if missing.size:
        asked = similar.spark.createDataFrame(
            pa.table({"a": pa.array(lo[missing]), "b": pa.array(hi[missing])}), "a long, b long"
        )
        computed = _jaccard_of(similar.of(asked).select("a", "b", "jaccard").toArrow())
        # as the joins' coalesce: a pair the sets do not give is taken as identical
        out[missing] = [computed.get(key, 1.0) for key in zip(lo[missing].tolist(),
                                                              hi[missing].tolist(), strict=True)]
    return out


def _jaccard_of(pairs: pa.Table) -> dict[tuple[int, int], float | None]:
    """The ``jaccard`` column of ``a, b`` rows, by pair."""
    keys = zip(pairs.column("a").to_pylist(), pairs.column("b").to_pylist(), strict=True)
    return dict(zip(keys, pairs.column("jaccard").to_pylist(), strict=True))
