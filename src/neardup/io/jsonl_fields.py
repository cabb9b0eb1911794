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
from ..core.arrays import pieces_of
from ..core.normalize import from_codepoints


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
    titles: list[str | None]
    """The title of each line read here, when it has one that is a string (else None)."""


def read_fields(
    data: bytes, bounds: I64, id_field: str, text_field: str, title_field: str = "title"
) -> LineFields:
    """The ids and texts of the lines ``data[bounds[k]:bounds[k + 1]]`` that are plain (see
    the module docstring); needs the numba kernel (:mod:`neardup.io.jsonl_numba`)."""
    from . import jsonl_numba

    raw = np.frombuffer(data, dtype=np.uint8)
    lines = max(bounds.size - 1, 0)
    found = np.zeros((lines, 7), dtype=np.int64)
    out = np.empty(raw.size, dtype=np.uint32)
    shared_title = title_field in (id_field, text_field)  # read as that field
    title_key = _NO_KEY if shared_title else _key(title_field)
    written = jsonl_numba.read_fields(
        raw, bounds.astype(np.int64, copy=False), _key(id_field), _key(text_field), title_key,
        _whitespace(), out, found,
    )
    read = found[:, 0] == jsonl_numba.OK
    ids = _strings(data, found[:, 1], found[:, 2], read)
    lengths = found[:, 3]
    if title_field == id_field:
        titles = ids.copy()
    elif title_field == text_field:
        texts = zip(pieces_of(out[:written], lengths), read.tolist(), strict=True)
        titles = [from_codepoints(text) if is_read else None for text, is_read in texts]
    else:
        titles = _strings(data, found[:, 5], found[:, 6], read & (found[:, 5] >= 0))
    return LineFields(read, ids, out[:written], lengths, found[:, 4] == 1, titles)


_NO_KEY = np.frombuffer(b'"', dtype=np.uint8)
"""A key no line has unescaped (a quote in a key is always escaped)."""


def _strings(data: bytes, starts: I64, ends: I64, which: npt.NDArray[np.bool_]) -> list[str | None]:
    """``data[starts[k]:ends[k]]`` decoded, for the lines ``which`` says (None elsewhere)."""
    out: list[str | None] = [None] * starts.size
    begin, end = starts.tolist(), ends.tolist()
    for k in np.flatnonzero(which).tolist():
        out[k] = data[begin[k] : end[k]].decode("utf-8")
    return out


def unread_fields(lines: int) -> LineFields:
    """:class:`LineFields` of ``lines`` lines, none of them read (all for the JSON parser)."""
    none = np.zeros(lines, dtype=np.bool_)
    nothing: list[str | None] = [None] * lines
    return LineFields(
        none, nothing, np.empty(0, np.uint32), np.zeros(lines, np.int64), none, nothing.copy()
    )


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
