"""The duplicate search on Spark DataFrames (:func:`find_duplicates_spark`), with the result
of the local engine.

What runs where (each text is read at most twice, and shuffled only with the rewrite search
or the copies judgement, or for passages: the candidate documents' texts, once):

* **Python workers** (``mapInArrow``, one Arrow batch of documents at a time, the stages
  every engine shares; :mod:`neardup.spark.udfs`): the one pass over every document
  (:func:`neardup.stages.hashing.hash_batch`, as the local engine hashes; a scan's JSON
  lines parsed there first, :mod:`neardup.spark.lines`): normalized
  length, LSH band keys, winnowed fingerprints (containment search), the normalized text's
  digest and the skip reason, kept next to the order number and id; the band keys cut into
  parts and each part's groups made into candidate pairs (the rule of
  :func:`neardup.core.lsh.candidate_pairs`); shingle sets of candidate documents only
  (:func:`neardup.stages.hashing.shingle_sets`, from a second read of the input filtered by
  a broadcast semi-join); exact Jaccard, containment and the two shares a batch of pairs at
  a time (:func:`neardup.core.similarity.packed_overlap_rows`); the candidate rules of the
  searches by shared values (:mod:`neardup.spark.candidates`: the local engine's own
  functions); with the rewrite search or the copies judgement, the verification of a batch
  of pairs with their texts by the local modes' rules and judges
  (:mod:`neardup.spark.judged`), and on request passages and copy ratios
  (:mod:`neardup.spark.evidence`).
* **Spark SQL** (JVM): one exchange of the band-key parts; for a containment search, the
  rewrite search and the copies judgement the grouping of fingerprints, 4-grams and
  sampled shingles (a value held by more documents than the mode's cut makes no pairs),
  united with the LSH candidates
  (:mod:`neardup.spark.candidates`); one ``distinct`` of the candidates; the shingle sets
  partitioned by order number once, so the joins of pairs to sets move pairs; the
  threshold (Jaccard at least ``threshold``, or containment at least ``containment`` with
  and without the boilerplate's text); past :data:`neardup.spark.outputs.DRIVER_ROWS`
  pairs, representatives (a window per cluster) and the final ordering: the steps of
  :func:`neardup.stages.verification.verify_candidates`, as joins over DataFrames. Names,
  lengths and identical-text groups come from a small cached table of the candidate
  documents.
* **Driver**: parameters, small validation results, the values each search cut
  (boilerplate fingerprints, common 4-grams, formula shingles), the verified
  near-duplicate edges when there are at most
  :data:`neardup.spark.components.DRIVER_EDGES` (joined by the local union-find; more go to
  the distributed rounds of :func:`neardup.spark.components.connected_components`), and up
  to :data:`neardup.spark.outputs.DRIVER_ROWS` reported pairs and clustered documents,
  named, ordered and given their representatives there (:mod:`neardup.spark.outputs`); no
  per-document data otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .._types import U32
from ..errors import ParameterError
from ..parameters import Parameters, resolve_parameters
from ..searches.containment import NAME as CONTAINMENT
from ..searches.copies import NAME as COPIES
from ..searches.copies import SAME_TEXT, formula_cut
from ..searches.rewritten_copies import NAME as REWRITE
from ..searches.rewritten_copies import common_cut
from .candidates import (
    candidate_pairs,
    containment_rule,
    copies_rule,
    rewrite_rule,
    shared_value_pairs,
)
from .components import components
from .evidence import copy_ratio_rows, evidence_rows, with_evidence
from .inputs import ID, ORD, TEXT, check_ids, input_rows
from .judged import judged_columns, judged_pairs, text_similarities
from .lines import JsonLines
from .outputs import DRIVER_ROWS, outputs_on_driver
from .reading import INPUT_ORDER
from .session import require_spark
from .udfs import (
    DIGEST,
    EMPTY,
    HASHED_SCHEMA,
    OVERLAP_SCHEMA,
    SEARCHED,
    SETS_SCHEMA,
    PairRule,
    hash_function,
    set_function,
    similarity_function,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame



@dataclass
class SparkResult:
    """Everything :func:`find_duplicates_spark` computed, as Spark DataFrames.

    Attributes:
        pairs: ``a, b, jaccard, containment, a_in_b, b_in_a, exact``
            (:data:`~neardup.spark.outputs.PAIRS_SCHEMA`); ``a`` comes before ``b`` in
            input order; ``exact`` pairs are of identical normalized texts, each later one
            with the first of its group.
        clusters: ``id, cluster_id, representative, similarity``; ``cluster_id`` is the id of
            the cluster's earliest document, ``similarity`` the Jaccard to the representative.
        skipped: ``id, reason`` of documents with nothing left after normalization.
        parameters: the validated parameters.
        common_fingerprints: fingerprints of a containment search held by more than
            ``max_df`` documents, cut as boilerplate (0 without a containment search); the
            local report's ``counts.common_fingerprints``.
        set_apart: with the copies judgement (``formula_df``), the pairs a search found
            that the judge did not take for copies (template siblings, topic neighbours),
            with the columns of ``pairs`` and the reason, in the same order (the local
            ``report.set_apart``); None without the judgement.
        common_rewrite_shingles: 4-grams the rewrite search cut as common (the local
            ``counts.common_rewrite_shingles``; 0 without the search).
        formula_shingles: sampled shingles the copies judgement took for formula (the
            local ``counts.formula_shingles``; 0 without the judgement).
        cached: DataFrames persisted on the way; :meth:`unpersist` frees them once the
            outputs are written.
    """

    pairs: DataFrame
    clusters: DataFrame
    skipped: DataFrame
    parameters: Parameters
    common_fingerprints: int = 0
    set_apart: DataFrame | None = None
    common_rewrite_shingles: int = 0
    formula_shingles: int = 0
    cached: list[DataFrame] = field(default_factory=list, repr=False)
    members: DataFrame | None = field(default=None, repr=False)
    """``node, root, length``: each clustered document's input order, its cluster's
    (the earliest member's order) and its normalized length."""
    hashed: DataFrame | None = field(default=None, repr=False)
    """The persisted rows of :func:`neardup.spark.udfs.hash_function`, one per document
    (counting them does not read the input again)."""
    copies: DataFrame | None = None
    """With ``passages`` and a containment search, the copy ratios: ``id, share, sources``
    (:data:`neardup.spark.evidence.COPIES_SCHEMA`), largest share first, then by id."""

    def unpersist(self) -> None:
        """Free the cached intermediate DataFrames (the outputs cannot be read afterwards)."""
        for frame in self.cached:
            frame.unpersist()
        self.cached.clear()


def find_duplicates_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    order_col: str | None = None,
    passages: bool = False,
    **overrides: Any,
) -> tuple[DataFrame, DataFrame]:
    """Near-duplicate pairs and clusters of a DataFrame of documents, as
    :func:`neardup.find_duplicates`, and with ``containment`` the pairs where one document
    copies part of the other.

    The pairs and clusters equal those of :func:`neardup.find_duplicates` on the same
    documents in the same order (exact verification); see :mod:`neardup.spark` for what
    "order" means on Spark. With ``containment``, a pair is also reported when its
    containment (the share of the smaller document's shingles found in the other) is at
    least that, whatever its Jaccard; candidates come from shared winnowed fingerprints, as
    locally, and fingerprints held by more than ``max_df`` documents are boilerplate
    (counted in :attr:`SparkResult.common_fingerprints`). With ``rewrite``, rewritten copies
    too (their resemblance in a ``rewrite`` column). With ``formula_df`` (the copies
    judgement; ``preset="copies"``), the pairs are the copies only, with ``specific_a``,
    ``specific_b``, ``formula_a``, ``formula_b`` and ``reason``, decided by the local
    engine's own judge (:mod:`neardup.spark.judged`); the pairs set apart are in
    :attr:`SparkResult.set_apart` (:func:`find_duplicates_spark_result`). Clusters join
    only pairs at or above ``threshold`` (under the judgement: copies only).

    Args:
        df: one row per document.
        id_col: column of unique document ids (cast to string).
        text_col: string column of document texts; null or empty-after-normalization texts
            are skipped.
        params: the parameters (:class:`neardup.Parameters`); None: those of ``preset``, or
            the defaults.
        preset: a named set of parameters (:data:`neardup.parameters.PRESETS`), instead of
            ``params``.
        order_col: unique integer column giving the input order; when None,
            ``monotonically_increasing_id()`` taken at input.
        passages: also each pair's shared passages, ``passages`` (``a_start, a_end,
            b_start, b_end, text, formula``, longest first), ``a_coverage`` and
            ``b_coverage``, as :func:`neardup.add_passages` gives them locally.
        **overrides: parameters that replace those of ``params`` or ``preset``
            (``threshold=0.8``, ``containment=0.3``, ``ngram``, ``unit``, ``num_perm``,
            ``seed``, ``bands``, ``max_df``, ``html``, ``markers``, ``script``,
            ``synonyms``; see :class:`neardup.Parameters`); None leaves a parameter as it is.

    Returns:
        ``(pairs, clusters)``: pairs ``a, b, jaccard, containment, a_in_b, b_in_a, exact``
        (``a_in_b``: the share of a's shingles found in b; ``exact``: identical normalized
        texts, given as the pairs of each later one with the first of its group, as
        ``report.pairs`` of the local engine gives them) sorted by input order of ``a``
        then ``b``; clusters ``id, cluster_id, representative, similarity`` sorted by
        cluster (earliest member first), then member input order. The pairs have the
        columns of the searches asked for after ``exact``: ``rewrite``; ``specific_a``,
        ``specific_b``, ``formula_a``, ``formula_b``, ``reason``; with ``passages``,
        ``passages``, ``a_coverage``, ``b_coverage``.

    Raises:
        MissingDependencyError: pyspark, pyarrow or pandas is not installed.
        ParameterError: an unknown or out-of-range parameter, or one the Spark engine does
            not run (see :func:`spark_parameters`).
        InputError: a column is missing or of the wrong type, or an id/order value is null.
        DuplicateIdError: two rows share an id.
    """
    result = find_duplicates_spark_result(
        df, id_col, text_col, params, preset=preset, order_col=order_col, passages=passages,
        **overrides
    )
    return result.pairs, result.clusters


def find_duplicates_spark_result(
    df: DataFrame | JsonLines,
    id_col: str = "id",
    text_col: str = "text",
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    order_col: str | None = None,
    passages: bool = False,
    outputs: bool = True,
    **overrides: Any,
) -> SparkResult:
    """:func:`find_duplicates_spark` with the skipped documents and the cached intermediates,
    and with ``passages`` each pair's shared passages and the copy ratios
    (:mod:`neardup.spark.evidence`).

    Same arguments and errors as :func:`find_duplicates_spark` (``df`` may also be JSON
    Lines files read as lines, :class:`~neardup.spark.lines.JsonLines`: then ``id_col``,
    ``text_col`` and ``order_col`` are not read); ``passages``: the pairs
    get ``passages``, ``a_coverage`` and ``b_coverage`` (as the local
    :func:`neardup.add_passages` gives them) and, for a containment search,
    :attr:`SparkResult.copies` holds the copy ratios (the local ``report.copies``);
    ``outputs``: the pairs and clusters will be read (when there are few, they are made
    on the driver now; False leaves them plans that nothing runs unless they are read, as
    for a deduplication, which reads the members only).
    """
    require_spark()
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    params = spark_parameters(params, preset, **overrides)
    cached: list[DataFrame] = []

    def keep(frame: DataFrame, *, on_disk: bool = False) -> DataFrame:
        frame = frame.persist(StorageLevel.DISK_ONLY if on_disk else StorageLevel.MEMORY_AND_DISK)
        cached.append(frame)
        return frame

    # The one pass over the texts that every document takes: what the later stages need of
    # each, next to its order number; the texts themselves are not kept.
    if isinstance(df, JsonLines):  # parsed in the workers, as the local engine parses them
        source: DataFrame | JsonLines = df
        hashed = df.hashed(params, keep)
    else:
        source = input_rows(df, id_col, text_col, order_col)
        hashed = keep(source.mapInArrow(hash_function(params), HASHED_SCHEMA))
    ours = isinstance(df, JsonLines) or order_col == INPUT_ORDER
    check_ids(hashed, None if ours else order_col)  # our order numbers are unique
    skipped = (
        hashed.where(F.col("skip").isNotNull())
        .orderBy(ORD)
        .select(F.col(ID).alias("id"), F.col("skip").alias("reason"))
    )
    parts = max(1, hashed.rdd.getNumPartitions())  # as many as the input splits
    candidates = candidate_pairs(hashed, parts)
    common: dict[str, U32] = {}
    searches = value_searches(params)
    if searches:
        documents = int(hashed.where(F.col("skip").isNull()).count())
    for mode, column, cut_of, rule in searches:
        found = shared_value_pairs(hashed, column, cut_of(documents), documents, rule, keep)
        candidates = candidates.unionByName(found.pairs)
        common[mode] = found.common
    candidates = keep(candidates.distinct())  # the one place repeats go
    needed = candidates.select(F.col("a").alias(ORD)).union(
        candidates.select(F.col("b").alias(ORD))
    ).distinct()
    # A second read of the input, of the candidates' texts only (a broadcast semi-join in
    # the JVM: the other texts never reach Python). Partitioned by order number once, as
    # many partitions as the input has: each join below moves the pairs (and one text or
    # set per side of a pair), not every document again.
    texts = keep(candidate_texts(source, needed, parts))  # read only when asked for
    extra = judged_columns(params)
    set_apart: DataFrame | None = None
    similar: Callable[[DataFrame], DataFrame]
    if params.rewrite is not None or params.formula_df is not None:
        # what reads the texts pair by pair (the rewrite resemblance, the copies judgement)
        # is verified on the candidates' texts, a batch of pairs at a time
        judged = keep(judged_pairs(candidates, texts, params, common))
        verified = judged.where(F.col("copy")).drop("copy")
        if params.formula_df is not None:
            set_apart = judged.where(~F.col("copy")).drop("copy")

        def similar(edges: DataFrame) -> DataFrame:
            return text_similarities(edges, texts, params)
    else:
        verified, similar = verified_by_sets(source, needed, candidates, params,
                                             common.get(CONTAINMENT), parts, keep)
    # What naming, exact groups and representatives need of the candidate documents (every
    # document in a pair or cluster is one; identical texts share every band key), small
    # and read many times: the documents are not scanned again.
    involved = keep(
        hashed.join(F.broadcast(needed), ORD, "left_semi")
        .select(ORD, ID, "length", "skip", *DIGEST)
        .coalesce(max(1, parts // INVOLVED_SHARE))  # a fraction of the documents: fewer tasks
    )
    # filled now, once: the plans below read it in several places, and AQE would run each
    # of them as a job of its own over every document (six scans at 1M documents)
    involved.count()
    ids = involved.select(ORD, ID)
    same = SAME_TEXT if params.formula_df is not None else None
    reported = keep(with_exact_pairs(verified, involved, extra, same))
    names = [name for name, _ in extra]
    copies: DataFrame | None = None
    if passages:
        # the lineage cut first (the reported pairs computed now, the texts already cached):
        # the plan of the evidence would print every cached plan under it twice over
        reported, texts = reported.localCheckpoint(), texts.localCheckpoint()
        evidence = keep(evidence_rows(reported, texts, ids, params, common.get(COPIES), names))
        reported = with_evidence(reported, evidence)
        names += ["passages", "a_coverage", "b_coverage"]
        copies = None if params.containment is None else copy_ratio_rows(evidence, ids)
    pairs = named_pairs(reported, ids, names)
    # Clusters join near-duplicates only: partial copies are pairs, not cluster edges.
    near = verified.where(F.col("jaccard") >= params.threshold).select("a", "b")
    members = keep(components(near, cached).join(
        involved.select(F.col(ORD).alias("node"), "length"), "node"
    ))
    clusters = cluster_rows(members, ids, similar)
    apart = None if set_apart is None else set_apart.withColumn("exact", F.lit(False))
    named_apart = None if apart is None else named_pairs(apart, ids, [n for n, _ in extra])
    # A few thousand pairs are named and sorted on the driver (the joins above stay plans
    # never run); pairs with passages (texts) stay on Spark, and so does what is not read.
    made = None if passages or not outputs else outputs_on_driver(
        reported, apart, members.select("node", "root", "length"), ids, similar, names,
        DRIVER_ROWS)
    if made is not None:
        pairs, named_apart, clusters = made.pairs, made.set_apart, made.clusters
    return SparkResult(
        pairs, clusters, skipped, params,
        common_fingerprints=int(common.get(CONTAINMENT, EMPTY).size),
        set_apart=named_apart,
        common_rewrite_shingles=int(common.get(REWRITE, EMPTY).size),
        formula_shingles=int(common.get(COPIES, EMPTY).size),
        cached=cached, members=members, hashed=hashed, copies=copies,
    )


INVOLVED_SHARE = 4
"""The candidate documents' table has this many times fewer partitions than the input: it
holds a fraction of the documents (a tenth at 1M generated ones), read by many small jobs,
each task of which costs more to start than its rows take."""


Search = tuple[str, str, Callable[[int], int], PairRule]
"""A search by shared values: its mode's name, the column of its values, its document
frequency cut given the documents not skipped, and its candidate rule."""


def value_searches(params: Parameters) -> list[Search]:
    """The searches by shared values ``params`` ask for, in the local engine's order
    (:func:`neardup.searches.modes.modes_for`)."""
    searches: list[Search] = []
    if params.containment is not None:
        searches.append((CONTAINMENT, SEARCHED[CONTAINMENT], lambda _: params.max_df,
                         containment_rule(params.containment)))
    if params.rewrite is not None:
        searches.append((REWRITE, SEARCHED[REWRITE], lambda _: common_cut(params),
                         rewrite_rule(params.rewrite)))
    formula_df = params.formula_df
    if formula_df is not None:
        searches.append((COPIES, SEARCHED[COPIES],
                         lambda documents: formula_cut(formula_df, documents), copies_rule()))
    return searches


def candidate_texts(source: DataFrame | JsonLines, needed: DataFrame, parts: int) -> DataFrame:
    """``(_nd_ord, _nd_text)`` of the documents (``source``: ``input_rows`` or JSON lines)
    whose order numbers are ``needed``, in ``parts`` partitions by order number."""
    from pyspark.sql import functions as F

    if isinstance(source, JsonLines):
        return source.texts(needed, parts)
    chosen = source.select(ORD, TEXT).join(F.broadcast(needed), ORD, "left_semi")
    return chosen.repartition(parts, ORD)


class Keep(Protocol):
    """Persists a DataFrame until the outputs are written (``on_disk``: on local disk only)."""

    def __call__(self, frame: DataFrame, *, on_disk: bool = False) -> DataFrame: ...


def verified_by_sets(
    source: DataFrame | JsonLines, needed: DataFrame, candidates: DataFrame, params: Parameters,
    common: U32 | None, parts: int, keep: Keep,
) -> tuple[DataFrame, Callable[[DataFrame], DataFrame]]:
    """The candidates at or above the threshold (or a containment search's), verified on
    the shingle sets of the ``needed`` documents, and how the overlaps of other pairs of
    them are found.

    The sets are kept on local disk, not in the driver's heap: they are the largest thing
    a search keeps (0.6 GB for the 10% of 1,000,000 documents in a candidate pair), read
    twice, and in memory they held the heap of a local session 1.1 GB higher for the rest
    of the run (docs/spark.md, "Measured")."""
    from pyspark.sql import functions as F

    cut = common if common is not None and common.size else None
    if isinstance(source, JsonLines):  # parsed and made into sets in one pass
        sets = keep(source.sets(needed, parts, params, cut), on_disk=True)
    else:
        chosen = source.select(ORD, TEXT).join(F.broadcast(needed), ORD, "left_semi")
        sets = keep(chosen.mapInArrow(set_function(params, cut), SETS_SCHEMA)
                    .repartition(parts, ORD), on_disk=True)
    similar = F.col("jaccard") >= params.threshold
    if params.containment is not None:  # a copy, with and without its boilerplate
        similar = similar | (
            (F.col("containment") >= params.containment)
            & (F.col("free_containment") >= params.containment)
        )
    verified = keep(
        similarities(candidates, sets, cut is not None).where(similar).drop("free_containment")
    )

    def overlaps(edges: DataFrame) -> DataFrame:
        return similarities(edges, sets)

    return verified, overlaps


def named_pairs(pairs: DataFrame, ids: DataFrame, extra: list[str]) -> DataFrame:
    """Pairs of order numbers as pairs of ids, by input order of ``a`` then ``b``."""
    from pyspark.sql import functions as F

    return (
        pairs
        .join(ids.select(F.col(ORD).alias("a"), F.col(ID).alias("a_id")), "a")
        .join(ids.select(F.col(ORD).alias("b"), F.col(ID).alias("b_id")), "b")
        .orderBy("a", "b")
        .select(
            F.col("a_id").alias("a"), F.col("b_id").alias("b"),
            "jaccard", "containment", "a_in_b", "b_in_a", "exact", *extra,
        )
    )


def spark_parameters(
    params: Parameters | None = None, preset: str | None = None, **overrides: Any
) -> Parameters:
    """The parameters of a search on Spark, as
    :func:`neardup.parameters.resolve_parameters` builds them, refused when they ask for
    what the Spark engine does not run: estimated verification (``verify="estimate"``).

    Raises:
        ParameterError: an unknown or out-of-range parameter, or estimated verification.
    """
    parameters = resolve_parameters(params, preset, **overrides)
    if parameters.verify != "exact":
        raise ParameterError(
            "the Spark engine verifies every pair exactly: verify must be 'exact' "
            f"(got {parameters.verify!r})"
        )
    return parameters


def similarities(edges: DataFrame, sets: DataFrame, with_free: bool = False) -> DataFrame:
    """Exact Jaccard, containment and the two shares of each ``(a, b)`` row (input order
    numbers), and with ``with_free`` the containment without boilerplate."""
    from pyspark.sql import functions as F

    left = sets.select(
        F.col(ORD).alias("a"), F.col("shingles").alias("sa"), F.col("free").alias("fa")
    )
    right = sets.select(
        F.col(ORD).alias("b"), F.col("shingles").alias("sb"), F.col("free").alias("fb")
    )
    return (
        edges.join(left, "a")
        .join(right, "b")
        .select("a", "b", "sa", "sb", "fa", "fb")
        .mapInArrow(similarity_function(with_free), OVERLAP_SCHEMA)
    )


def with_exact_pairs(
    verified: DataFrame, hashed: DataFrame, extra: list[tuple[str, str]] | None = None,
    reason: str | None = None,
) -> DataFrame:
    """The verified ``(a, b, jaccard, containment, a_in_b, b_in_a)`` rows (and the
    ``extra`` columns, by name and type) with ``exact`` false, but within each group of
    identical normalized texts (same digest) only the pairs of each later member with the
    group's first, ``exact`` true, every similarity 1, the extra columns null but
    ``reason`` (when given), as the local engine reports them (a group of k gives k - 1
    pairs)."""
    from pyspark.sql import functions as F

    texts = hashed.where(F.col("skip").isNull()).select(ORD, *DIGEST)
    firsts = (
        texts.groupBy(*DIGEST)
        .agg(F.min(ORD).alias("first"), F.count("*").alias("size"))
        .where(F.col("size") > 1)
    )
    # computed once (each of the three uses below would run it as jobs of its own)
    grouped = texts.join(firsts, list(DIGEST)).select(ORD, "first").localCheckpoint()
    near = (
        verified.join(grouped.select(F.col(ORD).alias("a"), F.col("first").alias("fa")),
                      "a", "left")
        .join(grouped.select(F.col(ORD).alias("b"), F.col("first").alias("fb")), "b", "left")
        .where(F.col("fa").isNull() | F.col("fb").isNull() | (F.col("fa") != F.col("fb")))
        .select("a", "b", "jaccard", "containment", "a_in_b", "b_in_a",
                F.lit(False).alias("exact"), *(name for name, _ in extra or ()))
    )
    one = F.lit(1.0)
    exact = grouped.where(F.col(ORD) != F.col("first")).select(
        F.col("first").alias("a"), F.col(ORD).alias("b"), one.alias("jaccard"),
        one.alias("containment"), one.alias("a_in_b"), one.alias("b_in_a"),
        F.lit(True).alias("exact"),
        *((F.lit(reason) if name == "reason" else F.lit(None)).cast(kind).alias(name)
          for name, kind in extra or ()),
    )
    return near.unionByName(exact)


def cluster_rows(
    members: DataFrame, ids: DataFrame, similar: Callable[[DataFrame], DataFrame]
) -> DataFrame:
    """Cluster rows of ``node, root, length`` members: representative = longest text, ties
    to the earliest document; ``similar`` gives the overlaps of ``(a, b)`` pairs (each
    member's Jaccard to its representative)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    by_cluster = Window.partitionBy("root")
    best = F.max(F.struct(F.col("length"), (-F.col("node")).alias("neg")))
    members = members.withColumn("rep", -best.over(by_cluster).getField("neg"))
    others = members.where(F.col("node") != F.col("rep")).select(
        F.col("rep").alias("a"), F.col("node").alias("b")
    )
    similarity = similar(others).select(
        F.col("b").alias("node"), F.col("jaccard").alias("similarity")
    )
    names = ids.select(F.col(ORD).alias("key"), F.col(ID).alias("name"))

    def named(column: str, alias: str) -> DataFrame:
        return names.select(F.col("key").alias(column), F.col("name").alias(alias))

    return (
        members.join(similarity, "node", "left")
        .join(named("node", "id"), "node")
        .join(named("root", "cluster_id"), "root")
        .join(named("rep", "representative"), "rep")
        .orderBy("root", "node")
        .select(
            "id", "cluster_id", "representative",
            F.coalesce(F.col("similarity"), F.lit(1.0)).alias("similarity"),
        )
    )


