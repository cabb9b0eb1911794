"""The Markdown report: the pairs and clusters as tables, then the passages of the first
:data:`MARKDOWN_PAIRS_WITH_PASSAGES` pairs quoted.

Every id, title and piece of document text is escaped (:func:`md_escape`), so a document
containing markup is shown as text.
"""

from __future__ import annotations

import re

from ..report import CheckedDocument, DuplicateReport, set_apart_shown
from .set_apart import (
    SET_APART_NOTE,
    SET_APART_TITLE,
    reasons_counted,
    shown_words,
)
from .shared import (
    NO_COPY_RATIOS,
    Headline,
    Texts,
    checked_lines,
    copies_not_computed,
    copy_line,
    pair_numbers,
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

CHECKED_QUOTED = 20
"""The Markdown report quotes the text of this many checked documents (the first with text
found in others); the others get their figures and sources."""
CLEAN_NAMED = 50
"""The checked documents with nothing found in the others are named up to this many."""

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
    """The report as Markdown; with ``texts``, the pages of the checked documents quote their
    text, each copied span in bold after its source's number."""
    out = [
        "# neardup report",
        "",
        f"{md_escape(report_summary_line(report))}.",
        "",
        f"Parameters: {md_escape(parameters_line(report))}.",
    ]
    out += _checked(report, texts or {})
    if copies_not_computed(report):
        out += ["", "## Copy ratios", "", md_escape(NO_COPY_RATIOS)]
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
    out += _pairs_table(report) + _set_apart(report) + _clusters_table(report)
    if report.skipped:
        out += ["", "## Skipped", ""]
        out += [f"- {md_escape(s.id)}: {md_escape(s.reason)}" for s in report.skipped]
    out += _passages(report)
    return "\n".join(out) + "\n"


def _checked(report: DuplicateReport, texts: Texts) -> list[str]:
    """A section for each checked document: its figures, its sources and its text."""
    number_of = pair_numbers(pairs_shown(report))
    out: list[str] = []
    quoted = 0
    for k, page in enumerate(report.checked, start=1):
        if not page.sources:
            continue
        first, *sources = checked_lines(page, number_of)
        out += ["", f"## Checked document {k}: {_doc(report, page.id)}", "",
                md_escape(first) + ".", ""]
        out += [f"- {md_escape(line)}" for line in sources]
        if page.id in texts and page.measured == "passages" and quoted < CHECKED_QUOTED:
            quoted += 1
            out += ["", "The text, each span found in a source in bold after the source's "
                        "number (formula, not counted, in italics):", ""]
            out += _marked(texts[page.id], page)
    clean = [page.id for page in report.checked if not page.sources]
    if clean:
        named = ", ".join(md_escape(i) for i in clean[:CLEAN_NAMED])
        more = f" and {len(clean) - CLEAN_NAMED:,} more" if len(clean) > CLEAN_NAMED else ""
        out += ["", f"Nothing found in the others for {plural(len(clean), 'checked document')}:"
                    f" {named}{more}."]
    return out


def _marked(text: str, page: CheckedDocument) -> list[str]:
    """The text's lines quoted, each span marked: ``\\[n\\] **text**``, formula ``_text_``."""
    segments: list[tuple[int, int, int | None]] = []
    at = 0
    for start, end, number in page.spans:
        if start > at:
            segments.append((at, start, None))
        segments.append((start, end, number))
        at = end
    segments.append((at, len(text), None))
    lines: list[list[str]] = [[]]
    for first, last, source in segments:
        for k, part in enumerate(text[first:last].split("\n")):
            if k:
                lines.append([])
            if not part.strip():
                continue
            piece = md_escape(part)
            if source is None:
                lines[-1].append(piece)
            elif source:
                lines[-1].append((f"\\[{source}\\] " if k == 0 else "") + f"**{piece}**")
            else:
                lines[-1].append(f"_{piece}_")
    quoted = [" ".join(line) for line in lines if line]
    return [line for text_line in quoted for line in (f"> {text_line}", ">")][:-1]


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
        "| # | a | b | a in b | b in a | Jaccard | containment | passages |",
        "|--:|---|---|--:|--:|--:|--:|--:|",
    ]
    headline = Headline(report)
    for number, pair in enumerate(shown, start=1):
        in_b, in_a = headline.shares(pair)
        passages = len(pair.passages) if pair.a_coverage is not None else "not computed"
        out.append(
            f"| {number} | {_doc(report, pair.a)} | {_doc(report, pair.b)} "
            f"| {in_b:.1%} | {in_a:.1%} | {share3(pair.jaccard)} | {share3(pair.containment)} "
            f"| {passages} |"
        )
    if shown:
        out += ["", f"a in b: the share of a found in b ({headline.basis(shown[0])}); b in a: "
                "the reverse. Containment: of the shingles of the smaller document."]
    return out


def _set_apart(report: DuplicateReport) -> list[str]:
    """The pairs set apart: how many by reason, then those that share most text."""
    if not report.set_apart:
        return []
    out = ["", f"## {SET_APART_TITLE}", "",
           f"{plural(len(report.set_apart), 'pair')} {SET_APART_NOTE}.", "",
           "| reason | pairs |", "|---|--:|"]
    out += [f"| {md_escape(kind)} | {count:,} |" for kind, count in reasons_counted(report)]
    shown = set_apart_shown(report)
    out += ["", f"Set apart, {shown_words(report, shown)}; a in b and b in a are shares of "
            "shingles:", "", "| a | b | a in b | b in a | reason |", "|---|---|--:|--:|---|"]
    out += [f"| {_doc(report, p.a)} | {_doc(report, p.b)} | {p.a_in_b:.1%} | {p.b_in_a:.1%} "
            f"| {md_escape(p.reason or 'no reason given')} |" for p in shown]
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
