"""The index file: creating it, opening it with its header and meta checked, and the
SQLite connection and transactions.

The format itself is specified in :mod:`neardup.index`; :data:`SCHEMA` is its tables.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .._version import __version__
from ..errors import IndexFileError
from ..parameters import Parameters
from ..stages.recorded import QUERY_PARAMETERS, parameters_from, recorded_parameters

APPLICATION_ID = 0x4E445550  # "NDUP"
FORMAT = "neardup-index"
FORMAT_VERSION = 4
OLDEST_FORMAT_VERSION = 1
"""The oldest format version this neardup opens: format 1 has no fingerprints (Jaccard
queries only), format 2 no sampled shingles nor 4-grams (no copies judgement, no rewrite
search), format 3 no texts as written (passages of indexed documents shown in their
normalized text)."""
FINGERPRINTS_SINCE = 2
"""The format version that added the ``fingerprints`` table and column."""
COPIES_SINCE = 3
"""The format version that added the ``sampled`` and ``grams`` tables and the ``docs``
columns ``sentences``, ``sampled`` and ``grams`` (the copies judgement, the rewrite
search)."""
ORIGINALS_SINCE = 4
"""The format version that added the ``docs`` column ``original``: each document's text as
it was added, which reports show its passages in."""
DEFAULT_TIMEOUT = 60.0
"""Seconds a writer waits for another process's transaction before giving up."""
DEFAULT_CACHE_MB = 64.0
"""SQLite page cache per connection, in MiB (the band-key B-tree's hot pages live here)."""
MEMORY = ":memory:"
REBUILD_HINT = (
    "rebuild it: `neardup index create NEW` with its parameters, then `neardup index add NEW` "
    "with the documents (`neardup index verify` lists the damage)"
)
"""What a refusal to use a damaged index tells the user to do."""

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    source TEXT,
    length INTEGER NOT NULL,
    shingles INTEGER NOT NULL,
    signature BLOB NOT NULL,
    fingerprints BLOB NOT NULL,
    text BLOB,
    sentences BLOB,
    sampled INTEGER NOT NULL DEFAULT 0,
    grams INTEGER NOT NULL DEFAULT 0,
    original BLOB
);
CREATE TABLE bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (band, key, doc)
) WITHOUT ROWID;
CREATE TABLE fingerprints (
    fingerprint INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, doc)
) WITHOUT ROWID;
CREATE TABLE sampled (
    shingle INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (shingle, doc)
) WITHOUT ROWID;
CREATE TABLE grams (
    gram INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (gram, doc)
) WITHOUT ROWID;
"""

_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Header:
    """What an index file says about itself (its ``meta`` table)."""

    parameters: Parameters
    store_text: bool
    format_version: int
    created_by: str
    copies: bool = False
    """Whether it keeps what the rewrite search and the copies judgement read (format 3,
    made with ``copies``)."""


def create_file(
    name: str, parameters: Parameters, store_text: bool, timeout: float, cache_mb: float,
    copies: bool = False,
) -> sqlite3.Connection:
    """Create an empty index file (or an index in memory) and connect to it.

    Raises:
        IndexFileError: the file exists already or cannot be created.
    """
    if name != MEMORY and os.path.lexists(name):
        raise IndexFileError(f"{name}: cannot create index: file exists")
    folder = os.path.dirname(name)
    if name != MEMORY and folder and not os.path.isdir(folder):
        raise IndexFileError(f"{name}: cannot create index: no such directory {folder!r}")
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
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        meta = {
            "format": FORMAT,
            "format_version": str(FORMAT_VERSION),
            "parameters": json.dumps(recorded_parameters(parameters), ensure_ascii=False),
            "store_text": "1" if store_text else "0",
            "copies": "1" if copies else "0",
            "created_by": __version__,
        }
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        rollback(db)
        db.close()
        raise IndexFileError(f"{name}: cannot create index: {exc}") from None
    return db


def open_file(name: str, timeout: float, cache_mb: float) -> tuple[sqlite3.Connection, Header]:
    """Connect to an existing index file, checking that it is one, and read its header.

    Raises:
        IndexFileError: the file does not exist, is not a neardup index (not SQLite, or an
            SQLite database of another application), is of a newer or older format
            version, or is corrupt. The message names the file and the reason.
    """
    if not os.path.isfile(name):
        raise IndexFileError(f"{name}: no such index file")
    _check_magic(name)
    try:
        db = _connect(name, timeout, cache_mb, create=False)
    except sqlite3.Error as exc:
        raise IndexFileError(f"{name}: cannot open index: {exc}") from None
    try:
        return db, _read_header(db, name)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise IndexFileError(f"{name}: not a readable neardup index: {exc}") from None
    except BaseException:
        db.close()
        raise


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception; SQLite errors
    become :class:`~neardup.errors.IndexFileError` naming the file.

    When another process is writing, ``on_wait(timeout)`` is called at once (so that a
    person is told why nothing happens), then the transaction waits up to ``timeout``
    seconds for it.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        path: str,
        timeout: float = DEFAULT_TIMEOUT,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        self._db = db
        self._path = path
        self._timeout = timeout
        self._on_wait = on_wait

    def __enter__(self) -> None:
        try:
            if self._on_wait is not None and not self._begin_at_once():
                self._on_wait(self._timeout)
                self._db.execute("BEGIN IMMEDIATE")
            elif self._on_wait is None:
                self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise IndexFileError(
                    f"{self._path}: cannot write index: another process was still writing "
                    f"it after {self._timeout:g} s"
                ) from None
            raise IndexFileError(f"{self._path}: cannot write index: {exc}") from None

    def _begin_at_once(self) -> bool:
        """Begin without waiting; False when another process holds the write lock."""
        busy = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
            return False
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(busy)}")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            rollback(self._db)
            if isinstance(exc, sqlite3.DatabaseError):
                raise IndexFileError(f"{self._path}: cannot write index: {exc}") from None
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            rollback(self._db)
            raise IndexFileError(f"{self._path}: cannot write index: {exc}") from None


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any (errors ignored: the caller reports its own)."""
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


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


def _check_magic(name: str) -> None:
    """Raise unless the file starts as an SQLite database does."""
    try:
        with open(name, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise IndexFileError(f"{name}: cannot read index: {exc.strerror}") from None
    if head != _SQLITE_MAGIC:
        what = "an empty file" if not head else "not an SQLite database"
        raise IndexFileError(f"{name}: not a neardup index ({what})")


def _read_header(db: sqlite3.Connection, name: str) -> Header:
    """The file's header, checked: application id, meta table, format and version,
    parameters, and the other tables."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise IndexFileError(
            f"{name}: not a neardup index (an SQLite database with application_id "
            f"{app_id:#x}, expected {APPLICATION_ID:#x})"
        )
    if not _has_table(db, "meta"):
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
    _check_version(name, version)
    try:
        raw = json.loads(meta["parameters"])
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        # neardup 0.1.0 recorded the query parameters too (containment null, max_df 50)
        parameters = parameters_from(
            {k: v for k, v in raw.items() if k not in QUERY_PARAMETERS}
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexFileError(f"{name}: corrupt index: bad parameters ({exc})") from None
    tables = ["docs", "bands"]
    if version >= FINGERPRINTS_SINCE:
        tables.append("fingerprints")
    if version >= COPIES_SINCE:
        tables += ["sampled", "grams"]
    for table in tables:
        if not _has_table(db, table):
            raise IndexFileError(f"{name}: corrupt index: table {table!r} is missing")
    copies = version >= COPIES_SINCE and meta.get("copies", "1") == "1"
    return Header(parameters, meta.get("store_text") == "1", version, meta.get("created_by", "?"),
                  copies)


def _check_version(name: str, version: int) -> None:
    """Raise unless this neardup reads files of this format version."""
    if version > FORMAT_VERSION:
        raise IndexFileError(
            f"{name}: index format version {version} is newer than this neardup supports "
            f"({FORMAT_VERSION}); upgrade neardup"
        )
    if version < OLDEST_FORMAT_VERSION:
        raise IndexFileError(
            f"{name}: index format version {version} is older than this neardup reads "
            f"({OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}); rebuild the index"
        )


def _has_table(db: sqlite3.Connection, table: str) -> bool:
    found = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    return bool(found)
