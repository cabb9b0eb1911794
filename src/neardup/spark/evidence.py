"""Passages and copy ratios on Spark: what each reported pair shares, and for each document
how much of it is found in the others (the 查重 view), as the local report gives them
(:func:`neardup.evidence.passages.add_passages`).

A document's copy ratio needs every reported pair it is in, with the texts of its partners.
So each reported pair goes to both its documents (two rows, each with both texts), the rows
are partitioned and sorted by document, and in the Python workers the pairs of one
document are put in a small report and given to the local
:func:`~neardup.evidence.passages.add_passages` (:func:`evidence_function`): its passages
(marked formula with the collection's formula shingles, under the copies judgement) and its
copy ratio. A pair's passages are kept from the group of its first document; they are
computed in both groups (twice the passage work of the local engine, in exchange for no
second shuffle of the passages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._types import U32
from ..evidence.passages import add_passages
from ..parameters import Parameters
from ..report import Counts, DuplicateReport, Pair
from .inputs import ID, ORD, TEXT
from .udfs import ArrowBatches, ArrowFunction

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

PASSAGE_TYPE = (
    "array<struct<a_start:int,a_end:int,b_start:int,b_end:int,text:string,formula:boolean>>"
)
"""The ``passages`` column of the pairs: :class:`~neardup.report.Passage` records, longest
first (offsets in the original texts)."""

SOURCES_TYPE = "array<struct<id:string,share:double>>"
"""The ``sources`` column of the copy ratios: each source's id and share, largest first."""

EVIDENCE_SCHEMA = (
    f"a long, b long, passages {PASSAGE_TYPE}, a_coverage double, b_coverage double, "
    f"doc long, share double, sources {SOURCES_TYPE}"
)
"""The rows of :func:`evidence_function`: a pair's passages and coverages (``doc`` null), or
a document's copy ratio (``a``, ``b`` null)."""

COPIES_SCHEMA = f"id string, share double, sources {SOURCES_TYPE}"
"""The columns of :attr:`neardup.spark.pipeline.SparkResult.copies`."""

PAIR_FIELDS = ("jaccard", "containment", "a_in_b", "b_in_a", "exact")
"""The pair columns a group row carries beyond the judged ones."""


def evidence_rows(
    pairs: DataFrame, texts: DataFrame, ids: DataFrame, params: Parameters,
    formula: U32 | None, extra: list[str],
) -> DataFrame:
    """:data:`EVIDENCE_SCHEMA` rows of the reported ``pairs`` (order numbers ``a``, ``b``,
    the overlaps, ``exact`` and the ``extra`` columns), given the candidate documents'
    ``texts`` and ``ids``."""
    from pyspark.sql import functions as F

    text = texts.select(F.col(ORD).alias("key"), F.col(TEXT).alias("t")).hint("merge")
    name = ids.select(F.col(ORD).alias("key"), F.col(ID).alias("n"))
    described = (
        pairs.select("a", "b", *PAIR_FIELDS, *extra)
        .join(text.withColumnRenamed("key", "a").withColumnRenamed("t", "ta"), "a")
        .join(text.withColumnRenamed("key", "b").withColumnRenamed("t", "tb"), "b")
        .join(name.withColumnRenamed("key", "a").withColumnRenamed("n", "a_id"), "a")
        .join(name.withColumnRenamed("key", "b").withColumnRenamed("n", "b_id"), "b")
    )
    both = described.withColumn("doc", F.col("a")).unionByName(
        described.withColumn("doc", F.col("b"))
    )
    return (
        both.repartition("doc").sortWithinPartitions("doc")
        .mapInArrow(evidence_function(params, formula, extra), EVIDENCE_SCHEMA)
    )


def evidence_function(params: Parameters, formula: U32 | None,
                      extra: list[str]) -> ArrowFunction:
    """The ``mapInArrow`` function: rows of pairs sorted by ``doc`` (each reported pair once
    for each of its documents, with both texts and ids) → :data:`EVIDENCE_SCHEMA` rows:
    each pair's passages (from its first document's group) and each document's copy ratio,
    as :func:`~neardup.evidence.passages.add_passages` finds them on the document's
    pairs."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        group: list[dict[str, Any]] = []
        for batch in batches:
            for row in batch.to_pylist():
                if group and row["doc"] != group[0]["doc"]:
                    yield _evidence(group, params, formula, extra)
                    group = []
                group.append(row)
        if group:
            yield _evidence(group, params, formula, extra)

    return run


def _evidence(group: list[dict[str, Any]], params: Parameters, formula: U32 | None,
              extra: list[str]) -> pa.RecordBatch:
    """The rows of :func:`evidence_function` for one document's pairs."""
    import pyarrow as pa

    doc = group[0]["doc"]
    texts = {}
    pairs = []
    for row in group:
        texts[row["a_id"]], texts[row["b_id"]] = row["ta"] or "", row["tb"] or ""
        pairs.append(Pair(row["a_id"], row["b_id"], row["jaccard"], row["containment"],
                          row["a_in_b"], row["b_in_a"], exact=row["exact"],
                          **{name: row[name] for name in extra}))
    report = DuplicateReport(params, pairs, [], [], Counts(0, 0, 0, 0, 0, 0), "exact",
                             formula=None if formula is None else np.asarray(formula))
    done = add_passages(report, texts)
    mine = [k for k, row in enumerate(group) if row["a"] == doc]
    out: dict[str, list[Any]] = {name: [] for name in (
        "a", "b", "passages", "a_coverage", "b_coverage", "doc", "share", "sources")}
    for k in mine:
        pair = done.pairs[k]
        _append(out, a=group[k]["a"], b=group[k]["b"], a_coverage=pair.a_coverage,
                b_coverage=pair.b_coverage,
                passages=[{"a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start,
                           "b_end": p.b_end, "text": p.text, "formula": p.formula}
                          for p in pair.passages])
    own = group[0]["a_id"] if group[0]["a"] == doc else group[0]["b_id"]
    for copied in done.copies:
        if copied.id == own:
            _append(out, doc=doc, share=copied.share,
                    sources=[{"id": s.id, "share": s.share} for s in copied.sources])
    return pa.RecordBatch.from_pydict(out, schema=_schema())


def _append(out: dict[str, list[Any]], **values: Any) -> None:
    """One row of :data:`EVIDENCE_SCHEMA`, null where not given."""
    for name, column in out.items():
        column.append(values.get(name))


def _schema() -> pa.Schema:
    """The Arrow schema of :data:`EVIDENCE_SCHEMA`."""
    import pyarrow as pa

    passage = pa.struct([("a_start", pa.int32()), ("a_end", pa.int32()),
                         ("b_start", pa.int32()), ("b_end", pa.int32()),
                         ("text", pa.string()), ("formula", pa.bool_())])
    source = pa.struct([("id", pa.string()), ("share", pa.float64())])
    return pa.schema([("a", pa.int64()), ("b", pa.int64()),
                      ("passages", pa.list_(passage)), ("a_coverage", pa.float64()),
                      ("b_coverage", pa.float64()), ("doc", pa.int64()),
                      ("share", pa.float64()), ("sources", pa.list_(source))])


def with_evidence(pairs: DataFrame, evidence: DataFrame) -> DataFrame:
    """The pairs (order numbers) with their ``passages``, ``a_coverage`` and
    ``b_coverage``."""
    from pyspark.sql import functions as F

    found = evidence.where(F.col("a").isNotNull()).select(
        "a", "b", "passages", "a_coverage", "b_coverage")
    return pairs.join(found, ["a", "b"], "left")


def copy_ratio_rows(evidence: DataFrame, ids: DataFrame) -> DataFrame:
    """The copy ratios: ``id, share, sources`` (:data:`COPIES_SCHEMA`), largest share first,
    then by id, as the local ``report.copies``."""
    from pyspark.sql import functions as F

    return (
        evidence.where(F.col("doc").isNotNull())
        .join(ids.select(F.col(ORD).alias("doc"), F.col(ID).alias("id")), "doc")
        .orderBy(F.col("share").desc(), F.col("id"))
        .select("id", "share", "sources")
    )
