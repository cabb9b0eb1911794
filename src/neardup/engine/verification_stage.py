"""The local engine's verification stage: candidate pairs to verified pairs and clusters.

Exact verification re-reads the candidates' documents and runs in batches of whole candidate
components (:mod:`neardup.engine.component_batches`), in the worker processes when there are
several; verification by estimate compares the signatures the hashing stage kept. Both
verify and cluster with :func:`neardup.stages.verification.verify_candidates`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._types import I64, U32, ProgressHook, Verification
from ..core.similarity import Overlap, estimate_overlap
from ..io.documents import Document
from ..io.records import Fetched, LinesAt, RawLine
from ..parameters import Parameters
from ..report import DocumentInfo
from ..searches.modes import modes_for
from ..stages.verification import SetApart, Similarity, Verified, verify_candidates
from .component_batches import (
    ComponentBatch,
    VerifiedBatch,
    plan_component_batches,
    verify_component_batch,
)
from .hashing_stage import Processed
from .sources import TextSource
from .workers import Workers


def verify_all_candidates(
    verification: Verification,
    candidates: I64,
    hashed: Processed,
    source: TextSource,
    params: Parameters,
    workers: Workers,
    progress: ProgressHook | None,
    common: dict[str, U32],
    ranks: I64 | None = None,
) -> tuple[Verified, dict[int, DocumentInfo]]:
    """The verified pairs and clusters, and what the report keeps of the documents in them
    that were re-read (by processed-document index; none when verifying by estimate).
    ``common`` is what each search mode cut as boilerplate, by mode name (exact
    verification sets it aside where the mode's rule says); ``ranks`` choose the
    clusters' representatives (the largest, ties to the earliest; default: the longest)."""
    if ranks is None:
        ranks = np.asarray(hashed.lengths, dtype=np.int64)
    if verification == "estimate":
        return verify_by_estimate(candidates, hashed, params, progress, ranks), {}
    results: list[VerifiedBatch] = []
    for result in verify_exactly(candidates, hashed, source, params, workers, common, ranks):
        results.append(result)
        if progress:
            progress("verified", result.checked)
    infos = {node: info for result in results for node, info in result.infos.items()}
    return merged([result.verified for result in results]), infos


def verify_exactly(
    candidates: I64,
    hashed: Processed,
    source: TextSource,
    params: Parameters,
    workers: Workers,
    common: dict[str, U32],
    ranks: I64 | None = None,
) -> Iterator[VerifiedBatch]:
    """Exact verification, batch by batch: the main process reads each batch's records, and
    workers (or this process) verify it; the batches' results in order. ``ranks`` choose
    the clusters' representatives (default: the normalized lengths)."""
    if ranks is None:
        ranks = np.asarray(hashed.lengths, dtype=np.int64)
    batches = plan_component_batches(candidates, ranks)
    all_positions = np.array(hashed.positions, dtype=np.int64)
    calls = ((batch, params, common)
             for batch in with_records(batches, all_positions, source, READ_AHEAD))
    here = workers.count == 1 or len(batches) <= 1
    for batch, result in zip(batches, workers.map(verify_component_batch, calls, here=here),
                             strict=True):
        batch.records = []  # verified (results come in order): its documents can go
        yield result


READ_AHEAD = 256_000_000
"""Characters of the documents as read (markup included; bytes of a raw JSON line) fetched
in one read of the input. A compressed JSON Lines file is decompressed from its start, and
a Parquet file's row groups are read whole, for each fetch: the batches are fetched
together, about 80,000 Chinese documents of 1,000 characters a read (3 bytes a character in
JSON), not one read of the file each (hundreds, at a million documents); what one read
holds is what the verification keeps in memory ahead of the batches: 256 MB of raw lines,
or up to twice that of Chinese text read from Parquet (two bytes a character in Python);
plain JSON Lines are read line by line from their offsets, whatever this is."""

FIRST_GUESS = 4.0
"""Characters read per character of normalized text assumed until a fetch tells (each
fetch measures it: HTML pages hold several times their text)."""


def with_records(
    batches: list[ComponentBatch], positions: I64, source: TextSource, read_ahead: int
) -> Iterator[ComponentBatch]:
    """The batches with their records, fetched for as many consecutive batches at once as
    hold about ``read_ahead`` characters as read (one batch at least), estimated from their
    normalized lengths and the ratio of the last fetch; ``positions``: each processed
    document's position in the source."""
    group: list[ComponentBatch] = []
    normalized = 0
    ratio = FIRST_GUESS
    for k, batch in enumerate(batches):
        group.append(batch)
        normalized += int(batch.lengths.sum())
        if normalized * ratio < read_ahead and k + 1 < len(batches):
            continue
        records = source.records_at(np.concatenate([positions[b.nodes] for b in group]))
        read, of = characters_read(records, np.concatenate([b.lengths for b in group]))
        if of:
            ratio = max(1.0, read / of)
        start = 0
        for member in group:
            member.records = records[start : start + member.nodes.size]
            start += member.nodes.size
            yield member
        del records  # held by the batches until each is verified, not by the next read
        group, normalized = [], 0


def characters_read(records: list[Fetched] | LinesAt, lengths: I64) -> tuple[int, int]:
    """The characters (bytes of a raw JSON line) of the records held in memory, and the
    normalized ``lengths`` of those records: none of lines to be read later by offset."""
    if isinstance(records, LinesAt):
        return 0, 0
    read = of = 0
    for record, length in zip(records, lengths.tolist(), strict=True):
        if isinstance(record, RawLine):
            read += len(record.data)
        elif isinstance(record, Document):
            read += len(record.text)
        else:
            continue
        of += length
    return read, of


def merged(parts: list[Verified]) -> Verified:
    """The batches' results as one, pairs in candidate order and clusters by first member."""
    if not parts:
        return Verified.nothing()
    order = np.concatenate([part.order for part in parts])
    by_candidate = np.argsort(order, kind="stable")
    return Verified(
        np.concatenate([part.pairs for part in parts])[by_candidate],
        order[by_candidate],
        np.concatenate([part.jaccard for part in parts])[by_candidate],
        np.concatenate([part.a_in_b for part in parts])[by_candidate],
        np.concatenate([part.b_in_a for part in parts])[by_candidate],
        sorted((c for part in parts for c in part.clusters), key=lambda c: c[1][0][0]),
        {
            name: np.concatenate([part.recorded[name] for part in parts])[by_candidate]
            for name in parts[0].recorded
        },
        _merged_reasons(parts, by_candidate),
        _merged_apart(parts),
    )


def _merged_reasons(parts: list[Verified], by_candidate: I64) -> list[str] | None:
    """The batches' reasons (a judge's) in candidate order (None: no judge)."""
    if parts[0].reasons is None:
        return None
    reasons = [reason for part in parts for reason in (part.reasons or [])]
    return [reasons[k] for k in by_candidate.tolist()]


def _merged_apart(parts: list[Verified]) -> SetApart | None:
    """The batches' pairs set apart as one, in candidate order (None: no judge)."""
    aparts = [part.apart for part in parts if part.apart is not None]
    if not aparts:
        return None
    order = np.concatenate([apart.order for apart in aparts])
    by_candidate = np.argsort(order, kind="stable")
    reasons = [reason for apart in aparts for reason in apart.reasons]
    return SetApart(
        np.concatenate([apart.pairs for apart in aparts]).reshape(-1, 2)[by_candidate],
        order[by_candidate],
        np.concatenate([apart.jaccard for apart in aparts])[by_candidate],
        np.concatenate([apart.a_in_b for apart in aparts])[by_candidate],
        np.concatenate([apart.b_in_a for apart in aparts])[by_candidate],
        {
            name: np.concatenate([apart.recorded[name] for apart in aparts])[by_candidate]
            for name in aparts[0].recorded
        },
        [reasons[k] for k in by_candidate.tolist()],
    )


def verify_by_estimate(
    candidates: I64, hashed: Processed, params: Parameters, progress: ProgressHook | None,
    ranks: I64 | None = None,
) -> Verified:
    """Verification by the MinHash estimates of the signatures (no text is read)."""

    def checked(n: int) -> None:
        if progress:
            progress("verified", n)

    if ranks is None:
        ranks = np.asarray(hashed.lengths, dtype=np.int64)
    rules = [rule for mode in modes_for(params) if (rule := mode.rule(params, None))]
    return verify_candidates(
        candidates, estimated_similarity(hashed), params.threshold, ranks, rules, checked
    )


def estimated_similarity(hashed: Processed) -> Similarity:
    """The estimated overlap of two processed documents, from their signatures and shingle
    counts."""
    counts = hashed.shingle_counts

    def similarity(i: int, j: int) -> Overlap:
        signature = hashed.signature
        return estimate_overlap(signature(i), signature(j), counts[i], counts[j])

    return similarity
