"""Editions of a recurring event named in a text: 第17届 (the 17th session of a prize, a
fair, a games), 第十个 (the tenth Constitution Day), 第5轮 (the fifth round of inspections),
27周年 (the 27th anniversary): what tells two reports of a yearly ceremony or a numbered
series apart when their wording is the same (a template filled in again, not a copy).

:func:`named` reads a normalized text (punctuation and spaces gone) and keys each number
by its kind and the characters that follow an ordinal (``("届", "中华")`` of
第17届中华图书特殊贡献奖) or precede an anniversary (``("周年", "祖国")`` of
回归祖国27周年), so that only the same thing is compared. :func:`conflicts` compares the
editions two texts name in their openings (the first :data:`OPENING` characters, where a
report names its event): a kind both openings name is a conflict when neither opening's
numbers occur anywhere in the other text. So a repost under an editor's note that recalls
last year's edition still holds this year's, and an essay made of the first half of one
yearly report and the second half of another is not compared on what its second half says.
The terms of an assembly or a board (第十四届全国人民代表大会, 第十三届检察委员会,
第八届董事会) are not editions: a law or a rule revised under the next term is still the
same law. Only simplified characters are read (届, 个, 周年): fold the script to compare
traditional texts.

Example:
    >>> a = named("今年是第十个国家宪法日")
    >>> conflicts(a, named("今天是第12个国家宪法日各地开展宣传"))
    [('第10个国家', '第12个国家')]
    >>> conflicts(a, named("第十个国家宪法日的活动"))
    []
    >>> conflicts(named("经最高人民检察院第十三届检察委员会通过"),
    ...           named("经最高人民检察院第十一届检察委员会通过"))
    []
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numerals import chinese_numeral

Editions = dict[tuple[str, str], frozenset[int]]
"""Each kind of edition (unit and context) with the numbers a text gives it."""

OPENING = 200
"""The characters of a text's opening, where its editions are compared."""

CONTEXT = 2
"""Characters of the context that keys an edition: what follows an ordinal's unit, what
precedes an anniversary."""

_DIGITS = "0-9"
_NUMERALS = "零〇一二三四五六七八九十百千两"
_NUMBER = f"(?:[{_DIGITS}]+|[{_NUMERALS}]+)"
_ORDINAL = re.compile(f"第({_NUMBER})([届个轮])")
_ANNIVERSARY = re.compile(f"({_NUMBER})周年")
_ASSEMBLY = re.compile(".{0,6}?(?:委员会|代表大会|人大|政协|董事会|监事会|理事会|常委会|"
                       "党委|市委|省委|县委|人代会|党代会|职代会)")
"""What follows the 届 of a term: 第十四届全国人民代表大会, 第十三届检察委员会."""


@dataclass(frozen=True)
class Named:
    """The editions a text names in its opening, and anywhere in it."""

    opening: Editions
    anywhere: Editions


def named(text: str) -> Named:
    """The editions a normalized text names (see the module)."""
    opening: dict[tuple[str, str], set[int]] = {}
    anywhere: dict[tuple[str, str], set[int]] = {}
    for match in _ORDINAL.finditer(text):
        unit = match.group(2)
        if unit == "届" and _ASSEMBLY.match(text, match.end()):
            continue
        key = (unit, text[match.end():match.end() + CONTEXT])
        _add(anywhere, opening if match.start() < OPENING else None, key, match.group(1))
    for match in _ANNIVERSARY.finditer(text):
        key = ("周年", text[max(0, match.start() - CONTEXT):match.start()])
        _add(anywhere, opening if match.start() < OPENING else None, key, match.group(1))
    return Named(_frozen(opening), _frozen(anywhere))


def _add(anywhere: dict[tuple[str, str], set[int]],
         opening: dict[tuple[str, str], set[int]] | None, key: tuple[str, str],
         written: str) -> None:
    value = chinese_numeral(written)
    anywhere.setdefault(key, set()).add(value)
    if opening is not None:
        opening.setdefault(key, set()).add(value)


def _frozen(found: dict[tuple[str, str], set[int]]) -> Editions:
    return {key: frozenset(values) for key, values in found.items()}


def conflicts(a: Named, b: Named) -> list[tuple[str, str]]:
    """The editions both openings name of which neither text holds the other's number, as
    each opening writes them (``("第17届中华", "第19届中华")``), in key order."""
    return [(_written(key, a.opening[key]), _written(key, b.opening[key]))
            for key in sorted(a.opening.keys() & b.opening.keys())
            if not a.opening[key] & b.anywhere[key] and not b.opening[key] & a.anywhere[key]]


def _written(key: tuple[str, str], values: frozenset[int]) -> str:
    unit, context = key
    numbers = "/".join(str(v) for v in sorted(values))
    return f"{context}{numbers}周年" if unit == "周年" else f"第{numbers}{unit}{context}"
