"""``find_duplicates``: the whole pipeline from documents to a verified report.

documents → normalize → shingle → minhash (in batches, :mod:`neardup.hashing`) → LSH
candidates → exact verification and clusters (in units, :mod:`neardup.verification`) →
:class:`~neardup.report.DuplicateReport`; every stage uses the worker processes when there
are several.

The input is read once and streamed: texts are hashed in batches and dropped, and what stays
in memory is each document's band keys, id and normalized length (and its signature when
the run may verify by estimate: ``verify="estimate"``, or a one-shot iterable). Exact
verification then re-reads only the candidate documents: from a
:class:`~neardup.documents.Corpus` by file offset, or from the caller's sequence or mapping
by position. A one-shot iterable (a generator) cannot be re-read: its documents are kept in
memory up to :data:`RETAIN_CHARS` characters, and past that the run verifies by estimate
and says so in ``report.notes``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._types import I64, ShingleUnit, Verification
from ..core.clusters import clusters_with_similarities
from ..core.lsh import band_columns, band_pair_codes, candidate_pairs, pairs_of_codes
from ..core.normalize import DEFAULT_MARKERS
from ..core.similarity import estimate_containment, estimate_jaccard
from ..errors import ParameterError
from ..io.corpus import Corpus
from ..io.documents import Document, as_document, as_documents
from ..io.records import Fetched, LineBlock, LinesAt, Record, parse_record
from ..parameters import Parameters
from ..report import (
    Cluster,
    ClusterMember,
    Counts,
    DocumentInfo,
    DuplicateReport,
    Pair,
    Skipped,
)
from .hashing import Hashed, HashingStage, ProgressHook
from .verification import Unit, UnitResult, plan_units, verify_unit
from .workers import Workers

RETAIN_CHARS = 128_000_000
"""Characters of a one-shot iterable's documents kept in memory for exact verification."""

DocumentsInput = (
    Corpus | Iterable[Document] | Sequence[str] | Mapping[str, str] | Iterable[tuple[str, str]]
)


def find_duplicates(
    documents: DocumentsInput,
    *,
    threshold: float = 0.7,
    ngram: int = 5,
    unit: ShingleUnit = "char",
    num_perm: int = 128,
    seed: int = 1,
    bands: int | None = None,
    verify: Verification = "exact",
    html: bool = False,
    markers: Sequence[str] | None = None,
    workers: int | None = None,
    progress: ProgressHook | None = None,
    with_texts: bool = False,
) -> DuplicateReport:
    """Find every pair and cluster of near-duplicate documents.

    Args:
        documents: Documents, strings (ids "0", "1", ...), a dict id → text, (id, text)
            tuples, or a :class:`~neardup.documents.Corpus` of files. Read once.
        threshold: minimum Jaccard similarity of shingle sets, in (0, 1].
        ngram: shingle size, in characters (``unit="char"``) or jieba words (``"word"``).
        unit: ``"char"`` or ``"word"``.
        num_perm: MinHash permutations.
        seed: permutation seed (as datasketch's).
        bands: LSH bands (must divide num_perm); chosen from the threshold when None.
        verify: ``"exact"`` (Jaccard of shingle sets) or ``"estimate"`` (from signatures).
        html: strip HTML tags and entities before normalizing.
        markers: regular expressions removed before normalizing (default: scraper markers).
        workers: hashing processes; None = all cores. Results do not depend on it.
        progress: called as ``progress(stage, n)`` while working: ``("read", n)`` after each
            batch of documents, ``("candidates", total)`` once, ``("verified", n)`` as
            candidate pairs are checked.
        with_texts: also return the original texts of the documents in pairs
            (``report.texts``), e.g. to show their shared passages.

    Returns:
        A report whose pairs all have ``jaccard >= threshold`` (exact unless
        ``report.verification == "estimate"``).

    Raises:
        ParameterError: a parameter is out of range.
        DuplicateIdError: two documents share an id.
        InputError: an item is not a document.

    Example:
        >>> text = "今天天气很好，我们去公园散步吧"
        >>> report = find_duplicates([text, text + "！", "完全不同的一句话"])
        >>> [(p.a, p.b, p.jaccard) for p in report.pairs]
        [('0', '1', 1.0)]
    """
    started = time.perf_counter()
    params = Parameters(
        threshold=threshold,
        ngram=ngram,
        unit=unit,
        num_perm=num_perm,
        seed=seed,
        bands=bands,
        verify=verify,
        html=html,
        markers=DEFAULT_MARKERS if markers is None else tuple(markers),
    )
    source = _TextSource(documents)
    processes = Workers(_worker_count(workers))
    try:
        return _run(source, params, processes, progress, with_texts, started)
    finally:
        processes.close()


def _run(
    source: _TextSource,
    params: Parameters,
    workers: Workers,
    progress: ProgressHook | None,
    with_texts: bool,
    started: float,
) -> DuplicateReport:
    """The stages of :func:`find_duplicates`, with its worker processes."""
    estimates = params.verify == "estimate" or source.kind == "oneshot"  # may need them
    stage = HashingStage(params, workers, progress, keep_signatures=estimates)
    hashed = stage.run(source.items())
    candidates = _candidates(hashed, workers)
    if progress:
        progress("candidates", int(candidates.shape[0]))
    notes: list[str] = []
    verification = params.verify
    if verification == "exact" and not source.can_fetch:
        verification = "estimate"
        notes.append(source.why_not)
    if verification == "exact":
        verified = _verify_exact(candidates, hashed, source, params, workers, progress)
    else:
        verified = _verify_estimate(candidates, hashed, params, progress)
    involved = sorted({i for edge in verified.edges for i in edge})
    doc_infos = {
        hashed.ids[i]: verified.infos.get(i, DocumentInfo(None, None, None, hashed.lengths[i]))
        for i in involved
    }
    texts: dict[str, str] = {}
    if with_texts and involved and source.can_fetch:
        fetched = source.fetch(sorted(hashed.positions[i] for i in involved))
        texts = {doc.id: doc.text for doc in fetched.values()}
    counts = Counts(
        documents=hashed.read,
        processed=len(hashed.ids),
        skipped=len(hashed.skipped),
        candidates=int(candidates.shape[0]),
        pairs=len(verified.pairs),
        clusters=len(verified.clusters),
    )
    return DuplicateReport(
        parameters=params,
        pairs=verified.pairs,
        clusters=verified.clusters,
        skipped=hashed.skipped_in_input_order(),
        counts=counts,
        verification=verification,
        seconds=time.perf_counter() - started,
        documents=doc_infos,
        notes=notes,
        texts=texts,
    )


def _worker_count(workers: int | None) -> int:
    if workers is None:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be an integer >= 1 (got {workers!r})")
    return workers


class _TextSource:
    """Where the documents come from, and how candidates' texts are read a second time."""

    def __init__(self, documents: object) -> None:
        self._documents = documents
        self._retained: dict[int, Document] | None = None
        self._retained_chars = 0
        self.kind = (
            "corpus"
            if isinstance(documents, Corpus)
            else "mapping"
            if isinstance(documents, Mapping)
            else "sequence"
            if isinstance(documents, Sequence) and not isinstance(documents, (str, bytes))
            else "oneshot"
        )
        if self.kind == "oneshot":
            self._retained = {}

    @property
    def can_fetch(self) -> bool:
        return self._retained is not None or self.kind != "oneshot"

    @property
    def why_not(self) -> str:
        return (
            f"the input was a one-shot iterable of more than {RETAIN_CHARS:,} characters, "
            "which cannot be read twice: similarities are MinHash estimates. Pass a list, "
            "a dict or a neardup.Corpus for exact verification."
        )

    def items(self) -> Iterator[tuple[int, Record | LineBlock | Skipped]]:
        """(position, item); the position is what :meth:`fetch` takes (a block of lines:
        that of its first line). A corpus's JSON lines come unparsed, in blocks where they
        can (the hashing workers read and parse them)."""
        if self.kind == "corpus":  # positions count the corpus's records
            assert isinstance(self._documents, Corpus)
            position = 0
            for record in self._documents.records(blocks=True):
                if isinstance(record, Skipped):
                    yield -1, record
                else:
                    yield position, record
                    position += len(record) if isinstance(record, LineBlock) else 1
            return
        # positions are indices into the input (which may hold Skipped records too)
        for index, item in enumerate(as_documents(self._documents)):
            if isinstance(item, Skipped):
                yield -1, item
            else:
                self._retain(index, item)
                yield index, item

    def _retain(self, position: int, doc: Document) -> None:
        if self._retained is None:
            return
        self._retained_chars += len(doc.text)
        if self._retained_chars > RETAIN_CHARS:
            self._retained = None
        else:
            self._retained[position] = doc

    def fetch(self, positions: list[int]) -> dict[int, Document]:
        """The documents at these positions."""
        return dict(self.fetch_iter(positions))

    def fetch_iter(self, positions: list[int]) -> Iterator[tuple[int, Document]]:
        """The documents at these positions, as they are read."""
        if self.kind == "corpus":
            for position, record in self.fetch_records(positions):
                yield position, parse_record(record)
            return
        yield from self._fetch_in_memory(positions).items()

    def fetch_records(self, positions: list[int]) -> Iterator[tuple[int, Fetched]]:
        """:meth:`fetch_iter`, with a corpus's JSON lines left to read and parse (see
        :meth:`~neardup.documents.Corpus.fetch_records`)."""
        if self.kind == "corpus":
            assert isinstance(self._documents, Corpus)
            yield from self._documents.fetch_records(positions, unread=True)
            return
        yield from self._fetch_in_memory(positions).items()

    def records_at(self, positions: I64) -> list[Fetched] | LinesAt:
        """The records at these positions, in their order, for a verification unit: a
        corpus's JSON lines packed when they all are such lines (see
        :meth:`~neardup.documents.Corpus.lines_at`), otherwise record by record."""
        if self.kind == "corpus":
            assert isinstance(self._documents, Corpus)
            packed = self._documents.lines_at(positions)
            if packed is not None:
                return packed
        records = dict(self.fetch_records(positions.tolist()))
        return [records[p] for p in positions.tolist()]

    def _fetch_in_memory(self, positions: list[int]) -> dict[int, Document]:
        if self.kind == "mapping":
            assert isinstance(self._documents, Mapping)
            keys = list(self._documents.keys())
            return {p: Document(str(keys[p]), self._documents[keys[p]]) for p in positions}
        if self.kind == "sequence":
            assert isinstance(self._documents, Sequence)
            out = {}
            for p in positions:
                doc = as_document(self._documents[p], p)
                assert isinstance(doc, Document)
                out[p] = doc
            return out
        retained = self._retained or {}
        return {p: retained[p] for p in positions if p in retained}


def _candidates(hashed: Hashed, workers: Workers) -> I64:
    """:func:`~neardup.lsh.candidate_pairs` of the documents' band keys, the bands shared
    between the worker processes when they are running."""
    if not workers.started:
        return candidate_pairs(hashed.keys)
    columns = ((column,) for column in band_columns(hashed.keys))  # made as they are sent
    return pairs_of_codes(list(workers.map(band_pair_codes, columns)), len(hashed.ids))


@dataclass
class _Verified:
    """Verified pairs, their edges (processed-document indices), clusters, and the report's
    details of re-read documents (by index)."""

    pairs: list[Pair]
    edges: list[tuple[int, int]]
    clusters: list[Cluster]
    infos: dict[int, DocumentInfo] = field(default_factory=dict)


def _verify_exact(
    candidates: I64,
    hashed: Hashed,
    source: _TextSource,
    params: Parameters,
    workers: Workers,
    progress: ProgressHook | None,
) -> _Verified:
    """Exact verification, unit by unit (see :mod:`neardup.verification`): the main process
    reads each unit's records, and workers (or this process) verify it."""
    units = plan_units(candidates, np.asarray(hashed.lengths, dtype=np.int64))
    all_positions = np.array(hashed.positions, dtype=np.int64)

    def with_records(unit: Unit) -> tuple[Unit, Parameters]:
        unit.records = source.records_at(all_positions[unit.nodes])
        return unit, params

    calls = (with_records(unit) for unit in units)
    here = workers.count == 1 or len(units) <= 1
    results: list[UnitResult] = []
    for result in workers.map(verify_unit, calls, here=here):
        results.append(result)
        if progress:
            progress("verified", result.checked)
    return _merge(results, candidates, hashed)


def _merge(results: list[UnitResult], candidates: I64, hashed: Hashed) -> _Verified:
    """The units' results as one, pairs in candidate order and clusters by first member."""
    if not results:
        return _Verified([], [], [])
    order = np.concatenate([r.order for r in results])
    jaccard = np.concatenate([r.jaccard for r in results])
    containment = np.concatenate([r.containment for r in results])
    by_candidate = np.argsort(order, kind="stable")
    ids = hashed.ids
    pairs, edges = [], []
    for k in by_candidate.tolist():
        i, j = candidates[order[k]].tolist()
        pairs.append(Pair(ids[i], ids[j], float(jaccard[k]), float(containment[k])))
        edges.append((i, j))
    by_first_member = sorted((c for r in results for c in r.clusters), key=lambda c: c[1][0][0])
    clusters = _named_clusters(by_first_member, ids)
    infos = {node: info for r in results for node, info in r.infos.items()}
    return _Verified(pairs, edges, clusters, infos)


def _verify_estimate(
    candidates: I64, hashed: Hashed, params: Parameters, progress: ProgressHook | None
) -> _Verified:
    """Verification by the MinHash estimates of the signatures (no text is read)."""
    similarity = _Estimate(hashed)
    pairs, edges = _verify(candidates, hashed, similarity, params.threshold, progress)
    return _Verified(pairs, edges, _clusters(edges, hashed, similarity))


class _Estimate:
    """Estimated Jaccard and containment of two processed documents, from their signatures."""

    def __init__(self, hashed: Hashed) -> None:
        self._hashed = hashed

    def __call__(self, i: int, j: int) -> tuple[float, float]:
        jac = estimate_jaccard(self._hashed.signature(i), self._hashed.signature(j))
        counts = self._hashed.shingle_counts
        return jac, estimate_containment(jac, counts[i], counts[j])


def _verify(
    candidates: I64,
    hashed: Hashed,
    similarity: _Estimate,
    threshold: float,
    progress: ProgressHook | None,
) -> tuple[list[Pair], list[tuple[int, int]]]:
    pairs: list[Pair] = []
    edges: list[tuple[int, int]] = []
    for n, (i, j) in enumerate(candidates.tolist(), start=1):
        jac, cont = similarity(i, j)
        if jac >= threshold:
            pairs.append(Pair(hashed.ids[i], hashed.ids[j], jac, cont))
            edges.append((i, j))
        if progress and n % 1000 == 0:
            progress("verified", 1000)
    if progress and candidates.shape[0] % 1000:
        progress("verified", candidates.shape[0] % 1000)
    return pairs, edges


def _clusters(
    edges: list[tuple[int, int]], hashed: Hashed, similarity: _Estimate
) -> list[Cluster]:
    lengths = np.asarray(hashed.lengths, dtype=np.int64)
    found = clusters_with_similarities(edges, lengths, lambda a, b: similarity(a, b)[0])
    return _named_clusters(found, hashed.ids)


def _named_clusters(
    clusters: list[tuple[int, list[tuple[int, float]]]], ids: list[str]
) -> list[Cluster]:
    """Clusters of processed-document indices as the report's, by id."""
    return [
        Cluster(ids[rep], tuple(ClusterMember(ids[m], sim) for m, sim in members))
        for rep, members in clusters
    ]
