"""The id and text of many JSON lines at once, without building a Python object per line.

Parsing a JSON line into a dict costs more than normalizing and signing its text: most of
it goes to decoding the text into a Python string, which the hashing stage turns into code
points again. With numba (``neardup[fast]``), :func:`read_fields` reads the plain lines (an
object whose values are all strings, the id field a string without escapes, valid UTF-8,
no lone surrogate, neither field twice) straight into code points, and says which lines it
left to the JSON parser; :func:`neardup.io.documents.parse_jsonl_line` stays the reference
for every line, and the two agree on the lines read here (tests/test_jsonl_fields.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .._types import I64, U32


class LineFields(NamedTuple):
    """What :func:`read_fields` found in a batch of lines."""

    read: npt.NDArray[np.bool_]
    """Whether each line was read here (the others are for the JSON parser)."""
    ids: list[str | None]
    """The id of each line read here (None for the others)."""
    codepoints: U32
    """The texts of the lines read here, concatenated in line order."""
    lengths: I64
    """Each line's text length in code points (0 for the lines not read here)."""
    blank: npt.NDArray[np.bool_]
    """Whether a line read here has a text of only whitespace."""


def read_fields(data: bytes, bounds: I64, id_field: str, text_field: str) -> LineFields:
    """The ids and texts of the lines ``data[bounds[k]:bounds[k + 1]]`` that are plain (see
    the module docstring); needs the numba kernel (:mod:`neardup.core.jsonl_numba`)."""
    from . import jsonl_numba

    raw = np.frombuffer(data, dtype=np.uint8)
    lines = max(bounds.size - 1, 0)
    found = np.zeros((lines, 5), dtype=np.int64)
    out = np.empty(raw.size, dtype=np.uint32)
    written = jsonl_numba.read_fields(
        raw, bounds.astype(np.int64, copy=False), _key(id_field), _key(text_field),
        _whitespace(), out, found,
    )
    read = found[:, 0] == jsonl_numba.OK
    ids: list[str | None] = [None] * lines
    starts, ends = found[:, 1].tolist(), found[:, 2].tolist()
    for k in np.flatnonzero(read).tolist():
        ids[k] = data[starts[k] : ends[k]].decode("utf-8")
    return LineFields(read, ids, out[:written], found[:, 3], found[:, 4] == 1)


def unread_fields(lines: int) -> LineFields:
    """:class:`LineFields` of ``lines`` lines, none of them read (all for the JSON parser)."""
    none = np.zeros(lines, dtype=np.bool_)
    return LineFields(none, [None] * lines, np.empty(0, np.uint32), np.zeros(lines, np.int64), none)


@lru_cache(maxsize=8)
def _key(field: str) -> npt.NDArray[np.uint8]:
    """A field name as its UTF-8 bytes (a key with an escape is left to the JSON parser)."""
    key: npt.NDArray[np.uint8] = np.frombuffer(field.encode("utf-8", "surrogatepass"), np.uint8)
    return key


LAST_WHITESPACE = 0x3000
"""The last code point for which ``str.isspace`` is true (IDEOGRAPHIC SPACE; a test checks
every code point)."""


@lru_cache(maxsize=1)
def _whitespace() -> npt.NDArray[np.bool_]:
    """``str.isspace`` of every code point up to :data:`LAST_WHITESPACE`."""
    return np.array([chr(c).isspace() for c in range(LAST_WHITESPACE + 1)], dtype=np.bool_)
