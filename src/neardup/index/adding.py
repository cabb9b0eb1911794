"""Documents to the rows the index writes: read once, in chunks, normalized, hashed, encoded.

:func:`rows_to_add` reads the documents through an :class:`~neardup.stages.intake.Intake` and
yields chunks of ``batch_size`` documents (or :data:`~neardup.stages.hashing.BATCH_CHARS`
characters) as :class:`~neardup.index.tables.Rows`. Once the batch has failed (a repeated or
an already indexed id) the chunks carry only ids, so that every offending id is named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..core.lsh import band_keys
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..stages.hashing import BATCH_CHARS, nonempty_documents, signatures_of_codepoints
from ..stages.intake import Intake
from .tables import Rows, band_triples, compress_text


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
) -> Iterator[Rows]:
    """Chunks of documents, normalized and hashed, ready to be written."""
    docs: list[Document] = []
    chars = 0
    for item in as_documents(documents):
        doc = adding.intake.take(item)
        if doc is None:
            continue
        docs.append(doc)
        chars += len(doc.text)
        if len(docs) >= batch_size or chars >= BATCH_CHARS:
            yield _rows(docs, adding, parameters, store_text)
            docs, chars = [], 0
    if docs:
        yield _rows(docs, adding, parameters, store_text)


def _rows(docs: list[Document], adding: Adding, parameters: Parameters, store_text: bool) -> Rows:
    """The documents' ``docs`` rows and band triples (written in primary-key order)."""
    if adding.failed:  # only ids are checked
        return Rows([d.id for d in docs], [], "")
    docs, cps, empty = nonempty_documents(docs, parameters)
    for skipped in empty:
        adding.intake.set_aside(adding.intake.read, skipped)
    sigs, counts = signatures_of_codepoints(cps, parameters)
    sigs = sigs.astype("<u4", copy=False)
    rows = [
        (
            doc.id,
            doc.title,
            doc.source,
            len(doc.text),
            count,
            sig.tobytes(),
            compress_text(c) if store_text else None,
        )
        for doc, c, count, sig in zip(docs, cps, counts, sigs, strict=True)
    ]
    bands, flat_keys, offsets = band_triples(band_keys(sigs, parameters.banding))
    order = np.lexsort((offsets, flat_keys, bands))  # written in primary-key order
    triples = np.stack([bands[order], flat_keys[order], offsets[order]], axis=1)
    return Rows([d.id for d in docs], rows, json.dumps(triples.tolist(), separators=(",", ":")))
