"""The text report: a summary, then the clusters and the pairs with their longest shared
passage, for a person at a terminal.

Ids and titles stay on their line (:func:`~.untrusted.one_line`), so that none can forge a
line of the report; :func:`~neardup.formats.render` escapes the control characters."""

from __future__ import annotations

from ..report import DuplicateReport, Pair
from .shared import (
    Texts,
    copy_line,
    parameters_line,
    plural,
    rewrite_words,
    share3,
    shorten,
    summary_line,
    title_of,
)
from .untrusted import one_line


def render_text(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The report as plain text (``texts`` are not used)."""
    lines = [f"neardup: {summary_line(report)}", f"parameters: {parameters_line(report)}"]
    if report.skipped:
        lines += ["", "Skipped"]
        lines += [f"  {one_line(s.id)}: {one_line(s.reason)}" for s in report.skipped]
    if report.copies:
        lines += ["", "Copy ratios (share of each document found in the others)"]
        lines += [f"  {copy_line(copied, name=one_line)}" for copied in report.copies]
    if report.identical:
        lines += ["", "Identical documents (after normalization; their pairs are not listed)"]
        for number, group in enumerate(report.identical, start=1):
            lines.append(
                f"  {number}. {plural(len(group.members), 'identical document')}: "
                + ", ".join(one_line(member) for member in group.members)
            )
    if report.clusters:
        lines += ["", "Clusters"]
        for number, cluster in enumerate(report.clusters, start=1):
            title = one_line(title_of(report, cluster.representative) or "")
            lines.append(
                f"  {number}. {plural(len(cluster.members), 'document')}, representative "
                f"{one_line(cluster.representative)}" + (f" ({title})" if title else "")
            )
            for member in cluster.members:
                note = "representative" if member.id == cluster.representative else (
                    f"Jaccard {share3(member.similarity)}"
                )
                lines.append(f"       {one_line(member.id)}  {note}")
    if report.pairs:
        lines += ["", "Pairs"]
        for number, pair in enumerate(report.pairs, start=1):
            lines += _pair_lines(report, number, pair)
    return "\n".join(lines) + "\n"


def _pair_lines(report: DuplicateReport, number: int, pair: Pair) -> list[str]:
    lines = [
        f"  {number}. {one_line(pair.a)}  <->  {one_line(pair.b)}",
        f"     Jaccard {share3(pair.jaccard)}, containment {share3(pair.containment)}"
        + (
            f" ({pair.a_in_b:.1%} of a in b, {pair.b_in_a:.1%} of b in a)"
            if report.parameters.containment is not None else ""
        )
        + rewrite_words(pair),
    ]
    for side, doc_id, coverage in (("a", pair.a, pair.a_coverage), ("b", pair.b, pair.b_coverage)):
        title = one_line(title_of(report, doc_id) or "")
        info = report.documents.get(doc_id)
        length = info.length if info is not None else None
        details = [] if length is None else [f"{length:,} chars"]
        if coverage is not None:
            details.append(f"{coverage:.1%} in shared passages")
        lines.append(
            f"     {side}: {one_line(doc_id)}" + (f"  {title}" if title else "")
            + (f"  ({', '.join(details)})" if details else "")
        )
    if pair.passages:
        first = pair.passages[0]
        lines.append(
            f"     {plural(len(pair.passages), 'shared passage')}; the longest, "
            f"a[{first.a_start}:{first.a_end}] = b[{first.b_start}:{first.b_end}] "
            f"({len(first.text):,} chars):"
        )
        lines.append(f"       “{shorten(first.text)}”")
    return lines
