"""A persistent near-duplicate index in one SQLite file, for incremental batches and CI checks.

:class:`DuplicateIndex` keeps, for every indexed document, its MinHash signature and LSH band
keys (and, unless built with ``store_text=False``, its normalized text), so that a new batch
of documents can be checked against everything indexed so far without recomputing it.

File format (version 1)
-----------------------

An SQLite 3 database in WAL mode with ``PRAGMA application_id = 0x4E445550`` ("NDUP") and
``PRAGMA user_version = 1``, and these tables::

    meta(key TEXT PRIMARY KEY, value TEXT)            -- WITHOUT ROWID
        format          "neardup-index"
        format_version  "1"
        parameters      JSON of neardup.report.Parameters.to_dict() (threshold, ngram, unit,
                        num_perm, seed, bands, rows, verify, html, markers)
        store_text      "1" or "0"
        created_by      neardup version that created the file
    docs(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, source TEXT,
         length INTEGER,      -- characters of the original text
         shingles INTEGER,    -- shingles of the normalized text, with repeats
         signature BLOB,      -- num_perm uint32 values, little-endian
         text BLOB)           -- zlib(UTF-8 normalized text), NULL when store_text is off
    bands(band INTEGER, key INTEGER, doc INTEGER,
          PRIMARY KEY (band, key, doc))               -- WITHOUT ROWID
        one row per (document, band); key is neardup.lsh.band_keys' uint64 as signed int64

A lookup of one band key is one descent of the ``bands`` primary key, so checking a batch is a
join of its band keys with ``bands`` (cost ~ batch size x bands x log(index size)).

Nothing is ever unpickled: parameters are JSON, signatures raw little-endian uint32.

Safety: every :meth:`DuplicateIndex.add` and :meth:`DuplicateIndex.remove` is one SQLite
transaction (``BEGIN IMMEDIATE``), so a batch is either entirely in the index or not at all,
also when the process is killed mid-way; a second writer waits for the first (busy timeout).
Commits use ``synchronous = NORMAL`` (WAL): a power failure may lose the last committed
batches, but never leaves part of one.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.ndx")
    >>> with DuplicateIndex.create(path, threshold=0.7) as index:
    ...     _ = index.add({"old": "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观"})
    ...     report = index.query({"new": "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观。"})
    >>> [(p.a, p.b, p.jaccard) for p in report.pairs]
    [('new', 'old', 1.0)]
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from ._types import U32, U64
from ._version import __version__
from .core.clusters import components, representative
from .core.lsh import band_keys, candidate_pairs
from .core.normalize import codepoints, from_codepoints, normalize_many
from .core.shingles import char_shingle_sets, shingle_set
from .core.similarity import estimate_containment, estimate_jaccard, jaccard_containment
from .errors import (
    AlreadyIndexedError,
    DuplicateIdError,
    IndexFileError,
    InputError,
    ParameterError,
    shown_ids,
)
from .io.documents import Document, as_documents
from .parameters import Parameters
from .report import (
    Cluster,
    ClusterMember,
    Counts,
    DocumentInfo,
    DuplicateReport,
    Pair,
    Skipped,
)
from .stages import BATCH_CHARS, BATCH_DOCS, signatures_of_codepoints

APPLICATION_ID = 0x4E445550  # "NDUP"
FORMAT = "neardup-index"
FORMAT_VERSION = 1
DEFAULT_TIMEOUT = 60.0
"""Seconds a writer waits for another process's transaction before giving up."""
DEFAULT_CACHE_MB = 64.0
"""SQLite page cache per connection, in MiB (the band-key B-tree's hot pages live here)."""
MEMORY = ":memory:"

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PARAMETER_NAMES = tuple(f.name for f in fields(Parameters))
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    source TEXT,
    length INTEGER NOT NULL,
    shingles INTEGER NOT NULL,
    signature BLOB NOT NULL,
    text BLOB
);
CREATE TABLE bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (band, key, doc)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class AddResult:
    """What :meth:`DuplicateIndex.add` did: documents read, added (of which replaced), skipped."""

    read: int
    added: int
    replaced: int
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class IndexInfo:
    """Summary of an index file (``neardup index info``)."""

    path: str
    format_version: int
    created_by: str
    parameters: Parameters
    store_text: bool
    documents: int
    band_rows: int
    size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "path": self.path,
            "format": FORMAT,
            "format_version": self.format_version,
            "created_by": self.created_by,
            "parameters": self.parameters.to_dict(),
            "store_text": self.store_text,
            "documents": self.documents,
            "band_rows": self.band_rows,
            "size_bytes": self.size_bytes,
        }


@dataclass
class _AddState:
    """What :meth:`DuplicateIndex.add` found while reading, and whether to stop hashing."""

    read: int = 0
    repeated: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    only_ids: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.repeated or self.existing)


@dataclass(frozen=True)
class _Chunk:
    """Documents ready to write: ids, docs rows (without doc number), band triples as JSON.

    ``rows`` is empty when only the ids are checked (the batch has already failed).
    """

    ids: list[str]
    rows: list[tuple[Any, ...]]
    band_json: str


@dataclass
class _Stored:
    """An indexed document met by a query."""

    doc: int
    id: str
    title: str | None
    source: str | None
    length: int
    shingles: int
    signature: bytes  # raw; decoded only for estimates
    text: bytes | None


class DuplicateIndex:
    """A persistent MinHash LSH index of documents in one SQLite file.

    Make one with :meth:`create`, open an existing one with :meth:`open`; use it as a context
    manager (or call :meth:`close`). Not thread-safe; use one instance per thread or process
    (processes may share the file).
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: str,
        parameters: Parameters,
        store_text: bool,
        format_version: int,
        created_by: str,
    ) -> None:
        """Use :meth:`create` or :meth:`open`."""
        self._db = connection
        self.path = path
        self.parameters = parameters
        self.store_text = store_text
        self.format_version = format_version
        self.created_by = created_by
        self._banding = parameters.banding

    # ------------------------------------------------------------------ creation, opening

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        store_text: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        cache_mb: float = DEFAULT_CACHE_MB,
        **params: Any,
    ) -> DuplicateIndex:
        """Create a new, empty index file.

        Args:
            path: the file to create (it must not exist), or ``":memory:"``.
            store_text: keep each document's normalized text (zlib), so that matches are
                verified exactly and can be shown with passages. Without it, similarities
                are estimated from signatures.
            timeout: seconds to wait for another process's write transaction.
            cache_mb: SQLite page cache size in MiB.
            **params: :class:`~neardup.report.Parameters` fields (threshold, ngram, unit,
                num_perm, seed, bands, verify, html, markers).

        Raises:
            ParameterError: an unknown or out-of-range parameter.
            IndexFileError: the file exists already or cannot be created.
        """
        parameters = _parameters(params)
        name = os.fspath(path)
        if name != MEMORY and os.path.lexists(name):
            raise IndexFileError(f"{name}: cannot create index: file exists")
        try:
            db = _connect(name, timeout, cache_mb, create=True)
        except sqlite3.Error as exc:
            raise IndexFileError(f"{name}: cannot create index: {exc}") from None
        try:
            if name != MEMORY:
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise sqlite3.OperationalError("file exists")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            meta = {
                "format": FORMAT,
                "format_version": str(FORMAT_VERSION),
                "parameters": json.dumps(_params_json(parameters), ensure_ascii=False),
                "store_text": "1" if store_text else "0",
                "created_by": __version__,
            }
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(db)
            db.close()
            raise IndexFileError(f"{name}: cannot create index: {exc}") from None
        return cls(db, name, parameters, store_text, FORMAT_VERSION, __version__)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cache_mb: float = DEFAULT_CACHE_MB,
        **expected: Any,
    ) -> DuplicateIndex:
        """Open an existing index, checking that it is one and was made with ``expected``.

        Args:
            path: the index file.
            timeout: seconds to wait for another process's write transaction.
            cache_mb: SQLite page cache size in MiB.
            **expected: :class:`~neardup.report.Parameters` fields the index must have been
                made with (others are taken from the index).

        Raises:
            IndexFileError: the file does not exist, is not a neardup index (not SQLite, or an
                SQLite database of another application), is of a newer or older format
                version, is corrupt, or was made with other parameters. The message names
                the file and the reason.
            ParameterError: an unknown or out-of-range expected parameter.
        """
        name = os.fspath(path)
        unknown = sorted(set(expected) - set(_PARAMETER_NAMES))
        if unknown:
            raise ParameterError(f"unknown index parameter(s): {', '.join(unknown)}")
        if not os.path.isfile(name):
            raise IndexFileError(f"{name}: no such index file")
        _check_header(name)
        try:
            db = _connect(name, timeout, cache_mb, create=False)
        except sqlite3.Error as exc:
            raise IndexFileError(f"{name}: cannot open index: {exc}") from None
        try:
            index = cls._from_connection(db, name)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise IndexFileError(f"{name}: not a readable neardup index: {exc}") from None
        except BaseException:
            db.close()
            raise
        if expected:
            try:
                index._check_expected(expected)
            except BaseException:
                index.close()
                raise
        return index

    @classmethod
    def _from_connection(cls, db: sqlite3.Connection, name: str) -> DuplicateIndex:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise IndexFileError(
                f"{name}: not a neardup index (an SQLite database with application_id "
                f"{app_id:#x}, expected {APPLICATION_ID:#x})"
            )
        has_meta = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()[0]
        if not has_meta:
            raise IndexFileError(f"{name}: not a neardup index (no meta table)")
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise IndexFileError(f"{name}: not a neardup index (format {meta.get('format')!r})")
        try:
            version = int(meta.get("format_version", ""))
        except ValueError:
            raise IndexFileError(
                f"{name}: corrupt index: format_version {meta.get('format_version')!r}"
            ) from None
        if version > FORMAT_VERSION:
            raise IndexFileError(
                f"{name}: index format version {version} is newer than this neardup supports "
                f"({FORMAT_VERSION}); upgrade neardup"
            )
        if version < FORMAT_VERSION:
            raise IndexFileError(
                f"{name}: index format version {version} is older than this neardup's "
                f"({FORMAT_VERSION}); rebuild the index"
            )
        try:
            raw = json.loads(meta["parameters"])
            if not isinstance(raw, dict):
                raise TypeError("not an object")
            parameters = _parameters(raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexFileError(f"{name}: corrupt index: bad parameters ({exc})") from None
        for table in ("docs", "bands"):
            found = db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()[0]
            if not found:
                raise IndexFileError(f"{name}: corrupt index: table {table!r} is missing")
        return cls(
            db,
            name,
            parameters,
            meta.get("store_text") == "1",
            version,
            meta.get("created_by", "?"),
        )

    def _check_expected(self, expected: dict[str, Any]) -> None:
        merged = {**_params_kwargs(self.parameters), **expected}
        if {"threshold", "num_perm", "bands", "rows"} & set(expected):
            # the banding follows from the asked values unless given explicitly
            for name in ("bands", "rows"):
                if name not in expected:
                    merged.pop(name)
            if "bands" in expected and "rows" not in expected:
                merged.pop("rows", None)
        stored = _params_json(self.parameters)
        wanted = _params_json(_parameters(merged))
        compared = list(expected) + [k for k in ("bands", "rows") if k not in expected]
        differ = [
            f"{key} (index: {stored[key]!r}, asked: {wanted[key]!r})"
            for key in compared
            if stored[key] != wanted[key]
        ]
        if differ:
            raise IndexFileError(
                f"{self.path}: index was made with other parameters: {'; '.join(differ)}"
            )

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the file (idempotent)."""
        self._db.close()

    def __enter__(self) -> DuplicateIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        return self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def __repr__(self) -> str:
        return f"DuplicateIndex({self.path!r}, {self.parameters!r})"

    def ids(self) -> list[str]:
        """The indexed document ids, in the order they were added."""
        return [row[0] for row in self._db.execute("SELECT id FROM docs ORDER BY doc")]

    def info(self) -> IndexInfo:
        """Counts, parameters and size on disk (the file and its write-ahead log)."""
        size = 0
        if self.path != MEMORY:
            for suffix in ("", "-wal"):
                with contextlib.suppress(OSError):
                    size += os.path.getsize(self.path + suffix)
        band_rows = int(self._db.execute("SELECT count(*) FROM bands").fetchone()[0])
        return IndexInfo(
            path=self.path,
            format_version=self.format_version,
            created_by=self.created_by,
            parameters=self.parameters,
            store_text=self.store_text,
            documents=len(self),
            band_rows=band_rows,
            size_bytes=size,
        )

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The stored normalized texts of indexed documents (empty when ``store_text`` is off)."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for doc_id, blob in self._db.execute(
                f"SELECT id, text FROM docs WHERE id IN ({marks}) AND text IS NOT NULL", chunk
            ):
                out[doc_id] = _decompress(blob, self.path, doc_id)
        return out

    # ------------------------------------------------------------------ writing

    def add(
        self,
        documents: object,
        *,
        replace: bool = False,
        batch_size: int = BATCH_DOCS,
    ) -> AddResult:
        """Add documents, all in one transaction: afterwards either all are indexed or none.

        Documents are read, hashed and written ``batch_size`` at a time, so memory does not
        grow with the size of the input (beyond its ids).

        Args:
            documents: Documents, strings (ids "0", "1", ...), a dict id → text, or (id, text)
                tuples; any iterable, consumed once.
            replace: replace documents whose id is already indexed (otherwise an error).
            batch_size: documents hashed and written per step.

        Returns:
            Counts of documents read, added and replaced, and the skipped (empty) ones.

        Raises:
            DuplicateIdError: an id occurs twice in ``documents``.
            AlreadyIndexedError: ids already indexed, when ``replace`` is False (nothing added).
            InputError: an item is not a document.
            IndexFileError: the file cannot be written (e.g. locked longer than the timeout).
        """
        if batch_size < 1:
            raise ParameterError(f"batch_size must be >= 1 (got {batch_size})")
        state = _AddState()
        added = replaced = 0
        with self._transaction():
            last = self._db.execute("SELECT coalesce(max(doc), 0) FROM docs").fetchone()[0]
            next_doc = int(last) + 1
            for chunk in self._prepare(documents, batch_size, state):
                found = self._existing(chunk.ids)
                if found and not replace:
                    state.existing.extend(i for i in chunk.ids if i in found)
                if state.failed:
                    state.only_ids = True
                    continue
                replaced += self._delete(list(found.values()))
                self._insert(chunk, next_doc)
                next_doc += len(chunk.ids)
                added += len(chunk.ids)
            if state.repeated:
                raise DuplicateIdError(sorted(set(state.repeated)))
            if state.existing:
                raise AlreadyIndexedError(self.path, state.existing)
        return AddResult(read=state.read, added=added, replaced=replaced, skipped=state.skipped)

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove documents by id, in one transaction; returns how many were removed.

        Raises:
            InputError: ids that are not indexed (nothing removed), unless ``missing_ok``.
        """
        wanted = list(dict.fromkeys(ids))
        removed = 0
        with self._transaction():
            missing: list[str] = []
            for chunk in _chunks(wanted, 500):
                found = self._existing(chunk)
                missing.extend(i for i in chunk if i not in found)
                removed += self._delete(list(found.values()))
            if missing and not missing_ok:
                raise InputError(f"{self.path}: not in the index: {shown_ids(missing)}")
        return removed

    def _existing(self, ids: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        """id → (doc number, signature) of those of ``ids`` that are indexed."""
        found: dict[str, tuple[int, bytes]] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for doc_id, doc, sig in self._db.execute(
                f"SELECT id, doc, signature FROM docs WHERE id IN ({marks})", chunk
            ):
                found[doc_id] = (doc, sig)
        return found

    def _delete(self, rows: list[tuple[int, bytes]]) -> int:
        """Delete documents (doc number, signature) and their band rows (keys recomputed)."""
        if not rows:
            return 0
        sigs = np.stack([_signature(sig, self.parameters.num_perm, self.path) for _, sig in rows])
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

    def _prepare(
        self, documents: object, batch_size: int, state: _AddState
    ) -> Iterator[_Chunk]:
        """Chunks of documents, normalized and hashed, ready to be written."""
        seen: set[str] = set()
        docs: list[Document] = []
        chars = 0
        for doc in as_documents(documents):
            state.read += 1
            if isinstance(doc, Skipped):
                state.skipped.append(doc)
                continue
            if doc.id in seen:
                state.repeated.append(doc.id)
                continue
            seen.add(doc.id)
            docs.append(doc)
            chars += len(doc.text)
            if len(docs) >= batch_size or chars >= BATCH_CHARS:
                yield self._hash(docs, state)
                docs, chars = [], 0
        if docs:
            yield self._hash(docs, state)

    def _hash(self, docs: list[Document], state: _AddState) -> _Chunk:
        if state.failed or state.only_ids:  # the batch has failed: only ids are checked
            return _Chunk([d.id for d in docs], [], "")
        docs, cps = _normalized(docs, self.parameters, state.skipped)
        ids = [d.id for d in docs]
        sigs, counts = signatures_of_codepoints(cps, self.parameters)
        sigs = sigs.astype("<u4", copy=False)
        rows = [
            (
                doc.id,
                doc.title,
                doc.source,
                len(doc.text),
                count,
                sig.tobytes(),
                _compress(c) if self.store_text else None,
            )
            for doc, c, count, sig in zip(docs, cps, counts, sigs, strict=True)
        ]
        keys = band_keys(sigs, self._banding).view(np.int64)
        bands = np.broadcast_to(np.arange(keys.shape[1], dtype=np.int64), keys.shape).ravel()
        flat_keys = keys.ravel()
        offsets = np.repeat(np.arange(len(docs), dtype=np.int64), keys.shape[1])
        order = np.lexsort((offsets, flat_keys, bands))  # written in primary-key order
        triples = np.stack([bands[order], flat_keys[order], offsets[order]], axis=1)
        return _Chunk(ids, rows, json.dumps(triples.tolist(), separators=(",", ":")))

    def _insert(self, chunk: _Chunk, first_doc: int) -> None:
        self._db.executemany(
            "INSERT INTO docs (doc, id, title, source, length, shingles, signature, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((first_doc + k, *row) for k, row in enumerate(chunk.rows)),
        )
        # One statement per chunk: [band, key, offset] triples, parsed by SQLite's json_each
        # (much less per-row overhead than executemany).
        self._db.execute(
            "INSERT INTO bands (band, key, doc) "
            "SELECT value ->> 0, value ->> 1, (value ->> 2) + ? FROM json_each(?)",
            (first_doc, chunk.band_json),
        )

    # ------------------------------------------------------------------ querying

    def query(self, documents: object) -> DuplicateReport:
        """Near-duplicates of new documents among the indexed ones and among themselves.

        Each pair has ``a`` = a new document's id and ``b`` = the indexed document's id or
        another new document's (one that comes later in ``documents``). A new document whose
        id is already indexed is taken as a new version of that document: it is not
        compared with its own indexed entry. Nothing is written.

        Similarities are exact Jaccard of shingle sets when the index stores texts (and its
        ``verify`` parameter is ``"exact"``), otherwise estimates from signatures.

        Raises:
            DuplicateIdError: an id occurs twice in ``documents``.
            InputError: an item is not a document.
            IndexFileError: the index file cannot be read.
        """
        started = time.perf_counter()
        params = self.parameters
        given: list[Document] = []
        skipped: list[Skipped] = []
        seen: set[str] = set()
        repeated: list[str] = []
        read = 0
        for doc in as_documents(documents):
            read += 1
            if isinstance(doc, Skipped):
                skipped.append(doc)
                continue
            if doc.id in seen:
                repeated.append(doc.id)
                continue
            seen.add(doc.id)
            given.append(doc)
        if repeated:
            raise DuplicateIdError(sorted(set(repeated)))
        new_docs, new_cps = _normalized(given, params, skipped)
        n = len(new_docs)
        if n:
            sigs, counts = signatures_of_codepoints(new_cps, params)
        else:
            sigs, counts = np.empty((0, params.num_perm), dtype=np.uint32), []
        keys = band_keys(sigs, self._banding)
        inner = candidate_pairs(keys)
        hits, stored = self._lookup(keys)
        exact = self.store_text and params.verify == "exact"
        sets: dict[int, U32] = {}

        # Nodes 0..n-1 are the new documents, n.. the indexed ones met (in doc number order).
        old_docs = sorted(stored)
        node_of = {doc: n + k for k, doc in enumerate(old_docs)}
        olds = [stored[d] for d in old_docs]

        def cps_of(node: int) -> U32:
            if node < n:
                return new_cps[node]
            old = olds[node - n]
            text = _decompress(old.text, self.path, old.id) if old.text is not None else ""
            return codepoints(text)

        def shingles_of(node: int) -> U32:
            found = sets.get(node)
            if found is None:
                found = self._shingle_sets([cps_of(node)])[0]
                sets[node] = found
            return found

        num_perm = params.num_perm

        def similarity(i: int, j: int) -> tuple[float, float]:
            if exact:
                return jaccard_containment(shingles_of(i), shingles_of(j))
            sig_i = sigs[i] if i < n else _signature(olds[i - n].signature, num_perm, self.path)
            sig_j = sigs[j] if j < n else _signature(olds[j - n].signature, num_perm, self.path)
            count_i = counts[i] if i < n else olds[i - n].shingles
            count_j = counts[j] if j < n else olds[j - n].shingles
            jac = estimate_jaccard(sig_i, sig_j)
            return jac, estimate_containment(jac, count_i, count_j)

        candidates = [(int(i), int(j)) for i, j in inner.tolist()]
        candidates += [
            (i, node_of[doc]) for i, doc in hits if olds[node_of[doc] - n].id != new_docs[i].id
        ]
        candidates.sort()
        if exact:  # all shingle sets needed, computed in a few whole-array steps
            nodes = sorted({node for edge in candidates for node in edge})
            computed = self._shingle_sets([cps_of(node) for node in nodes])
            sets.update(zip(nodes, computed, strict=True))
        pairs: list[Pair] = []
        edges: list[tuple[int, int]] = []
        for i, j in candidates:
            jac, cont = similarity(i, j)
            if jac >= params.threshold:
                b_id = new_docs[j].id if j < n else olds[j - n].id
                pairs.append(Pair(new_docs[i].id, b_id, jac, cont))
                edges.append((i, j))

        def node_id(node: int) -> str:
            return new_docs[node].id if node < n else olds[node - n].id

        lengths = np.array(
            [len(d.text) for d in new_docs] + [o.length for o in olds], dtype=np.int64
        )
        clusters: list[Cluster] = []
        for group in components(edges):
            rep = representative(group, lengths)
            members = tuple(
                ClusterMember(node_id(m), 1.0 if m == rep else similarity(rep, m)[0])
                for m in group
            )
            clusters.append(Cluster(node_id(rep), members))

        involved = {node for edge in edges for node in edge}
        infos: dict[str, DocumentInfo] = {}
        for node in sorted(involved):
            if node < n:
                doc = new_docs[node]
                infos[doc.id] = DocumentInfo(doc.title, doc.source, len(doc.text))
            else:
                old = olds[node - n]
                infos.setdefault(old.id, DocumentInfo(old.title, old.source, old.length))
        return DuplicateReport(
            parameters=params,
            pairs=pairs,
            clusters=clusters,
            skipped=skipped,
            counts=Counts(
                documents=read,
                processed=n,
                skipped=len(skipped),
                candidates=len(candidates),
                pairs=len(pairs),
                clusters=len(clusters),
            ),
            verification="exact" if exact else "estimate",
            seconds=time.perf_counter() - started,
            documents=infos,
        )

    def _shingle_sets(self, cps: list[U32]) -> list[U32]:
        """Sorted shingle hash sets of normalized texts (as :func:`~neardup.shingle_set`)."""
        ngram, unit = self.parameters.ngram, self.parameters.unit
        if unit != "char":
            return [shingle_set(from_codepoints(c), ngram, unit) for c in cps]
        return char_shingle_sets(cps, ngram)

    def _lookup(self, keys: U64) -> tuple[list[tuple[int, int]], dict[int, _Stored]]:
        """(new document position, indexed doc number) sharing a band key, and those docs."""
        if keys.shape[0] == 0:
            return [], {}
        signed = keys.view(np.int64)
        positions = np.repeat(np.arange(keys.shape[0], dtype=np.int64), keys.shape[1])
        bands = np.broadcast_to(np.arange(keys.shape[1], dtype=np.int64), keys.shape).ravel()
        db = self._db
        try:
            db.execute("BEGIN")
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS query_keys "
                "(band INTEGER NOT NULL, key INTEGER NOT NULL, pos INTEGER NOT NULL)"
            )
            db.execute("DELETE FROM temp.query_keys")
            db.executemany(
                "INSERT INTO temp.query_keys (band, key, pos) VALUES (?, ?, ?)",
                zip(bands.tolist(), signed.ravel().tolist(), positions.tolist(), strict=True),
            )
            # CROSS JOIN keeps query_keys as the outer loop: one primary-key probe per key.
            hits = [
                (int(pos), int(doc))
                for pos, doc in db.execute(
                    "SELECT DISTINCT q.pos, b.doc FROM temp.query_keys AS q "
                    "CROSS JOIN bands AS b ON b.band = q.band AND b.key = q.key"
                )
            ]
            stored: dict[int, _Stored] = {}
            wanted = sorted({doc for _, doc in hits})
            text_column = "text" if self.store_text else "NULL"
            for chunk in _chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                for row in db.execute(
                    "SELECT doc, id, title, source, length, shingles, signature, "
                    f"{text_column} FROM docs WHERE doc IN ({marks})",
                    chunk,
                ):
                    stored[row[0]] = _Stored(
                        row[0], row[1], row[2], row[3], row[4], row[5],
                        _checked_blob(row[6], self.parameters.num_perm, self.path), row[7],
                    )
            db.execute("DELETE FROM temp.query_keys")
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            _rollback(db)
            raise IndexFileError(f"{self.path}: cannot read index: {exc}") from None
        return hits, stored

    # ------------------------------------------------------------------ transactions

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection, path: str) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise IndexFileError(f"{self._path}: cannot write index: {exc}") from None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            _rollback(self._db)
            if isinstance(exc, sqlite3.DatabaseError):
                raise IndexFileError(f"{self._path}: cannot write index: {exc}") from None
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            _rollback(self._db)
            raise IndexFileError(f"{self._path}: cannot write index: {exc}") from None


# ---------------------------------------------------------------------- helpers


def _connect(name: str, timeout: float, cache_mb: float, *, create: bool) -> sqlite3.Connection:
    if name == MEMORY:
        db = sqlite3.connect(MEMORY, isolation_level=None)
    else:
        mode = "rwc" if create else "rw"
        uri = Path(name).absolute().as_uri() + f"?mode={mode}"
        db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA cache_size = {-max(int(cache_mb * 1024), 1)}")  # negative: KiB
    db.execute("PRAGMA temp_store = MEMORY")
    return db


def _check_header(name: str) -> None:
    try:
        with open(name, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise IndexFileError(f"{name}: cannot read index: {exc.strerror}") from None
    if head != _SQLITE_MAGIC:
        what = "an empty file" if not head else "not an SQLite database"
        raise IndexFileError(f"{name}: not a neardup index ({what})")


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def _parameters(params: dict[str, Any]) -> Parameters:
    unknown = sorted(set(params) - set(_PARAMETER_NAMES))
    if unknown:
        raise ParameterError(f"unknown index parameter(s): {', '.join(unknown)}")
    if "markers" in params and params["markers"] is not None:
        params = {**params, "markers": tuple(params["markers"])}
    elif "markers" in params:
        params = {k: v for k, v in params.items() if k != "markers"}
    return Parameters(**params)


def _params_kwargs(parameters: Parameters) -> dict[str, Any]:
    return {name: getattr(parameters, name) for name in _PARAMETER_NAMES}


def _params_json(parameters: Parameters) -> dict[str, Any]:
    return parameters.to_dict()


def _normalized(
    docs: list[Document], params: Parameters, skipped: list[Skipped]
) -> tuple[list[Document], list[U32]]:
    """The documents that are not empty after normalization, and their normalized code
    points; the others are appended to ``skipped`` with the reason."""
    if not docs:
        return [], []
    flat, lengths = normalize_many([d.text for d in docs], params.normalize_options())
    parts = np.split(flat, np.cumsum(lengths)[:-1])
    kept_docs: list[Document] = []
    kept_cps: list[U32] = []
    for doc, cps in zip(docs, parts, strict=True):
        if cps.size:
            kept_docs.append(doc)
            kept_cps.append(cps)
        else:
            skipped.append(Skipped(doc.id, _empty_reason(doc.text)))
    return kept_docs, kept_cps


def _empty_reason(text: str) -> str:
    return "empty document" if not text.strip() else "empty after normalization"


def _compress(cps: U32) -> bytes:
    return zlib.compress(from_codepoints(cps).encode("utf-8", "surrogatepass"), 1)


def _decompress(blob: bytes, path: str, doc_id: str) -> str:
    try:
        return zlib.decompress(blob).decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise IndexFileError(f"{path}: corrupt index: text of {doc_id!r} ({exc})") from None


def _checked_blob(blob: bytes, num_perm: int, path: str) -> bytes:
    if not isinstance(blob, bytes) or len(blob) != 4 * num_perm:
        raise IndexFileError(f"{path}: corrupt index: a signature is not {num_perm} uint32 values")
    return blob


def _signature(blob: bytes, num_perm: int, path: str) -> U32:
    if not isinstance(blob, bytes) or len(blob) != 4 * num_perm:
        raise IndexFileError(f"{path}: corrupt index: a signature is not {num_perm} uint32 values")
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
