"""Where a document is in its file, for reading it later or in another process.

A JSON line can travel unparsed (:class:`RawLine`: its bytes), as part of a block of lines
of an uncompressed file (:class:`LineBlock`: a byte range that the receiver reads), or by
its byte offset alone (:class:`LineAt`, packed as :class:`LinesAt`). :func:`parse_records`
turns any of them into :class:`~neardup.io.documents.Document` records.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ..report import Skipped
from .documents import Document, parse_jsonl_line


@dataclass(slots=True)
class RawLine:
    """A JSON line as read from its file, to be parsed later (e.g. in a worker process)."""

    data: bytes
    name: str
    """The file's name (its path relative to a directory that was read)."""
    path: str
    lineno: int
    fields: tuple[str, str, str]
    """The id, text and title field names."""

    @property
    def where(self) -> str:
        """``name:lineno``: the id of a record without one."""
        return f"{self.name}:{self.lineno}"

    @property
    def source(self) -> str:
        """``path:lineno``, named in messages."""
        return f"{self.path}:{self.lineno}"

    def parse(self) -> Document | Skipped:
        """The document of this line, or why it is not one."""
        return parse_jsonl_line(self.data, self.where, self.source, *self.fields)


@dataclass(slots=True)
class LineBlock:
    """Consecutive JSON lines of an uncompressed file, passed on as a byte range rather than
    as data: whoever parses them (e.g. a worker process) reads them from the file."""

    path: str
    name: str
    start: int
    """Byte offset of the first line."""
    bounds: npt.NDArray[np.int64]
    """Offsets of the lines relative to ``start``, and of the end of the last one."""
    first_lineno: int
    fields: tuple[str, str, str]

    def __len__(self) -> int:
        return int(self.bounds.size) - 1

    def read(self) -> bytes:
        """The block's bytes.

        Raises:
            InputError: the file is shorter than when the block was cut (it changed).
        """
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            data = handle.read(int(self.bounds[-1]))
        if len(data) != self.bounds[-1]:
            raise InputError(f"{self.path}: changed while being read (shorter than before)")
        return data


@dataclass(slots=True)
class LineAt:
    """A JSON line of an uncompressed file known by its byte offset: whoever parses it reads
    it (see :func:`parse_records`)."""

    path: str
    name: str
    offset: int
    lineno: int
    fields: tuple[str, str, str]


@dataclass
class LinesAt:
    """:class:`LineAt` records packed as arrays (cheap to send to another process); iterating
    yields them one by one."""

    files: list[tuple[str, str]]
    """(path, name) of each file the lines come from."""
    file_of: npt.NDArray[np.int64]
    """Each line's file, as an index into ``files``."""
    offsets: npt.NDArray[np.int64]
    linenos: npt.NDArray[np.int64]
    fields: tuple[str, str, str]

    def __len__(self) -> int:
        return int(self.offsets.size)

    def __getitem__(self, part: slice) -> LinesAt:
        """These lines only (a slice of them)."""
        return LinesAt(self.files, self.file_of[part], self.offsets[part], self.linenos[part],
                       self.fields)

    def __iter__(self) -> Iterator[LineAt]:
        columns = (self.file_of.tolist(), self.offsets.tolist(), self.linenos.tolist())
        for file, offset, lineno in zip(*columns, strict=True):
            path, name = self.files[file]
            yield LineAt(path, name, offset, lineno, self.fields)

    def source(self, k: int) -> str:
        """Where line ``k`` is, as documents say it: ``path:line``."""
        return f"{self.files[int(self.file_of[k])][0]}:{self.linenos[k]}"


Record = Document | RawLine
"""A document as :meth:`Corpus.records` gives it: read and parsed, or a raw JSON line."""
Fetched = Record | LineAt
"""A document as :meth:`Corpus.fetch_records` gives it: a record, or where to read one."""


def field_of(record: Fetched, name: str) -> object:
    """The value of field ``name`` of a record's JSON object (None when it has none).

    Raises:
        InputError: the record is a text document, which has no fields.
    """
    if isinstance(record, LineAt):
        with open(record.path, "rb") as handle:
            record = RawLine(read_line(handle, record.offset), record.name, record.path,
                             record.lineno, record.fields)
    if isinstance(record, Document):
        raise InputError(
            f"{record.source or record.id}: field {name!r}: a text document has no fields "
            "(only JSON Lines and Parquet records do)"
        )
    try:
        value = json.loads(record.data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value.get(name) if isinstance(value, dict) else None


def record_fields(record: Fetched) -> list[str]:
    """The keys of a record's JSON object (none for a text document or a line that holds
    no JSON object)."""
    if isinstance(record, LineAt):
        with open(record.path, "rb") as handle:
            record = RawLine(read_line(handle, record.offset), record.name, record.path,
                             record.lineno, record.fields)
    if isinstance(record, Document):
        return []
    try:
        value = json.loads(record.data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return []
    return [str(key) for key in value] if isinstance(value, dict) else []


def parse_record(record: Fetched) -> Document:
    """The document of a fetched record.

    Raises:
        InputError: the line no longer holds a document (its file changed since it was read).
    """
    return parse_records([record])[0]


def parse_records(records: Iterable[Fetched] | LinesAt) -> list[Document]:
    """The documents of fetched records (reading each file of :class:`LineAt` records once).

    Raises:
        InputError: a line no longer holds a document (its file changed since it was read).
    """
    if isinstance(records, LinesAt):
        return _parse_lines_at(records)
    handles: dict[str, IO[bytes]] = {}
    docs = []
    with ExitStack() as stack:
        for record in records:
            if isinstance(record, LineAt):
                if record.path not in handles:
                    handles[record.path] = stack.enter_context(open(record.path, "rb"))
                record = RawLine(
                    read_line(handles[record.path], record.offset), record.name, record.path,
                    record.lineno, record.fields,
                )
            item = record if isinstance(record, Document) else record.parse()
            if not isinstance(item, Document):
                assert isinstance(record, RawLine)
                raise InputError(f"{record.source}: changed while being read ({item.reason})")
            docs.append(item)
    return docs


def _parse_lines_at(lines: LinesAt) -> list[Document]:
    """:func:`parse_records` of packed lines, without a record object per line."""
    raw = read_lines_at(lines)
    return [parse_line_at(lines, k, line) for k, line in enumerate(raw)]


def read_lines_at(lines: LinesAt) -> list[bytes]:
    """The bytes of each packed line (with its newline), each file opened once."""
    with ExitStack() as stack:
        handles = [stack.enter_context(open(path, "rb")) for path, _ in lines.files]
        columns = (lines.file_of.tolist(), lines.offsets.tolist())
        return [read_line(handles[file], offset) for file, offset in zip(*columns, strict=True)]


def parse_line_at(lines: LinesAt, k: int, raw: bytes) -> Document:
    """The document of packed line ``k``, whose bytes are ``raw``.

    Raises:
        InputError: the line no longer holds a document (its file changed since it was read).
    """
    source = lines.source(k)
    name = lines.files[int(lines.file_of[k])][1]
    item = parse_jsonl_line(raw, f"{name}:{lines.linenos[k]}", source, *lines.fields)
    if not isinstance(item, Document):
        raise InputError(f"{source}: changed while being read ({item.reason})")
    return item


LINE_GUESS = 4096
"""Bytes :func:`read_line` reads first (twice as many each time the line goes on)."""


def read_line(handle: IO[bytes], offset: int) -> bytes:
    """The line of a file opened in binary mode that starts at byte ``offset``, with its
    newline (b"" past the end). Positioned reads (``os.pread``, where there is one) skip
    the buffer a seek would throw away and fill again."""
    if not hasattr(os, "pread"):
        handle.seek(offset)
        return handle.readline()
    descriptor = handle.fileno()
    data = os.pread(descriptor, LINE_GUESS, offset)
    end = data.find(b"\n")
    while end < 0:
        more = os.pread(descriptor, 2 * len(data), offset + len(data))
        if not more:
            return data
        found = more.find(b"\n")
        end = -1 if found < 0 else len(data) + found
        data += more
    return data[: end + 1]
