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
        assert compressed._open_gzip is not None
    else:
        monkeypatch.setattr(compressed, "_open_gzip", None)
    return str(request.param)


def _lines_and_error(path: Path) -> tuple[list[bytes], str | None]:
    """The lines read from ``path`` before an error, and the error."""
    lines: list[bytes] = []
    try:
        with compressed.open_input(path) as handle:
            lines.extend(handle)
    except Exception as exc:
        return lines, f"{type(exc).__name__}: {exc}"
    return lines, None


@pytest.mark.parametrize("damage", ["truncated", "bad checksum", "bad length",
                                    "trailing garbage", "corrupt middle"])
def test_a_damaged_file_gives_what_gzip_gives(
    decompressor: str, tmp_path: Path, damage: str
) -> None:
    """ISA-L stops before handing out what it decompressed ahead of a damaged part; the
    reader goes on with gzip from there: the same lines, then the same error."""
    lines = b"".join(f'{{"id": "d{k}", "text": "第{k}条"}}\n'.encode() for k in range(20_000))
    data = bytearray(gzip.compress(lines))
    if damage == "truncated":
        data = data[: len(data) * 2 // 3]
    elif damage == "bad checksum":
        data[-6] ^= 0xFF
    elif damage == "bad length":
        data[-2] ^= 0xFF
    elif damage == "trailing garbage":
        data += b"garbage!"
    else:
        for k in range(len(data) // 2, len(data) // 2 + 50):
            data[k] ^= 0xFF
    path = tmp_path / "damaged.jsonl.gz"
    path.write_bytes(bytes(data))
    want: list[bytes] = []
    try:
        with gzip.open(path, "rb") as handle:
            want.extend(handle)
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    assert error is not None
    assert _lines_and_error(path) == (want, error)


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
