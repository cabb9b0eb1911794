"""The HTML report's sections written as markup: the summary with its histogram, the
clusters (largest first, identical documents on one row), the copy ratios and the skipped
documents. Every id, title and reason is escaped."""

from __future__ import annotations

import html
from collections import deque

from ..report import Cluster, DuplicateReport, set_apart_shown
from .set_apart import (
    SET_APART_NOTE,
    SET_APART_TITLE,
    reasons_counted,
    shown_words,
)
from .shared import (
    CLUSTERS_SHOWN,
    FOUND_BY,
    NO_COPY_RATIOS,
    copies_not_computed,
    found_by,
    parameters_line,
    plural,
    report_summary_line,
    share3,
    shown_clusters,
    title_of,
)

CLUSTERS_PRINTED = 10
"""Printing shows this many clusters (the largest)."""
MEMBERS_SHOWN = 100
"""A cluster's rows list this many members; the rest are counted."""
BIN = 0.05
"""The width of a bar of the similarity histogram."""


def esc(text: str) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return html.escape(text, quote=True)


def doc_label(report: DuplicateReport, doc_id: str) -> str:
    """A document's id (monospace) and its title, when it has one."""
    title = title_of(report, doc_id)
    label = f'<span class="id">{esc(doc_id)}</span>'
    return label + (f' <span class="title">{esc(title)}</span>' if title else "")


def summary_section(report: DuplicateReport, whole: DuplicateReport | None = None) -> list[str]:
    """The title, what was found in numbers, the histogram of similarities and the
    parameters; ``whole``: the report before the pairs of identical documents were left
    out of its pairs, whose summary line counts them (``3 pairs (1 of identical
    documents)``)."""
    c = report.counts
    in_clusters = sum(len(cluster.members) for cluster in report.clusters)
    identical = sum(len(group.members) for group in report.identical)
    counts = [
        ("documents read", f"{c.documents:,}"),
        ("pairs", f"{c.pairs:,}"),
        ("clusters", f"{c.clusters:,}"),
        ("documents in clusters", f"{in_clusters:,}"),
        ("identical groups", f"{len(report.identical):,}"
         + (f" ({plural(identical, 'document')})" if identical else "")),
        ("skipped", f"{c.skipped:,}"),
    ]
    out = [
        '<header id="top">',
        "<h1>neardup report</h1>",
        f'<p class="lead">{esc(report_summary_line(whole or report))}</p>',
        '<nav class="toc">'
        + ('<a href="#checked">Checked documents</a> ' if report.checked else "")
        + ('<a href="#clusters">Clusters</a> ' if report.clusters else "")
        + ('<a href="#copies">Copy ratios</a> ' if report.copies else "")
        + '<a href="#pairs">Pairs</a>'
        + (' <a href="#set-apart">Set apart</a>' if report.set_apart else "")
        + (' <a href="#skipped">Skipped</a>' if report.skipped else "")
        + "</nav>",
        "</header>",
        '<section id="summary" class="summary">',
        '<dl class="counts">'
        + "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in counts)
        + "</dl>",
        *histogram([p.jaccard for p in report.pairs], report.parameters.threshold,
                   found_by(report)),
        f'<p class="params">{esc(parameters_line(report))}</p>',
        *(f'<p class="note">{esc(note)}</p>' for note in report.notes),
        "</section>",
    ]
    return out


def histogram(
    values: list[float], threshold: float, kinds: list[str] | None = None
) -> list[str]:
    """An inline SVG histogram of the pairs' similarities, in bars :data:`BIN` wide, with
    the count over each bar (where it fits) and a line at the threshold; with ``kinds``
    (:func:`found_by`) each bar is stacked by what found its pairs, with a legend.

    Example:
        >>> svg = "".join(histogram([0.72, 0.74, 0.91, 1.0], 0.7))
        >>> svg.count('class="hbar'), ">2</text>" in svg
        (3, True)
    """
    if not values:
        return []
    kinds = kinds or ["near"] * len(values)
    bins = round(1 / BIN)
    low = min(int(min(values) / BIN), int(threshold / BIN), bins - 1)
    order = [key for key, _ in FOUND_BY]
    counts = [[0] * len(order) for _ in range(bins - low)]
    for value, kind in zip(values, kinds, strict=True):
        counts[min(int(value / BIN), bins - 1) - low][order.index(kind)] += 1
    totals = [sum(c) for c in counts]
    width, height, top, bottom = 400, 130, 16, 20
    bar = width / len(counts)
    most = max(totals)
    out = [
        '<figure class="histogram">',
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Jaccard similarity of the pairs: {esc(_counts_words(totals, low))}">',
        f'<line class="base" x1="0" x2="{width}" y1="{height - bottom}" '
        f'y2="{height - bottom}"/>',
    ]
    for k, stack in enumerate(counts):
        x, y = k * bar, float(height - bottom)
        for kind, count in zip(order, stack, strict=True):
            if not count:
                continue
            h = (height - top - bottom) * count / most
            y -= h
            out.append(
                f'<rect class="hbar k-{kind}" x="{x + 1:.1f}" y="{y:.1f}" '
                f'width="{bar - 2:.1f}" height="{h:.1f}"><title>{(low + k) * BIN:.2f}–'
                f"{(low + k + 1) * BIN:.2f}: {count:,} {kind}</title></rect>"
            )
        label = f"{totals[k]:,}"
        if totals[k] and len(label) * 6.2 <= bar + 4:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" class="count">{label}'
                       "</text>")
        if k % 2 == 0 or len(counts) <= 10:
            out.append(f'<text x="{x:.1f}" y="{height - 5}" class="axis'
                       f'{" first" if k == 0 else ""}">{(low + k) * BIN:.2f}</text>')
    line = (threshold / BIN - low) * bar
    present = [(key, name) for key, name in FOUND_BY if key in set(kinds)]
    legend = "" if present == [("near", FOUND_BY[0][1])] else " " + "; ".join(
        f'<span class="swatch k-{key}"></span> {esc(name)}: {kinds.count(key):,}'
        for key, name in present)
    out += [
        f'<line class="threshold" x1="{line:.1f}" x2="{line:.1f}" y1="2" y2="{height - bottom}"/>',
        "</svg>",
        f"<figcaption>Jaccard similarity of the {plural(len(values), 'pair')} (bars "
        f"{BIN:g} wide); the dashed line is the threshold, {threshold:g}."
        + (" Left of it, pairs found by another search:" if legend else "")
        + legend + "</figcaption>",
        "</figure>",
    ]
    return out


def _counts_words(counts: list[int], low: int) -> str:
    return ", ".join(
        f"{(low + k) * BIN:.2f} to {(low + k + 1) * BIN:.2f}: {count}"
        for k, count in enumerate(counts) if count
    )


def clusters_section(report: DuplicateReport) -> list[str]:
    """The clusters, largest first: the representative, then each member with its
    similarity to it and the pair that joined it."""
    if not report.clusters:
        return []
    number_of: dict[tuple[str, str], int] = {}
    neighbours: dict[str, list[str]] = {}
    for number, pair in enumerate(report.pairs, start=1):
        number_of[pair.a, pair.b] = number_of[pair.b, pair.a] = number
        neighbours.setdefault(pair.a, []).append(pair.b)
        neighbours.setdefault(pair.b, []).append(pair.a)
    first_of = {m: g.representative for g in report.identical for m in g.members}
    ordered = sorted(enumerate(report.clusters, start=1), key=lambda nc: -len(nc[1].members))
    out: list[str] = [
        '<section id="clusters">',
        f"<h2>Clusters <small>{plural(len(report.clusters), 'cluster')}, largest first"
        + (f"; the {CLUSTERS_SHOWN} largest are shown" if len(ordered) > CLUSTERS_SHOWN else "")
        + "</small></h2>",
    ]
    if len(ordered) > CLUSTERS_PRINTED:
        out.append(f'<p class="print-only">Printed: the {CLUSTERS_PRINTED} largest clusters of '
                   f"{len(ordered):,}.</p>")
    for number, cluster in shown_clusters(report):
        out += _cluster(report, number, cluster, number_of, neighbours, first_of)
    out.append("</section>")
    return out


def _cluster(
    report: DuplicateReport, number: int, cluster: Cluster,
    number_of: dict[tuple[str, str], int], neighbours: dict[str, list[str]],
    first_of: dict[str, str],
) -> list[str]:
    rep = cluster.representative
    ids = {m.id for m in cluster.members}
    parent = _joined_through(rep, ids, neighbours)
    copies: dict[str, list[str]] = {}  # identical documents, on the row of their group's first
    for m in cluster.members:
        first = first_of.get(m.id)
        if first is not None and first != m.id and first in ids and m.id != rep:
            copies.setdefault(first, []).append(m.id)
    if first_of.get(rep, rep) != rep:  # the representative is a copy: its group's row is its own
        first = first_of[rep]
        copies[rep] = [first, *(c for c in copies.pop(first, []) if c != rep)]
    listed = {c for group in copies.values() for c in group}
    title = title_of(report, rep)
    alone = len(copies.get(rep, [])) + 1 == len(cluster.members)
    heading = (
        f'<h3><a class="anchor" href="#cluster-{number}">Cluster {number}</a> · '
        f"{plural(len(cluster.members), 'document')}"
        + (" · all identical" if alone else "")
        + (f" · {esc(title)}" if title else "")
        + "</h3>"
    )
    rows = []
    members = [m for m in cluster.members if m.id not in listed]
    members.sort(key=lambda m: (m.id != rep, -m.similarity))
    for m in members[:MEMBERS_SHOWN]:
        rows.append(
            "<tr>"
            f"<td>{doc_label(report, m.id)}{_copies_note(report, copies.get(m.id, []))}</td>"
            f'<td class="num">{"" if m.id == rep else _bar(m.similarity) + share3(m.similarity)}'
            f"</td><td>{_how(report, m.id, rep, m.similarity, parent, number_of, first_of)}</td>"
            "</tr>"
        )
    more = len(members) - MEMBERS_SHOWN
    if more > 0:
        rows.append(f'<tr><td colspan="3" class="muted">and {plural(more, "more member")}, '
                    "in the pairs table</td></tr>")
    return [
        f'<article class="cluster" id="cluster-{number}">',
        heading,
        '<table class="members"><thead><tr><th>document</th><th>Jaccard to the representative'
        "</th><th>how it joined</th></tr></thead><tbody>",
        *rows,
        "</tbody></table></article>",
    ]


def _joined_through(rep: str, ids: set[str], neighbours: dict[str, list[str]]) -> dict[str, str]:
    """For each member reached from the representative by pairs, the member it was reached
    from (breadth first: along the fewest pairs)."""
    parent: dict[str, str] = {}
    queue = deque([rep])
    seen = {rep}
    while queue:
        node = queue.popleft()
        for other in neighbours.get(node, ()):
            if other in ids and other not in seen:
                seen.add(other)
                parent[other] = node
                queue.append(other)
    return parent


def _how(
    report: DuplicateReport, member: str, rep: str, similarity: float,
    parent: dict[str, str], number_of: dict[tuple[str, str], int], first_of: dict[str, str],
) -> str:
    """How a member joined its cluster, in words, with a link to the pair that joined it."""
    if member == rep:
        return "representative (the longest)"
    if (member, rep) in number_of:
        return f'paired with it: {_pair_link(number_of[member, rep])}'
    if first_of.get(member, member) == first_of.get(rep, rep):
        return "identical to the representative (after normalization)"
    through = parent.get(member)
    if through is None:
        return "joined through documents identical to others of the cluster"
    below = (
        f", Jaccard below the threshold {report.parameters.threshold:g}"
        if similarity < report.parameters.threshold else ""
    )
    return (
        f'<span class="through">joined through <span class="id">{esc(through)}</span> '
        f"({_pair_link(number_of[member, through])}): no direct pair with the "
        f"representative{below}</span>"
    )


def _pair_link(number: int) -> str:
    return f'<a href="#pair-{number}">pair {number}</a>'


def _copies_note(report: DuplicateReport, copies: list[str]) -> str:
    if not copies:
        return ""
    shown = ", ".join(f'<span class="id">{esc(c)}</span>' for c in copies[:20])
    more = f" and {len(copies) - 20:,} more" if len(copies) > 20 else ""
    return (f'<div class="copies">and {plural(len(copies), "identical document")} '
            f"(normalized texts equal): {shown}{more}</div>")


def _bar(value: float) -> str:
    return f'<span class="bar" style="width:{value * 4:.2f}em"></span>'


def copies_section(report: DuplicateReport) -> list[str]:
    """The copy-ratio (查重) overview's frame: its controls (search, a lowest share, sort)
    and an empty table the page's script fills, a page of documents at a time, each with its
    largest sources and the rest behind a "+N more"."""
    if copies_not_computed(report):
        return ['<section id="copies"><h2>Copy ratios (查重)</h2>',
                f'<p class="note">{esc(NO_COPY_RATIOS)}</p></section>']
    if not report.copies:
        return []
    sorts = (("total", "found elsewhere (total)"), ("largest", "largest single source"),
             ("sources", "number of sources"), ("id", "document id"))
    options = "".join(f'<option value="{key}">{name}</option>' for key, name in sorts)
    return [
        '<section id="copies">',
        "<h2>Copy ratios (查重) <small>"
        f"{plural(len(report.copies), 'document')} with text found in others; the share of "
        "each found elsewhere, and in each source (specific text; formula apart)</small></h2>",
        '<div class="controls" role="search">',
        '<label class="search">search documents and sources<input type="search" id="cq" '
        'placeholder="id or title" autocomplete="off"></label>',
        '<label>found elsewhere from %<input type="number" id="cmin" min="0" max="100" '
        'step="1" placeholder="0"></label>',
        f'<label>sort by<select id="csort">{options}</select></label>',
        '<button type="button" id="corder">descending</button>',
        "</div>",
        "<noscript><p>The copy ratios need JavaScript; the JSON report (--format json) holds "
        "them (copies).</p></noscript>",
        '<table class="copies"><thead><tr><th>document</th><th>found elsewhere</th>'
        "<th>largest source</th><th>sources (share of the document in each)</th></tr></thead>"
        '<tbody id="copy-rows"></tbody></table>',
        '<div class="pager"><button type="button" id="cprev">← previous page</button>'
        '<span id="cinfo" aria-live="polite"></span>'
        '<button type="button" id="cnext">next page →</button></div>',
        "</section>",
    ]


def set_apart_section(report: DuplicateReport) -> list[str]:
    """The pairs set apart, folded: how many by reason, then those that share most text,
    each with a link that opens its texts side by side (``#apart-N``, the page's script)."""
    if not report.set_apart:
        return []
    counted = "".join(f"<tr><td>{esc(kind)}</td><td class=\"num\">{count:,}</td></tr>"
                      for kind, count in reasons_counted(report))
    shown = set_apart_shown(report)
    rows = "".join(
        f'<tr><td data-label="a">{doc_label(report, p.a)}</td>'
        f'<td data-label="b">{doc_label(report, p.b)}</td>'
        f'<td class="num" data-label="a in b / b in a (shingles)">{p.a_in_b:.1%} / '
        f"{p.b_in_a:.1%}</td><td>{esc(p.reason or 'no reason given')}</td>"
        f'<td class="open"><a href="#apart-{k}">side by side</a></td></tr>'
        for k, p in enumerate(shown, start=1)
    )
    return [
        '<section id="set-apart">',
        f"<h2>{esc(SET_APART_TITLE)} <small>{plural(len(report.set_apart), 'pair')}</small></h2>",
        f"<p class=\"note\">{plural(len(report.set_apart), 'pair')} {esc(SET_APART_NOTE)}.</p>",
        "<details>",
        f"<summary>By reason, and {esc(shown_words(report, shown))}</summary>",
        '<table class="set-apart-reasons"><thead><tr><th>reason</th><th>pairs</th></tr>'
        f"</thead><tbody>{counted}</tbody></table>",
        '<p class="screen-only">Open a pair to see its two texts side by side: what they '
        "share (formula grey) and where they differ.</p>",
        '<table class="set-apart"><thead><tr><th>a</th><th>b</th><th>a in b / b in a '
        f"(shingles)</th><th>reason</th><th>texts</th></tr></thead><tbody>{rows}</tbody>"
        "</table>",
        "</details>",
        "</section>",
    ]


def skipped_section(report: DuplicateReport) -> list[str]:
    """The documents and files that were skipped, and why."""
    if not report.skipped:
        return []
    return [
        '<section id="skipped"><h2>Skipped</h2><ul>',
        *(f'<li><span class="id">{esc(s.id)}</span>: {esc(s.reason)}</li>'
          for s in report.skipped),
        "</ul></section>",
    ]

