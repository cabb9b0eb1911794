"""Parquet files: documents read row group by row group, rows re-read by number, and a file
written again without some of its rows (every column, the same schema).

A row is a record: its id, text and title come from the columns named by the corpus's
fields (a row without an id column is ``<file name>:<row number>``, counting from 1, as a
JSON line without one is ``<file name>:<line number>``); a null text is skipped. pyarrow is
imported when a Parquet file is met (``pip install pyarrow``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, MissingDependencyError
from ..report import Skipped
from .documents import Document

READ_ROWS = 4096
"""Rows turned into documents at a time (a row group can hold millions: its texts as
Python strings all at once would be gigabytes)."""

NULL_TEXT = "text is null"
"""Why a row whose text is null is skipped."""


def _parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(
            "reading Parquet files needs pyarrow: pip install pyarrow"
        ) from None
    return pq


def _open(path: Path) -> Any:
    """The file, read without pyarrow's pre-buffering: that reads ahead the column chunks of
    the row groups to come and keeps them until the file is closed (the whole text column of
    a file read to its end: 2.3 GB of a 1,000,000-document file, against 0.14 GB)."""
    try:
        return _parquet().ParquetFile(path, pre_buffer=False)
    except MissingDependencyError:
        raise
    except Exception as exc:  # pyarrow raises its own errors for files it cannot read
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None


def _columns(handle: Any, path: Path, fields: tuple[str, str, str]) -> list[str]:
    """The id, text and title columns the file has (the text column is required)."""
    names = handle.schema_arrow.names
    id_field, text_field, title_field = fields
    if text_field not in names:
        raise InputError(
            f"{path}: no column {text_field!r} (its columns: {', '.join(names)}); name the "
            "text column with --text-field"
        )
    return [name for name in (id_field, text_field, title_field) if name in names]


def read_rows(
    path: Path, name: str, fields: tuple[str, str, str]
) -> Iterator[tuple[Document | Skipped, int]]:
    """Each row's document (or why it has none) and its row number (from 0), a few
    thousand rows at a time (:data:`READ_ROWS`)."""
    handle = _open(path)
    columns = _columns(handle, path, fields)
    row = 0
    for batch in handle.iter_batches(batch_size=READ_ROWS, columns=columns):
        for item in _documents(batch.to_pydict(), path, name, fields, row):
            yield item, row
            row += 1


def read_rows_at(
    path: Path, name: str, fields: tuple[str, str, str], rows: Sequence[int]
) -> Iterator[tuple[Document | Skipped, int]]:
    """The documents of these rows (numbers from 0), reading only their row groups."""
    handle = _open(path)
    columns = _columns(handle, path, fields)
    for group, first, wanted in _by_group(handle, rows):
        table = handle.read_row_group(group, columns=columns).take(wanted - first)
        values = table.to_pydict()
        for k, row in enumerate(wanted.tolist()):
            one = {column: [values[column][k]] for column in values}
            for item in _documents(one, path, name, fields, row):
                yield item, row


def column_values(path: Path, rows: Sequence[int], column: str) -> dict[int, object]:
    """The values of ``column`` at these rows (None where the file has no such column)."""
    handle = _open(path)
    if column not in handle.schema_arrow.names:
        return dict.fromkeys(rows)
    out: dict[int, object] = {}
    for group, first, wanted in _by_group(handle, rows):
        values = handle.read_row_group(group, columns=[column]).column(column)
        picked = values.take(wanted - first).to_pylist()
        out.update(zip(wanted.tolist(), picked, strict=True))
    return out


def parquet_columns(path: Path) -> list[str]:
    """The names of a Parquet file's columns."""
    return list(_open(path).schema_arrow.names)


def parquet_rows(path: Path) -> int:
    """The number of rows of a Parquet file."""
    return int(_open(path).metadata.num_rows)


def write_rows_without(path: Path, target: Path, removed: Sequence[int]) -> None:
    """Write the Parquet file ``path`` to ``target`` without the rows ``removed`` (numbers
    from 0): every column, the same schema (and its metadata), row group by row group."""
    pq = _parquet()
    handle = _open(path)
    drop = np.asarray(sorted(removed), dtype=np.int64)
    first = 0
    with pq.ParquetWriter(target, handle.schema_arrow) as writer:
        for group in range(handle.num_row_groups):
            table = handle.read_row_group(group)
            size = table.num_rows
            inside = drop[(drop >= first) & (drop < first + size)] - first
            keep = np.ones(size, dtype=bool)
            keep[inside] = False
            if keep.any():
                writer.write_table(table.filter(keep) if not keep.all() else table)
            first += size


def _by_group(handle: Any, rows: Sequence[int]) -> Iterator[tuple[int, int, np.ndarray]]:
    """(row group, its first row, the wanted rows in it), for the wanted rows."""
    sizes = [handle.metadata.row_group(g).num_rows for g in range(handle.num_row_groups)]
    starts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    wanted = np.unique(np.asarray(rows, dtype=np.int64))
    group_of = np.searchsorted(starts, wanted, side="right") - 1
    for group in np.unique(group_of).tolist():
        yield group, int(starts[group]), wanted[group_of == group]


def _documents(
    values: dict[str, list[Any]], path: Path, name: str, fields: tuple[str, str, str],
    first_row: int,
) -> Iterator[Document | Skipped]:
    id_field, text_field, title_field = fields
    texts = values[text_field]
    ids = values.get(id_field)
    titles = values.get(title_field)
    for k, text in enumerate(texts):
        row = first_row + k
        where = f"{name}:{row + 1}"
        doc_id = str(ids[k]) if ids is not None and ids[k] is not None else where
        if not isinstance(text, str):
            reason = NULL_TEXT if text is None else f"column {text_field!r} is not text"
            yield Skipped(doc_id, reason, f"{path}:{row + 1}")
            continue
        title = titles[k] if titles is not None and isinstance(titles[k], str) else None
        yield Document(doc_id, text, title, f"{path}:{row + 1}")
