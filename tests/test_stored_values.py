"""The check of the value rows a check with the copies judgement read
(:func:`neardup.stages.stored_values.check_value_rows`), on a store whose doc numbers exceed
32 bits (a Parquet corpus numbers documents by input order: partition above row)."""

from __future__ import annotations

import numpy as np
import pytest

from neardup._types import I64, U32
from neardup.errors import IndexFileError
from neardup.searches.protocol import Packed
from neardup.stages.stored_values import Frequencies, check_value_rows

FAR = 5 + (1 << 33)
"""A doc number whose low 32 bits are those of doc 5."""


class Rows:
    """A store of (value, doc) rows."""

    path = "store"

    def __init__(self, rows: list[tuple[int, int]]) -> None:
        self.rows = rows

    def count(self) -> int:
        return len({doc for _, doc in self.rows})

    def value_frequencies(self, table: str, values: U32, cap: int) -> I64:
        return np.array([min(cap, sum(v == int(x) for v, _ in self.rows)) for x in values],
                        dtype=np.int64)

    def value_holders(self, table: str, values: U32) -> tuple[U32, I64]:
        wanted = set(values.tolist())
        found = [(v, d) for v, d in self.rows if v in wanted]
        return (np.array([v for v, _ in found], dtype=np.uint32),
                np.array([d for _, d in found], dtype=np.int64))

    def value_counts(self, table: str, docs: list[int]) -> dict[int, int]:
        return {doc: sum(d == doc for _, d in self.rows) for doc in docs}


def _checked(rows: list[tuple[int, int]], met: dict[int, list[int]]) -> None:
    store = Rows(rows)
    freq = Frequencies.of_new(store, "sampled", 10, Packed(np.array([7, 8], dtype=np.uint32),
                                                          np.array([2], dtype=np.int64)))
    freq.total(np.array([7, 8, 9], dtype=np.uint32))
    freq.holders(np.array([7, 8, 9], dtype=np.uint32))
    check_value_rows(freq, {d: np.array(v, dtype=np.uint32) for d, v in met.items()},
                     {5: "five", FAR: "far"}, lambda detail: f"store: damaged: {detail}")


def test_docs_alike_in_their_low_32_bits_are_told_apart() -> None:
    rows = [(7, 5), (8, 5), (9, FAR), (7, FAR)]
    _checked(rows, {5: [7, 8], FAR: [7, 9]})  # agrees: no error
    with pytest.raises(IndexFileError, match=r"row \(9, doc 5\).*does not hold"):
        _checked([*rows, (9, 5)], {5: [7, 8], FAR: [7, 9]})
    with pytest.raises(IndexFileError, match=f"value 9 of document 'far' \\(doc {FAR}\\)"):
        _checked([(7, 5), (8, 5), (7, FAR)], {5: [7, 8], FAR: [7, 9]})
    with pytest.raises(IndexFileError, match=f"value 9 of document 'far' \\(doc {FAR}\\)"):
        _checked([(7, 5), (8, 5), (9, 5), (7, FAR)], {5: [7, 8], FAR: [7, 9]})  # moved
