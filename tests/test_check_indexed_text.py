"""A check against an index shows the indexed side of each pair as the user wrote it: the
index keeps every text as it was added (format 4), so the passages of a check against an
index are those of ``scan --check`` of the same files (offsets into the text as written,
punctuation included), in every report format; an index of format 3, which keeps only the
normalized texts, still answers, with a warning that says how to rebuild it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from neardup import Document, DuplicateIndex, load_documents
from neardup.cli import main

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write_jsonl(path: Path, docs: list[Document]) -> Path:
    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n"
                            for d in docs), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """The seed articles indexed (JSON Lines), an essay made of the first half of article 3
    and the second half of article 7, and the index."""
    articles = {d.id.rsplit("#", 1)[1]: d for d in load_documents([SEEDS])}
    third, seventh = articles["3"].text, articles["7"].text
    essay = third[: len(third) // 2] + seventh[len(seventh) // 2 :]
    old = write_jsonl(tmp_path / "old.jsonl", list(articles.values()))
    new = write_jsonl(tmp_path / "new.jsonl", [Document("essay", essay)])
    ndx = tmp_path / "seeds.ndx"
    assert run("index", "create", str(ndx)).exit_code == 0
    assert run("index", "add", str(ndx), str(old)).exit_code == 0
    return old, new, ndx, articles["3"].id


def seen_from(report: dict[str, Any], doc_id: str) -> dict[str, list[tuple[int, ...]]]:
    """The passages of each pair of ``doc_id``, by the other document: (start and end in
    ``doc_id``, start and end in the other)."""
    out = {}
    for pair in report["pairs"]:
        if doc_id not in (pair["a"], pair["b"]):
            continue
        flip = pair["b"] == doc_id
        other = pair["a"] if flip else pair["b"]
        out[other] = [
            (p["b_start"], p["b_end"], p["a_start"], p["a_end"]) if flip
            else (p["a_start"], p["a_end"], p["b_start"], p["b_end"])
            for p in pair["passages"]
        ]
    return out


def test_check_against_an_index_shows_the_passages_of_scan_check(
    files: tuple[Path, Path, Path, str],
) -> None:
    old, new, ndx, third = files
    checked = run("check", str(new), "--index", str(ndx), "--containment", "0.3", "-f", "json",
                  "-q")
    assert checked.exit_code == 1, checked.output
    scanned = run("scan", str(old), "--check", str(new), "--containment", "0.3", "-f", "json",
                  "-q")
    assert scanned.exit_code == 0, scanned.output
    check, scan = json.loads(checked.stdout), json.loads(scanned.stdout)
    assert "texts       stored as added and normalized" in run("index", "info", str(ndx)).stdout
    assert json.loads(run("index", "info", str(ndx), "--json").stdout)["texts_as_added"]
    found = seen_from(check, "essay")
    assert set(found) == {third, files[3].replace("#3", "#7")}
    assert found == seen_from(scan, "essay")
    # the indexed side as written: offsets into that text, punctuation and line breaks in
    # its passages; each passage's text is the checked document's span (the pair's a)
    text = next(d.text for d in load_documents([old]) if d.id == third)
    assert any("，" in text[start:end] for _, _, start, end in found[third])
    essay = json.loads(new.read_text(encoding="utf-8"))["text"]
    for pair in check["pairs"]:
        assert pair["a"] == "essay"
        assert all(essay[p["a_start"]:p["a_end"]] == p["text"] for p in pair["passages"])
    assert check["checked"] == scan["checked"]
    copies = [{c["id"]: c for c in report["copies"]}["essay"] for report in (check, scan)]
    assert copies[0] == copies[1]


def test_html_reports_of_a_check_show_the_indexed_text_as_written(
    files: tuple[Path, Path, Path, str],
) -> None:
    """The JSON and HTML reports of a check against the index, and of one ``--against``
    the same files, show the indexed document's passages as ``scan --check`` does."""
    old, new, ndx, third = files
    text = next(d.text for d in load_documents([old]) if d.id == third)
    scanned = run("scan", str(old), "--check", str(new), "--containment", "0.3", "-f", "json",
                  "-q")
    expected = seen_from(json.loads(scanned.stdout), "essay")
    start, end = max(((s, e) for _, _, s, e in expected[third]), key=lambda p: p[1] - p[0])
    written = text[start:end].split("\n")[0]
    assert "，" in written
    for against in (["--index", str(ndx)], ["--against", str(old)]):
        checked = run("check", str(new), *against, "--containment", "0.3", "-f", "json", "-q")
        assert seen_from(json.loads(checked.stdout), "essay") == expected
        page = run("check", str(new), *against, "--containment", "0.3", "-f", "html", "-q")
        assert page.exit_code == 1 and written in page.stdout


def test_an_index_of_format_3_warns_that_its_passages_are_normalized(
    files: tuple[Path, Path, Path, str],
) -> None:
    """An index made before texts were kept as written (format 3) still checks, adds and
    verifies; a check warns in one line that its passages are shown normalized."""
    _, new, ndx, third = files
    db = sqlite3.connect(ndx)
    db.executescript("ALTER TABLE docs DROP COLUMN original; PRAGMA user_version = 3; "
                     "UPDATE meta SET value = '3' WHERE key = 'format_version';")
    db.close()
    checked = run("check", str(new), "--index", str(ndx), "--containment", "0.3", "-f", "json")
    assert checked.exit_code == 1
    warning = [line for line in checked.stderr.splitlines() if "format 3" in line]
    assert len(warning) == 1 and "keeps only the normalized texts" in warning[0]
    assert "neardup index create NEW_INDEX" in warning[0]
    normalized = DuplicateIndex.open(ndx)
    with normalized as index:
        kept = index.texts([third])[third]
    assert "，" not in kept  # what format 3 keeps; the passages' offsets are into it
    shown = seen_from(json.loads(checked.stdout), "essay")[third]
    assert max(end for *_, end in shown) <= len(kept)
    assert any(kept[start:end].startswith("在集团公司党委宣传部") for _, _, start, end in shown)
    more = write_jsonl(ndx.parent / "more.jsonl", [Document("more", "一段新加的文字，不长。")])
    assert run("index", "add", str(ndx), str(more)).exit_code == 0
    assert run("index", "verify", str(ndx)).exit_code == 0
    assert "texts       normalized only (format 3 or older" in run("index", "info",
                                                                   str(ndx)).stdout
    assert not json.loads(run("index", "info", str(ndx), "--json").stdout)["texts_as_added"]
    with DuplicateIndex.open(ndx) as index:
        assert index.format_version == 3 and not index.keeps_originals
        assert index.texts(["more"]) == {"more": "一段新加的文字不长"}


def test_verify_finds_a_text_as_written_that_is_not_the_documents(tmp_path: Path) -> None:
    path = tmp_path / "two.ndx"
    with DuplicateIndex.create(path) as index:
        index.add([Document("a", "今天天气很好，我们一起去公园。"),
                   Document("b", "明天下雨了，大家留在家里看书。")])
    db = sqlite3.connect(path)
    db.execute("UPDATE docs SET original = (SELECT original FROM docs WHERE id = 'b') "
               "WHERE id = 'a'")
    db.commit()
    db.close()
    with DuplicateIndex.open(path) as index:
        found = index.verify()
    assert not found.sound
    assert any("document 'a'" in p and "does not normalize to its stored normalized text" in p
               for p in found.problems)
