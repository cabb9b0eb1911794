"""Where a report goes: the format asked for or implied by the output file name, the output
checked before the work starts, and the file (or standard output) it is written to.

A report file is written whole or not at all: into a temporary file next to it, then renamed
over it, so that an error or an interruption never leaves an empty or partial ``-o`` file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Collection, Sequence
from pathlib import Path

import click

from ..formats import CHECK_FORMATS, FORMATS, SUFFIXES, format_for_path, render
from ..formats.shared import Texts
from ..formats.text import WIDTH, render_text
from ..formats.untrusted import safe_output
from ..io.documents import Document
from ..io.outputs import temporary_beside
from ..report import DuplicateReport
from .messages import fail


def report_format(fmt: str | None, path: str | None, formats: Collection[str]) -> str:
    """The format asked for, else the one among ``formats`` that the output file's suffix
    implies, else ``text`` when the report goes to standard output.

    Raises:
        click.UsageError: the file name implies no format among ``formats`` (and none was
            asked for): an unknown suffix is never silently written as text.

    Example:
        >>> [report_format(None, p, ("text", "html")) for p in ("r.htm", "r.txt", None)]
        ['html', 'text', 'text']
    """
    if fmt:
        return fmt
    if path is None:
        return "text"
    implied = format_for_path(path, formats)
    if implied is not None:
        return implied
    other = format_for_path(path, FORMATS + CHECK_FORMATS)
    if other is not None:
        raise click.UsageError(
            f"{path}: the {other} format is for `neardup check`; give --format for this file"
        )
    suffixes = ", ".join(s for s, f in SUFFIXES.items() if f in formats)
    raise click.UsageError(
        f"{path}: cannot tell the report format from the file name; give --format "
        f"({', '.join(formats)}) or use a suffix: {suffixes}"
    )


def rendered(
    report: DuplicateReport,
    fmt: str,
    path: str | None,
    *,
    texts: Texts | None = None,
    checked: Sequence[Document] | None = None,
) -> str:
    """The report in format ``fmt`` (:func:`neardup.formats.render`), a text report wrapped
    to :func:`text_width` columns."""
    if fmt == "text":
        return safe_output(render_text(report, texts, width=text_width(path)))
    return render(report, fmt, texts=texts, checked=checked)


def text_width(path: str | None) -> int:
    """Columns of a text report: the terminal's when it goes to one (standard output, a
    terminal), else :data:`~neardup.formats.text.WIDTH`."""
    if path is None and sys.stdout.isatty():
        return max(shutil.get_terminal_size((WIDTH, 24)).columns, 40)
    return WIDTH


def check_output_path(path: str | None) -> None:
    """Exit with status 2 at once (before any work) when the report file ``path`` cannot be
    written: its directory is missing or not writable, or it is a directory."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        fail(f"{path}: cannot write: no such directory {os.path.dirname(path) or '.'!r}")
    if os.path.isdir(path):
        fail(f"{path}: cannot write: is a directory")
    if not os.access(folder, os.W_OK | os.X_OK) and not os.access(path, os.W_OK):
        fail(f"{path}: cannot write: permission denied")


def write_report(text: str, path: str | None) -> None:
    """Write a rendered report to the file ``path``, or to standard output when None.

    A regular file is replaced whole (temporary file, then rename; a symbolic link keeps
    naming it); a device or pipe named by ``path`` is written to directly. Exits with
    status 2 when the file or standard output cannot be written (a full disk, a closed
    pipe), with one line saying so.
    """
    if path is None:
        _write_stdout(text)
        return
    try:
        if os.path.exists(path) and not os.path.isfile(path):  # /dev/stdout, a FIFO, ...
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:  # through a symbolic link, the file it names is replaced
            replace_file(os.path.realpath(path) if os.path.islink(path) else path, text)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")


def replace_file(path: str, text: str) -> None:
    """Write ``text`` to a temporary file in ``path``'s directory (see
    :func:`~neardup.io.outputs.temporary_beside`), then rename it to ``path`` (the file
    keeps its permissions; a new one gets the usual ones): ``path`` is never left empty or
    partial.

    Raises:
        OSError: the file cannot be written (nothing is left behind).
    """
    mode = _mode_for(path)
    temporary = temporary_beside(Path(os.path.abspath(path)), directory=False)
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(path: str) -> int:
    """The permissions of the existing file ``path``, else those a new file gets."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_stdout(text: str) -> None:
    """Write to standard output; a full disk or closed pipe exits 2 with a message instead
    of a traceback (and standard output is then closed quietly)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        fail(f"cannot write to standard output: {exc.strerror or exc}")
