"""The copies judgement: which of the pairs found are copies, told from template siblings and
topic neighbours by *what* they share (:mod:`neardup.core.formula`), and the search for
pairs that share specific content, however little of either text it is.

Hashing keeps one in :data:`~neardup.core.formula.SAMPLE` of each normalized text's
character 5-grams (:func:`~neardup.core.formula.sampled_shingles`); the candidate stage
counts how many documents hold each, takes those held by more than the formula cut
(:func:`formula_cut`) as the collection's formula, and pairs the documents that share at
least :data:`LEAST_SHARED` of the others
(:func:`~neardup.core.fingerprints.shared_fingerprint_pairs`: every pair of their
holders, so the work is bounded by the cut). The judge then measures every candidate pair of
every mode (:func:`~neardup.core.formula.specificity`) and keeps those that
:class:`~neardup.core.formula.CopyRule` takes for copies, unless the two texts name other
editions of one recurring event (:mod:`neardup.core.editions`); the others that a mode's
rule accepted are set apart with the reason. An index (format 3) keeps every document's
sampled shingles and judges a query's pairs with the same judge
(:mod:`neardup.stages.stored_values`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._types import F64, I64, U32, Verification
from ..core.editions import Named, conflicts, named
from ..core.fingerprints import shared_fingerprint_pairs
from ..core.formula import (
    NGRAM,
    CopyRule,
    Profiles,
    profiles,
    sampled_shingles,
    specificities,
)
from ..core.normalize import from_codepoints
from ..core.similarity import packed_intersection_sizes
from ..parameters import Parameters
from .protocol import (
    Bools,
    ComparedTexts,
    Found,
    Judged,
    Mapper,
    Packed,
    PerDocument,
    Verdicts,
    joined_packed,
)
from .rewritten_copies import NAME as REWRITE

NAME = "copies"

SAME_TEXT = "the same text once normalized"
"""The reason the copies judgement gives a pair of identical normalized texts (every engine
reports them so, without the judge's figures)."""

LEAST_SHARED = 4
"""Sampled shingles held by few documents (at most the formula cut) that two documents must
share at the least to be a candidate (about 16 characters of rare text), ..."""

MOST_SHARED = 8
"""... and at the most (about 32 characters: what the specific passage a copy needs holds)
..."""

SHARED_SHARE = 0.04
"""... between them, this share of the smaller document's sampled shingles: a short item
that shares a quoted sentence is a candidate, and two long laws that share a few rare
phrases are not (4 for every pair made 3.4 times the candidates among 400 laws, and 2.3
times the time, for the same copies; 8 for every pair lost news copies of 35–42
characters)."""


def enough_rare(shared: I64, count_a: I64, count_b: I64) -> Bools:
    """Whether pairs sharing ``shared`` rare sampled shingles, of documents with ``count_a``
    and ``count_b`` sampled shingles, are candidates (:data:`SHARED_SHARE`)."""
    need = np.clip(SHARED_SHARE * np.minimum(count_a, count_b), LEAST_SHARED, MOST_SHARED)
    out: Bools = shared >= need
    return out

WHOLE_SLACK = 0.85
"""A pair whose containment is below this share of :attr:`CopyRule.whole` cannot share that
much of the shorter text in order (shingle sets and characters differ by a little)."""

SMALL_SHARE = 10
"""In a small collection the formula cut is at most a tenth of its documents (at least 2)."""

FIGURES = ("specific_a", "specific_b", "formula_a", "formula_b")
"""The :class:`~neardup.report.Pair` fields the judge fills."""


def formula_cut(formula_df: int, documents: int) -> int:
    """How many documents may hold a shingle before it is formula: ``formula_df``, or a
    tenth of a smaller collection (at least 2: a shingle of three documents is formula among
    eleven)."""
    return max(2, min(formula_df, documents // SMALL_SHARE))


@dataclass(frozen=True)
class Specific:
    """Accepts nothing by itself: the judge decides (see :class:`SpecificContent`)."""

    records: str | None = None

    def accept(self, judged: Judged) -> tuple[Bools, F64 | None]:
        return np.zeros(len(judged.pairs), dtype=bool), None


@dataclass(frozen=True)
class SpecificContent:
    """Judges pairs by what they share: a copy when :class:`CopyRule` says so of their
    :class:`~neardup.core.formula.Specificity`. A pair sharing too few rare sampled
    shingles to be a candidate of its own (:func:`enough_rare`), and less than
    :data:`WHOLE_SLACK` of either text, is not measured (its figures are left out).

    The texts are profiled together once (:func:`~neardup.core.formula.profiles`), the rare
    shingles two texts share counted for every pair at once, and the pairs left measured in
    one call (:func:`~neardup.core.formula.specificities`)."""

    texts: Callable[[], Profiles]
    """The profiles of the compared texts (made when asked)."""
    node_of: Callable[[int], int]
    """A compared node's row among the profiles."""
    rewrite: float | None
    """The least rewrite resemblance of a rewritten copy (None: no rewrite search)."""
    editions_of: Callable[[int], Named] = lambda _: Named({}, {})
    """The editions of a recurring event a profiled text names (by its row)."""
    copy_rule: CopyRule = field(default_factory=CopyRule)

    def judge(self, judged: Judged, recorded: Mapping[str, F64]) -> Verdicts:
        pairs = np.array([(self.node_of(i), self.node_of(j)) for i, j in judged.pairs],
                         dtype=np.int64).reshape(-1, 2)
        resemblance = recorded.get(REWRITE)
        rewritten = (np.zeros(len(pairs), dtype=bool) if resemblance is None or self.rewrite
                     is None else np.nan_to_num(resemblance) >= self.rewrite)
        copy = np.zeros(len(pairs), dtype=bool)
        figures = {name: np.full(len(pairs), np.nan) for name in FIGURES}
        if not len(pairs):
            return Verdicts(copy, figures, [])
        texts = self.texts()
        rare = packed_intersection_sizes(texts.rare, texts.rare_counts, pairs)
        few = ~enough_rare(rare, texts.sampled[pairs[:, 0]], texts.sampled[pairs[:, 1]])
        contained = np.maximum(judged.overlaps[:, 1], judged.overlaps[:, 2])
        measured = np.flatnonzero(~(few & (contained < WHOLE_SLACK * self.copy_rule.whole)))
        reasons = ["shares little specific text (text few documents hold)"] * len(pairs)
        for k, found in zip(measured.tolist(), specificities(texts, pairs[measured]),
                            strict=True):
            copy[k], reasons[k] = self.copy_rule.reason(found, bool(rewritten[k]))
            if copy[k]:
                copy[k], reasons[k] = self._other_edition(pairs[k], reasons[k])
            for name in FIGURES:
                figures[name][k] = getattr(found, name)
        return Verdicts(copy, figures, reasons)

    def _other_edition(self, pair: I64, reason: str) -> tuple[bool, str]:
        """A copy by what it shares, unless the two texts are other editions of one
        recurring event (第17届 against 第19届 of one prize): then a template filled in
        again, however much of its wording it kept."""
        differ = conflicts(self.editions_of(int(pair[0])), self.editions_of(int(pair[1])))
        if not differ:
            return True, reason
        one, other = sorted(differ[0])  # as either text comes first (a check flips pairs)
        return False, (f"another edition of a recurring event ({one} and {other}): "
                       "a template filled in again")


@dataclass(frozen=True)
class SpecificCopies:
    """Sampled shingles to the formula model and to candidates sharing rare text; every
    candidate judged by what it shares."""

    name: str = NAME
    counts_every_copy: bool = True

    def hash(self, flat: U32, lengths: I64, signatures: U32, params: Parameters) -> Packed:
        return Packed(*sampled_shingles(flat, lengths, NGRAM))

    def candidates(
        self, blocks: Sequence[PerDocument], params: Parameters, mapper: Mapper | None = None
    ) -> Found:
        """The pairs sharing enough rare sampled shingles (:func:`enough_rare`); the formula ones
        (held by more than :func:`formula_cut` documents) recorded as ``common``."""
        values, counts = joined_packed(blocks)
        cut = formula_cut(_formula_df(params), int(counts.size))
        shared = shared_fingerprint_pairs(values, counts, 1e-9, cut, least=LEAST_SHARED)
        pairs = shared.pairs
        kept = enough_rare(shared.shared, counts[pairs[:, 0]], counts[pairs[:, 1]])
        return Found(pairs[kept], shared.common, shared.max_df)

    def notes(self, found: Found, params: Parameters, verification: Verification) -> list[str]:
        cut = found.max_df
        if cut is None:
            return []
        return [
            f"pairs were judged by what they share: text held by more than {cut} documents is "
            "formula; a pair is a copy when it shares a specific passage of "
            f"{CopyRule.passage} characters (not a template filled in differently) or "
            f"{CopyRule.whole:.0%} of the shorter text in order, and the other pairs found "
            "are set apart"
        ]

    def counts(self, found: Found) -> dict[str, int]:
        return {"formula_shingles": int(found.common.size)}

    def rule(self, params: Parameters, compared: ComparedTexts | None) -> Specific:
        return Specific()

    def judge(self, params: Parameters, compared: ComparedTexts | None) -> SpecificContent | None:
        """Measures pairs on their normalized texts and the formula shingles (None without
        the texts: verifying by estimate)."""
        if compared is None:
            return None
        formula = compared.common.get(NAME, np.empty(0, dtype=np.uint32))
        rows = {node: k for k, node in enumerate(compared.nodes)}

        def texts() -> Profiles:  # made for each judgement, not kept: memory goes with it
            return profiles(compared.cps, formula, NGRAM)

        read: dict[int, Named] = {}

        def editions_of(row: int) -> Named:  # of the copies' texts only, once each
            if row not in read:
                read[row] = named(from_codepoints(compared.cps[row]))
            return read[row]

        return SpecificContent(texts, rows.__getitem__, params.rewrite, editions_of)


def _formula_df(params: Parameters) -> int:
    if params.formula_df is None:
        raise ValueError("the parameters ask for no copies judgement")
    return params.formula_df
