"""Where a report goes: the format asked for or implied by the output file name, and the
file (or standard output) it is written to."""

from __future__ import annotations

from collections.abc import Collection

import click

from ..formats import format_for_path
from .messages import fail


def report_format(fmt: str | None, path: str | None, formats: Collection[str]) -> str:
    """The format asked for, else the one among ``formats`` that the output file's suffix
    implies, else ``text``.

    Example:
        >>> [report_format(None, p, ("text", "html")) for p in ("r.htm", "r.json", None)]
        ['html', 'text', 'text']
    """
    if fmt:
        return fmt
    return (format_for_path(path, formats) if path else None) or "text"


def write_report(text: str, path: str | None) -> None:
    """Write a rendered report to the file ``path``, or to standard output when None.

    Exits with status 2 when the file cannot be written.
    """
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")
