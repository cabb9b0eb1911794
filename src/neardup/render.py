"""Renderers of a :class:`~neardup.report.DuplicateReport`: text, JSON, JSON Lines, CSV,
Markdown and a self-contained HTML page.

One entry point, :func:`render`; :data:`FORMATS` lists the formats and
:func:`format_for_path` infers one from a file name.

The JSON report (``render(report, "json")``) is :meth:`DuplicateReport.to_dict`::

    {"format": "neardup-report", "version": 1, "neardup": "0.1.0",
     "parameters": {...}, "verification": "exact", "counts": {...}, "seconds": 1.2,
     "skipped": [{"id": ..., "reason": ...}],
     "pairs": [{"a": ..., "b": ..., "jaccard": ..., "containment": ...,
                "a_title": ..., "b_title": ..., "a_coverage": ..., "b_coverage": ...,
                "passages": [{"a_start": ..., "a_end": ..., "b_start": ..., "b_end": ...,
                              "text": ...}]}],
     "clusters": [{"representative": ..., "members": [{"id": ..., "similarity": ...}]}],
     "documents": {id: {"title": ..., "source": ..., "length": ...}}}

Passage offsets are ``str`` indices (code points) into the documents' original texts, end
exclusive; ``text`` is the original text of the span in document a. JSON Lines has one pair
object (as in ``pairs``) per line.

Every piece of document text, id and title in the HTML and Markdown reports is escaped, so a
document containing markup is shown as text.

Example:
    >>> from neardup import find_duplicates
    >>> report = find_duplicates({"x": "今天天气很好我们去公园", "y": "今天天气很好，我们去公园！"})
    >>> print(render(report, "csv").splitlines()[1])
    x,,y,,1.000000,1.000000,,,0,
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from collections.abc import Callable, Mapping

from .errors import ParameterError
from .report import DuplicateReport, Pair, Passage, pair_dict

FORMATS: tuple[str, ...] = ("text", "json", "jsonl", "csv", "markdown", "html")
"""The report formats, ``text`` first (the default)."""

SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
"""File name suffixes and the format each one implies."""

MARKDOWN_PAIRS_WITH_PASSAGES = 50
"""The Markdown report quotes the passages of this many pairs (it is meant to be read)."""

HTML_PAIRS_SIDE_BY_SIDE = 200
"""The HTML report shows the texts of this many pairs side by side, the passages of the rest."""

CSV_COLUMNS = (
    "a", "a_title", "b", "b_title", "jaccard", "containment",
    "a_coverage", "b_coverage", "passages", "longest_passage",
)

Texts = Mapping[str, str]


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """The format implied by a file name's suffix, or None when it implies none.

    Example:
        >>> [format_for_path(p) for p in ("out/report.HTML", "pairs.jsonl", "x.bin")]
        ['html', 'jsonl', None]
    """
    name = os.fspath(path).lower()
    for suffix, fmt in SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


def render(report: DuplicateReport, fmt: str = "text", *, texts: Texts | None = None) -> str:
    """The report in format ``fmt`` (one of :data:`FORMATS`).

    Args:
        report: the report; its pairs' passages should be filled
            (:func:`neardup.passages.add_passages`) for the evidence to show.
        fmt: ``text``, ``json``, ``jsonl``, ``csv``, ``markdown`` or ``html``.
        texts: original texts by id; the HTML report shows each pair's two texts side by
            side when given (otherwise only the passages).

    Raises:
        ParameterError: an unknown format.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ParameterError(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    return renderer(report, texts)


# ---------------------------------------------------------------------------- shared helpers


def _title(report: DuplicateReport, doc_id: str) -> str | None:
    info = report.documents.get(doc_id)
    return info.title if info is not None else None


def _length(report: DuplicateReport, doc_id: str) -> int | None:
    info = report.documents.get(doc_id)
    return info.length if info is not None else None


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def shorten(text: str, width: int = 120) -> str:
    """``text`` on one line (whitespace runs become one space), at most about ``width``
    characters: its beginning and end around an ellipsis when longer.

    Example:
        >>> shorten("一二三四五六七八九十" * 3, 12)
        '一二三四五六七八 … 九十 (+20 chars)'
    """
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= width:
        return flat
    head = max(width * 2 // 3, 1)
    tail = max(width // 6, 1)
    return f"{flat[:head]} … {flat[-tail:]} (+{len(flat) - head - tail:,} chars)"


def _parameters_line(report: DuplicateReport) -> str:
    p = report.parameters
    unit = "characters" if p.unit == "char" else "words"
    return (
        f"{p.ngram}-grams of {unit}, threshold {p.threshold:g}, {p.num_perm} permutations "
        f"in {p.bands} bands of {p.rows}, seed {p.seed}, {report.verification} verification"
        + (", HTML markup removed" if p.html else "")
    )


def _summary_line(report: DuplicateReport) -> str:
    c = report.counts
    return (
        f"{_plural(c.documents, 'document')} read, {c.skipped:,} skipped, "
        f"{_plural(c.pairs, 'pair')} in {_plural(c.clusters, 'cluster')} "
        f"({report.seconds:.2f} s)"
    )


def _coverage(value: float | None) -> str:
    return "?" if value is None else f"{value:.1%}"


# ---------------------------------------------------------------------------- text


def _render_text(report: DuplicateReport, texts: Texts | None) -> str:
    lines = [f"neardup: {_summary_line(report)}", f"parameters: {_parameters_line(report)}"]
    if report.skipped:
        lines += ["", "Skipped"]
        lines += [f"  {s.id}: {s.reason}" for s in report.skipped]
    if report.clusters:
        lines += ["", "Clusters"]
        for number, cluster in enumerate(report.clusters, start=1):
            title = _title(report, cluster.representative)
            lines.append(
                f"  {number}. {_plural(len(cluster.members), 'document')}, representative "
                f"{cluster.representative}" + (f" ({title})" if title else "")
            )
            for member in cluster.members:
                note = "representative" if member.id == cluster.representative else (
                    f"Jaccard {member.similarity:.3f}"
                )
                lines.append(f"       {member.id}  {note}")
    if report.pairs:
        lines += ["", "Pairs"]
        for number, pair in enumerate(report.pairs, start=1):
            lines += _text_pair(report, number, pair)
    return "\n".join(lines) + "\n"


def _text_pair(report: DuplicateReport, number: int, pair: Pair) -> list[str]:
    lines = [
        f"  {number}. {pair.a}  <->  {pair.b}",
        f"     Jaccard {pair.jaccard:.3f}, containment {pair.containment:.3f}",
    ]
    for side, doc_id, coverage in (("a", pair.a, pair.a_coverage), ("b", pair.b, pair.b_coverage)):
        title = _title(report, doc_id)
        length = _length(report, doc_id)
        details = [] if length is None else [f"{length:,} chars"]
        if coverage is not None:
            details.append(f"{coverage:.1%} in shared passages")
        lines.append(
            f"     {side}: {doc_id}" + (f"  {title}" if title else "")
            + (f"  ({', '.join(details)})" if details else "")
        )
    if pair.passages:
        first = pair.passages[0]
        lines.append(
            f"     {_plural(len(pair.passages), 'shared passage')}; the longest, "
            f"a[{first.a_start}:{first.a_end}] = b[{first.b_start}:{first.b_end}] "
            f"({len(first.text):,} chars):"
        )
        lines.append(f"       “{shorten(first.text)}”")
    return lines


# ---------------------------------------------------------------------------- json, jsonl, csv


def _render_json(report: DuplicateReport, texts: Texts | None) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _render_jsonl(report: DuplicateReport, texts: Texts | None) -> str:
    pairs = (pair_dict(p, report.documents) for p in report.pairs)
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)


def _render_csv(report: DuplicateReport, texts: Texts | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pair in report.pairs:
        writer.writerow([
            pair.a,
            _title(report, pair.a) or "",
            pair.b,
            _title(report, pair.b) or "",
            f"{pair.jaccard:.6f}",
            f"{pair.containment:.6f}",
            "" if pair.a_coverage is None else f"{pair.a_coverage:.6f}",
            "" if pair.b_coverage is None else f"{pair.b_coverage:.6f}",
            len(pair.passages),
            shorten(pair.passages[0].text, 200) if pair.passages else "",
        ])
    return buffer.getvalue()


# ---------------------------------------------------------------------------- markdown

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


def _md_doc(report: DuplicateReport, doc_id: str) -> str:
    title = _title(report, doc_id)
    return md_escape(doc_id) + (f" ({md_escape(title)})" if title else "")


def _render_markdown(report: DuplicateReport, texts: Texts | None) -> str:
    out = [
        "# neardup report",
        "",
        f"{md_escape(_summary_line(report))}.",
        "",
        f"Parameters: {md_escape(_parameters_line(report))}.",
    ]
    if report.pairs:
        out += [
            "",
            "## Pairs",
            "",
            "| # | a | b | Jaccard | containment | shared in a | shared in b | passages |",
            "|--:|---|---|--:|--:|--:|--:|--:|",
        ]
        for number, pair in enumerate(report.pairs, start=1):
            out.append(
                f"| {number} | {_md_doc(report, pair.a)} | {_md_doc(report, pair.b)} "
                f"| {pair.jaccard:.3f} | {pair.containment:.3f} | {_coverage(pair.a_coverage)} "
                f"| {_coverage(pair.b_coverage)} | {len(pair.passages)} |"
            )
    if report.clusters:
        out += ["", "## Clusters", "", "| # | representative | members |", "|--:|---|---|"]
        for number, cluster in enumerate(report.clusters, start=1):
            members = ", ".join(
                f"{md_escape(m.id)} ({m.similarity:.3f})"
                for m in cluster.members
                if m.id != cluster.representative
            )
            out.append(f"| {number} | {_md_doc(report, cluster.representative)} | {members} |")
    if report.skipped:
        out += ["", "## Skipped", ""]
        out += [f"- {md_escape(s.id)}: {md_escape(s.reason)}" for s in report.skipped]
    passages_shown = 3
    for number, pair in enumerate(report.pairs, start=1):
        if number > MARKDOWN_PAIRS_WITH_PASSAGES:
            out += ["", f"Passages of the other {len(report.pairs) - number + 1:,} pairs are in "
                        "the JSON and HTML reports."]
            break
        if not pair.passages:
            continue
        out += ["", f"## Pair {number}: {md_escape(pair.a)} ↔ {md_escape(pair.b)}", ""]
        shown = pair.passages[:passages_shown]
        out.append(
            f"{_plural(len(pair.passages), 'shared passage')}"
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
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- html

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
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px;
          vertical-align: -.1em; background: hsl(var(--h) 85% 82%); }
ol.passages li { margin: .3rem 0; }
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


def _highlight(text: str, spans: list[tuple[int, int, int]], pair_number: int) -> str:
    """Escaped ``text`` with ``spans`` (start, end, passage index) in ``<mark>`` elements.

    Overlapping spans (possible only where one original character expands to several
    normalized ones) are clipped so that marks never nest.
    """
    out: list[str] = []
    position = 0
    for start, end, index in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        out.append(_esc(text[position:start]))
        out.append(
            f'<mark data-p="{pair_number}-{index + 1}" style="--h:{passage_hue(index)}" '
            f'title="passage {index + 1}">{_esc(text[start:end])}</mark>'
        )
        position = end
    out.append(_esc(text[position:]))
    return "".join(out)


def _html_doc_cell(report: DuplicateReport, doc_id: str) -> str:
    title = _title(report, doc_id)
    cell = f'<span class="id">{_esc(doc_id)}</span>'
    return cell + (f"<br>{_esc(title)}" if title else "")


def _html_pair(report: DuplicateReport, number: int, pair: Pair, texts: Texts | None) -> list[str]:
    out = [
        f'<section class="pair" id="pair-{number}">',
        f'<h2>Pair {number}: <span class="id">{_esc(pair.a)}</span> ↔ '
        f'<span class="id">{_esc(pair.b)}</span></h2>',
        f"<p>Jaccard {pair.jaccard:.3f}, containment {pair.containment:.3f}; "
        f"{_plural(len(pair.passages), 'shared passage')} cover "
        f"{_coverage(pair.a_coverage)} of a and {_coverage(pair.b_coverage)} of b. "
        '<span class="muted">Coloured: text both documents share (the same colour is the same '
        "passage in both). Plain: text only one of them has (rewritten, added or left out). "
        "Hover a passage to light it up in both texts; click to scroll to its partner.</span></p>",
    ]
    have_texts = texts is not None and pair.a in texts and pair.b in texts
    if have_texts and texts is not None:
        out.append('<div class="sides">')
        for side, doc_id in (("a", pair.a), ("b", pair.b)):
            spans = [
                (p.a_start, p.a_end, k) if side == "a" else (p.b_start, p.b_end, k)
                for k, p in enumerate(pair.passages)
            ]
            title = _title(report, doc_id)
            out.append(
                f'<article class="doc doc-{side}"><header><h3>{side}: '
                f'<span class="id">{_esc(doc_id)}</span></h3>'
                + (f"<div>{_esc(title)}</div>" if title else "")
                + f'<div class="muted">{len(texts[doc_id]):,} characters</div></header>'
                f'<pre class="text">{_highlight(texts[doc_id], spans, number)}</pre></article>'
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
        out += [_html_passage_item(number, k, p) for k, p in enumerate(pair.passages)]
        out.append("</ol></details>")
    out.append("</section>")
    return out


def _html_passage_item(number: int, index: int, passage: Passage) -> str:
    return (
        f'<li><span class="swatch" style="--h:{passage_hue(index)}"></span> '
        f"a[{passage.a_start}:{passage.a_end}] = b[{passage.b_start}:{passage.b_end}], "
        f"{len(passage.text):,} chars: {_esc(shorten(passage.text, 160))}</li>"
    )


def _render_html(report: DuplicateReport, texts: Texts | None) -> str:
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
        f'<p class="summary">{_esc(_summary_line(report))}</p>',
        f'<p class="params">{_esc(_parameters_line(report))}</p>',
    ]
    if report.pairs:
        out += [
            '<h2 id="pairs">Pairs</h2>',
            "<table><thead><tr><th>#</th><th>a</th><th>b</th><th>Jaccard</th>"
            "<th>containment</th><th>shared in a</th><th>shared in b</th><th>passages</th>"
            "</tr></thead><tbody>",
        ]
        for number, pair in enumerate(report.pairs, start=1):
            out.append(
                f'<tr><td class="num"><a href="#pair-{number}">{number}</a></td>'
                f"<td>{_html_doc_cell(report, pair.a)}</td>"
                f"<td>{_html_doc_cell(report, pair.b)}</td>"
                f'<td class="num">{pair.jaccard:.3f}</td>'
                f'<td class="num">{pair.containment:.3f}</td>'
                f'<td class="num">{_coverage(pair.a_coverage)}</td>'
                f'<td class="num">{_coverage(pair.b_coverage)}</td>'
                f'<td class="num">{len(pair.passages)}</td></tr>'
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>No near-duplicate pairs.</p>")
    if report.clusters:
        out += [
            '<h2 id="clusters">Clusters</h2>',
            "<table><thead><tr><th>#</th><th>representative</th><th>members (Jaccard to the "
            "representative)</th></tr></thead><tbody>",
        ]
        for number, cluster in enumerate(report.clusters, start=1):
            members = "<br>".join(
                f'<span class="id">{_esc(m.id)}</span> {m.similarity:.3f}'
                for m in cluster.members
                if m.id != cluster.representative
            )
            out.append(
                f'<tr><td class="num">{number}</td>'
                f"<td>{_html_doc_cell(report, cluster.representative)}</td><td>{members}</td></tr>"
            )
        out.append("</tbody></table>")
    if report.skipped:
        out += ['<h2 id="skipped">Skipped</h2>', "<ul>"]
        out += [
            f'<li><span class="id">{_esc(s.id)}</span>: {_esc(s.reason)}</li>'
            for s in report.skipped
        ]
        out.append("</ul>")
    for number, pair in enumerate(report.pairs, start=1):
        shown = texts if number <= HTML_PAIRS_SIDE_BY_SIDE else None
        out += _html_pair(report, number, pair, shown)
    out += [f"<script>{_SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


_RENDERERS: dict[str, Callable[[DuplicateReport, Texts | None], str]] = {
    "text": _render_text,
    "json": _render_json,
    "jsonl": _render_jsonl,
    "csv": _render_csv,
    "markdown": _render_markdown,
    "html": _render_html,
}
