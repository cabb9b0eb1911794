"""The text and id of plain JSON lines, read straight from their bytes, compiled by numba
(extra ``neardup[fast]``; see :mod:`neardup.io.jsonl_fields`).

A line is read here only when it is one JSON object whose id and text are strings, with
neither field twice, no escape in a key or in the id, valid UTF-8, no lone surrogate and no
value nested deeper than :data:`DEPTH`; for any other line :func:`read_fields` says so and
the caller parses it as JSON.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OK, OTHER = 1, 0
"""A line's status: read here, or left to the JSON parser."""


@njit(cache=True, nogil=True, inline="always")
def _space(byte: int) -> bool:
    return byte == 32 or byte == 9 or byte == 10 or byte == 13


@njit(cache=True, nogil=True)
def _skip_space(data: np.ndarray, at: int, end: int) -> int:
    while at < end and _space(data[at]):
        at += 1
    return at


@njit(cache=True, nogil=True)
def _hex4(data: np.ndarray, at: int, end: int) -> int:
    """The value of the four hex digits at ``at``, or -1."""
    if at + 4 > end:
        return -1
    value = 0
    for k in range(4):
        c = data[at + k]
        if 48 <= c <= 57:
            digit = c - 48
        elif 97 <= c <= 102:
            digit = c - 87
        elif 65 <= c <= 70:
            digit = c - 55
        else:
            return -1
        value = value * 16 + digit
    return value


@njit(cache=True, nogil=True)
def _string(
    data: np.ndarray, at: int, end: int, out: np.ndarray, written: int
) -> tuple[int, int, bool]:
    """Read the JSON string whose opening quote is at ``at``: ``(just past its closing quote
    or -1 when it is not one that is read here, code points written to ``out`` from
    ``written`` (-1: write none), whether it held an escape)."""
    at += 1
    escaped = False
    while at < end:
        c = data[at]
        if (0xE1 <= c <= 0xEF and c != 0xED) and at + 2 < end and (
            data[at + 1] & 0xC0 == 0x80 and data[at + 2] & 0xC0 == 0x80
        ):  # the usual 3-byte form (CJK), first: no special range to check
            if written >= 0:
                out[written] = (
                    ((c & 0x0F) << 12) | ((data[at + 1] & 0x3F) << 6) | (data[at + 2] & 0x3F)
                )
                written += 1
            at += 3
            continue
        if c == 34:  # the closing quote
            return at + 1, written, escaped
        if c < 32:  # a control character must be escaped
            return -1, written, escaped
        if c == 92:
            escaped = True
            if at + 1 >= end:
                return -1, written, escaped
            e = data[at + 1]
            at += 2
            if e == 117:  # \uXXXX, a surrogate pair as two
                cp = _hex4(data, at, end)
                if cp < 0:
                    return -1, written, escaped
                at += 4
                if 0xD800 <= cp <= 0xDBFF:
                    if at + 6 > end or data[at] != 92 or data[at + 1] != 117:
                        return -1, written, escaped  # a lone surrogate
                    low = _hex4(data, at + 2, end)
                    if not 0xDC00 <= low <= 0xDFFF:
                        return -1, written, escaped
                    at += 6
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                elif 0xDC00 <= cp <= 0xDFFF:
                    return -1, written, escaped
            elif e == 34 or e == 92 or e == 47:
                cp = e
            elif e == 98:
                cp = 8
            elif e == 102:
                cp = 12
            elif e == 110:
                cp = 10
            elif e == 114:
                cp = 13
            elif e == 116:
                cp = 9
            else:
                return -1, written, escaped
        elif c < 0x80:
            cp = c
            at += 1
        else:  # UTF-8, strictly: no overlong form, surrogate or code point past U+10FFFF
            if 0xC2 <= c <= 0xDF:
                need, cp, low, high = 1, c & 0x1F, 0x80, 0xBF
            elif 0xE0 <= c <= 0xEF:
                need, cp = 2, c & 0x0F
                low = 0xA0 if c == 0xE0 else 0x80
                high = 0x9F if c == 0xED else 0xBF
            elif 0xF0 <= c <= 0xF4:
                need, cp = 3, c & 0x07
                low = 0x90 if c == 0xF0 else 0x80
                high = 0x8F if c == 0xF4 else 0xBF
            else:
                return -1, written, escaped
            if at + need >= end:
                return -1, written, escaped
            for k in range(need):
                b = data[at + 1 + k]
                if k == 0 and not low <= b <= high:
                    return -1, written, escaped
                if k > 0 and not 0x80 <= b <= 0xBF:
                    return -1, written, escaped
                cp = (cp << 6) | (b & 0x3F)
            at += need + 1
        if written >= 0:
            out[written] = cp
            written += 1
    return -1, written, escaped


@njit(cache=True, nogil=True)
def _digits(data: np.ndarray, at: int, end: int) -> int:
    """Just past the digits at ``at`` (-1 when there is none)."""
    if at >= end or not 48 <= data[at] <= 57:
        return -1
    while at < end and 48 <= data[at] <= 57:
        at += 1
    return at


@njit(cache=True, nogil=True)
def _number(data: np.ndarray, at: int, end: int) -> int:
    """Just past the JSON number at ``at`` (-1 when it is not one)."""
    if at < end and data[at] == 45:  # "-"
        at += 1
    if at < end and data[at] == 48:  # a leading zero stands alone
        at += 1
    else:
        at = _digits(data, at, end)
        if at < 0:
            return -1
    if at < end and data[at] == 46:  # "."
        at = _digits(data, at + 1, end)
        if at < 0:
            return -1
    if at < end and (data[at] == 101 or data[at] == 69):  # "e", "E"
        at += 1
        if at < end and (data[at] == 43 or data[at] == 45):
            at += 1
        at = _digits(data, at, end)
    return at


@njit(cache=True, nogil=True)
def _word(data: np.ndarray, at: int, end: int, word: np.ndarray) -> int:
    """Just past ``word`` (true, false, null) at ``at`` (-1 when it is not there)."""
    if at + word.size > end:
        return -1
    for k in range(word.size):
        if data[at + k] != word[k]:
            return -1
    return at + word.size


@njit(cache=True, nogil=True)
def _key_colon(data: np.ndarray, at: int, end: int, out: np.ndarray) -> int:
    """Just past the ``"key" :`` at ``at`` and the space after it (-1 when not there)."""
    if at >= end or data[at] != 34:
        return -1
    at = _string(data, at, end, out, -1)[0]
    if at < 0:
        return -1
    at = _skip_space(data, at, end)
    if at >= end or data[at] != 58:
        return -1
    return _skip_space(data, at + 1, end)


@njit(cache=True, nogil=True)
def _value(data: np.ndarray, at: int, end: int, out: np.ndarray, stack: np.ndarray) -> int:
    """Just past the JSON value at ``at`` (-1 when it is not one, or nested deeper than
    ``stack`` holds), checked but not kept."""
    depth = 0
    while True:  # a value is expected at ``at``
        at = _skip_space(data, at, end)
        if at >= end:
            return -1
        c = data[at]
        if c == 123 or c == 91:  # "{", "["
            if depth == stack.size:
                return -1
            stack[depth] = 125 if c == 123 else 93  # the bracket that closes it
            depth += 1
            at = _skip_space(data, at + 1, end)
            if at < end and data[at] == stack[depth - 1]:  # empty
                depth -= 1
                at += 1
            elif c == 123:
                at = _key_colon(data, at, end, out)
                if at < 0:
                    return -1
                continue
            else:
                continue
        elif c == 34:
            at = _string(data, at, end, out, -1)[0]
        elif c == 116:
            at = _word(data, at, end, _TRUE)
        elif c == 102:
            at = _word(data, at, end, _FALSE)
        elif c == 110:
            at = _word(data, at, end, _NULL)
        else:
            at = _number(data, at, end)
        if at < 0:
            return -1
        while True:  # after a value: a comma, a closing bracket, or the end
            if depth == 0:
                return at
            at = _skip_space(data, at, end)
            if at >= end:
                return -1
            if data[at] == stack[depth - 1]:
                depth -= 1
                at += 1
                continue
            if data[at] != 44:
                return -1
            at = at + 1
            if stack[depth - 1] == 125:
                at = _key_colon(data, _skip_space(data, at, end), end, out)
                if at < 0:
                    return -1
            break


_TRUE = np.frombuffer(b"true", dtype=np.uint8)
_FALSE = np.frombuffer(b"false", dtype=np.uint8)
_NULL = np.frombuffer(b"null", dtype=np.uint8)
DEPTH = 64
"""Nesting that :func:`_value` follows (deeper values are left to the JSON parser)."""


@njit(cache=True, nogil=True)
def _same(data: np.ndarray, start: int, end: int, key: np.ndarray) -> bool:
    if end - start != key.size:
        return False
    for k in range(key.size):  # noqa: SIM110 (no generator in numba)
        if data[start + k] != key[k]:
            return False
    return True


@njit(cache=True, nogil=True)
def read_fields(
    data: np.ndarray,
    bounds: np.ndarray,
    id_key: np.ndarray,
    text_key: np.ndarray,
    title_key: np.ndarray,
    space: np.ndarray,
    out: np.ndarray,
    found: np.ndarray,
) -> int:
    """Read the id and text of each line ``data[bounds[k]:bounds[k + 1]]``.

    ``found[k]`` gets ``(status, id start, id end, text length, blank, title start, title
    end)``: the id and the title as byte ranges of ``data`` (their strings' content, without
    quotes; a title that is not a string, or none: -1, -1), the text's code points one line
    after another in ``out`` (room for one per byte), and 1 when the text is only whitespace
    (``space[c]`` for the code points ``c < space.size``; none beyond is). A title with an
    escape leaves the line to the JSON parser.
    Returns how many code points were written.
    """
    written = 0
    stack = np.empty(DEPTH, dtype=np.uint8)
    for line in range(bounds.size - 1):
        found[line, 0] = OTHER
        start, end = bounds[line], bounds[line + 1]
        at = _skip_space(data, start, end)
        if at >= end or data[at] != 123:  # "{"
            continue
        at = _skip_space(data, at + 1, end)
        id_start = id_end = title_start = title_end = -1
        titles = 0
        text_at = -1
        text_length = 0
        good = True
        while good:
            if at >= end or data[at] != 34:
                good = False
                break
            key_end, _, key_escaped = _string(data, at, end, out, -1)
            if key_end < 0 or key_escaped:
                good = False
                break
            is_id = _same(data, at + 1, key_end - 1, id_key)
            is_text = _same(data, at + 1, key_end - 1, text_key)
            is_title = _same(data, at + 1, key_end - 1, title_key)
            at = _skip_space(data, key_end, end)
            if at >= end or data[at] != 58:  # ":"
                good = False
                break
            at = _skip_space(data, at + 1, end)
            if at >= end:
                good = False
                break
            if is_title:
                titles += 1
            if data[at] != 34:  # not a string: checked and passed over, or not the id or text
                value_end = -1 if is_text or is_id else _value(data, at, end, out, stack)
            elif is_text:
                if text_at >= 0:
                    good = False
                    break
                text_at = written
                value_end, after, _ = _string(data, at, end, out, written)
                text_length = after - written
            else:
                value_end, _, value_escaped = _string(data, at, end, out, -1)
                if is_id:
                    if id_start >= 0 or value_escaped:
                        good = False
                        break
                    id_start, id_end = at + 1, value_end - 1
                elif is_title:
                    if value_escaped:
                        good = False
                        break
                    title_start, title_end = at + 1, value_end - 1
            if value_end < 0:
                good = False
                break
            at = _skip_space(data, value_end, end)
            if at < end and data[at] == 44:  # ","
                at = _skip_space(data, at + 1, end)
                continue
            if at < end and data[at] == 125:  # "}"
                at = _skip_space(data, at + 1, end)
                good = at == end and text_at >= 0 and id_start >= 0 and titles < 2
                break
            good = False
        if good:
            found[line, 0] = OK
            found[line, 1] = id_start
            found[line, 2] = id_end
            found[line, 3] = text_length
            blank = 1
            for k in range(written, written + text_length):
                if out[k] >= space.size or not space[out[k]]:
                    blank = 0
                    break
            found[line, 4] = blank
            found[line, 5] = title_start
            found[line, 6] = title_end
            written += text_length
    return written
