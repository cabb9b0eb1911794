"""Hashing, as every engine does it: texts to normalized code points, signatures, shingle
counts and digests, the arrays each search mode asks for (band keys, fingerprints, ...), and
the shingle sets that verification compares.

The local engine's hashing stage (:mod:`neardup.engine.hashing_stage`) runs :func:`hash_packed` in
its worker processes; the index and Spark call the same functions, so that the same
documents get the same signatures, band keys and shingle sets in each. Pure: arrays in,
arrays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from .._types import I64, U32, U64
from ..core.arrays import pieces_of
from ..core.exact import text_digests
from ..core.minhash import minhash_codepoints, minhash_flat, minhash_hashes
from ..core.normalize import (
    codepoints,
    fold_packed,
    from_codepoints,
    map_packed,
    normalize_many,
    strip_packed,
)
from ..core.shingles import char_shingle_sets, shingle_set, word_ngram_hashes
from ..io.documents import Document
from ..parameters import Parameters
from ..report import Skipped
from ..searches.modes import modes_for
from ..searches.protocol import Packed, PerDocument
from .intake import skip_reason

BATCH_DOCS = 2048
"""Documents per hashing batch (at most)."""
BATCH_CHARS = 2_000_000
"""Characters (or bytes of JSON lines) per hashing batch (at most, unless one is larger)."""


@dataclass
class HashedBatch:
    """A hashed batch of documents: what every search needs of each, and what each search
    mode asked for keeps (:meth:`~neardup.searches.protocol.SearchMode.hash`)."""

    signatures: U32
    lengths: I64
    """Normalized lengths."""
    shingle_counts: I64
    """Shingles of each document, with repeats."""
    digests: U64
    """Each normalized text's 128-bit digest, shape (n, 2): identical texts share it
    (:mod:`neardup.core.exact`)."""
    searched: dict[str, PerDocument]
    """Each search mode's arrays, by mode name (:func:`~neardup.searches.modes.modes_for`)."""

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every array of the batch by name, each mode's as ``mode.field`` (to compare two
        batches)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "searched"}
        for mode, arrays in self.searched.items():
            out.update({f"{mode}.{f.name}": getattr(arrays, f.name) for f in fields(arrays)})
        return out

    def of(self, mode: str) -> PerDocument:
        """The arrays of ``mode`` (:class:`~neardup.searches.protocol.Packed` with none for
        each document when the parameters did not ask for it)."""
        found = self.searched.get(mode)
        return Packed.none(self.lengths.size) if found is None else found


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
    """Signatures of a batch of original texts, their normalized lengths, shingle counts
    (with repeats) and digests, and the arrays of each search mode asked for.

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
    searched = {mode.name: mode.hash(flat, lengths, sigs, params) for mode in modes_for(params)}
    return HashedBatch(sigs, lengths, counts, text_digests(flat, lengths), searched)
