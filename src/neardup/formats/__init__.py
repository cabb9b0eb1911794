"""Report formats, one module a format, and :func:`render`, which renders a report in one.

Formats of any :class:`~neardup.report.DuplicateReport` (:data:`FORMATS`): ``text``
(:mod:`.text`), ``json`` and ``jsonl`` (:mod:`.json_report`), ``csv`` (:mod:`.csv_report`),
``markdown`` (:mod:`.markdown`) and ``html`` (:mod:`.html_page`, a self-contained page).
Formats of a check (:data:`CHECK_FORMATS`), which also need the documents that were checked:
``github`` (:mod:`.github`, workflow-command annotations) and ``junit`` (:mod:`.junit`).
:func:`format_for_path` infers a format from a file name; :mod:`.shared` holds what several
formats use.

The package is called ``formats``, not ``render``: ``neardup`` exports the function
:func:`render`, and that attribute of ``neardup`` would shadow a subpackage of the same name
(``import neardup.render as m`` would give the function).

Example:
    >>> from neardup import find_duplicates
    >>> report = find_duplicates({"x": "今天天气很好我们去公园", "y": "今天天气很好，我们去公园吧"})
    >>> print(render(report, "csv").splitlines()[1])
    x,,y,,0.875000,1.000000,,,0,,,false
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from ..errors import ParameterError
from ..report import DuplicateReport
from .csv_report import render_csv
from .github import render_github
from .html_page import render_html
from .json_report import render_json, render_jsonl
from .junit import render_junit
from .markdown import render_markdown
from .shared import Texts
from .text import render_text
from .untrusted import Policy, safe_output

if TYPE_CHECKING:
    from ..io.documents import Document

__all__ = ["CHECK_FORMATS", "FORMATS", "SUFFIXES", "format_for_path", "render"]

_REPORT_RENDERERS: dict[str, Callable[[DuplicateReport, Texts | None], str]] = {
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
}
_CHECK_RENDERERS: dict[str, Callable[[DuplicateReport, Sequence[Document]], str]] = {
    "github": render_github,
    "junit": render_junit,
}

_POLICIES: dict[str, Policy] = {"json": "json", "jsonl": "json", "html": "visible-cr"}
"""How each format writes untrusted characters (:mod:`.untrusted`); the others: ``visible``."""

FORMATS: tuple[str, ...] = tuple(_REPORT_RENDERERS)
"""The formats of any report, ``text`` first (the default)."""

CHECK_FORMATS: tuple[str, ...] = tuple(_CHECK_RENDERERS)
"""The formats of a check, for CI: they also need the documents checked (``checked=``)."""

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
    ".xml": "junit",
}
"""File name suffixes and the format each one implies."""


def format_for_path(
    path: str | os.PathLike[str], formats: Collection[str] = FORMATS
) -> str | None:
    """The format among ``formats`` implied by a file name's suffix, or None when it implies
    none of them.

    Example:
        >>> [format_for_path(p) for p in ("out/report.HTML", "pairs.jsonl", "x.bin", "r.xml")]
        ['html', 'jsonl', None, None]
        >>> format_for_path("r.xml", FORMATS + CHECK_FORMATS)
        'junit'
    """
    name = os.fspath(path).lower()
    for suffix, fmt in SUFFIXES.items():
        if name.endswith(suffix):
            return fmt if fmt in formats else None
    return None


def render(
    report: DuplicateReport,
    fmt: str = "text",
    *,
    texts: Texts | None = None,
    checked: Sequence[Document] | None = None,
) -> str:
    """The report in format ``fmt`` (one of :data:`FORMATS` or :data:`CHECK_FORMATS`).

    Every output is safe to write and to show whatever the documents hold: encodable in
    UTF-8, and without raw control or bidirectional characters where the format forbids them
    (:mod:`.untrusted`).

    Args:
        report: the report; its pairs' passages should be filled
            (:func:`neardup.evidence.passages.add_passages`) for the evidence to show.
        fmt: ``text``, ``json``, ``jsonl``, ``csv``, ``markdown``, ``html``, ``github`` or
            ``junit``.
        texts: original texts by id; the HTML report shows each pair's two texts side by
            side when given (otherwise only the passages).
        checked: the documents a check looked at (the new ones), which ``github`` and
            ``junit`` report on; required by those two, not used by the others.

    Raises:
        ParameterError: an unknown format, or a check format without ``checked``.
    """
    if fmt in _CHECK_RENDERERS:
        if checked is None:
            raise ParameterError(f"format {fmt!r} needs the documents checked (checked=...)")
        rendered = _CHECK_RENDERERS[fmt](report, checked)
    else:
        renderer = _REPORT_RENDERERS.get(fmt)
        if renderer is None:
            known = ", ".join(FORMATS + CHECK_FORMATS)
            raise ParameterError(f"format must be one of {known} (got {fmt!r})")
        rendered = renderer(report, texts)
    return safe_output(rendered, _POLICIES.get(fmt, "visible"))
