"""Documents and loaders: directories, .txt/.md files, multi-article files, JSON Lines.

A *multi-article file* is a text file whose articles are headed by lines such as
``第一篇: 标题`` or ``第12篇：标题`` (a Chinese or Arabic numeral); each article becomes a
document with id ``<file name>#<N>``, its title, and the text below the heading.

Encodings are detected per file: UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030.
A file that is binary or decodes to no plausible text is an :class:`~neardup.errors.InputError`
naming the file, or, with :func:`read_documents`, a :class:`Skipped` record.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import numpy as np
import numpy.typing as npt

from .errors import InputError

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")

_HEADING = re.compile(
    r"^[ \t\u3000]*第([零〇一二两三四五六七八九十百千0-9０-９]+)篇"
    r"[ \t]*[:：][ \t\u3000]*(.*?)[ \t\r]*$",
    re.M,
)
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class Document:
    """One document: a unique ``id``, its ``text``, and optionally a ``title`` and ``source``.

    ``source`` says where it came from (``path`` or ``path:line``), for messages and reports.
    """

    id: str
    text: str
    title: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A document or file that was not processed, and why (``source``: the file or
    ``file:line`` it came from, when known)."""

    id: str
    reason: str
    source: str | None = None


def chinese_numeral(numeral: str) -> int:
    """The integer value of a numeral such as ``十一``, ``二十``, ``一百零五`` or ``12``.

    Example:
        >>> [chinese_numeral(s) for s in ("一", "十", "十一", "二十三", "一百零五", "12")]
        [1, 10, 11, 23, 105, 12]
    """
    numeral = unicodedata.normalize("NFKC", numeral)
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, None
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a numeral: {numeral!r}")
    return total + (digit or 0)


def decode_bytes(data: bytes, name: str) -> str:
    """Decode a file's bytes (UTF-8 with or without BOM, UTF-16 with BOM, GB18030).

    Raises:
        InputError: binary content, or bytes that are not text in any of these encodings.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8", name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", name)
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _decode(data, "gb18030", name)
    if not _plausible(text):
        raise InputError(f"{name}: not valid UTF-8 and not plausible GB18030 text")
    return text


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: cannot decode as UTF-8 or GB18030 (byte {exc.start}: {exc.reason})"
        ) from None


def _plausible(text: str) -> bool:
    """Few control, private-use or unassigned characters: real text, not decoded noise."""
    if not text:
        return True
    sample = text[:20000]
    odd = sum(
        1
        for ch in sample
        if ch not in "\t\n\r\f" and unicodedata.category(ch) in ("Cc", "Co", "Cn")
    )
    return odd <= 0.01 * len(sample)


def split_articles(text: str, name: str) -> list[Document] | None:
    """The articles of a multi-article text, or None when it has no ``第N篇:`` headings.

    Text before the first heading, when not blank, becomes article ``#0`` without title.
    """
    headings = list(_HEADING.finditer(text))
    if not headings:
        return None
    docs: list[Document] = []
    preamble = text[: headings[0].start()]
    if preamble.strip():
        docs.append(Document(f"{name}#0", preamble, None, name))
    for i, heading in enumerate(headings):
        body_start = heading.end() + 1 if heading.end() < len(text) else heading.end()
        body_end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        number = chinese_numeral(heading.group(1))
        title = heading.group(2) or None
        docs.append(Document(f"{name}#{number}", text[body_start:body_end], title, name))
    return docs


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
        return _jsonl_record(self.data, self.where, self.source, *self.fields)


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

    def __iter__(self) -> Iterator[LineAt]:
        columns = (self.file_of.tolist(), self.offsets.tolist(), self.linenos.tolist())
        for file, offset, lineno in zip(*columns, strict=True):
            path, name = self.files[file]
            yield LineAt(path, name, offset, lineno, self.fields)


BLOCK_BYTES = 8_000_000
"""Bytes of JSON lines per :class:`LineBlock` (at most, unless one line is longer)."""
BLOCK_LINES = 8192
"""Lines per :class:`LineBlock` (at most)."""
MIN_BLOCK_BYTES = 1_000_000
"""Bytes per block of a file of fewer than 16 full blocks (at least; see :func:`_block_bytes`)."""

Record = Document | RawLine
"""A document as :meth:`Corpus.records` gives it: read and parsed, or a raw JSON line."""
Fetched = Record | LineAt
"""A document as :meth:`Corpus.fetch_records` gives it: a record, or where to read one."""


def parse_record(record: Fetched) -> Document:
    """The document of a fetched record.

    Raises:
        InputError: the line no longer holds a document (its file changed since it was read).
    """
    return parse_records([record])[0]


def parse_records(records: Iterable[Fetched]) -> list[Document]:
    """The documents of fetched records (reading each file of :class:`LineAt` records once).

    Raises:
        InputError: a line no longer holds a document (its file changed since it was read).
    """
    handles: dict[str, IO[bytes]] = {}
    docs = []
    with ExitStack() as stack:
        for record in records:
            if isinstance(record, LineAt):
                if record.path not in handles:
                    handles[record.path] = stack.enter_context(open(record.path, "rb"))
                handle = handles[record.path]
                handle.seek(record.offset)
                record = RawLine(
                    handle.readline(), record.name, record.path, record.lineno, record.fields
                )
            item = record if isinstance(record, Document) else record.parse()
            if not isinstance(item, Document):
                assert isinstance(record, RawLine)
                raise InputError(f"{record.source}: changed while being read ({item.reason})")
            docs.append(item)
    return docs


@dataclass
class _Positions:
    """Where each position's document was found: file index, key (byte offset of a JSON
    line, or article ordinal) and line number."""

    file_of: array[int] = field(default_factory=lambda: array("i"))
    key_of: array[int] = field(default_factory=lambda: array("q"))
    line_of: array[int] = field(default_factory=lambda: array("q"))


class Corpus:
    """Documents of files and directories that can be read more than once.

    Iterating yields each :class:`Document` (and a :class:`Skipped` for each file or line
    that cannot be used) lazily, like :func:`read_documents`, and remembers where every
    document was found: ``fetch(positions)`` re-reads just those documents (by their position
    among the yielded documents) from their files, seeking by byte offset in JSON Lines files,
    so a pipeline can drop texts after hashing and re-read only the candidates.

    Directories are read recursively (``.txt``, ``.md`` and JSON Lines files, in sorted order);
    ids of files found in a directory are their paths relative to it.

    Raises:
        InputError: on construction, a path that does not exist, or a file of an unsupported
            type named directly.
    """

    def __init__(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        id_field: str = "id",
        text_field: str = "text",
        title_field: str = "title",
    ) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.fields = (id_field, text_field, title_field)
        self.files: list[tuple[Path, str]] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                found = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p) is not None)
                self.files += [(f, f.relative_to(path).as_posix()) for f in found]
            elif path.is_file():
                if _kind(path) is None:
                    raise InputError(
                        f"{path}: unsupported file type (expected .txt, .md, .jsonl or .jsonl.gz)"
                    )
                self.files.append((path, path.name))
            else:
                raise InputError(f"{path}: no such file or directory")
        self._documents = _Positions()
        self._records = _Positions()
        self._plain_jsonl = np.array(
            [_kind(path) == "jsonl" and not _compressed(path) for path, _ in self.files],
            dtype=bool,
        )
        """Which files are uncompressed JSON Lines (their lines can be read by offset)."""

    def __iter__(self) -> Iterator[Document | Skipped]:
        table = self._documents = _Positions()
        for item in self._entries(parse=True, blocks=False, table=table):
            assert not isinstance(item, (RawLine, LineBlock))
            yield item

    def records(
        self, blocks: bool = False, parse: bool = False
    ) -> Iterator[Record | LineBlock | Skipped]:
        """Iterate with JSON lines left unparsed (:class:`RawLine`), so that a consumer can
        parse them in worker processes; with ``blocks``, the lines of uncompressed files come
        as :class:`LineBlock` byte ranges instead, to be read where they are parsed (with
        ``parse``, lines are parsed here as when iterating).

        Positions for :meth:`fetch_records` count records (a block of n lines counts n): a
        line that turns out to hold no document keeps its position. They are kept apart from
        the positions of :meth:`fetch`, which count the documents of the last iteration.
        """
        table = self._records = _Positions()
        yield from self._entries(parse=parse, blocks=blocks and not parse, table=table)

    def _entries(
        self, parse: bool, blocks: bool, table: _Positions
    ) -> Iterator[Record | LineBlock | Skipped]:
        for index, (path, name) in enumerate(self.files):
            if blocks and self._plain_jsonl[index]:
                for block in self._read_blocks(path, name):
                    if isinstance(block, LineBlock):
                        table.file_of.extend([index] * len(block))
                        table.key_of.extend((block.start + block.bounds[:-1]).tolist())
                        lines = range(block.first_lineno, block.first_lineno + len(block))
                        table.line_of.extend(lines)
                    yield block
                continue
            for item, key, line in self._read(path, name):
                if parse and isinstance(item, RawLine):
                    item = item.parse()
                if not isinstance(item, Skipped):
                    table.file_of.append(index)
                    table.key_of.append(key)
                    table.line_of.append(line)
                yield item

    def fetch(self, positions: Iterable[int]) -> dict[int, Document]:
        """Re-read the documents at these positions (0 = the first document yielded).

        Raises:
            InputError: a position not yet yielded, or a file that changed since.
        """
        return dict(self.fetch_iter(positions))

    def fetch_iter(self, positions: Iterable[int]) -> Iterator[tuple[int, Document]]:
        """:meth:`fetch` as ``(position, document)`` pairs, file by file, in file order, so
        that a caller can process many documents without holding them all."""
        for position, record in self._fetch(positions, self._documents, unread=False):
            yield position, parse_record(record)

    def fetch_records(
        self, positions: Iterable[int], unread: bool = False
    ) -> Iterator[tuple[int, Fetched]]:
        """The records at these positions of :meth:`records`, JSON lines left unparsed
        (:class:`RawLine`) so that the parsing can go to the process that uses the document;
        with ``unread``, lines of uncompressed files are not even read here
        (:class:`LineAt`)."""
        yield from self._fetch(positions, self._records, unread)

    def lines_at(self, positions: Sequence[int] | npt.NDArray[np.int64]) -> LinesAt | None:
        """:meth:`fetch_records` with ``unread``, packed, when every record at these positions
        is a line of an uncompressed JSON Lines file (None otherwise).

        Raises:
            InputError: a position not yet read.
        """
        table = self._records
        wanted = np.asarray(positions, dtype=np.int64)
        outside = (wanted < 0) | (wanted >= len(table.file_of))
        if outside.any():
            raise InputError(f"document position {wanted[outside][0]} has not been read")
        if not self._plain_jsonl.any():
            return None
        file_of = _take(table.file_of, wanted)
        if not self._plain_jsonl[file_of].all():
            return None
        used, file_of = np.unique(file_of, return_inverse=True)
        return LinesAt(
            [(str(self.files[f][0]), self.files[f][1]) for f in used.tolist()],
            file_of.astype(np.int64),
            _take(table.key_of, wanted),
            _take(table.line_of, wanted),
            self.fields,
        )

    def _fetch(
        self, positions: Iterable[int], table: _Positions, unread: bool
    ) -> Iterator[tuple[int, Fetched]]:
        by_file: dict[int, list[int]] = {}
        for position in positions:
            if not 0 <= position < len(table.file_of):
                raise InputError(f"document position {position} has not been read")
            by_file.setdefault(table.file_of[position], []).append(position)
        key_of, line_of = table.key_of, table.line_of
        for index in sorted(by_file):
            wanted = by_file[index]
            path, name = self.files[index]
            keys = {key_of[p]: p for p in wanted}
            items: Iterator[tuple[Record | Skipped, int, int]]
            if unread and self._plain_jsonl[index]:
                for p in wanted:
                    yield p, LineAt(str(path), name, key_of[p], line_of[p], self.fields)
                continue
            if _kind(path) == "jsonl":
                located = sorted((key_of[p], line_of[p]) for p in wanted)
                items = self._seek_jsonl(path, name, located)
            else:
                items = (entry for entry in self._read(path, name) if entry[1] in keys)
            count = 0
            for item, key, _ in items:
                if isinstance(item, Skipped):
                    raise InputError(f"{path}: changed while being read ({item.reason})")
                count += 1
                yield keys[key], item
            if count != len(keys):
                raise InputError(
                    f"{path}: {len(keys) - count} documents could not be re-read (file changed?)"
                )

    def _read(self, path: Path, name: str) -> Iterator[tuple[Record | Skipped, int, int]]:
        """(item, key, line): key = byte offset of a JSON line, or article ordinal."""
        if _kind(path) == "jsonl":
            yield from self._read_jsonl(path, name)
            return
        try:
            text = decode_bytes(path.read_bytes(), str(path))
        except InputError as exc:
            yield Skipped(name, str(exc).removeprefix(f"{path}: "), str(path)), -1, 0
            return
        except OSError as exc:
            yield Skipped(name, f"cannot read: {exc.strerror}", str(path)), -1, 0
            return
        articles = split_articles(text, name)
        if articles is None:
            yield Document(name, text, None, str(path)), 0, 0
            return
        for ordinal, doc in enumerate(articles):
            yield Document(doc.id, doc.text, doc.title, str(path)), ordinal, 0

    def _read_jsonl(self, path: Path, name: str) -> Iterator[tuple[RawLine | Skipped, int, int]]:
        offset = 0
        where = str(path)
        try:
            with _open_binary(path) as handle:
                for lineno, raw in enumerate(handle, start=1):
                    yield RawLine(raw, name, where, lineno, self.fields), offset, lineno
                    offset += len(raw)
        except (OSError, EOFError) as exc:
            yield Skipped(name, f"cannot read: {exc}", str(path)), -1, 0

    def _read_blocks(self, path: Path, name: str) -> Iterator[LineBlock | Skipped]:
        """The file's lines in blocks of whole lines (at most BLOCK_LINES lines and, unless
        one line is longer, :func:`_block_bytes` bytes)."""
        start, lineno = 0, 1
        try:
            with open(path, "rb") as handle:
                block_bytes = size = _block_bytes(os.fstat(handle.fileno()).st_size)
                while data := handle.read(size):
                    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1
                    if len(data) < size and (not ends.size or ends[-1] < len(data)):
                        ends = np.append(ends, len(data))  # the last line has no newline
                    if not ends.size:  # a line longer than ``size``: read it whole
                        size *= 2
                    where = (str(path), name, start, lineno)
                    blocks = list(_cut(ends, where, self.fields, block_bytes))
                    if len(blocks) > 1 and len(data) == size:  # not at the end of the file:
                        blocks.pop()  # the last block is a remainder, to be read again
                    for block in blocks:
                        yield block
                        start, lineno = start + int(block.bounds[-1]), lineno + len(block)
                        size = block_bytes
                    handle.seek(start)  # the partial line at the end is read again
        except OSError as exc:
            yield Skipped(name, f"cannot read: {exc}", str(path))

    def _seek_jsonl(
        self, path: Path, name: str, located: list[tuple[int, int]]
    ) -> Iterator[tuple[RawLine, int, int]]:
        with _open_binary(path) as handle:
            for offset, lineno in located:
                handle.seek(offset)
                line = RawLine(handle.readline(), name, str(path), lineno, self.fields)
                yield line, offset, lineno


def _block_bytes(file_size: int) -> int:
    """Bytes per block of a file: :data:`BLOCK_BYTES`, or for a file of fewer than 16 such
    blocks a sixteenth of it (at least :data:`MIN_BLOCK_BYTES`), so that worker processes
    share smaller files evenly too.

    Example:
        >>> [_block_bytes(size) for size in (3_000_000_000, 48_000_000, 6_800_000, 0)]
        [8000000, 3000000, 1000000, 1000000]
    """
    return max(min(BLOCK_BYTES, file_size // 16), min(MIN_BLOCK_BYTES, BLOCK_BYTES))


def _cut(
    ends: npt.NDArray[np.int64],
    where: tuple[str, str, int, int],
    fields: tuple[str, str, str],
    block_bytes: int,
) -> Iterator[LineBlock]:
    """Blocks of the lines that end at ``ends``; ``where``: the file's path and name, the
    byte offset that ``ends`` count from and the number of the line that starts there."""
    path, name, start, lineno = where
    first = 0
    while first < ends.size:
        base = int(ends[first - 1]) if first else 0
        last = int(np.searchsorted(ends, base + block_bytes, side="right"))
        last = min(max(last, first + 1), first + BLOCK_LINES, ends.size)
        bounds = np.concatenate(([base], ends[first:last])).astype(np.int64) - base
        yield LineBlock(path, name, start + base, bounds, lineno + first, fields)
        first = last


def _take(column: array[int], wanted: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``column[wanted]`` as int64, without copying the whole column first."""
    if not wanted.size:
        return np.zeros(0, dtype=np.int64)
    view = np.frombuffer(column, dtype=np.dtype(column.typecode))  # released on return
    return view[wanted].astype(np.int64)


def _compressed(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def read_documents(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    id_field: str = "id",
    text_field: str = "text",
    title_field: str = "title",
) -> Iterator[Document | Skipped]:
    """Yield the documents of files and directories lazily, and a :class:`Skipped` for each
    file or line that cannot be used (with the reason), instead of raising.

    See :class:`Corpus` for what is read.

    Raises:
        InputError: a path that does not exist, or a file of an unsupported type named directly.
    """
    yield from Corpus(paths, id_field=id_field, text_field=text_field, title_field=title_field)


def load_documents(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    id_field: str = "id",
    text_field: str = "text",
    title_field: str = "title",
) -> list[Document]:
    """All documents of files and directories (see :class:`Corpus`).

    Raises:
        InputError: the first file or line that cannot be read, naming it and the reason.
    """
    docs: list[Document] = []
    for item in read_documents(
        paths, id_field=id_field, text_field=text_field, title_field=title_field
    ):
        if isinstance(item, Skipped):
            raise InputError(f"{item.id}: {item.reason}")
        docs.append(item)
    return docs


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def _jsonl_record(
    raw: bytes, where: str, source: str, id_field: str, text_field: str, title_field: str
) -> Document | Skipped:
    if not raw.strip():
        return Skipped(where, "blank line", source)
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Skipped(where, f"malformed JSON: {exc}", source)
    if not isinstance(record, dict):
        return Skipped(where, f"expected a JSON object, got {type(record).__name__}", source)
    text = record.get(text_field)
    if not isinstance(text, str):
        found = "missing" if text is None else f"a {type(text).__name__}"
        return Skipped(where, f"field {text_field!r} is {found}, expected a string", source)
    doc_id = record.get(id_field)
    if doc_id is None:
        doc_id = where
    title = record.get(title_field)
    return Document(str(doc_id), text, title if isinstance(title, str) else None, source)
