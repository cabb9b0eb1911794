"""What the README shows is true: its doctests (``>>>``: the hand-off of neardup's
signatures to datasketch's MinHashLSH) run, and its Quickstart output is today's."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from neardup.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_doctests() -> None:
    pytest.importorskip("datasketch")
    result = doctest.testfile(str(README), module_relative=False, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0


def test_the_quickstart_output_is_what_the_scan_prints() -> None:
    """The README's sample of ``neardup scan seeds/`` is today's output (but the time)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("$ neardup scan seeds/\n") + len("$ neardup scan seeds/\n")
    shown = text[start : text.index("```", start)]
    result = CliRunner().invoke(main, ["scan", str(README.parent / "seeds")])
    assert result.exit_code == 0

    def timeless(out: str) -> str:
        return re.sub(r"\(\d+\.\d\d s\)", "(… s)", out)

    assert timeless(shown) == timeless(result.stdout)
