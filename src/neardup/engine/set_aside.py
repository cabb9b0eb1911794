"""Exact copies set aside after hashing, and put back into the report's pairs and clusters.

Documents whose normalized texts are identical (same digest, :mod:`neardup.core.exact`)
need comparing only once: after the hashing stage, every document but the first of each
group is set aside (:func:`set_aside`), so that LSH and verification see distinct texts only.
The report then lists each group once (:class:`~neardup.report.ExactGroup`), gives every
copy the pairs of the document it copies (with the same similarities: their shingle sets are
the same), and puts the copies in its clusters (:func:`with_copies`). Within a group, its
pairs are those of each copy with the group's first member, marked ``exact``
(:func:`with_exact_pairs`): a group of k documents gives k - 1 pairs, not k(k-1)/2.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .._types import I64
from ..core.exact import first_of_group
from ..report import Cluster, ClusterMember, DocumentInfo, ExactGroup, Pair
from ..stages.verification import ReportParts, Verified
from .hashing_stage import Processed


@dataclass
class SetAside:
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
    hashed: Processed, min_length: int = 0, copies_too: bool = True
) -> tuple[Processed, SetAside]:
    """The processed documents that go on to the candidate stage (the first of each group of
    identical normalized texts, at least ``min_length`` normalized characters long), and
    those set aside. Without ``copies_too`` identical texts all go on (a search mode that
    counts every copy to tell boilerplate, see
    :attr:`~neardup.searches.protocol.SearchMode.counts_every_copy`)."""
    lengths = np.asarray(hashed.lengths, dtype=np.int64)
    n = lengths.size
    eligible = np.flatnonzero(lengths >= min_length)
    first = eligible[first_of_group(hashed.all_digests()[eligible])]
    if not copies_too:
        first = eligible
    goes_on = np.zeros(n, dtype=bool)
    goes_on[eligible[first == eligible]] = True
    if goes_on.all():
        return hashed, SetAside()
    new_index = np.cumsum(goes_on) - 1
    is_copy = first != eligible
    copies, originals = eligible[is_copy], first[is_copy]
    short = np.flatnonzero(lengths < min_length)
    positions = np.asarray(hashed.positions, dtype=np.int64)
    set_apart = SetAside(
        ids=[hashed.ids[i] for i in copies.tolist()],
        positions=positions[copies],
        lengths=lengths[copies],
        of=new_index[originals].astype(np.int64),
        short_ids=[hashed.ids[i] for i in short.tolist()],
        short_positions=positions[short],
    )
    hashed.select(goes_on)
    return hashed, set_apart


def exact_groups(hashed: Processed, copies: SetAside, went_on: bool = True) -> list[ExactGroup]:
    """Each group of identical documents, first member first, groups by first member: the
    copies set aside, and those that went on (see :func:`set_aside`; without ``went_on``,
    none did, and their digests are not searched)."""
    groups = {
        of: [hashed.ids[of], *(copies.ids[k] for k in members)]
        for of, members in copies.copies_of().items()
    }
    if not went_on:
        return [ExactGroup(tuple(groups[of])) for of in sorted(groups)]
    first = first_of_group(hashed.all_digests())
    for i in np.flatnonzero(first != np.arange(first.size)).tolist():
        groups.setdefault(int(first[i]), [hashed.ids[int(first[i])]]).append(hashed.ids[i])
    return [ExactGroup(tuple(groups[of])) for of in sorted(groups)]


def without_identical_pairs(parts: ReportParts, groups: list[ExactGroup]) -> ReportParts:
    """The parts without the pairs of identical documents that went on together (a
    search that counts every copy): :func:`with_exact_pairs` gives them as every engine
    does."""
    group_of = {doc_id: k for k, group in enumerate(groups) for doc_id in group.members}
    if not group_of:
        return parts
    pairs = [
        p for p in parts.pairs
        if p.a not in group_of or group_of[p.a] != group_of.get(p.b)
    ]
    return ReportParts(pairs, parts.clusters, parts.documents, parts.set_apart)


def with_copies(
    parts: ReportParts, hashed: Processed, copies: SetAside, verified: Verified
) -> ReportParts:
    """The report's parts (made by :func:`~neardup.stages.verification.report_parts` of
    ``verified``) with the copies in them: each copy in the pairs of the document it copies
    (same similarities), and in its cluster (groups in no cluster become clusters of their
    own). Pairs and members are ordered by input order.

    Only the pairs and clusters of a document with copies change: a copy comes after the
    document it copies, so the others keep their order, and every cluster its first member.
    """
    if not copies.ids:
        return parts
    copied = copies.copies_of()
    groups = {hashed.ids[of]: [copies.ids[k] for k in members] for of, members in copied.items()}
    touched = np.flatnonzero(
        np.isin(verified.pairs, np.fromiter(copied, dtype=np.int64)).any(axis=1)
    ).tolist()
    spread = [
        k for k, (_, members) in enumerate(verified.clusters)
        if any(m in copied for m, _ in members)
    ]
    involved = set(verified.pairs[touched].ravel().tolist()) | set(copied)
    involved.update(m for k in spread for m, _ in verified.clusters[k][1])
    order = {hashed.ids[i]: hashed.positions[i] for i in involved}  # input positions
    order.update(zip(copies.ids, copies.positions.tolist(), strict=True))

    def group(doc_id: str) -> list[str]:
        return [doc_id, *groups.get(doc_id, ())]

    pairs = list(parts.pairs)
    for k in reversed(touched):  # each pair of a document with copies: all of theirs
        pair = parts.pairs[k]
        pairs[k : k + 1] = [
            replace(pair, a=a, b=b) if order[a] < order[b] else
            replace(pair, a=b, b=a, a_in_b=pair.b_in_a, b_in_a=pair.a_in_b)
            for a in group(pair.a)
            for b in group(pair.b)
        ]
    clusters = list(parts.clusters)
    for k in spread:
        members = [
            ClusterMember(copy, m.similarity)
            for m in clusters[k].members
            for copy in group(m.id)
        ]
        members.sort(key=lambda m: order[m.id])
        clusters[k] = Cluster(clusters[k].representative, tuple(members))
    clustered = {m for k in spread for m, _ in verified.clusters[k][1]}
    alone = [
        (hashed.positions[of], Cluster(hashed.ids[of], tuple(
            ClusterMember(m, 1.0) for m in group(hashed.ids[of])
        )))
        for of in copied
        if of not in clustered
    ]
    firsts = [hashed.positions[members[0][0]] for _, members in verified.clusters]
    merged = sorted([*zip(firsts, clusters, strict=True), *alone], key=lambda c: c[0])
    documents = dict(parts.documents)
    length_of = dict(zip(copies.ids, copies.lengths.tolist(), strict=True))
    for pair in pairs:
        for doc_id in (pair.a, pair.b):
            if doc_id not in documents:
                documents[doc_id] = DocumentInfo(None, None, None, length_of[doc_id])
    return ReportParts(pairs, [c for _, c in merged], documents, parts.set_apart)


def with_exact_pairs(
    parts: ReportParts, groups: list[ExactGroup], hashed: Processed, copies: SetAside,
    reason: str | None = None,
) -> ReportParts:
    """The parts with the pairs within each group of identical documents: each member but the
    first with the first (``exact``, every similarity 1, and ``reason`` when given), and
    every pair in input order of ``a``, then ``b``, as the Spark engine orders them."""
    if not groups:
        return parts
    needed = {m for group in groups for m in group.members}
    needed.update(doc_id for pair in parts.pairs for doc_id in (pair.a, pair.b))
    position: dict[str, int] = {}
    length: dict[str, int] = {}
    for ids, positions, lengths in (
        (hashed.ids, hashed.positions, hashed.lengths),
        (copies.ids, copies.positions.tolist(), copies.lengths.tolist()),
    ):
        for doc_id, at, size in zip(ids, positions, lengths, strict=True):
            if doc_id in needed and doc_id not in position:
                position[doc_id], length[doc_id] = int(at), int(size)
    exact = [
        Pair(group.members[0], member, 1.0, 1.0, 1.0, 1.0, exact=True, reason=reason)
        for group in groups
        for member in group.members[1:]
    ]
    pairs = sorted([*parts.pairs, *exact], key=lambda p: (position[p.a], position[p.b]))
    documents = dict(parts.documents)
    for pair in exact:
        for doc_id in (pair.a, pair.b):
            if doc_id not in documents:
                documents[doc_id] = DocumentInfo(None, None, None, length[doc_id])
    return ReportParts(pairs, parts.clusters, documents, parts.set_apart)
