"""A query of the index: new documents against the indexed ones and among themselves.

The new documents are hashed, their band keys looked up in the ``bands`` table
(:meth:`~neardup.index.statements.Tables.shared_keys`), and the candidate pairs (new with new,
new with indexed) verified and clustered by
:func:`neardup.stages.verification.verify_candidates`: exactly on
shingle sets when the index stores texts and its ``verify`` parameter is ``"exact"``,
otherwise by the MinHash estimates of the signatures. Nothing is written.

The query is another engine of the search modes (:mod:`neardup.searches`): the
near-duplicate mode's band keys are looked up in the ``bands`` table, and when the parameters
ask for a containment search its fingerprints in the ``fingerprints`` table
(:func:`~neardup.searches.containment.stored_candidates`: the same candidate rule as the local
engine's over the indexed and the new documents together, reading only what the new
documents' fingerprints reach); the modes' rules accept the verified pairs. With
``formula_df`` or ``rewrite`` (format 3), the copies judgement's and the rewrite search's
candidates, frequencies, rule and judge come from :mod:`~neardup.stages.judged_query`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import numpy as np

from .._types import I64, U32, U64, Verification
from ..core.lsh import band_keys, candidate_pairs
from ..core.normalize import codepoints
from ..core.similarity import Overlap, estimate_overlap, overlap
from ..errors import IndexFileError
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..report import Counts, DocumentInfo, DuplicateReport, Pair
from ..searches.containment import NAME as CONTAINMENT
from ..searches.containment import StoredCandidates, stored_boilerplate, stored_candidates
from ..searches.modes import modes_for
from ..searches.near_duplicates import NAME as NEAR_DUPLICATES
from ..searches.near_duplicates import keys_of
from ..searches.protocol import ComparedTexts, Found, packed
from ..stages.band_groups import scanned_band_pairs
from ..stages.hashing import (
    nonempty_documents,
    shingle_sets,
    signatures_of_codepoints,
)
from ..stages.intake import Intake
from ..stages.judged_query import AsScanned, JudgedQuery
from ..stages.verification import (
    Similarity,
    marked_exact,
    report_parts,
    verify_candidates,
)
from .file import FINGERPRINTS_SINCE, REBUILD_HINT
from .rows_read import RecordingStore, check_fingerprint_rows, check_shared_keys
from .statements import StoredDocument, Tables, decode_signature, decompress_text
from .stored_copies import index_damage, indexed_cps, indexed_sentences, no_copies_message


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
    format_version: int = FINGERPRINTS_SINCE,
) -> DuplicateReport:
    """Near-duplicates of new documents among the indexed ones (in ``tables``) and among
    themselves; see :meth:`~neardup.index.DuplicateIndex.query`. ``before`` is called first
    in the read transaction (the glance at the file).

    Raises:
        IndexFileError: a band row the query meets does not match its document (or names
            none), besides the errors of reading the tables.
    """
    started = time.perf_counter()
    modes = modes_for(parameters)
    containing = CONTAINMENT in {mode.name for mode in modes}
    if containing and not tables.fingerprints:
        raise IndexFileError(no_fingerprints_message(tables.path))
    judging = parameters.formula_df is not None or parameters.rewrite is not None
    if judging and not (tables.copies and store_text):
        raise IndexFileError(
            no_copies_message(tables.path, format_version, store_text, tables.copies))
    intake = Intake(skip_blank=False)
    given = [doc for item in as_documents(documents) if (doc := intake.take(item)) is not None]
    intake.check()
    new_docs, new_cps, empty = nonempty_documents(given, parameters)
    skipped = intake.skipped() + empty
    if new_docs:
        sigs, counts = signatures_of_codepoints(new_cps, parameters)
    else:
        sigs, counts = np.empty((0, parameters.num_perm), dtype=np.uint32), []
    lengths = np.fromiter((c.size for c in new_cps), dtype=np.int64, count=len(new_cps))
    flat = np.concatenate(new_cps) if new_cps else np.empty(0, dtype=np.uint32)
    hashed = {  # what each mode needs of the new documents, as the other engines hash it
        mode.name: mode.hash(flat, lengths, sigs, parameters)
        for mode in modes
        if new_docs or mode.name == NEAR_DUPLICATES
    }
    keys = keys_of(hashed[NEAR_DUPLICATES])
    copies = StoredCandidates.none()
    judged = (JudgedQuery(tables, parameters, hashed, indexed_cps(tables),
                           index_damage(tables.path))
              if judging and new_docs else None)

    def missing(met: list[int], read: dict[int, int]) -> None:
        check_met(tables.path, met, read)

    with tables.reading():
        if before is not None:
            before()
        banded = tables.shared_keys(keys)
        if any(mode.counts_every_copy for mode in modes):  # band groups as a scan's
            replaced = {old.doc for old in tables.existing([d.id for d in new_docs]).values()}
            among_banded, hits = scanned_band_pairs(
                keys, [row for row in banded if row[1] not in replaced])
        else:  # a scan groups distinct texts only: every holder, at least the scan's pairs
            among_banded = candidate_pairs(keys)
            hits = sorted({(pos, doc) for pos, doc, _ in banded})
        store = RecordingStore(tables)
        if containing and new_docs:
            fingerprints = packed(hashed[CONTAINMENT])
            copies = stored_candidates(store, fingerprints.values, fingerprints.counts,
                                       parameters, missing)
        if judged is not None:
            judged.find_candidates(len(new_docs))
        with_stored = [*hits, *copies.with_stored, *(judged.with_stored() if judged else [])]
        met = {doc for _, doc in with_stored} | {doc for _, doc, _ in banded}
        stored = tables.documents(sorted(met), with_text=store_text)
        check_met(tables.path, met, stored)
        check_band_rows(tables.path, banded, keys, stored, parameters)
        check_shared_keys(tables.path, banded, keys, stored, parameters)
        compared = _Compared(
            new_docs, new_cps, sigs, counts, [stored[d] for d in sorted(stored)], tables.path
        )
        exact = store_text and parameters.verify == "exact"
        boilerplate = copies.common
        if containing and exact and stored:
            n = len(compared.new)
            texts = [compared.cps(n + k) for k in range(len(compared.indexed))]
            boilerplate = stored_boilerplate(store, texts, copies, parameters)
        if store.counted:  # every fingerprint row read, the boilerplate's counts included
            lists = tables.fingerprint_lists(sorted(store.met() | met))
            check_fingerprint_rows(tables.path, store, lists)
        among_new = [among_banded, copies.among_new]
        candidates = compared.candidates(
            among_new + (judged.among_new() if judged else []), with_stored
        )
        if judged is not None:
            judged.judge(compared.new, compared.indexed, compared.cps, candidates,
                         indexed_sentences(tables))
    found = {mode.name: Found(candidates) for mode in modes}
    if containing:
        found[CONTAINMENT] = copies.found()
    if judged is not None:
        found.update(judged.found())
    if exact:
        similarity = compared.exact_similarity(candidates, parameters)
        nodes: list[int] = np.unique(candidates).tolist()
        common = {CONTAINMENT: boilerplate, **(judged.common() if judged else {})}
        seen = ComparedTexts(nodes, [compared.cps(node) for node in nodes], common)
        rules = [rule for mode in modes if (rule := mode.rule(parameters, seen))]
        rules += judged.rules() if judged else []
        judges = [AsScanned(judge, len(compared.new))
                  for mode in modes if (judge := mode.judge(parameters, seen))]
    else:
        similarity = compared.estimated_similarity(parameters.num_perm, tables.path)
        rules = [rule for mode in modes if (rule := mode.rule(parameters, None))]
        judges = []
    verified = verify_candidates(
        candidates, similarity, parameters.threshold, compared.lengths(), rules,
        judges=judges,
    )
    parts = report_parts(verified, compared.ids(), compared.describe)
    if exact:
        parts.pairs = compared.marked_exact(parts.pairs)
        if judged is not None:
            parts.pairs = judged.exact_pairs(parts.pairs)
    verification: Verification = "exact" if exact else "estimate"
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
            set_apart=len(parts.set_apart),
            **{key: n for mode in modes for key, n in mode.counts(found[mode.name]).items()},
        ),
        verification=verification,
        seconds=time.perf_counter() - started,
        documents=parts.documents,
        notes=judged.notes(modes, found, verification) if judged else [],
        set_apart=parts.set_apart,
        formula=judged.formula() if judged else None,
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
        of pairs ``(i, j)``), and (new document, indexed doc number) unless a new document
        has the indexed one's id: a new version replaces it, and is compared with none of
        the batch (neither with itself nor with the other new documents)."""
        n = len(self.new)
        node_of = {old.doc: n + k for k, old in enumerate(self.indexed)}
        new_ids = {doc.id for doc in self.new}
        pairs = {(int(i), int(j)) for found in among_new for i, j in found.tolist()}
        pairs.update(
            (i, node_of[doc])
            for i, doc in hits
            if self.indexed[node_of[doc] - n].id not in new_ids
        )
        return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)

    def marked_exact(self, pairs: list[Pair]) -> list[Pair]:
        """The pairs with those of identical texts marked
        (:func:`~neardup.stages.verification.marked_exact`)."""
        return marked_exact(pairs, self.ids(), self.cps, len(self.new))

    def exact_similarity(self, candidates: I64, parameters: Parameters) -> Similarity:
        """Exact overlap of shingle sets, those of every document in a
        candidate pair computed at once (in a few whole-array steps)."""
        nodes: list[int] = np.unique(candidates).tolist()
        computed = shingle_sets([self.cps(node) for node in nodes], parameters)
        sets = dict(zip(nodes, computed, strict=True))

        def similarity(i: int, j: int) -> Overlap:
            return overlap(sets[i], sets[j])

        return similarity

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
