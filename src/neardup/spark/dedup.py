"""Deduplication on Spark (:func:`deduplicate_spark`): the rows of a DataFrame that
:func:`neardup.deduplicate` keeps, one per cluster of near-duplicates, every column as it
was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError
from ..parameters import Parameters
from ..stages.keeping import check_keep
from .inputs import ID, ORD
from .pipeline import SparkResult, find_duplicates_spark_result, spark_parameters
from .session import require_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_NODE = "_nd_node"
"""The input order column added when none is given."""


def deduplicate_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    keep: str = "first",
    prefer: str | None = None,
    cluster_col: str | None = None,
    order_col: str | None = None,
    **overrides: Any,
) -> DataFrame:
    """The rows of ``df`` that :func:`neardup.deduplicate` keeps: one document of each
    cluster of near-duplicates (identical texts included), every column as it was, and the
    rows of documents in no cluster (skipped ones too).

    The member kept is the one :func:`neardup.deduplicate` keeps on the same rows in the
    same order (the rule of :mod:`neardup.stages.keeping`): the earliest (``keep="first"``),
    the longest normalized text (``"longest"``, ties to the earliest), or with ``prefer`` the
    largest value of that column (nulls last), then as ``keep`` says.

    Args:
        df: one row per document.
        id_col: column of unique document ids.
        text_col: string column of texts.
        params: the parameters of the search (:class:`neardup.Parameters`); None: those
            of ``preset``, or the defaults.
        preset: a named set of parameters, instead of ``params``.
        keep: ``"first"`` or ``"longest"``.
        prefer: a column whose largest value wins (a quality score, a date).
        cluster_col: when given, add this column: the id of the earliest member of the
            row's cluster (null for a row in no cluster).
        order_col: unique integer column giving the input order (see :mod:`neardup.spark`);
            when None, ``monotonically_increasing_id()`` taken at input.
        **overrides: parameters that replace those of ``params`` or ``preset``, as for
            :func:`~neardup.spark.pipeline.find_duplicates_spark`.

    Raises:
        MissingDependencyError: pyspark, pyarrow or pandas is not installed.
        ParameterError: an unknown keep, an unknown or out-of-range parameter, or one the
            Spark engine does not run (:func:`~neardup.spark.pipeline.spark_parameters`).
        InputError: a column is missing.
    """
    require_spark()
    check_keep(keep)
    if "min_length" in overrides:
        raise ParameterError(
            "min_length: the Spark engine keeps short documents as the others (no "
            "min_length); filter the DataFrame first, e.g. df.where(F.length('text') >= n)"
        )
    params = spark_parameters(params, preset, **overrides)
    return deduplicated(df, id_col, text_col, params, keep=keep, prefer=prefer,
                        cluster_col=cluster_col, order_col=order_col)[0]


def deduplicated(
    df: DataFrame,
    id_col: str,
    text_col: str,
    params: Parameters,
    *,
    keep: str,
    prefer: str | None,
    cluster_col: str | None,
    order_col: str | None,
    in_order: bool = False,
) -> tuple[DataFrame, SparkResult]:
    """:func:`deduplicate_spark` with checked parameters, and the search's result (its
    cached frames to free once the rows are written). ``in_order``: the partitions of
    ``df`` hold its rows in ``order_col`` order already (one file read by Spark), so the
    kept rows are the input's minus a broadcast set of removed ones, in the same
    partitions and order, not sorted again (without ``cluster_col``)."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

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
    result = find_duplicates_spark_result(rows, id_col, text_col, params, order_col=order,
                                          outputs=False)
    assert result.members is not None
    rank = [F.col("length") if keep == "longest" else F.lit(0), (-F.col("node")).alias("neg")]
    if prefer is not None:
        rank = [F.col(prefer).isNotNull(), F.col(prefer), *rank]
    ranked = result.members
    if prefer is not None:  # the one more read of the input: that column of the members
        ranked = ranked.join(
            rows.select(F.col(order).cast("long").alias("node"), F.col(prefer)), "node"
        )
    best = F.max(F.struct(*rank)).over(Window.partitionBy("root")).getField("neg")
    removed = (
        ranked.withColumn("_nd_best", -best)
        .where(F.col("node") != F.col("_nd_best"))
        .select(F.col("node").alias("_nd_removed"))
    )
    if in_order and cluster_col is None:
        gone = F.broadcast(removed)  # a broadcast anti-join keeps each partition's order
        return rows.join(gone, F.col(order).cast("long") == F.col("_nd_removed"),
                         "left_anti"), result
    kept = rows.join(removed, F.col(order).cast("long") == F.col("_nd_removed"), "left_anti")
    if cluster_col is not None:
        assert result.hashed is not None
        names = result.hashed.select(F.col(ORD).alias("root"), F.col(ID).alias(cluster_col))
        labels = result.members.select("node", "root").join(names, "root").select(
            F.col("node").alias("_nd_labelled"), cluster_col
        )
        kept = kept.join(labels, F.col(order).cast("long") == F.col("_nd_labelled"), "left")
        kept = kept.drop("_nd_labelled")
    if order_col is None:
        return kept.orderBy(order).drop(_NODE), result
    return kept.orderBy(order), result


