"""A query of the index: new documents against the indexed ones and among themselves.

The new documents are hashed, their band keys looked up in the ``bands`` table
(:meth:`~neardup.index.statements.Tables.shared_keys`), and the candidate pairs (new with new,
new with indexed) verified and clustered by
:func:`neardup.stages.verification.verify_candidates`: exactly on
shingle sets when the index stores texts and its ``verify`` parameter is ``"exact"``,
otherwise by the MinHash estimates of the signatures. Nothing is written.

A containment query (``parameters.containment`` set) also winnows the new documents and
looks their fingerprints up in the ``fingerprints`` table (:func:`copy_candidates`): the
same candidate rule as the local engine's
(:func:`~neardup.core.fingerprints.shared_fingerprint_pairs`) over the indexed and the new
documents together, reading only what the new documents' fingerprints reach.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import numpy as np

from .._types import I64, U32, U64
from ..core.arrays import ranges
from ..core.fingerprints import enough_shared, shared_fingerprint_pairs
from ..core.lsh import band_keys, candidate_pairs
from ..core.normalize import codepoints
from ..core.similarity import Overlap, estimate_overlap, overlap
from ..errors import IndexFileError
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..report import Counts, DocumentInfo, DuplicateReport
from ..stages.hashing import (
    nonempty_documents,
    sets_without_boilerplate,
    shingle_sets,
    signatures_of_codepoints,
)
from ..stages.intake import Intake
from ..stages.verification import Similarity, report_parts, verify_candidates
from .adding import winnowed
from .file import FINGERPRINTS_SINCE, REBUILD_HINT
from .statements import StoredDocument, Tables, decode_signature, decompress_text


def no_fingerprints_message(path: str) -> str:
    """Why a containment query of an index of format 1 is refused, and how to rebuild it."""
    return (
        f"{path}: this index (format {FINGERPRINTS_SINCE - 1}) has no fingerprints, which "
        "a containment search needs: rebuild it with `neardup index create NEW_INDEX` "
        "(the same parameters) and `neardup index add NEW_INDEX PATH...` "
        "(DuplicateIndex.create() and add()) to use --containment; it still answers "
        "Jaccard queries"
    )


def query_index(
    tables: Tables,
    parameters: Parameters,
    store_text: bool,
    documents: object,
    before: Callable[[], None] | None = None,
) -> DuplicateReport:
    """Near-duplicates of new documents among the indexed ones (in ``tables``) and among
    themselves; see :meth:`~neardup.index.DuplicateIndex.query`. ``before`` is called first
    in the read transaction (the glance at the file).

    Raises:
        IndexFileError: a band row the query meets does not match its document (or names
            none), besides the errors of reading the tables.
    """
    started = time.perf_counter()
    containment = parameters.containment
    if containment is not None and not tables.fingerprints:
        raise IndexFileError(no_fingerprints_message(tables.path))
    intake = Intake(skip_blank=False)
    given = [doc for item in as_documents(documents) if (doc := intake.take(item)) is not None]
    intake.check()
    new_docs, new_cps, empty = nonempty_documents(given, parameters)
    skipped = intake.skipped() + empty
    if new_docs:
        sigs, counts = signatures_of_codepoints(new_cps, parameters)
    else:
        sigs, counts = np.empty((0, parameters.num_perm), dtype=np.uint32), []
    keys = band_keys(sigs, parameters.banding)
    copies = ContainmentCandidates.none()
    with tables.reading():
        if before is not None:
            before()
        banded = tables.shared_keys(keys)
        hits = sorted({(pos, doc) for pos, doc, _ in banded})
        if containment is not None and new_docs:
            copies = copy_candidates(tables, *winnowed(new_cps, parameters), parameters)
        met = {doc for _, doc in hits} | {doc for _, doc in copies.with_indexed}
        stored = tables.documents(sorted(met), with_text=store_text)
        check_met(tables.path, met, stored)
        check_band_rows(tables.path, banded, keys, stored, parameters)
        compared = _Compared(
            new_docs, new_cps, sigs, counts, [stored[d] for d in sorted(stored)], tables.path
        )
        exact = store_text and parameters.verify == "exact"
        boilerplate = copies.common
        if containment is not None and exact and stored:
            boilerplate = _common_of_met(tables, compared, copies, parameters)
    candidates = compared.candidates(
        [candidate_pairs(keys), copies.among_new], [*hits, *copies.with_indexed]
    )
    copied = None
    if exact:
        similarity = compared.exact_similarity(candidates, parameters)
        if containment is not None and boilerplate.size:
            copied = compared.containment_without(candidates, parameters, boilerplate)
    else:
        similarity = compared.estimated_similarity(parameters.num_perm, tables.path)
    verified = verify_candidates(
        candidates, similarity, parameters.threshold, compared.lengths(),
        containment=containment, copied=copied,
    )
    parts = report_parts(verified, compared.ids(), compared.describe)
    return DuplicateReport(
        parameters=parameters,
        pairs=parts.pairs,
        clusters=parts.clusters,
        skipped=skipped,
        counts=Counts(
            documents=intake.read,
            processed=len(new_docs),
            skipped=len(skipped),
            candidates=int(candidates.shape[0]),
            pairs=len(parts.pairs),
            clusters=len(parts.clusters),
            common_fingerprints=int(copies.common.size),
        ),
        verification="exact" if exact else "estimate",
        seconds=time.perf_counter() - started,
        documents=parts.documents,
    )


def check_met(path: str, met: Iterable[int], read: Collection[int]) -> None:
    """Raise unless every indexed document a band or fingerprint row led the query to
    (``met``) was ``read`` from the docs table.

    Raises:
        IndexFileError: naming the first missing document row, and how to rebuild the index.
    """
    missing = sorted(set(met) - set(read))
    if missing:
        raise IndexFileError(
            f"{path}: damaged index: a band or fingerprint row names document row "
            f"{missing[0]}, which the docs table does not hold; {REBUILD_HINT}"
        )


def check_band_rows(
    path: str,
    banded: list[tuple[int, int, int]],
    keys: U64,
    stored: dict[int, StoredDocument],
    parameters: Parameters,
) -> None:
    """Raise unless every band row ``(row of keys, doc, band)`` a query met holds the key the
    stored signature of its document makes in that band: damage in the rows a query reads is
    never used silently, whatever the rest of the file holds.

    Raises:
        IndexFileError: naming the first damaged row, and how to rebuild the index.
    """
    check_met(path, (doc for _, doc, _ in banded), stored)
    if not banded:
        return
    pos, doc, band = np.array(banded, dtype=np.int64).T
    docs, row = np.unique(doc, return_inverse=True)
    sigs = np.stack([decode_signature(stored[d].signature, parameters.num_perm, path)
                     for d in docs.tolist()])
    wrong = np.flatnonzero(band_keys(sigs, parameters.banding)[row, band] != keys[pos, band])
    if wrong.size:
        first = stored[int(doc[wrong[0]])]
        raise IndexFileError(
            f"{path}: damaged index: the band {int(band[wrong[0]])} row of document "
            f"{first.id!r} (row {first.doc}) does not hold the key of its signature; "
            f"{REBUILD_HINT}"
        )


@dataclass(frozen=True)
class ContainmentCandidates:
    """The candidates of a containment query: pairs of new documents ``(i, j)`` (their
    positions, ``i < j``), (new document's position, indexed doc number) pairs, and the
    distinct fingerprints of the new documents cut as boilerplate (sorted), and the document
    frequency of the others among the new documents."""

    among_new: I64
    with_indexed: list[tuple[int, int]]
    common: U32
    kept: dict[int, int]

    @classmethod
    def none(cls) -> ContainmentCandidates:
        """No candidates (not a containment query)."""
        return cls(np.empty((0, 2), dtype=np.int64), [], np.empty(0, dtype=np.uint32), {})


def copy_candidates(
    tables: Tables, fingerprints: U32, counts: I64, parameters: Parameters
) -> ContainmentCandidates:
    """The pairs that share enough fingerprints for ``parameters.containment``, among the
    new documents (their ``fingerprints``, ``counts`` of each) and with the indexed ones;
    read in the caller's transaction.

    The document frequency of a fingerprint is that of the indexed and the new documents
    together: one held by more than ``max_df`` of them makes no candidates (the index
    counts its holders only up to ``max_df + 1``). A pair is a candidate when
    :func:`~neardup.core.fingerprints.enough_shared` says so of the fingerprints it shares
    and the documents' whole fingerprint counts, as in the local engine.
    """
    containment, max_df = float(parameters.containment or 1.0), parameters.max_df
    owners = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    distinct, inverse, new_df = np.unique(fingerprints, return_inverse=True, return_counts=True)
    indexed_df = tables.fingerprint_frequencies(distinct, max_df + 1)
    cut = new_df + indexed_df > max_df
    kept = ~cut[inverse]
    values, holders = fingerprints[kept], owners[kept]

    among = shared_fingerprint_pairs(
        values, np.bincount(holders, minlength=counts.size), containment, max_df
    )  # lenient on the kept counts; the whole counts decide below
    first, second = among.pairs[:, 0], among.pairs[:, 1]
    among_new = among.pairs[enough_shared(among.shared, counts[first], counts[second],
                                          containment)]

    held, docs = tables.fingerprint_holders(distinct[~cut & (indexed_df > 0)])
    pairs, shared = _joined(values, holders, held, docs)
    whole = tables.fingerprint_counts(np.unique(pairs[:, 1]).tolist())
    check_met(tables.path, pairs[:, 1].tolist(), whole)
    indexed_counts = np.array([whole[d] for d in pairs[:, 1].tolist()], dtype=np.int64)
    enough = enough_shared(shared, counts[pairs[:, 0]], indexed_counts, containment)
    with_indexed = [(int(i), int(doc)) for i, doc in pairs[enough].tolist()]
    kept_df = dict(zip(distinct[~cut].tolist(), new_df[~cut].tolist(), strict=True))
    return ContainmentCandidates(among_new, with_indexed, distinct[cut], kept_df)


def _common_of_met(
    tables: Tables, compared: _Compared, copies: ContainmentCandidates, parameters: Parameters
) -> U32:
    """Every fingerprint of the new documents and the indexed ones met (their stored texts
    winnowed) held by more than ``max_df`` of the indexed and new documents together, sorted:
    the boilerplate that a containment query sets aside when it decides copies, as the local
    engine does. Read in the caller's transaction."""
    n = len(compared.new)
    texts = [compared.cps(n + k) for k in range(len(compared.indexed))]
    values = np.unique(winnowed(texts, parameters)[0]) if texts else np.empty(0, np.uint32)
    known = set(copies.common.tolist())
    values = values[[v not in known for v in values.tolist()]].astype(np.uint32)
    indexed_df = tables.fingerprint_frequencies(values, parameters.max_df + 1)
    new_df = np.array([copies.kept.get(v, 0) for v in values.tolist()], dtype=np.int64)
    extra = values[indexed_df + new_df > parameters.max_df]
    return np.union1d(copies.common, extra).astype(np.uint32)


def _joined(values: U32, owners: I64, held: U32, docs: I64) -> tuple[I64, I64]:
    """The distinct pairs (owner, doc) of equal values in ``values`` (owned by ``owners``)
    and ``held`` (held by ``docs``), and how many values each pair shares, pairs sorted."""
    order = np.argsort(held, kind="stable")
    held, docs = held[order], docs[order]
    low = np.searchsorted(held, values, "left").astype(np.int64)
    sizes = np.searchsorted(held, values, "right").astype(np.int64) - low
    matched = np.stack([np.repeat(owners, sizes), docs[ranges(low, sizes)]], axis=1)
    if not matched.size:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    pairs, shared = np.unique(matched, axis=0, return_counts=True)
    return pairs.astype(np.int64), shared.astype(np.int64)


@dataclass
class _Compared:
    """The documents a query compares, as nodes: ``0 .. n-1`` the new documents, ``n ..``
    the indexed ones met (in doc number order)."""

    new: list[Document]
    new_cps: list[U32]
    """Normalized code points of the new documents."""
    signatures: U32
    shingle_counts: list[int]
    indexed: list[StoredDocument]
    path: str
    """The index file (named in errors about its stored texts)."""
    _indexed_cps: dict[int, U32] = field(default_factory=dict, repr=False)

    def ids(self) -> list[str]:
        return [d.id for d in self.new] + [old.id for old in self.indexed]

    def lengths(self) -> I64:
        """Lengths of the original texts, which choose cluster representatives."""
        new = [len(d.text) for d in self.new]
        return np.array(new + [old.length for old in self.indexed], dtype=np.int64)

    def describe(self, node: int) -> DocumentInfo:
        n = len(self.new)
        if node < n:
            doc = self.new[node]
            return DocumentInfo(doc.title, doc.source, len(doc.text))
        old = self.indexed[node - n]
        return DocumentInfo(old.title, old.source, old.length)

    def candidates(self, among_new: list[I64], hits: list[tuple[int, int]]) -> I64:
        """Candidate pairs, distinct and sorted: those among the new documents (each array
        of pairs ``(i, j)``), and (new document, indexed doc number) unless they share the
        id (a new version is not compared with the one it replaces)."""
        n = len(self.new)
        node_of = {old.doc: n + k for k, old in enumerate(self.indexed)}
        pairs = {(int(i), int(j)) for found in among_new for i, j in found.tolist()}
        pairs.update(
            (i, node_of[doc])
            for i, doc in hits
            if self.indexed[node_of[doc] - n].id != self.new[i].id
        )
        return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)

    def exact_similarity(self, candidates: I64, parameters: Parameters) -> Similarity:
        """Exact overlap of shingle sets, those of every document in a
        candidate pair computed at once (in a few whole-array steps)."""
        nodes: list[int] = np.unique(candidates).tolist()
        computed = shingle_sets([self.cps(node) for node in nodes], parameters)
        sets = dict(zip(nodes, computed, strict=True))

        def similarity(i: int, j: int) -> Overlap:
            return overlap(sets[i], sets[j])

        return similarity

    def containment_without(
        self, candidates: I64, parameters: Parameters, common: U32
    ) -> Callable[[int, int], float]:
        """The containment of two documents by their shingle sets without the text of the
        ``common`` (boilerplate) fingerprints."""
        nodes: list[int] = np.unique(candidates).tolist()
        computed = sets_without_boilerplate([self.cps(n) for n in nodes], parameters, common)
        sets = dict(zip(nodes, computed, strict=True))

        def containment(i: int, j: int) -> float:
            return overlap(sets[i], sets[j]).containment

        return containment

    def cps(self, node: int) -> U32:
        """The normalized code points of a node (an indexed one's stored text, decompressed
        once)."""
        n = len(self.new)
        if node < n:
            return self.new_cps[node]
        if node not in self._indexed_cps:
            old = self.indexed[node - n]
            text = decompress_text(old.text, self.path, old.id) if old.text is not None else ""
            self._indexed_cps[node] = codepoints(text)
        return self._indexed_cps[node]

    def estimated_similarity(self, num_perm: int, path: str) -> Similarity:
        """The overlap estimated from signatures and shingle counts."""
        n = len(self.new)

        def signature(node: int) -> U32:
            if node < n:
                row: U32 = self.signatures[node]
                return row
            return decode_signature(self.indexed[node - n].signature, num_perm, path)

        def count(node: int) -> int:
            return self.shingle_counts[node] if node < n else self.indexed[node - n].shingles

        def similarity(i: int, j: int) -> Overlap:
            return estimate_overlap(signature(i), signature(j), count(i), count(j))

        return similarity
