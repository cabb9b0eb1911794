"""What a search mode is: the protocol each of :mod:`neardup.searches`' modes follows, and the
values that pass between it and the engines.

A mode says three things (:class:`SearchMode`):

1. what it needs from hashing: the per-document arrays it computes from a batch's
   normalized code points (:meth:`SearchMode.hash`: band keys, :class:`BandKeys`; winnowed
   fingerprints or distinctive 4-grams, :class:`Packed`);
2. how the hashed documents become candidate pairs (:meth:`SearchMode.candidates`), and what
   that records (:class:`Found`: the values it cut as boilerplate and the document-frequency
   cut it applied), the report's counts and notes about it;
3. which rule accepts a verified pair and what the rule records on the pair
   (:meth:`SearchMode.rule`, a :class:`Rule`): verification
   (:func:`neardup.stages.verification.verify_candidates`) keeps a candidate that any asked
   mode's rule accepts;
4. whether it judges the pairs found (:meth:`SearchMode.judge`, a :class:`Judge`): the
   copies mode (:mod:`neardup.searches.copies`) keeps only the candidates it takes for
   copies, and sets apart the others that a rule accepted, with its reasons.

Engines hold each mode's arrays by mode name (:attr:`SearchMode.name`) and never look
inside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .._types import F64, I64, U32, U64, Verification
from ..core.arrays import ranges, starts_of
from ..parameters import Parameters

Bools = npt.NDArray[np.bool_]

Mapper = Callable[[Callable[..., Any], Iterable[tuple[Any, ...]]], Iterator[Any]]
"""Runs ``function(*arguments)`` for each of the calls, results in order (the local engine's
worker processes, :meth:`neardup.engine.workers.Workers.map`)."""


@dataclass(frozen=True)
class BandKeys:
    """Per-document rows of equal width: LSH band keys, shape (n, bands), Fortran order
    (bands are read column by column)."""

    keys: U64

    @property
    def documents(self) -> int:
        return int(self.keys.shape[0])

    def rows(self, rows: I64) -> BandKeys:
        """The keys of the documents at ``rows`` (ascending)."""
        if rows.size == self.documents:  # rows ascend: all of them, in order
            return self
        return BandKeys(np.asfortranarray(self.keys[rows]))


@dataclass(frozen=True)
class Packed:
    """Per-document values of any number: each document's values, concatenated, and how
    many each has."""

    values: U32
    counts: I64

    @classmethod
    def none(cls, documents: int) -> Packed:
        """No values for ``documents`` documents."""
        return cls(np.empty(0, dtype=np.uint32), np.zeros(documents, dtype=np.int64))

    @property
    def documents(self) -> int:
        return int(self.counts.size)

    def rows(self, rows: I64) -> Packed:
        """The values of the documents at ``rows`` (ascending)."""
        counts = self.counts[rows]
        return Packed(self.values[ranges(starts_of(self.counts)[rows], counts)], counts)


PerDocument = BandKeys | Packed
"""What a mode keeps of each hashed document."""


def packed(arrays: PerDocument) -> Packed:
    """``arrays`` as the :class:`Packed` values a mode hashed."""
    if not isinstance(arrays, Packed):
        raise TypeError(f"expected packed values, got {type(arrays).__name__}")
    return arrays


def joined_packed(blocks: Sequence[PerDocument]) -> tuple[list[U32], I64]:
    """The values of :class:`Packed` blocks (whole documents each, in order) and every
    document's count."""
    parts = [packed(block) for block in blocks]
    counts = [part.counts for part in parts]
    values = [part.values for part in parts]
    return values, (np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class Found:
    """A mode's candidate pairs ``(i, j)``, ``i < j``, sorted, and what its candidate stage
    recorded."""

    pairs: I64
    common: U32 = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    """The values held by more documents than the cut (boilerplate), sorted."""
    max_df: int | None = None
    """The document-frequency cut applied (lower than asked when the pairs would not fit)."""


@dataclass(frozen=True)
class Judged:
    """The candidates as verification sees them when the rules are asked."""

    pairs: list[tuple[int, int]]
    overlaps: F64
    """One row ``(jaccard, a_in_b, b_in_a)`` per pair."""
    near: Bools
    """Pairs at or above the Jaccard threshold."""


@dataclass(frozen=True)
class ComparedTexts:
    """What exact verification knows of the compared documents beyond their overlaps: their
    normalized code points (and original texts, when it has them) by node, and what each
    mode's candidate stage cut as boilerplate (by mode name)."""

    nodes: list[int]
    cps: list[U32]
    """The normalized code points of each of ``nodes``."""
    common: dict[str, U32]
    texts: Callable[[], list[str]] | None = None
    """The original texts of ``nodes``, made when asked."""


class Rule(Protocol):
    """A mode's accept rule for verified pairs."""

    @property
    def records(self) -> str | None:
        """The :class:`~neardup.report.Pair` field the rule fills (None: none)."""

    def accept(self, judged: Judged) -> tuple[Bools, F64 | None]:
        """Which candidates the rule accepts, and the value it records on each (or None)."""


@dataclass(frozen=True)
class Verdicts:
    """A judge's verdict on candidate pairs: which are copies, the figures it records on
    each (by :class:`~neardup.report.Pair` field) and why, in a few words."""

    copy: Bools
    figures: dict[str, F64]
    reasons: list[str]


class Judge(Protocol):
    """Decides which candidate pairs are copies, whatever the rules accepted."""

    def judge(self, judged: Judged, recorded: Mapping[str, F64]) -> Verdicts:
        """The verdicts on the candidates, given what the rules recorded on each (by
        :class:`~neardup.report.Pair` field)."""


class SearchMode(Protocol):
    """One way of finding duplicates (a module of :mod:`neardup.searches` each)."""

    @property
    def name(self) -> str:
        """The key of the mode's arrays and boilerplate."""

    @property
    def counts_every_copy(self) -> bool:
        """Whether its document frequencies count identical documents one by one (so that
        exact copies are not set aside before its candidate stage)."""

    def hash(self, flat: U32, lengths: I64, signatures: U32, params: Parameters) -> PerDocument:
        """What the mode keeps of each document of a batch: normalized texts (concatenated
        code points and their lengths) and their MinHash signatures."""

    def candidates(
        self, blocks: Sequence[PerDocument], params: Parameters, mapper: Mapper | None = None
    ) -> Found:
        """The candidate pairs of the hashed documents (their arrays in blocks of whole
        documents, in order); ``mapper`` runs the work in parallel when given."""

    def notes(self, found: Found, params: Parameters, verification: Verification) -> list[str]:
        """What the report says about the search (a cut lowered, a search not run)."""

    def counts(self, found: Found) -> dict[str, int]:
        """The :class:`~neardup.report.Counts` fields it fills."""

    def rule(self, params: Parameters, compared: ComparedTexts | None) -> Rule | None:
        """The rule that accepts verified pairs (``compared``: None when verifying by
        estimate), or None when the mode cannot judge them so."""

    def judge(self, params: Parameters, compared: ComparedTexts | None) -> Judge | None:
        """What judges every candidate as a copy or not (None: the mode does not)."""
