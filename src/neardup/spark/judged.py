"""Verification that reads the texts, on Spark: the rewrite search's resemblance and the
copies judgement (:mod:`neardup.searches.rewritten_copies`, :mod:`neardup.searches.copies`),
decided a batch of candidate pairs at a time by the local engine's own verification.

Each candidate pair comes with the original texts of its two documents (a table of the
candidate documents' texts, partitioned by order number once, joined to the pairs: one text
per side of a pair moves, as the shingle sets do for a search without them). In the Python
workers (``mapInArrow``) a batch of pairs is verified as the local engine verifies a batch
of candidate components (:func:`judged_function`): the batch's distinct documents normalized
(:func:`neardup.stages.hashing.normalized_codepoints`), their shingle sets and the pairs'
exact overlaps (:func:`neardup.core.similarity.packed_overlap_rows`), then the accept rules
and judges of the search modes asked for (:meth:`~neardup.searches.protocol.SearchMode.rule`,
:meth:`~neardup.searches.protocol.SearchMode.judge`, given the values each mode's candidate
stage cut: boilerplate, common 4-grams, formula shingles) run by
:func:`neardup.stages.verification.verify_candidates`. A pair's verdict depends only on
its two texts and those cuts, so batches may hold any pairs.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from .._types import F64, I64, U32
from ..core.similarity import Overlap, overlap, packed_overlap_rows
from ..parameters import Parameters
from ..searches.copies import FIGURES
from ..searches.modes import modes_for
from ..searches.protocol import ComparedTexts
from ..searches.rewritten_copies import NAME as REWRITE
from ..stages.hashing import normalized_codepoints, shingle_sets
from ..stages.verification import verify_candidates
from .inputs import ORD, TEXT
from .udfs import OVERLAP_SCHEMA, ArrowBatches, ArrowFunction

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

RECORDED = (REWRITE, *FIGURES)
"""The :class:`~neardup.report.Pair` fields the rules and judges record (NaN: null)."""

JUDGED_SCHEMA = (
    "a long, b long, jaccard double, containment double, a_in_b double, b_in_a double, "
    + ", ".join(f"{name} double" for name in RECORDED)
    + ", reason string, copy boolean"
)
"""The rows of :func:`judged_function`: a verified pair (``copy`` true) or one set apart
(``copy`` false), its overlap, what the rules and judges recorded and the judge's reason."""


BATCH_CHARACTERS = 4_000_000
"""Characters of text (both sides of every pair) verified at once, at most (unless one pair
has more)."""


def judged_columns(params: Parameters) -> list[tuple[str, str]]:
    """The columns the pairs get beyond the overlaps, by name and Spark type: ``rewrite``
    with a rewrite search, the judgement's figures and ``reason`` with the copies
    judgement."""
    columns: list[tuple[str, str]] = []
    if params.rewrite is not None:
        columns.append((REWRITE, "double"))
    if params.formula_df is not None:
        columns += [(name, "double") for name in FIGURES]
        columns.append(("reason", "string"))
    return columns


def with_texts(edges: DataFrame, texts: DataFrame) -> DataFrame:
    """``(a, b)`` rows with the texts of both documents: ``(a, b, ta, tb)``. The texts
    are never broadcast (a sort-merge join: the pairs move to the texts' partitions)."""
    from pyspark.sql import functions as F

    left = texts.select(F.col(ORD).alias("a"), F.col(TEXT).alias("ta")).hint("merge")
    right = texts.select(F.col(ORD).alias("b"), F.col(TEXT).alias("tb")).hint("merge")
    return edges.join(left, "a").join(right, "b").select("a", "b", "ta", "tb")


def judged_pairs(
    candidates: DataFrame, texts: DataFrame, params: Parameters, common: dict[str, U32]
) -> DataFrame:
    """The candidate pairs that the modes' rules accept or their judges take for copies,
    as :data:`JUDGED_SCHEMA` rows (:func:`judged_function`)."""
    return with_texts(candidates, texts).mapInArrow(
        judged_function(params, common), JUDGED_SCHEMA
    )


def text_similarities(edges: DataFrame, texts: DataFrame, params: Parameters) -> DataFrame:
    """Exact Jaccard, containment and the two shares of each ``(a, b)`` row, from the
    documents' texts (:data:`~neardup.spark.udfs.OVERLAP_SCHEMA` rows)."""
    return with_texts(edges, texts).mapInArrow(text_overlap_function(params), OVERLAP_SCHEMA)


def _pair_chunks(
    batch: pa.RecordBatch,
) -> Iterator[tuple[I64, I64, list[str | None], list[str | None]]]:
    """The ``(a, b, ta, tb)`` columns of an Arrow batch of pairs with their texts, in
    chunks of at most :data:`BATCH_CHARACTERS` of text (:func:`_chunks`)."""
    a = batch.column("a").to_numpy(zero_copy_only=False).astype(np.int64)
    b = batch.column("b").to_numpy(zero_copy_only=False).astype(np.int64)
    ta: list[str | None] = batch.column("ta").to_pylist()
    tb: list[str | None] = batch.column("tb").to_pylist()
    for lo, hi in _chunks(ta, tb):
        yield a[lo:hi], b[lo:hi], ta[lo:hi], tb[lo:hi]


def _chunks(texts_a: list[str | None], texts_b: list[str | None]) -> list[tuple[int, int]]:
    """Row ranges of a batch holding at most :data:`BATCH_CHARACTERS` characters each."""
    sizes = np.fromiter(
        (len(x or "") + len(y or "") for x, y in zip(texts_a, texts_b, strict=True)),
        dtype=np.int64, count=len(texts_a),
    )
    bounds, total = [0], 0
    for k, size in enumerate(sizes.tolist()):
        if total and total + size > BATCH_CHARACTERS:
            bounds.append(k)
            total = 0
        total += size
    bounds.append(len(texts_a))
    return [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]


class _Batch:
    """A batch of pairs' distinct documents, normalized, with their shingle sets, and the
    pairs as rows of them."""

    def __init__(self, a: I64, b: I64, texts_a: list[str | None], texts_b: list[str | None],
                 params: Parameters) -> None:
        nodes, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
        texts = [""] * nodes.size
        for k, text in zip(inverse.tolist(), [*texts_a, *texts_b], strict=True):
            texts[k] = text or ""
        self.texts = texts
        self.pairs: I64 = np.ascontiguousarray(inverse.reshape(2, -1).T).astype(np.int64)
        self.cps = normalized_codepoints(texts, params)
        self.sets = shingle_sets(self.cps, params)
        self.sizes: I64 = np.fromiter((s.size for s in self.sets), dtype=np.int64,
                                      count=len(self.sets))
        values = np.concatenate(self.sets) if self.sets else np.empty(0, dtype=np.uint32)
        self.overlaps: F64 = packed_overlap_rows(values, self.sizes, self.pairs)

    def similarity(self, i: int, j: int) -> Overlap:
        return overlap(self.sets[i], self.sets[j])


def judged_function(params: Parameters, common: dict[str, U32]) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(a, b, ta, tb)`` candidate pairs with their texts →
    :data:`JUDGED_SCHEMA` rows of the pairs verified (``copy`` true) and set apart
    (``copy`` false), as the local engine's exact verification decides them: the modes'
    rules and judges (``common``: what each mode's candidate stage cut, by mode name) run by
    :func:`~neardup.stages.verification.verify_candidates`; the other pairs give no row."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        for batch in batches:
            for a, b, ta, tb in _pair_chunks(batch):
                yield _judged(_Batch(a, b, ta, tb, params), a, b, params, common)

    return run


def _judged(batch: _Batch, a: I64, b: I64, params: Parameters,
            common: dict[str, U32]) -> pa.RecordBatch:
    """The rows of :func:`judged_function` for one batch."""
    import pyarrow as pa

    texts = batch.texts
    compared = ComparedTexts(list(range(len(batch.cps))), batch.cps, common, lambda: texts)
    modes = modes_for(params)
    rules = [rule for mode in modes if (rule := mode.rule(params, compared))]
    judges = [judge for mode in modes if (judge := mode.judge(params, compared))]
    found = verify_candidates(batch.pairs, batch.similarity, params.threshold, batch.sizes,
                              rules, None, batch.overlaps, judges)
    apart = found.apart
    rows = found.order if apart is None else np.concatenate([found.order, apart.order])
    copy = np.arange(rows.size) < found.order.size
    known = batch.overlaps[rows]
    reasons: list[str | None] = (
        [None] * found.order.size if found.reasons is None else list(found.reasons))
    reasons += [] if apart is None else apart.reasons
    columns = [
        pa.array(a[rows], pa.int64()),
        pa.array(b[rows], pa.int64()),
        pa.array(known[:, 0], pa.float64()),
        pa.array(np.maximum(known[:, 1], known[:, 2]), pa.float64()),
        pa.array(known[:, 1], pa.float64()),
        pa.array(known[:, 2], pa.float64()),
    ]
    for name in RECORDED:
        values = [found.recorded.get(name)]
        if apart is not None:
            values.append(apart.recorded.get(name))
        if any(v is None for v in values):
            joined = np.full(rows.size, np.nan)
        else:
            joined = np.concatenate([v for v in values if v is not None])
        columns.append(pa.array(joined, pa.float64(), from_pandas=True))  # NaN: null
    columns += [pa.array(reasons, pa.string()), pa.array(copy, pa.bool_())]
    names = ["a", "b", "jaccard", "containment", "a_in_b", "b_in_a", *RECORDED, "reason",
             "copy"]
    return pa.RecordBatch.from_arrays(columns, names=names)


def text_overlap_function(params: Parameters) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(a, b, ta, tb)`` → ``(a, b, jaccard, containment,
    a_in_b, b_in_a, free_containment)`` of the texts' shingle sets, as
    :func:`~neardup.spark.udfs.similarity_function` gives them from the sets
    (``free_containment`` equals ``containment``)."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            for a, b, ta, tb in _pair_chunks(batch):
                rows = _Batch(a, b, ta, tb, params).overlaps
                containment = np.maximum(rows[:, 1], rows[:, 2])
                yield pa.RecordBatch.from_arrays(
                    [pa.array(a, pa.int64()), pa.array(b, pa.int64()),
                     pa.array(rows[:, 0], pa.float64()), pa.array(containment, pa.float64()),
                     pa.array(rows[:, 1], pa.float64()), pa.array(rows[:, 2], pa.float64()),
                     pa.array(containment, pa.float64())],
                    names=["a", "b", "jaccard", "containment", "a_in_b", "b_in_a",
                           "free_containment"],
                )

    return run
