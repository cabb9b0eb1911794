"""The index's ``docs``, ``bands`` and ``fingerprints`` tables: every statement on them, and
how values are stored in them (texts as zlib of UTF-8, signatures and fingerprint lists as
little-endian uint32, fingerprints in the table as signed int32).

The tables are specified in :mod:`neardup.index`; transactions are the caller's
(:class:`~neardup.index.file.Transaction` to write, :meth:`Tables.reading` to read).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._types import I64, U32, U64
from ..core.formula import NGRAM, sampled_shingles
from ..core.lsh import Banding, band_keys
from ..core.normalize import codepoints, from_codepoints
from ..core.rewrites import rewrite_shingles
from ..errors import IndexFileError
from .file import REBUILD_HINT, rollback

_IDS_PER_STATEMENT = 500
"""Ids (or doc numbers) bound to one ``IN (...)`` statement."""

_VALUE_COLUMNS = {"sampled": "shingle", "grams": "gram"}
"""The tables of format 3's values per document, and their value column."""


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
    fingerprints: int
    """How many fingerprints it has (0 in an index of format 1)."""
    sentences: bytes | None = None
    """zlib of its normalized sentences joined by newlines (format 3 with texts; else None)."""
    sampled: int = 0
    """How many distinct sampled shingles it has (0 before format 3 or without texts)."""


@dataclass(frozen=True)
class Existing:
    """An indexed document as removing it needs it: its doc number, signature (its band
    keys are recomputed from it) and fingerprint list (None in an index of format 1)."""

    doc: int
    signature: bytes
    fingerprints: bytes | None
    text: bytes | None = None
    """Its stored text, whose sampled shingles and 4-grams are deleted with it (format 3)."""


@dataclass(frozen=True)
class Rows:
    """Documents ready to write: ids, ``docs`` rows (without doc number), their band
    triples ``[band, key, offset]`` as one JSON array (the offset counts the documents), and
    their fingerprints as another, flat: ``offset << 32 | fingerprint`` (uint32) for each
    (empty in format 1; a flat array of numbers is read by ``json_each`` three times faster
    than one of pairs).

    ``rows`` are ``(id, title, source, length, shingles, signature, fingerprints, text)``,
    without ``fingerprints`` in format 1, then (format 3, with copies) ``(sentences, sampled,
    grams)`` and (format 4) ``original``; empty when only the ids are checked (the batch has
    already failed).
    """

    ids: list[str]
    rows: list[tuple[Any, ...]]
    band_json: str
    fingerprint_json: str = "[]"
    sampled_json: str = "[]"
    """The sampled shingles, as ``fingerprint_json`` (format 3 with texts)."""
    gram_json: str = "[]"
    """The 4-grams, as ``fingerprint_json`` (format 3 with texts)."""


class Tables:
    """The tables of the open index file ``path`` (which errors name): ``docs`` and
    ``bands``, and ``fingerprints`` when ``fingerprints`` (format 2 on)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        path: str,
        num_perm: int,
        banding: Banding,
        fingerprints: bool,
        copies: bool = False,
        originals: bool = False,
    ):
        self._db = db
        self.path = path
        self._num_perm = num_perm
        self._banding = banding
        self.fingerprints = fingerprints
        self.copies = copies
        """Whether the file has the ``sampled`` and ``grams`` tables (format 3)."""
        self.originals = originals
        """Whether the ``docs`` table has the ``original`` column (format 4)."""

    def count(self) -> int:
        """Indexed documents."""
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def band_rows(self) -> int:
        """Rows of the ``bands`` table."""
        return int(self._db.execute("SELECT count(*) FROM bands").fetchone()[0])

    def fingerprint_rows(self) -> int | None:
        """Rows of the ``fingerprints`` table (None in format 1, which has none)."""
        if not self.fingerprints:
            return None
        return int(self._db.execute("SELECT count(*) FROM fingerprints").fetchone()[0])

    def has(self, doc_id: str) -> bool:
        """Whether a document of this id is indexed."""
        found = self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return found is not None

    def ids(self) -> list[str]:
        """The indexed document ids, in the order they were added."""
        return [row[0] for row in self._db.execute("SELECT id FROM docs ORDER BY doc")]

    def texts(self, ids: Iterable[str], normalized: bool = False) -> dict[str, str]:
        """The stored texts of these documents (those that have one): as they were added
        (format 4), or ``normalized`` (and always before format 4, which keeps no other)."""
        column = "text" if normalized or not self.originals else "original"
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids), _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for doc_id, blob in self._db.execute(
                f"SELECT id, {column} FROM docs WHERE id IN ({marks}) "
                f"AND {column} IS NOT NULL", chunk
            ):
                out[doc_id] = decompress_text(blob, self.path, doc_id)
        return out

    def next_doc(self) -> int:
        """The doc number of the next document added."""
        return int(self._db.execute("SELECT coalesce(max(doc), 0) FROM docs").fetchone()[0]) + 1

    def existing(self, ids: Sequence[str]) -> dict[str, Existing]:
        """The indexed documents of those of ``ids`` that are indexed, by id."""
        found: dict[str, Existing] = {}
        fingerprints = "fingerprints" if self.fingerprints else "NULL"
        text = "text" if self.copies else "NULL"
        for chunk in _chunks(list(ids), _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for doc_id, doc, sig, fps, blob in self._db.execute(
                f"SELECT id, doc, signature, {fingerprints}, {text} FROM docs "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                found[doc_id] = Existing(doc, sig, fps, blob)
        return found

    def insert(self, rows: Rows, first_doc: int) -> None:
        """Write documents, numbered from ``first_doc``, their band rows and (format 2 on)
        their fingerprint rows."""
        columns = "doc, id, title, source, length, shingles, signature, fingerprints, text"
        if not self.fingerprints:
            columns = columns.replace(" fingerprints,", "")
        if self.copies:
            columns += ", sentences, sampled, grams"
        if self.originals:
            columns += ", original"
        marks = ", ".join("?" * (columns.count(",") + 1))
        self._db.executemany(
            f"INSERT INTO docs ({columns}) VALUES ({marks})",
            ((first_doc + k, *row) for k, row in enumerate(rows.rows)),
        )
        # One statement per chunk: [band, key, offset] triples, parsed by SQLite's json_each
        # (much less per-row overhead than executemany).
        self._db.execute(
            "INSERT INTO bands (band, key, doc) "
            "SELECT value ->> 0, value ->> 1, (value ->> 2) + ? FROM json_each(?)",
            (first_doc, rows.band_json),
        )
        if self.fingerprints:
            # the uint32 as signed int32: minus 2**32 when bit 31 is set
            self._db.execute(
                "INSERT INTO fingerprints (fingerprint, doc) "
                "SELECT (value & 4294967295) - ((value & 2147483648) << 1), (value >> 32) + ? "
                "FROM json_each(?)",
                (first_doc, rows.fingerprint_json),
            )
        if self.copies:
            for table, column, values in (("sampled", "shingle", rows.sampled_json),
                                          ("grams", "gram", rows.gram_json)):
                self._db.execute(
                    f"INSERT INTO {table} ({column}, doc) "
                    "SELECT (value & 4294967295) - ((value & 2147483648) << 1), "
                    "(value >> 32) + ? FROM json_each(?)",
                    (first_doc, values),
                )

    def delete(self, rows: list[Existing]) -> int:
        """Delete documents, their band rows (keys recomputed from the signatures) and
        fingerprint rows (from their fingerprint lists)."""
        if not rows:
            return 0
        sigs = np.stack([decode_signature(r.signature, self._num_perm, self.path) for r in rows])
        keys = band_keys(sigs, self._banding).view(np.int64)
        docs = [r.doc for r in rows]
        self._db.executemany(
            "DELETE FROM bands WHERE band = ? AND key = ? AND doc = ?",
            (
                (band, key, doc)
                for doc, row in zip(docs, keys.tolist(), strict=True)
                for band, key in enumerate(row)
            ),
        )
        if self.fingerprints:
            self._db.executemany(
                "DELETE FROM fingerprints WHERE fingerprint = ? AND doc = ?",
                (
                    (fingerprint, r.doc)
                    for r in rows
                    for fingerprint in stored_fingerprints(
                        decode_fingerprints(r.fingerprints, self.path)
                    ).tolist()
                ),
            )
        if self.copies:
            self._delete_copies_rows(rows)
        self._db.executemany("DELETE FROM docs WHERE doc = ?", ((d,) for d in docs))
        return len(rows)

    def _delete_copies_rows(self, rows: list[Existing]) -> None:
        """Delete the ``sampled`` and ``grams`` rows of documents, their values made again
        from their stored texts (none without texts)."""
        for r in rows:
            if r.text is None:
                continue
            cps = codepoints(decompress_text(r.text, self.path, f"row {r.doc}"))
            lengths = np.array([cps.size], dtype=np.int64)
            for table, column, values in (
                ("sampled", "shingle", sampled_shingles(cps, lengths, NGRAM)[0]),
                ("grams", "gram", rewrite_shingles(cps, lengths)[0]),
            ):
                self._db.executemany(
                    f"DELETE FROM {table} WHERE {column} = ? AND doc = ?",
                    ((value, r.doc) for value in stored_fingerprints(values).tolist()),
                )

    def remove(self, ids: list[str]) -> tuple[int, list[str]]:
        """Delete the documents of these ids; how many, and the ids that are not indexed."""
        removed = 0
        missing: list[str] = []
        for chunk in _chunks(ids, _IDS_PER_STATEMENT):
            found = self.existing(chunk)
            missing.extend(i for i in chunk if i not in found)
            removed += self.delete(list(found.values()))
        return removed, missing

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction (a consistent view of the file while a query reads it);
        SQLite errors become :class:`~neardup.errors.IndexFileError` naming the file (and,
        when SQLite finds a page damaged, how to rebuild it)."""
        db = self._db
        try:
            db.execute("BEGIN")
            yield
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # locked, I/O error, ...
            rollback(db)
            raise IndexFileError(f"{self.path}: cannot read index: {exc}") from None
        except sqlite3.DatabaseError as exc:  # SQLite found a page damaged
            rollback(db)
            raise IndexFileError(f"{self.path}: damaged index: {exc}; {REBUILD_HINT}") from None
        except BaseException:
            rollback(db)
            raise

    def shared_keys(self, keys: U64) -> list[tuple[int, int, int]]:
        """(row of ``keys``, indexed doc number, band) of every band key shared, through a
        temporary table."""
        if keys.shape[0] == 0:
            return []
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
        hits = [
            (int(pos), int(doc), int(band))
            for pos, doc, band in db.execute(
                "SELECT q.pos, b.doc, q.band FROM temp.query_keys AS q "
                "CROSS JOIN bands AS b ON b.band = q.band AND b.key = q.key"
            )
        ]
        db.execute("DELETE FROM temp.query_keys")
        return hits

    def fingerprint_frequencies(self, fingerprints: U32, cap: int) -> I64:
        """How many indexed documents hold each of ``fingerprints`` (distinct), counted up
        to ``cap`` (a fingerprint held by more counts ``cap``: boilerplate is not read
        through). One primary-key descent per fingerprint."""
        db = self._db
        self._fill_query_fingerprints(fingerprints)
        found = dict(
            db.execute(
                "SELECT q.fingerprint, (SELECT count(*) FROM (SELECT 1 FROM fingerprints AS f "
                "WHERE f.fingerprint = q.fingerprint LIMIT ?)) FROM temp.query_fingerprints AS q",
                (cap,),
            ).fetchall()
        )
        db.execute("DELETE FROM temp.query_fingerprints")
        stored = stored_fingerprints(fingerprints).tolist()
        return np.array([found[f] for f in stored], dtype=np.int64)

    def fingerprint_holders(self, fingerprints: U32) -> tuple[U32, I64]:
        """Every (fingerprint, indexed doc number) of these ``fingerprints`` (distinct), as
        two columns."""
        db = self._db
        self._fill_query_fingerprints(fingerprints)
        # CROSS JOIN keeps query_fingerprints as the outer loop: one descent per fingerprint.
        rows = db.execute(
            "SELECT f.fingerprint, f.doc FROM temp.query_fingerprints AS q "
            "CROSS JOIN fingerprints AS f ON f.fingerprint = q.fingerprint"
        ).fetchall()
        db.execute("DELETE FROM temp.query_fingerprints")
        table = np.array(rows, dtype=np.int64).reshape(-1, 2)
        return table[:, 0].astype(np.int32).view(np.uint32), table[:, 1].copy()

    def _fill_query_fingerprints(self, fingerprints: U32) -> None:
        db = self._db
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS query_fingerprints "
            "(fingerprint INTEGER PRIMARY KEY)"
        )
        db.execute("DELETE FROM temp.query_fingerprints")
        db.executemany(
            "INSERT INTO temp.query_fingerprints (fingerprint) VALUES (?)",
            ((f,) for f in stored_fingerprints(fingerprints).tolist()),
        )

    def value_frequencies(self, table: str, values: U32, cap: int) -> I64:
        """How many indexed documents hold each of ``values`` (distinct) in ``table``
        (``sampled`` or ``grams``), counted up to ``cap``; one descent per value."""
        column = _VALUE_COLUMNS[table]
        db = self._db
        self._fill_query_values(values)
        found = dict(
            db.execute(
                f"SELECT q.value, (SELECT count(*) FROM (SELECT 1 FROM {table} AS t "
                f"WHERE t.{column} = q.value LIMIT ?)) FROM temp.query_values AS q",
                (cap,),
            ).fetchall()
        )
        db.execute("DELETE FROM temp.query_values")
        return np.array([found[v] for v in stored_fingerprints(values).tolist()],
                        dtype=np.int64)

    def value_holders(self, table: str, values: U32) -> tuple[U32, I64]:
        """Every (value, indexed doc number) row of ``table`` of these ``values``
        (distinct), as two columns."""
        column = _VALUE_COLUMNS[table]
        db = self._db
        self._fill_query_values(values)
        rows = db.execute(
            f"SELECT t.{column}, t.doc FROM temp.query_values AS q "
            f"CROSS JOIN {table} AS t ON t.{column} = q.value"
        ).fetchall()
        db.execute("DELETE FROM temp.query_values")
        found = np.array(rows, dtype=np.int64).reshape(-1, 2)
        return found[:, 0].astype(np.int32).view(np.uint32), found[:, 1].copy()

    def _fill_query_values(self, values: U32) -> None:
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS query_values (value INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.query_values")
        db.execute(  # one statement: json_each parses the values (no per-row call)
            "INSERT OR IGNORE INTO temp.query_values (value) SELECT value FROM json_each(?)",
            (json.dumps(stored_fingerprints(values).tolist(), separators=(",", ":")),),
        )

    def value_counts(self, table: str, docs: list[int]) -> dict[int, int]:
        """How many rows of ``table`` (``sampled`` or ``grams``) each of these indexed
        documents has (its distinct values, as its ``docs`` row counts them)."""
        column = table if table in _VALUE_COLUMNS else "NULL"
        counts: dict[int, int] = {}
        for chunk in _chunks(docs, _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            counts.update(self._db.execute(
                f"SELECT doc, {column} FROM docs WHERE doc IN ({marks})", chunk
            ).fetchall())
        return counts

    def copies_rows(self) -> tuple[int, int] | None:
        """Rows of the ``sampled`` and ``grams`` tables (None before format 3)."""
        if not self.copies:
            return None
        return (int(self._db.execute("SELECT count(*) FROM sampled").fetchone()[0]),
                int(self._db.execute("SELECT count(*) FROM grams").fetchone()[0]))

    def fingerprint_counts(self, docs: list[int]) -> dict[int, int]:
        """How many fingerprints each of these indexed documents has."""
        counts: dict[int, int] = {}
        for chunk in _chunks(docs, _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            counts.update(
                self._db.execute(
                    f"SELECT doc, length(fingerprints) / 4 FROM docs WHERE doc IN ({marks})",
                    chunk,
                ).fetchall()
            )
        return counts

    def fingerprint_lists(self, docs: Sequence[int]) -> dict[int, tuple[str, object]]:
        """The id and stored fingerprint list (``docs.fingerprints``, raw) of each of these
        documents."""
        lists: dict[int, tuple[str, object]] = {}
        for chunk in _chunks(list(docs), _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for doc, doc_id, blob in self._db.execute(
                f"SELECT doc, id, fingerprints FROM docs WHERE doc IN ({marks})", chunk
            ):
                lists[doc] = (doc_id, blob)
        return lists

    def documents(self, wanted: list[int], with_text: bool) -> dict[int, StoredDocument]:
        """The documents of these doc numbers, their signatures checked."""
        stored: dict[int, StoredDocument] = {}
        text_column = "text" if with_text else "NULL"
        count_column = "length(fingerprints) / 4" if self.fingerprints else "0"
        copies_columns = ("sentences" if with_text else "NULL") + ", sampled"
        if not self.copies:
            copies_columns = "NULL, 0"
        for chunk in _chunks(wanted, _IDS_PER_STATEMENT):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                "SELECT doc, id, title, source, length, shingles, signature, "
                f"{text_column}, {count_column}, {copies_columns} FROM docs "
                f"WHERE doc IN ({marks})",
                chunk,
            ):
                stored[row[0]] = StoredDocument(
                    row[0], row[1], row[2], row[3], row[4], row[5],
                    _checked_blob(row[6], self._num_perm, self.path), row[7], row[8],
                    row[9], row[10],
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


def stored_fingerprints(fingerprints: U32) -> I64:
    """Fingerprints as the ``fingerprints`` table stores them: the uint32 bits as a signed
    int32 (at most 4 bytes in an SQLite record, where a uint32 above 2**31 takes 6)."""
    out: I64 = fingerprints.astype(np.uint32, copy=False).view(np.int32).astype(np.int64)
    return out


def encode_fingerprints(fingerprints: U32) -> bytes:
    """A document's fingerprint list as ``docs.fingerprints`` stores it: sorted distinct
    uint32, little-endian."""
    return fingerprints.astype("<u4", copy=False).tobytes()


def decode_fingerprints(blob: bytes | None, path: str) -> U32:
    """A stored fingerprint list as uint32 values.

    Raises:
        IndexFileError: the blob is not a list of uint32 values.
    """
    if not isinstance(blob, bytes) or len(blob) % 4:
        raise IndexFileError(f"{path}: corrupt index: a fingerprint list is not uint32 values")
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def compress_text(cps: U32) -> bytes:
    """The stored form of a normalized text (code points): zlib of its UTF-8."""
    return zlib.compress(from_codepoints(cps).encode("utf-8", "surrogatepass"), 1)


def compress_string(text: str) -> bytes:
    """A stored string (normalized sentences): zlib of its UTF-8."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


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
