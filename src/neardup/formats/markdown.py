"""The Markdown report: the pairs and clusters as tables, then the passages of the first
:data:`MARKDOWN_PAIRS_WITH_PASSAGES` pairs quoted.

Every id, title and piece of document text is escaped (:func:`md_escape`), so a document
containing markup is shown as text.
"""

from __future__ import annotations

import re

from ..report import DuplicateReport
from .shared import (
    Texts,
    copy_line,
    coverage,
    pairs_shown,
    parameters_line,
    plural,
    report_summary_line,
    share3,
    shorten,
    title_of,
)

MARKDOWN_PAIRS_WITH_PASSAGES = 50
"""The Markdown report quotes the passages of this many pairs (it is meant to be read)."""

PASSAGES_QUOTED = 3
"""The longest passages of a pair that are quoted."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def md_escape(text: str) -> str:
    """``text`` as literal Markdown inline text on one line (safe in a table cell).

    Example:
        >>> md_escape("a|b <script> *x*")
        'a\\\\|b \\\\<script\\\\> \\\\*x\\\\*'
    """
    flat = re.sub(r"\s+", " ", text).strip()
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    if escaped[:1] in ("-", "="):  # would start a list item or underline a heading
        return "\\" + escaped
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", escaped)  # would start a numbered list


def render_markdown(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The report as Markdown (``texts`` are not used)."""
    out = [
        "# neardup report",
        "",
        f"{md_escape(report_summary_line(report))}.",
        "",
        f"Parameters: {md_escape(parameters_line(report))}.",
    ]
    if report.copies:
        out += ["", "## Copy ratios", ""]
        out += [f"- {md_escape(copy_line(copied))}" for copied in report.copies]
    if report.identical:
        out += ["", "## Identical documents", "", "After normalization; their pairs are not "
                "listed below.", ""]
        out += [
            f"{number}\\. {plural(len(group.members), 'identical document')}: "
            + ", ".join(md_escape(member) for member in group.members)
            for number, group in enumerate(report.identical, start=1)
        ]
    out += _pairs_table(report) + _clusters_table(report)
    if report.skipped:
        out += ["", "## Skipped", ""]
        out += [f"- {md_escape(s.id)}: {md_escape(s.reason)}" for s in report.skipped]
    out += _passages(report)
    return "\n".join(out) + "\n"


def _doc(report: DuplicateReport, doc_id: str) -> str:
    title = title_of(report, doc_id)
    return md_escape(doc_id) + (f" ({md_escape(title)})" if title else "")


def _pairs_table(report: DuplicateReport) -> list[str]:
    shown = pairs_shown(report)
    if not shown:
        return []
    out = [
        "",
        "## Pairs",
        "",
        "| # | a | b | Jaccard | containment | shared in a | shared in b | passages |",
        "|--:|---|---|--:|--:|--:|--:|--:|",
    ]
    for number, pair in enumerate(shown, start=1):
        out.append(
            f"| {number} | {_doc(report, pair.a)} | {_doc(report, pair.b)} "
            f"| {share3(pair.jaccard)} | {share3(pair.containment)} | {coverage(pair.a_coverage)} "
            f"| {coverage(pair.b_coverage)} | {len(pair.passages)} |"
        )
    return out


def _clusters_table(report: DuplicateReport) -> list[str]:
    if not report.clusters:
        return []
    out = ["", "## Clusters", "", "| # | representative | members |", "|--:|---|---|"]
    for number, cluster in enumerate(report.clusters, start=1):
        members = ", ".join(
            f"{md_escape(m.id)} ({share3(m.similarity)})"
            for m in cluster.members
            if m.id != cluster.representative
        )
        out.append(f"| {number} | {_doc(report, cluster.representative)} | {members} |")
    return out


def _passages(report: DuplicateReport) -> list[str]:
    """A section a pair quoting its longest passages, for the first pairs that have any."""
    out: list[str] = []
    listed = pairs_shown(report)
    for number, pair in enumerate(listed, start=1):
        if number > MARKDOWN_PAIRS_WITH_PASSAGES:
            out += ["", f"Passages of the other {len(listed) - number + 1:,} pairs are in "
                        "the JSON and HTML reports."]
            break
        if not pair.passages:
            continue
        out += ["", f"## Pair {number}: {md_escape(pair.a)} ↔ {md_escape(pair.b)}", ""]
        shown = pair.passages[:PASSAGES_QUOTED]
        out.append(
            f"{plural(len(pair.passages), 'shared passage')}"
            + (f", the {len(shown)} longest:" if len(pair.passages) > len(shown) else ":")
        )
        for index, passage in enumerate(shown, start=1):
            out += [
                "",
                f"{index}\\. a\\[{passage.a_start}:{passage.a_end}\\] = "
                f"b\\[{passage.b_start}:{passage.b_end}\\], {len(passage.text):,} chars",
                "",
                f"> {md_escape(shorten(passage.text, 300))}",
            ]
    return out
