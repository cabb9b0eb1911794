"""Numbers written in Chinese numerals or digits (:func:`chinese_numeral`): the 第N篇 of an
article heading, the 第N届 of an edition."""

from __future__ import annotations

import unicodedata

_DIGITS = {**{c: d for d, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_numeral(numeral: str) -> int:
    """The integer value of a numeral such as ``十一``, ``二十``, ``一百零五``, ``二〇二五``
    (digit by digit) or ``12``, to the thousands.

    Example:
        >>> [chinese_numeral(s) for s in ("一", "十一", "二十三", "一百零五", "二〇二五", "12")]
        [1, 11, 23, 105, 2025, 12]

    Raises:
        ValueError: a character that is not a digit or one of these numerals.
    """
    numeral = unicodedata.normalize("NFKC", numeral)
    if numeral.isdecimal():
        return int(numeral)
    if any(ch not in _DIGITS and ch not in _UNITS for ch in numeral):
        raise ValueError(f"not a numeral: {numeral!r}")
    if not any(ch in _UNITS for ch in numeral):
        return int("".join(str(_DIGITS[ch]) for ch in numeral))
    total, digit = 0, None
    for ch in numeral:
        if ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            digit = _DIGITS[ch]
    return total + (digit or 0)
