"""Which parts of a shared passage are verbatim and which matched only after folding.

A passage is equal in both documents *after* normalization, and with ``script`` or
``synonyms`` folding that hides real differences: 國際 and 国际, 马上召开 and 立刻举行. The
HTML report marks those parts apart from verbatim copies ("rewritten with synonyms" at a
glance). The originals of the two spans are aligned character by character
(:class:`difflib.SequenceMatcher`); a replaced stretch whose letters and digits still
differ in compatibility form (NFKC, case folded) is a folded match. Differences that
normalization removes anyway (punctuation, spaces, full-width forms, case) are not.

Example:
    >>> from neardup.report import Passage
    >>> p = Passage(0, 8, 0, 8, "他们马上召开会议")
    >>> folded_parts("他们马上召开会议", "他们立刻举行会议", p)
    ([FoldedPart(start=2, end=6, other='立刻举行')], [FoldedPart(start=2, end=6, other='马上召开')])
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from typing import NamedTuple

from ..report import Passage

LONGEST_ALIGNED = 20_000
"""Passages longer than this (characters, either side) are not aligned: the marking would
cost more than it shows."""


class FoldedPart(NamedTuple):
    """A stretch ``[start, end)`` of one document's text that matched only after folding,
    and the other document's text it matched."""

    start: int
    end: int
    other: str


def folded_parts(
    text_a: str, text_b: str, passage: Passage
) -> tuple[list[FoldedPart], list[FoldedPart]]:
    """The folded parts of ``passage`` in document a (offsets into ``text_a``) and in b."""
    a = text_a[passage.a_start : passage.a_end]
    b = text_b[passage.b_start : passage.b_end]
    if a == b or max(len(a), len(b)) > LONGEST_ALIGNED:
        return [], []
    in_a: list[FoldedPart] = []
    in_b: list[FoldedPart] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, a_lo, a_hi, b_lo, b_hi in matcher.get_opcodes():
        if tag != "replace" or (
            letters_and_digits(a[a_lo:a_hi]) == letters_and_digits(b[b_lo:b_hi])
        ):
            continue
        in_a.append(FoldedPart(passage.a_start + a_lo, passage.a_start + a_hi, b[b_lo:b_hi]))
        in_b.append(FoldedPart(passage.b_start + b_lo, passage.b_start + b_hi, a[a_lo:a_hi]))
    return in_a, in_b


def letters_and_digits(text: str) -> str:
    """``text``'s letters and digits, NFKC and case folded: what tells a folded match from a
    difference of punctuation, spacing, width or case."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())
