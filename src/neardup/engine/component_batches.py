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
from dataclasses import dataclass, field, replace

import numpy as np

from .._types import I64, U32
from ..core.arrays import pieces_of, starts_of
from ..core.clusters import components
from ..core.kernels import kernel_name
from ..core.normalize import codepoints, from_codepoints, normalize_packed, packed_codepoints
from ..core.shingles import char_shingle_sets_packed
from ..core.similarity import Overlap, overlap, packed_overlap_rows
from ..io.jsonl_fields import read_fields
from ..io.records import Fetched, LinesAt, parse_line_at, parse_records, read_lines_at
from ..parameters import Parameters
from ..report import DocumentInfo
from ..searches.modes import modes_for
from ..searches.protocol import ComparedTexts
from ..stages.hashing import shingle_sets
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
    batch: ComponentBatch, params: Parameters, common: dict[str, U32] | None = None
) -> VerifiedBatch:
    """Exact overlap of the batch's pairs (those the accept rule of a search mode asked for
    accepts kept, :mod:`neardup.searches`), its clusters with each member's Jaccard to the
    representative, and what the report keeps of each document. ``common`` is what each
    mode's candidate stage cut as boilerplate (by mode name), which its rule sets aside."""
    docs = read_back(batch.records)
    options = params.normalize_options()
    cps = pieces_of(*normalize_packed(docs.codepoints, docs.lengths, options))
    values, sizes = packed_shingle_sets(cps, params)
    sets = pieces_of(values, sizes)
    known = packed_overlap_rows(values, sizes, batch.pairs)

    def similarity(a: int, b: int) -> Overlap:
        return overlap(sets[a], sets[b])

    compared = ComparedTexts(list(range(len(cps))), cps, common or {}, docs.texts)
    modes = modes_for(params)
    rules = [rule for mode in modes if (rule := mode.rule(params, compared))]
    judges = [judge for mode in modes if (judge := mode.judge(params, compared))]
    found = verify_candidates(
        batch.pairs, similarity, params.threshold, batch.lengths, rules, None, known, judges
    )
    nodes = batch.nodes
    node_ids = nodes.tolist()  # Python ints: indexing an array makes a numpy scalar each time
    infos = {  # the report describes only the documents in verified pairs
        node_ids[k]: DocumentInfo(docs.titles[k], docs.source(k), int(docs.lengths[k]), cps[k].size)
        for k in found.documents()
    }
    verified = Verified(
        nodes[found.pairs],
        batch.order[found.order],
        found.jaccard,
        found.a_in_b,
        found.b_in_a,
        [
            (node_ids[rep], [(node_ids[m], sim) for m, sim in members])
            for rep, members in found.clusters
        ],
        found.recorded,
        found.reasons,
        None if found.apart is None else replace(
            found.apart, pairs=nodes[found.apart.pairs], order=batch.order[found.apart.order]
        ),
    )
    return VerifiedBatch(len(batch.pairs), verified, infos)


@dataclass
class ReadBack:
    """A batch's documents read again, as verification needs them."""

    codepoints: U32
    """The original texts' code points, one text after another."""
    lengths: I64
    titles: list[str | None]
    source: Callable[[int], str | None]
    """Where document k is, for the report."""

    def texts(self) -> list[str]:
        """The original texts."""
        return [from_codepoints(piece) for piece in pieces_of(self.codepoints, self.lengths)]


def read_back(records: list[Fetched] | LinesAt) -> ReadBack:
    """The documents of a batch's records. Lines of uncompressed files are read straight
    into code points by the compiled reader when numba is loaded
    (:func:`~neardup.io.jsonl_fields.read_fields`), and parsed as JSON otherwise.

    Raises:
        InputError: a line no longer holds a document (its file changed since it was read).
    """
    if not isinstance(records, LinesAt) or kernel_name() != "numba":
        docs = parse_records(records)
        flat, lengths = packed_codepoints([doc.text for doc in docs])
        return ReadBack(flat, lengths, [doc.title for doc in docs], lambda k: docs[k].source)
    raw = read_lines_at(records)
    bounds = starts_of(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)))
    found = read_fields(b"".join(raw), bounds, *records.fields)
    titles, lengths = found.titles, found.lengths.copy()
    pieces = pieces_of(found.codepoints, found.lengths)
    parsed = np.flatnonzero(~found.read).tolist()
    for k in parsed:  # what the reader left to the JSON parser
        doc = parse_line_at(records, k, raw[k])
        pieces[k], lengths[k], titles[k] = codepoints(doc.text), len(doc.text), doc.title
    flat = np.concatenate(pieces) if parsed and pieces else found.codepoints
    return ReadBack(flat, lengths, titles, records.source)


def packed_shingle_sets(cps: list[U32], params: Parameters) -> tuple[U32, I64]:
    """The shingle set of each normalized text (as :func:`shingle_sets` gives them), one
    after another, and their sizes: what the compiled merge of the pairs reads, without
    joining the sets again."""
    if params.unit == "char":
        return char_shingle_sets_packed(cps, params.ngram)
    sets = shingle_sets(cps, params)
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    return (np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)), sizes
