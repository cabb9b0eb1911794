"""Exact copies set aside after hashing, and put back into the report's pairs and clusters.

Documents whose normalized texts are identical (same digest, :mod:`neardup.core.exact`)
need comparing only once: after the hashing stage, every document but the first of each
group is set aside (:func:`set_aside`), so that LSH and verification see distinct texts only.
The report then lists each group once (:class:`~neardup.report.ExactGroup`), gives every
copy the pairs of the document it copies (with the same similarities: their shingle sets are
the same), and puts the copies in its clusters (:func:`with_copies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._types import I64
from ..core.exact import first_of_group
from ..report import Cluster, ClusterMember, DocumentInfo, ExactGroup, Pair
from ..stages.verification import ReportParts
from .hashing import Hashed


@dataclass
class Copies:
    """Processed documents set aside before the candidate stage."""

    ids: list[str] = field(default_factory=list)
    """Exact copies of an earlier document, in input order."""
    positions: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lengths: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    of: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """The document each one copies, by index among the documents that go on."""
    short_ids: list[str] = field(default_factory=list)
    """Documents shorter than the least length compared (deduplication only)."""
    short_positions: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def copies_of(self) -> dict[int, list[int]]:
        """The copies (by index into :attr:`ids`) of each document that has some."""
        out: dict[int, list[int]] = {}
        for k, of in enumerate(self.of.tolist()):
            out.setdefault(of, []).append(k)
        return out


def set_aside(
    hashed: Hashed, min_length: int = 0, copies_too: bool = True
) -> tuple[Hashed, Copies]:
    """The processed documents that go on to the candidate stage (the first of each group of
    identical normalized texts, at least ``min_length`` normalized characters long), and
    those set aside. Without ``copies_too`` identical texts all go on (a containment search
    counts every document that holds a fingerprint to tell boilerplate)."""
    lengths = np.asarray(hashed.lengths, dtype=np.int64)
    n = lengths.size
    eligible = np.flatnonzero(lengths >= min_length)
    first = eligible[first_of_group(hashed.all_digests()[eligible])]
    if not copies_too:
        first = eligible
    goes_on = np.zeros(n, dtype=bool)
    goes_on[eligible[first == eligible]] = True
    if goes_on.all():
        return hashed, Copies()
    new_index = np.cumsum(goes_on) - 1
    is_copy = first != eligible
    copies, originals = eligible[is_copy], first[is_copy]
    short = np.flatnonzero(lengths < min_length)
    positions = np.asarray(hashed.positions, dtype=np.int64)
    set_apart = Copies(
        ids=[hashed.ids[i] for i in copies.tolist()],
        positions=positions[copies],
        lengths=lengths[copies],
        of=new_index[originals].astype(np.int64),
        short_ids=[hashed.ids[i] for i in short.tolist()],
        short_positions=positions[short],
    )
    hashed.select(goes_on)
    return hashed, set_apart


def exact_groups(hashed: Hashed, copies: Copies) -> list[ExactGroup]:
    """Each group of identical documents, first member first, groups by first member: the
    copies set aside, and those that went on (a containment search's)."""
    groups = {
        of: [hashed.ids[of], *(copies.ids[k] for k in members)]
        for of, members in copies.copies_of().items()
    }
    first = first_of_group(hashed.all_digests())
    for i in np.flatnonzero(first != np.arange(first.size)).tolist():
        groups.setdefault(int(first[i]), [hashed.ids[int(first[i])]]).append(hashed.ids[i])
    return [ExactGroup(tuple(groups[of])) for of in sorted(groups)]


def without_identical_pairs(parts: ReportParts, groups: list[ExactGroup]) -> ReportParts:
    """The parts without the pairs of identical documents that went on together (a
    containment search's): the groups list them once."""
    group_of = {doc_id: k for k, group in enumerate(groups) for doc_id in group.members}
    if not group_of:
        return parts
    pairs = [
        p for p in parts.pairs
        if p.a not in group_of or group_of[p.a] != group_of.get(p.b)
    ]
    return ReportParts(pairs, parts.clusters, parts.documents)


def with_copies(parts: ReportParts, hashed: Hashed, copies: Copies) -> ReportParts:
    """The report's parts with the copies in them: each copy in the pairs of the document it
    copies (same similarities), and in its cluster (groups in no cluster become clusters of
    their own). Pairs and members are ordered by input order."""
    if not copies.ids:
        return parts
    groups = {
        hashed.ids[of]: [copies.ids[k] for k in members]
        for of, members in copies.copies_of().items()
    }
    involved = set(groups) | {p.a for p in parts.pairs} | {p.b for p in parts.pairs}
    involved.update(m.id for c in parts.clusters for m in c.members)
    order = {  # the input position of each document that is ordered here
        doc_id: position
        for doc_id, position in zip(hashed.ids, hashed.positions, strict=True)
        if doc_id in involved
    }
    order.update(zip(copies.ids, copies.positions.tolist(), strict=True))

    def group(doc_id: str) -> list[str]:
        return [doc_id, *groups.get(doc_id, ())]

    pairs: list[Pair] = []
    for pair in parts.pairs:
        for a in group(pair.a):
            for b in group(pair.b):
                if order[a] < order[b]:
                    pairs.append(Pair(a, b, pair.jaccard, pair.containment, pair.a_in_b,
                                      pair.b_in_a, rewrite=pair.rewrite))
                else:
                    pairs.append(Pair(b, a, pair.jaccard, pair.containment, pair.b_in_a,
                                      pair.a_in_b, rewrite=pair.rewrite))
    clusters: list[Cluster] = []
    clustered: set[str] = set()
    for cluster in parts.clusters:
        members = [
            ClusterMember(copy, m.similarity)
            for m in cluster.members
            for copy in group(m.id)
        ]
        members.sort(key=lambda m: order[m.id])
        clusters.append(Cluster(cluster.representative, tuple(members)))
        clustered.update(m.id for m in cluster.members)
    for first in groups:
        if first not in clustered:
            clusters.append(Cluster(first, tuple(ClusterMember(m, 1.0) for m in group(first))))
    clusters.sort(key=lambda c: order[c.members[0].id])
    documents = dict(parts.documents)
    length_of = dict(zip(copies.ids, copies.lengths.tolist(), strict=True))
    for pair in pairs:
        for doc_id in (pair.a, pair.b):
            if doc_id not in documents:
                documents[doc_id] = DocumentInfo(None, None, None, length_of[doc_id])
    return ReportParts(pairs, clusters, documents)
