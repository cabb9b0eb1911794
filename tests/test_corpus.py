"""The corpus: streaming files, blocks of lines, re-reading documents by position."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from neardup import (
    Corpus,
    Document,
    find_duplicates,
)
from neardup.io import corpus as corpus_module
from neardup.io import records as records_module

DATA = Path(__file__).resolve().parent / "data"


def test_corpus_fetch_reads_the_same_documents(tmp_path: Path, seeds_dir: Path) -> None:
    gz = tmp_path / "d.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as out:
        for i in range(100):
            out.write(json.dumps({"id": f"n{i}", "text": f"第{i}号文件的内容"}, ensure_ascii=False) + "\n")
    corpus = Corpus([gz, seeds_dir])
    docs = [d for d in corpus if isinstance(d, Document)]
    assert len(docs) == 111
    fetched = corpus.fetch([99, 3, 100, 110])
    assert fetched == {99: docs[99], 3: docs[3], 100: docs[100], 110: docs[110]}
    with pytest.raises(ValueError, match="has not been read"):
        corpus.fetch([111])


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_blocks_of_lines_cover_the_file_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trailing_newline: bool
) -> None:
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 7)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 1000)
    lines = [json.dumps({"id": f"d{i}", "text": "长" * (i * 37 % 900)}) for i in range(60)]
    lines[10] = json.dumps({"id": "huge", "text": "大" * 5000})  # longer than a block
    lines[20:20] = ["", "\r", "{broken"]
    data = "\n".join(lines) + ("\n" if trailing_newline else "")
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data.encode("utf-8"))
    corpus = Corpus(path)
    one_by_one = [r.data for r in corpus.records() if isinstance(r, records_module.RawLine)]
    every = range(len(one_by_one))

    def refetched() -> list[bytes]:
        fetched = dict(corpus.fetch_records(every))
        return [fetched[position].data for position in every]  # type: ignore[union-attr]

    assert refetched() == one_by_one
    blocks = [b for b in corpus.records(blocks=True) if isinstance(b, records_module.LineBlock)]
    assert all(len(b) <= 7 for b in blocks) and len(blocks) > 10
    from_blocks = []
    for block in blocks:
        raw, bounds = block.read(), block.bounds.tolist()
        from_blocks += [raw[bounds[k] : bounds[k + 1]] for k in range(len(block))]
    assert from_blocks == one_by_one and b"".join(from_blocks) == path.read_bytes()
    assert refetched() == one_by_one  # the same positions: the same lines re-read
    fetched = dict(corpus.fetch_records([0, 10, 62]))
    assert records_module.parse_record(fetched[10]).id == "huge"


def test_short_lines_make_full_blocks_not_remainders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 300)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 40_000)  # a read holds ~800 short lines
    path = tmp_path / "short.jsonl"
    path.write_text("".join(f'{{"id": "d{i}", "text": "x{i}"}}\n' for i in range(5000)))
    blocks = [b for b in Corpus(path).records(blocks=True) if isinstance(b, records_module.LineBlock)]
    assert [len(b) for b in blocks] == [300] * 16 + [200]
    assert [b.first_lineno for b in blocks] == list(range(1, 5001, 300))


def test_a_file_of_a_few_megabytes_is_cut_into_blocks_for_every_worker(tmp_path: Path) -> None:
    path = tmp_path / "mid.jsonl"
    text = "中文" * 400
    rows = (json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) for i in range(3000))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    size = path.stat().st_size
    assert 4 * corpus_module.MIN_BLOCK_BYTES < size < corpus_module.BLOCK_BYTES  # once a single block
    blocks = [b for b in Corpus(path).records(blocks=True) if isinstance(b, records_module.LineBlock)]
    assert len(blocks) > size // corpus_module.MIN_BLOCK_BYTES
    assert all(b.bounds[-1] <= corpus_module.MIN_BLOCK_BYTES for b in blocks)
    assert sum(len(b) for b in blocks) == 3000


@pytest.mark.parametrize("lines", [
    [b"", b"", b"a"], [b"x" * 300] * 5 + [b"y"], [b"short"] * 2000, [b"no newline at all"],
    [b"\xe4\xb8\xad" * 100, b"", b"{}"],
])
@pytest.mark.parametrize("long_lines", [True, False])
def test_line_ends_are_found_alike_one_by_one_and_in_numpy(lines: list[bytes], long_lines: bool) -> None:
    data = b"\n".join(lines)
    buffer = bytearray(data + b"\n\n\n")  # past ``size``: not looked at
    expected = [k + 1 for k, byte in enumerate(data) if byte == 10]
    assert corpus_module._line_ends(buffer, len(data), long_lines).tolist() == expected


def test_files_of_short_and_of_long_lines_are_cut_into_the_same_lines(tmp_path: Path) -> None:
    """Short lines switch the newline search to numpy after the first block, long ones keep
    the search line by line: both give every line once, in order, with its number."""
    for name, size, count in (("short.jsonl", 2, 50_000), ("long.jsonl", 600, 4000)):
        path = tmp_path / name
        rows = [json.dumps({"id": f"d{i}", "text": "字" * (size + i % 7)}) for i in range(count)]
        path.write_text("\n".join(rows), encoding="utf-8")  # no newline after the last line
        blocks = [b for b in Corpus(path).records(blocks=True)
                  if isinstance(b, records_module.LineBlock)]
        lines = [line for block in blocks for line in block.read().splitlines()]
        assert path.stat().st_size > 2 * corpus_module.MIN_BLOCK_BYTES  # read more than once
        assert [json.loads(line)["id"] for line in lines] == [f"d{i}" for i in range(count)]
        firsts = [b.first_lineno for b in blocks]
        assert firsts == [1 + sum(len(b) for b in blocks[:k]) for k in range(len(blocks))]


def test_a_run_does_not_move_the_positions_of_an_earlier_iteration(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = ["", json.dumps({"id": "x", "text": "第一份文件的内容"}), "{broken"]
    lines.append(json.dumps({"id": "y", "text": "第二份文件的内容"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = Corpus(path)
    docs = [d for d in corpus if isinstance(d, Document)]
    assert [d.id for d in docs] == ["x", "y"]
    report = find_duplicates(corpus, workers=1)  # reads records: blank and broken lines count
    assert report.counts.processed == 2 and len(report.skipped) == 2
    assert corpus.fetch([0, 1]) == {0: docs[0], 1: docs[1]}


def test_lines_at_packs_the_records_fetch_records_gives(tmp_path: Path) -> None:
    plain, packed_gz = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    rows = [json.dumps({"id": f"a{i}", "text": f"第{i}份文件"}) for i in range(5)]
    plain.write_text("\n".join(["", *rows]) + "\n", encoding="utf-8")
    packed_gz.write_bytes(gzip.compress(b'{"id": "b0", "text": "x"}\n'))
    (tmp_path / "c.txt").write_text("正文", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text('{"id": "d0", "text": "y"}\n{"id": "d1", "text": "z"}\n')
    corpus = Corpus(tmp_path)
    records = list(corpus.records(blocks=True))  # the blank line is a record too: 6 + 1 + 1 + 2
    assert sum(len(r) if isinstance(r, records_module.LineBlock) else 1 for r in records) == 10
    wanted = [5, 9, 1, 8, 3]
    packed = corpus.lines_at(wanted)
    assert packed is not None and len(packed) == 5 and len(packed.files) == 2
    one_by_one = dict(corpus.fetch_records(wanted, unread=True))
    assert list(packed) == [one_by_one[p] for p in wanted]
    assert [d.id for d in records_module.parse_records(packed)] == ["a4", "d1", "a0", "d0", "a2"]
    assert corpus.lines_at([1, 6]) is None  # a line of a compressed file
    assert corpus.lines_at([1, 7]) is None  # a text file
    with pytest.raises(ValueError, match="position 10 has not been read"):
        corpus.lines_at([1, 10])
    text_only = Corpus(tmp_path / "c.txt")
    list(text_only.records(blocks=True))
    assert text_only.lines_at([0]) is None
