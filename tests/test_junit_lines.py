"""JUnit output keeps ids, titles and reasons on one line (issue 26, item 10): printed to a CI
log, a line of a title such as ``::add-mask::x`` would be read as a workflow command."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from neardup import Document, DuplicateIndex
from neardup.cli import main

TEXT = "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观，晚上去王府井吃烤鸭。" * 3


def test_junit_escapes_line_breaks_of_ids_and_titles(tmp_path: Path) -> None:
    index = tmp_path / "i.ndx"
    with DuplicateIndex.create(index) as idx:
        idx.add([Document("old\n::error::forged", TEXT, title="o\r\n::add-mask::y")])
    batch = tmp_path / "new.jsonl"
    records = [
        {"id": "new\n::warning::x", "title": "t\n::add-mask::x", "text": TEXT + "。"},
        {"id": "also\n::debug::z", "title": "u\n::add-mask::z", "text": TEXT + "！"},
        {"id": "empty\n::stop-commands::w", "text": "  "},
    ]
    batch.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(batch), "--index", str(index), "-q",
                                       "-f", "junit"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::")], result.stdout
    root = ET.fromstring(result.stdout.encode("utf-8"))
    failures = root.findall(".//failure")
    assert len(failures) == 2
    assert "(t\\n::add-mask::x)" in (failures[1].text or "") or "(u\\n::add-mask::z)" in (
        failures[0].text or ""
    )
    assert all("\n" not in (f.get("message") or "") for f in failures)
    assert all("\n" not in (s.get("message") or "") for s in root.findall(".//skipped"))


def test_csv_of_a_check_keeps_ids_and_titles_on_one_line(tmp_path: Path) -> None:
    """The same for CSV, the other format of a check printed to a log: a quoted cell may
    hold a line break, which the log would still read as the start of a line."""
    index = tmp_path / "i.ndx"
    with DuplicateIndex.create(index) as idx:
        idx.add([Document("old\n::error::forged", TEXT, title="=o\n::add-mask::y")])
    batch = tmp_path / "new.jsonl"
    batch.write_text(json.dumps({"id": "new\r\n::warning::x", "text": TEXT + "。"}) + "\n",
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(batch), "--index", str(index), "-q",
                                       "-f", "csv"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and not [line for line in lines if line.startswith("::")]
    assert lines[1].startswith("new\\r\\n::warning::x,,old\\n::error::forged,"
                               "'=o\\n::add-mask::y,1.000000,")
