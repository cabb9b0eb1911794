"""Hashing, as every engine does it: texts to normalized code points, signatures, band keys
and shingle counts, and the shingle sets that verification compares.

The local engine's hashing stage (:mod:`neardup.engine.hashing_stage`) runs :func:`hash_packed` in
its worker processes; the index and Spark call the same functions, so that the same
documents get the same signatures, band keys and shingle sets in each. Pure: arrays in,
arrays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .._types import I64, U32, U64
from ..core.arrays import pieces_of, sorted_unique
from ..core.exact import text_digests
from ..core.fingerprints import boilerplate_mask, winnow, winnow_flat
from ..core.lsh import band_keys
from ..core.minhash import minhash_codepoints, minhash_flat, minhash_hashes
from ..core.normalize import (
    codepoints,
    fold_packed,
    from_codepoints,
    map_packed,
    normalize_many,
    strip_packed,
)
from ..core.rewrites import rewrite_shingles
from ..core.shingles import char_shingle_sets, ngram_hashes, shingle_set, word_ngram_hashes
from ..io.documents import Document
from ..parameters import Parameters
from ..report import Skipped
from .intake import skip_reason

BATCH_DOCS = 2048
"""Documents per hashing batch (at most)."""
BATCH_CHARS = 2_000_000
"""Characters (or bytes of JSON lines) per hashing batch (at most, unless one is larger)."""



class HashedBatch(NamedTuple):
    """A hashed batch of documents."""

    signatures: U32
    keys: U64
    """LSH band keys, one row per document."""
    lengths: I64
    """Normalized lengths."""
    shingle_counts: I64
    """Shingles of each document, with repeats."""
    fingerprints: U32
    """Each document's winnowed fingerprints, concatenated (none unless the parameters ask
    for a containment search)."""
    fingerprint_counts: I64
    """How many fingerprints each document has."""
    rewrite_shingles: U32
    """Each document's distinct 4-gram hashes, concatenated (none unless the parameters ask
    for a rewrite search)."""
    rewrite_counts: I64
    """How many of them each document has."""
    digests: U64
    """Each normalized text's 128-bit digest, shape (n, 2): identical texts share it
    (:mod:`neardup.core.exact`)."""

def normalized_codepoints(texts: Sequence[str], params: Parameters) -> list[U32]:
    """Each text normalized as ``params`` ask, as an array of code points."""
    if not texts:
        return []
    flat, lengths = normalize_many(texts, params.normalize_options())
    return pieces_of(flat, lengths)


def nonempty_documents(
    docs: Sequence[Document], params: Parameters
) -> tuple[list[Document], list[U32], list[Skipped]]:
    """The documents with something left after normalization and their normalized code
    points; the others as skipped, with the reason."""
    kept: list[Document] = []
    kept_cps: list[U32] = []
    skipped: list[Skipped] = []
    for doc, cps in zip(docs, normalized_codepoints([d.text for d in docs], params), strict=True):
        if cps.size:
            kept.append(doc)
            kept_cps.append(cps)
        else:
            skipped.append(Skipped(doc.id, skip_reason(doc.text)))
    return kept, kept_cps, skipped


def shingle_sets(cps: Sequence[U32], params: Parameters) -> list[U32]:
    """The shingle set (sorted unique uint32 hashes, as :func:`~neardup.shingle_set` gives
    it) of each normalized text, given as code points."""
    if params.unit == "char":
        return char_shingle_sets(cps, params.ngram)
    return [shingle_set(from_codepoints(c), params.ngram, params.unit) for c in cps]


def signatures_of_codepoints(cps: list[U32], params: Parameters) -> tuple[U32, list[int]]:
    """Signatures of normalized code point arrays, and the shingle count (with repeats) of each."""
    if params.unit == "char":
        sigs = minhash_codepoints(cps, params.ngram, params.num_perm, params.seed)
        counts = [max(c.size - params.ngram + 1, 1) if c.size else 0 for c in cps]
        return sigs, counts
    hashes = [word_ngram_hashes(from_codepoints(c), params.ngram) for c in cps]
    return minhash_hashes(hashes, params.num_perm, params.seed), [h.size for h in hashes]


def hash_batch(texts: Sequence[str], params: Parameters) -> HashedBatch:
    """Signatures and band keys of a batch of original texts, their normalized lengths and
    shingle counts (with repeats).

    What the hashing stage does to each batch, the same in the main process and in workers.
    """
    joined = "".join(texts)
    sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return hash_packed(codepoints(joined), sizes, params, joined=joined)


def hash_packed(cps: U32, sizes: I64, params: Parameters, joined: str | None = None) -> HashedBatch:
    """:func:`hash_batch` of texts packed as their concatenated code points and lengths (what
    workers receive: one array, not a pickled string per document); ``joined``: the same
    texts as one string, when the caller has it.

    Without folding, character n-gram signatures come from the same pass as the
    normalization (:func:`~neardup.core.normalize.map_packed`) when the numba kernel is there.
    """
    options = params.normalize_options()
    fused = params.unit == "char" and options.script is None and not options.synonyms
    stripped, sizes = strip_packed(cps, sizes, options, joined)
    sign = (params.ngram, params.num_perm, params.seed) if fused else None
    flat, lengths, sigs = map_packed(stripped, sizes, sign)
    flat, lengths = fold_packed(flat, lengths, options)
    if params.unit == "char":
        if sigs is None:
            sigs = minhash_flat(flat, lengths, params.ngram, params.num_perm, params.seed)
        ngram = params.ngram
        counts = np.where(lengths >= ngram, lengths - ngram + 1, np.minimum(lengths, 1))
    else:
        sigs, word_counts = signatures_of_codepoints(pieces_of(flat, lengths), params)
        counts = np.asarray(word_counts, dtype=np.int64)
    keys = np.asfortranarray(band_keys(sigs, params.banding))  # bands are read column by column
    return HashedBatch(
        sigs, keys, lengths, counts, *fingerprints_of(flat, lengths, params),
        *rewrite_shingles_of(flat, lengths, params),
        text_digests(flat, lengths),
    )


def fingerprints_of(flat: U32, lengths: I64, params: Parameters) -> tuple[U32, I64]:
    """The winnowed fingerprints of normalized texts (concatenated code points and their
    lengths), concatenated, and how many each text has; none unless ``params`` ask for a
    containment search."""
    if params.containment is None:
        return np.empty(0, dtype=np.uint32), np.zeros(lengths.size, dtype=np.int64)
    return winnowed_fingerprints(flat, lengths, params)


def rewrite_shingles_of(flat: U32, lengths: I64, params: Parameters) -> tuple[U32, I64]:
    """:func:`~neardup.core.rewrites.rewrite_shingles` of normalized texts; none unless
    ``params`` ask for a rewrite search."""
    if params.rewrite is None:
        return np.empty(0, dtype=np.uint32), np.zeros(lengths.size, dtype=np.int64)
    return rewrite_shingles(flat, lengths)


def winnowed_fingerprints(flat: U32, lengths: I64, params: Parameters) -> tuple[U32, I64]:
    """:func:`fingerprints_of`, whether or not ``params`` ask for a containment search (an
    index keeps them for the searches to come)."""
    if params.unit == "char":
        return winnow_flat(flat, lengths, params.ngram)
    per_text = [
        winnow(word_ngram_hashes(from_codepoints(c), params.ngram))
        for c in pieces_of(flat, lengths)
    ]
    counts = np.fromiter((f.size for f in per_text), dtype=np.int64, count=len(per_text))
    values = np.concatenate(per_text) if per_text else np.empty(0, dtype=np.uint32)
    return values.astype(np.uint32), counts


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
