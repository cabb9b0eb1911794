"""Progress on standard error: the input's size is known up front for uncompressed files
and Parquet, and the records hashed are turned into the input behind them (issue 16)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from neardup.cli import progress as progress_module
from neardup.cli.progress import PipelineProgress, ReadMeter, read_meter
from neardup.io.corpus import Corpus

TEXT = "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观。"


def _jsonl(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"{TEXT}{i}"},
                                       ensure_ascii=False) + "\n" for i in range(count)),
                    encoding="utf-8")
    return path


def _files(*paths: Path) -> list[tuple[Path, str]]:
    return [(p, p.name) for p in paths]


def test_the_size_is_known_for_uncompressed_files_only(tmp_path: Path) -> None:
    plain = _jsonl(tmp_path / "a.jsonl", 10)
    text = tmp_path / "b.txt"
    text.write_text(TEXT, encoding="utf-8")
    meter = read_meter(_files(plain, text), stdin=False)
    assert meter is not None and meter.unit == "B"
    assert meter.total == plain.stat().st_size + text.stat().st_size
    packed = tmp_path / "c.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert read_meter(_files(plain, packed), stdin=False) is None
    assert read_meter(_files(plain), stdin=True) is None


def test_parquet_rows_are_the_total(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": ["x", "y", "z"], "text": [TEXT] * 3}), path)
    meter = read_meter(_files(path), stdin=False)
    assert meter is not None and (meter.unit, meter.total) == ("doc", 3)
    for item in Corpus([path]).records(blocks=True):
        meter.seen(item)
    assert [meter.position(k) for k in (1, 3)] == [1, 3]


def test_records_hashed_become_the_bytes_behind_them(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", 12_000)
    meter = read_meter(_files(path), stdin=False)
    assert meter is not None
    corpus = Corpus([path])
    blocks = []
    for item in corpus.records(blocks=True):
        meter.seen(item)
        blocks.append(item)
    assert len(blocks) > 1  # several blocks, so that progress moves
    first = blocks[0]
    assert meter.position(len(first) - 1) == 0  # a block counts once hashed whole
    assert meter.position(len(first)) == int(first.bounds[-1])
    assert meter.position(12_000) == meter.total == path.stat().st_size


def test_text_files_count_their_documents_then_the_whole_file(tmp_path: Path) -> None:
    files = []
    for k in range(3):
        path = tmp_path / f"{k}.txt"
        path.write_text("\n".join(f"第{n}篇: 标题{n}\n{TEXT}{k}{n}" for n in (1, 2)),
                        encoding="utf-8")
        files.append(path)
    meter = read_meter(_files(*files), stdin=False)
    assert meter is not None
    for item in Corpus(tmp_path).records(blocks=True):
        meter.seen(item)
    positions = [meter.position(k) for k in range(1, 7)]
    assert positions == sorted(positions) and positions[-1] <= meter.total
    assert positions[1] <= files[0].stat().st_size < positions[2]  # in full once the next begins


def test_the_bar_shows_a_percentage_of_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = io.StringIO()
    monkeypatch.setattr(progress_module.sys, "stderr", shown)
    meter = ReadMeter(1000, "B", {})
    for step in range(4):
        meter._checkpoints.append((10 * (step + 1), 250 * (step + 1)))
    bars = PipelineProgress(meter)
    bars("read", 10)
    bars("read", 10)
    assert bars._bars["read"].n == 500 and bars._bars["read"].total == 1000
    bars("candidates", 3)
    bars("verified", 3)
    bars("passages", 2000)
    bars("passage characters", 1000)
    assert bars._bars["passages"].n == 1000
    bars.close()
    drawn = shown.getvalue()
    assert "reading and hashing:   0%" in drawn and "/0.98k" in drawn  # the total, in KiB
    assert "finding passages" in drawn


def test_lines_parsed_by_the_reader_move_the_bar_too(tmp_path: Path) -> None:
    """With --strict the reader parses JSON lines itself: documents named ``path:line``."""
    first, second = _jsonl(tmp_path / "a.jsonl", 50), _jsonl(tmp_path / "b.jsonl", 50)
    meter = read_meter(_files(first, second), stdin=False)
    assert meter is not None
    for item in Corpus([first, second]).records(parse=True):
        meter.seen(item)
    positions = [meter.position(k) for k in range(1, 101)]
    assert positions == sorted(positions) and positions[0] > 0
    assert positions[50] >= first.stat().st_size  # the first file in full once the next begins
    assert positions[-1] <= meter.total
