"""``index add`` and ``check`` give a file one id, its path relative to ``--root`` (the current
directory), whether its directory was added or the file checked alone (issue 26, item 9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup.cli import main

ARTICLE = (
    "各地区各部门要深入贯彻落实党中央关于安全生产的决策部署，坚持人民至上、生命至上，"
    "统筹发展和安全，全面排查整治重大事故隐患，压实企业主体责任和部门监管责任。"
)
OTHER = "春节前后，各地文化市场迎来消费高峰，博物馆、图书馆、剧院接待观众人数创新高。"


def neardup(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, text in (("2023/a7.md", ARTICLE), ("2024/a7.md", OTHER)):
        path = tmp_path / "articles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert neardup("index", "create", "corpus.ndx").exit_code == 0
    assert neardup("index", "add", "corpus.ndx", "articles/").exit_code == 0
    return tmp_path / "articles"


def test_a_changed_indexed_file_is_compared_as_itself(articles: Path) -> None:
    (articles / "2023/a7.md").write_text(ARTICLE.replace("，", "、", 2), encoding="utf-8")
    (articles / "2024/a7.md").write_text(OTHER + "。", encoding="utf-8")
    result = neardup("check", "articles/2023/a7.md", "./articles/2024/a7.md", "--index",
                     "corpus.ndx", "-f", "json")
    assert result.exit_code == 0, result.output  # not "duplicate of itself", nor "duplicate ids"
    assert json.loads(result.stdout)["pairs"] == []
    copy = articles / "2025" / "copy.md"
    copy.parent.mkdir()
    copy.write_text(ARTICLE, encoding="utf-8")
    result = neardup("check", str(copy), "--index", "corpus.ndx", "-f", "github")
    assert result.exit_code == 1
    assert "::articles/2025/copy.md duplicates articles/2023/a7.md" in result.stdout
    assert "identical after normalization" in result.stdout  # the indexed text, unchanged


def test_root_chooses_what_ids_are_relative_to(articles: Path) -> None:
    info = neardup("index", "create", "old.ndx")
    assert info.exit_code == 0
    assert neardup("index", "add", "old.ndx", "articles/", "--root", "articles").exit_code == 0
    (articles / "2023/a7.md").write_text(ARTICLE + "。", encoding="utf-8")
    result = neardup("check", "articles/2023/a7.md", "--index", "old.ndx", "--root", "articles")
    assert result.exit_code == 0, result.output
    result = neardup("index", "remove", "corpus.ndx", "articles/2023/a7.md")
    assert result.exit_code == 0, result.output
