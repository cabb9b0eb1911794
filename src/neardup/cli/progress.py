"""Progress bars (tqdm) on standard error, for a person watching a long run.

Reading shows a total, a percentage and an ETA when the size of the input is known before
it is read (:func:`read_meter`): the bytes of uncompressed files, or the rows of Parquet
files; otherwise it counts documents. Verification counts candidate pairs, and the
passage search the characters of the pairs' texts.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..io.documents import Document, file_kind
from ..io.records import LineBlock, RawLine
from ..report import Skipped
from .inputs import InputReader


class ReadMeter:
    """What the reader has handed on so far, as checkpoints (records, input read), so that
    the count of records hashed (which the pipeline reports) becomes the input behind them.

    Args:
        total: the size of the input, in ``unit``.
        unit: ``"B"`` (bytes of files) or ``"doc"`` (records: Parquet rows).
        sizes: the size in bytes of each file, by path (unit ``"B"``).
    """

    def __init__(self, total: int, unit: str, sizes: dict[str, int] | None = None) -> None:
        self.total = total
        self.unit = unit
        self._sizes = sizes or {}
        self._records = 0
        self._read = 0
        self._done_files = 0  # bytes of the files read to their end
        self._file: str | None = None
        self._checkpoints: deque[tuple[int, int]] = deque()
        self._position = 0

    def seen(self, item: object) -> None:
        """Count an item the reader hands on (a record, a block of lines, a skipped file)."""
        if isinstance(item, Skipped):
            return
        if isinstance(item, LineBlock):
            self._records += len(item)
            self._read += int(item.bounds[-1])
        elif isinstance(item, RawLine):
            self._records += 1
            self._read += len(item.data)
        elif isinstance(item, Document):
            self._records += 1
            self._read += self._document_bytes(item)
        self._checkpoints.append((self._records, self._read))

    def _document_bytes(self, doc: Document) -> int:
        """A document's share of the input: one record of Parquet; otherwise its text's
        UTF-8 length (at most what is left of its file), and the rest of the file once the
        next file starts."""
        if self.unit == "doc":
            return 1
        file = self._file_of(doc.source or "")
        grown = 0
        if file != self._file:
            if self._file is not None:
                self._done_files += self._sizes.get(self._file, 0)
            self._file = file
            grown = self._done_files - self._read
        left = self._sizes.get(file, 0) - (self._read + grown - self._done_files)
        return grown + max(0, min(left, len(doc.text.encode("utf-8", "surrogatepass"))))

    def _file_of(self, source: str) -> str:
        """The file a document's source names (``path``, or ``path:line`` of a JSON line
        parsed by the reader, as with ``--strict``)."""
        path, _, line = source.rpartition(":")
        return path if line.isdigit() and path in self._sizes else source

    def position(self, records: int) -> int:
        """The input behind the first ``records`` records (in :attr:`unit`)."""
        while self._checkpoints and self._checkpoints[0][0] <= records:
            self._position = self._checkpoints.popleft()[1]
        return min(self._position, self.total)


def read_meter(files: Iterable[tuple[Path, str]], stdin: bool) -> ReadMeter | None:
    """A meter of the files' size when it is known up front: bytes when every file is an
    uncompressed text or JSON Lines file, rows when every file is Parquet; None otherwise
    (compressed files, standard input, a mix)."""
    paths = [path for path, _ in files]
    if stdin or not paths:
        return None
    kinds = {file_kind(path) for path in paths}
    try:
        if kinds == {"parquet"}:
            import pyarrow.parquet as pq

            rows = sum(pq.ParquetFile(path).metadata.num_rows for path in paths)
            return ReadMeter(rows, "doc")
        if "parquet" in kinds or any(path.name.lower().endswith(".gz") for path in paths):
            return None
        sizes = {str(path): os.path.getsize(path) for path in paths}
    except Exception:  # pyarrow raises its own errors; the file is reported when read
        return None
    return ReadMeter(sum(sizes.values()), "B", sizes)


class PipelineProgress:
    """tqdm bars on standard error for the stages of a run (``find_duplicates(progress=)``
    and ``add_passages(progress=)``): documents read and hashed (with a total, percentage
    and ETA when ``meter`` knows the input's size), candidate pairs verified, characters of
    the pairs searched for passages."""

    def __init__(self, meter: ReadMeter | None = None) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._bars: dict[str, Any] = {}
        self._meter = meter
        self._hashed = 0

    def __call__(self, stage: str, n: int) -> None:
        if stage == "read":
            self._read(n)
        elif stage == "candidates":
            self.close("read")
            self._bar("verified", "verifying", "pair", n)
        elif stage == "verified":
            self._bar("verified", "verifying", "pair", None).update(n)
        elif stage == "passages":
            self.close()
            if n:
                self._bar("passages", "finding passages", "char", n, scale=True)
        elif stage == "passage characters" and "passages" in self._bars:
            self._bars["passages"].update(n)

    def _read(self, n: int) -> None:
        self._hashed += n
        meter = self._meter
        if meter is None:
            self._bar("read", "reading and hashing", "doc", None).update(n)
            return
        bar = self._bar("read", "reading and hashing", meter.unit, meter.total,
                        scale=meter.unit == "B")
        bar.update(meter.position(self._hashed) - bar.n)
        if meter.unit == "B":
            bar.set_postfix_str(f"{self._hashed:,} doc" + "s" * (self._hashed != 1), refresh=False)

    def _bar(self, key: str, description: str, unit: str, total: int | None,
             scale: bool = False) -> Any:
        if key not in self._bars:
            self._bars[key] = self._tqdm(
                desc=description, unit=unit, total=total, file=sys.stderr, leave=False,
                dynamic_ncols=True, unit_scale=scale, unit_divisor=1024 if unit == "B" else 1000,
            )
        return self._bars[key]

    def close(self, key: str | None = None) -> None:
        """Close one bar, or all of them."""
        for name in [key] if key else list(self._bars):
            bar = self._bars.pop(name, None)
            if bar is not None:
                bar.close()



def watched(reader: InputReader) -> PipelineProgress:
    """Progress bars for a run over ``reader``'s documents, with the input's size when it
    is known (:func:`read_meter`)."""
    meter = read_meter(reader.files, bool(reader.stdin_items))
    if meter is not None:
        reader.on_record = meter.seen
    return PipelineProgress(meter)
