"""The hashing stage: documents to signatures and each search mode's arrays (band keys, ...), in
batches, in worker processes.

The main process reads the input and groups it into batches. A batch is texts (at most
:data:`BATCH_DOCS` documents or :data:`BATCH_CHARS` characters), sent to a worker packed as
one array of code points; raw JSON lines of one (compressed) file
(:class:`~neardup.io.records.RawLine`; as many, or as many bytes), sent as one bytes buffer
with its line bounds; or a block of lines of an uncompressed file
(:class:`~neardup.io.records.LineBlock`, sized by :mod:`neardup.io.corpus`: up to 8 MB),
sent as a byte range that the worker reads itself. The main process does no JSON parsing.

Workers return the search modes' arrays (band keys, ...), lengths and (when the run may
verify by estimate) signatures, with the ids and problems of the lines they parsed; the main
process keeps only those (:meth:`HashingStage.collect`), and its
:class:`~neardup.stages.intake.Intake` checks ids for repeats and accounts for every
document. The worker processes (:class:`~neardup.engine.workers.Workers`) are started once
and serve the later stages too (:meth:`~neardup.engine.workers.Workers.map`).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from .._types import I64, U32, U64, ProgressHook
from ..core.arrays import pieces_of, starts_of
from ..core.kernels import kernel_name
from ..core.normalize import codepoints, packed_codepoints
from ..io.documents import Document, parse_jsonl_line
from ..io.jsonl_fields import read_fields, unread_fields
from ..io.records import LineBlock, RawLine
from ..parameters import Parameters
from ..report import Skipped
from ..searches.protocol import PerDocument
from ..stages.hashing import (
    BATCH_CHARS,
    BATCH_DOCS,
    HashedBatch,
    hash_packed,
)
from ..stages.intake import EMPTY_AFTER_NORMALIZATION, Intake
from .workers import Workers


@dataclass
class Processed:
    """What stays in memory per processed document, and the run's accounting."""

    ids: list[str] = field(default_factory=list)
    positions: array[int] = field(default_factory=lambda: array("q"))
    lengths: array[int] = field(default_factory=lambda: array("q"))
    shingle_counts: array[int] = field(default_factory=lambda: array("q"))
    signatures: list[U32] = field(default_factory=list)
    searched: dict[str, list[PerDocument]] = field(default_factory=dict)
    """Each search mode's arrays of the processed documents, in per-batch blocks, by mode
    name (dropped once the candidates are found)."""
    digests: list[U64] = field(default_factory=list)
    """Each normalized text's digest (:mod:`neardup.core.exact`), in per-batch blocks."""
    skipped: list[Skipped] = field(default_factory=list)
    """Documents and records that went no further, in input order."""
    read: int = 0
    signatures_kept: bool = True
    """False when the run verifies exactly and has no use for them (:attr:`signatures` is
    then empty)."""
    _starts: I64 | None = None

    def signature(self, index: int) -> U32:
        """The signature of processed document ``index`` (kept in per-batch blocks)."""
        if not self.signatures_kept:
            raise RuntimeError("this run did not keep the signatures")
        if self._starts is None or self._starts[-1] != len(self.ids):
            sizes = [block.shape[0] for block in self.signatures]
            self._starts = starts_of(np.asarray(sizes, dtype=np.int64))
        block = int(np.searchsorted(self._starts, index, side="right")) - 1
        row: U32 = self.signatures[block][index - int(self._starts[block])]
        return row

    def all_digests(self) -> U64:
        """The digests of every processed document, shape (n, 2)."""
        if not self.digests:
            return np.zeros((0, 2), dtype=np.uint64)
        return np.concatenate(self.digests)

    def select(self, keep: npt.NDArray[np.bool_]) -> None:
        """Keep only the processed documents where ``keep`` is true, in the same order (the
        accounting, ``read`` and ``skipped``, stays). Block by block, in place, so that the
        band keys are never held twice."""
        chosen = np.flatnonzero(keep)
        bounds = starts_of(np.asarray([b.shape[0] for b in self.digests], dtype=np.int64))

        def in_place(parts: list[Any]) -> None:
            for b, lo in enumerate(bounds[: len(parts)].tolist()):
                parts[b] = parts[b][keep[lo : lo + parts[b].shape[0]]]

        for blocks in self.searched.values():
            for b, lo in enumerate(bounds[: len(blocks)].tolist()):
                rows = np.flatnonzero(keep[lo : lo + blocks[b].documents])
                blocks[b] = blocks[b].rows(rows)
        in_place(self.digests)
        if self.signatures_kept:
            in_place(self.signatures)
        self.ids = [self.ids[i] for i in chosen.tolist()]
        for name in ("positions", "lengths", "shingle_counts"):
            column = np.asarray(getattr(self, name), dtype=np.int64)[chosen]
            setattr(self, name, array("q", column.tolist()))
        self._starts = None


@dataclass
class ParsedLines:
    """A batch of JSON lines after parsing and hashing: each line's id (None when it holds
    no document), the lines that hold no document (by index in the batch), the documents
    with only whitespace, and the hashes of the others, in batch order."""

    ids: list[str | None]
    skipped: dict[int, Skipped]
    blank: list[int]
    hashes: HashedBatch


def hash_lines(
    data: bytes,
    bounds: I64,
    linenos: I64,
    file: tuple[str, str],
    fields: tuple[str, str, str],
    params: Parameters,
) -> ParsedLines:
    """Parse the JSON lines ``data[bounds[k]:bounds[k + 1]]`` of one file (``file`` = its
    name and path) and hash their documents.

    With the numba kernel, the plain lines are read straight into code points
    (:func:`~neardup.io.jsonl_fields.read_fields`); the others, or all without it, are
    parsed as JSON.
    """
    lines = max(bounds.size - 1, 0)
    compiled = kernel_name() == "numba"
    found = read_fields(data, bounds, *fields) if compiled else unread_fields(lines)
    ids = found.ids
    skipped: dict[int, Skipped] = {}
    parsed: dict[int, U32] = {}  # the texts of the lines parsed here, not blank
    blank = set(np.flatnonzero(found.blank).tolist())
    ends, numbers = bounds.tolist(), linenos.tolist()
    name, path = file
    for k in np.flatnonzero(~found.read).tolist():
        where = f"{name}:{numbers[k]}", f"{path}:{numbers[k]}"
        item = parse_jsonl_line(data[ends[k] : ends[k + 1]], *where, *fields)
        if isinstance(item, Skipped):
            skipped[k] = item
        else:
            ids[k] = item.id
            if item.text.strip():
                parsed[k] = codepoints(item.text)
            else:
                blank.add(k)
    if not parsed and not blank and not skipped:  # every line read by the kernel
        return ParsedLines(ids, skipped, [], hash_packed(found.codepoints, found.lengths, params))
    pieces = pieces_of(found.codepoints, found.lengths)
    texts = [
        parsed[k] if k in parsed else pieces[k]
        for k in range(lines)
        if k not in skipped and k not in blank
    ]
    flat = np.concatenate(texts) if texts else np.empty(0, dtype=np.uint32)
    sizes = np.fromiter((t.size for t in texts), dtype=np.int64, count=len(texts))
    return ParsedLines(ids, skipped, sorted(blank), hash_packed(flat, sizes, params))


def hash_block(block: LineBlock, params: Parameters) -> ParsedLines:
    """:func:`hash_lines` of a block of lines, read from its file here."""
    linenos = np.arange(block.first_lineno, block.first_lineno + len(block), dtype=np.int64)
    file = (block.name, block.path)
    return hash_lines(block.read(), block.bounds, linenos, file, block.fields, params)


@dataclass
class Batch:
    """Documents read, waiting to be hashed: texts, raw JSON lines of one file, or a block
    of lines to be read from their file."""

    order: list[int] = field(default_factory=list)
    """Read index of each record (orders skipped records in the report)."""
    positions: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    lines: list[RawLine] = field(default_factory=list)
    block: LineBlock | None = None
    size: int = 0

    def __len__(self) -> int:
        return len(self.order)

    def takes(self, item: Document | RawLine) -> bool:
        """Whether ``item`` can join this batch (batches hold one kind, lines of one file)."""
        if not self.order:
            return True
        if isinstance(item, RawLine):
            first = self.lines[0] if self.lines else None
            return first is not None and (first.path, first.name) == (item.path, item.name)
        return not self.lines

    def add(self, order: int, position: int, item: Document | RawLine) -> None:
        """Take a document or a JSON line (see :meth:`takes`)."""
        self.order.append(order)
        self.positions.append(position)
        if isinstance(item, RawLine):
            self.lines.append(item)
            self.size += len(item.data)
        else:
            self.ids.append(item.id)
            self.texts.append(item.text)
            self.size += len(item.text)

    @property
    def full(self) -> bool:
        return len(self.order) >= BATCH_DOCS or self.size >= BATCH_CHARS


class HashingStage:
    """Reads the items, hashes them in batches (in the worker processes when there are more
    than one) and collects what stays in memory into :attr:`hashed`.

    Without ``keep_signatures`` only the band keys are kept (and workers do not send the
    signatures back: they are two thirds of what a batch returns).
    """

    def __init__(
        self,
        params: Parameters,
        workers: Workers,
        progress: ProgressHook | None = None,
        keep_signatures: bool = True,
    ) -> None:
        self.params = params
        self.workers = workers
        self.progress = progress
        self.hashed = Processed(signatures_kept=keep_signatures)
        self.intake = Intake()
        self._pending: list[tuple[Batch, Future[HashedBatch | ParsedLines]]] = []
        self._held: Batch | None = None

    def run(
        self, items: Iterator[tuple[int, Document | RawLine | LineBlock | Skipped]]
    ) -> Processed:
        """Hash every item; raise :class:`~neardup.errors.DuplicateIdError` naming every
        repeated id."""
        try:
            batch = Batch()
            for position, item in items:
                batch = self._read(batch, position, item)
            if batch.order:
                self._ready(batch)
            if self._held is not None:
                self._submit(self._held, last=True)
            while self._pending:
                self._collect_next()
        except BaseException:
            for _, future in self._pending:
                future.cancel()
            raise
        self.intake.check()
        self.hashed.read = self.intake.read
        self.hashed.skipped = self.intake.skipped_in_read_order()
        return self.hashed

    def collect(self, batch: Batch, result: HashedBatch | ParsedLines) -> None:
        """Take a hashed batch back: account for its documents and keep what stays in
        memory of those that go on."""
        out = self.hashed
        if isinstance(result, ParsedLines):
            hashes = result.hashes
            ids, going_on, rows = self._admit_lines(batch, result)
        else:
            hashes = result
            ids, going_on = batch.ids, np.arange(len(batch), dtype=np.int64)
            rows = going_on
        lengths = hashes.lengths
        nonempty = lengths[rows] > 0
        for k in going_on[~nonempty].tolist():
            self.intake.set_aside(batch.order[k], Skipped(ids[k], EMPTY_AFTER_NORMALIZATION))
        kept, kept_rows = going_on[nonempty].tolist(), rows[nonempty]
        if out.signatures_kept:
            out.signatures.append(hashes.signatures[kept_rows])
        for name, arrays in hashes.searched.items():
            out.searched.setdefault(name, []).append(arrays.rows(kept_rows))
        out.digests.append(hashes.digests[kept_rows])
        out.ids.extend([ids[k] for k in kept])
        out.positions.extend([batch.positions[k] for k in kept])
        out.lengths.frombytes(lengths[kept_rows].astype(np.int64).tobytes())
        out.shingle_counts.frombytes(hashes.shingle_counts[kept_rows].astype(np.int64).tobytes())
        if self.progress is not None:
            self.progress("read", len(batch))

    def _read(
        self, batch: Batch, position: int, item: Document | RawLine | LineBlock | Skipped
    ) -> Batch:
        """Take an item read into the batch being filled; the batch to fill next."""
        if isinstance(item, LineBlock):  # a batch of its own
            if batch.order:
                self._ready(batch)
            first, lines = self.intake.count(len(item)), range(len(item))
            orders, positions = [first + k for k in lines], [position + k for k in lines]
            self._ready(Batch(orders, positions, block=item))
            return Batch()
        if isinstance(item, RawLine):
            taken: Document | RawLine | None = item
            order = self.intake.count()  # its id is checked once a worker has parsed it
        else:
            taken, order = self.intake.take(item), self.intake.read
        if taken is None:
            return batch
        if not batch.takes(taken):
            self._ready(batch)
            batch = Batch()
        batch.add(order, position, taken)
        if batch.full:
            self._ready(batch)
            return Batch()
        return batch

    def _ready(self, batch: Batch) -> None:
        """Submit the batch held back, and hold this one (so that the last batch is known
        as such: a single batch is not worth starting worker processes for)."""
        if self._held is not None:
            self._submit(self._held)
        self._held = batch

    def _submit(self, batch: Batch, last: bool = False) -> None:
        if self.intake.repeated:  # the run will fail: only look for more repeated ids
            for line in batch.lines or _block_lines(batch.block):
                item = line.parse()
                if isinstance(item, Document):
                    self.intake.admit(item.id, 0)
            return
        workers = self.workers
        task, arguments = self._task(batch)
        if workers.count == 1 or (last and not workers.started):
            # one process, or a single batch: not worth starting processes for
            self.collect(batch, task(*arguments))
            return
        future = workers.pool().submit(_remotely, self.hashed.signatures_kept, task, *arguments)
        self._pending.append((batch, future))
        while len(self._pending) > 2 * workers.count:
            self._collect_next()

    def _task(
        self, batch: Batch
    ) -> tuple[Callable[..., HashedBatch | ParsedLines], tuple[object, ...]]:
        """The function that hashes the batch and its arguments (texts and lines packed into
        one buffer each; the batch lets go of them)."""
        if batch.block is not None:
            return hash_block, (batch.block, self.params)
        if batch.lines:
            data, bounds, linenos, file = _pack_lines(batch.lines)
            fields = batch.lines[0].fields
            batch.lines = []
            return hash_lines, (data, bounds, linenos, file, fields, self.params)
        cps, sizes = packed_codepoints(batch.texts)
        batch.texts = []
        return hash_packed, (cps, sizes, self.params)

    def _collect_next(self) -> None:
        batch, future = self._pending.pop(0)
        self.collect(batch, future.result())

    def _admit_lines(self, batch: Batch, parsed: ParsedLines) -> tuple[list[str], I64, I64]:
        """Account for a parsed batch of lines: their ids (checked for repeats), lines that
        hold no document and blank documents; returns the ids, and the index in the batch and
        the row of the hashes of each document that goes on."""
        if not parsed.skipped and not parsed.blank:  # the usual batch: only documents
            doc_ids = cast(list[str], parsed.ids)
            if self.intake.admit_all(doc_ids):
                every = np.arange(len(doc_ids), dtype=np.int64)
                return doc_ids, every, every
        blank = set(parsed.blank)
        ids: list[str] = []
        going_on: list[int] = []
        rows: list[int] = []
        row = 0
        for k, doc_id in enumerate(parsed.ids):
            if doc_id is None:
                ids.append("")
                self.intake.set_aside(batch.order[k], parsed.skipped[k])
                continue
            ids.append(doc_id)
            is_blank = k in blank
            if self.intake.admit(doc_id, batch.order[k], blank=is_blank):
                going_on.append(k)
                rows.append(row)
            row += not is_blank
        return ids, np.asarray(going_on, dtype=np.int64), np.asarray(rows, dtype=np.int64)


def _remotely(
    keep_signatures: bool, task: Callable[..., HashedBatch | ParsedLines], *args: object
) -> HashedBatch | ParsedLines:
    """``task(*args)`` in a worker process, its signatures left out unless kept."""
    result = task(*args)
    if keep_signatures:
        return result
    if isinstance(result, ParsedLines):
        result.hashes = _without_signatures(result.hashes)
        return result
    return _without_signatures(result)


def _without_signatures(hashes: HashedBatch) -> HashedBatch:
    return replace(hashes, signatures=np.empty((hashes.signatures.shape[0], 0), dtype=np.uint32))


def _block_lines(block: LineBlock | None) -> list[RawLine]:
    if block is None:
        return []
    data, bounds = block.read(), block.bounds.tolist()
    return [
        RawLine(data[bounds[k] : bounds[k + 1]], block.name, block.path, lineno, block.fields)
        for k, lineno in enumerate(range(block.first_lineno, block.first_lineno + len(block)))
    ]


def _pack_lines(lines: list[RawLine]) -> tuple[bytes, I64, I64, tuple[str, str]]:
    """JSON lines of one file as one buffer, their bounds, line numbers and (name, path)."""
    sizes = np.fromiter((len(line.data) for line in lines), dtype=np.int64, count=len(lines))
    bounds = starts_of(sizes)
    linenos = np.fromiter((line.lineno for line in lines), dtype=np.int64, count=len(lines))
    return b"".join(line.data for line in lines), bounds, linenos, (lines[0].name, lines[0].path)
