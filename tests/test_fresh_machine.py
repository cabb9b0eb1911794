"""On a fresh machine the tests say what is missing: the Spark tests skip without Java 17
(and fail under ``CI=true``), the corpus tests name where they looked and
``NEARDUP_SHARED``."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from conftest import JAVA_MISSING, java_major_version, missing_corpora_message, require_java


def fake_java(folder: Path, version: str) -> Path:
    """A JAVA_HOME whose java prints ``version`` as ``java -version`` does."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f'#!/bin/sh\necho \'openjdk version "{version}" 2023-10-17\' >&2\n')
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return folder


def test_no_java_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    assert java_major_version() is None
    with pytest.raises(pytest.skip.Exception, match=re.escape(JAVA_MISSING)):
        require_java()


def test_no_java_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=re.escape(JAVA_MISSING)):
        require_java()


@pytest.mark.parametrize(("version", "major", "enough"),
                         [("17.0.9", 17, True), ("21", 21, True), ("1.8.0_392", 8, False)])
def test_the_java_version_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, version: str, major: int, enough: bool
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(fake_java(tmp_path, version)))
    monkeypatch.delenv("CI", raising=False)
    assert java_major_version() == major
    if enough:
        require_java()
    else:
        with pytest.raises(pytest.skip.Exception, match=f"found Java {major}"):
            require_java()


def test_the_corpus_message_names_the_folders_and_the_variable() -> None:
    message = missing_corpora_message([Path("first/corpora"), Path("second/corpora")])
    assert "first/corpora" in message and "second/corpora" in message
    assert "NEARDUP_SHARED" in message
