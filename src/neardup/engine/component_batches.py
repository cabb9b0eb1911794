"""Exact verification in batches of whole candidate components, each verified on its own.

Candidate pairs link documents into connected components. A verified pair is a candidate
pair, and a cluster is a set of documents connected by verified pairs, so every cluster lies
inside one component. Components are packed into batches of about
:data:`COMPONENT_BATCH_DOCS` documents; everything a batch needs is its documents' records:
:func:`verify_component_batch` parses them, builds their shingle sets, verifies the batch's
pairs and forms its clusters. Batches are independent, so worker processes verify them in
parallel, and only the shingle sets of the batches in flight exist at any time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .._types import I64, U32
from ..core.arrays import pieces_of
from ..core.clusters import components
from ..core.rewrites import resemblance_of
from ..core.shingles import char_shingle_sets_packed
from ..core.similarity import Overlap, overlap, packed_overlap_rows
from ..io.records import Fetched, LinesAt, parse_records
from ..parameters import Parameters
from ..report import DocumentInfo
from ..stages.hashing import normalized_codepoints, sets_without_boilerplate, shingle_sets
from ..stages.verification import Verified, verify_candidates

COMPONENT_BATCH_DOCS = 2048
"""Documents per component batch (at least; a larger component is one batch)."""


@dataclass
class ComponentBatch:
    """Whole candidate components: their documents and pairs."""

    nodes: I64
    """Indices of the batch's documents among the processed documents, ascending."""
    pairs: I64
    """Candidate pairs, shape (m, 2), as indices into ``nodes``."""
    order: I64
    """Each pair's index among all candidate pairs (the report keeps that order)."""
    lengths: I64
    """Normalized lengths of ``nodes``, which choose cluster representatives."""
    records: list[Fetched] | LinesAt = field(default_factory=list)
    """The documents of ``nodes``, in the same order (filled just before verification)."""


@dataclass(frozen=True)
class Boilerplate:
    """What the candidate stage found common, sorted: the containment search's
    fingerprints and the rewrite search's 4-grams."""

    fingerprints: U32
    rewrite_shingles: U32


@dataclass
class VerifiedBatch:
    """A batch's verified pairs and clusters, and details of its documents in them."""

    checked: int
    """Candidate pairs checked."""
    verified: Verified
    """By processed-document index, with each pair's index among all candidates."""
    infos: dict[int, DocumentInfo]
    """What the report keeps of the documents in verified pairs, by processed-document
    index."""


def plan_component_batches(
    candidates: I64, lengths: I64, batch_docs: int | None = None
) -> list[ComponentBatch]:
    """Pack the connected components of the candidate pairs into batches of about
    ``batch_docs`` (default :data:`COMPONENT_BATCH_DOCS`) documents, components in order of
    their first document; ``lengths`` are the normalized lengths of all processed documents."""
    if not candidates.size:
        return []
    batch_docs = batch_docs or COMPONENT_BATCH_DOCS
    groups = components(candidates.tolist())
    batch_of = np.full(lengths.size, -1, dtype=np.int64)
    bounds = [0]
    members: list[int] = []
    for group in groups:
        members.extend(group)
        if len(members) - bounds[-1] >= batch_docs:
            bounds.append(len(members))
    if bounds[-1] < len(members):
        bounds.append(len(members))
    nodes_all = np.asarray(members, dtype=np.int64)
    for batch, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        batch_of[nodes_all[lo:hi]] = batch
    pair_batch = batch_of[candidates[:, 0]]
    by_batch = np.argsort(pair_batch, kind="stable")
    pair_bounds = np.searchsorted(pair_batch[by_batch], np.arange(len(bounds)))
    batches = []
    for batch, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        nodes = np.sort(nodes_all[lo:hi])
        order = by_batch[pair_bounds[batch] : pair_bounds[batch + 1]]
        local = np.searchsorted(nodes, candidates[order])
        batches.append(ComponentBatch(nodes, local, order.astype(np.int64), lengths[nodes]))
    return batches


def verify_component_batch(
    batch: ComponentBatch, params: Parameters, common: Boilerplate | None = None
) -> VerifiedBatch:
    """Exact overlap of the batch's pairs (those at or above the Jaccard threshold, the
    containment or the rewrite resemblance asked for kept), its clusters with each member's
    Jaccard to the representative, and what the report keeps of each document. A
    containment search decides copies without the text of the ``common`` (boilerplate)
    fingerprints, a rewrite search compares the 4-grams that are not common."""
    docs = parse_records(batch.records)
    cps = normalized_codepoints([doc.text for doc in docs], params)
    values, sizes = packed_shingle_sets(cps, params)
    sets = pieces_of(values, sizes)
    known = packed_overlap_rows(values, sizes, batch.pairs)

    def similarity(a: int, b: int) -> Overlap:
        return overlap(sets[a], sets[b])

    copied = rewritten = None
    if params.containment is not None and common is not None and common.fingerprints.size:
        copied = _containment_without(sets_without_boilerplate(cps, params, common.fingerprints))
    if params.rewrite is not None:
        rare = np.empty(0, dtype=np.uint32) if common is None else common.rewrite_shingles
        texts = [doc.text for doc in docs]
        rewritten = resemblance_of(texts, cps, params.normalize_options(), rare)
    found = verify_candidates(
        batch.pairs, similarity, params.threshold, batch.lengths, None, params.containment,
        copied, params.rewrite, rewritten, known,
    )
    nodes = batch.nodes
    node_ids = nodes.tolist()  # Python ints: indexing an array makes a numpy scalar each time
    infos = {  # the report describes only the documents in verified pairs
        node_ids[k]: DocumentInfo(docs[k].title, docs[k].source, len(docs[k].text), cps[k].size)
        for k in found.documents()
    }
    verified = Verified(
        nodes[found.pairs],
        batch.order[found.order],
        found.jaccard,
        found.a_in_b,
        found.b_in_a,
        found.rewrite,
        [
            (node_ids[rep], [(node_ids[m], sim) for m, sim in members])
            for rep, members in found.clusters
        ],
    )
    return VerifiedBatch(len(batch.pairs), verified, infos)


def packed_shingle_sets(cps: list[U32], params: Parameters) -> tuple[U32, I64]:
    """The shingle set of each normalized text (as :func:`shingle_sets` gives them), one
    after another, and their sizes: what the compiled merge of the pairs reads, without
    joining the sets again."""
    if params.unit == "char":
        return char_shingle_sets_packed(cps, params.ngram)
    sets = shingle_sets(cps, params)
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    return (np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)), sizes


def _containment_without(sets: list[U32]) -> Callable[[int, int], float]:
    """The containment of two documents by their sets without boilerplate."""

    def containment(a: int, b: int) -> float:
        return overlap(sets[a], sets[b]).containment

    return containment
