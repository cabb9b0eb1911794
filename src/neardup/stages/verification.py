"""Verification and clustering of candidate pairs, and the report's parts, in every engine.

An engine finds candidate pairs (through the search modes of :mod:`neardup.searches`) and
knows how much two of its documents overlap: the exact Jaccard and directional shares of
their shingle sets (:class:`~neardup.core.similarity.Overlap`), or the MinHash estimates.
:func:`verify_candidates` keeps the candidates that the accept rule of any mode asked for
accepts (:class:`~neardup.searches.protocol.Rule`), records what the rules record, and
clusters the near-duplicates (connected components of the pairs at or above the Jaccard
threshold, the longest member as representative, ties to the earliest, and every member's
Jaccard to it); :func:`report_parts` names the documents by id as the report shows them.
The local engine runs them on batches of whole components and for estimates
(:mod:`neardup.engine.verification_stage`), the index on each query
(:mod:`neardup.index.query`); Spark runs the same steps as DataFrame joins
(:mod:`neardup.spark`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._types import F64, I64, U32
from ..core.clusters import clusters_with_similarities
from ..core.similarity import Overlap
from ..report import Cluster, ClusterMember, DocumentInfo, Pair
from ..searches.protocol import Judge, Judged, Rule

Similarity = Callable[[int, int], Overlap]
"""The overlap of two documents ``(i, j)``, given by index (``a_in_b``: the share of i in j)."""

CHECKED_EVERY = 1000
"""Candidates checked between two calls of :func:`verify_candidates`' ``checked`` hook."""


@dataclass
class SetApart:
    """Pairs a rule accepted that the judge did not take for copies (template siblings,
    topic neighbours), by document index, in candidate order."""

    pairs: I64
    order: I64
    jaccard: F64
    a_in_b: F64
    b_in_a: F64
    recorded: dict[str, F64]
    reasons: list[str]

    @classmethod
    def nothing(cls) -> SetApart:
        """No pairs set apart."""
        empty = np.empty(0, dtype=np.float64)
        return cls(np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64), empty,
                   empty, empty, {}, [])


@dataclass
class Verified:
    """Verified pairs and their clusters, by document index."""

    pairs: I64
    """The candidate pairs ``(i, j)`` that passed, shape (m, 2), in candidate order."""
    order: I64
    """Each one's index among the candidates."""
    jaccard: F64
    a_in_b: F64
    """Share of the first document's shingles found in the second."""
    b_in_a: F64
    clusters: list[tuple[int, list[tuple[int, float]]]]
    """``(representative, [(member, Jaccard to the representative), ...])``, members
    ascending, clusters by first member."""
    recorded: dict[str, F64] = field(default_factory=dict)
    """What the accept rules (and the judge) record on each pair, by
    :class:`~neardup.report.Pair` field (NaN: nothing)."""
    reasons: list[str] | None = None
    """Why the judge took each pair for a copy (None: no judge)."""
    apart: SetApart | None = None
    """What the judge set apart (None: no judge)."""

    @classmethod
    def nothing(cls) -> Verified:
        """No verified pairs."""
        return cls(
            np.empty((0, 2), dtype=np.int64),
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.float64),
            np.empty(0, dtype=np.float64),
            np.empty(0, dtype=np.float64),
            [],
        )

    def documents(self) -> list[int]:
        """The documents in verified pairs and in pairs set apart, ascending (the report
        describes only these)."""
        held = self.pairs if self.apart is None else np.concatenate((self.pairs,
                                                                     self.apart.pairs))
        found: list[int] = np.unique(held).tolist()
        return found


@dataclass
class ReportParts:
    """A report's pairs, clusters and details of the documents in pairs, by id, and the
    pairs a judge set apart."""

    pairs: list[Pair]
    clusters: list[Cluster]
    documents: dict[str, DocumentInfo]
    set_apart: list[Pair] = field(default_factory=list)


def verify_candidates(
    candidates: I64,
    similarity: Similarity,
    threshold: float,
    lengths: I64,
    rules: Sequence[Rule],
    checked: Callable[[int], None] | None = None,
    known: F64 | None = None,
    judges: Sequence[Judge] = (),
) -> Verified:
    """Keep the candidate pairs that any of ``rules`` accepts (the search modes', see
    :meth:`~neardup.searches.protocol.SearchMode.rule`), and cluster the pairs at or above
    the Jaccard threshold.

    Args:
        candidates: pairs ``(i, j)``, ``i < j``, shape (m, 2).
        similarity: the overlap of two documents.
        threshold: the least Jaccard of a near-duplicate pair.
        lengths: each document's length, which picks the cluster representatives.
        rules: the accept rules of the modes asked for.
        checked: called with the number of candidates checked, every
            :data:`CHECKED_EVERY` and at the end.
        known: the candidates' overlaps when computed already, one row
            ``(jaccard, a_in_b, b_in_a)`` each (``similarity`` is then asked only of the
            other pairs that clustering compares).
        judges: the modes' judges (:meth:`~neardup.searches.protocol.SearchMode.judge`):
            when there are, the candidates every judge takes for copies are kept, whatever
            the rules say, and the others that a rule accepted are set apart.
    """
    listed = candidates.tolist()
    if known is None:
        known = np.zeros((len(listed), 3), dtype=np.float64)
        for k, (i, j) in enumerate(listed):
            known[k] = similarity(i, j)
            if checked is not None and (k + 1) % CHECKED_EVERY == 0:
                checked(CHECKED_EVERY)
    elif checked is not None:
        for _ in range(len(listed) // CHECKED_EVERY):
            checked(CHECKED_EVERY)
    if checked is not None and len(listed) % CHECKED_EVERY:
        checked(len(listed) % CHECKED_EVERY)
    jaccard = known[:, 0]
    near = jaccard >= threshold
    judged = Judged(listed, known, near)
    keep = np.zeros(len(listed), dtype=bool)
    recorded: dict[str, F64] = {}
    for rule in rules:
        accepted, values = rule.accept(judged)
        keep |= accepted
        if rule.records is not None and values is not None:
            recorded[rule.records] = values
    reasons: list[str] | None = None
    apart: SetApart | None = None
    if judges:
        copy = np.ones(len(listed), dtype=bool)
        reasons = [""] * len(listed)
        for judge in judges:
            verdicts = judge.judge(judged, recorded)
            copy &= verdicts.copy
            recorded |= verdicts.figures
            reasons = verdicts.reasons
        aside = np.flatnonzero(keep & ~copy).astype(np.int64)
        apart = SetApart(candidates[aside].reshape(-1, 2), aside, known[aside, 0],
                         known[aside, 1], known[aside, 2],
                         {name: values[aside] for name, values in recorded.items()},
                         [reasons[k] for k in aside.tolist()])
        keep = copy
        near &= keep  # clusters join copies only
    close = dict(zip(map(tuple, candidates[near].tolist()), jaccard[near].tolist(), strict=True))

    def jaccard_of(a: int, b: int) -> float:
        a, b = min(a, b), max(a, b)
        found = close.get((a, b))
        return found if found is not None else similarity(a, b).jaccard

    order = np.flatnonzero(keep).astype(np.int64)
    return Verified(
        candidates[order].reshape(-1, 2),
        order,
        known[order, 0],
        known[order, 1],
        known[order, 2],
        clusters_with_similarities(list(close), lengths, jaccard_of),
        {name: values[order] for name, values in recorded.items()},
        None if reasons is None else [reasons[k] for k in order.tolist()],
        apart,
    )


def report_parts(
    verified: Verified, ids: Sequence[str], describe: Callable[[int], DocumentInfo]
) -> ReportParts:
    """The report's pairs, clusters and document details of verified pairs (and of the
    pairs set apart).

    Args:
        verified: what :func:`verify_candidates` found.
        ids: each document's id.
        describe: what the report keeps of a document in a verified pair (where two
            documents share an id, the first one's).
    """
    pairs = _pairs(verified.pairs, verified.jaccard, verified.a_in_b, verified.b_in_a,
                   verified.recorded, verified.reasons, ids)
    apart = verified.apart
    set_apart = [] if apart is None else _pairs(
        apart.pairs, apart.jaccard, apart.a_in_b, apart.b_in_a, apart.recorded, apart.reasons,
        ids,
    )
    clusters = [
        Cluster(ids[rep], tuple(ClusterMember(ids[m], sim) for m, sim in members))
        for rep, members in verified.clusters
    ]
    documents: dict[str, DocumentInfo] = {}
    for node in verified.documents():
        if ids[node] not in documents:
            documents[ids[node]] = describe(node)
    return ReportParts(pairs, clusters, documents, set_apart)


def _pairs(
    nodes: I64, jaccard: F64, a_in_b: F64, b_in_a: F64, recorded: dict[str, F64],
    reasons: list[str] | None, ids: Sequence[str],
) -> list[Pair]:
    """Pairs of the report from verification's columns."""
    names = list(recorded)
    columns = [recorded[name].tolist() for name in names]
    values = list(zip(*columns, strict=True)) if names else [()] * len(nodes)
    why: list[str | None] = [None] * len(nodes) if reasons is None else list(reasons)
    return [
        Pair(ids[i], ids[j], jac, max(ab, ba), ab, ba, **_fields(names, row), reason=reason)
        for (i, j), jac, ab, ba, row, reason in zip(
            nodes.tolist(), jaccard.tolist(), a_in_b.tolist(), b_in_a.tolist(), values, why,
            strict=True,
        )
    ]


def _fields(names: list[str], values: tuple[float, ...]) -> dict[str, Any]:
    """The pair fields the rules recorded (NaN: not given)."""
    return {name: None if math.isnan(v) else v for name, v in zip(names, values, strict=True)}


def marked_exact(pairs: list[Pair], ids: Sequence[str], cps: Callable[[int], U32],
                 new: int) -> list[Pair]:
    """The pairs of a check (nodes ``0 .. new-1`` the new documents, the stored ones after,
    named by ``ids``; ``cps(node)`` their normalized code points), those of two identical
    normalized texts marked ``exact``; among the new documents, a group of identical ones
    keeps only each member's pair with its first (as the local engine and Spark report a
    group), when that pair is there."""
    node = {doc_id: k for k, doc_id in enumerate(ids)}
    marked = [
        replace(p, exact=True)
        if p.jaccard == 1.0 and np.array_equal(cps(node[p.a]), cps(node[p.b]))
        else p
        for p in pairs
    ]
    among_new = [(node[p.a], node[p.b]) for p in marked if p.exact and node[p.b] < new]
    if not among_new:
        return marked
    firsts: dict[bytes, int] = {}
    first = {k: firsts.setdefault(cps(k).tobytes(), k)
             for k in sorted({k for pair in among_new for k in pair})}
    present = set(among_new)

    def redundant(p: Pair) -> bool:
        a, b = node[p.a], node[p.b]
        return p.exact and b < new and first[b] != a and (first[b], b) in present

    return [p for p in marked if not redundant(p)]
