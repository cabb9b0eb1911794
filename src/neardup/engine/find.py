"""``find_duplicates``: the local engine, from documents to a verified report.

The stages, in order: the documents are read once and streamed
(:mod:`neardup.engine.sources`), hashed in batches (normalize → shingle → minhash → band
keys, :mod:`neardup.engine.hashing_stage`), paired by shared band keys
(:mod:`neardup.engine.candidates`), verified and clustered
(:mod:`neardup.engine.verification_stage`) and put in a :class:`~neardup.report.DuplicateReport`;
every stage uses the worker processes (:mod:`neardup.engine.workers`) when there are
several.

What stays in memory between the stages is each document's band keys, id and normalized
length (and its signature when the run may verify by estimate: ``verify="estimate"``, or a
one-shot iterable, which may be too large to keep for re-reading).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._types import I64, ProgressHook, Verification
from ..errors import ParameterError
from ..io.documents import text_field_not_found
from ..parameters import Parameters, resolve_parameters
from ..report import Counts, DocumentInfo, DuplicateReport
from ..searches.copies import NAME as COPIES
from ..searches.copies import SAME_TEXT
from ..searches.modes import modes_for
from ..stages.verification import Verified, report_parts
from .candidates import find_candidates
from .hashing_stage import HashingStage, Processed
from .set_aside import (
    SetAside,
    exact_groups,
    set_aside,
    with_copies,
    with_exact_pairs,
    without_identical_pairs,
)
from .sources import DocumentsInput, TextSource
from .verification_stage import verify_all_candidates
from .workers import Workers


def find_duplicates(
    documents: DocumentsInput,
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    workers: int | None = None,
    progress: ProgressHook | None = None,
    with_texts: bool = False,
    id_field: str = "id",
    text_field: str = "text",
    **overrides: Any,
) -> DuplicateReport:
    """Find every pair and cluster of near-duplicate documents, and with ``containment``
    every document that copies part of another, and with ``rewrite`` every rewritten copy.

    What counts as a duplicate is :class:`~neardup.parameters.Parameters`: ``params``, or
    the ``preset``'s, or the defaults, with ``overrides`` (keyword arguments named as its
    fields: ``threshold``, ``containment``, ``rewrite``, ``ngram``, ...; None leaves one as
    it is), as :func:`~neardup.parameters.resolve_parameters` makes them.

    Args:
        documents: Documents, strings (ids "0", "1", ...), a dict id → text, (id, text)
            tuples, a :class:`~neardup.io.corpus.Corpus` of files, or records: a list of
            dicts, a pandas DataFrame, a pyarrow Table or a ``datasets.Dataset`` (see
            ``id_field`` and ``text_field``). Read once.
        params: the parameters (default: the ``preset``'s, or the defaults).
        preset: a name of :data:`~neardup.parameters.PRESETS`: ``"near-identical"`` (the
            defaults) or ``"copies"`` (rewritten and partial copies).
        workers: hashing processes; None = all cores. Results do not depend on it.
        progress: called as ``progress(stage, n)`` while working: ``("read", n)`` after each
            batch of documents, ``("candidates", total)`` once, ``("verified", n)`` as
            candidate pairs are checked.
        with_texts: also return the original texts of the documents in pairs
            (``report.texts``), e.g. to show their shared passages.
        id_field: the field (column) of records that holds the id (records without one
            are numbered by position).
        text_field: the field (column) of records that holds the text.
        **overrides: :class:`~neardup.parameters.Parameters` fields to change.

    Returns:
        A report whose pairs all have ``jaccard >= threshold``, ``containment >=
        containment`` or ``rewrite >= rewrite`` (exact unless ``report.verification ==
        "estimate"``). Documents identical after normalization are compared once and
        listed as one group (``report.identical``); each copy has the pairs of the first
        and is in its cluster, and a pair with the first marked ``exact`` (a group of k
        gives k - 1 such pairs; :meth:`~neardup.report.DuplicateReport.identical_pairs`
        lists all k(k-1)/2). Pairs are in input order of ``a``, then ``b``.

    Raises:
        ParameterError: an unknown parameter, or one out of range.
        DuplicateIdError: two documents share an id.
        InputError: an item is not a document, or records lack the text field.

    Example:
        >>> text = "今天天气很好，我们去公园散步吧"
        >>> report = find_duplicates([text, text + "！", text + "好吗", "完全不同的一句话"])
        >>> [(p.a, p.b, round(p.jaccard, 2), p.exact) for p in report.pairs]
        [('0', '1', 1.0, True), ('0', '2', 0.83, False), ('1', '2', 0.83, False)]
        >>> [group.members for group in report.identical]  # the same after normalization
        [('0', '1')]
        >>> strict = find_duplicates([text, text + "好吗"], threshold=0.9)
        >>> strict.pairs, strict.parameters.threshold
        ([], 0.9)
        >>> find_duplicates([text], Parameters(ngram=4), preset="copies")
        Traceback (most recent call last):
        ...
        neardup.errors.ParameterError: give params or preset, not both (a preset is a set of params)
    """
    started = time.perf_counter()
    params = resolve_parameters(params, preset, **overrides)
    source = TextSource(documents, id_field, text_field)
    processes = Workers(worker_count(workers))
    try:
        return search(
            source, params, processes, progress, with_texts=with_texts, started=started
        ).report
    finally:
        processes.close()


@dataclass
class Search:
    """What a run of the local engine found, and what it kept of the documents: the report,
    and for deduplication the processed documents, the ones set aside and the verified
    pairs and clusters by document index."""

    report: DuplicateReport
    hashed: Processed
    copies: SetAside
    verified: Verified


Ranks = Callable[[Processed, SetAside, I64], I64]
"""Which document of a cluster stands for it (the largest rank; ties to the earliest), given
the documents that go on, those set aside and the candidate pairs: by default their
normalized lengths."""


def search(
    source: TextSource,
    params: Parameters,
    workers: Workers,
    progress: ProgressHook | None,
    *,
    with_texts: bool = False,
    started: float | None = None,
    min_length: int = 0,
    ranks: Ranks | None = None,
) -> Search:
    """The stages of :func:`find_duplicates`, with its worker processes. Documents shorter
    than ``min_length`` normalized characters are set aside with the exact copies, and
    ``ranks`` choose the clusters' representatives (see :data:`Ranks`)."""
    started = time.perf_counter() if started is None else started
    estimates = params.verify == "estimate" or source.kind == "oneshot"  # may need them
    stage = HashingStage(params, workers, progress, keep_signatures=estimates)
    modes = modes_for(params)
    copies_too = not any(mode.counts_every_copy for mode in modes)  # see set_aside
    hashed, copies = set_aside(stage.run(source.items()), min_length, copies_too)
    read = len(hashed.ids) + len(copies.ids) + len(copies.short_ids)
    not_found = text_field_not_found(read, hashed.skipped, source.text_field)
    if not_found is not None:
        raise not_found
    found = find_candidates(hashed, workers, params, modes)
    hashed.searched.clear()  # no longer needed (fingerprints: a tenth of the text)
    candidates = found.pairs
    if progress:
        progress("candidates", int(candidates.shape[0]))
    verification, notes = _how_to_verify(params, source)
    for mode in modes:
        notes += mode.notes(found.found[mode.name], params, verification)
    chosen = None if ranks is None else ranks(hashed, copies, candidates)
    verified, infos = verify_all_candidates(
        verification, candidates, hashed, source, params, workers, progress,
        found.common(), chosen,
    )

    def describe(i: int) -> DocumentInfo:  # a document that was not re-read: its length
        info = infos.get(i)
        return DocumentInfo(None, None, None, hashed.lengths[i]) if info is None else info

    identical = exact_groups(hashed, copies, went_on=not copies_too)
    parts = with_copies(report_parts(verified, hashed.ids, describe), hashed, copies, verified)
    if not copies_too:
        parts = without_identical_pairs(parts, identical)
    same = SAME_TEXT if params.formula_df is not None else None
    parts = with_exact_pairs(parts, identical, hashed, copies, same)
    texts = _texts(source, hashed, copies, parts.documents) if with_texts else {}
    counts = Counts(
        documents=hashed.read,
        processed=len(hashed.ids) + len(copies.ids) + len(copies.short_ids),
        skipped=len(hashed.skipped),
        candidates=int(candidates.shape[0]),
        pairs=len(parts.pairs),
        clusters=len(parts.clusters),
        identical=sum(len(group.members) - 1 for group in identical),
        set_apart=len(parts.set_apart),
        **{key: n for mode in modes for key, n in mode.counts(found.found[mode.name]).items()},
    )
    report = DuplicateReport(
        parameters=params,
        pairs=parts.pairs,
        clusters=parts.clusters,
        skipped=hashed.skipped,
        counts=counts,
        verification=verification,
        seconds=time.perf_counter() - started,
        documents=parts.documents,
        notes=notes,
        texts=texts,
        identical=identical,
        set_apart=parts.set_apart,
        formula=found.found[COPIES].common if COPIES in found.found else None,
    )
    return Search(report, hashed, copies, verified)


def _how_to_verify(params: Parameters, source: TextSource) -> tuple[Verification, list[str]]:
    """Exact verification unless asked otherwise or the input cannot be read twice (a note
    then says so)."""
    if params.verify == "exact" and not source.can_fetch:
        return "estimate", [source.why_not]
    return params.verify, []


def _texts(
    source: TextSource, hashed: Processed, copies: SetAside, documents: dict[str, DocumentInfo]
) -> dict[str, str]:
    """The original texts of the documents in verified pairs, when they can be re-read; the
    title, source and length of those the verification did not re-read (exact copies) are
    filled in ``documents`` on the way."""
    if not documents or not source.can_fetch:
        return {}
    positions = [p for i, p in zip(hashed.ids, hashed.positions, strict=True) if i in documents]
    positions += [
        p for i, p in zip(copies.ids, copies.positions.tolist(), strict=True) if i in documents
    ]
    fetched = source.fetch(sorted(positions))
    for doc in fetched.values():
        info = documents.get(doc.id)
        if info is not None and info.length is None:
            documents[doc.id] = DocumentInfo(
                doc.title, doc.source, len(doc.text), info.normalized_length
            )
    return {doc.id: doc.text for doc in fetched.values()}


def worker_count(workers: int | None) -> int:
    if workers is None:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be an integer >= 1 (got {workers!r})")
    return workers
