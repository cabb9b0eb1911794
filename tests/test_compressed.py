"""Gzip inputs read with ISA-L's decompressor when it is installed (the fast extra), with
the standard library's otherwise: the same bytes, the same errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from neardup import Corpus
from neardup.io import compressed


@pytest.fixture(params=["isal", "stdlib"])
def decompressor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "isal":
        pytest.importorskip("isal")
        assert compressed._open_gzip.__module__.startswith("isal")
    else:
        monkeypatch.setattr(compressed, "_open_gzip", gzip.open)
    return str(request.param)


def test_the_same_lines_and_the_same_errors(decompressor: str, tmp_path: Path) -> None:
    lines = [f'{{"id": "d{k}", "text": "第{k}条 {"内容" * k}"}}\n'.encode() for k in range(300)]
    data = gzip.compress(b"".join(lines))
    path = tmp_path / "docs.JSONL.GZ"
    path.write_bytes(data)
    assert compressed.compressed(path) and not compressed.compressed(tmp_path / "a.jsonl")
    with compressed.open_input(path) as handle:
        assert handle.readlines() == lines
    assert [d.id for d in Corpus(path)] == [f"d{k}" for k in range(300)]
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(EOFError), compressed.open_input(path) as handle:
        handle.read()
    path.write_bytes(b"not gzip at all")
    with pytest.raises(gzip.BadGzipFile), compressed.open_input(path) as handle:
        handle.read()
