"""The README's examples written as doctests (``>>>``) run, so that what it shows is true:
the hand-off of neardup's signatures to datasketch's MinHashLSH."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_doctests() -> None:
    pytest.importorskip("datasketch")
    result = doctest.testfile(str(README), module_relative=False, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0
