"""Checking an index file for damage: SQLite's own checks and neardup's invariants.

:func:`glance_problems` is what every query runs first, at a cost that does not grow with
the index (a few pages read): the file's size against SQLite's page count (a truncated or
extended copy), the free-page count, and the first and last rows of every table (the roots
and edges of their B-trees), which must be rows neardup writes. Damage elsewhere is found
when a query reads it (SQLite's page checks, zlib's checksum of each text, and each band row
a query meets checked against its document's signature, and what its lookups found against
the band keys and fingerprint lists of the documents they met, see
:mod:`neardup.index.rows_read`), by the next write, or by ``index verify``.

:func:`quick_problems` is what every write runs first: SQLite's
``integrity_check`` (every page and B-tree sound, and each table's rows in key order across
its pages: ``quick_check`` does not look at that order, and with two leaf pages of
``fingerprints`` swapped it says "ok" while lookups miss rows; the order check costs about a
third more, 0.22 s instead of 0.17 s on a 3,000-law index) and counts that must agree
(``bands`` holds ``bands`` rows a document, ``fingerprints`` as many rows as the documents'
fingerprint lists hold values). ``index info``, which counts the rows anyway, runs the glance
and the counts.

:func:`verify_problems` (``neardup index verify``) adds SQLite's full ``integrity_check`` and
re-derives what each document's rows must be:

- every signature is ``num_perm`` uint32 values, and the band keys made from the signatures
  are exactly the rows of ``bands`` (compared as an order-free 64-bit checksum of the
  (band, key, doc) triples, and their number);
- every fingerprint list is sorted uint32 values, and they are exactly the rows of
  ``fingerprints`` (the same checksum of (fingerprint, doc));
- every stored text decompresses (zlib's Adler-32 checksum) to UTF-8, and a text is stored
  exactly when the index says texts are; from format 4, so is each text as it was added,
  whose length is the document's and whose normalized form is the stored normalized text;
- from format 3, with texts: the sampled shingles and 4-grams of every stored text are
  exactly the rows of ``sampled`` and ``grams`` (the same checksum) and the counts in
  ``docs``, and every document's normalized sentences decompress.

The last two read the whole file once (``verify`` also decompresses every text); none writes.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .._types import I64, U32
from ..core.formula import NGRAM, sampled_shingles
from ..core.lsh import Banding, band_keys
from ..core.normalize import NormalizeOptions, codepoints, normalize
from ..core.rewrites import rewrite_shingles
from .file import COPIES_SINCE, MEMORY, ORIGINALS_SINCE, Header

_ROWS_PER_FETCH = 50_000
_MOST_SHOWN = 10
"""SQLite messages shown at most (the first ones)."""


@dataclass(frozen=True)
class IndexCheck:
    """What :func:`verify_problems` found: nothing when the index is sound."""

    path: str
    documents: int
    problems: tuple[str, ...]

    @property
    def sound(self) -> bool:
        """Whether no problem was found."""
        return not self.problems


def glance_problems(db: sqlite3.Connection, path: str, header: Header) -> list[str]:
    """The damage a glance at the file shows (empty when none; see the module docstring).
    Reads a few pages of each B-tree, whatever the size of the index."""
    try:
        problems = _size_problems(db, path)
        problems += _edge_problems(db, header)
    except sqlite3.DatabaseError as exc:
        return [f"reading the file failed: {exc}"]
    except OSError as exc:
        return [f"reading the file's size failed: {exc.strerror or exc}"]
    return problems


def _size_problems(db: sqlite3.Connection, path: str) -> list[str]:
    """The file's size against SQLite's page count and free pages."""
    page_size = _one(db, "PRAGMA page_size")
    pages = _one(db, "PRAGMA page_count")
    free = _one(db, "PRAGMA freelist_count")
    problems = []
    if free >= pages:
        problems.append(f"SQLite's header counts {free:,} free pages of {pages:,}")
    if path == MEMORY:
        return problems
    size = os.path.getsize(path)
    wal = os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0
    # Pages committed to the write-ahead log but not yet copied back make the file shorter
    # than the page count; without a log the two agree, and the file is never longer.
    if size % page_size or size > pages * page_size or (not wal and size < pages * page_size):
        problems.append(
            f"the file is {size:,} bytes; SQLite's header says {pages:,} pages of {page_size:,} "
            f"bytes ({pages * page_size:,} bytes): a truncated or extended copy"
        )
    return problems


def _edge_problems(db: sqlite3.Connection, header: Header) -> list[str]:
    """The first and last rows of each table (and of the id index), as neardup writes them."""
    problems = []
    # one aggregate a statement: SQLite then reads one end of the B-tree, not the table
    low, high, documents = (
        db.execute(f"SELECT {aggregate} FROM docs").fetchone()[0]
        for aggregate in ("min(doc)", "max(doc)", "max(id)")
    )
    if (low is None) != (documents is None) or (low is not None and not 1 <= low <= high):
        problems.append(f"the docs table's first and last doc numbers are {low!r} and {high!r}")
    tables = [("bands", "band, key, doc")]
    if header.format_version >= 2:
        tables.append(("fingerprints", "fingerprint, doc"))
    if header.format_version >= COPIES_SINCE:
        tables += [("sampled", "shingle, doc"), ("grams", "gram, doc")]
    bands = header.parameters.banding.bands
    for table, key in tables:
        for order in ("ASC", "DESC"):
            by = ", ".join(f"{column} {order}" for column in key.split(", "))
            row = db.execute(f"SELECT {key} FROM {table} ORDER BY {by} LIMIT 1").fetchone()
            if row is None:
                if low is not None and table == "bands":
                    problems.append("the bands table is empty, the docs table is not")
                continue
            doc = row[-1]
            in_range = low is not None and isinstance(doc, int) and low <= doc <= high
            if not in_range or (table == "bands" and not 0 <= row[0] < bands):
                problems.append(f"the {table} table holds a row {tuple(row)!r} neardup never "
                                "writes (its band or document out of range)")
    return problems


def quick_problems(db: sqlite3.Connection, header: Header) -> list[str]:
    """The damage SQLite's ``integrity_check`` and the row counts show (empty when none)."""
    problems = sqlite_problems(db, "integrity_check")
    if problems:
        return problems
    return count_problems(db, header)


def verify_problems(db: sqlite3.Connection, header: Header) -> list[str]:
    """Every damage found: SQLite's ``integrity_check``, then neardup's invariants (see the
    module docstring). Empty when the index is sound."""
    problems = sqlite_problems(db, "integrity_check")
    if problems:
        return problems  # the tables cannot be trusted to be read through
    problems = count_problems(db, header)
    try:
        problems += _row_problems(db, header)
        if header.copies and header.store_text and not problems:
            problems += _copies_problems(db)
    except sqlite3.DatabaseError as exc:
        problems.append(f"reading the tables failed: {exc}")
    return problems


def _copies_problems(db: sqlite3.Connection) -> list[str]:
    """The ``sampled`` and ``grams`` rows re-derived from the stored texts (found sound by
    :func:`_row_problems`), and every document's normalized sentences readable."""
    problems: list[str] = []
    sums = {"sampled": [0, 0], "grams": [0, 0]}
    cursor = db.execute("SELECT doc, id, text, sentences, sampled, grams FROM docs")
    while batch := cursor.fetchmany(_ROWS_PER_FETCH // 10):
        for doc, doc_id, text, sentences, n_sampled, n_grams in batch:
            name = f"document {doc_id!r} (row {doc})"
            problems += [p.replace("stored text", "stored sentences")
                         for p in _text_problems(name, sentences)]
            cps = codepoints(zlib.decompress(text).decode("utf-8", "surrogatepass"))
            lengths = np.array([cps.size], dtype=np.int64)
            for table, values, listed in (
                ("sampled", sampled_shingles(cps, lengths, NGRAM)[0], n_sampled),
                ("grams", rewrite_shingles(cps, lengths)[0], n_grams),
            ):
                if values.size != listed:
                    problems.append(f"{name}: its text has {values.size:,} {table} values, "
                                    f"its row counts {listed!r}")
                sums[table][0] = _add(sums[table][0], _mix(values.astype(np.int64), doc))
                sums[table][1] += values.size
        if len(problems) > _MOST_SHOWN:
            return [*problems[:_MOST_SHOWN], "(more problems not shown)"]
    for table, column in (("sampled", "shingle"), ("grams", "gram")):
        found = _table_checksum(db, f"SELECT {column}, doc FROM {table}", 2)
        if found != tuple(sums[table]):
            problems.append(
                f"the {table} table does not hold the values of the documents' texts "
                + _rows_differ(found[1], sums[table][1])
            )
    return problems


def sqlite_problems(db: sqlite3.Connection, pragma: str) -> list[str]:
    """SQLite's ``quick_check`` or ``integrity_check`` messages (none when it says "ok")."""
    try:
        rows = [str(r[0]) for r in db.execute(f"PRAGMA {pragma}({_MOST_SHOWN})")]
    except sqlite3.DatabaseError as exc:
        return [f"SQLite {pragma} failed: {exc}"]
    if rows == ["ok"]:
        return []
    lines = [line for row in rows for line in row.splitlines() if not line.startswith("***")]
    return [f"SQLite {pragma}: {line}" for line in lines]


def count_problems(db: sqlite3.Connection, header: Header) -> list[str]:
    """Row counts that disagree: band rows against documents x bands, fingerprint rows
    against the documents' fingerprint lists."""
    bands = header.parameters.banding.bands
    try:
        documents = _one(db, "SELECT count(*) FROM docs")
        band_rows = _one(db, "SELECT count(*) FROM bands")
        problems = []
        if band_rows != documents * bands:
            problems.append(
                f"the bands table has {band_rows:,} rows; {documents:,} documents x {bands} "
                f"bands make {documents * bands:,}"
            )
        if header.format_version >= 2:
            listed = _one(db, "SELECT coalesce(sum(length(fingerprints)), 0) / 4 FROM docs")
            rows = _one(db, "SELECT count(*) FROM fingerprints")
            if rows != listed:
                problems.append(
                    f"the fingerprints table has {rows:,} rows; the documents list {listed:,}"
                )
        if header.format_version >= COPIES_SINCE:
            for table in ("sampled", "grams"):
                listed = _one(db, f"SELECT coalesce(sum({table}), 0) FROM docs")
                rows = _one(db, f"SELECT count(*) FROM {table}")
                if rows != listed:
                    problems.append(
                        f"the {table} table has {rows:,} rows; the documents count {listed:,}"
                    )
        return problems
    except sqlite3.DatabaseError as exc:
        return [f"counting rows failed: {exc}"]


def _one(db: sqlite3.Connection, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def _row_problems(db: sqlite3.Connection, header: Header) -> list[str]:
    """The documents' rows re-derived from their signatures and fingerprint lists, and
    their texts decompressed."""
    p = header.parameters
    with_fingerprints = header.format_version >= 2
    with_originals = header.format_version >= ORIGINALS_SINCE
    options = p.normalize_options()
    problems: list[str] = []
    band_sum = fingerprint_sum = 0
    band_count = fingerprint_count = 0
    columns = "doc, id, signature, text IS NOT NULL, text" + (
        ", fingerprints" if with_fingerprints else ""
    ) + (", original, length" if with_originals else "")
    cursor = db.execute(f"SELECT {columns} FROM docs")
    while batch := cursor.fetchmany(_ROWS_PER_FETCH // 10):
        good_docs, good_sigs = [], []
        for row in batch:
            doc, doc_id, signature, has_text, text = row[:5]
            name = f"document {doc_id!r} (row {doc})"
            if not isinstance(signature, bytes) or len(signature) != 4 * p.num_perm:
                problems.append(f"{name}: its signature is not {p.num_perm} uint32 values")
            else:
                good_docs.append(doc)
                good_sigs.append(signature)
            if bool(has_text) != header.store_text:
                problems.append(f"{name}: " + ("no text stored" if header.store_text
                                               else "a text stored in an index without texts"))
            elif has_text:
                problems += _text_problems(name, text)
            if with_originals:
                problems += _original_problems(name, text, row[-2], row[-1], options)
            if with_fingerprints:
                fps, problem = _fingerprint_list(row[5])
                if problem:
                    problems.append(f"{name}: its fingerprint list {problem}")
                else:
                    fingerprint_sum = _add(fingerprint_sum, _mix(fps.astype(np.int64), doc))
                    fingerprint_count += fps.shape[0]
        if good_sigs:
            sigs: U32 = np.frombuffer(b"".join(good_sigs), dtype="<u4").reshape(
                len(good_sigs), p.num_perm
            ).astype(np.uint32)
            band_sum = _add(
                band_sum, _band_checksum(sigs, np.array(good_docs, dtype=np.int64), p.banding)
            )
            band_count += len(good_sigs) * p.banding.bands
        if len(problems) > _MOST_SHOWN:
            return [*problems[:_MOST_SHOWN], "(more problems not shown)"]
    table_sum, table_count = _table_checksum(db, "SELECT band, key, doc FROM bands", 3)
    if (table_sum, table_count) != (band_sum, band_count):
        problems.append(
            "the bands table does not hold the band keys of the documents' signatures "
            + _rows_differ(table_count, band_count)
        )
    if with_fingerprints:
        table_sum, table_count = _table_checksum(
            db, "SELECT fingerprint, doc FROM fingerprints", 2
        )
        if (table_sum, table_count) != (fingerprint_sum, fingerprint_count):
            problems.append(
                "the fingerprints table does not hold the documents' fingerprint lists "
                + _rows_differ(table_count, fingerprint_count)
            )
    return problems


def _rows_differ(rows: int, expected: int) -> str:
    if rows == expected:
        return f"(as many rows, {rows:,}, but other values)"
    return f"({rows:,} rows, {expected:,} expected)"


def _add(total: int, value: int) -> int:
    """A wrapping 64-bit sum."""
    return (total + value) & 0xFFFF_FFFF_FFFF_FFFF


def _text_problems(name: str, blob: object) -> list[str]:
    if not isinstance(blob, bytes):
        return [f"{name}: its stored text is not a compressed text"]
    try:
        zlib.decompress(blob).decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError) as exc:
        return [f"{name}: its stored text is damaged ({exc})"]
    return []


def _original_problems(name: str, text: object, original: object, length: object,
                       options: NormalizeOptions) -> list[str]:
    """What is wrong with a document's text as it was added (format 4): stored exactly
    when its normalized text is, readable, of the document's length, and normalized to
    the stored normalized text."""
    if (original is None) != (text is None):
        return [f"{name}: " + ("no text as added stored" if original is None
                               else "a text as added stored without its normalized text")]
    if original is None:
        return []
    problems = [p.replace("stored text", "stored text as added")
                for p in _text_problems(name, original)]
    if (problems or not isinstance(original, bytes) or not isinstance(text, bytes)
            or _text_problems(name, text)):
        return problems
    written = zlib.decompress(original).decode("utf-8", "surrogatepass")
    if len(written) != length:
        return [f"{name}: its stored text as added has {len(written):,} characters, the "
                f"document {length!r}"]
    if normalize(written, options).text != zlib.decompress(text).decode("utf-8",
                                                                         "surrogatepass"):
        return [f"{name}: its stored text as added does not normalize to its stored "
                "normalized text"]
    return []


def _fingerprint_list(blob: object) -> tuple[U32, str | None]:
    """A stored fingerprint list, or what is wrong with it."""
    if not isinstance(blob, bytes) or len(blob) % 4:
        return np.empty(0, np.uint32), "is not uint32 values"
    fps: U32 = np.frombuffer(blob, dtype="<u4").astype(np.uint32)
    if fps.shape[0] > 1 and not bool(np.all(fps[1:] > fps[:-1])):
        return fps, "is not sorted distinct values"
    return fps, None


def _band_checksum(sigs: U32, docs: I64, banding: Banding) -> int:
    """The checksum of the (band, key, doc) rows these signatures make."""
    keys = band_keys(sigs, banding).view(np.int64)
    n, bands = keys.shape
    band = np.tile(np.arange(bands, dtype=np.int64), n)
    doc = np.repeat(docs, bands)
    return _mix(keys.ravel() ^ (band * np.int64(0x3C6EF372FE94F82B)), doc)


def _table_checksum(db: sqlite3.Connection, sql: str, width: int) -> tuple[int, int]:
    """The checksum and number of the rows of a ``bands`` (band, key, doc) or
    ``fingerprints`` (fingerprint, doc) query, as :func:`_band_checksum` and the fingerprint
    lists make it."""
    total, count = 0, 0
    for rows in _fetch(db, sql):
        values = np.array(rows, dtype=np.int64).reshape(-1, width)
        if width == 3:
            value = values[:, 1] ^ (values[:, 0] * np.int64(0x3C6EF372FE94F82B))
        else:  # stored as signed int32: back to the uint32 bits
            value = values[:, 0] & np.int64(0xFFFFFFFF)
        total = _add(total, _mix(value, values[:, -1]))
        count += values.shape[0]
    return total, count


def _fetch(db: sqlite3.Connection, sql: str) -> Iterator[list[tuple[int, ...]]]:
    cursor = db.execute(sql)
    while rows := cursor.fetchmany(_ROWS_PER_FETCH):
        yield rows


def _mix(values: I64, docs: I64 | int) -> int:
    """The wrapping sum of a 64-bit hash (MurmurHash3's finalizer) of each (value, doc)."""
    with np.errstate(over="ignore"):
        x = values.astype(np.uint64) ^ (np.asarray(docs).astype(np.uint64)
                                        * np.uint64(0x9E3779B97F4A7C15))
        x ^= x >> np.uint64(33)
        x *= np.uint64(0xFF51AFD7ED558CCD)
        x ^= x >> np.uint64(33)
        x *= np.uint64(0xC4CEB9FE1A85EC53)
        x ^= x >> np.uint64(33)
        return int(x.sum(dtype=np.uint64))
