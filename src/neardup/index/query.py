"""A query of the index: new documents against the indexed ones and among themselves.

The new documents are hashed, their band keys looked up in the ``bands`` table
(:meth:`~neardup.index.tables.Tables.lookup`), and the candidate pairs (new with new, new
with indexed) verified and clustered by
:func:`neardup.stages.verification.verify_candidates`: exactly on
shingle sets when the index stores texts and its ``verify`` parameter is ``"exact"``,
otherwise by the MinHash estimates of the signatures. Nothing is written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._types import I64, U32
from ..core.lsh import band_keys, candidate_pairs
from ..core.normalize import codepoints
from ..core.similarity import Overlap, estimate_overlap, overlap
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..report import Counts, DocumentInfo, DuplicateReport
from ..stages.hashing import nonempty_documents, shingle_sets, signatures_of_codepoints
from ..stages.intake import Intake
from ..stages.verification import Similarity, report_parts, verify_candidates
from .tables import StoredDocument, Tables, decode_signature, decompress_text


def query_index(
    tables: Tables, parameters: Parameters, store_text: bool, documents: object
) -> DuplicateReport:
    """Near-duplicates of new documents among the indexed ones (in ``tables``) and among
    themselves; see :meth:`~neardup.index.DuplicateIndex.query`."""
    started = time.perf_counter()
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
    hits, stored = tables.lookup(keys, with_text=store_text)
    compared = _Compared(new_docs, new_cps, sigs, counts, [stored[d] for d in sorted(stored)])
    candidates = compared.candidates(candidate_pairs(keys), hits)
    exact = store_text and parameters.verify == "exact"
    if exact:
        similarity = compared.exact_similarity(candidates, parameters, tables.path)
    else:
        similarity = compared.estimated_similarity(parameters.num_perm, tables.path)
    verified = verify_candidates(candidates, similarity, parameters.threshold, compared.lengths())
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
        ),
        verification="exact" if exact else "estimate",
        seconds=time.perf_counter() - started,
        documents=parts.documents,
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

    def candidates(self, among_new: I64, hits: list[tuple[int, int]]) -> I64:
        """Candidate pairs, sorted: those among the new documents, and (new document,
        indexed one) sharing a band key unless they share the id (a new version is not
        compared with the one it replaces)."""
        n = len(self.new)
        node_of = {old.doc: n + k for k, old in enumerate(self.indexed)}
        pairs = [(int(i), int(j)) for i, j in among_new.tolist()]
        pairs += [
            (i, node_of[doc])
            for i, doc in hits
            if self.indexed[node_of[doc] - n].id != self.new[i].id
        ]
        pairs.sort()
        return np.array(pairs, dtype=np.int64).reshape(-1, 2)

    def exact_similarity(self, candidates: I64, parameters: Parameters, path: str) -> Similarity:
        """Exact overlap of shingle sets, those of every document in a
        candidate pair computed at once (in a few whole-array steps)."""
        n = len(self.new)

        def cps_of(node: int) -> U32:
            if node < n:
                return self.new_cps[node]
            old = self.indexed[node - n]
            text = decompress_text(old.text, path, old.id) if old.text is not None else ""
            return codepoints(text)

        nodes: list[int] = np.unique(candidates).tolist()
        computed = shingle_sets([cps_of(node) for node in nodes], parameters)
        sets = dict(zip(nodes, computed, strict=True))

        def similarity(i: int, j: int) -> Overlap:
            return overlap(sets[i], sets[j])

        return similarity

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
