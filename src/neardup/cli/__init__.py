"""The ``neardup`` command line: the click group :func:`main` and its commands.

One module a command group: :mod:`.scan`, :mod:`.index`
(``index create|add|remove|info|verify``), :mod:`.check` and :mod:`.dedup`; what they share,
once: :mod:`.options` (the click options), :mod:`.inputs` (the reader of ``PATH...`` and
standard input), :mod:`.output` (the report format and writer), :mod:`.messages` (errors,
warnings and notes on stderr) and :mod:`.progress`.
The command modules stay attributes of this package (``scan.scan`` is the command), so that
``neardup.cli.scan`` is the module.

Exit codes: 0 when the command completed (``check``: and found no near-duplicate), 1 when
``check`` found one (``index verify``: found damage), 2 for usage errors and unusable inputs,
with one line on standard error: ``neardup: error: <path>: <reason>``.
"""

from __future__ import annotations

import click

from .._version import __version__
from ..engine.memory import keep_freed_memory
from . import check, dedup, index, scan

__all__ = ["main"]


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  neardup scan articles/ -o report.html   # near-duplicates, side by side
  neardup dedup news.jsonl.gz -o news.dedup.jsonl.gz
  neardup index create corpus.ndx
  neardup index add corpus.ndx published/
  neardup check drafts/ --index corpus.ndx   # CI gate: exit 1 on a duplicate

Run `neardup COMMAND --help` for a command's options and more examples.""",
)
@click.version_option(__version__, prog_name="neardup", message="%(prog)s %(version)s")
def main() -> None:
    """Find near-duplicate documents in collections of Chinese (and any other) text."""
    keep_freed_memory()


main.add_command(scan.scan)
main.add_command(index.index)
main.add_command(check.check)
main.add_command(dedup.dedup)
