"""Loading documents: directories, encodings, multi-article files, JSON Lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from neardup import Document, InputError, Skipped, load_documents, read_documents
from neardup.io.documents import chinese_numeral, split_articles


def test_seed_file_is_split_into_its_eleven_articles(seeds_dir: Path) -> None:
    docs = load_documents(seeds_dir)
    assert [d.id for d in docs] == [f"000_28473338c6d0f06c.txt#{n}" for n in range(1, 12)]
    assert all(d.title == "2023第四季度意识形态工作总结" for d in docs)
    assert docs[0].text.startswith("2023年上半年")
    assert not any("第二篇" in d.text for d in docs)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("两百", 200),
        ("12", 12),
        ("１２", 12),
    ],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_numeral(numeral) == value


def test_digit_headings_and_preamble() -> None:
    docs = split_articles("前言\n第12篇：甲\n正文一\n第13篇: 乙\n正文二", "f.txt")
    assert docs is not None
    assert [(d.id, d.title, d.text) for d in docs] == [
        ("f.txt#0", None, "前言\n"),
        ("f.txt#12", "甲", "正文一\n"),
        ("f.txt#13", "乙", "正文二"),
    ]
    assert split_articles("没有标题的文章", "g.txt") is None


def test_encodings(tmp_path: Path) -> None:
    (tmp_path / "utf8.txt").write_text("中文内容", encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes("\ufeff带BOM的中文".encode())
    (tmp_path / "gbk.txt").write_bytes("国标编码的中文文本，内容很长。".encode("gb18030"))
    (tmp_path / "u16.md").write_text("十六位编码", encoding="utf-16")
    docs = {d.id: d.text for d in load_documents(tmp_path)}
    assert docs == {
        "bom.txt": "带BOM的中文",
        "gbk.txt": "国标编码的中文文本，内容很长。",
        "u16.md": "十六位编码",
        "utf8.txt": "中文内容",
    }


def test_binary_and_undecodable_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match=r"bin\.txt: binary file"):
        load_documents(tmp_path / "bin.txt")
    (tmp_path / "bin.txt").unlink()
    (tmp_path / "junk.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)
    with pytest.raises(InputError, match=r"junk\.txt"):
        load_documents(tmp_path)
    items = list(read_documents(tmp_path))
    assert len(items) == 1 and isinstance(items[0], Skipped) and items[0].id == "junk.txt"


def test_missing_path_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        load_documents(tmp_path / "nope")
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unsupported file type"):
        load_documents(tmp_path / "a.pdf")


def test_jsonl_fields_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl.gz"
    lines = [
        json.dumps({"doc": 7, "body": "正文一", "title": "标题"}, ensure_ascii=False),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"doc": "x"}),
        "",
        json.dumps({"body": "没有编号"}, ensure_ascii=False),
    ]
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    items = list(read_documents(path, id_field="doc", text_field="body"))
    assert items[0] == Document("7", "正文一", "标题", f"{path}:1")
    assert isinstance(items[1], Skipped) and items[1].id == "docs.jsonl.gz:2"
    assert "malformed JSON" in items[1].reason
    assert isinstance(items[2], Skipped) and "expected a JSON object" in items[2].reason
    assert isinstance(items[3], Skipped) and "field 'body' is missing" in items[3].reason
    assert isinstance(items[4], Skipped) and items[4].reason == "blank line"
    assert items[5] == Document("docs.jsonl.gz:6", "没有编号", None, f"{path}:6")
    with pytest.raises(InputError, match=r"docs\.jsonl\.gz:2: malformed JSON"):
        load_documents(path, id_field="doc", text_field="body")


def test_truncated_gzip_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(
        ("\n".join(json.dumps({"id": i, "text": "文" * 50}) for i in range(200))).encode()
    )
    path.write_bytes(data[: len(data) // 2])
    items = list(read_documents(path))
    assert isinstance(items[-1], Skipped) and "cannot read" in items[-1].reason
