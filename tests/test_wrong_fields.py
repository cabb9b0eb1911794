"""A wrong field name is an error that names the fields the records have, never a run that
succeeds with nothing read (issue 26, items 4 and 7): the text field no record has, for every
command and for the library, and ``--prefer`` with a field no record has. Records that merely
lack the text field here and there are still skipped with a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup import Corpus, deduplicate, find_duplicates
from neardup.cli import main
from neardup.errors import InputError

TEXT = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"
FIELDS = "(the fields of html.jsonl:1: id, html, url)"


def neardup(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


@pytest.fixture()
def html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    rows = [{"id": str(k), "html": f"<p>{distinct(k)}</p>", "url": f"u{k}"} for k in range(300)]
    path = tmp_path / "html.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def distinct(k: int) -> str:
    """A text of 40 characters unlike that of any other ``k``."""
    return "".join(chr(0x4E00 + (k * 7919 + i * 104729) % 20000) for i in range(40))


def assert_names_the_fields(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no warning per record
    assert result.stderr.startswith(
        f"neardup: error: html.jsonl: no record has the text field 'text' {FIELDS}; name the "
        "field that holds the text with --text-field"
    )


def test_every_command_stops_on_a_text_field_no_record_has(html: Path) -> None:
    assert_names_the_fields(neardup("scan", "html.jsonl"))
    assert_names_the_fields(neardup("dedup", "html.jsonl", "-o", "out.jsonl"))
    assert not Path("out.jsonl").exists()
    assert_names_the_fields(neardup("check", "html.jsonl", "--against", "html.jsonl"))
    assert neardup("index", "create", "c.ndx").exit_code == 0
    assert_names_the_fields(neardup("check", "html.jsonl", "--index", "c.ndx"))
    assert_names_the_fields(neardup("index", "add", "c.ndx", "html.jsonl"))
    result = neardup("scan", "html.jsonl", "--text-field", "html", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["counts"]["documents"] == 300


def test_the_library_stops_on_a_text_field_no_record_has(html: Path) -> None:
    for run in (find_duplicates, deduplicate):
        with pytest.raises(InputError, match=r"no record has the text field 'body' \(the "
                                             r"fields of html.jsonl:1: id, html, url\)"):
            run(Corpus(["html.jsonl"], text_field="body"))
    with pytest.raises(InputError, match=r"no field 'body' \(its fields: id, html\)"):  # tables
        find_duplicates([{"id": "1", "html": TEXT}], text_field="body")


def test_a_parquet_file_without_the_text_column_is_an_error(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "html": [TEXT, TEXT + "吧"]}), path)
    result = neardup("scan", path)
    assert result.exit_code == 2
    assert "no record has the text field 'text'" in result.stderr and "id, html" in result.stderr


def test_records_lacking_the_field_here_and_there_are_skipped_with_warnings(
    tmp_path: Path,
) -> None:
    rows = [{"id": str(k), ("html" if k % 2 else "text"): f"{TEXT}{k}"} for k in range(6)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    result = neardup("scan", path, "-f", "json")
    assert result.exit_code == 0
    assert result.stderr.count("field 'text' is missing, expected a string (its fields: id, "
                               "html) (skipped)") == 3
    assert json.loads(result.stdout)["counts"]["skipped"] == 3


def test_prefer_a_field_no_record_has_is_an_error(tmp_path: Path) -> None:
    rows = [{"id": str(k), "text": TEXT + ("好吗" if k % 2 else ""), "quality": k}
            for k in range(6)]
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    result = neardup("dedup", path, "-o", tmp_path / "out.jsonl", "--prefer", "qualty")
    assert result.exit_code == 2
    assert "field 'qualty' to prefer: none of the records" in result.stderr
    assert "(their fields: id, text, quality)" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
    result = neardup("dedup", path, "-o", tmp_path / "out.jsonl", "--prefer", "quality")
    assert result.exit_code == 0 and "1 kept" in result.stdout
    kept = [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").open()]
    assert kept == ["5"]
    with pytest.raises(InputError, match="'qualty' to prefer"):
        deduplicate([{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT}], prefer="qualty")


def test_a_null_text_is_a_record_with_the_field(tmp_path: Path) -> None:
    path = tmp_path / "null.jsonl"
    path.write_text('{"id": "a", "text": null}\n{"id": "b", "html": "x"}\n')
    result = neardup("scan", path, "-f", "json")
    assert result.exit_code == 0  # the field is there: skipped records, not a wrong name
    assert "null.jsonl:1: field 'text' is null, expected a string (skipped)" in result.stderr
