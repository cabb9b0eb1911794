"""The containment search: partial copies, pairs where at least ``containment`` of one
document's shingles are in the other, found through shared winnowed fingerprints
(:mod:`neardup.core.fingerprints`) and decided with the boilerplate set aside.

Hashing winnows each normalized text (:func:`winnowed_fingerprints`); the candidate stage
pairs the documents that share enough fingerprints, cutting those held by more than
``max_df`` documents as boilerplate (:func:`~neardup.core.fingerprints.shared_fingerprint_pairs`,
or against an index's stored fingerprints: :func:`stored_candidates`); the rule accepts a
pair whose containment reaches ``containment``, judged without the boilerplate's text when
the documents are at hand (:func:`sets_without_boilerplate`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .._types import F64, I64, U32, Verification
from ..core.arrays import pieces_of, ranges, sorted_unique
from ..core.fingerprints import (
    boilerplate_mask,
    enough_shared,
    shared_fingerprint_pairs,
    winnow,
    winnow_flat,
)
from ..core.normalize import from_codepoints
from ..core.shingles import ngram_hashes, word_ngram_hashes
from ..core.similarity import overlap
from ..parameters import Parameters
from .protocol import (
    Bools,
    ComparedTexts,
    Found,
    Judged,
    Mapper,
    Packed,
    PerDocument,
    joined_packed,
)

NAME = "containment"


def winnowed_fingerprints(flat: U32, lengths: I64, params: Parameters) -> tuple[U32, I64]:
    """The winnowed fingerprints of normalized texts (concatenated code points and their
    lengths), concatenated, and how many each text has (an index keeps them whether or not
    it is asked for a containment search)."""
    if params.unit == "char":
        return winnow_flat(flat, lengths, params.ngram)
    per_text = [
        winnow(word_ngram_hashes(from_codepoints(c), params.ngram))
        for c in pieces_of(flat, lengths)
    ]
    counts = np.fromiter((f.size for f in per_text), dtype=np.int64, count=len(per_text))
    values = np.concatenate(per_text) if per_text else np.empty(0, dtype=np.uint32)
    return values.astype(np.uint32), counts


def winnowed(cps: Sequence[U32], params: Parameters) -> tuple[U32, I64]:
    """:func:`winnowed_fingerprints` of normalized texts given one by one (code points)."""
    lengths = np.fromiter((c.size for c in cps), dtype=np.int64, count=len(cps))
    flat = np.concatenate(cps) if cps else np.empty(0, dtype=np.uint32)
    return winnowed_fingerprints(flat, lengths, params)


def sets_without_boilerplate(cps: Sequence[U32], params: Parameters, common: U32) -> list[U32]:
    """The shingle set of each normalized text without its boilerplate: the shingles of
    windows whose fingerprint is one of the sorted ``common`` fingerprints
    (:func:`~neardup.core.fingerprints.boilerplate_mask`). What a containment search decides
    copies by."""
    out: list[U32] = []
    for c in cps:
        if params.unit == "char":
            hashes = ngram_hashes(c, params.ngram)
        else:
            hashes = word_ngram_hashes(from_codepoints(c), params.ngram)
        out.append(sorted_unique(hashes[~boilerplate_mask(hashes, common)]))
    return out


@dataclass(frozen=True)
class Copied:
    """Accepts the pairs whose containment reaches ``least``: their overlap's, or for a pair
    below the Jaccard threshold whose overlap reaches it, ``copied`` (the containment
    without boilerplate) when given."""

    least: float
    copied: Callable[[int, int], float] | None = None
    records: str | None = None

    def accept(self, judged: Judged) -> tuple[Bools, F64 | None]:
        overlaps = judged.overlaps
        copy: Bools = np.maximum(overlaps[:, 1], overlaps[:, 2]) >= self.least
        if self.copied is not None:
            for k in np.flatnonzero(copy & ~judged.near).tolist():
                copy[k] = self.copied(*judged.pairs[k]) >= self.least
        return copy, None


@dataclass(frozen=True)
class Containment:
    """Winnowed fingerprints to candidates; containment (without boilerplate) accepts."""

    name: str = NAME
    counts_every_copy: bool = True

    def hash(self, flat: U32, lengths: I64, signatures: U32, params: Parameters) -> Packed:
        return Packed(*winnowed_fingerprints(flat, lengths, params))

    def candidates(
        self, blocks: Sequence[PerDocument], params: Parameters, mapper: Mapper | None = None
    ) -> Found:
        """:func:`~neardup.core.fingerprints.shared_fingerprint_pairs` of the fingerprints."""
        values, counts = joined_packed(blocks)
        shared = shared_fingerprint_pairs(values, counts, _least(params), params.max_df)
        return Found(shared.pairs, shared.common, shared.max_df)

    def notes(self, found: Found, params: Parameters, verification: Verification) -> list[str]:
        if found.max_df is None or found.max_df >= params.max_df:
            return []
        return [
            f"the containment search ignored fingerprints held by more than {found.max_df} "
            f"documents (not {params.max_df}): passages that recur in that many documents "
            "would have made more candidate pairs than memory allows"
        ]

    def counts(self, found: Found) -> dict[str, int]:
        return {"common_fingerprints": int(found.common.size)}

    def rule(self, params: Parameters, compared: ComparedTexts | None) -> Copied:
        """Containment reaches ``params.containment``; with ``compared`` and boilerplate,
        judged on the shingle sets without it."""
        common = None if compared is None else compared.common.get(NAME)
        if compared is None or common is None or not common.size:
            return Copied(_least(params))
        sets = dict(zip(compared.nodes, sets_without_boilerplate(compared.cps, params, common),
                        strict=True))

        def copied(a: int, b: int) -> float:
            return overlap(sets[a], sets[b]).containment

        return Copied(_least(params), copied)

    def judge(self, params: Parameters, compared: ComparedTexts | None) -> None:
        """None: this mode judges no pair beyond its rule."""
        return None


def _least(params: Parameters) -> float:
    if params.containment is None:
        raise ValueError("the parameters ask for no containment search")
    return params.containment


class FingerprintStore(Protocol):
    """Stored documents' fingerprints, as an index holds them
    (:class:`neardup.index.statements.Tables`)."""

    path: str

    def fingerprint_frequencies(self, fingerprints: U32, cap: int) -> I64:
        """How many stored documents hold each fingerprint, counted up to ``cap``."""

    def fingerprint_holders(self, fingerprints: U32) -> tuple[U32, I64]:
        """Each (fingerprint, stored document) row of these fingerprints."""

    def fingerprint_counts(self, docs: list[int]) -> dict[int, int]:
        """How many fingerprints each stored document has."""


@dataclass(frozen=True)
class StoredCandidates:
    """The candidates of a containment query against stored documents: pairs of new
    documents ``(i, j)`` (their positions, ``i < j``), (new document's position, stored doc
    number) pairs, the distinct fingerprints of the new documents cut as boilerplate
    (sorted), and the document frequency of the others among the new documents."""

    among_new: I64
    with_stored: list[tuple[int, int]]
    common: U32
    kept: dict[int, int]

    @classmethod
    def none(cls) -> StoredCandidates:
        """No candidates (not a containment query)."""
        return cls(np.empty((0, 2), dtype=np.int64), [], np.empty(0, dtype=np.uint32), {})

    def found(self) -> Found:
        """What the query's candidate stage recorded, as the report counts it."""
        return Found(self.among_new, self.common)


def stored_candidates(
    store: FingerprintStore,
    fingerprints: U32,
    counts: I64,
    params: Parameters,
    missing: Callable[[list[int], dict[int, int]], None],
) -> StoredCandidates:
    """The pairs that share enough fingerprints for ``params.containment``, among the new
    documents (their ``fingerprints``, ``counts`` of each) and with the stored ones;
    ``missing(met, read)`` raises when a fingerprint row names a document the store does not
    hold.

    The document frequency of a fingerprint is that of the stored and the new documents
    together: one held by more than ``max_df`` of them makes no candidates (the store
    counts its holders only up to ``max_df + 1``). A pair is a candidate when
    :func:`~neardup.core.fingerprints.enough_shared` says so of the fingerprints it shares
    and the documents' whole fingerprint counts, as in the local engine.
    """
    containment, max_df = _least(params), params.max_df
    owners = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    distinct, inverse, new_df = np.unique(fingerprints, return_inverse=True, return_counts=True)
    stored_df = store.fingerprint_frequencies(distinct, max_df + 1)
    cut = new_df + stored_df > max_df
    kept = ~cut[inverse]
    values, holders = fingerprints[kept], owners[kept]

    among = shared_fingerprint_pairs(
        values, np.bincount(holders, minlength=counts.size), containment, max_df
    )  # lenient on the kept counts; the whole counts decide below
    first, second = among.pairs[:, 0], among.pairs[:, 1]
    among_new = among.pairs[enough_shared(among.shared, counts[first], counts[second],
                                          containment)]

    held, docs = store.fingerprint_holders(distinct[~cut & (stored_df > 0)])
    pairs, shared = _joined(values, holders, held, docs)
    whole = store.fingerprint_counts(np.unique(pairs[:, 1]).tolist())
    missing(pairs[:, 1].tolist(), whole)
    stored_counts = np.array([whole[d] for d in pairs[:, 1].tolist()], dtype=np.int64)
    enough = enough_shared(shared, counts[pairs[:, 0]], stored_counts, containment)
    with_stored = [(int(i), int(doc)) for i, doc in pairs[enough].tolist()]
    kept_df = dict(zip(distinct[~cut].tolist(), new_df[~cut].tolist(), strict=True))
    return StoredCandidates(among_new, with_stored, distinct[cut], kept_df)


def stored_boilerplate(
    store: FingerprintStore, texts: Sequence[U32], found: StoredCandidates, params: Parameters
) -> U32:
    """Every fingerprint of the new documents and of the stored ones met (``texts``: their
    normalized code points) held by more than ``max_df`` of the stored and new documents
    together, sorted: the boilerplate a containment query sets aside when it decides
    copies, as the local engine does. Read in the caller's transaction."""
    values = np.unique(winnowed(texts, params)[0]) if texts else np.empty(0, np.uint32)
    known = set(found.common.tolist())
    values = values[[v not in known for v in values.tolist()]].astype(np.uint32)
    stored_df = store.fingerprint_frequencies(values, params.max_df + 1)
    new_df = np.array([found.kept.get(v, 0) for v in values.tolist()], dtype=np.int64)
    extra = values[stored_df + new_df > params.max_df]
    return np.union1d(found.common, extra).astype(np.uint32)


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
