"""Editions of a recurring event named in a text: 第17届 (the 17th session of a prize, a
fair, a games), 第十个 (the tenth Constitution Day), 第5轮 (the fifth round of inspections),
27周年 (the 27th anniversary): what tells two reports of a yearly ceremony or a numbered
series apart when their wording is the same (a template filled in again, not a copy).

:func:`editions` reads the opening of a normalized text (its first :data:`OPENING`
characters, punctuation and spaces gone: where a report names its event) and keys each
number by its kind and the two characters that follow an ordinal (``("届", "中华")`` of
第17届中华图书特殊贡献奖) or precede an anniversary (``("周年", "祖国")`` of 回归祖国27周年),
so that only the same thing is compared; :func:`conflicts` gives the keys both texts name
with no number in common. The terms of an assembly (第十四届全国人民代表大会,
第十三届检察委员会) are not editions: a law or a rule revised under the next term is still
the same law.

Example:
    >>> a = editions("今年是第十个国家宪法日")
    >>> b = editions("今天是第12个国家宪法日各地开展宣传")
    >>> conflicts(a, b)
    [('第10个国家', '第12个国家')]
    >>> conflicts(a, editions("第十个国家宪法日的活动"))
    []
    >>> conflicts(editions("经最高人民检察院第十三届检察委员会通过"),
    ...           editions("经最高人民检察院第十一届检察委员会通过"))
    []
"""

from __future__ import annotations

import re

Editions = dict[tuple[str, str], frozenset[int]]
"""Each kind of edition a text names (unit and context) with the numbers it gives."""

_NUMBER = "[0-9零〇一二三四五六七八九十百千两]+"
_ORDINAL = re.compile(f"第({_NUMBER})([届个轮])")
_ANNIVERSARY = re.compile(f"({_NUMBER})周年")
_ASSEMBLY = re.compile(".{0,6}?(委员会|代表大会|人大|政协)")
"""What follows the 届 of an assembly's term: 第十四届全国人民代表大会, 第十三届检察委员会."""
_CONTEXT = 2

OPENING = 200
"""The characters of a text's opening, where its editions are read. Further in, an edition
may belong to a passage taken from elsewhere: an essay made of the first half of one
yearly report and the second half of another copies the first, whatever the second says."""
_DIGITS = {**{c: d for d, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def number(written: str) -> int:
    """A number written in digits or Chinese numerals (to the thousands).

    Example:
        >>> number("17"), number("十"), number("二十七"), number("一百零五"), number("两")
        (17, 10, 27, 105, 2)
    """
    if written.isdecimal():
        return int(written)
    total = pending = 0
    for char in written:
        if char in _UNITS:
            total += (pending or 1) * _UNITS[char]
            pending = 0
        else:
            pending = int(char) if char.isdecimal() else _DIGITS[char]
    return total + pending


def editions(text: str) -> Editions:
    """The editions the opening of a normalized text names, by kind (see the module)."""
    found: dict[tuple[str, str], set[int]] = {}
    text = text[:OPENING + 40]  # what follows a mention that starts in the opening
    for match in _ORDINAL.finditer(text):
        unit = match.group(2)
        if match.start() >= OPENING or (unit == "届" and _ASSEMBLY.match(text, match.end())):
            continue
        key = (unit, text[match.end():match.end() + _CONTEXT])
        found.setdefault(key, set()).add(number(match.group(1)))
    for match in _ANNIVERSARY.finditer(text):
        if match.start() >= OPENING:
            continue
        key = ("周年", text[max(0, match.start() - _CONTEXT):match.start()])
        found.setdefault(key, set()).add(number(match.group(1)))
    return {key: frozenset(values) for key, values in found.items()}


def conflicts(a: Editions, b: Editions) -> list[tuple[str, str]]:
    """The editions both name with no number in common, as each text writes them
    (``("第17届中华", "第19届中华")``), in key order."""
    return [(_written(key, a[key]), _written(key, b[key]))
            for key in sorted(a.keys() & b.keys()) if not a[key] & b[key]]


def _written(key: tuple[str, str], values: frozenset[int]) -> str:
    unit, context = key
    numbers = "/".join(str(v) for v in sorted(values))
    return f"{context}{numbers}周年" if unit == "周年" else f"第{numbers}{unit}{context}"
