"""The HTML report's pages of checked documents (查重, :class:`~neardup.report.CheckedDocument`):
an overview of the documents a check named, most copied first, then a page for each: its
figures (found in other documents, the largest single source, formula left out), its
sources numbered with their shares and links to their pairs, and its full text, each copied
span coloured and numbered by its source (a footnote-like number at its start).

The text is written as markup here, not by the page's script: a page reads (and prints)
without it. Every id, title and piece of text is escaped.
"""

from __future__ import annotations

from ..report import CheckedDocument, DuplicateReport
from .html_sections import doc_label, esc
from .shared import Texts, plural

PAGES_SHOWN = 100
"""The report shows the pages of this many checked documents (the most copied); the
overview lists every one with a source."""
CLEAN_NAMED = 50
"""The checked documents with nothing found elsewhere are named up to this many."""

_HUES = tuple(
    hue for hue in (round((210 + j * 137.508) % 360) for j in range(40)) if not 25 <= hue <= 75
)[:30]
"""The hues of the sources in number order: the golden-angle sequence from blue, without
the yellows and oranges that shade differences; consecutive numbers lie far apart."""


def source_hue(number: int) -> int:
    """The hue of source ``number`` (from 1); after 30 sources the hues come round again
    (the numbers still tell the sources apart).

    Example:
        >>> [source_hue(k) for k in range(1, 6)]
        [210, 348, 125, 263, 178]
    """
    return _HUES[(number - 1) % len(_HUES)]


def checked_section(
    report: DuplicateReport, texts: Texts | None, number_of: dict[tuple[str, str], int]
) -> list[str]:
    """The overview of the checked documents and their pages (nothing when the report has
    none); ``number_of`` gives the pairs table's number of each pair (both orders)."""
    if not report.checked:
        return []
    everything = sorted(enumerate(report.checked, start=1), key=lambda kp: -kp[1].share)
    ordered = [(k, page) for k, page in everything if page.sources]
    clean = [page.id for _, page in everything if not page.sources]
    shown = {k for k, _ in ordered[:PAGES_SHOWN]}
    rows = []
    for k, page in ordered:
        largest = page.sources[0] if page.sources else None
        link = f'<a href="#doc-{k}">page</a>' if k in shown else ""
        rows.append(
            f'<tr><td data-label="document">{doc_label(report, page.id)}</td>'
            f'<td class="num" data-label="found elsewhere">{_share(page.share)}</td>'
            f'<td data-label="largest source">'
            + (f'{_share(largest.share)} <span class="id">{esc(largest.id)}</span>'
               if largest else '<span class="muted">none</span>')
            + f'</td><td class="num" data-label="sources">{len(page.sources):,}</td>'
            f"<td>{link}</td></tr>"
        )
    out = [
        '<section id="checked">',
        "<h2>Checked documents <small>"
        f"{plural(len(report.checked), 'document')} checked, {len(ordered):,} with text "
        "found in the others, the most copied first; the "
        "share of each found in other documents counts specific text (formula apart)"
        + (f"; the pages of the {PAGES_SHOWN} most copied are shown"
           if len(ordered) > PAGES_SHOWN else "") + "</small></h2>",
        '<table class="checked"><thead><tr><th>document</th><th>found elsewhere</th>'
        "<th>largest source</th><th>sources</th><th></th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]
    if clean:
        named = ", ".join(f'<span class="id">{esc(i)}</span>' for i in clean[:CLEAN_NAMED])
        more = f" and {len(clean) - CLEAN_NAMED:,} more" if len(clean) > CLEAN_NAMED else ""
        out.append(f'<p class="muted">Nothing found in the others for '
                   f"{plural(len(clean), 'checked document')}: {named}{more}.</p>")
    for k, page in ordered[:PAGES_SHOWN]:
        out += document_page(report, k, page, (texts or {}).get(page.id), number_of)
    out.append("</section>")
    return out


def document_page(
    report: DuplicateReport, k: int, page: CheckedDocument, text: str | None,
    number_of: dict[tuple[str, str], int],
) -> list[str]:
    """The page of checked document ``k``: figures, sources, the text (when given) with its
    spans."""
    largest = page.sources[0] if page.sources else None
    figures = [
        ("found in other documents" if page.measured == "passages"
         else "found elsewhere, at least", _share(page.share)),
        ("largest single source",
         f'{_share(largest.share)} <span class="id">{esc(largest.id)}</span>'
         if largest else "none"),
        ("sources", f"{len(page.sources):,}"),
    ]
    if page.measured == "passages":
        figures.append(("formula, not counted", _share(page.formula)))
    out = [
        f'<article class="docpage" id="doc-{k}">',
        f'<h3><a class="anchor" href="#doc-{k}">Document {k}</a> · '
        f"{doc_label(report, page.id)}</h3>",
        '<dl class="figures">'
        + "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in figures)
        + "</dl>",
    ]
    if page.measured != "passages":
        out.append('<p class="note">Passages not computed (--no-passages, or add_passages not '
                   "run): the shares are those of the shingles each source holds, and the "
                   "text is not marked.</p>")
    if page.sources:
        out.append('<ol class="srcs">')
        for number, source in enumerate(page.sources, start=1):
            pair = number_of.get((page.id, source.id))
            badge = (f'<a class="fn" href="#doc-{k}-src-{number}" title="its first span in the '
                     f'text">{number}</a>' if page.spans else f'<span class="fn">{number}</span>')
            link = f' <a href="#pair-{pair}">pair {pair}</a>' if pair else ""
            overlap = (
                f'<span class="muted"> ({_share(source.coloured)} coloured {number}: the '
                "rest is also in a larger source)</span>"
                if page.measured == "passages" and source.share - source.coloured >= 0.0005
                else ""
            )
            out.append(
                f'<li style="--h:{source_hue(number)}">{badge} '
                f'<span class="srcshare">{_share(source.share)}</span> of this document is in '
                f"{doc_label(report, source.id)}{link}{overlap}</li>"
            )
        out.append("</ol>")
    else:
        out.append('<p class="muted">Nothing of this document was found in the others.</p>')
    if text is not None and page.measured == "passages":
        out += [
            '<p class="muted">The text: each span found in a source is coloured and numbered '
            "as that source (text found in several takes the number of the largest); "
            "formula (wording many documents share, not counted) is underlined grey.</p>",
            f'<div class="doctext">{_marked_text(text, page.spans, k)}</div>',
        ]
    out.append("</article>")
    return out


def _share(value: float) -> str:
    return f"{value:.1%}"


def _marked_text(text: str, spans: tuple[tuple[int, int, int], ...], k: int) -> str:
    """The text of checked document ``k`` with each span marked: a source's number first,
    then its text; the first span of each source is the target of its link in the list."""
    lo = len(text) - len(text.lstrip())
    hi = len(text.rstrip())
    out = []
    at = lo
    first = set()
    for start, end, number in spans:
        start, end = max(start, at), min(end, hi)
        if end <= start:
            continue
        out.append(esc(text[at:start]))
        piece = esc(text[start:end])
        if number:
            anchor = "" if number in first else f' id="doc-{k}-src-{number}"'
            first.add(number)
            out.append(f'<mark class="src" data-src="{number}"{anchor} '
                       f'style="--h:{source_hue(number)}"><sup class="fn">{number}</sup>'
                       f"{piece}</mark>")
        else:
            out.append(f'<span class="formula" title="formula: not counted">{piece}</span>')
        at = end
    out.append(esc(text[at:hi]))
    return "".join(out)
