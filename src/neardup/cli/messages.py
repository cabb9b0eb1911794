"""What the commands say on standard error: ``neardup: error: ...`` (and exit 2),
``neardup: warning: ...`` and ``neardup: ...`` notes.

Messages name ids and file names from the user's corpus: they are shown through
:func:`~neardup.formats.untrusted.safe_output`, so that none can drive the terminal."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..formats.untrusted import safe_output


def fail(message: str) -> NoReturn:
    """Print ``neardup: error: <message>`` on standard error and exit with status 2."""
    click.echo(safe_output(f"neardup: error: {message}"), err=True)
    sys.exit(2)


def warn(message: str, quiet: bool = False) -> None:
    """Print ``neardup: warning: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(safe_output(f"neardup: warning: {message}"), err=True)


def note(message: str, quiet: bool = False) -> None:
    """Print ``neardup: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(safe_output(f"neardup: {message}"), err=True)
