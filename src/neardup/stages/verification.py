"""Verification and clustering of candidate pairs, and the report's parts, in every engine.

An engine finds candidate pairs (LSH) and knows how similar two of its documents are: the
exact Jaccard and containment of their shingle sets, or the MinHash estimates.
:func:`verify_candidates` keeps the candidates at or above the threshold and clusters them
(connected components of the verified pairs, the longest member as representative, ties to
the earliest, and every member's Jaccard to it); :func:`report_parts` names the documents by
id as the report shows them. The local engine runs them on batches of whole components and
for estimates (:mod:`neardup.engine.verification`), the index on each query
(:mod:`neardup.index.query`); Spark runs the same steps as DataFrame joins
(:mod:`neardup.spark`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._types import F64, I64
from ..core.clusters import clusters_with_similarities
from ..report import Cluster, ClusterMember, DocumentInfo, Pair

Similarity = Callable[[int, int], tuple[float, float]]
"""``(jaccard, containment)`` of two documents, given by index."""

CHECKED_EVERY = 1000
"""Candidates checked between two calls of :func:`verify_candidates`' ``checked`` hook."""


@dataclass
class Verified:
    """Verified pairs and their clusters, by document index."""

    pairs: I64
    """The candidate pairs ``(i, j)`` that passed, shape (m, 2), in candidate order."""
    order: I64
    """Each one's index among the candidates."""
    jaccard: F64
    containment: F64
    clusters: list[tuple[int, list[tuple[int, float]]]]
    """``(representative, [(member, Jaccard to the representative), ...])``, members
    ascending, clusters by first member."""

    @classmethod
    def nothing(cls) -> Verified:
        """No verified pairs."""
        return cls(
            np.empty((0, 2), dtype=np.int64),
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.float64),
            np.empty(0, dtype=np.float64),
            [],
        )

    def documents(self) -> list[int]:
        """The documents in verified pairs, ascending (the report describes only these)."""
        found: list[int] = np.unique(self.pairs).tolist()
        return found


@dataclass
class ReportParts:
    """A report's pairs, clusters and details of the documents in pairs, by id."""

    pairs: list[Pair]
    clusters: list[Cluster]
    documents: dict[str, DocumentInfo]


def verify_candidates(
    candidates: I64,
    similarity: Similarity,
    threshold: float,
    lengths: I64,
    checked: Callable[[int], None] | None = None,
) -> Verified:
    """Keep the candidate pairs whose Jaccard is at least ``threshold``, and cluster them.

    Args:
        candidates: pairs ``(i, j)``, ``i < j``, shape (m, 2).
        similarity: ``(jaccard, containment)`` of two documents; symmetric.
        threshold: the least Jaccard of a verified pair.
        lengths: each document's length, which picks the cluster representatives.
        checked: called with the number of candidates checked, every
            :data:`CHECKED_EVERY` and at the end.
    """
    listed = candidates.tolist()
    kept: list[int] = []
    jaccard: list[float] = []
    containment: list[float] = []
    for k, (i, j) in enumerate(listed):
        jac, cont = similarity(i, j)
        if jac >= threshold:
            kept.append(k)
            jaccard.append(jac)
            containment.append(cont)
        if checked is not None and (k + 1) % CHECKED_EVERY == 0:
            checked(CHECKED_EVERY)
    if checked is not None and len(listed) % CHECKED_EVERY:
        checked(len(listed) % CHECKED_EVERY)
    edges = [(listed[k][0], listed[k][1]) for k in kept]
    known = dict(zip(edges, jaccard, strict=True))

    def jaccard_of(a: int, b: int) -> float:
        a, b = min(a, b), max(a, b)
        return known[a, b] if (a, b) in known else similarity(a, b)[0]

    order = np.asarray(kept, dtype=np.int64)
    return Verified(
        candidates[order].reshape(-1, 2),
        order,
        np.asarray(jaccard, dtype=np.float64),
        np.asarray(containment, dtype=np.float64),
        clusters_with_similarities(edges, lengths, jaccard_of),
    )


def report_parts(
    verified: Verified, ids: Sequence[str], describe: Callable[[int], DocumentInfo]
) -> ReportParts:
    """The report's pairs, clusters and document details of verified pairs.

    Args:
        verified: what :func:`verify_candidates` found.
        ids: each document's id.
        describe: what the report keeps of a document in a verified pair (where two
            documents share an id, the first one's).
    """
    pairs = [
        Pair(ids[i], ids[j], jac, cont)
        for (i, j), jac, cont in zip(
            verified.pairs.tolist(),
            verified.jaccard.tolist(),
            verified.containment.tolist(),
            strict=True,
        )
    ]
    clusters = [
        Cluster(ids[rep], tuple(ClusterMember(ids[m], sim) for m, sim in members))
        for rep, members in verified.clusters
    ]
    documents: dict[str, DocumentInfo] = {}
    for node in verified.documents():
        if ids[node] not in documents:
            documents[ids[node]] = describe(node)
    return ReportParts(pairs, clusters, documents)
