"""The CSV report: one row a pair (:data:`CSV_COLUMNS`), with the longest shared passage
shortened to about 200 characters. Every pair of the report is a row, those of identical
documents included (``exact`` is ``true``: their normalized texts are the same).

A text cell (id, title, passage) that a spreadsheet program would evaluate as a formula (it
starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is written with a leading
``'``, as OWASP recommends against CSV injection; strip it when reading ids back. Ids and
titles keep to one line (line breaks and tabs as ``\\n``, ``\\r``, ``\\t``, as in the text
and GitHub formats): a CSV printed to a CI log (``check -f csv`` without ``-o``) must not
give a line that the log reads as a workflow command (``::add-mask::...``). The JSON
formats keep every id as it is.

The module is not called ``csv`` so that it never stands in for the standard library's.
"""

from __future__ import annotations

import csv
import io

from ..report import DuplicateReport
from .shared import Texts, shorten, title_of
from .untrusted import csv_cell, one_line

CSV_COLUMNS = (
    "a", "a_title", "b", "b_title", "jaccard", "containment",
    "a_coverage", "b_coverage", "passages", "longest_passage", "rewrite", "exact",
)
"""The header row."""


def render_csv(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The pairs of the report as CSV (``texts`` are not used)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pair in report.pairs:
        writer.writerow([
            csv_cell(one_line(pair.a)),
            csv_cell(one_line(title_of(report, pair.a) or "")),
            csv_cell(one_line(pair.b)),
            csv_cell(one_line(title_of(report, pair.b) or "")),
            f"{pair.jaccard:.6f}",
            f"{pair.containment:.6f}",
            "" if pair.a_coverage is None else f"{pair.a_coverage:.6f}",
            "" if pair.b_coverage is None else f"{pair.b_coverage:.6f}",
            len(pair.passages),
            csv_cell(shorten(pair.passages[0].text, 200)) if pair.passages else "",
            "" if pair.rewrite is None else f"{pair.rewrite:.6f}",
            "true" if pair.exact else "false",
        ])
    return buffer.getvalue()
