"""The documents of a command's ``PATH...`` arguments: files, directories and standard input.

:class:`InputReader` is the one reader of every command: a :class:`~neardup.io.corpus.Corpus`
of the files and directories (so that the pipeline can re-read candidates), with standard
input (``-``) read up front, as one text or, with ``--jsonl``, as JSON Lines.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

import click
import numpy as np
import numpy.typing as npt

from ..errors import DuplicateIdError, InputError, NeardupError, shown_ids
from ..io.corpus import Corpus
from ..io.documents import (
    READ_KINDS,
    Document,
    decode_bytes,
    parse_jsonl_line,
    split_articles,
    text_field_not_found,
)
from ..io.outputs import refuse_input_as_output
from ..io.reasons import is_damage, is_partly_read, what_is
from ..io.records import Fetched, LineBlock, LinesAt, Record
from ..report import Skipped
from .messages import fail, note, warn
from .options import STDIN, InputSettings

STDIN_ID = "<stdin>"
"""The id (and source) of the text read from standard input, ``<stdin>:N`` of its lines."""


def check_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths, after checking that each exists and that ``-`` appears at most once.

    Exits with status 2 otherwise.
    """
    paths = tuple(paths)
    if paths.count(STDIN) > 1:
        raise click.UsageError("standard input ('-') can be given only once")
    for path in paths:
        if path != STDIN and not (os.path.isfile(path) or os.path.isdir(path)):
            fail(f"{path}: {what_is(Path(path))}")
    return paths


class InputReader(Corpus):
    """The files, directories and standard input ('-') of a command, read as a
    :class:`~neardup.io.corpus.Corpus`.

    Every :class:`~neardup.report.Skipped` file or line is kept in :attr:`skipped` and passed
    on after a warning; with ``strict`` the first one is an :class:`~neardup.errors.InputError`
    instead. A path that does not exist, or a file of an unsupported type named directly,
    exits with status 2.

    Args:
        paths: files, directories and '-' (at most once).
        settings: field names, ``jsonl`` and ``strict``.
        quiet: no warnings.
        name_skipped: what warnings and errors name a skipped input by: its ``source``
            (``path`` or ``path:line``, as ``scan`` does) or its ``id`` (as the index
            commands do, and their reports).
        root: files' ids are their paths relative to it (``index add`` and ``check``, see
            :func:`~neardup.io.corpus.file_id`); None: relative to the directory they were
            found in, else their names (``scan``, ``dedup``).
        skip_reports: leave out the reports neardup wrote in the directories read (not
            ``check``, a gate, which reads every file it is given).
        copies_lines: a line or record that holds no document is copied to the output as
            it is (``dedup``): its warning says "passed through", not "skipped".
        damage_fails: a file that cannot be read whole is an error the command raises
            (``index add``): it is recorded among :attr:`skipped` without a warning.
    """

    def __init__(
        self,
        paths: Iterable[str],
        settings: InputSettings,
        *,
        quiet: bool,
        name_skipped: Literal["source", "id"] = "source",
        copies_lines: bool = False,
        damage_fails: bool = False,
        root: str | None = None,
        skip_reports: bool = True,
    ) -> None:
        paths = check_paths(paths)
        try:
            super().__init__(
                [p for p in paths if p != STDIN],
                id_field=settings.id_field,
                text_field=settings.text_field,
                title_field=settings.title_field,
                root=root,
                skip_reports=skip_reports,
            )
        except InputError as exc:
            fail(str(exc))
        for where, what, count in _grouped(self.left_out):
            note(f"{where}: left out, {what} "
                 + (f"({count:,} files, not documents)" if count > 1 else "(not a document)"),
                 quiet)
        if self.not_read:
            shown = shown_ids([str(path) for path in self.not_read], limit=5)
            note(f"{len(self.not_read):,} file(s) of other kinds in the directories not read "
                 f"(neardup reads {READ_KINDS}): {shown}", quiet)
        self.settings = settings
        self.quiet = quiet
        self.copies_lines = copies_lines
        self.damage_fails = damage_fails
        self._file_names = {str(path) for path, _ in self.files}
        """The files read, as a skipped file is named (a skipped line is named ``file:N``)."""
        self.name_skipped = name_skipped
        self.skipped: list[Skipped] = []
        """The skipped files and lines found so far."""
        self._warned: set[Skipped] = set()
        self._held: list[str] | None = None
        """Warnings held until a document is read (see :meth:`documents`)."""
        self.on_record: Callable[[object], None] | None = None
        """Called with each item :meth:`records` hands on (e.g. to measure progress)."""
        self.stdin_items = list(self._stdin()) if STDIN in paths else []
        self._stdin_docs = [d for d in self.stdin_items if isinstance(d, Document)]

    def __iter__(self) -> Iterator[Document | Skipped]:
        for item in itertools.chain(self.stdin_items, super().__iter__()):
            if isinstance(item, Skipped):
                self._skip(item)
            yield item

    def documents(self) -> Iterator[Document]:
        """The documents alone; the skipped files and lines go to :attr:`skipped`.

        Raises:
            InputError: at the end, when no record had the text field (see
                :func:`~neardup.io.documents.text_field_not_found`); the warnings about
                records without it are held until a document is read, so that such a run
                ends with the error alone.
        """
        count = 0
        self._held = []
        for item in self:
            if isinstance(item, Document):
                count += 1
                self._release()
                yield item
        not_found = text_field_not_found(count, self.skipped, self.settings.text_field)
        if not_found is not None:
            self._held = None
            raise not_found
        self._release()

    def _release(self) -> None:
        """Print the warnings held (see :meth:`documents`), and hold no more."""
        for message in self._held or ():
            warn(message, self.quiet)
        self._held = None

    def records(
        self, blocks: bool = False, parse: bool = False
    ) -> Iterator[Record | LineBlock | Skipped]:
        """As :meth:`Corpus.records`; with ``strict`` the lines are parsed here, so that the
        first unusable one stops the run at once."""
        parse = parse or self.settings.strict
        for item in itertools.chain(self.stdin_items, super().records(blocks, parse)):
            if isinstance(item, Skipped):
                self._skip(item)
            if self.on_record is not None:
                self.on_record(item)
            yield item

    def refuse_as_output(self, path: str | None, what: str = "output") -> None:
        """Exit with status 2 when ``path`` (an output file) is one of the files read."""
        try:
            refuse_input_as_output(path, [file for file, _ in self.files], what)
        except InputError as exc:
            fail(str(exc))

    def warn_unparsed(self, skipped: Iterable[Skipped]) -> None:
        """Warn about the lines a run found unusable after :meth:`records` passed them on
        unparsed (those with a source, not warned about yet)."""
        for item in skipped:
            if item.source is not None and item not in self._warned:
                self._skip(item)

    def sources_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """Where each of ``ids`` occurs (``path`` or ``path:line``), in reading order: the
        inputs are read again (standard input from what was kept of it)."""
        wanted = set(ids)
        found: dict[str, list[str]] = {}
        for item in itertools.chain(self.stdin_items, Corpus.__iter__(self)):
            if isinstance(item, Document) and item.id in wanted:
                found.setdefault(item.id, []).append(item.source or item.id)
        return found

    def placed(self, ids: list[str], most: int = 3) -> str:
        """The first ``most`` ids with where the input holds them (``'a' (new.jsonl:3)``),
        and how many more."""
        try:
            found = self.sources_of(ids[:most])
        except (OSError, NeardupError):
            return shown_ids(ids)
        placed = ", ".join(f"{i!r} ({' and '.join(found[i])})" if i in found else repr(i)
                           for i in ids[:most])
        return placed + (f" and {len(ids) - most:,} more" if len(ids) > most else "")

    def duplicate_message(self, exc: DuplicateIdError, most: int = 3) -> str:
        """The message of repeated ids: each (the first ``most``) with where it occurs, and
        for files of the same name in different directories how to tell them apart."""
        try:
            found = self.sources_of(exc.ids[:most])
        except (OSError, NeardupError):
            return str(exc)
        places = [
            f"{doc_id!r} at {' and '.join(found[doc_id])}" for doc_id in exc.ids[:most]
            if doc_id in found
        ]
        if not places:
            return str(exc)
        more = f" and {len(exc.ids) - most} more" if len(exc.ids) > most else ""
        message = f"duplicate document ids: {'; '.join(places)}{more}"
        files = [s for doc_id in exc.ids[:most] for s in found.get(doc_id, [])]
        if any(":" not in os.path.basename(s) and s != STDIN_ID for s in files):
            message += (" (ids of files in a directory are relative to it; to scan "
                        "directories holding files of the same name, scan their common parent)")
        return message

    def _skip(self, item: Skipped) -> None:
        where = item.id if self.name_skipped == "id" else item.source or item.id
        if self.settings.strict:
            raise InputError(f"{where}: {item.reason}")
        self._warned.add(item)
        self.skipped.append(item)
        if self.damage_fails and is_damage(item.reason):
            return  # the command's error says it, once
        whole_file = item.source in self._file_names
        skipped = ("" if is_partly_read(item.reason) else
                   " (passed through)" if self.copies_lines and not whole_file else
                   " (skipped)")
        if self._held is not None:
            self._held.append(f"{where}: {item.reason}{skipped}")
        else:
            warn(f"{where}: {item.reason}{skipped}", self.quiet)

    def fetch_records(
        self, positions: Iterable[int], unread: bool = False
    ) -> Iterator[tuple[int, Fetched]]:
        stdin_docs = self._stdin_docs
        wanted = list(positions)
        yield from ((p, stdin_docs[p]) for p in wanted if p < len(stdin_docs))
        offset = len(stdin_docs)
        files = super().fetch_records([p - offset for p in wanted if p >= offset], unread)
        yield from ((p + offset, record) for p, record in files)

    def lines_at(self, positions: Sequence[int] | npt.NDArray[np.int64]) -> LinesAt | None:
        stdin_count = len(self._stdin_docs)
        wanted = np.asarray(positions, dtype=np.int64)
        if (wanted < stdin_count).any():  # documents read from standard input
            return None
        return super().lines_at(wanted - stdin_count)

    def _stdin(self) -> Iterator[Document | Skipped]:
        data = sys.stdin.buffer.read()
        if self.settings.jsonl:
            for lineno, line in enumerate(data.splitlines(keepends=True), start=1):
                yield parse_jsonl_line(
                    line, f"{STDIN_ID}:{lineno}", f"{STDIN_ID}:{lineno}",
                    self.settings.id_field, self.settings.text_field, self.settings.title_field,
                )
            return
        try:
            text = decode_bytes(data, STDIN_ID)
        except InputError as exc:
            yield Skipped(STDIN_ID, str(exc).removeprefix(f"{STDIN_ID}: "), STDIN_ID)
            return
        articles = split_articles(text, STDIN_ID)
        yield from articles if articles is not None else [Document(STDIN_ID, text, None, STDIN_ID)]


def _grouped(left_out: list[tuple[Path, str]]) -> list[tuple[str, str, int]]:
    """The files left out, in order, the parts of one Spark output directory together (one
    note for the directory, not one per part: a scan can write hundreds); each report
    alone."""
    groups: dict[tuple[Path, str], list[Path]] = {}
    for path, what in left_out:
        key = path.parent if path.name.startswith("part-") else path
        groups.setdefault((key, what), []).append(path)
    return [(str(paths[0]) if len(paths) == 1 else f"{key}{os.sep}", what, len(paths))
            for (key, what), paths in groups.items()]
