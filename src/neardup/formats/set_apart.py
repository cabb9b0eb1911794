"""The pairs a copies judgement set apart (template siblings, topic neighbours), as every
report shows them: how many, by reason, and the ones that share most, each with its reason;
all of them are in the JSON report's ``set_apart``.

A copies search finds many more pairs than it reports (on the news corpus about seven times
as many), so a report lists a bounded number of them (:data:`SET_APART_SHOWN`), those that
share most text first: the ones a reader is most likely to ask about (ranked by share, a
40-character item half held by another came before two long reports sharing 400 characters).
"""

from __future__ import annotations

import collections
import re

from ..report import DuplicateReport, Pair

SET_APART_SHOWN = 50
"""The pairs set apart that a text, Markdown or HTML report lists (the most shared first)."""

SET_APART_TITLE = "Set apart: found, but not copies"
"""The heading of the section in every report."""

SET_APART_NOTE = (
    "found, but judged not to be copies: template siblings (one form filled in with other "
    "names, dates and figures) or topic neighbours (one subject, written apart)"
)
"""What the pairs set apart are, after their number."""


def overlap(pair: Pair) -> float:
    """How much of the more contained text of a pair is in the other (shingles)."""
    return max(pair.a_in_b, pair.b_in_a)


def shared_amount(report: DuplicateReport, pair: Pair) -> float:
    """About how many normalized characters the two texts of a pair share: the share of a
    found in b times a's normalized length (its share when the length is not known)."""
    info = report.documents.get(pair.a)
    length = 0 if info is None else info.normalized_length
    return pair.a_in_b * length if length else overlap(pair)


def reason_kind(reason: str | None) -> str:
    """A reason without its figures: ``a template filled in differently`` for ``a template
    filled in differently: 3 short places …`` (the part before a colon or a parenthesis)."""
    kind = (reason or "no reason given").split(":")[0].split(" (")[0]
    return re.sub(r"\d[\d,.]*%?", "N", kind).strip()


def reasons_counted(report: DuplicateReport) -> list[tuple[str, int]]:
    """How many pairs were set apart for each kind of reason, the most frequent first."""
    counted = collections.Counter(reason_kind(pair.reason) for pair in report.set_apart)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def set_apart_shown(report: DuplicateReport, most: int = SET_APART_SHOWN) -> list[Pair]:
    """The ``most`` pairs set apart that share most text (:func:`shared_amount`), in that
    order."""
    return sorted(report.set_apart,
                  key=lambda pair: (-shared_amount(report, pair), pair.a, pair.b))[:most]


def shown_words(report: DuplicateReport, shown: list[Pair]) -> str:
    """``the 50 that share most text (all 302 in the JSON report's set_apart)``, or
    ``each``."""
    if len(shown) == len(report.set_apart):
        return "each"
    return (f"the {len(shown)} that share most text (all {len(report.set_apart):,} in the "
            "JSON report's set_apart)")
