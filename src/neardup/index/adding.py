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

from ..core.arrays import pieces_of
from ..core.lsh import band_keys
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..searches.containment import winnowed
from ..stages.hashing import BATCH_CHARS, nonempty_documents, signatures_of_codepoints
from ..stages.intake import Intake
from .statements import Rows, band_triples, compress_text, encode_fingerprints, stored_fingerprints


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
) -> Iterator[Rows]:
    """Chunks of documents, normalized and hashed (with their fingerprints when
    ``fingerprints``), ready to be written."""
    docs: list[Document] = []
    chars = 0
    for item in as_documents(documents):
        doc = adding.intake.take(item)
        if doc is None:
            continue
        docs.append(doc)
        chars += len(doc.text)
        if len(docs) >= batch_size or chars >= BATCH_CHARS:
            yield _rows(docs, adding, parameters, store_text, fingerprints)
            docs, chars = [], 0
    if docs:
        yield _rows(docs, adding, parameters, store_text, fingerprints)


def _rows(
    docs: list[Document],
    adding: Adding,
    parameters: Parameters,
    store_text: bool,
    fingerprints: bool,
) -> Rows:
    """The documents' ``docs`` rows, band triples and fingerprint pairs (both written in
    primary-key order)."""
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
        )
        for doc, c, count, sig, fingerprint_list in zip(docs, cps, counts, sigs, lists, strict=True)
    ]
    bands, flat_keys, offsets = band_triples(band_keys(sigs, parameters.banding))
    order = np.lexsort((offsets, flat_keys, bands))  # written in primary-key order
    triples = np.stack([bands[order], flat_keys[order], offsets[order]], axis=1)
    owners = np.repeat(np.arange(len(docs), dtype=np.int64), per_doc)
    order = np.lexsort((owners, stored_fingerprints(values)))  # written in primary-key order
    codes = (owners[order] << 32) | values[order].astype(np.int64)
    return Rows(
        [d.id for d in docs],
        rows,
        json.dumps(triples.tolist(), separators=(",", ":")),
        json.dumps(codes.tolist(), separators=(",", ":")),
    )
