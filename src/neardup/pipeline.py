"""``find_duplicates``: the whole pipeline from documents to a verified report.

documents → normalize → shingle → minhash (in batches, in worker processes) → LSH candidates
→ exact verification → clusters → :class:`~neardup.report.DuplicateReport`.

The input is read once and streamed: texts are hashed in batches and dropped, and what stays
in memory is each document's signature, id and normalized length. Exact verification then
re-reads only the candidate documents: from a :class:`~neardup.documents.Corpus` by file
offset, or from the caller's sequence or mapping by position. A one-shot iterable (a
generator) cannot be re-read: its documents are kept in memory up to
:data:`RETAIN_CHARS` characters, and past that the run verifies by estimate and says so in
``report.notes``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .cluster import components, representative
from .documents import Corpus, Document, Record, Skipped
from .errors import DuplicateIdError, InputError, ParameterError
from .lsh import U64, band_keys, candidate_pairs
from .minhash import minhash_codepoints, minhash_flat, minhash_hashes, warm_up
from .normalize import (
    DEFAULT_MARKERS,
    from_codepoints,
    normalize_packed,
)
from .report import (
    Cluster,
    ClusterMember,
    Counts,
    DocumentInfo,
    DuplicateReport,
    Pair,
    Parameters,
)
from .shingle import word_ngram_hashes
from .verification import UnitResult, plan_units, verify_unit
from .verify import estimate_containment, estimate_jaccard

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

BATCH_DOCS = 2048
"""Documents per hashing batch (at most)."""
BATCH_CHARS = 2_000_000
"""Characters per hashing batch (at most, unless one document is larger)."""
RETAIN_CHARS = 128_000_000
"""Characters of a one-shot iterable's documents kept in memory for exact verification."""

DocumentsInput = (
    Corpus | Iterable[Document] | Sequence[str] | Mapping[str, str] | Iterable[tuple[str, str]]
)
ProgressHook = Callable[[str, int], None]


def as_document(item: object, position: int) -> Document | Skipped:
    """One input item as a Document: a Document, a string (id = position) or (id, text)."""
    if isinstance(item, (Document, Skipped)):
        doc = item
    elif isinstance(item, str):
        return Document(str(position), item)
    elif isinstance(item, tuple) and len(item) == 2:
        doc = Document(str(item[0]), item[1])
    else:
        raise InputError(
            f"document {position}: expected a Document, a string or an (id, text) tuple, "
            f"got {type(item).__name__}"
        )
    if isinstance(doc, Document) and not isinstance(doc.text, str):
        raise InputError(
            f"document {doc.id!r} (at {position}): text must be a string, "
            f"got {type(doc.text).__name__}"
        )
    return doc


def as_documents(documents: object) -> Iterator[Document | Skipped]:
    """Documents from any accepted input: Documents, strings (ids "0", "1", ...), a dict
    id → text, (id, text) tuples, or a :class:`~neardup.documents.Corpus` (whose
    :class:`~neardup.documents.Skipped` records pass through)."""
    if isinstance(documents, (str, bytes)):
        raise InputError("documents must be a collection of documents, not a single string")
    if isinstance(documents, Mapping):
        for position, (key, text) in enumerate(documents.items()):
            yield as_document((key, text), position)
        return
    if not isinstance(documents, Iterable):
        raise InputError(f"documents must be iterable (got {type(documents).__name__})")
    for position, item in enumerate(documents):
        yield as_document(item, position)


@dataclass
class _Hashed:
    """What stays in memory per processed document, and the run's accounting."""

    ids: list[str] = field(default_factory=list)
    positions: array[int] = field(default_factory=lambda: array("q"))
    lengths: array[int] = field(default_factory=lambda: array("q"))
    shingle_counts: array[int] = field(default_factory=lambda: array("q"))
    signatures: list[U32] = field(default_factory=list)
    skipped: list[tuple[int, Skipped]] = field(default_factory=list)
    read: int = 0

    def skipped_in_input_order(self) -> list[Skipped]:
        return [s for _, s in sorted(self.skipped, key=lambda entry: entry[0])]

    keys: list[U64] = field(default_factory=list)
    _starts: I64 | None = None

    def signature(self, index: int) -> U32:
        """The signature of processed document ``index`` (kept in per-batch blocks)."""
        if self._starts is None or self._starts[-1] != len(self.ids):
            sizes = [block.shape[0] for block in self.signatures]
            self._starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        block = int(np.searchsorted(self._starts, index, side="right")) - 1
        row: U32 = self.signatures[block][index - int(self._starts[block])]
        return row


def find_duplicates(
    documents: DocumentsInput,
    *,
    threshold: float = 0.7,
    ngram: int = 5,
    unit: str = "char",
    num_perm: int = 128,
    seed: int = 1,
    bands: int | None = None,
    verify: str = "exact",
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
    n_workers = _worker_count(workers)
    source = _TextSource(documents)
    hashed = _hash_all(source.items(), params, n_workers, progress)
    candidates = candidate_pairs(hashed.keys)
    if progress:
        progress("candidates", int(candidates.shape[0]))
    notes: list[str] = []
    verification = params.verify
    if verification == "exact" and not source.can_fetch:
        verification = "estimate"
        notes.append(source.why_not)
    if verification == "exact":
        verified = _verify_exact(candidates, hashed, source, params, n_workers, progress)
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

    def items(self) -> Iterator[tuple[int, Document | Skipped]]:
        """(position, item); the position is what :meth:`fetch` takes."""
        position = 0
        for item in as_documents(self._documents):
            if isinstance(item, Document):
                self._retain(position, item)
                yield position, item
                position += 1
            else:
                yield -1, item

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
            assert isinstance(self._documents, Corpus)
            yield from self._documents.fetch_iter(positions)
            return
        yield from self._fetch_in_memory(positions).items()

    def fetch_records(self, positions: list[int]) -> Iterator[tuple[int, Record]]:
        """:meth:`fetch_iter`, with a corpus's JSON lines left to parse (see
        :meth:`~neardup.documents.Corpus.fetch_records`)."""
        if self.kind == "corpus":
            assert isinstance(self._documents, Corpus)
            yield from self._documents.fetch_records(positions)
            return
        yield from self._fetch_in_memory(positions).items()

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


Hashes = tuple[U32, U64, I64, I64]
"""A hashed batch: signatures, band keys, normalized lengths, shingle counts."""


def hash_batch(texts: Sequence[str], params: Parameters) -> Hashes:
    """Signatures and band keys of a batch of original texts, their normalized lengths and
    shingle counts (with repeats).

    The unit of work of the hashing stage, the same in the main process and in workers.
    """
    return hash_packed(*_pack(texts), params)


def hash_packed(data: bytes, sizes: I64, params: Parameters) -> Hashes:
    """:func:`hash_batch` of texts packed as one UTF-32 buffer and their lengths (what
    workers receive: one buffer, not a pickled string per document)."""
    cps = np.frombuffer(data, dtype=np.uint32)
    flat, lengths = normalize_packed(cps, sizes, params.normalize_options())
    if params.unit == "char":
        sigs = minhash_flat(flat, lengths, params.ngram, params.num_perm, params.seed)
        ngram = params.ngram
        counts = np.where(lengths >= ngram, lengths - ngram + 1, np.minimum(lengths, 1))
    else:
        pieces = np.split(flat, np.cumsum(lengths)[:-1])
        sigs, word_counts = signatures_of_codepoints(pieces, params)
        counts = np.asarray(word_counts, dtype=np.int64)
    return sigs, band_keys(sigs, params.banding), lengths, counts


def _pack(texts: Sequence[str]) -> tuple[bytes, I64]:
    sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return "".join(texts).encode("utf-32-le", "surrogatepass"), sizes


@dataclass
class _Batch:
    positions: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    chars: int = 0


def _hash_all(
    items: Iterator[tuple[int, Document | Skipped]],
    params: Parameters,
    workers: int,
    progress: ProgressHook | None,
) -> _Hashed:
    out = _Hashed()
    seen: set[str] = set()
    duplicates: list[str] = []
    pool: ProcessPoolExecutor | None = None
    pending: list[tuple[_Batch, Future[Hashes]]] = []
    batch = _Batch()

    def submit(full: _Batch) -> None:
        nonlocal pool
        if workers > 1 and pool is None:
            pool = _start_pool(workers)
        if pool is None:
            _collect(full, hash_batch(full.texts, params), out, progress)
            return
        data, sizes = _pack(full.texts)
        full.texts = []
        pending.append((full, pool.submit(hash_packed, data, sizes, params)))
        while len(pending) > 2 * workers:
            done, future = pending.pop(0)
            _collect(done, future.result(), out, progress)

    try:
        for position, item in items:
            out.read += 1
            if isinstance(item, Skipped):
                out.skipped.append((out.read, item))
                continue
            if item.id in seen:
                duplicates.append(item.id)
                continue
            seen.add(item.id)
            if not item.text.strip():
                out.skipped.append((out.read, Skipped(item.id, "empty document")))
                continue
            batch.positions.append(position)
            batch.order.append(out.read)
            batch.ids.append(item.id)
            batch.texts.append(item.text)
            batch.chars += len(item.text)
            if len(batch.ids) >= BATCH_DOCS or batch.chars >= BATCH_CHARS:
                if not duplicates:
                    submit(batch)
                batch = _Batch()
        if duplicates:
            raise DuplicateIdError(sorted(set(duplicates)))
        if batch.ids:
            if pool is None:  # a single batch is not worth starting processes for
                _collect(batch, hash_batch(batch.texts, params), out, progress)
            else:
                submit(batch)
        for done, future in pending:
            _collect(done, future.result(), out, progress)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return out


def _start_pool(workers: int) -> ProcessPoolExecutor:
    warm_up()  # forked workers inherit the loaded kernel
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _collect(
    batch: _Batch,
    result: Hashes,
    out: _Hashed,
    progress: ProgressHook | None,
) -> None:
    sigs, keys, lengths, counts = result
    keep = lengths > 0
    for i in np.flatnonzero(~keep).tolist():
        out.skipped.append((batch.order[i], Skipped(batch.ids[i], "empty after normalization")))
    kept = np.flatnonzero(keep).tolist()
    out.signatures.append(sigs[keep])
    out.keys.append(keys[keep])
    out.ids.extend(batch.ids[i] for i in kept)
    out.positions.extend(batch.positions[i] for i in kept)
    out.lengths.extend(lengths[keep].tolist())
    out.shingle_counts.extend(counts[keep].tolist())
    if progress:
        progress("read", len(batch.ids))


def signatures_of_codepoints(cps: list[U32], params: Parameters) -> tuple[U32, list[int]]:
    """Signatures of normalized code point arrays, and the shingle count (with repeats) of each."""
    if params.unit == "char":
        sigs = minhash_codepoints(cps, params.ngram, params.num_perm, params.seed)
        counts = [max(c.size - params.ngram + 1, 1) if c.size else 0 for c in cps]
        return sigs, counts
    hashes = [word_ngram_hashes(from_codepoints(c), params.ngram) for c in cps]
    return minhash_hashes(hashes, params.num_perm, params.seed), [h.size for h in hashes]


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
    hashed: _Hashed,
    source: _TextSource,
    params: Parameters,
    workers: int,
    progress: ProgressHook | None,
) -> _Verified:
    """Exact verification, unit by unit (see :mod:`neardup.verification`): the main process
    reads each unit's records, and workers (or this process) verify it."""
    units = plan_units(candidates, np.asarray(hashed.lengths, dtype=np.int64))
    results: list[UnitResult] = []
    pool = _start_pool(workers) if workers > 1 and len(units) > 1 else None
    pending: list[Future[UnitResult]] = []

    def done(result: UnitResult) -> None:
        results.append(result)
        if progress:
            progress("verified", result.checked)

    try:
        for unit in units:
            positions = [hashed.positions[i] for i in unit.nodes.tolist()]
            records = dict(source.fetch_records(positions))
            unit.records = [records[p] for p in positions]
            if pool is None:
                done(verify_unit(unit, params))
                continue
            pending.append(pool.submit(verify_unit, unit, params))
            while len(pending) > 2 * workers:
                done(pending.pop(0).result())
        for future in pending:
            done(future.result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return _merge(results, candidates, hashed)


def _merge(results: list[UnitResult], candidates: I64, hashed: _Hashed) -> _Verified:
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
    clusters = [
        Cluster(ids[rep], tuple(ClusterMember(ids[m], sim) for m, sim in members))
        for rep, members in sorted(
            (c for r in results for c in r.clusters), key=lambda c: c[1][0][0]
        )
    ]
    infos = {node: info for r in results for node, info in r.infos.items()}
    return _Verified(pairs, edges, clusters, infos)


def _verify_estimate(
    candidates: I64, hashed: _Hashed, params: Parameters, progress: ProgressHook | None
) -> _Verified:
    """Verification by the MinHash estimates of the signatures (no text is read)."""
    similarity = _Estimate(hashed)
    pairs, edges = _verify(candidates, hashed, similarity, params.threshold, progress)
    return _Verified(pairs, edges, _clusters(edges, hashed, similarity))


class _Estimate:
    """Estimated Jaccard and containment of two processed documents, from their signatures."""

    def __init__(self, hashed: _Hashed) -> None:
        self._hashed = hashed

    def __call__(self, i: int, j: int) -> tuple[float, float]:
        jac = estimate_jaccard(self._hashed.signature(i), self._hashed.signature(j))
        counts = self._hashed.shingle_counts
        return jac, estimate_containment(jac, counts[i], counts[j])


def _verify(
    candidates: I64,
    hashed: _Hashed,
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
    edges: list[tuple[int, int]], hashed: _Hashed, similarity: _Estimate
) -> list[Cluster]:
    lengths = np.asarray(hashed.lengths, dtype=np.int64)
    clusters: list[Cluster] = []
    for group in components(len(hashed.ids), edges):
        rep = representative(group, lengths)
        members = tuple(
            ClusterMember(hashed.ids[m], 1.0 if m == rep else similarity(rep, m)[0]) for m in group
        )
        clusters.append(Cluster(hashed.ids[rep], members))
    return clusters
