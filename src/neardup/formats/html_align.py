"""How the HTML report lays a pair's two texts side by side: aligned rows, and a colour for
each shared passage that its neighbours do not have.

The passages that keep their order in both texts (the heaviest chain increasing in a and in
b, weighed by length) become rows of their own, one text beside the other; the text between
two of them is a row of what differs (a's words left, b's right). A passage that moved
(out of that order) stays inside a row of differences, still marked in both texts.

Example:
    >>> from neardup.report import Passage
    >>> a, b = "甲乙丙丁。戊己庚辛", "甲乙丙丁，子丑戊己庚辛"
    >>> passages = [Passage(0, 4, 0, 4, "甲乙丙丁"), Passage(5, 9, 7, 11, "戊己庚辛")]
    >>> [(a[r.a_start:r.a_end], b[r.b_start:r.b_end], r.kind) for r in aligned_rows(a, b, passages)]
    [('甲乙丙丁', '甲乙丙丁', 0), ('。', '，子丑', -1), ('戊己庚辛', '戊己庚辛', 1)]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from ..report import Passage
from .folded import letters_and_digits

DIFFERENT = -1
"""The kind of a row whose texts differ (in letters or digits)."""
PUNCTUATION = -2
"""The kind of a row whose texts differ only in punctuation, spacing, width or case."""


class Row(NamedTuple):
    """One row of the aligned texts: ``[a_start, a_end)`` of a beside ``[b_start, b_end)``
    of b; ``kind`` is the index of the shared passage the row holds, or :data:`DIFFERENT`
    or :data:`PUNCTUATION` for the text between two aligned passages."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: int


def in_text_order(passages: Sequence[Passage]) -> list[Passage]:
    """The passages in the order they take in document a (then b)."""
    return sorted(passages, key=lambda p: (p.a_start, p.b_start, p.a_end))


def aligned_chain(passages: Sequence[Passage]) -> list[int]:
    """Indices of the passages (given in a's order) that form the heaviest chain in the same
    order in b too, weighed by their length in a: what lines up row by row.

    A weighted longest increasing subsequence over the passages' ranks in b, with a
    Fenwick tree of prefix maxima: O(n log n).

    Example:
        >>> ps = [Passage(0, 10, 50, 60, ""), Passage(10, 12, 0, 2, ""),
        ...       Passage(12, 30, 60, 78, "")]
        >>> aligned_chain(ps)
        [0, 2]
    """
    count = len(passages)
    rank = [0] * count
    for r, k in enumerate(sorted(range(count), key=lambda k: passages[k].b_start)):
        rank[k] = r
    # prefix maxima by b rank of (best weight, passage index), as two lists of ints: the
    # larger weight wins, then the larger index (the order of tuples; ints compare faster,
    # which counts at 200,000 passages)
    tree_weight = [0] * (count + 1)
    tree_index = [-1] * (count + 1)
    best = [0] * count
    back = [-1] * count
    for k, passage in enumerate(passages):
        weight, previous = 0, -1
        position = rank[k]  # query ranks [0, rank[k]): passages earlier in b
        while position > 0:
            w = tree_weight[position]
            if w > weight or (w == weight and tree_index[position] > previous):
                weight, previous = w, tree_index[position]
            position -= position & -position
        best[k] = weight = weight + max(passage.a_end - passage.a_start, 1)
        back[k] = previous
        position = rank[k] + 1
        while position <= count:
            w = tree_weight[position]
            if weight > w or (weight == w and k > tree_index[position]):
                tree_weight[position], tree_index[position] = weight, k
            position += position & -position
    end = max(range(count), key=best.__getitem__, default=-1)
    chain: list[int] = []
    while end >= 0:
        chain.append(end)
        end = back[end]
    return chain[::-1]


def aligned_rows(text_a: str, text_b: str, passages: Sequence[Passage]) -> list[Row]:
    """The rows of the two texts side by side: every character of each text in exactly one
    row, in order. ``passages`` must be in a's order (:func:`in_text_order`); a row's
    ``kind`` indexes them."""
    rows: list[Row] = []
    end_a = end_b = 0

    def between(a_stop: int, b_stop: int) -> None:
        if a_stop > end_a or b_stop > end_b:
            piece_a, piece_b = text_a[end_a:a_stop], text_b[end_b:b_stop]
            same = piece_a == piece_b or letters_and_digits(piece_a) == letters_and_digits(
                piece_b
            )
            rows.append(Row(end_a, a_stop, end_b, b_stop, PUNCTUATION if same else DIFFERENT))

    for k in aligned_chain(passages):
        p = passages[k]
        start_a, start_b = max(p.a_start, end_a), max(p.b_start, end_b)
        between(start_a, start_b)
        end_a, end_b = max(p.a_end, start_a), max(p.b_end, start_b)
        rows.append(Row(start_a, end_a, start_b, end_b, k))
    between(len(text_a), len(text_b))
    return rows


_CANDIDATE_HUES = tuple(
    hue for hue in (round((j * 137.508 + 200) % 360) for j in range(32))
    if not 25 <= hue <= 75
)[:24]
"""Hues a passage may take: the golden-angle sequence, so that early picks lie far apart,
without the yellows and oranges that shade the differences."""


NEIGHBOUR_HUES = 60
"""How far apart (degrees) the hues of neighbouring passages are kept."""


def hue_distance(x: int, y: int) -> int:
    """The distance of two hues on the colour wheel, 0 to 180 degrees."""
    d = abs(x - y) % 360
    return min(d, 360 - d)


def side_by_side(rows: Sequence[Row], passages: Sequence[Passage]) -> list[set[int]]:
    """For each passage (given in a's order), the passages drawn beside it in a row of
    differences: a moved passage in a's text and another in b's text of the same row.

    Example:
        >>> ps = [Passage(0, 4, 10, 14, ""), Passage(6, 9, 0, 3, ""), Passage(20, 24, 20, 24, "")]
        >>> side_by_side([Row(0, 20, 0, 20, DIFFERENT), Row(20, 24, 20, 24, 2)], ps)
        [{1}, {0}, set()]
    """
    beside: list[set[int]] = [set() for _ in passages]
    chained = {row.kind for row in rows if row.kind >= 0}
    starts_a = [row.a_start for row in rows]
    starts_b = [row.b_start for row in rows]
    in_a: dict[int, list[int]] = {}
    in_b: dict[int, list[int]] = {}
    for k, p in enumerate(passages):  # a moved passage lies in rows of differences
        if k not in chained:
            in_a.setdefault(bisect_right(starts_a, p.a_start) - 1, []).append(k)
            in_b.setdefault(bisect_right(starts_b, p.b_start) - 1, []).append(k)
    for number, row in enumerate(rows):
        if row.kind >= 0:
            continue
        for x in in_a.get(number, ()):
            for y in in_b.get(number, ()):
                if x != y:
                    beside[x].add(y)
                    beside[y].add(x)
    return beside


def passage_hues(
    passages: Sequence[Passage], beside: Sequence[set[int]] | None = None
) -> list[int]:
    """A hue (degrees) for each passage (given in a's order), at least
    :data:`NEIGHBOUR_HUES` degrees from the hues of its neighbours in a and in b, and of
    the passages drawn ``beside`` it (:func:`side_by_side`), where it can be: touching
    passages never look alike, and passages far apart rarely share a colour.

    Greedy, in a's order: each passage takes the least recently used of the golden-angle
    hues that is far enough from its neighbours' (or, when none is, the farthest).

    Example:
        >>> ps = [Passage(k, k + 1, k, k + 1, "") for k in range(6)]
        >>> hues = passage_hues(ps)
        >>> min(hue_distance(x, y) for x, y in zip(hues, hues[1:])) >= NEIGHBOUR_HUES
        True
        >>> len(set(hues))
        6
    """
    count = len(passages)
    in_b = sorted(range(count), key=lambda k: (passages[k].b_start, k))
    earlier_in_b = [-1] * count  # the neighbour before each passage in b (-1: none)
    for x, y in pairwise(in_b):
        earlier_in_b[y] = x
    following_in_b = [-1] * count
    for x, y in pairwise(in_b):
        following_in_b[x] = y
    hues: list[int] = []
    queue = list(_CANDIDATE_HUES)  # least recently used first
    for k in range(count):
        # the neighbours in a and in b that already have a hue (those before k in a's order)
        near = [k - 1, earlier_in_b[k], following_in_b[k], *(beside[k] if beside else ())]
        taken = [hues[n] for n in near if 0 <= n < k]

        def apart(hue: int, taken: list[int] = taken) -> int:
            return min((hue_distance(hue, t) for t in taken), default=180)

        hue = next((h for h in queue if apart(h) >= NEIGHBOUR_HUES), None)
        if hue is None:
            hue = max(queue, key=apart)
        queue.remove(hue)
        queue.append(hue)
        hues.append(hue)
    return hues
