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

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._version import __version__
from ..errors import NeardupError

__all__ = ["main"]

COMMANDS = {
    "check": "CI gate: fail (exit 1) when new documents duplicate others.",
    "dedup": "Write the corpus without its near-duplicates.",
    "index": "Maintain a persistent index for `neardup check`.",
    "scan": "Find near-duplicates and the passages they share.",
}
"""Each command's name (its module ``neardup.cli.<name>`` defines the command ``<name>``) and
its ``short_help``, which ``neardup --help`` lists without importing it (a test checks that
they agree)."""


class _CommandsOnDemand(click.Group):
    """A group that imports a command's module only when that command runs or shows its
    help: ``neardup --help`` and ``--version`` load neither numpy nor the engines; a usage
    error is one line, as every error (:meth:`main`)."""

    def main(
        self, args: Sequence[str] | None = None, prog_name: str | None = None,
        complete_var: str | None = None, standalone_mode: bool = True, **extra: Any,
    ) -> Any:
        """Run as click does, but say a usage error in one line on standard error,
        ``neardup: error: <what> (see `neardup scan --help`)``, exit status 2: click's
        four-line block (usage, a hint, a blank line, the error) broke the rule that an
        error is one line. Any neardup error a command lets through (a damaged index met
        while a report is made) is one line too, exit status 2, not a traceback and exit
        status 1 (which ``check`` uses for "duplicates found")."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # a group alone: its help
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = " ".join(["neardup", *(exc.ctx.command_path.split()[1:] if exc.ctx else [])])
            what = " ".join(exc.format_message().split())
            click.echo(f"neardup: error: {what} (see `{where} --help`)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except NeardupError as exc:  # one a command did not expect where it was raised
            from .messages import fail

            fail(str(exc))
        sys.exit(code if isinstance(code, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command = getattr(importlib.import_module(f".{cmd_name}", __name__), cmd_name)
        if not isinstance(command, click.Command):
            raise TypeError(f"neardup.cli.{cmd_name}.{cmd_name} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=_CommandsOnDemand,
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
    from ..engine.memory import keep_freed_memory

    keep_freed_memory()
