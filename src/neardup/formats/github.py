"""GitHub Actions annotations (workflow commands) for a check: an ``::error`` per
near-duplicate pair, a ``::warning`` per skipped input and a ``::notice`` with the summary.

A document read from a line of a JSON Lines file is annotated with ``file=`` its path and
``line=`` its line number. Messages and property values are escaped as GitHub's toolkit
escapes them (``%``, CR and LF; in property values also ``:`` and ``,``), so an id or file
name cannot end a command early or add properties to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..report import DuplicateReport
from .shared import relation, share3

if TYPE_CHECKING:
    from ..io.documents import Document


def render_github(
    report: DuplicateReport, checked: Sequence[Document], accepted: bool = False
) -> str:
    """One ``::error`` annotation per near-duplicate pair, ``::warning`` per skipped input.

    ``checked`` are the documents the check looked at: a pair of two of them is marked
    "also new". ``accepted``: the pairs are being written to a baseline (the check passes),
    so each is a ``::notice`` saying so, not an error on a passing run.

    Example:
        ``::error file=news/a.txt,title=near-duplicate::a.txt duplicates old.txt (Jaccard 0.842)``
    """
    new = {d.id for d in checked}
    lines: list[str] = []
    for pair in report.pairs:
        both = " (also new)" if pair.b in new else ""
        title, message = relation(report, pair)
        if title == "near-duplicate":
            message = f"{pair.a} duplicates {pair.b}{both} (Jaccard {share3(pair.jaccard)})"
        else:
            message += both
        if accepted:
            message += " (accepted into the baseline)"
        lines.append(_workflow_command("notice" if accepted else "error",
                                       {**_where(report, pair.a), "title": title}, message))
    for skipped in report.skipped:
        lines.append(
            _workflow_command("warning", {"title": "neardup skipped"},
                              f"{skipped.id}: {skipped.reason}")
        )
    summary = (
        f"neardup: {len(report.pairs)} near-duplicate pair(s) among {len(checked)} new "
        f"document(s)"
    ) if report.parameters.containment is None else (
        f"neardup: {len(report.pairs)} near-duplicate or partially copied pair(s) among "
        f"{len(checked)} new document(s)"
    )
    lines.append(_workflow_command("notice", {"title": "neardup check"}, summary))
    return "\n".join(lines) + "\n"


_LINE = re.compile(r"^(.+):([0-9]+)$")


def _where(report: DuplicateReport, doc_id: str) -> dict[str, str]:
    """The ``file`` a document came from (else its id), and its ``line`` when it is a line
    of a JSON Lines file (its source is ``path:line``).

    Example:
        >>> from neardup.report import Counts, DocumentInfo, DuplicateReport
        >>> from neardup.parameters import Parameters
        >>> report = DuplicateReport(Parameters(), [], [], [], Counts(0, 0, 0, 0, 0, 0),
        ...                          "exact", documents={"n": DocumentInfo(None, "b.jsonl:7", 1)})
        >>> _where(report, "n"), _where(report, "x")
        ({'file': 'b.jsonl', 'line': '7'}, {'file': 'x'})
    """
    info = report.documents.get(doc_id)
    if info is None or not info.source:
        return {"file": doc_id}
    found = _LINE.match(info.source)
    if found is None:
        return {"file": info.source}
    return {"file": found.group(1), "line": found.group(2)}


def _escape_data(value: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF), as GitHub's toolkit does."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    """Escape a workflow command property value: also ``:`` and ``,``."""
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _workflow_command(command: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{k}={_escape_property(v)}" for k, v in properties.items())
    return f"::{command} {props}::{_escape_data(message)}" if props else (
        f"::{command}::{_escape_data(message)}"
    )
