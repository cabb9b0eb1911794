"""The HTML report: one self-contained page (its style and script inline, nothing fetched),
with each pair's two texts side by side and their shared passages highlighted in matching
colours.

Every id, title and piece of document text is escaped, so a document containing markup is
shown as text. The module is not called ``html`` so that it never stands in for the standard
library's.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..report import DuplicateReport, Pair, Passage
from .folded import FoldedPart, folded_parts
from .shared import (
    Texts,
    coverage,
    parameters_line,
    plural,
    rewrite_words,
    share3,
    shorten,
    summary_line,
    title_of,
)

T = TypeVar("T")

HTML_PAIRS_SIDE_BY_SIDE = 200
"""The HTML report shows the texts of this many pairs side by side, the passages of the rest."""

_CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #666; --line: #ddd; }
body { font: 15px/1.6 system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       color: var(--ink); margin: 0 auto; padding: 1rem 2rem 4rem; max-width: 110rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 0; }
.muted, .params { color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.id { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em;
      overflow-wrap: anywhere; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.doc { border: 1px solid var(--line); border-radius: 6px; min-width: 0; }
.doc header { padding: .5rem .8rem; background: #f4f4f6; border-bottom: 1px solid var(--line); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; padding: .8rem;
        font: inherit; max-height: 80vh; overflow-y: auto; }
mark { background: hsl(var(--h) 85% 82%); color: inherit; border-radius: 2px; cursor: pointer; }
mark.hot { outline: 2px solid hsl(var(--h) 70% 35%); background: hsl(var(--h) 90% 70%); }
mark .folded { text-decoration: underline dotted 2px; text-underline-offset: 3px; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px;
          vertical-align: -.1em; background: hsl(var(--h) 85% 82%); }
ol.passages li { margin: .3rem 0; }
.bar { display: inline-block; height: .7em; background: #c0392b; border-radius: 2px;
       vertical-align: baseline; margin-right: .4em; }
ul.sources { margin: 0; padding-left: 1.2rem; }
@media (max-width: 900px) { .sides { grid-template-columns: 1fr; } }
"""

_SCRIPT = """
document.addEventListener("mouseover", function (e) {
  var m = e.target.closest && e.target.closest("mark[data-p]");
  document.querySelectorAll("mark.hot").forEach(function (x) { x.classList.remove("hot"); });
  if (!m) return;
  document.querySelectorAll('mark[data-p="' + m.dataset.p + '"]').forEach(function (x) {
    x.classList.add("hot");
  });
});
document.addEventListener("click", function (e) {
  var m = e.target.closest && e.target.closest("mark[data-p]");
  if (!m) return;
  document.querySelectorAll('mark[data-p="' + m.dataset.p + '"]').forEach(function (x) {
    if (x !== m) x.scrollIntoView({block: "nearest", inline: "nearest"});
  });
});
"""

_GOLDEN_ANGLE = 137.508


def passage_hue(index: int) -> int:
    """The hue (degrees) of passage ``index``: successive passages far apart on the wheel."""
    return round((index * _GOLDEN_ANGLE + 50) % 360)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _highlight(
    text: str, spans: list[tuple[int, int, int]], pair_number: int,
    folded: list[FoldedPart] | None = None,
) -> str:
    """Escaped ``text`` with ``spans`` (start, end, passage index) in ``<mark>`` elements,
    and inside them the ``folded`` parts (matched only after folding) underlined with a
    dotted line, the other document's words on hover.

    Overlapping spans (possible only where one original character expands to several
    normalized ones) are clipped so that marks never nest.
    """

    def mark(start: int, end: int, index: int) -> str:
        parts = [(p.start, p.end, p.other) for p in folded or []]
        return (
            f'<mark data-p="{pair_number}-{index + 1}" style="--h:{passage_hue(index)}" '
            f'title="passage {index + 1}">{_wrapped(text, start, end, parts, underline)}</mark>'
        )

    def underline(start: int, end: int, other: str) -> str:
        return (
            f'<span class="folded" title="{_esc(FOLDED_TITLE + other)}">'
            f"{_esc(text[start:end])}</span>"
        )

    return _wrapped(text, 0, len(text), sorted(spans), mark)


def _wrapped(
    text: str, lo: int, hi: int, spans: Sequence[tuple[int, int, T]],
    wrap: Callable[[int, int, T], str],
) -> str:
    """Escaped ``text[lo:hi]`` with each of the sorted ``spans`` (start, end, item) given by
    ``wrap(start, end, item)``, clipped so that none overlaps the one before."""
    out: list[str] = []
    position = lo
    for start, end, item in spans:
        start, end = max(start, position), min(end, hi)
        if end <= start:
            continue
        out.append(_esc(text[position:start]))
        out.append(wrap(start, end, item))
        position = end
    out.append(_esc(text[position:hi]))
    return "".join(out)


def _doc_cell(report: DuplicateReport, doc_id: str) -> str:
    title = title_of(report, doc_id)
    cell = f'<span class="id">{_esc(doc_id)}</span>'
    return cell + (f"<br>{_esc(title)}" if title else "")


def _pair_section(
    report: DuplicateReport, number: int, pair: Pair, texts: Texts | None
) -> list[str]:
    """A pair's section: its texts side by side (when given), then its passages."""
    out = [
        f'<section class="pair" id="pair-{number}">',
        f'<h2>Pair {number}: <span class="id">{_esc(pair.a)}</span> ↔ '
        f'<span class="id">{_esc(pair.b)}</span></h2>',
        f"<p>Jaccard {share3(pair.jaccard)}, containment {share3(pair.containment)}"
        + (
            f" ({pair.a_in_b:.1%} of a found in b, {pair.b_in_a:.1%} of b in a)"
            if report.parameters.containment is not None else ""
        )
        + _esc(rewrite_words(pair))
        + "; "
        f"{plural(len(pair.passages), 'shared passage')} cover "
        f"{coverage(pair.a_coverage)} of a and {coverage(pair.b_coverage)} of b. "
        '<span class="muted">Coloured: text both documents share (the same colour is the same '
        "passage in both). Plain: text only one of them has (rewritten, added or left out). "
        "Hover a passage to light it up in both texts; click to scroll to its partner."
        + (" Dotted underline: the same only after folding (traditional script or synonyms); "
           "hover it for the other document's words." if _folds(report) else "")
        + "</span></p>",
    ]
    have_texts = texts is not None and pair.a in texts and pair.b in texts
    if have_texts and texts is not None:
        folded = _folded_by_side(report, pair, texts)
        out.append('<div class="sides">')
        for side, doc_id in (("a", pair.a), ("b", pair.b)):
            spans = [
                (p.a_start, p.a_end, k) if side == "a" else (p.b_start, p.b_end, k)
                for k, p in enumerate(pair.passages)
            ]
            title = title_of(report, doc_id)
            out.append(
                f'<article class="doc doc-{side}"><header><h3>{side}: '
                f'<span class="id">{_esc(doc_id)}</span></h3>'
                + (f"<div>{_esc(title)}</div>" if title else "")
                + f'<div class="muted">{len(texts[doc_id]):,} characters</div></header>'
                f'<pre class="text">{_highlight(texts[doc_id], spans, number, folded[side])}'
                "</pre></article>"
            )
        out.append("</div>")
    elif texts is None and number > HTML_PAIRS_SIDE_BY_SIDE:
        out.append(
            f'<p class="muted">Only the first {HTML_PAIRS_SIDE_BY_SIDE} pairs are shown side by '
            "side (to keep the page small); the passages of this one:</p>"
        )
    else:
        out.append('<p class="muted">The texts were not given to the renderer; passages only.</p>')
    if pair.passages:
        out.append("<details><summary>Passages, longest first</summary><ol class=\"passages\">")
        out += [_passage_item(number, k, p) for k, p in enumerate(pair.passages)]
        out.append("</ol></details>")
    out.append("</section>")
    return out


FOLDED_TITLE = "the same after folding; the other document has: "
"""The hover text of a folded part, before the other document's words."""


def _folds(report: DuplicateReport) -> bool:
    return report.parameters.script is not None or report.parameters.synonyms


def _folded_by_side(
    report: DuplicateReport, pair: Pair, texts: Texts
) -> dict[str, list[FoldedPart]]:
    """The folded parts of all the pair's passages, in a and in b, by position (none unless
    the report folded script or synonyms)."""
    found: dict[str, list[FoldedPart]] = {"a": [], "b": []}
    if not _folds(report):
        return found
    for passage in pair.passages:
        in_a, in_b = folded_parts(texts[pair.a], texts[pair.b], passage)
        found["a"] += in_a
        found["b"] += in_b
    return {side: sorted(parts) for side, parts in found.items()}


def _passage_item(number: int, index: int, passage: Passage) -> str:
    return (
        f'<li><span class="swatch" style="--h:{passage_hue(index)}"></span> '
        f"a[{passage.a_start}:{passage.a_end}] = b[{passage.b_start}:{passage.b_end}], "
        f"{len(passage.text):,} chars: {_esc(shorten(passage.text, 160))}</li>"
    )


def render_html(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The report as one HTML page; with ``texts``, the first
    :data:`HTML_PAIRS_SIDE_BY_SIDE` pairs are shown side by side, passages highlighted."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>neardup report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>neardup report</h1>",
        f'<p class="summary">{_esc(summary_line(report))}</p>',
        f'<p class="params">{_esc(parameters_line(report))}</p>',
    ]
    out += _copies_table(report)
    out += _pairs_table(report) + _clusters_table(report) + _skipped_list(report)
    for number, pair in enumerate(report.pairs, start=1):
        shown = texts if number <= HTML_PAIRS_SIDE_BY_SIDE else None
        out += _pair_section(report, number, pair, shown)
    out += [f"<script>{_SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _copies_table(report: DuplicateReport) -> list[str]:
    """The copy-ratio (查重) view: each document's share found in the others, and its
    sources with their shares, linked to their pairs."""
    if not report.copies:
        return []
    number_of = {(p.a, p.b): n for n, p in enumerate(report.pairs, start=1)}
    rows = []
    for copied in report.copies:
        sources = []
        for source in copied.sources:
            number = number_of.get((copied.id, source.id)) or number_of.get((source.id, copied.id))
            link = f' <a href="#pair-{number}">pair {number}</a>' if number else ""
            sources.append(
                f'<li>{source.share:.1%} in <span class="id">{_esc(source.id)}</span>'
                f"{link}</li>"
            )
        rows.append(
            f"<tr><td>{_doc_cell(report, copied.id)}</td>"
            f'<td class="num"><span class="bar" style="width:{copied.share * 6:.2f}em"></span>'
            f"{copied.share:.1%}</td>"
            f'<td><ul class="sources">{"".join(sources)}</ul></td></tr>'
        )
    columns = ("document", "found elsewhere", "sources (share of the document in each)")
    heading = "Copy ratios (查重): how much of each document is found in the others"
    return _table("copies", heading, columns, rows)


def _pairs_table(report: DuplicateReport) -> list[str]:
    if not report.pairs:
        return ["<p>No near-duplicate pairs.</p>"]
    rows = [
        f'<tr><td class="num"><a href="#pair-{number}">{number}</a></td>'
        f"<td>{_doc_cell(report, pair.a)}</td>"
        f"<td>{_doc_cell(report, pair.b)}</td>"
        f'<td class="num">{share3(pair.jaccard)}</td>'
        f'<td class="num">{share3(pair.containment)}</td>'
        f'<td class="num">{coverage(pair.a_coverage)}</td>'
        f'<td class="num">{coverage(pair.b_coverage)}</td>'
        f'<td class="num">{len(pair.passages)}</td></tr>'
        for number, pair in enumerate(report.pairs, start=1)
    ]
    columns = ("#", "a", "b", "Jaccard", "containment", "shared in a", "shared in b", "passages")
    return _table("pairs", "Pairs", columns, rows)


def _clusters_table(report: DuplicateReport) -> list[str]:
    if not report.clusters:
        return []
    rows = []
    for number, cluster in enumerate(report.clusters, start=1):
        members = "<br>".join(
            f'<span class="id">{_esc(m.id)}</span> {share3(m.similarity)}'
            for m in cluster.members
            if m.id != cluster.representative
        )
        rows.append(
            f'<tr><td class="num">{number}</td>'
            f"<td>{_doc_cell(report, cluster.representative)}</td><td>{members}</td></tr>"
        )
    columns = ("#", "representative", "members (Jaccard to the representative)")
    return _table("clusters", "Clusters", columns, rows)


def _table(anchor: str, heading: str, columns: tuple[str, ...], rows: list[str]) -> list[str]:
    """A section heading and a table of ``rows`` (``<tr>`` elements) under ``columns``."""
    head = "".join(f"<th>{column}</th>" for column in columns)
    return [
        f'<h2 id="{anchor}">{heading}</h2>',
        f"<table><thead><tr>{head}</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _skipped_list(report: DuplicateReport) -> list[str]:
    if not report.skipped:
        return []
    out = ['<h2 id="skipped">Skipped</h2>', "<ul>"]
    out += [
        f'<li><span class="id">{_esc(s.id)}</span>: {_esc(s.reason)}</li>'
        for s in report.skipped
    ]
    out.append("</ul>")
    return out
