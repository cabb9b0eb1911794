"""The part of a check that judges copies (``formula_df``) and searches rewritten copies
(``rewrite``) against stored documents, for the check of an index file
(:func:`neardup.index.query.query_index`) and of a Parquet corpus on Spark
(:func:`neardup.spark.corpus_check.check_spark`): its candidates, the formula shingles and
common 4-grams of the compared documents, the rewrite rule, and what the report records
(:mod:`neardup.stages.stored_values` does the work, on the store's ``sampled`` and
``grams`` tables).

What a query reports is what a scan of the indexed and the new documents together
(:func:`~neardup.find_duplicates` with the same parameters) reports of the pairs that
involve a new document: the same candidates, measured by the same judge
(:class:`~neardup.searches.copies.SpecificContent`) and rewrite rule on the same formula
shingles and common 4-grams, whose document frequencies count the indexed and the new
documents (``tests/test_index_copies.py``, ``tests/test_spark_check_copies.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import numpy as np

from .._types import F64, I64, U32, Verification
from ..io.documents import Document
from ..parameters import Parameters
from ..report import Pair
from ..searches.copies import FIGURES, SAME_TEXT, formula_cut
from ..searches.copies import NAME as COPIES
from ..searches.protocol import (
    Found,
    Judge,
    Judged,
    PerDocument,
    Rule,
    SearchMode,
    Verdicts,
    packed,
)
from ..searches.rewritten_copies import NAME as REWRITE
from ..searches.rewritten_copies import common_cut, stored_rule
from .stored_values import (
    Frequencies,
    JudgedCandidates,
    Judging,
    StoredValues,
    ValueTables,
    check_value_rows,
    copies_candidates,
    judging,
    rewrite_candidates,
)


class IndexedDocument(Protocol):
    """What the judgement reads of an indexed document met: its doc number and id."""

    @property
    def doc(self) -> int: ...

    @property
    def id(self) -> str: ...


Indexed = TypeVar("Indexed", bound=IndexedDocument)
"""An engine's own record of an indexed document met."""


@dataclass(frozen=True)
class AsScanned:
    """A judge that measures each (new, indexed) pair in the order a scan of the indexed
    documents followed by the new ones gives it, the indexed document first, and records
    its figures for the pair as the query reports it (the new document first): the
    measure is not symmetric (shared passages are tiled along the first text), so this is
    what makes the figures and verdicts those of the scan."""

    inner: Judge
    new: int
    """The nodes below this are new documents."""

    def judge(self, judged: Judged, recorded: Mapping[str, F64]) -> Verdicts:
        flip = np.array([i < self.new <= j for i, j in judged.pairs], dtype=bool)
        if not flip.any():
            return self.inner.judge(judged, recorded)
        pairs = [(j, i) if f else (i, j) for (i, j), f in zip(judged.pairs, flip.tolist(),
                                                             strict=True)]
        overlaps = judged.overlaps.copy()
        overlaps[flip, 1], overlaps[flip, 2] = judged.overlaps[flip, 2], judged.overlaps[flip, 1]
        verdicts = self.inner.judge(Judged(pairs, overlaps, judged.near), recorded)
        figures = dict(verdicts.figures)
        for first, second in (("specific_a", "specific_b"), ("formula_a", "formula_b")):
            if first in figures and second in figures:
                a, b = figures[first].copy(), figures[second].copy()
                a[flip], b[flip] = figures[second][flip], figures[first][flip]
                figures[first], figures[second] = a, b
        return Verdicts(verdicts.copy, figures, verdicts.reasons)


class JudgedQuery:
    """The copies judgement and rewrite search of one check against stored documents (an
    index file's, in its read transaction, or a Parquet corpus's)."""

    def __init__(self, tables: ValueTables, params: Parameters, hashed: dict[str, PerDocument],
                 stored_cps: Callable[[list[int]], dict[int, U32]],
                 damaged: Callable[[str], str]):
        """``stored_cps``: the normalized code points of indexed documents by doc number,
        read at once; ``damaged``: the message of damage found in the rows read."""
        self._tables = tables
        self._damaged = damaged
        self._params = params
        self._stored = StoredValues(stored_cps)
        self._sampled: Frequencies | None = None
        self._grams: Frequencies | None = None
        if params.formula_df is not None:
            self._sampled = Frequencies.of_new(tables, "sampled", 0, packed(hashed[COPIES]))
            self._new_sampled = packed(hashed[COPIES])
        if params.rewrite is not None:
            cap = common_cut(params) + 1
            self._grams = Frequencies.of_new(tables, "grams", cap, packed(hashed[REWRITE]))
            self._new_grams = packed(hashed[REWRITE])
        self._found: dict[str, JudgedCandidates] = {}
        self._judging = Judging(np.empty(0, np.uint32), np.empty(0, np.uint32), {})
        self._cut = 0

    def find_candidates(self, new_documents: int) -> None:
        """The candidates of the copies judgement and of the rewrite search."""
        documents = self._tables.count() + new_documents
        if self._sampled is not None and self._params.formula_df is not None:
            self._cut = formula_cut(self._params.formula_df, documents)
            self._sampled.cap = self._cut + 1
            self._found[COPIES] = copies_candidates(
                self._sampled, self._new_sampled, documents, self._params.formula_df,
                self._stored,
            )
        if self._grams is not None:
            self._found[REWRITE] = rewrite_candidates(
                self._grams, self._new_grams, self._params, self._stored
            )

    def with_stored(self) -> list[tuple[int, int]]:
        """(new document's position, indexed doc number) candidates."""
        return [pair for found in self._found.values() for pair in found.with_stored]

    def among_new(self) -> list[I64]:
        """Candidates among the new documents."""
        return [found.among_new for found in self._found.values()]

    def found(self) -> dict[str, Found]:
        """What each mode's candidate stage recorded."""
        return {name: found.found for name, found in self._found.items()}

    def judge(self, new: list[Document], indexed: Sequence[Indexed],
              cps_of: Callable[[int], U32], candidates: I64,
              sentences_of: Callable[[Indexed], str]) -> None:
        """The formula shingles, common 4-grams and rewrite profiles of the compared
        documents (the nodes of ``candidates``: ``0 .. len(new) - 1`` the new documents,
        then the ``indexed`` ones; ``cps_of`` a node's normalized code points;
        ``sentences_of`` an indexed document's normalized sentences), and the check of the
        rows read."""
        nodes: list[int] = np.unique(candidates).tolist()
        n = len(new)
        cps = [cps_of(node) for node in nodes]
        new_texts = {node: new[node].text for node in nodes if node < n}
        sentences = {}
        if self._grams is not None:
            for node in nodes:
                if node >= n:
                    old = indexed[node - n]
                    sentences[node] = sentences_of(old)
        cuts = (self._cut, common_cut(self._params))
        self._judging = judging(nodes, cps, new_texts, sentences, (self._sampled, self._grams),
                                cuts, self._params)
        names = {old.doc: old.id for old in indexed}
        docs = [indexed[node - n].doc for node in nodes if node >= n]
        if self._sampled is not None:
            self._stored.sampled(docs)
        if self._grams is not None:
            self._stored.grams(docs)
        for freq in (self._sampled, self._grams):
            if freq is not None:
                check_value_rows(freq, self._stored.met(freq.table), names, self._damaged)

    def common(self) -> dict[str, U32]:
        """The formula shingles and common 4-grams of the compared documents, by mode."""
        out = {}
        if self._sampled is not None:
            out[COPIES] = self._judging.formula
        if self._grams is not None:
            out[REWRITE] = self._judging.common
        return out

    def rules(self) -> list[Rule]:
        """The rewrite rule, on the profiles of the compared documents."""
        if self._grams is None:
            return []
        return [stored_rule(self._params, self._judging.profiles)]

    def formula(self) -> U32 | None:
        """The formula shingles of the compared documents (None: no copies judgement)."""
        return self._judging.formula if self._sampled is not None else None

    def notes(self, modes: Sequence[SearchMode], found: dict[str, Found],
              verification: Verification) -> list[str]:
        """What the copies judgement and the rewrite search say in the report."""
        return [note for mode in modes if mode.name in self._found
                for note in mode.notes(found[mode.name], self._params, verification)]

    def exact_pairs(self, pairs: list[Pair]) -> list[Pair]:
        """Pairs of identical normalized texts as a scan with a copies judgement reports
        them: a copy for that reason, without the judge's figures."""
        if self._sampled is None:
            return pairs
        blank: dict[str, Any] = dict.fromkeys((*FIGURES, "rewrite"))
        return [replace(p, **blank, reason=SAME_TEXT) if p.exact else p for p in pairs]

