"""The index's ``docs`` and ``bands`` tables: every statement on them, and how values are
stored in them (texts as zlib of UTF-8, signatures as little-endian uint32).

The tables are specified in :mod:`neardup.index`; transactions are the caller's
(:class:`~neardup.index.file.Transaction`), except for :meth:`Tables.lookup`, which reads in
one of its own.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._types import I64, U32, U64
from ..core.lsh import Banding, band_keys
from ..core.normalize import from_codepoints
from ..errors import IndexFileError
from .file import rollback

_IDS_PER_STATEMENT = 500
"""Ids (or doc numbers) bound to one ``IN (...)`` statement."""


@dataclass
class StoredDocument:
    """An indexed document met by a query."""

    doc: int
    id: str
    title: str | None
    source: str | None
    length: int
    shingles: int
    signature: bytes  # raw; decoded only for estimates
    text: bytes | None


@dataclass(frozen=True)
class Rows:
    """Documents ready to write: ids, ``docs`` rows (without doc number), and their band
    triples ``[band, key, offset]`` as one JSON array (the offset counts the documents).

    ``rows`` is empty when only the ids are checked (the batch has already failed).
    """

    ids: list[str]
    rows: list[tuple[Any, ...]]
    band_json: str


class Tables:
    """The ``docs`` and ``bands`` tables of the open index file ``path`` (which errors
    name)."""

    def __init__(self, db: sqlite3.Connection, path: str, num_perm: int, banding: Banding):
        self._db = db
        self.path = path
        self._num_perm = num_perm
        self._banding = banding

    def count(self) -> int:
        """Indexed documents."""
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def band_rows(self) -> int:
        """Rows of the ``bands`` table."""
        return int(self._db.execute("SELECT count(*) FROM bands").fetchone()[0])

    def has(self, doc_id: str) -> bool:
        """Whether a document of this id is indexed."""
        found = self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return found is not None

    def ids(self) -> list[str]:
        """The indexed document ids, in the order they were added."""
        return [row[0] for row in self._db.execute("SELECT id FROM docs ORDER BY doc")]

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The stored normalized texts of these documents (those that have one)."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids), _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for doc_id, blob in self._db.execute(
                f"SELECT id, text FROM docs WHERE id IN ({marks}) AND text IS NOT NULL", chunk
            ):
                out[doc_id] = decompress_text(blob, self.path, doc_id)
        return out

    def next_doc(self) -> int:
        """The doc number of the next document added."""
        return int(self._db.execute("SELECT coalesce(max(doc), 0) FROM docs").fetchone()[0]) + 1

    def existing(self, ids: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        """id → (doc number, signature) of those of ``ids`` that are indexed."""
        found: dict[str, tuple[int, bytes]] = {}
        for chunk in _chunks(list(ids), _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for doc_id, doc, sig in self._db.execute(
                f"SELECT id, doc, signature FROM docs WHERE id IN ({marks})", chunk
            ):
                found[doc_id] = (doc, sig)
        return found

    def insert(self, rows: Rows, first_doc: int) -> None:
        """Write documents, numbered from ``first_doc``, and their band rows."""
        self._db.executemany(
            "INSERT INTO docs (doc, id, title, source, length, shingles, signature, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((first_doc + k, *row) for k, row in enumerate(rows.rows)),
        )
        # One statement per chunk: [band, key, offset] triples, parsed by SQLite's json_each
        # (much less per-row overhead than executemany).
        self._db.execute(
            "INSERT INTO bands (band, key, doc) "
            "SELECT value ->> 0, value ->> 1, (value ->> 2) + ? FROM json_each(?)",
            (first_doc, rows.band_json),
        )

    def delete(self, rows: list[tuple[int, bytes]]) -> int:
        """Delete documents (doc number, signature) and their band rows (keys recomputed)."""
        if not rows:
            return 0
        sigs = np.stack([decode_signature(sig, self._num_perm, self.path) for _, sig in rows])
        keys = band_keys(sigs, self._banding).view(np.int64)
        docs = [doc for doc, _ in rows]
        self._db.executemany(
            "DELETE FROM bands WHERE band = ? AND key = ? AND doc = ?",
            (
                (band, key, doc)
                for doc, row in zip(docs, keys.tolist(), strict=True)
                for band, key in enumerate(row)
            ),
        )
        self._db.executemany("DELETE FROM docs WHERE doc = ?", ((d,) for d in docs))
        return len(rows)

    def remove(self, ids: list[str]) -> tuple[int, list[str]]:
        """Delete the documents of these ids; how many, and the ids that are not indexed."""
        removed = 0
        missing: list[str] = []
        for chunk in _chunks(ids, _IDS_PER_STATEMENT):
            found = self.existing(chunk)
            missing.extend(i for i in chunk if i not in found)
            removed += self.delete(list(found.values()))
        return removed, missing

    def lookup(
        self, keys: U64, with_text: bool
    ) -> tuple[list[tuple[int, int]], dict[int, StoredDocument]]:
        """(row of ``keys``, indexed doc number) of every band key shared, and those
        documents (their texts only ``with_text``), read in one transaction.

        Raises:
            IndexFileError: the file cannot be read.
        """
        if keys.shape[0] == 0:
            return [], {}
        db = self._db
        try:
            db.execute("BEGIN")
            hits = self._shared_keys(keys)
            stored = self._documents(sorted({doc for _, doc in hits}), with_text)
            db.execute("DELETE FROM temp.query_keys")
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            rollback(db)
            raise IndexFileError(f"{self.path}: cannot read index: {exc}") from None
        return hits, stored

    def _shared_keys(self, keys: U64) -> list[tuple[int, int]]:
        """(row of ``keys``, doc number) sharing a band key, through a temporary table."""
        bands, signed, positions = band_triples(keys)
        db = self._db
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS query_keys "
            "(band INTEGER NOT NULL, key INTEGER NOT NULL, pos INTEGER NOT NULL)"
        )
        db.execute("DELETE FROM temp.query_keys")
        db.executemany(
            "INSERT INTO temp.query_keys (band, key, pos) VALUES (?, ?, ?)",
            zip(bands.tolist(), signed.tolist(), positions.tolist(), strict=True),
        )
        # CROSS JOIN keeps query_keys as the outer loop: one primary-key probe per key.
        return [
            (int(pos), int(doc))
            for pos, doc in db.execute(
                "SELECT DISTINCT q.pos, b.doc FROM temp.query_keys AS q "
                "CROSS JOIN bands AS b ON b.band = q.band AND b.key = q.key"
            )
        ]

    def _documents(self, wanted: list[int], with_text: bool) -> dict[int, StoredDocument]:
        """The documents of these doc numbers, their signatures checked."""
        stored: dict[int, StoredDocument] = {}
        text_column = "text" if with_text else "NULL"
        for chunk in _chunks(wanted, _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                "SELECT doc, id, title, source, length, shingles, signature, "
                f"{text_column} FROM docs WHERE doc IN ({marks})",
                chunk,
            ):
                stored[row[0]] = StoredDocument(
                    row[0], row[1], row[2], row[3], row[4], row[5],
                    _checked_blob(row[6], self._num_perm, self.path), row[7],
                )
        return stored


def band_triples(keys: U64) -> tuple[I64, I64, I64]:
    """The band keys of documents (shape: documents × bands) as three flat columns, one row
    per (document, band), document by document: the band, the key as the ``bands`` table
    stores it (signed int64) and the document's row in ``keys``."""
    documents, bands = keys.shape
    return (
        np.tile(np.arange(bands, dtype=np.int64), documents),
        keys.view(np.int64).ravel(),
        np.repeat(np.arange(documents, dtype=np.int64), bands),
    )


def compress_text(cps: U32) -> bytes:
    """The stored form of a normalized text (code points): zlib of its UTF-8."""
    return zlib.compress(from_codepoints(cps).encode("utf-8", "surrogatepass"), 1)


def decompress_text(blob: bytes, path: str, doc_id: str) -> str:
    """A stored normalized text.

    Raises:
        IndexFileError: the blob is not one.
    """
    try:
        return zlib.decompress(blob).decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise IndexFileError(f"{path}: corrupt index: text of {doc_id!r} ({exc})") from None


def decode_signature(blob: bytes, num_perm: int, path: str) -> U32:
    """A stored signature as uint32 values.

    Raises:
        IndexFileError: the blob is not ``num_perm`` uint32 values.
    """
    return np.frombuffer(_checked_blob(blob, num_perm, path), dtype="<u4").astype(np.uint32)


def _checked_blob(blob: bytes, num_perm: int, path: str) -> bytes:
    if not isinstance(blob, bytes) or len(blob) != 4 * num_perm:
        raise IndexFileError(f"{path}: corrupt index: a signature is not {num_perm} uint32 values")
    return blob


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
