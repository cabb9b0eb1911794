"""Passages on a report: what each reported pair shares, as the report's
:class:`~neardup.report.Passage` records, with each document's coverage and, for a
containment search, the copy-ratio view (:mod:`neardup.evidence.copy_ratios`).

The passages are found by :func:`neardup.core.passages.shared_spans` (the algorithm, and
its numba twin :mod:`neardup.core.passages_numba`); word-unit parameters
(``unit="word"``) get character 5-gram passages.

Example:
    >>> ev = shared_passages("今天天气很好，我们去公园散步吧。", "昨天：今天天气很好我们去公园散步")
    >>> [(p.a_start, p.a_end, p.b_start, p.b_end, p.text) for p in ev.passages]
    [(0, 14, 3, 16, '今天天气很好，我们去公园散步')]
    >>> round(ev.a_coverage, 3), round(ev.b_coverage, 3)
    (0.929, 0.867)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .._types import U32, ProgressHook
from ..core.formula import NGRAM, is_formula
from ..core.normalize import NormalizeOptions, codepoints, normalize
from ..core.passages import shared_spans
from ..errors import InputError
from ..report import DuplicateReport, Pair, Passage, set_apart_shown
from .copy_ratios import copy_ratios

WORD_UNIT_NGRAM = 5
"""Character n-gram size used for passages when the report's shingles are words."""


@dataclass(frozen=True)
class Evidence:
    """The shared passages of two documents, longest first, and the share of each document
    (of its normalized characters) they cover."""

    passages: tuple[Passage, ...]
    a_coverage: float
    b_coverage: float


def shared_passages(
    text_a: str,
    text_b: str,
    *,
    ngram: int = 5,
    options: NormalizeOptions | None = None,
    min_length: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Evidence:
    """The passages that ``text_a`` and ``text_b`` share
    (:func:`neardup.core.passages.shared_spans`, whose arguments these are).

    Returns:
        Passages as spans of the original texts, longest first; ``Passage.text`` is the
        original text of the span in a.

    Raises:
        ParameterError: ``ngram`` or ``min_length`` below 1.
    """
    found = shared_spans(
        text_a, text_b, ngram=ngram, options=options, min_length=min_length, progress=progress
    )
    tidied = (_tidied(text_a, text_b, *span) for span in found.spans)
    passages = tuple(
        Passage(a0, a1, b0, b1, text_a[a0:a1]) for a0, a1, b0, b1 in tidied if a1 > a0
    )
    return Evidence(passages, found.a_coverage, found.b_coverage)


SENTENCE_END = frozenset("。！？；…!?;」』”’）)】〉》")
"""Punctuation that ends a sentence (or closes a quotation in it): a passage that stops
just before it takes it in, so that no row of differences starts with a lone "。"."""


def _tidied(text_a: str, text_b: str, a0: int, a1: int, b0: int, b1: int) -> tuple[
    int, int, int, int
]:
    """A passage's spans with their edges where a reader expects them: never inside a
    number or date (digits at an edge the number runs on past go to the differences), and
    through the sentence's punctuation that follows (not counted: normalization drops it).

    Example:
        >>> a, b = "截至2021年12月31日。", "截至2022年12月31日。"
        >>> _tidied(a, b, 5, 13, 5, 13)  # from "1年12月31日" on: the year is left whole
        (6, 14, 6, 14)
    """
    while a1 > a0 and b1 > b0 and text_a[a1 - 1].isdigit() and text_b[b1 - 1].isdigit() and (
        _digit_at(text_a, a1) or _digit_at(text_b, b1)
    ):
        a1, b1 = a1 - 1, b1 - 1
    while a0 < a1 and b0 < b1 and text_a[a0].isdigit() and text_b[b0].isdigit() and (
        _digit_at(text_a, a0 - 1) or _digit_at(text_b, b0 - 1)
    ):
        a0, b0 = a0 + 1, b0 + 1
    while a1 < len(text_a) and text_a[a1] in SENTENCE_END:
        a1 += 1
    while b1 < len(text_b) and text_b[b1] in SENTENCE_END:
        b1 += 1
    return a0, a1, b0, b1


def _digit_at(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isdigit()


def add_passages(
    report: DuplicateReport,
    texts: Mapping[str, str],
    *,
    min_length: int | None = None,
    progress: ProgressHook | None = None,
) -> DuplicateReport:
    """A copy of ``report`` whose pairs carry their shared passages and coverage, and, for a
    containment search, with its copy-ratio view (:func:`neardup.evidence.copy_ratios.copy_ratios`).

    With a copies judgement, the pairs set apart that reports list
    (:func:`~neardup.report.set_apart_shown`, at most 50: the cost stays bounded) get their
    passages the same way, in :attr:`~neardup.report.DuplicateReport.apart_passages` (those
    whose texts are given); ``set_apart`` itself, and so the JSON report, is unchanged.

    Args:
        report: a report from :func:`neardup.find_duplicates`.
        texts: the original text of (at least) every document in a pair, by id.
        min_length: shortest passage, in normalized characters (default: the n-gram size).
        progress: called as ``progress("passages", total)`` once, ``total`` the characters
            of the two texts of every pair, then as ``progress("passage characters", n)``
            while they are worked through (a long pair in several steps).

    Raises:
        InputError: ``texts`` lacks a document of a pair.
    """
    for pair in report.pairs:
        missing = [doc_id for doc_id in (pair.a, pair.b) if doc_id not in texts]
        if missing:
            raise InputError(f"no text for document {missing[0]!r} of a reported pair")
    apart = [p for p in set_apart_shown(report) if p.a in texts and p.b in texts]
    advance = None
    if progress is not None:
        progress("passages", sum(len(texts[p.a]) + len(texts[p.b])
                                 for p in (*report.pairs, *apart)))
        hook = progress

        def advance(n: int) -> None:
            hook("passage characters", n)

    def found(pair: Pair) -> Pair:
        return _with_passages(report, pair, texts, min_length, advance)

    out = [found(pair) for pair in report.pairs]
    shown = {(p.a, p.b): found(p) for p in apart}
    params = report.parameters
    copies = ([] if params.containment is None
              else copy_ratios(out, texts, params.normalize_options()))
    return replace(report, pairs=out, copies=copies, apart_passages=shown)


def _with_passages(
    report: DuplicateReport, pair: Pair, texts: Mapping[str, str], min_length: int | None,
    advance: Callable[[int], None] | None,
) -> Pair:
    """``pair`` with its shared passages (formula ones marked) and each side's coverage."""
    params = report.parameters
    ngram = params.ngram if params.unit == "char" else WORD_UNIT_NGRAM
    options = params.normalize_options()
    evidence = shared_passages(
        texts[pair.a], texts[pair.b], ngram=ngram, options=options, min_length=min_length,
        progress=advance,
    )
    passages = evidence.passages
    if report.formula is not None:
        passages = tuple(_marked(p, report.formula, options) for p in passages)
    return replace(pair, passages=passages, a_coverage=evidence.a_coverage,
                   b_coverage=evidence.b_coverage)


def _marked(passage: Passage, formula: U32, options: NormalizeOptions) -> Passage:
    """The passage, marked when it is formula (:func:`~neardup.core.formula.is_formula`)."""
    cps = codepoints(normalize(passage.text, options).text)
    return replace(passage, formula=True) if is_formula(cps, formula, NGRAM) else passage
