"""``find_duplicates``: the whole pipeline from documents to a verified report.

documents → normalize → shingle → minhash (in batches) → LSH candidates → exact verification
→ clusters → :class:`~neardup.report.DuplicateReport`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .cluster import components, representative
from .documents import Document, Skipped
from .errors import DuplicateIdError, InputError
from .lsh import Banding, band_keys, candidate_pairs
from .minhash import minhash_codepoints, minhash_hashes
from .normalize import NormalizeOptions, from_codepoints, normalize_codepoints
from .report import (
    Cluster,
    ClusterMember,
    Counts,
    DocumentInfo,
    DuplicateReport,
    Pair,
    Parameters,
)
from .shingle import word_ngram_hashes
from .verify import estimate_containment, estimate_jaccard, jaccard_containment

U32 = npt.NDArray[np.uint32]
BATCH = 2048

DocumentsInput = Iterable[Document] | Sequence[str] | Mapping[str, str] | Iterable[tuple[str, str]]


def as_documents(documents: object) -> Iterator[Document]:
    """Documents from any accepted input: Documents, strings (ids "0", "1", ...), a dict
    id → text, or (id, text) tuples."""
    if isinstance(documents, (str, bytes)):
        raise InputError("documents must be a collection of documents, not a single string")
    if isinstance(documents, Mapping):
        for key, text in documents.items():
            yield _checked(Document(str(key), text), key)
        return
    if not isinstance(documents, Iterable):
        raise InputError(f"documents must be iterable (got {type(documents).__name__})")
    for position, item in enumerate(documents):
        if isinstance(item, Document):
            yield _checked(item, position)
        elif isinstance(item, str):
            yield Document(str(position), item)
        elif isinstance(item, tuple) and len(item) == 2:
            yield _checked(Document(str(item[0]), item[1]), position)
        else:
            raise InputError(
                f"document {position}: expected a Document, a string or an (id, text) tuple, "
                f"got {type(item).__name__}"
            )


def _checked(doc: Document, where: object) -> Document:
    if not isinstance(doc.text, str):
        raise InputError(
            f"document {doc.id!r} (at {where!r}): text must be a string, "
            f"got {type(doc.text).__name__}"
        )
    return doc


@dataclass
class _Hashed:
    """What stays in memory per processed document."""

    ids: list[str] = field(default_factory=list)
    docs: list[Document] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    shingle_counts: list[int] = field(default_factory=list)
    signatures: list[U32] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    read: int = 0


def find_duplicates(
    documents: DocumentsInput,
    *,
    threshold: float = 0.7,
    ngram: int = 5,
    unit: str = "char",
    num_perm: int = 128,
    seed: int = 1,
    bands: int | None = None,
    verify: str = "exact",
    html: bool = False,
    markers: Sequence[str] | None = None,
) -> DuplicateReport:
    """Find every pair and cluster of near-duplicate documents.

    Args:
        documents: Documents, strings (ids "0", "1", ...), a dict id → text, or (id, text)
            tuples.
        threshold: minimum Jaccard similarity of shingle sets, in (0, 1].
        ngram: shingle size, in characters (``unit="char"``) or jieba words (``"word"``).
        unit: ``"char"`` or ``"word"``.
        num_perm: MinHash permutations.
        seed: permutation seed (as datasketch's).
        bands: LSH bands (must divide num_perm); chosen from the threshold when None.
        verify: ``"exact"`` (Jaccard of shingle sets) or ``"estimate"`` (from signatures).
        html: strip HTML tags and entities before normalizing.
        markers: regular expressions removed before normalizing (default: scraper markers).

    Returns:
        A report whose pairs all have ``jaccard >= threshold`` (exact unless
        ``verify="estimate"``).

    Raises:
        ParameterError: a parameter is out of range.
        DuplicateIdError: two documents share an id.
        InputError: an item is not a document.

    Example:
        >>> text = "今天天气很好，我们去公园散步吧"
        >>> report = find_duplicates([text, text + "！", "完全不同的一句话"])
        >>> [(p.a, p.b, p.jaccard) for p in report.pairs]
        [('0', '1', 1.0)]
    """
    started = time.perf_counter()
    extra = {} if markers is None else {"markers": tuple(markers)}
    params = Parameters(
        threshold=threshold,
        ngram=ngram,
        unit=unit,
        num_perm=num_perm,
        seed=seed,
        bands=bands,
        verify=verify,
        html=html,
        **extra,
    )
    hashed = _hash_all(as_documents(documents), params)
    sigs = (
        np.concatenate(hashed.signatures)
        if hashed.signatures
        else np.empty((0, params.num_perm), dtype=np.uint32)
    )
    banding = Banding(int(params.bands or 1), params.rows)
    candidates = candidate_pairs(band_keys(sigs, banding))
    sets = _SetCache(hashed.docs, params)
    pairs, edges = _verify(candidates, sigs, hashed, sets, params)
    clusters = _clusters(edges, sigs, hashed, sets, params)
    involved = {p.a for p in pairs} | {p.b for p in pairs}
    infos = {
        doc.id: DocumentInfo(doc.title, doc.source, len(doc.text))
        for doc in hashed.docs
        if doc.id in involved
    }
    counts = Counts(
        documents=hashed.read,
        processed=len(hashed.ids),
        skipped=len(hashed.skipped),
        candidates=int(candidates.shape[0]),
        pairs=len(pairs),
        clusters=len(clusters),
    )
    return DuplicateReport(
        parameters=params,
        pairs=pairs,
        clusters=clusters,
        skipped=hashed.skipped,
        counts=counts,
        verification=params.verify,
        seconds=time.perf_counter() - started,
        documents=infos,
    )


def _hash_all(documents: Iterator[Document], params: Parameters) -> _Hashed:
    out = _Hashed()
    seen: set[str] = set()
    duplicates: list[str] = []
    options = params.normalize_options()
    batch_docs: list[Document] = []
    batch_cps: list[U32] = []
    for doc in documents:
        out.read += 1
        if doc.id in seen:
            duplicates.append(doc.id)
            continue
        seen.add(doc.id)
        cps = normalize_codepoints(doc.text, options)[0]
        if cps.size == 0:
            reason = "empty document" if not doc.text.strip() else "empty after normalization"
            out.skipped.append(Skipped(doc.id, reason))
            continue
        batch_docs.append(doc)
        batch_cps.append(cps)
        if len(batch_docs) >= BATCH:
            _flush(batch_docs, batch_cps, params, out)
    _flush(batch_docs, batch_cps, params, out)
    if duplicates:
        raise DuplicateIdError(sorted(set(duplicates)))
    return out


def _flush(docs: list[Document], cps: list[U32], params: Parameters, out: _Hashed) -> None:
    if not docs:
        return
    sigs, counts = signatures_of_codepoints(cps, params)
    out.signatures.append(sigs)
    out.shingle_counts.extend(counts)
    out.ids.extend(d.id for d in docs)
    out.docs.extend(docs)
    out.lengths.extend(c.size for c in cps)
    docs.clear()
    cps.clear()


def signatures_of_codepoints(cps: list[U32], params: Parameters) -> tuple[U32, list[int]]:
    """Signatures of normalized code point arrays, and the shingle count (with repeats) of each."""
    if params.unit == "char":
        sigs = minhash_codepoints(cps, params.ngram, params.num_perm, params.seed)
        counts = [max(c.size - params.ngram + 1, 1) for c in cps]
        return sigs, counts
    hashes = [word_ngram_hashes(from_codepoints(c), params.ngram) for c in cps]
    return minhash_hashes(hashes, params.num_perm, params.seed), [h.size for h in hashes]


class _SetCache:
    """Shingle sets of documents, computed on first use (only candidates need them)."""

    def __init__(self, docs: list[Document], params: Parameters) -> None:
        self._docs = docs
        self._params = params
        self._options: NormalizeOptions = params.normalize_options()
        self._sets: dict[int, U32] = {}

    def __getitem__(self, index: int) -> U32:
        found = self._sets.get(index)
        if found is None:
            from .shingle import shingle_set

            text = from_codepoints(normalize_codepoints(self._docs[index].text, self._options)[0])
            found = shingle_set(text, self._params.ngram, self._params.unit)  # type: ignore[arg-type]
            self._sets[index] = found
        return found


def _similarity(
    i: int, j: int, sigs: U32, hashed: _Hashed, sets: _SetCache, params: Parameters
) -> tuple[float, float]:
    if params.verify == "exact":
        return jaccard_containment(sets[i], sets[j])
    jac = estimate_jaccard(sigs[i], sigs[j])
    return jac, estimate_containment(jac, hashed.shingle_counts[i], hashed.shingle_counts[j])


def _verify(
    candidates: npt.NDArray[np.int64],
    sigs: U32,
    hashed: _Hashed,
    sets: _SetCache,
    params: Parameters,
) -> tuple[list[Pair], list[tuple[int, int]]]:
    pairs: list[Pair] = []
    edges: list[tuple[int, int]] = []
    for i, j in candidates.tolist():
        jac, cont = _similarity(i, j, sigs, hashed, sets, params)
        if jac >= params.threshold:
            pairs.append(Pair(hashed.ids[i], hashed.ids[j], jac, cont))
            edges.append((i, j))
    return pairs, edges


def _clusters(
    edges: list[tuple[int, int]],
    sigs: U32,
    hashed: _Hashed,
    sets: _SetCache,
    params: Parameters,
) -> list[Cluster]:
    lengths = np.asarray(hashed.lengths, dtype=np.int64)
    clusters: list[Cluster] = []
    for group in components(len(hashed.ids), edges):
        rep = representative(group, lengths)
        members = tuple(
            ClusterMember(
                hashed.ids[m],
                1.0 if m == rep else _similarity(rep, m, sigs, hashed, sets, params)[0],
            )
            for m in group
        )
        clusters.append(Cluster(hashed.ids[rep], members))
    return clusters
