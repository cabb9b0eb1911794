"""The corpus: documents of files and directories, read as a stream and re-read by position.

Directories are read recursively (``.txt``, ``.md``, JSON Lines and Parquet files, in sorted
order), leaving out the reports and Spark scan outputs neardup wrote there
(:func:`~neardup.io.outputs.neardup_output`).
Iterating a :class:`Corpus` remembers where each document was found (file, byte offset or
article ordinal, line), so that a pipeline can drop texts after hashing and re-read only the
candidates; its :meth:`Corpus.records` hand JSON lines on unparsed, or as blocks of byte
ranges, for worker processes to read and parse.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ..report import Skipped
from .compressed import compressed, open_input
from .documents import Document, decode_bytes, file_kind, split_articles
from .outputs import neardup_output
from .parquet import column_values, parquet_columns, read_rows, read_rows_at
from .reasons import CANNOT_READ, partly_read, what_is
from .records import (
    Fetched,
    LineAt,
    LineBlock,
    LinesAt,
    RawLine,
    Record,
    field_of,
    parse_record,
    record_fields,
)

BLOCK_BYTES = 8_000_000
"""Bytes of JSON lines per :class:`LineBlock` (at most, unless one line is longer)."""
BLOCK_LINES = 8192
"""Lines per :class:`LineBlock` (at most)."""
MIN_BLOCK_BYTES = 1_000_000
"""Bytes per block of a file of fewer than 16 full blocks (at least; see :func:`_block_bytes`)."""

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

    Directories are read recursively (``.txt``, ``.md``, JSON Lines and Parquet files, in
    sorted order; reports and Spark scan outputs that neardup wrote there are left out and
    listed in :attr:`left_out`), following symbolic links to directories (each directory is
    read once, so a link that loops back is not followed again); ids of files found in a
    directory are their paths relative to it; with ``root``, files under it have their
    paths relative to ``root`` (see :func:`file_id`). With ``skip_reports`` off, the
    reports found in directories are read as any other file (a CI gate reads all it is
    given: a file that begins as a report does would otherwise escape it).

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
        root: str | os.PathLike[str] | None = None,
        skip_reports: bool = True,
    ) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        base = None if root is None else Path(root)
        self.fields = (id_field, text_field, title_field)
        self.files: list[tuple[Path, str]] = []
        """(path, name) of each file read: the name is the id of its document."""
        self.left_out: list[tuple[Path, str]] = []
        """Files found in directories that neardup wrote (reports, Spark scan outputs), not
        read, and what each is (see :func:`~neardup.io.outputs.neardup_output`)."""
        self.not_read: list[Path] = []
        """Files found in directories of a kind neardup does not read (``.csv``, images),
        hidden ones and bookkeeping aside (a name starting with ``.`` or ``_``, as
        ``.git/`` and Spark's ``_SUCCESS``)."""
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                under = sorted(files_under(path))
                found = [p for p in under if file_kind(p) is not None]
                self.not_read += [p for p in under if file_kind(p) is None
                                  and not _hidden(p.relative_to(path))]
                own = {f: neardup_output(f) for f in found if skip_reports and _may_be_report(f)}
                self.left_out += [(f, what) for f, what in own.items() if what is not None]
                self.files += [(f, file_id(f, base, path)) for f in found if own.get(f) is None]
            elif path.is_file():
                if file_kind(path) is None:
                    raise InputError(
                        f"{path}: unsupported file type (expected .txt, .md, .jsonl, .jsonl.gz "
                        "or .parquet)"
                    )
                self.files.append((path, file_id(path, base)))
            else:
                raise InputError(f"{path}: {what_is(path)}")
        self._documents = _Positions()
        self._records = _Positions()
        self._plain_jsonl = np.array(
            [file_kind(path) == "jsonl" and not compressed(path) for path, _ in self.files],
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
                        count = len(block)
                        _extend(table.file_of, np.full(count, index))
                        _extend(table.key_of, block.start + block.bounds[:-1])
                        _extend(table.line_of, np.arange(count) + block.first_lineno)
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

    def record_locations(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Where each record of the last :meth:`records` iteration is, by position: the
        index of its file in :attr:`files`, and its key (the byte offset of a JSON line, in
        the decompressed stream of a compressed file; the ordinal of an article)."""
        table = self._records
        everything = np.arange(len(table.file_of), dtype=np.int64)
        return _take(table.file_of, everything), _take(table.key_of, everything)

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
            if file_kind(path) == "jsonl":
                located = sorted((key_of[p], line_of[p]) for p in wanted)
                items = self._seek_jsonl(path, name, located)
            elif file_kind(path) == "parquet":
                rows = read_rows_at(path, name, self.fields, sorted(keys))
                items = ((item, row, row + 1) for item, row in rows)
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
        if file_kind(path) == "jsonl":
            yield from self._read_jsonl(path, name)
            return
        if file_kind(path) == "parquet":
            yield from self._read_parquet(path, name)
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
        offset = lines = 0
        where = str(path)
        try:
            if compressed(path) and os.stat(path).st_size == 0:
                raise OSError("an empty file, not gzip-compressed data")
            with open_input(path) as handle:
                for lineno, raw in enumerate(handle, start=1):
                    yield RawLine(raw, name, where, lineno, self.fields), offset, lineno
                    offset += len(raw)
                    lines = lineno
        except (OSError, EOFError) as exc:
            why = getattr(exc, "strerror", None) or exc
            reason = (partly_read(lines, f"{CANNOT_READ} line {lines + 1}: {why}") if lines
                      else f"{CANNOT_READ}: {why}")
            yield Skipped(name, reason, where), -1, 0

    def _read_parquet(self, path: Path, name: str) -> Iterator[tuple[Record | Skipped, int, int]]:
        """(document, row, row number from 1); a file that cannot be read, or has no text
        column, is one Skipped record."""
        try:
            for item, row in read_rows(path, name, self.fields):
                yield item, row, row + 1
        except InputError as exc:
            yield Skipped(name, str(exc).removeprefix(f"{path}: "), str(path)), -1, 0

    def field_values(self, positions: Sequence[int], name: str) -> list[object]:
        """The values of field (column) ``name`` of the records at these positions of
        :meth:`records` (None where a record has none).

        Raises:
            InputError: a record of a text file, which has no fields.
        """
        found: dict[int, object] = {}
        by_file: dict[int, list[int]] = {}
        for position in positions:
            by_file.setdefault(self._records.file_of[position], []).append(position)
        for index, wanted in by_file.items():
            path, _ = self.files[index]
            if file_kind(path) == "parquet":
                rows = {self._records.key_of[p]: p for p in wanted}
                values = column_values(path, sorted(rows), name)
                found.update((rows[row], value) for row, value in values.items())
            else:
                found.update((p, field_of(record, name))
                             for p, record in self._fetch(wanted, self._records, False))
        return [found[p] for p in positions]

    def field_names(self, position: int) -> list[str]:
        """The fields (columns) of the record at this position of :meth:`records`: a JSON
        object's keys, a Parquet file's columns (none for a text document or a line that
        is no JSON object)."""
        path, _ = self.files[self._records.file_of[position]]
        if file_kind(path) == "parquet":
            return parquet_columns(path)
        for _, record in self._fetch([position], self._records, False):
            return record_fields(record)
        return []

    def _read_blocks(self, path: Path, name: str) -> Iterator[LineBlock | Skipped]:
        """The file's lines in blocks of whole lines (at most BLOCK_LINES lines and, unless
        one line is longer, :func:`_block_bytes` bytes).

        The bytes are read into one buffer, reused from read to read; only the newlines are
        looked for here (workers read the blocks again where they parse them)."""
        start, lineno = 0, 1
        try:
            with open(path, "rb") as handle:
                block_bytes = size = _block_bytes(os.fstat(handle.fileno()).st_size)
                buffer = bytearray(size)
                long_lines = True  # until a read shows otherwise
                while True:
                    if len(buffer) < size:
                        buffer = bytearray(size)
                    read = handle.readinto(memoryview(buffer)[:size])
                    if not read:
                        break
                    ends = _line_ends(buffer, read, long_lines)
                    if ends.size:
                        long_lines = read >= LONG_LINE_BYTES * ends.size
                    if read < size and (not ends.size or ends[-1] < read):
                        ends = np.append(ends, read)  # the last line has no newline
                    if not ends.size:  # a line longer than ``size``: read it whole
                        size *= 2
                    where = (str(path), name, start, lineno)
                    blocks = list(_cut(ends, where, self.fields, block_bytes))
                    if len(blocks) > 1 and read == size:  # not at the end of the file:
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
        with open_input(path) as handle:
            for offset, lineno in located:
                handle.seek(offset)
                line = RawLine(handle.readline(), name, str(path), lineno, self.fields)
                yield line, offset, lineno


def file_id(path: Path, root: Path | None = None, directory: Path | None = None) -> str:
    """The id of a file's document, and the name its records without an id are numbered
    under (``name:line``): its path relative to ``root`` when it is under it, whether it
    was named or found in a directory, so that a file has the same id whatever is read with
    it; otherwise (no root, or a file outside it) its path relative to the ``directory`` it
    was found in, else its name.

    Example:
        >>> p = Path("articles/2023/a7.md")
        >>> file_id(p, Path(".")), file_id(p, Path("articles")), file_id(p, None, Path("articles"))
        ('articles/2023/a7.md', '2023/a7.md', '2023/a7.md')
        >>> file_id(p), file_id(Path("/elsewhere/b.md"), Path("articles"))
        ('a7.md', 'b.md')
    """
    if root is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
    if directory is not None:
        return path.relative_to(directory).as_posix()
    return path.name


def files_under(root: Path) -> Iterator[Path]:
    """The regular files in ``root`` and its subdirectories, following symbolic links to
    directories but entering each directory once (by device and inode), so that a link to
    an ancestor ends no loop."""
    info = os.stat(root)
    seen = {(info.st_dev, info.st_ino)}
    for folder, subfolders, names in os.walk(root, followlinks=True):
        entered = []
        for sub in sorted(subfolders):
            try:
                info = os.stat(os.path.join(folder, sub))
            except OSError:
                continue
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                entered.append(sub)
        subfolders[:] = entered
        for name in names:
            path = Path(folder, name)
            if path.is_file():
                yield path


def _block_bytes(file_size: int) -> int:
    """Bytes per block of a file: :data:`BLOCK_BYTES`, or for a file of fewer than 16 such
    blocks a sixteenth of it (at least :data:`MIN_BLOCK_BYTES`), so that worker processes
    share smaller files evenly too.

    Example:
        >>> [_block_bytes(size) for size in (3_000_000_000, 48_000_000, 6_800_000, 0)]
        [8000000, 3000000, 1000000, 1000000]
    """
    return max(min(BLOCK_BYTES, file_size // 16), min(MIN_BLOCK_BYTES, BLOCK_BYTES))


LONG_LINE_BYTES = 256
"""Mean line length from which :func:`_line_ends` looks for newlines one by one
(``bytearray.find``) rather than comparing every byte in numpy."""


def _line_ends(buffer: bytearray, size: int, long_lines: bool) -> npt.NDArray[np.int64]:
    """The offsets just past each newline in ``buffer[:size]``, ascending.

    For long lines a ``find`` per line (memchr) touches each byte once and allocates
    nothing per byte; for short lines numpy's comparison of every byte costs less than a
    Python call per line.
    """
    if not long_lines:
        view = np.frombuffer(buffer, dtype=np.uint8, count=size)
        return np.flatnonzero(view == 10).astype(np.int64) + 1
    found: list[int] = []
    find, append = buffer.find, found.append
    at = find(b"\n", 0, size)
    while at >= 0:
        append(at + 1)
        at = find(b"\n", at + 1, size)
    return np.array(found, dtype=np.int64)


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


def _extend(column: array[int], values: npt.NDArray[np.int64]) -> None:
    """Append ``values`` to ``column`` at once (not as Python ints one by one)."""
    column.frombytes(values.astype(np.dtype(column.typecode), copy=False).tobytes())


def _take(column: array[int], wanted: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``column[wanted]`` as int64, without copying the whole column first."""
    if not wanted.size:
        return np.zeros(0, dtype=np.int64)
    view = np.frombuffer(column, dtype=np.dtype(column.typecode))  # released on return
    return view[wanted].astype(np.int64)


def _may_be_report(path: Path) -> bool:
    """Whether a file found in a directory may be an output neardup wrote (text, Markdown or
    uncompressed JSON Lines: neardup writes no other report that a scan reads; Parquet: what
    ``scan --engine spark`` writes)."""
    kind = file_kind(path)
    return kind == "parquet" or (kind in ("text", "jsonl") and not compressed(path))


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


HIDDEN = (".", "_")
"""How the names of hidden and bookkeeping files begin (``.git``, Spark's ``_SUCCESS`` and
checksums), which Spark's readers pass over."""


def _hidden(relative: Path) -> bool:
    """Whether a file is hidden or bookkeeping: a part of its path starts with one of
    :data:`HIDDEN` (``.git/config``, ``_SUCCESS``, ``.part-0.crc``)."""
    return any(part.startswith(HIDDEN) for part in relative.parts)
