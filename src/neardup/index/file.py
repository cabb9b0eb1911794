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
from dataclasses import dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any

from .._version import __version__
from ..errors import IndexFileError, ParameterError
from ..parameters import PARAMETER_FIELDS, Parameters, field_info

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

QUERY_PARAMETERS = ("containment", "max_df")
"""The :class:`~neardup.parameters.Parameters` fields each query chooses
(:meth:`~neardup.index.DuplicateIndex.query`): they are not index parameters, never recorded
in the file nor checked against it."""
COPIES_PARAMETERS = ("rewrite", "formula_df")
"""The :class:`~neardup.parameters.Parameters` fields of the rewrite search and the copies
judgement, which each query chooses too (an index of format 3 keeps the 4-grams and
sampled shingles they read; ``neardup check`` takes them from ``--preset copies``): not
index parameters either, never recorded."""
SCAN_ONLY = COPIES_PARAMETERS
"""The fields without an option of ``neardup index create`` or ``neardup check`` (the CLI's
name for :data:`COPIES_PARAMETERS`)."""
PARAMETER_NAMES = tuple(
    f.name for f in fields(Parameters) if f.name not in QUERY_PARAMETERS + COPIES_PARAMETERS
)
"""The index parameters: those recorded in the file, fixed for its lifetime."""
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


def recorded_parameters(parameters: Parameters) -> dict[str, Any]:
    """The index parameters as the ``meta`` table records them (JSON-ready, without the
    :data:`QUERY_PARAMETERS`)."""
    left_out = QUERY_PARAMETERS + COPIES_PARAMETERS
    return {k: v for k, v in parameters.to_dict().items() if k not in left_out}


def check_names(params: dict[str, Any]) -> None:
    """Raise unless every name in ``params`` is an index parameter.

    Raises:
        ParameterError: an unknown name, a query parameter (containment, max_df), a
            rewrite search or the copies judgement (rewrite, formula_df).
    """
    judged = sorted(k for k in set(params) & set(COPIES_PARAMETERS) if params[k] is not None)
    if judged:
        raise ParameterError(
            f"{', '.join(judged)} is chosen per query, not an index parameter: pass it to "
            "DuplicateIndex.query() (neardup check --preset copies)"
        )
    params = {k: v for k, v in params.items() if k not in COPIES_PARAMETERS}
    query_time = sorted(set(params) & set(QUERY_PARAMETERS))
    if query_time:
        raise ParameterError(
            f"{', '.join(query_time)} is chosen per query, not an index parameter: pass it "
            "to DuplicateIndex.query() (neardup check --containment, --max-df)"
        )
    unknown = sorted(set(params) - set(PARAMETER_NAMES))
    if unknown:
        raise ParameterError(f"unknown index parameter(s): {', '.join(unknown)}")


def parameters_from(params: dict[str, Any]) -> Parameters:
    """:class:`~neardup.parameters.Parameters` from the index parameters (as the meta table
    or a caller gives them; ``markers`` may be a list, or None for the default).

    Raises:
        ParameterError: an unknown or out-of-range parameter, or a query parameter
            (containment, max_df), which each query chooses.
    """
    check_names(params)
    params = {name: _as_recorded(name, value) for name, value in params.items()}
    if "markers" in params and params["markers"] is not None:
        params = {**params, "markers": tuple(params["markers"])}
    elif "markers" in params:
        params = {k: v for k, v in params.items() if k != "markers"}
    return Parameters(**params)


def _as_recorded(name: str, value: Any) -> Any:
    """A stored value as its field takes it: earlier versions accepted, and recorded, 0 and 1
    for a flag and True or False for an integer (JSON keeps them apart)."""
    kind = field_info(name).kind if name in PARAMETER_FIELDS else None
    if kind == "flag" and type(value) is int and value in (0, 1):
        return bool(value)
    if kind == "integer" and isinstance(value, bool):
        return int(value)
    return value


def check_parameters(name: str, parameters: Parameters, expected: dict[str, Any]) -> None:
    """Check that an index was made with the ``expected`` parameter values.

    Raises:
        IndexFileError: naming each parameter that differs.
        ParameterError: an out-of-range expected parameter.
    """
    merged = {**{n: getattr(parameters, n) for n in PARAMETER_NAMES}, **expected}
    if {"threshold", "num_perm", "bands", "rows"} & set(expected):
        # the banding follows from the asked values unless given explicitly
        for key in ("bands", "rows"):
            if key not in expected:
                merged.pop(key)
        if "bands" in expected and "rows" not in expected:
            merged.pop("rows", None)
    stored = parameters.to_dict()
    wanted = parameters_from(merged).to_dict()
    compared = list(expected) + [k for k in ("bands", "rows") if k not in expected]
    differ = [
        f"{key} (index: {stored[key]!r}, asked: {wanted[key]!r})"
        for key in compared
        if stored[key] != wanted[key]
    ]
    if differ:
        raise IndexFileError(f"{name}: index was made with other parameters: {'; '.join(differ)}")


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
