"""The HTML report: one self-contained page (its style, data and script inline, nothing
fetched) that a person can work through.

It opens on the summary (counts and a histogram of the pairs' similarities), then, for a
check, the pages of the checked documents (:mod:`.html_document`), then the clusters,
largest first (:mod:`.html_sections`), then a table of the pairs that sorts, filters and
pages, the pairs set apart (not copies) that share most text, and the detail of the pair
picked, reported or set apart (then its reason first): the two texts aligned side by side,
what differs between them, and their shared passages. The table and the details are built
by the page's script (``assets/report.js``) from JSON blocks (:mod:`.html_data`), so a
report of many pairs stays quick to open; printing shows the summary and the first pairs'
texts in full, as many as :data:`PRINT_CHARS` allows, and says so (``assets/report.css``).

Every id, title and piece of document text is escaped (markup) or reaches the page as a
text node (script), so a document containing markup is shown as text. The module is not
called ``html`` so that it never stands in for the standard library's.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from importlib.resources import files

from ..report import DuplicateReport
from .html_data import detail_data, script_json, table_data
from .html_document import checked_section
from .html_sections import (
    clusters_section,
    copies_section,
    set_apart_section,
    skipped_section,
    summary_section,
)
from .shared import FOUND_BY, Texts, found_by, pair_numbers, pairs_shown

PRINT_AT_LOAD = 400_000
"""A report whose printed pairs' texts hold at most this many characters in all lays out
its print version when the page opens (so that a PDF printed by a headless browser, which
fires no ``beforeprint``, holds every text); a larger one when printing starts."""
PRINT_MOST = 200
"""Printing shows the texts of at most this many pairs (the first in the table's order)."""
PRINT_CHARS = 60_000
"""... and of as many as hold at most this many characters of text in all (at least one
pair): about 30 printed pages, where the laws' 82 pairs printed whole made 1,871."""

SORT_KEYS = (
    ("jaccard", "Jaccard similarity"),
    ("share", "share in the other (larger side)"),
    ("containment", "containment"),
    ("length", "length (the longer text)"),
    ("passages", "shared passages"),
    ("id", "ids"),
    ("number", "pair number (input order)"),
)
"""The keys the pairs table sorts by (the script's ``KEYS``) and their names."""


@cache
def asset(name: str) -> str:
    """The text of one of the page's assets (``report.css``, ``report.js``)."""
    return files(__package__).joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def render_html(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The report as one HTML page; with ``texts`` (original texts by id) each pair's
    detail shows the two texts aligned, what differs and the shared passages, without them
    the passages only. The pairs within groups of identical documents are not listed: the
    clusters show each group once (the summary counts them among the pairs)."""
    whole, report = report, replace(report, pairs=pairs_shown(report))
    table, ids = table_data(report, texts)
    detail = detail_data(report, texts, ids)
    given = texts or {}
    printed = sum(len(given.get(p.a, "")) + len(given.get(p.b, "")) for p in report.pairs)
    table["print_most"] = PRINT_MOST
    table["print_chars"] = PRINT_CHARS
    table["print_at_load"] = len(report.pairs) <= PRINT_MOST and printed <= PRINT_AT_LOAD
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        "<title>neardup report</title>",
        f"<style>{asset('report.css')}</style>",
        "</head>",
        "<body>",
        *summary_section(report, whole),
        *checked_section(report, texts, pair_numbers(report.pairs)),
        *clusters_section(report),
        *copies_section(report),
        *_pairs_section(report),
        *set_apart_section(report),
        '<section id="detail" hidden aria-labelledby="detail-title"></section>',
        '<section id="print-all"></section>',
        *skipped_section(report),
        f'<script type="application/json" id="nd-table">{script_json(table)}</script>',
        f'<script type="application/json" id="nd-detail">{script_json(detail)}</script>',
        f"<script>{asset('report.js')}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _found_by_filter(report: DuplicateReport) -> list[str]:
    """A menu that keeps the pairs one search found, when more than one found any."""
    kinds = set(found_by(report))
    if len(kinds) < 2:
        return []
    options = "".join(f'<option value="{key}">{name.split(" (")[0]}</option>'
                      for key, name in FOUND_BY if key in kinds)
    return [f'<label>found as<select id="kind"><option value="">any</option>{options}'
            "</select></label>"]


def _pairs_section(report: DuplicateReport) -> list[str]:
    """The pairs table's frame: its controls and head (the script fills in the rows)."""
    if not report.pairs:
        return ['<section id="pairs"><h2>Pairs</h2><p>No near-duplicate pairs.</p></section>']
    options = "".join(f'<option value="{key}">{name}</option>' for key, name in SORT_KEYS)
    columns = (
        ("number", "#"), (None, "a"), (None, "b"), ("share", "a in b / b in a"),
        ("jaccard", "Jaccard"), ("containment", "containment"), ("length", "chars a / b"),
        ("passages", "passages"),
    )
    head = "".join(
        f'<th data-sort="{key}" aria-sort="none"><button type="button">{name}</button></th>'
        if key else f"<th>{name}</th>"
        for key, name in columns
    )
    return [
        '<section id="pairs">',
        '<h2>Pairs <small class="screen-only">pick one to see its texts side by side</small>'
        "</h2>",
        '<div class="controls" role="search">',
        '<label class="search">search ids and titles<input type="search" id="q" '
        'placeholder="id or title" autocomplete="off"></label>',
        '<label>Jaccard from<input type="number" id="min" min="0" max="1" step="0.01" '
        'placeholder="0"></label>',
        '<label>to<input type="number" id="max" min="0" max="1" step="0.01" '
        'placeholder="1"></label>',
        *_found_by_filter(report),
        f'<label>sort by<select id="sort">{options}</select></label>',
        '<button type="button" id="order">descending</button>',
        "</div>",
        "<noscript><p>The pairs table and the pairs' texts need JavaScript; the JSON report "
        "(--format json) holds the same pairs.</p></noscript>",
        f'<table class="pairs"><thead><tr>{head}</tr></thead><tbody id="pair-rows"></tbody>'
        "</table>",
        '<div class="pager"><button type="button" id="prev-page">← previous page</button>'
        '<span id="page-info" aria-live="polite"></span>'
        '<button type="button" id="next-page">next page →</button></div>',
        "</section>",
    ]
