"""The pairs a copies judgement set apart (template siblings, topic neighbours), as every
report shows them: how many, by reason, and the ones that share most, each with its reason;
all of them are in the JSON report's ``set_apart``.

A copies search finds many more pairs than it reports (on the news corpus about seven times
as many), so a report lists a bounded number of them, those that share most text first
(:func:`neardup.report.set_apart_shown`, which :func:`neardup.add_passages` finds the passages
of too): the ones a reader is most likely to ask about (ranked by share, a 40-character item
half held by another came before two long reports sharing 400 characters).
"""

from __future__ import annotations

import collections
import re

from ..report import DuplicateReport, Pair

SET_APART_TITLE = "Set apart: found, but not copies"
"""The heading of the section in every report."""

SET_APART_NOTE = (
    "found, but judged not to be copies: template siblings (one form filled in with other "
    "names, dates and figures) or topic neighbours (one subject, written apart)"
)
"""What the pairs set apart are, after their number."""


def reason_kind(reason: str | None) -> str:
    """A reason without its figures: ``a template filled in differently`` for ``a template
    filled in differently: 3 short places …`` (the part before a colon or a parenthesis)."""
    kind = (reason or "no reason given").split(":")[0].split(" (")[0]
    return re.sub(r"\d[\d,.]*%?", "N", kind).strip()


def reasons_counted(report: DuplicateReport) -> list[tuple[str, int]]:
    """How many pairs were set apart for each kind of reason, the most frequent first."""
    counted = collections.Counter(reason_kind(pair.reason) for pair in report.set_apart)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def shown_words(report: DuplicateReport, shown: list[Pair]) -> str:
    """``the 50 that share most text (all 302 in the JSON report's set_apart)``, or
    ``each``."""
    if len(shown) == len(report.set_apart):
        return "each"
    return (f"the {len(shown)} that share most text (all {len(report.set_apart):,} in the "
            "JSON report's set_apart)")
