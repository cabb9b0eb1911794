"""What the commands say on standard error: ``neardup: error: ...`` (and exit 2),
``neardup: warning: ...`` and ``neardup: ...`` notes."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


def fail(message: str) -> NoReturn:
    """Print ``neardup: error: <message>`` on standard error and exit with status 2."""
    click.echo(f"neardup: error: {message}", err=True)
    sys.exit(2)


def warn(message: str, quiet: bool = False) -> None:
    """Print ``neardup: warning: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(f"neardup: warning: {message}", err=True)


def note(message: str, quiet: bool = False) -> None:
    """Print ``neardup: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(f"neardup: {message}", err=True)
