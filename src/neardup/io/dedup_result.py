"""The result of a deduplication (:func:`neardup.deduplicate`): which documents stay, which go
and why, and the records kept (:meth:`DedupResult.deduplicated`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import InputError
from ..report import Cluster, DuplicateReport


class Removed(NamedTuple):
    """Why a document was removed: the id of the document kept in its place, their Jaccard
    similarity, and whether their normalized texts are identical (an exact copy)."""

    kept: Any
    similarity: float
    exact: bool


@dataclass(frozen=True)
class DedupCounts:
    """What a deduplication did with each document read: ``kept + removed_exact +
    removed_near + passed_through == read``. ``skipped`` counts the files that could not be
    read at all (not in ``read``)."""

    read: int
    kept: int
    removed_exact: int
    removed_near: int
    passed_through: int
    """Records not compared and left as they are: shorter than ``min_length``, empty, or
    holding no document (a malformed JSON line)."""
    skipped: int = 0

    @property
    def removed(self) -> int:
        return self.removed_exact + self.removed_near


@dataclass
class DedupResult:
    """The result of :func:`neardup.deduplicate`: which documents stay and which go.

    ``kept`` are the ids of the compared documents that stay, in input order (the documents
    passed through stay too: ``passed_through``); ``removed`` maps each removed id to the
    document kept in its place. ``clusters`` hold every document of each group of
    near-duplicates; their ``representative`` is the member kept, and each member's
    similarity is its Jaccard to it. ``report`` is the duplicate report the decisions were
    made from. Ids are strings, but those of a table or list of records are as it holds
    them (an integer id column gives integers; a DataFrame without one, its index), so that
    ``df[~df.id.isin(result.removed)]`` works; :meth:`deduplicated` gives the records kept
    in one call.
    """

    kept: list[Any]
    removed: dict[Any, Removed]
    clusters: list[Cluster]
    counts: DedupCounts
    passed_through: list[Any]
    """Ids of the documents passed through without being compared (those with an id)."""
    report: DuplicateReport
    keep: str = "first"
    prefer: str | None = None
    removed_positions: list[int] = field(default_factory=list, repr=False)
    """Positions of the removed documents in their input (for a
    :class:`~neardup.io.corpus.Corpus`, among its records), ascending: what a writer of the
    deduplicated corpus leaves out."""

    def deduplicated(self, records: Any) -> Any:
        """The records deduplicated (a pandas DataFrame, pyarrow Table, ``datasets.Dataset``
        or list of dicts) without the removed ones, of the same kind, in their order: e.g.
        ``deduplicate(df).deduplicated(df)``.

        Raises:
            InputError: ``records`` do not have as many rows as were read.
        """
        if len(records) != self.counts.read:
            raise InputError(
                f"records must be those deduplicated: {len(records):,} rows, "
                f"{self.counts.read:,} were read"
            )
        gone = set(self.removed_positions)
        keep = [k for k in range(len(records)) if k not in gone]
        if hasattr(records, "iloc"):  # pandas
            return records.iloc[keep]
        if hasattr(records, "features") and hasattr(records, "select"):  # datasets
            return records.select(keep)
        if hasattr(records, "take"):  # pyarrow
            return records.take(keep)
        return [records[k] for k in keep]
