""":class:`DuplicateIndex`, the index's API: create or open a file, add, remove, query.

The file format is specified in :mod:`neardup.index`; the file itself is handled by
:mod:`neardup.index.file`, its tables by :mod:`neardup.index.statements`, additions by
:mod:`neardup.index.adding` and queries by :mod:`neardup.index.query`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .._version import __version__
from ..errors import AlreadyIndexedError, IndexFileError, InputError, ParameterError, shown_ids
from ..parameters import PARAMETER_FIELDS, Parameters, preset_values, resolve_parameters
from ..report import DuplicateReport, Skipped
from ..stages.hashing import BATCH_DOCS
from ..stages.recorded import (
    QUERY_PARAMETERS,
    SCAN_ONLY,
    check_names,
    check_parameters,
    recorded_parameters,
)
from .adding import Adding, rows_to_add
from .damage import (
    IndexCheck,
    count_problems,
    glance_problems,
    quick_problems,
    verify_problems,
)
from .file import (
    COPIES_SINCE,
    DEFAULT_CACHE_MB,
    DEFAULT_TIMEOUT,
    FINGERPRINTS_SINCE,
    FORMAT,
    FORMAT_VERSION,
    MEMORY,
    ORIGINALS_SINCE,
    REBUILD_HINT,
    Header,
    Transaction,
    create_file,
    open_file,
)
from .query import query_index
from .statements import Tables


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
    fingerprint_rows: int | None = None
    """Rows of the fingerprint table; None in an index of format 1, which has none (and
    answers no containment query)."""
    sampled_rows: int | None = None
    """Rows of the ``sampled`` table; None before format 3 (no copies judgement)."""
    gram_rows: int | None = None
    """Rows of the ``grams`` table; None before format 3 (no rewrite search)."""
    copies: bool = False
    """Whether it keeps what ``check --preset copies`` reads (made with ``copies``)."""
    texts_as_added: bool = False
    """Whether it keeps each text as it was added (format 4 with texts), which reports show
    passages in; before format 4 only normalized texts are kept."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "path": self.path,
            "format": FORMAT,
            "format_version": self.format_version,
            "created_by": self.created_by,
            "parameters": recorded_parameters(self.parameters),
            "store_text": self.store_text,
            "documents": self.documents,
            "band_rows": self.band_rows,
            "fingerprint_rows": self.fingerprint_rows,
            "sampled_rows": self.sampled_rows,
            "gram_rows": self.gram_rows,
            "copies": self.copies,
            "texts_as_added": self.texts_as_added,
            "size_bytes": self.size_bytes,
        }


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
        copies: bool = False,
    ) -> None:
        """Use :meth:`create` or :meth:`open`."""
        self._connection = connection
        self._closed = False
        self.path = path
        self.timeout = DEFAULT_TIMEOUT
        self.on_wait: Callable[[float], None] | None = None
        """Called at once with the timeout when a write must wait for another process."""
        self.parameters = parameters
        self.store_text = store_text
        self.format_version = format_version
        self.created_by = created_by
        self.copies = copies and format_version >= COPIES_SINCE
        """Whether it keeps what ``check --preset copies`` reads (made with ``copies``)."""
        self._open_tables = Tables(
            connection,
            path,
            parameters.num_perm,
            parameters.banding,
            fingerprints=format_version >= FINGERPRINTS_SINCE,
            copies=self.copies,
            originals=format_version >= ORIGINALS_SINCE,
        )

    # ------------------------------------------------------------------ creation, opening

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        params: Parameters | None = None,
        *,
        preset: str | None = None,
        store_text: bool = True,
        copies: bool | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        cache_mb: float = DEFAULT_CACHE_MB,
        **overrides: Any,
    ) -> DuplicateIndex:
        """Create a new, empty index file, made with :class:`~neardup.parameters.Parameters`:
        ``params``, or the ``preset``'s, or the defaults, with ``overrides`` (its fields), as
        for :func:`~neardup.find_duplicates`.

        Each query chooses ``containment`` and ``max_df`` (:meth:`query`), and an index runs
        no rewrite search: given as overrides they are refused; those of ``params`` or of
        the preset are left out (the index records the others).

        Args:
            path: the file to create (it must not exist), or ``":memory:"``.
            params: the parameters (default: the ``preset``'s, or the defaults).
            preset: a name of :data:`~neardup.parameters.PRESETS`.
            store_text: keep each document's normalized text and its text as added (zlib),
                so that matches are verified exactly and can be shown with passages.
                Without it, similarities are estimated from signatures.
            copies: keep what the rewrite search and the copies judgement read (each
                document's 4-grams, sampled shingles and sentences), so that queries with
                ``rewrite`` or ``formula_df`` (``neardup check --preset copies``) can run:
                3 to 4 times the file and 1.6 to 3 times the time of :meth:`add`
                (1,000 laws: 88 MiB instead of 22). Default: when the preset or ``params``
                ask for either (``preset="copies"``). It needs ``store_text``.
            timeout: seconds to wait for another process's write transaction.
            cache_mb: SQLite page cache size in MiB.
            **overrides: :class:`~neardup.parameters.Parameters` fields to change (threshold,
                ngram, unit, num_perm, seed, bands, verify, html, markers, script, synonyms).

        Raises:
            ParameterError: an unknown or out-of-range parameter, a query parameter or
                ``rewrite``; ``copies`` without ``store_text``.
            IndexFileError: the file exists already or cannot be created.

        Example:
            >>> with DuplicateIndex.create(":memory:", preset="copies", ngram=4) as index:
            ...     p = index.parameters
            >>> p.threshold, p.ngram, p.script, p.containment
            (0.5, 4, 'simplified', None)
        """
        check_names(overrides)
        left_out: dict[str, Any] = {
            n: PARAMETER_FIELDS[n].default for n in QUERY_PARAMETERS + SCAN_ONLY
        }
        if params is None:  # the preset without what an index leaves out, then the overrides
            kept = {n: v for n, v in preset_values(preset).items() if n not in left_out}
            parameters = resolve_parameters(**{**kept, **overrides})
        else:
            parameters = resolve_parameters(replace(params, **left_out), preset, **overrides)
        asked = params if params is not None else resolve_parameters(preset=preset)
        if copies is None:
            copies = store_text and (asked.rewrite is not None or asked.formula_df is not None)
        elif copies and not store_text:
            raise ParameterError("copies needs store_text: the copies judgement and the "
                                 "rewrite search verify pairs on the texts")
        name = os.fspath(path)
        db = create_file(name, parameters, store_text, timeout, cache_mb, copies)
        index = cls(db, name, parameters, store_text, FORMAT_VERSION, __version__, copies)
        index.timeout = timeout
        return index

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
            **expected: :class:`~neardup.parameters.Parameters` fields the index must have
                been made with (others are taken from the index).

        An index of format 1 (made before fingerprints were kept) opens and answers
        Jaccard queries, and takes additions and removals (it stays format 1); a
        containment query on it is refused (:meth:`query`).

        Raises:
            IndexFileError: the file does not exist, is not a neardup index (not SQLite, or an
                SQLite database of another application), is of a newer or older format
                version, is corrupt, or was made with other parameters. The message names
                the file and the reason.
            ParameterError: an unknown or out-of-range expected parameter, or a query
                parameter (containment, max_df).
        """
        name = os.fspath(path)
        check_names(expected)
        db, header = open_file(name, timeout, cache_mb)
        index = cls(
            db,
            name,
            header.parameters,
            header.store_text,
            header.format_version,
            header.created_by,
            header.copies,
        )
        index.timeout = timeout
        if expected:
            try:
                check_parameters(name, header.parameters, expected)
            except BaseException:
                index.close()
                raise
        return index

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the file (idempotent); the index is of no use after."""
        self._connection.close()
        self._closed = True

    @property
    def _db(self) -> sqlite3.Connection:
        self._refuse_closed()
        return self._connection

    @property
    def _tables(self) -> Tables:
        self._refuse_closed()
        return self._open_tables

    def _refuse_closed(self) -> None:
        """Raise :class:`~neardup.errors.IndexFileError` on a closed index (it was SQLite's
        ``ProgrammingError``, outside neardup's errors)."""
        if self._closed:
            raise IndexFileError(f"{self.path}: the index is closed (open it again: "
                                 "DuplicateIndex.open)")

    def __enter__(self) -> DuplicateIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._tables.count()

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._tables.has(doc_id)

    def __repr__(self) -> str:
        return f"DuplicateIndex({self.path!r}, {self.parameters!r})"

    @property
    def has_fingerprints(self) -> bool:
        """Whether the index keeps fingerprints (format 2 on), which containment queries
        need."""
        return self._tables.fingerprints

    def ids(self) -> list[str]:
        """The indexed document ids, in the order they were added."""
        return self._tables.ids()

    def info(self) -> IndexInfo:
        """Counts, parameters and size on disk (the file and its write-ahead log).

        Raises:
            IndexFileError: the tables cannot be read, a glance at the file finds it
                damaged, or its row counts disagree (a damaged file).
        """
        size = 0
        if self.path != MEMORY:
            for suffix in ("", "-wal"):
                with contextlib.suppress(OSError):
                    size += os.path.getsize(self.path + suffix)
        try:
            return self._info(size)
        except sqlite3.DatabaseError as exc:
            raise IndexFileError(
                f"{self.path}: damaged index: cannot count its rows ({exc}); {REBUILD_HINT}"
            ) from None

    def _info(self, size: int) -> IndexInfo:
        self.glance()
        self._refuse(count_problems(self._db, self._header()), writing=False)
        copies = self._tables.copies_rows()
        return IndexInfo(
            path=self.path,
            format_version=self.format_version,
            created_by=self.created_by,
            parameters=self.parameters,
            store_text=self.store_text,
            documents=len(self),
            band_rows=self._tables.band_rows(),
            size_bytes=size,
            fingerprint_rows=self._tables.fingerprint_rows(),
            sampled_rows=copies[0] if copies else None,
            gram_rows=copies[1] if copies else None,
            copies=self.copies,
            texts_as_added=self.keeps_originals,
        )

    # ------------------------------------------------------------------ damage

    def verify(self) -> IndexCheck:
        """Check the whole file for damage: SQLite's ``integrity_check`` and neardup's
        invariants (every document's band rows and fingerprint rows re-derived, every
        stored text readable, counts that agree; see :mod:`neardup.index.damage`).
        Writes nothing."""
        try:
            documents = len(self)
        except sqlite3.DatabaseError:
            documents = -1
        problems = verify_problems(self._db, self._header())
        return IndexCheck(self.path, documents, tuple(problems))

    def check_sound(self, writing: bool = False) -> None:
        """Raise when a check of the whole file finds it damaged (SQLite's
        ``integrity_check``, which also sees rows out of order across pages, and the row
        counts); :meth:`add` and :meth:`remove` run it first. It reads the whole file
        (``quick_check`` took 26.7 s for a 1M-document index of 6 GiB; the order check adds
        about a third).

        Raises:
            IndexFileError: the damage found, and how to rebuild the index.
        """
        self._refuse(quick_problems(self._db, self._header()), writing)

    def glance(self) -> None:
        """Raise when a glance at the file finds it damaged: its size against its page
        count, the first and last rows of each table (a few pages, whatever the size of the
        index; see :mod:`neardup.index.damage`). :meth:`query` runs it first.

        Raises:
            IndexFileError: the damage found, and how to rebuild the index.
        """
        self._refuse(glance_problems(self._db, self.path, self._header()), writing=False)

    def _refuse(self, problems: list[str], writing: bool) -> None:
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise IndexFileError(
                f"{self.path}: damaged index: {problems[0]}{more}; "
                + ("nothing was written; " if writing else "")
                + REBUILD_HINT
            )

    def _header(self) -> Header:
        return Header(self.parameters, self.store_text, self.format_version, self.created_by,
                      self.copies)

    @property
    def keeps_originals(self) -> bool:
        """Whether the index keeps its documents' texts as they were added (format 4 with
        ``store_text``); before format 4 only their normalized texts are kept."""
        return self.store_text and self._tables.originals

    def texts(self, ids: Iterable[str], *, normalized: bool = False) -> dict[str, str]:
        """The stored texts of indexed documents, by id (empty when ``store_text`` is off):
        as they were added, which passages and reports show, or with ``normalized`` the
        normalized texts that queries compare. An index of format 3 or older keeps only the
        normalized texts, and gives those (:attr:`keeps_originals` is False)."""
        return self._tables.texts(ids, normalized)

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
            IndexFileError: the file cannot be written (e.g. locked longer than the timeout),
                or a quick check finds it damaged (:meth:`check_sound`; nothing written).
        """
        if batch_size < 1:
            raise ParameterError(f"batch_size must be >= 1 (got {batch_size})")
        adding = Adding()
        added = replaced = 0
        tables = self._tables
        chunks = rows_to_add(
            documents, batch_size, adding, self.parameters, self.store_text, tables.fingerprints,
            tables.copies, tables.originals,
        )
        with self._writing():
            next_doc = tables.next_doc()
            for rows in chunks:
                found = tables.existing(rows.ids)
                if found and not replace:
                    adding.existing.extend(i for i in rows.ids if i in found)
                if adding.failed:
                    continue
                replaced += tables.delete(list(found.values()))
                tables.insert(rows, next_doc)
                next_doc += len(rows.ids)
                added += len(rows.ids)
            adding.intake.check()
            if adding.existing:
                raise AlreadyIndexedError(self.path, adding.existing)
        read, skipped = adding.intake.read, adding.intake.skipped()
        return AddResult(read=read, added=added, replaced=replaced, skipped=skipped)

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove documents by id, in one transaction; returns how many were removed.

        Raises:
            InputError: ids that are not indexed (nothing removed), unless ``missing_ok``.
            IndexFileError: the file cannot be written, or a quick check finds it damaged
                (:meth:`check_sound`; nothing removed).
        """
        wanted = list(dict.fromkeys(ids))
        with self._writing():
            removed, missing = self._tables.remove(wanted)
            if missing and not missing_ok:
                raise InputError(f"{self.path}: not in the index: {shown_ids(missing)}")
        return removed

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction, on a file found sound first (:meth:`check_sound`)."""
        with Transaction(self._db, self.path, self.timeout, self.on_wait):
            self.check_sound(writing=True)
            yield

    # ------------------------------------------------------------------ querying

    def query(
        self,
        documents: object,
        *,
        preset: str | None = None,
        containment: float | None = None,
        max_df: int | None = None,
        rewrite: float | None = None,
        formula_df: int | None = None,
    ) -> DuplicateReport:
        """Near-duplicates of new documents among the indexed ones and among themselves,
        and with ``containment`` the documents that copy part of another.

        Each pair has ``a`` = a new document's id and ``b`` = the indexed document's id or
        another new document's (one that comes later in ``documents``). A new document whose
        id is already indexed is taken as a new version of that document: the indexed
        version is compared with none of ``documents``. Nothing is written.

        Similarities are exact Jaccard of shingle sets when the index stores texts (and its
        ``verify`` parameter is ``"exact"``), otherwise estimates from signatures.

        ``containment`` and ``max_df`` are chosen per query, like the options of a
        containment search of :func:`~neardup.find_duplicates`, and are recorded in the
        report's parameters (the others are the index's). Candidates are then the LSH
        candidates and the pairs that share enough winnowed fingerprints (looked up in the
        index's fingerprint table); a fingerprint held by more than ``max_df`` documents,
        indexed and new together, makes none (``report.counts.common_fingerprints`` counts
        them). Texts are verified as for Jaccard.

        Args:
            documents: the new documents (as :meth:`add` takes them).
            preset: the ``containment``, ``rewrite`` and ``formula_df`` of a preset, for
                those not given (``"copies"``: as ``neardup check --preset copies``; the
                index keeps the other parameters it was made with).
            containment: also report pairs whose containment (the share of the smaller
                document's shingles found in the other) is at least this, whatever their
                Jaccard.
            max_df: fingerprints held by more documents than this make no candidates
                (default 50).
            rewrite: also report rewritten copies whose rewrite resemblance reaches this
                (the rewrite search of :func:`~neardup.find_duplicates`; format 3 with
                texts).
            formula_df: judge every pair found by what it shares, text held by more than
                this many documents (indexed and new together) being formula: copies are
                reported, the others set apart (``report.set_apart``) with their reasons
                (the copies judgement of :func:`~neardup.find_duplicates`; format 3 with
                texts). With the copies preset's ``containment``, ``rewrite`` and
                ``formula_df``, the report holds what a scan of the indexed documents
                followed by the new ones reports of the pairs involving a new document.

        Raises:
            DuplicateIdError: an id occurs twice in ``documents``.
            InputError: an item is not a document.
            ParameterError: ``containment`` or ``max_df`` out of range, an unknown preset.
            IndexFileError: the index is closed, its file cannot be read, is found
                damaged (by a glance first, :meth:`glance`, or in what the query reads; the
                message says how to rebuild it), or ``containment`` is asked of an index of
                format 1, which keeps no fingerprints, or ``rewrite`` or ``formula_df`` of
                one before format 3 or without texts (the message says how to rebuild it).
        """
        chosen = preset_values(preset)
        given = {"containment": containment, "rewrite": rewrite, "formula_df": formula_df}
        query_time: dict[str, Any] = {
            name: chosen.get(name) if value is None else value for name, value in given.items()
        }
        if max_df is not None:
            query_time["max_df"] = max_df
        parameters = replace(self.parameters, **query_time)  # validated
        return query_index(
            self._tables, parameters, self.store_text, documents, before=self.glance,
            format_version=self.format_version,
        )
