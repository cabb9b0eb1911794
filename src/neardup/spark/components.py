"""Connected components of an edge list on Spark SQL, without GraphFrames: the clusters of
the Spark engine (locally :func:`neardup.core.clusters.components`, a union-find)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.clusters import components as union_find
from ..errors import ConvergenceError
from .session import require_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

DRIVER_EDGES = 2_000_000
"""Edges up to which :func:`components` finds the components on the driver (16 bytes an
edge: 32 MB at most); more go to :func:`connected_components`."""

MAX_ROUNDS = 200
"""Most large-star/small-star rounds before giving up (a round at least halves the depth of
the label forest in practice; near-duplicate graphs converge in a handful)."""


def components(
    edges: DataFrame, cached: list[DataFrame], driver_edges: int = DRIVER_EDGES
) -> DataFrame:
    """``(node, root)`` for every node of an edge list ``(a, b)``, root = the component's
    smallest node, as :func:`connected_components` gives them: with at most
    ``driver_edges`` edges (a few thousand verified pairs, typically), collected and joined
    on the driver by the local engine's union-find (:func:`neardup.core.clusters.components`)
    in one job instead of a dozen rounds of shuffles; else :func:`connected_components`.
    ``edges`` is persisted (appended to ``cached``): it is counted, then read."""
    import pyarrow as pa
    from pyspark import StorageLevel

    edges = edges.select("a", "b").persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(edges)
    if edges.limit(driver_edges + 1).count() > driver_edges:
        return connected_components(edges, cached)
    pairs = edges.toArrow()
    nodes: list[int] = []
    roots: list[int] = []
    for group in union_find(zip(pairs.column("a").to_pylist(), pairs.column("b").to_pylist(),
                                strict=True)):
        nodes += group
        roots += [group[0]] * len(group)
    table = pa.table({"node": pa.array(nodes, pa.int64()), "root": pa.array(roots, pa.int64())})
    return edges.sparkSession.createDataFrame(table, "node long, root long")


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

    Raises:
        ConvergenceError: the edges still change after :data:`MAX_ROUNDS` rounds.
    """
    require_spark()
    from pyspark.sql import functions as F

    current = _ordered_edges(edges.select(F.col("a").alias("u"), F.col("b").alias("v")))
    current = current.localCheckpoint()
    stats = _edge_stats(current)
    for _ in range(MAX_ROUNDS):
        step = _small_star(_large_star(current)).localCheckpoint()
        step_stats = _edge_stats(step)
        # Same size and hash sum: confirm exactly (once, at the end) before stopping.
        unchanged = step_stats == stats and step.exceptAll(current).isEmpty()
        current, stats = step, step_stats
        if unchanged:
            break
    else:  # pragma: no cover - needs a pathological graph
        raise ConvergenceError(
            f"connected components did not converge in {MAX_ROUNDS} large-star/small-star "
            "rounds (near-duplicate graphs converge in a handful): raise "
            "neardup.spark.components.MAX_ROUNDS and run again, and report the input if it "
            "still does not converge"
        )
    cached.append(current)
    roots = current.select("u").distinct()
    return current.select(F.col("v").alias("node"), F.col("u").alias("root")).union(
        roots.select(F.col("u").alias("node"), F.col("u").alias("root"))
    )


def _edge_stats(edges: DataFrame) -> tuple[int, int]:
    """Number of edges and the sum of their 64-bit hashes (one cheap job on cached edges)."""
    from pyspark.sql import functions as F

    row = edges.agg(
        F.count("*").alias("n"), F.sum(F.xxhash64("u", "v").cast("decimal(38,0)")).alias("h")
    ).first()
    if row is None:  # pragma: no cover - a global aggregate always has one row
        return 0, 0
    return int(row["n"]), int(row["h"] or 0)


def _ordered_edges(edges: DataFrame) -> DataFrame:
    """Edges as distinct ``(u, v)`` with ``u < v``, self-loops dropped."""
    from pyspark.sql import functions as F

    return (
        edges.where(F.col("u") != F.col("v"))
        .select(F.least("u", "v").alias("u"), F.greatest("u", "v").alias("v"))
        .distinct()
    )


def _large_star(edges: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    both = edges.select(F.col("u").alias("n"), F.col("v").alias("m")).union(
        edges.select(F.col("v").alias("n"), F.col("u").alias("m"))
    )
    smallest = both.groupBy("n").agg(F.min("m").alias("low"))
    linked = (
        both.where(F.col("m") > F.col("n"))
        .join(smallest, "n")
        .select(F.col("m").alias("u"), F.least("n", "low").alias("v"))
    )
    return _ordered_edges(linked)


def _small_star(edges: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    # (u, v) with u < v: v's smaller neighbours are the u's.
    smallest = edges.groupBy("v").agg(F.min("u").alias("low"))
    spokes = edges.join(smallest, "v")
    linked = spokes.select(F.col("u"), F.col("low").alias("v")).union(
        smallest.select(F.col("v").alias("u"), F.col("low").alias("v"))
    )
    return _ordered_edges(linked)


