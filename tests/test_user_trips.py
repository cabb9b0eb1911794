"""Smaller things a user trips on (issue 15): each message says what happened and where."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup.cli import main
from neardup.formats import render
from neardup.io.documents import Document
from neardup.parameters import Parameters
from neardup.report import Counts, DocumentInfo, DuplicateReport, Pair

TEXT = "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观，晚上去王府井吃烤鸭。"
OTHER = "今天的天气预报说，北方大部地区晴转多云，南方有小到中雨，请注意出行安全。"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_a_truncated_gzip_says_how_much_was_read(tmp_path: Path) -> None:
    records = [{"id": f"r{i}", "text": f"{i} {TEXT}{OTHER}"} for i in range(200)]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    result = run("scan", path, "-f", "json")
    assert result.exit_code == 0
    warning = result.stderr.strip()
    assert warning.startswith(f"neardup: warning: {path}: read ")
    assert " records, then: cannot read line " in warning  # the line too (issue 26)
    assert ": Compressed file ended" in warning
    assert "(skipped)" not in warning
    used = json.loads(result.stdout)["counts"]["processed"]
    assert f"read {used} records" in warning or f"read {used + 1} records" in warning


def test_duplicate_ids_in_json_lines_name_both_lines(tmp_path: Path) -> None:
    one = jsonl(tmp_path / "one.jsonl", [{"id": "x", "text": TEXT}])
    two = jsonl(tmp_path / "two.jsonl", [{"id": "y", "text": OTHER}, {"id": "x", "text": OTHER}])
    empty = jsonl(tmp_path / "empty.jsonl", [])
    for result in (run("scan", one, two), run("check", one, two, "--against", empty)):
        assert result.exit_code == 2
        assert result.stderr == (f"neardup: error: duplicate document ids: 'x' at {one}:1 and "
                                 f"{two}:2\n")
    ndx = tmp_path / "i.ndx"
    run("index", "create", ndx)
    added = run("index", "add", ndx, one, two)
    assert added.exit_code == 2 and f"at {one}:1 and {two}:2" in added.stderr
    assert "directory" not in added.stderr


def test_duplicate_ids_of_files_in_directories_hint_at_the_parent(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(TEXT, encoding="utf-8")
    result = run("scan", tmp_path / "a", tmp_path / "b")
    assert result.exit_code == 2
    assert f"'same.txt' at {tmp_path / 'a' / 'same.txt'} and {tmp_path / 'b' / 'same.txt'}" in (
        result.stderr
    )
    assert "scan their common parent" in result.stderr


def test_already_indexed_names_the_option(tmp_path: Path) -> None:
    one = jsonl(tmp_path / "one.jsonl", [{"id": "x", "text": TEXT}])
    ndx = tmp_path / "i.ndx"
    run("index", "create", ndx)
    assert run("index", "add", ndx, one, "-q").exit_code == 0
    result = run("index", "add", ndx, one)
    assert result.exit_code == 2
    assert result.stderr == f"neardup: error: {ndx}: already indexed: 'x' ({one}:1) (use " \
                            "--replace to replace them)\n"


def _report(jaccard: float, source: str) -> tuple[DuplicateReport, list[Document]]:
    pair = Pair("new", "old", jaccard, jaccard, jaccard, jaccard)
    documents = {"new": DocumentInfo(None, source, 10), "old": DocumentInfo(None, "o.txt", 10)}
    report = DuplicateReport(Parameters(), [pair], [], [], Counts(2, 2, 0, 1, 1, 1), "exact",
                             documents=documents)
    return report, [Document("new", "x", None, source)]


def test_github_annotations_give_file_and_line_of_json_lines() -> None:
    report, checked = _report(0.9, "batch/new.jsonl:17")
    first = render(report, "github", checked=checked).splitlines()[0]
    assert first.startswith("::error file=batch/new.jsonl,line=17,title=near-duplicate::")


@pytest.mark.parametrize(("jaccard", "shown"), [(0.995, "0.995"), (0.99996, "0.999"),
                                                (1.0, "1.000"), (0.8409, "0.841")])
def test_similarities_have_three_decimals_and_never_round_up_to_one(
    jaccard: float, shown: str
) -> None:
    report, checked = _report(jaccard, "new.txt")
    assert f"(Jaccard {shown})" in render(report, "github", checked=checked)
    assert f"(Jaccard {shown})" in render(report, "junit", checked=checked)
    assert f"Jaccard {shown}, containment {shown}" in render(report, "text")
    assert f"| {shown} | {shown} |" in render(report, "markdown")


def test_a_baseline_of_other_parameters_warns_or_is_refused(tmp_path: Path) -> None:
    old = jsonl(tmp_path / "old.jsonl", [{"id": "old", "text": TEXT}])
    new = jsonl(tmp_path / "new.jsonl", [{"id": "new", "text": TEXT + "。"}])
    baseline = tmp_path / "baseline.json"
    written = run("check", new, "--against", old, "--write-baseline", baseline, "-q")
    assert written.exit_code == 0
    same = run("check", new, "--against", old, "--baseline", baseline)
    assert same.exit_code == 0 and "other parameters" not in same.stderr
    other = run("check", new, "--against", old, "--baseline", baseline, "--ngram", "4")
    assert other.exit_code == 0
    assert (f"neardup: warning: {baseline}: baseline written with other parameters: ngram 5 "
            "(now 4)") in other.stderr
    strict = run("check", new, "--against", old, "--baseline", baseline, "--ngram", "4",
                 "--strict")
    assert strict.exit_code == 2
    assert strict.stderr.startswith(f"neardup: error: {baseline}: baseline written with other")


def test_symlinked_directories_are_followed_once(tmp_path: Path) -> None:
    top, real = tmp_path / "top", tmp_path / "real"
    top.mkdir()
    real.mkdir()
    (real / "a.txt").write_text(TEXT, encoding="utf-8")
    (top / "b.txt").write_text(TEXT + "再见。", encoding="utf-8")
    (top / "linked").symlink_to(real, target_is_directory=True)
    (top / "self").symlink_to(".", target_is_directory=True)  # a loop
    (top / "again").symlink_to(real, target_is_directory=True)  # the same directory again
    result = run("scan", top, "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["documents"] == 2
    assert [(p["a"], p["b"]) for p in report["pairs"]] in (
        [("again/a.txt", "b.txt")], [("b.txt", "again/a.txt")]
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_fifo_or_a_looping_link_is_named_for_what_it_is(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    broken = tmp_path / "broken"
    broken.symlink_to(tmp_path / "nowhere")
    expected = {
        fifo: "a named pipe (FIFO), not a file or directory",
        loop: "a symbolic link that loops",
        broken: "a broken symbolic link",
    }
    for path, what in expected.items():
        for command in (["scan", path], ["index", "add", tmp_path / "x.ndx", path]):
            result = run(*command)
            assert result.exit_code == 2
            assert result.stderr.startswith(f"neardup: error: {path}: {what}"), result.stderr
