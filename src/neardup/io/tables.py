"""Documents of the in-memory shapes data teams hold: a list of dicts (records read from JSON
Lines), a pandas DataFrame, a pyarrow Table, a Hugging Face ``datasets.Dataset``.

Each is recognized by what it has (duck typing: none of these libraries is imported here)
and read as :class:`Records`: the id and text columns (``id_field``/``text_field``), a
sequence of :class:`~neardup.io.documents.Document` by position, and any other column on
demand (e.g. a quality score to keep the best copy by). A table without the text column is
an :class:`~neardup.errors.InputError` naming the column and the ones it has; a table is
never read as the sequence of its column names. A DataFrame without the id column is
identified by its index (other tables and lists by position).

Documents' ids are strings; :func:`original_ids` gives them as the table holds them (an
integer id column stays integer), which :func:`neardup.deduplicate` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, overload

from ..errors import InputError
from ..report import Skipped
from .dedup_result import DedupResult
from .documents import Document

NULL_TEXT = "text is null"
"""Why a record whose text is null (None, NaN) is skipped."""


class Records(Sequence[Document | Skipped]):
    """Documents of an in-memory table or list of records, by position.

    Args:
        kind: what the input was, for messages ("DataFrame", "list of dicts", ...).
        ids: each record's id (None: the records have no id column; ids are positions).
        texts: each record's text.
        column: another column by name (raises :class:`~neardup.errors.InputError` when
            there is none).
    """

    def __init__(
        self,
        kind: str,
        ids: Sequence[object] | None,
        texts: Sequence[object],
        column: Callable[[str], Sequence[object]],
    ) -> None:
        self.kind = kind
        self._ids = ids
        self._texts = texts
        self._column = column

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> Document | Skipped: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Document | Skipped]: ...

    def __getitem__(self, index: int | slice) -> Document | Skipped | Sequence[Document | Skipped]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        doc_id = str(index) if self._ids is None else str(self._ids[index])
        text = self._texts[index]
        if isinstance(text, str):
            return Document(doc_id, text)
        if text is None or text != text:  # None, or NaN as pandas writes a missing value
            return Skipped(doc_id, NULL_TEXT)
        raise InputError(
            f"{self.kind} record {index} (id {doc_id!r}): text must be a string, "
            f"got {type(text).__name__}"
        )

    def column(self, name: str) -> Sequence[object]:
        """The values of column (or field) ``name``, by position.

        Raises:
            InputError: there is no such column.
        """
        return self._column(name)


def as_records(documents: object, id_field: str = "id", text_field: str = "text") -> Records | None:
    """The records of a DataFrame, pyarrow Table, ``datasets.Dataset`` or sequence of dicts;
    None for any other input (documents, strings, tuples, a dict id → text).

    Raises:
        InputError: a table or record without the text column (naming the columns it has),
            or a sequence that mixes dicts with other items.
    """
    module = type(documents).__module__.split(".")[0]
    if module == "pandas" and hasattr(documents, "columns"):
        return _table("pandas DataFrame", list(documents.columns), id_field, text_field,
                      lambda name: documents[name].tolist(),  # type: ignore[index]
                      index=lambda: documents.index.tolist())  # type: ignore[attr-defined]
    if module == "pyarrow" and hasattr(documents, "column_names"):
        return _table("pyarrow Table", list(documents.column_names), id_field, text_field,
                      lambda name: documents.column(name).to_pylist())  # type: ignore[attr-defined]
    if hasattr(documents, "column_names") and hasattr(documents, "features"):  # datasets
        return _table("Dataset", list(documents.column_names), id_field, text_field,
                      lambda name: documents[name])  # type: ignore[index]
    if module in ("pandas", "pyarrow", "polars"):
        raise InputError(
            f"documents: a {type(documents).__name__} is not supported (pass a pandas "
            "DataFrame, a pyarrow Table, a datasets.Dataset or a list of dicts)"
        )
    rows = _rows(documents)
    if rows and isinstance(rows[0], Mapping):
        return _dicts(rows, id_field, text_field)
    return None


def _table(
    kind: str,
    columns: list[str],
    id_field: str,
    text_field: str,
    column: Callable[[str], Sequence[object]],
    index: Callable[[], Sequence[object]] | None = None,
) -> Records:
    def named(name: str) -> Sequence[object]:
        if name not in columns:
            raise InputError(
                f"{kind} has no column {name!r} (its columns: {', '.join(map(str, columns))})"
            )
        return column(name)

    if text_field not in columns:
        raise InputError(
            f"{kind} has no text column {text_field!r} (its columns: "
            f"{', '.join(map(str, columns))}); name it with text_field="
        )
    ids = named(id_field) if id_field in columns else None if index is None else index()
    return Records(kind, ids, named(text_field), named)


def _dicts(rows: Sequence[Any], id_field: str, text_field: str) -> Records:
    for position, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError(
                f"document {position}: expected a dict like the others, got {type(row).__name__}"
            )
        if text_field not in row:
            raise InputError(
                f"document {position}: no field {text_field!r} (its fields: "
                f"{', '.join(map(str, row))}); name the text field with text_field="
            )
    def column(name: str) -> Sequence[object]:
        return [row.get(name) for row in rows]

    ids = [row.get(id_field, k) for k, row in enumerate(rows)]
    return Records("list of dicts", ids, [row[text_field] for row in rows], column)


def _rows(documents: object) -> Sequence[Any]:
    """A list-like input as a sequence (empty for anything else): its first item tells a
    list of dicts or of ``(id, text)`` pairs."""
    if isinstance(documents, Sequence) and not isinstance(documents, (str, bytes)):
        return documents
    return ()


def original_ids(documents: object, id_field: str = "id") -> list[object] | None:
    """The ids of a table or list of records as it holds them, by position (the id column's
    values; without one, a DataFrame's index, else positions), as :func:`as_records` names
    the records; the keys of a dict ``{id: text}`` and the ids of ``(id, text)`` pairs;
    None for any other input (texts alone, documents), whose ids are strings already.

    Example:
        >>> original_ids([{"id": 7, "text": "x"}, {"text": "y"}]), original_ids({5: "x"})
        ([7, 1], [5])
        >>> original_ids([(3, "x"), (4, "y")]), original_ids(["x", "y"])
        ([3, 4], None)
    """
    if isinstance(documents, Mapping):
        return list(documents)
    rows = _rows(documents)
    if rows and isinstance(rows[0], tuple) and len(rows[0]) == 2:
        return [row[0] if isinstance(row, tuple) else str(k) for k, row in enumerate(rows)]
    module = type(documents).__module__.split(".")[0]
    if module == "pandas" and hasattr(documents, "columns"):
        if id_field in documents.columns:
            return list(documents[id_field].tolist())  # type: ignore[index]
        return list(documents.index.tolist())  # type: ignore[attr-defined]
    if hasattr(documents, "column_names"):  # a pyarrow Table or a datasets.Dataset
        if id_field not in documents.column_names:
            return list(range(len(documents)))  # type: ignore[arg-type]
        column = (documents.column(id_field).to_pylist() if module == "pyarrow"  # type: ignore[attr-defined]
                  else documents[id_field])  # type: ignore[index]
        return list(column)
    if rows and isinstance(rows[0], Mapping):
        return [row.get(id_field, k) if isinstance(row, Mapping) else k
                for k, row in enumerate(rows)]
    return None


def with_original_ids(result: DedupResult, originals: Sequence[object]) -> DedupResult:
    """``result`` with its ids as the records hold them (:func:`original_ids`): ``kept``,
    ``removed`` (its keys and each ``kept``) and ``passed_through``; clusters keep the
    string ids of the report. Ids that are not the string of one original stay as they
    are."""
    back: dict[str, object] = {str(value): value for value in originals}

    def of(doc_id: str) -> Any:
        return back.get(doc_id, doc_id)

    return replace(
        result,
        kept=[of(i) for i in result.kept],
        removed={of(i): r._replace(kept=of(r.kept)) for i, r in result.removed.items()},
        passed_through=[of(i) for i in result.passed_through],
    )
