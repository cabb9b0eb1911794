"""The page of a checked document (查重): its text with the copied spans numbered by source,
each source's share, the total and the largest single source.

A document's sources are the other documents of its pairs. A source's share is the share
of the document's normalized characters inside the *specific* passages (not formula,
:mod:`neardup.core.formula`) shared with it, as in the copy ratios
(:mod:`neardup.evidence.copy_ratios`); the total is the share inside any of them, so text
found in two sources counts once. Sources are numbered from 1, largest share first (then by
id); each character of the text takes the number of the first source that holds it, so the
shares *coloured* with each number add up to the total exactly, and a source's coloured
share is below its share only where a larger source holds the same text. Characters in
formula passages only are spans of number 0: shown, never counted.

Without passages (``--no-passages``) a page lists the sources with the pairs' shingle
shares and has no spans (``measured="shingles"``).

Example:
    >>> from neardup import find_duplicates, add_passages
    >>> essay = "今天天气很好，我们一起去人民公园散步。" + "晚上大家在食堂一起吃了饺子和面条。"
    >>> docs = {"x": "今天天气很好，我们一起去人民公园散步。明天下雨。",
    ...         "y": "晚上大家在食堂一起吃了饺子和面条。早点睡觉。", "essay": essay}
    >>> report = find_duplicates(docs, containment=0.3, with_texts=True)
    >>> report = add_passages(report, report.texts)
    >>> (page,) = checked_documents(report, report.texts, ["essay"])
    >>> round(page.share, 2), [(s.id, round(s.share, 2)) for s in page.sources]
    (1.0, [('x', 0.52), ('y', 0.48)])
    >>> [(essay[a:b], n) for a, b, n in page.spans][0]
    ('今天天气很好，我们一起去人民公园散步。', 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from ..core.normalize import NormalizeOptions, normalize
from ..report import CheckedDocument, CheckedSource, DuplicateReport, Pair, Passage

FORMULA = 0
"""The number of a span of formula (text many documents hold): shown, not counted."""


def checked_documents(
    report: DuplicateReport, texts: Mapping[str, str], ids: Sequence[str]
) -> list[CheckedDocument]:
    """The page of each document ``ids`` names (in that order; ids without a text are left
    out), from the pairs of ``report`` (with their passages, :func:`neardup.add_passages`,
    or without: shares of shingles)."""
    options = report.parameters.normalize_options()
    by_id: dict[str, list[tuple[str, Pair, bool]]] = {}
    for pair in report.pairs:
        by_id.setdefault(pair.a, []).append((pair.b, pair, False))
        by_id.setdefault(pair.b, []).append((pair.a, pair, True))
    pages = []
    for doc_id in dict.fromkeys(ids):
        if doc_id in texts:
            pages.append(_page(doc_id, texts[doc_id], by_id.get(doc_id, []), options))
    return pages


def _page(
    doc_id: str, text: str, found: list[tuple[str, Pair, bool]], options: NormalizeOptions
) -> CheckedDocument:
    if found and all(not p.passages and p.a_coverage is None for _, p, _ in found):
        shingles = [CheckedSource(other, p.b_in_a if flip else p.a_in_b, 0.0)
                    for other, p, flip in found]
        shingles.sort(key=lambda s: (-s.share, s.id))
        share = max((s.share for s in shingles), default=0.0)
        return CheckedDocument(doc_id, share, 0.0, tuple(shingles), (), "shingles")
    at = normalize(text, options).offsets
    count = max(int(at.size), 1)
    held: list[tuple[str, list[tuple[int, int]]]] = []
    formula = np.zeros(len(text), dtype=bool)
    for other, pair, flip in found:
        spans = []
        for passage in pair.passages:
            start, end = _side(passage, flip)
            if passage.formula:
                formula[start:end] = True
            else:
                spans.append((start, end))
        if spans:
            held.append((other, spans))
    shares = []
    for other, spans in held:
        inside = np.zeros(len(text), dtype=bool)
        for start, end in spans:
            inside[start:end] = True
        shares.append((other, int(np.count_nonzero(inside[at])) / count, spans))
    shares.sort(key=lambda s: (-s[1], s[0]))
    owner = np.zeros(len(text), dtype=np.int32)  # the first source holding each character
    for number in range(len(shares), 0, -1):
        for start, end in shares[number - 1][2]:
            owner[start:end] = number
    counted = owner[at]
    coloured = np.bincount(counted, minlength=len(shares) + 1) / count
    sources = tuple(CheckedSource(other, share, float(coloured[k]))
                    for k, (other, share, _) in enumerate(shares, start=1))
    only_formula = formula & (owner == 0)
    marks = np.where(only_formula, -1, owner)
    return CheckedDocument(
        doc_id,
        float(np.count_nonzero(counted)) / count,
        float(np.count_nonzero(only_formula[at])) / count,
        sources,
        _runs(marks),
    )


def _side(passage: Passage, flip: bool) -> tuple[int, int]:
    """The passage's span in the checked document (b's when it is the pair's b)."""
    return (passage.b_start, passage.b_end) if flip else (passage.a_start, passage.a_end)


def _runs(marks: npt.NDArray[np.int32]) -> tuple[tuple[int, int, int], ...]:
    """The runs of equal non-zero marks, as ``(start, end, number)`` (-1 is formula, 0)."""
    if not marks.size:
        return ()
    change = np.flatnonzero(np.diff(marks)) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [marks.size]))
    return tuple(
        (int(s), int(e), FORMULA if marks[s] < 0 else int(marks[s]))
        for s, e in zip(starts, ends, strict=True) if marks[s] != 0
    )
