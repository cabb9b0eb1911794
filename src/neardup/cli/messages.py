"""What the commands say on standard error: ``neardup: error: ...`` (and exit 2),
``neardup: warning: ...`` and ``neardup: ...`` notes.

Messages name ids, field names and file names from the user's corpus: each is one line
(:func:`one_line`: a line break in a name is shown as ``\n``, so that no name can start a
line of its own, which a CI log would read as a command such as ``::add-mask::``), shown
through :func:`~neardup.formats.untrusted.safe_output`, so that none can drive the
terminal."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..formats.untrusted import safe_output


def fail(message: str) -> NoReturn:
    """Print ``neardup: error: <message>`` on standard error and exit with status 2."""
    click.echo(one_line(f"neardup: error: {message}"), err=True)
    sys.exit(2)


def warn(message: str, quiet: bool = False) -> None:
    """Print ``neardup: warning: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(one_line(f"neardup: warning: {message}"), err=True)


def note(message: str, quiet: bool = False) -> None:
    """Print ``neardup: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(one_line(f"neardup: {message}"), err=True)


def one_line(message: str) -> str:
    r"""``message`` on one line (line breaks shown as ``\n`` and ``\r``), made safe to show.

    Example:
        >>> print(one_line("d/a\n::add-mask::x.txt: binary file"))
        d/a\n::add-mask::x.txt: binary file
    """
    return safe_output(message.replace("\r", "\\r").replace("\n", "\\n"))
