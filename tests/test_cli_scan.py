"""``neardup scan``, run in-process with click's CliRunner: formats, inputs, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from pages import Page

from neardup import Parameters, load_documents, normalize_text
from neardup.cli import main
from neardup.cli.options import (
    InputSettings,
    OutputSettings,
    input_options,
    output_options,
    parameter_options,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_A = "000_28473338c6d0f06c.txt#2"
SEED_B = "000_28473338c6d0f06c.txt#11"
TITLE = "2023第四季度意识形态工作总结"

ARTICLE = (
    "各单位要认真学习贯彻会议精神，结合本地实际制定具体措施，确保各项任务落到实处。"
    "要加强组织领导，明确责任分工，建立工作台账，定期督促检查，及时发现和解决问题。"
)
COPY = ARTICLE.replace("认真学习", "深入学习").replace("及时发现", "及早发现")
OTHER = "今天的天气预报说，北方大部地区晴转多云，南方有小到中雨，请注意出行安全。"


def scan(*args: str | os.PathLike[str], stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["scan", *map(str, args)], input=stdin, catch_exceptions=False)


@pytest.fixture(scope="module")
def seed_json() -> dict[str, Any]:
    result = scan(SEEDS, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A directory: a near-duplicate pair (one file in GB18030), an unrelated file, a binary
    file and an empty one."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "copy_gb.txt").write_bytes(COPY.encode("gb18030"))
    (folder / "other.md").write_text(OTHER, encoding="utf-8")
    (folder / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------- the seeds


def test_seeds_text_report() -> None:
    result = scan(SEEDS)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("neardup: 11 documents read, 0 skipped, 1 pair in 1 cluster (")
    assert f"{SEED_A}  <->  {SEED_B}" in out
    assert TITLE in out
    assert "Jaccard 0.841" in out
    assert "shared passages; the longest" in out
    assert result.stderr == ""  # no progress bars when stderr is not a terminal


def test_seeds_json_has_the_one_pair_and_exact_passages(seed_json: dict[str, Any]) -> None:
    assert {"parameters", "counts", "skipped", "pairs", "clusters"} <= set(seed_json)
    assert seed_json["counts"]["documents"] == 11 and seed_json["skipped"] == []
    [pair] = seed_json["pairs"]
    assert (pair["a"], pair["b"]) == (SEED_A, SEED_B)
    assert pair["a_title"] == pair["b_title"] == TITLE
    assert 0.8 < pair["jaccard"] < 0.9 and pair["containment"] >= pair["jaccard"]
    assert pair["passages"]
    texts = {d.id: d.text for d in load_documents(SEEDS)}
    a, b = texts[SEED_A], texts[SEED_B]
    for p in pair["passages"]:
        a_span = a[p["a_start"] : p["a_end"]]
        assert a_span == p["text"]
        assert normalize_text(a_span) == normalize_text(b[p["b_start"] : p["b_end"]])
    lengths = [len(normalize_text(p["text"])) for p in pair["passages"]]
    assert lengths == sorted(lengths, reverse=True)
    [cluster] = seed_json["clusters"]
    assert {m["id"] for m in cluster["members"]} == {SEED_A, SEED_B}


def test_seeds_html_file(tmp_path: Path, seed_json: dict[str, Any]) -> None:
    target = tmp_path / "report.html"
    result = scan(SEEDS, "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    page = target.read_text(encoding="utf-8")
    parsed = Page(page)
    texts = {d.id: d.text for d in load_documents(SEEDS)}
    assert parsed.texts() == {SEED_A: texts[SEED_A], SEED_B: texts[SEED_B]}  # in full
    passages = len(seed_json["pairs"][0]["passages"])
    assert len(parsed.data("nd-detail")["pairs"][0]["p"]) == passages
    assert len(parsed.programs) == 1
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv", "markdown", "html"])
def test_every_format_on_stdout(fmt: str) -> None:
    result = scan(SEEDS, "--format", fmt, "--quiet")
    assert result.exit_code == 0
    out = result.stdout
    if fmt == "json":
        assert json.loads(out)["pairs"][0]["b"] == SEED_B
    elif fmt == "jsonl":
        assert [json.loads(line)["a"] for line in out.splitlines()] == [SEED_A]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["a"], r["b"], r["a_title"]) for r in rows] == [(SEED_A, SEED_B, TITLE)]
    elif fmt == "markdown":
        assert out.startswith("# neardup report") and "| 1 |" in out
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and 'id="nd-detail"' in out
    else:
        assert out.startswith("neardup: 11 documents read")


@pytest.mark.parametrize(
    ("name", "option", "check"),
    [
        ("r.json", [], lambda s: json.loads(s)["counts"]["pairs"] == 1),
        ("r.csv", [], lambda s: s.startswith("a,a_title,b,")),
        ("r.md", [], lambda s: s.startswith("# neardup report")),
        ("r.txt", [], lambda s: s.startswith("neardup: ")),
        ("r.html", ["--format", "jsonl"], lambda s: json.loads(s.splitlines()[0])["a"] == SEED_A),
    ],
)
def test_output_format_from_suffix(
    tmp_path: Path, name: str, option: list[str], check: Any
) -> None:
    target = tmp_path / name
    result = scan(SEEDS, "-o", target, *option)
    assert result.exit_code == 0
    assert check(target.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- inputs


def test_directory_with_binary_gb18030_and_empty_files(corpus: Path) -> None:
    result = scan(corpus, "--format", "json")
    assert result.exit_code == 0
    assert f"neardup: warning: {corpus / 'blob.txt'}: binary file" in result.stderr
    data = json.loads(result.stdout)
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [("article.txt", "copy_gb.txt")]
    skipped = {s["id"]: s["reason"] for s in data["skipped"]}
    assert set(skipped) == {"blob.txt", "empty.txt"}
    assert "binary" in skipped["blob.txt"] and "empty" in skipped["empty.txt"]
    assert data["counts"]["skipped"] == 2 and data["counts"]["documents"] == 5
    # the GB18030 text was decoded: its passage offsets index the decoded text
    passage = data["pairs"][0]["passages"][0]
    assert normalize_text(COPY[passage["b_start"] : passage["b_end"]]) == normalize_text(
        passage["text"]
    )


def test_strict_makes_the_binary_file_an_error(corpus: Path) -> None:
    result = scan(corpus, "--strict")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"neardup: error: {corpus / 'blob.txt'}: binary file")
    assert len(result.stderr.splitlines()) == 1


def test_quiet_silences_warnings(corpus: Path) -> None:
    result = scan(corpus, "--quiet")
    assert result.exit_code == 0 and result.stderr == ""
    assert "2 skipped" in result.stdout


def test_stdin_plain_text_against_a_directory(corpus: Path) -> None:
    result = scan("-", corpus / "article.txt", "--format", "json", stdin=COPY)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [("<stdin>", "article.txt")]


def test_stdin_before_json_lines_keeps_their_positions(tmp_path: Path) -> None:
    lines = tmp_path / "lines.jsonl"
    rows = [{"id": "x1", "text": "毫不相干的一段文字"}, {"id": "x2", "text": "另一段无关的内容"}]
    rows += [{"id": "j1", "text": ARTICLE}, {"id": "j2", "text": COPY}]
    lines.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    alone = json.loads(scan(lines, "--format", "json").stdout)["pairs"]
    result = scan("-", lines, "--format", "json", stdin=OTHER)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["counts"]["documents"] == 5
    assert [(p["a"], p["b"], p["jaccard"]) for p in data["pairs"]] == [
        ("j1", "j2", alone[0]["jaccard"])
    ]
    other = json.dumps({"id": "s1", "text": OTHER}, ensure_ascii=False)
    result = scan("-", lines, "--jsonl", "--format", "json", stdin=f"{{broken\n\n{other}\n")
    data = json.loads(result.stdout)  # only the stdin document counts before the file's lines
    assert (data["counts"]["documents"], data["counts"]["skipped"]) == (7, 2)
    assert [(p["a"], p["b"], p["jaccard"]) for p in data["pairs"]] == [
        ("j1", "j2", alone[0]["jaccard"])
    ]


def test_stdin_alone_is_one_document() -> None:
    result = scan("-", stdin=ARTICLE + "\n\n" + ARTICLE)
    assert result.exit_code == 0
    assert result.stdout.startswith("neardup: 1 document read, 0 skipped, 0 pairs")


def test_stdin_jsonl_with_field_names() -> None:
    lines = [
        json.dumps({"key": "n1", "body": ARTICLE, "head": "通知"}, ensure_ascii=False),
        json.dumps({"key": "n2", "body": COPY, "head": "通知（转载）"}, ensure_ascii=False),
        json.dumps({"key": "n3", "body": OTHER}, ensure_ascii=False),
        "{not json",
    ]
    result = scan(
        "-", "--jsonl", "--id-field", "key", "--text-field", "body", "--title-field", "head",
        "--format", "json", stdin="\n".join(lines) + "\n",
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    [pair] = data["pairs"]
    assert (pair["a"], pair["b"], pair["b_title"]) == ("n1", "n2", "通知（转载）")
    assert [s["id"] for s in data["skipped"]] == ["<stdin>:4"]
    assert "neardup: warning: <stdin>:4: malformed JSON" in result.stderr


def test_stdin_jsonl_strict() -> None:
    result = scan("-", "--jsonl", "--strict", stdin='{"id": "x", "text": 3}\n')
    assert result.exit_code == 2
    assert result.stderr == (
        "neardup: error: <stdin>:1: field 'text' is a int, expected a string\n"
    )


def test_missing_path_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = scan(SEEDS, missing)
    assert result.exit_code == 2
    assert result.stderr == f"neardup: error: {missing}: no such file or directory\n"


def test_unsupported_file_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"abc")
    result = scan(target)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"neardup: error: {target}: unsupported file type")


def test_duplicate_ids_exit_2(tmp_path: Path) -> None:
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "same.txt").write_text(ARTICLE, encoding="utf-8")
    result = scan(tmp_path / "x", tmp_path / "y")
    assert result.exit_code == 2
    assert result.stderr.startswith("neardup: error: duplicate document ids: 'same.txt'")


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "r.json"
    result = scan(SEEDS, "-o", target, "-q")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"neardup: error: {target}: cannot write")


@pytest.mark.parametrize(
    "args",
    [
        ["--threshold", "0"],
        ["--threshold", "1.5"],
        ["--ngram", "0"],
        ["--bands", "3"],  # does not divide 128
        ["--unit", "sentence"],
        ["--format", "yaml"],
        ["--no-such-option"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    """A usage error is one line on standard error, as every error, naming the help."""
    result = scan(SEEDS, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("neardup: error: ") and result.stderr.count("\n") == 1
    assert result.stderr.endswith("(see `neardup scan --help`)\n")


@pytest.mark.parametrize(("args", "path"), [([], "neardup"), (["index"], "neardup index")])
def test_a_group_without_its_command_shows_its_help(args: list[str], path: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="neardup")
    assert result.exit_code == 2 and f"Usage: {path} [OPTIONS] COMMAND" in result.output


def test_no_path_is_a_usage_error() -> None:
    result = scan()
    assert result.exit_code == 2 and "Missing argument" in result.stderr


def test_parameters_reach_the_pipeline() -> None:
    result = scan(SEEDS, "-f", "json", "-t", "0.85", "-n", "4", "--num-perm", "64", "-b", "16",
                  "--seed", "7", "--html-markup")
    params = json.loads(result.stdout)["parameters"]
    assert (params["threshold"], params["ngram"], params["num_perm"], params["bands"]) == (
        0.85, 4, 64, 16,
    )
    assert params["seed"] == 7 and params["html"] is True


# ---------------------------------------------------------------------------- the command itself


def test_version_and_help() -> None:
    runner = CliRunner()
    from neardup import __version__

    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and version.stdout == f"neardup {__version__}\n"
    for args in (["--help"], ["scan", "--help"], ["-h"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.stdout
    assert "--html-markup" in runner.invoke(main, ["scan", "--help"]).stdout


def test_python_dash_m(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "neardup", "--version"], capture_output=True, text=True, env=env,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("neardup ")


def test_options_are_reusable_by_another_command() -> None:
    seen: dict[str, Any] = {}

    @click.command()
    @parameter_options
    @input_options
    @output_options
    def other(parameters: Parameters, inputs: InputSettings, output: OutputSettings) -> None:
        seen.update(parameters=parameters, inputs=inputs, output=output)

    group = click.Group(commands={"other": other})
    result = CliRunner().invoke(group, ["other", "-t", "0.9", "--strict", "-o", "x.md", "-q"])
    assert result.exit_code == 0, result.output
    assert seen["parameters"].threshold == 0.9 and seen["parameters"].bands is not None
    assert seen["inputs"].strict and not seen["inputs"].jsonl
    assert seen["output"] == OutputSettings("markdown", "x.md", True)


def test_html_report_of_hostile_documents(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    payload = "<script>alert(1)</script></textarea>&amp;<img src=x onerror=alert(2)>"
    (folder / "a.txt").write_text(ARTICLE + payload + OTHER, encoding="utf-8")
    (folder / "b.txt").write_text(COPY + payload + OTHER, encoding="utf-8")
    target = tmp_path / "report.html"
    result = scan(folder, "-o", target)
    assert result.exit_code == 0
    parsed = Page(target.read_text(encoding="utf-8"))
    assert len(parsed.programs) == 1 and "alert" not in parsed.programs[0]
    assert "img" not in parsed.tags and "textarea" not in parsed.tags
    assert sorted(t or "" for t in parsed.texts().values()) == sorted(
        [ARTICLE + payload + OTHER, COPY + payload + OTHER])


def test_workers_do_not_change_the_report(tmp_path: Path) -> None:
    laws = ROOT / "tests" / "data" / "laws_sample.jsonl.gz"
    one = json.loads(scan(laws, "--format", "json", "--workers", "1").stdout)
    two = json.loads(scan(laws, "--format", "json", "--workers", "2").stdout)
    assert one["pairs"] and one["pairs"] == two["pairs"]
    assert one["clusters"] == two["clusters"] and one["counts"] == two["counts"]
    assert scan(laws, "--workers", "0").exit_code == 2


def test_a_large_input_is_verified_exactly_from_the_files(tmp_path: Path) -> None:
    """The scan streams files: texts are re-read for verification, never kept for all."""
    laws = ROOT / "tests" / "data" / "laws_sample.jsonl.gz"
    data = json.loads(scan(laws, "--format", "json").stdout)
    assert data["verification"] == "exact" and data["notes"] == []


def test_no_passages() -> None:
    data = json.loads(scan(SEEDS, "--format", "json", "--no-passages").stdout)
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [(SEED_A, SEED_B)]
    assert data["pairs"][0]["passages"] == []


def test_input_reader_is_read_lazily(tmp_path: Path) -> None:
    """The command streams its inputs: nothing past the current document is read ahead."""
    from neardup.cli.inputs import InputReader

    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"id": "1", "text": "第一个文件"}\n', encoding="utf-8")
    second.write_text('{"id": "2", "text": "第二个文件"}\n', encoding="utf-8")
    items = iter(InputReader((str(first), str(second)), InputSettings(), quiet=True))
    assert next(items).id == "1"
    second.unlink()  # read lazily: the second file is opened only now
    rest = list(items)
    assert len(rest) == 1 and "cannot read" in rest[0].reason  # type: ignore[union-attr]


def test_every_parameter_with_flags_is_an_option_of_scan_dedup_and_index_create() -> None:
    from neardup.parameters import field_infos

    runner = CliRunner()
    helps = {
        command: runner.invoke(main, [*command.split(), "--help"], terminal_width=200).stdout
        for command in ("scan", "dedup", "index create", "check")
    }
    for name, info in field_infos():
        for flag in info.flags:
            for command, text in helps.items():
                if command in ("index create", "check") and name in ("rewrite", "formula_df"):
                    continue  # an index runs no rewrite search, no copies judgement
                if command == "index create" and name in ("containment", "max_df"):
                    continue  # chosen per query (check)
                assert flag in text, (command, flag)
    assert "[default: 0.7; 0.5 with --preset copies]" in helps["scan"]
    assert "[default: 0.7; 0<x<=1]" in helps["index create"]


def test_files_of_other_kinds_in_a_directory_are_named(tmp_path: Path) -> None:
    """A directory with a .csv and a binary file beside a text: the scan and the dedup say
    in one note which files they did not read (they were passed over without a word, and
    dedup's mirrored output silently lacks them); quiet says nothing."""
    folder = tmp_path / "mix"
    folder.mkdir()
    (folder / "a.txt").write_text("今天天气很好，我们一起去公园散步。", encoding="utf-8")
    (folder / "e.csv").write_text("a,b\n", encoding="utf-8")
    (folder / "f.bin").write_bytes(b"\x00\x01")
    for args in (["scan", str(folder)], ["dedup", str(folder), "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert (f"2 file(s) of other kinds in the directories not read (neardup reads .txt .md "
                f".jsonl .jsonl.gz .ndjson .ndjson.gz .parquet): '{folder / 'e.csv'}', "
                f"'{folder / 'f.bin'}'") in result.stderr
        assert "not read" not in CliRunner().invoke(main, [*args[:2], "-q", *args[2:]]).stderr


def test_the_parts_of_a_spark_output_are_left_out_in_one_note(tmp_path: Path) -> None:
    """Three Parquet parts of a Spark scan's pairs/ in the scanned directory, and hidden or
    bookkeeping files (.git/, _SUCCESS, checksums): one note for the parts (it was one line
    a part, and a scan can write hundreds), and the bookkeeping is not counted as unread."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "d"
    (folder / "out" / "pairs").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x", encoding="utf-8")
    (folder / "a.txt").write_text("今天天气很好，我们一起去公园散步。", encoding="utf-8")
    for k in range(3):
        pq.write_table(pa.table({"a": ["x"], "b": ["y"], "jaccard": [0.9]}),
                       folder / "out" / "pairs" / f"part-0000{k}-x.snappy.parquet")
    for name in ("_SUCCESS", "._SUCCESS.crc"):
        (folder / "out" / "pairs" / name).write_bytes(b"")
    result = CliRunner().invoke(main, ["scan", str(folder)])
    assert result.exit_code == 0, result.output
    assert (f"{folder / 'out' / 'pairs'}{os.sep}: left out, the pairs/ of a neardup Spark scan "
            "(3 files, not documents)") in result.stderr
    assert "not read" not in result.stderr
    assert "1 document read" in result.stdout
