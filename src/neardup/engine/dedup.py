"""``deduplicate``: which documents of a collection to keep, one per group of near-duplicates.

The local engine's search (:func:`~neardup.engine.find.search`) runs as for
:func:`~neardup.find_duplicates`, with two changes: documents shorter than ``min_length``
normalized characters are set aside before anything is compared (passed through), and the
representative of each cluster is the member to keep, so that every member's similarity is
measured against it. Which member that is:

* ``keep="first"``: the earliest in input order;
* ``keep="longest"``: the longest normalized text (ties: the earliest);
* ``prefer=FIELD``: the largest value of a field of the records (a quality score, a date;
  numbers, or strings compared as strings; a record without it comes last), then as ``keep``
  says, then the earliest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._types import I64, ProgressHook
from ..core.exact import first_of_group
from ..errors import InputError, NeardupError, ParameterError
from ..io.dedup_result import DedupCounts, DedupResult, Removed
from ..io.tables import original_ids, with_original_ids
from ..parameters import Parameters, resolve_parameters
from ..report import Cluster, ClusterMember, Skipped
from ..stages.keeping import check_keep
from .find import Search, search, worker_count
from .hashing_stage import Processed
from .keeping import split_chains as split
from .set_aside import SetAside
from .sources import TextSource
from .workers import Workers


def deduplicate(
    documents: object,
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    keep: str = "first",
    prefer: str | None = None,
    min_length: int = 0,
    split_chains: bool = False,
    id_field: str = "id",
    text_field: str = "text",
    workers: int | None = None,
    progress: ProgressHook | None = None,
    **overrides: Any,
) -> DedupResult:
    """Decide which documents to keep: one of each group of near-duplicates (and of
    identical texts), every other document as it is.

    What counts as a near-duplicate is :class:`~neardup.parameters.Parameters`: ``params``,
    or the ``preset``'s, or the defaults, with ``overrides`` (its fields), as for
    :func:`~neardup.find_duplicates`.

    Args:
        documents: what :func:`~neardup.find_duplicates` reads (documents, a dict, records,
            a DataFrame, a pyarrow Table, a :class:`~neardup.io.corpus.Corpus`).
        params: the parameters (default: the ``preset``'s, or the defaults).
        preset: a name of :data:`~neardup.parameters.PRESETS`.
        keep: ``"first"`` (input order) or ``"longest"`` (normalized length).
        prefer: keep the member with the largest value of this field of the records.
        min_length: documents shorter than this many normalized characters are not
            compared: they are passed through.
        split_chains: split clusters where they chain, so that every removed document is
            within the threshold of the one kept for it (more documents may be kept;
            :mod:`neardup.engine.keeping`). Without it a removed document may be below the
            threshold of the kept one (joined through others; its similarity says so).
        id_field: the field of records that holds the id.
        text_field: the field of records that holds the text.
        workers: hashing processes; None = all cores.
        progress: as for :func:`~neardup.find_duplicates`.
        **overrides: :class:`~neardup.parameters.Parameters` fields to change.

    Raises:
        ParameterError: an unknown or out-of-range parameter.
        InputError: records without the text field, or ``prefer`` on documents that have no
            fields.
        DuplicateIdError: two documents share an id.

    Example:
        >>> text = "今天天气很好，我们去公园散步吧，然后一起吃午饭。"
        >>> result = deduplicate({"a": text, "b": text + "好吗", "c": text + "！", "d": "别的"})
        >>> result.kept, dict(result.removed)["c"]
        (['a', 'd'], Removed(kept='a', similarity=1.0, exact=True))
        >>> result.counts.removed_near, result.counts.removed_exact
        (1, 1)
        >>> deduplicate({"a": text, "b": text + "好吗"}, threshold=0.9).kept
        ['a', 'b']
    """
    check_keep(keep)
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 0:
        raise ParameterError(f"min_length must be an integer >= 0 (got {min_length!r})")
    parameters = resolve_parameters(params, preset, **overrides)
    source = TextSource(documents, id_field, text_field)
    chooser = Chooser(source, keep, prefer)
    processes = Workers(worker_count(workers))
    try:
        found = search(
            source, parameters, processes, progress, min_length=min_length, ranks=chooser.ranks
        )
    finally:
        processes.close()
    if split_chains:
        ranks = chooser.ranks(found.hashed, found.copies, found.verified.pairs)
        found.verified.clusters = split(found.verified, ranks, parameters.threshold)
    result = decide(found, chooser, source.file_paths())
    originals = original_ids(documents, id_field)
    return result if originals is None else with_original_ids(result, originals)


class Chooser:
    """The ranks that choose the member to keep (the largest; ties to the earliest), and the
    member kept among identical texts."""

    def __init__(self, source: TextSource, keep: str, prefer: str | None) -> None:
        self.source = source
        self.keep = keep
        self.prefer = prefer
        self.copy_ranks: I64 = np.zeros(0, dtype=np.int64)
        """The preference rank of each exact copy (``prefer`` only)."""
        self.doc_ranks: I64 = np.zeros(0, dtype=np.int64)

    def ranks(self, hashed: Processed, copies: SetAside, candidates: I64) -> I64:
        """Each document's rank (those in no candidate pair and without copies: 0)."""
        lengths = np.asarray(hashed.lengths, dtype=np.int64)
        by_length = lengths if self.keep == "longest" else np.zeros_like(lengths)
        if self.prefer is None:
            return by_length
        involved = np.unique(np.concatenate([candidates.ravel(), copies.of]))
        positions = np.asarray(hashed.positions, dtype=np.int64)[involved].tolist()
        values = self.source.field_values(positions + copies.positions.tolist(), self.prefer)
        self._check_prefer(values, hashed)
        try:
            ranked = preference_ranks(values, self.prefer)
        except MixedValues as exc:
            at = (positions + copies.positions.tolist())[exc.index]
            where = self.source.fetch([at])[at]
            raise InputError(f"{where.source or where.id}: {exc}") from None
        self.doc_ranks = np.zeros(lengths.size, dtype=np.int64)
        self.doc_ranks[involved] = ranked[: involved.size]
        self.copy_ranks = ranked[involved.size :]
        # a group of identical texts ranks as its best member (the largest value, then the
        # earliest): the member it keeps
        best = self.doc_ranks.copy()
        earliest = np.asarray(hashed.positions, dtype=np.int64).copy()
        for of, members in copies.copies_of().items():
            k = self._best_copy(members)
            if self.copy_ranks[k] > best[of]:
                best[of], earliest[of] = self.copy_ranks[k], copies.positions[k]
        order = np.lexsort((-earliest, by_length, best))  # the last key sorts first
        out: I64 = np.empty_like(order)
        out[order] = np.arange(order.size, dtype=np.int64)
        return out

    def _check_prefer(self, values: Sequence[object], hashed: Processed) -> None:
        """Refuse a field to prefer that none of the records it decides between has (nor
        the first record, when it decides nothing): a misspelt name would silently keep the
        first of each group.

        Raises:
            InputError: naming the field and the fields the records have.
        """
        if any(value is not None for value in values) or not hashed.positions:
            return
        first = int(hashed.positions[0])
        if not values and self.source.field_values([first], str(self.prefer))[0] is not None:
            return
        fields = self.source.field_names(first)
        their = f" (their fields: {', '.join(fields)})" if fields else ""
        raise InputError(
            f"field {self.prefer!r} to prefer: none of the records it decides between has "
            f"it{their}; name a field of the "
            "records (--prefer FIELD, prefer= in Python)"
        )

    def _best_copy(self, members: list[int]) -> int:
        """The copy with the largest value (the earliest of ties)."""
        return max(members, key=lambda k: int(self.copy_ranks[k]))

    def kept_of_group(self, copies: SetAside) -> dict[int, int]:
        """For each document with copies, the copy kept in its place (by index into the
        copies) when one is preferred to it."""
        if self.prefer is None:
            return {}
        out: dict[int, int] = {}
        for of, members in copies.copies_of().items():
            best = self._best_copy(members)
            if self.copy_ranks[best] > self.doc_ranks[of]:
                out[of] = best
        return out


class MixedValues(InputError):
    """The values of a field to prefer are not all numbers or all strings; ``index``: the
    first value of another kind (the caller names its record)."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def _kind(value: object) -> str:
    """``number``, ``string`` or the type's name, as a value to prefer."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__


def preference_ranks(values: Sequence[object], name: str) -> I64:
    """Dense ranks of field values (1 = the smallest; 0 = missing: None or NaN), compared as
    numbers or as strings.

    Raises:
        MixedValues: values of both kinds, or of another kind (naming the first value of
            another kind than the first value's).

    Example:
        >>> preference_ranks([3, None, 1.5, 3, float("nan")], "score").tolist()
        [2, 0, 1, 2, 0]
    """
    kinds = [_kind(v) if v is not None and v == v else None for v in values]  # None: missing
    present = [v for v, kind in zip(values, kinds, strict=True) if kind is not None]
    found = {kind for kind in kinds if kind is not None}
    if len(found) > 1 or found - {"number", "string"}:
        first = next(kind for kind in kinds if kind is not None)
        odd = next(k for k, kind in enumerate(kinds)
                   if kind is not None and (kind != first or kind not in ("number", "string")))
        raise MixedValues(
            f"field {name!r}: values to prefer must be all numbers or all strings (found "
            f"{', '.join(sorted(found))}; this record's is {values[odd]!r}, a {kinds[odd]})",
            odd,
        )
    rank = {value: k for k, value in enumerate(sorted(set(present)), start=1)}  # type: ignore[type-var]
    return np.asarray(
        [rank[v] if v is not None and v == v else 0 for v in values], dtype=np.int64
    )


def decide(found: Search, chooser: Chooser, file_paths: set[str]) -> DedupResult:
    """The documents kept and removed, from what the search found."""
    hashed, copies, verified = found.hashed, found.copies, found.verified
    doc_positions = np.asarray(hashed.positions, dtype=np.int64).tolist()
    copy_positions = copies.positions.tolist()
    groups = copies.copies_of()
    kept_copy = chooser.kept_of_group(copies)

    def kept_of(i: int) -> str:
        return copies.ids[kept_copy[i]] if i in kept_copy else hashed.ids[i]

    def group(i: int) -> list[tuple[str, int]]:
        """(id, position) of a document and its copies."""
        return [(hashed.ids[i], doc_positions[i])] + [
            (copies.ids[k], copy_positions[k]) for k in groups.get(i, ())
        ]

    first = first_of_group(hashed.all_digests())  # identical texts that went on (see set_aside)
    removed: dict[str, Removed] = {}
    removed_positions: list[int] = []
    clusters: list[tuple[int, Cluster]] = []
    clustered: set[int] = set()
    for rep, members in verified.clusters:
        kept = kept_of(rep)
        listed: list[tuple[int, ClusterMember]] = []
        for m, similarity in members:
            clustered.add(m)
            for doc_id, position in group(m):
                sim = 1.0 if m == rep else similarity
                listed.append((position, ClusterMember(doc_id, sim)))
                if doc_id != kept:
                    removed[doc_id] = Removed(kept, sim, bool(first[m] == first[rep]))
                    removed_positions.append(position)
        listed.sort(key=lambda entry: entry[0])
        clusters.append((listed[0][0], Cluster(kept, tuple(m for _, m in listed))))
    for i in groups:
        if i in clustered:
            continue
        kept = kept_of(i)
        members_of = group(i)
        for doc_id, position in members_of:
            if doc_id != kept:
                removed[doc_id] = Removed(kept, 1.0, True)
                removed_positions.append(position)
        clusters.append((members_of[0][1], Cluster(
            kept, tuple(ClusterMember(doc_id, 1.0) for doc_id, _ in members_of)
        )))
    clusters.sort(key=lambda entry: entry[0])
    ids = hashed.ids + copies.ids
    in_order = np.argsort(np.asarray(doc_positions + copy_positions, dtype=np.int64),
                          kind="stable")
    kept_ids = [ids[k] for k in in_order.tolist() if ids[k] not in removed]
    record_skips = [s for s in hashed.skipped if not _file_skip(s, file_paths)]
    passed = copies.short_ids + [s.id for s in record_skips]
    read = hashed.read - (len(hashed.skipped) - len(record_skips))
    exact = sum(1 for r in removed.values() if r.exact)
    counts = DedupCounts(
        read=read,
        kept=len(kept_ids),
        removed_exact=exact,
        removed_near=len(removed) - exact,
        passed_through=len(passed),
        skipped=len(hashed.skipped) - len(record_skips),
    )
    if counts.kept + counts.removed + counts.passed_through != counts.read:
        raise NeardupError(  # a bug, not an input problem: say so rather than lose records
            f"deduplication lost count of documents: {counts}"
        )
    return DedupResult(
        kept=kept_ids,
        removed=removed,
        clusters=[c for _, c in clusters],
        counts=counts,
        passed_through=passed,
        report=found.report,
        keep=chooser.keep,
        prefer=chooser.prefer,
        removed_positions=sorted(removed_positions),
    )


def _file_skip(skipped: Skipped, file_paths: set[str]) -> bool:
    """Whether a skipped item is a whole file (not one of its records)."""
    return skipped.source is not None and skipped.source in file_paths
