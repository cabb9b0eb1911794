"""The data of the HTML report's interactive parts, embedded in the page as JSON.

Two ``<script type="application/json">`` blocks carry it (:func:`script_json` makes their
content safe), and the page's script builds the pairs table and each pair's detail from
them on demand, so a report of 10,000 pairs is not 10,000 sections of markup:

- ``table`` (:func:`table_data`, parsed when the page opens): the documents
  (``[id, title, length]``) and the pairs (``[number, a, b, jaccard, containment, a_in_b,
  b_in_a, rewrite, a_coverage, b_coverage, passages, a_share, b_share, found_by, judged]``,
  ``a`` and ``b`` indexing the documents, ``judged`` why the copies judgement took the
  pair for a copy (:func:`~neardup.formats.shared.judged_words`; null without one),
  ``a_share``/``b_share`` the headline shares of :class:`~neardup.formats.shared.Headline`,
  ``found_by`` the search that reports the pair (:func:`~neardup.formats.shared.found_by`),
  and ``basis`` what the shares count), the copy ratios (``copies``: ``[document, share,
  [[source, share, pair number], ...]]``), and the pairs set apart that the report lists
  (``apart``, :func:`apart_shown`: rows as the pairs', numbered in that list, ``found_by``
  ``"apart"``, the headline shares those of shingles as in the Set apart table, ``judged``
  the judgement's measure only, :func:`~neardup.formats.shared.judged_shares`, and a last
  item, the reason);
- ``detail`` (:func:`detail_data`, parsed when a pair is first opened): each document's
  text and its markers, and for each pair its passages in a's order (``[a_start, a_end,
  b_start, b_end, hue, characters]``), which of them are formula (``m``: 1 or 0 each), its
  aligned rows (:mod:`.html_align`) and its folded parts (:mod:`.folded`); ``apart`` the
  same for each pair of the table's ``apart``.

Offsets in ``detail`` count UTF-16 code units, as JavaScript strings do (a character
outside the Basic Multilingual Plane is two of them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

from ..report import CopySource, DuplicateReport, Pair, Passage, set_apart_shown
from .folded import FoldedPart, folded_parts
from .html_align import aligned_rows, in_text_order, passage_hues, side_by_side
from .shared import (
    Headline,
    Texts,
    found_by,
    judged_shares,
    judged_words,
    shown_clusters,
    title_of,
)

_UNSAFE_IN_SCRIPT = re.compile(
    "[<>&\u2028\u2029\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)
"""Characters written as ``\\uXXXX`` inside a JSON script block: ``<`` (so that no text can
close the element or open a comment), ``>`` and ``&``, the line separators, and what the
page may not carry raw (:mod:`.untrusted`); json.dumps escapes the C0 controls."""


def script_json(value: Any) -> str:
    """``value`` as JSON that can stand inside ``<script type="application/json">``.

    Example:
        >>> script_json({"t": "</script><b>&\\u2028"})
        '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _UNSAFE_IN_SCRIPT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def utf16_offsets(text: str) -> Callable[[int], int]:
    """A function from a code point offset into ``text`` to its UTF-16 offset.

    Example:
        >>> at = utf16_offsets("a😀b")
        >>> [at(k) for k in range(4)]
        [0, 1, 3, 4]
    """
    if not text or max(text) <= "\uffff":
        return int
    ends = [0, *accumulate(2 if c > "\uffff" else 1 for c in text)]
    return ends.__getitem__


class _Documents:
    """The documents the table names, each given an index on first use."""

    def __init__(self, report: DuplicateReport, texts: Texts | None) -> None:
        self.report, self.texts = report, texts
        self.index: dict[str, int] = {}

    def __call__(self, doc_id: str) -> int:
        if doc_id not in self.index:
            self.index[doc_id] = len(self.index)
        return self.index[doc_id]

    def rows(self) -> list[list[Any]]:
        out = []
        for doc_id in self.index:
            info = self.report.documents.get(doc_id)
            length = info.length if info is not None else None
            if length is None and self.texts is not None and doc_id in self.texts:
                length = len(self.texts[doc_id])
            out.append([doc_id, title_of(self.report, doc_id), length])
        return out


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _percent(value: float) -> float:
    """A share shown as a percentage with one decimal: rounded as the JSON report rounds it,
    so that the page never shows it rounded twice (0.117471 is 11.7%, not 11.8%)."""
    return round(value, 6)


def table_data(report: DuplicateReport, texts: Texts | None) -> tuple[dict[str, Any], list[str]]:
    """The table's data (see the module docstring), and the documents' ids by index."""
    documents = _Documents(report, texts)
    headline = Headline(report)
    pairs = [
        [number, documents(p.a), documents(p.b), _share(p.jaccard), _share(p.containment),
         _share(p.a_in_b), _share(p.b_in_a), _share(p.rewrite), _share(p.a_coverage),
         _share(p.b_coverage), len(p.passages), *map(_percent, headline.shares(p)), kind,
         judged_words(p) or None]
        for (number, p), kind in zip(enumerate(report.pairs, start=1), found_by(report),
                                     strict=True)
    ]
    copies = _copies(report, documents)  # before the rows: it names more documents
    apart = [
        [k, documents(p.a), documents(p.b), _share(p.jaccard), _share(p.containment),
         _share(p.a_in_b), _share(p.b_in_a), _share(p.rewrite), _share(p.a_coverage),
         _share(p.b_coverage), len(p.passages), _percent(p.a_in_b), _percent(p.b_in_a), "apart",
         judged_shares(p) or None, p.reason or "no reason given"]
        for k, p in enumerate(apart_shown(report), start=1)
    ]
    data = {"documents": documents.rows(), "pairs": pairs, "apart": apart,
            "threshold": report.parameters.threshold,
            "containment": report.parameters.containment is not None,
            "basis": headline.basis(report.pairs[0]) if report.pairs else "",
            "copies": copies,
            "folds": report.parameters.script is not None or report.parameters.synonyms}
    return data, list(documents.index)


def _copies(report: DuplicateReport, documents: _Documents) -> list[list[Any]]:
    """The copy ratios: ``[document, share, [[source, share, pair number], ...]]`` each,
    documents and sources indexing the documents, sources largest first. A source identical
    to the document once normalized (a repost in the other script: its pair is not listed,
    the group is) has a fourth value, the number of the cluster that shows the group (0
    when that cluster is not among those shown)."""
    number_of: dict[tuple[str, str], int] = {}
    for number, pair in enumerate(report.pairs, start=1):
        number_of[pair.a, pair.b] = number_of[pair.b, pair.a] = number
    group_of = {m: g.representative for g in report.identical for m in g.members}
    shown = {number for number, _ in shown_clusters(report)}
    cluster_of = {m.id: number for number, c in enumerate(report.clusters, start=1)
                  for m in c.members if number in shown}

    def source(copied: str, s: CopySource) -> list[Any]:
        row = [documents(s.id), _percent(s.share), number_of.get((copied, s.id), 0)]
        if row[2] == 0 and copied in group_of and group_of.get(s.id) == group_of[copied]:
            row.append(cluster_of.get(copied, 0))
        return row

    return [[documents(copied.id), _percent(copied.share),
             [source(copied.id, s) for s in copied.sources]]
            for copied in report.copies]


def marker_spans(text: str, markers: Sequence[str]) -> list[tuple[int, int]]:
    """Where the scraper markers (regular expressions) occur in ``text``, in order.

    Example:
        >>> marker_spans("付费##paidbegin##正文##paidend##", ["##paidbegin##", "##paidend##"])
        [(2, 15), (17, 28)]
    """
    spans = [m.span() for pattern in markers for m in re.finditer(pattern, text)]
    return sorted(span for span in spans if span[1] > span[0])


def _markers(text: str, markers: Sequence[str]) -> list[list[int]]:
    at = utf16_offsets(text)
    return [[at(start), at(end)] for start, end in marker_spans(text, markers)]


def _pair_detail(
    pair: Pair, text_a: str, text_b: str, folds: bool
) -> dict[str, Any]:
    at_a, at_b = utf16_offsets(text_a), utf16_offsets(text_b)
    passages = in_text_order(pair.passages)
    rows = aligned_rows(text_a, text_b, passages)
    hues = passage_hues(passages, side_by_side(rows, passages))
    folded: tuple[list[FoldedPart], list[FoldedPart]] = ([], [])
    if folds:
        for passage in passages:
            in_a, in_b = folded_parts(text_a, text_b, passage)
            folded[0].extend(in_a)
            folded[1].extend(in_b)
    return {
        "p": [[at_a(p.a_start), at_a(p.a_end), at_b(p.b_start), at_b(p.b_end), hue,
               p.a_end - p.a_start] for p, hue in zip(passages, hues, strict=True)],
        "r": [row.kind for row in rows],
        "f": [[[at(f.start), at(f.end), f.other] for f in sorted(parts)]
              for parts, at in zip(folded, (at_a, at_b), strict=True)],
        "m": _formula_marks(passages),
    }


def _formula_marks(passages: Sequence[Passage]) -> list[int]:
    """1 for each passage (in a's order) that is formula, wording many documents share,
    which the copies judgement does not count; 0 for the others."""
    return [int(p.formula) for p in passages]


def _passages_only(pair: Pair) -> dict[str, Any]:
    """What a pair without its texts shows: its passages (code point offsets) and their
    text, in a's order."""
    passages = in_text_order(pair.passages)
    return {
        "p": [[p.a_start, p.a_end, p.b_start, p.b_end, hue, len(p.text), p.text]
              for p, hue in zip(passages, passage_hues(passages), strict=True)],
        "r": None,
        "f": [[], []],
        "m": _formula_marks(passages),
    }


def apart_shown(report: DuplicateReport) -> list[Pair]:
    """The pairs set apart that the report lists (:func:`~neardup.report.set_apart_shown`),
    in its order, each with its passages when they were found
    (:attr:`~neardup.report.DuplicateReport.apart_passages`)."""
    found = report.apart_passages
    return [found.get((p.a, p.b), p) for p in set_apart_shown(report)]


def detail_data(report: DuplicateReport, texts: Texts | None, ids: list[str]) -> dict[str, Any]:
    """The details' data (see the module docstring) for the documents ``ids`` (by index, as
    :func:`table_data` gave them); a pair whose texts are not given has none."""
    texts = texts or {}
    markers = report.parameters.markers
    folds = report.parameters.script is not None or report.parameters.synonyms
    shown = [texts.get(doc_id) for doc_id in ids]

    def detail(p: Pair) -> dict[str, Any]:
        if p.a in texts and p.b in texts:
            return _pair_detail(p, texts[p.a], texts[p.b], folds)
        return _passages_only(p)

    return {
        "texts": shown,
        "markers": [[] if text is None else _markers(text, markers) for text in shown],
        "pairs": [detail(p) for p in report.pairs],
        "apart": [detail(p) for p in apart_shown(report)],
    }
