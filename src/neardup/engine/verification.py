"""Exact verification of candidate pairs, in units of whole candidate components.

Candidate pairs link documents into connected components. A verified pair is a candidate
pair, and a cluster is a set of documents connected by verified pairs, so every cluster lies
inside one component. Components are packed into *units* of about :data:`UNIT_DOCS`
documents; everything a unit needs is its documents' records: :func:`verify_unit` parses them,
builds their shingle sets, verifies the unit's pairs and forms its clusters. Units are
independent, so worker processes verify them in parallel, and only the shingle sets of the
units in flight exist at any time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from .._types import F64, I64
from ..core.clusters import clusters_with_similarities, components
from ..core.normalize import from_codepoints, normalize_many
from ..core.shingles import char_shingle_sets, shingle_set
from ..core.similarity import jaccard_containment
from ..io.records import Fetched, LinesAt, parse_records
from ..parameters import Parameters
from ..report import DocumentInfo

UNIT_DOCS = 2048
"""Documents per verification unit (at least; a larger component is one unit)."""


@dataclass
class Unit:
    """Whole candidate components: their documents and pairs."""

    nodes: I64
    """Indices of the unit's documents among the processed documents, ascending."""
    pairs: I64
    """Candidate pairs, shape (m, 2), as indices into ``nodes``."""
    order: I64
    """Each pair's index among all candidate pairs (the report keeps that order)."""
    lengths: I64
    """Normalized lengths of ``nodes``, which choose cluster representatives."""
    records: list[Fetched] | LinesAt = field(default_factory=list)
    """The documents of ``nodes``, in the same order (filled just before verification)."""


@dataclass
class UnitResult:
    """A unit's verified pairs, clusters and document details, by processed-document index."""

    checked: int
    """Candidate pairs checked."""
    order: I64
    """Candidate index of each verified pair."""
    jaccard: F64
    containment: F64
    clusters: list[tuple[int, list[tuple[int, float]]]]
    """``(representative, [(member, Jaccard to the representative), ...])``, members ascending."""
    infos: dict[int, DocumentInfo]
    """What the report keeps of the documents in verified pairs."""


def plan_units(candidates: I64, lengths: I64, unit_docs: int | None = None) -> list[Unit]:
    """Pack the connected components of the candidate pairs into units of about
    ``unit_docs`` (default :data:`UNIT_DOCS`) documents, components in order of their first
    document; ``lengths`` are the normalized lengths of all processed documents."""
    if not candidates.size:
        return []
    unit_docs = unit_docs or UNIT_DOCS
    groups = components(candidates.tolist())
    unit_of = np.full(lengths.size, -1, dtype=np.int64)
    bounds = [0]
    members: list[int] = []
    for group in groups:
        members.extend(group)
        if len(members) - bounds[-1] >= unit_docs:
            bounds.append(len(members))
    if bounds[-1] < len(members):
        bounds.append(len(members))
    nodes_all = np.asarray(members, dtype=np.int64)
    for unit, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        unit_of[nodes_all[lo:hi]] = unit
    pair_unit = unit_of[candidates[:, 0]]
    by_unit = np.argsort(pair_unit, kind="stable")
    pair_bounds = np.searchsorted(pair_unit[by_unit], np.arange(len(bounds)))
    units = []
    for unit, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        nodes = np.sort(nodes_all[lo:hi])
        order = by_unit[pair_bounds[unit] : pair_bounds[unit + 1]]
        local = np.searchsorted(nodes, candidates[order])
        units.append(Unit(nodes, local, order.astype(np.int64), lengths[nodes]))
    return units


def verify_unit(unit: Unit, params: Parameters) -> UnitResult:
    """Exact Jaccard and containment of the unit's pairs (those at or above the threshold
    kept), its clusters with each member's Jaccard to the representative, and what the
    report keeps of each document."""
    docs = parse_records(unit.records)
    flat, lengths = normalize_many([doc.text for doc in docs], params.normalize_options())
    pieces = np.split(flat, np.cumsum(lengths)[:-1])
    if params.unit == "char":
        sets = char_shingle_sets(pieces, params.ngram)
    else:
        sets = [shingle_set(from_codepoints(c), params.ngram, "word") for c in pieces]
    kept: list[int] = []
    jaccard: list[float] = []
    containment: list[float] = []
    edges: list[tuple[int, int]] = []
    for k, (a, b) in enumerate(unit.pairs.tolist()):
        jac, cont = jaccard_containment(sets[a], sets[b])
        if jac >= params.threshold:
            kept.append(k)
            jaccard.append(jac)
            containment.append(cont)
            edges.append((a, b))
    nodes = unit.nodes.tolist()
    known = {edge: jac for edge, jac in zip(edges, jaccard, strict=True)}

    def similarity(a: int, b: int) -> float:
        a, b = min(a, b), max(a, b)
        return known[a, b] if (a, b) in known else jaccard_containment(sets[a], sets[b])[0]

    clusters = [
        (nodes[rep], [(nodes[m], sim) for m, sim in members])
        for rep, members in clusters_with_similarities(edges, unit.lengths, similarity)
    ]
    in_pairs = {k for edge in edges for k in edge}  # the report describes only these
    infos = {
        nodes[k]: DocumentInfo(docs[k].title, docs[k].source, len(docs[k].text), pieces[k].size)
        for k in sorted(in_pairs)
    }
    return UnitResult(
        len(unit.pairs),
        unit.order[np.asarray(kept, dtype=np.int64)],
        np.asarray(jaccard, dtype=np.float64),
        np.asarray(containment, dtype=np.float64),
        clusters,
        infos,
    )
