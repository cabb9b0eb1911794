"""Documents to the rows the index writes: read once, in chunks, normalized, hashed (and,
from format 2 on, winnowed), encoded.

:func:`rows_to_add` reads the documents through an :class:`~neardup.stages.intake.Intake` and
yields chunks of ``batch_size`` documents (or :data:`~neardup.stages.hashing.BATCH_CHARS`
characters) as :class:`~neardup.index.statements.Rows`. Once the batch has failed (a repeated or
an already indexed id) the chunks carry only ids, so that every offending id is named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .._types import I64, U32
from ..core.arrays import pieces_of
from ..core.formula import NGRAM, sampled
from ..core.lsh import band_keys
from ..core.rewrites import rewrite_shingles
from ..core.shingles import char_shingle_sets
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..searches.containment import winnowed
from ..searches.rewritten_copies import normalized_sentences
from ..stages.hashing import BATCH_CHARS, nonempty_documents, signatures_of_codepoints
from ..stages.intake import Intake
from .statements import (
    Rows,
    band_triples,
    compress_string,
    compress_text,
    encode_fingerprints,
    stored_fingerprints,
)


@dataclass
class Adding:
    """What an addition found while reading, and whether to stop hashing."""

    intake: Intake = field(default_factory=lambda: Intake(skip_blank=False))
    existing: list[str] = field(default_factory=list)
    """Ids already indexed (an error unless replacing)."""

    @property
    def failed(self) -> bool:
        """The addition has failed (a repeated or an already indexed id): hash nothing
        more, only look for more offending ids."""
        return bool(self.intake.repeated or self.existing)


def rows_to_add(
    documents: object,
    batch_size: int,
    adding: Adding,
    parameters: Parameters,
    store_text: bool,
    fingerprints: bool,
    copies: bool = False,
    originals: bool = False,
) -> Iterator[Rows]:
    """Chunks of documents, normalized and hashed (with their fingerprints when
    ``fingerprints``, and with ``copies`` the columns and rows of format 3: with
    ``store_text`` their sampled shingles, 4-grams and normalized sentences; with
    ``originals`` and ``store_text``, their texts as given, format 4), ready to be
    written."""
    hashing = _Hashing(parameters, store_text, fingerprints, copies, originals)
    docs: list[Document] = []
    chars = 0
    for item in as_documents(documents):
        doc = adding.intake.take(item)
        if doc is None:
            continue
        docs.append(doc)
        chars += len(doc.text)
        if len(docs) >= batch_size or chars >= BATCH_CHARS:
            yield _rows(docs, adding, hashing)
            docs, chars = [], 0
    if docs:
        yield _rows(docs, adding, hashing)


@dataclass(frozen=True)
class _Hashing:
    """What the rows of an addition hold."""

    parameters: Parameters
    store_text: bool
    fingerprints: bool
    copies: bool
    originals: bool = False


def _rows(docs: list[Document], adding: Adding, hashing: _Hashing) -> Rows:
    """The documents' ``docs`` rows, band triples and fingerprint pairs (both written in
    primary-key order), and in format 3 their sampled shingle and 4-gram pairs."""
    parameters, store_text, fingerprints = (hashing.parameters, hashing.store_text,
                                            hashing.fingerprints)
    if adding.failed:  # only ids are checked
        return Rows([d.id for d in docs], [], "")
    docs, cps, empty = nonempty_documents(docs, parameters)
    for skipped in empty:
        adding.intake.set_aside(adding.intake.read, skipped)
    sigs, counts = signatures_of_codepoints(cps, parameters)
    sigs = sigs.astype("<u4", copy=False)
    if fingerprints:
        values, per_doc = winnowed(cps, parameters)
        lists: list[tuple[bytes, ...]] = [
            (encode_fingerprints(f),) for f in (pieces_of(values, per_doc) if docs else [])
        ]
    else:
        values, per_doc = np.empty(0, dtype=np.uint32), np.zeros(len(docs), dtype=np.int64)
        lists = [()] * len(docs)
    judged = _copies_columns(docs, cps, hashing)
    rows = [
        (
            doc.id,
            doc.title,
            doc.source,
            len(doc.text),
            count,
            sig.tobytes(),
            *fingerprint_list,
            compress_text(c) if store_text else None,
            *columns,
            *((compress_string(doc.text) if store_text else None,) if hashing.originals
              else ()),
        )
        for doc, c, count, sig, fingerprint_list, columns in zip(
            docs, cps, counts, sigs, lists, judged.columns, strict=True
        )
    ]
    bands, flat_keys, offsets = band_triples(band_keys(sigs, parameters.banding))
    order = np.lexsort((offsets, flat_keys, bands))  # written in primary-key order
    triples = np.stack([bands[order], flat_keys[order], offsets[order]], axis=1)
    return Rows(
        [d.id for d in docs],
        rows,
        json.dumps(triples.tolist(), separators=(",", ":")),
        _pairs_json(values, per_doc),
        judged.sampled,
        judged.grams,
    )


@dataclass
class _CopiesColumns:
    """Format 3's ``docs`` columns of each document (none before), and its ``sampled`` and
    ``grams`` rows as JSON."""

    columns: list[tuple[object, ...]]
    sampled: str = "[]"
    grams: str = "[]"


def _copies_columns(docs: list[Document], cps: list[U32], hashing: _Hashing) -> _CopiesColumns:
    """The normalized sentences, sampled shingles and 4-grams of the documents, as format 3
    keeps them (only with texts: the copies judgement and the rewrite search verify on
    them)."""
    if not hashing.copies:
        return _CopiesColumns([()] * len(docs))
    if not hashing.store_text or not docs:
        return _CopiesColumns([(None, 0, 0)] * len(docs))
    lengths = np.fromiter((c.size for c in cps), dtype=np.int64, count=len(cps))
    flat = np.concatenate(cps)
    sampled, sampled_counts = sampled_sets(cps)
    grams, gram_counts = rewrite_shingles(flat, lengths)
    sentences = normalized_sentences([d.text for d in docs],
                                     hashing.parameters.normalize_options())
    columns: list[tuple[object, ...]] = [
        (compress_string(joined), int(n_sampled), int(n_grams))
        for joined, n_sampled, n_grams in zip(
            sentences, sampled_counts.tolist(), gram_counts.tolist(), strict=True
        )
    ]
    return _CopiesColumns(columns, _pairs_json(sampled, sampled_counts),
                          _pairs_json(grams, gram_counts))


def sampled_sets(cps: list[U32]) -> tuple[U32, I64]:
    """:func:`~neardup.core.formula.sampled_shingles` of normalized texts (the same values,
    ``tests/test_index_copies.py``), from their sort-based shingle sets: ``sampled_shingles``
    takes a hash-based ``unique`` per text, a third of an addition's time."""
    sets = [s[sampled(s)] if c.size >= NGRAM else s[:0]
            for s, c in zip(char_shingle_sets(cps, NGRAM), cps, strict=True)]
    counts = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
    return values.astype(np.uint32, copy=False), counts


def _pairs_json(values: U32, per_doc: I64) -> str:
    """(document's offset, value) pairs as one flat JSON array of ``offset << 32 | value``,
    in the primary-key order of the tables (value as signed int32, then document)."""
    owners = np.repeat(np.arange(per_doc.size, dtype=np.int64), per_doc)
    order = np.lexsort((owners, stored_fingerprints(values)))
    codes = (owners[order] << 32) | values[order].astype(np.int64)
    return json.dumps(codes.tolist(), separators=(",", ":"))
