"""Nothing lost (issue 26): no command writes over one of its inputs; a damaged input never
leaves a partial or empty output under the final name; a run killed outright leaves no
temporary file behind for good; a report written into a scanned directory is no document of
the next scan."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup.cli import main
from neardup.io.corpus import Corpus

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TEXT = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"


def neardup(*args: str | os.PathLike[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def corpus_jsonl(path: Path, count: int = 40) -> bytes:
    rows = [{"id": f"d{k}", "text": TEXT + ("好吗" if k % 2 else "") + f"第{k // 2}号"}
            for k in range(count)]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path.read_bytes()


# ------------------------------------------------------------ outputs that are inputs (item 1)


def test_scan_refuses_to_write_over_its_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data.jsonl"
    before = corpus_jsonl(data)
    os.symlink(data, tmp_path / "link.jsonl")
    os.link(data, tmp_path / "hard.txt")
    monkeypatch.chdir(tmp_path)
    for output in ("data.jsonl", "./data.jsonl", str(data), "link.jsonl", "hard.txt"):
        result = neardup("scan", "data.jsonl", "-o", output, "-f", "jsonl")
        assert result.exit_code == 2, (output, result.output)
        assert f"{output}: the output is the input" in result.stderr
        assert "Traceback" not in result.output
    (tmp_path / "d").mkdir()
    shutil.move(tmp_path / "hard.txt", tmp_path / "d" / "x.jsonl")
    result = neardup("scan", "d/", "-o", "d/x.jsonl")
    assert result.exit_code == 2 and "d/x.jsonl: the output is the input" in result.stderr
    assert data.read_bytes() == before == (tmp_path / "d" / "x.jsonl").read_bytes()


def test_check_refuses_to_write_over_what_it_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data.jsonl"
    before = corpus_jsonl(data)
    other = tmp_path / "other.jsonl"
    corpus_jsonl(other, 4)
    monkeypatch.chdir(tmp_path)
    tries = [
        ["data.jsonl", "--against", "data.jsonl", "-o", "data.jsonl", "-f", "jsonl"],
        ["data.jsonl", "--against", "other.jsonl", "-o", "./other.jsonl", "-f", "jsonl"],
        ["data.jsonl", "--against", "other.jsonl", "--write-baseline", "data.jsonl"],
        ["data.jsonl", "--against", "other.jsonl", "--baseline", "b.json", "-o", "b.json",
         "-f", "json"],
    ]
    (tmp_path / "b.json").write_text(json.dumps(
        {"format": "neardup-baseline", "version": 1, "pairs": []}))
    for args in tries:
        result = neardup("check", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "is the input" in result.stderr and "Traceback" not in result.output
    assert neardup("index", "create", "c.ndx").exit_code == 0
    result = neardup("check", "other.jsonl", "--index", "c.ndx", "-o", "c.ndx", "-f", "json")
    assert result.exit_code == 2 and "c.ndx: the report is the input c.ndx" in result.stderr
    assert data.read_bytes() == before
    assert neardup("index", "verify", "c.ndx").exit_code == 0


def test_dedup_refuses_removed_and_clusters_files_that_are_inputs(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    before = corpus_jsonl(data)
    for option in ("--removed", "--clusters"):
        result = neardup("dedup", data, "-o", tmp_path / "out.jsonl", option, data)
        assert result.exit_code == 2 and "is the input" in result.stderr
    assert data.read_bytes() == before and not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------------ damaged inputs (items 2, 7)


def truncated_gzip(path: Path) -> None:
    corpus_jsonl(path, 400)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def test_dedup_of_a_truncated_gzip_names_it_and_writes_nothing(tmp_path: Path) -> None:
    truncated_gzip(tmp_path / "trunc.jsonl.gz")
    existing = tmp_path / "t3.jsonl.gz"
    old = corpus_jsonl(existing, 6)
    for output in (existing, tmp_path / "new.jsonl.gz", tmp_path / "newdir"):
        result = neardup("dedup", tmp_path / "trunc.jsonl.gz", "-o", output)
        assert result.exit_code == 2, result.output
        error = result.stderr.splitlines()[-1]
        assert error.startswith(f"neardup: error: {tmp_path / 'trunc.jsonl.gz'}: read ")
        assert "then: cannot read line " in error and "nothing written" in error
    assert existing.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t3.jsonl.gz", "trunc.jsonl.gz"]
    # scan names the damage the same way, and goes on with what it could read
    result = neardup("scan", tmp_path / "trunc.jsonl.gz", "-f", "json")
    assert result.exit_code == 0 and "then: cannot read line " in result.stderr


@pytest.mark.parametrize("content", [b"", b'{"id": "a", "text": "not compressed"}\n'])
def test_an_empty_or_plain_file_named_gz_is_named_as_damaged(
    tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(content)
    result = neardup("scan", bad, "-f", "json")
    assert result.exit_code == 0
    assert f"{bad}: cannot read: " in result.stderr and "(skipped)" in result.stderr
    assert json.loads(result.stdout)["counts"]["skipped"] == 1
    result = neardup("dedup", bad, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 2 and f"{bad}: cannot read: " in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_an_unwritable_output_is_named_as_given(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    corpus_jsonl(data)
    for output in ("/proc/outdir", "/proc/out.jsonl"):
        result = neardup("dedup", data, "-o", output)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"neardup: error: {output}: cannot write: ")
        assert ".partial" not in result.stderr


def test_leftovers_of_a_killed_dedup_are_removed_by_the_next_run(tmp_path: Path) -> None:
    """A real ``kill -9`` while the output is written: nothing under the final name, and the
    temporary file it leaves is removed by the next run writing that output."""
    rows = [json.dumps({"id": f"d{k}", "text": f"{TEXT}{k}", "blob": os.urandom(6000).hex()})
            for k in range(2500)]
    data = tmp_path / "big.jsonl"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl.gz"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "neardup", "dedup", str(data), "-o", str(out), "-q",
               "-w", "1"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    partial: list[Path] = []
    while not partial and process.poll() is None and time.monotonic() < deadline:
        partial = list(tmp_path.glob(".out.jsonl.gz.partial-*"))
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert partial, "the run ended before it wrote (make the input larger)"
    assert process.returncode == -signal.SIGKILL
    assert not out.exists() and list(tmp_path.glob(".out.jsonl.gz.partial-*"))
    small = tmp_path / "small.jsonl"
    corpus_jsonl(small)
    result = neardup("dedup", small, "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl", "out.jsonl.gz",
                                                          "small.jsonl"]


def test_a_running_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    busy = tmp_path / f".out.jsonl.partial-{os.getppid()}-abc"
    busy.write_text("being written")
    corpus_jsonl(tmp_path / "in.jsonl")
    assert neardup("dedup", tmp_path / "in.jsonl", "-o", tmp_path / "out.jsonl").exit_code == 0
    assert busy.exists()


# ------------------------------------------------------------ reports in scanned directories (3)


def test_reports_written_into_a_scanned_directory_are_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c2 = tmp_path / "c2"
    shutil.copytree(SEEDS, c2)
    monkeypatch.chdir(tmp_path)
    first = neardup("scan", "c2/", "-f", "json")
    read = json.loads(first.stdout)["counts"]["documents"]
    assert read == 11
    for name in ("report.md", "report.txt", "pairs.jsonl"):
        assert neardup("scan", "c2/", "-o", f"c2/{name}").exit_code == 0
    seed = next(c2.glob("*.txt"))
    result = neardup("check", seed, "--against", seed, "-f", "github", "-o", "c2/gh.txt")
    assert result.exit_code == 0  # the same id: a new version of itself
    assert neardup("dedup", "c2/", "-o", "kept", "--removed", "c2/removed.jsonl",
                   "--clusters", "c2/clusters.jsonl").exit_code == 0
    again = neardup("scan", "c2/", "-f", "json")
    assert again.exit_code == 0
    counts = json.loads(again.stdout)["counts"]
    assert (counts["documents"], counts["skipped"]) == (read, 0)
    for name in ("report.md", "report.txt", "pairs.jsonl", "gh.txt", "removed.jsonl",
                 "clusters.jsonl"):
        assert f"c2/{name}: left out, a neardup " in again.stderr, name
    assert sorted(p.name for p, _ in Corpus(c2).left_out) == sorted(
        ["clusters.jsonl", "gh.txt", "pairs.jsonl", "removed.jsonl", "report.md",
         "report.txt"])
    # the report of the first scan may be written again over itself
    assert neardup("scan", "c2/", "-o", "c2/report.md").exit_code == 0


def test_a_document_that_merely_mentions_neardup_is_read(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# neardup reports\n\nneardup: a tool.\n")
    (tmp_path / "rows.jsonl").write_text('{"a": 1, "text": "正文"}\n')
    corpus = Corpus(tmp_path)
    assert corpus.left_out == [] and len(list(corpus)) == 2


# ------------------------------------------------------------ the attacker's pass


def test_messages_keep_names_with_line_breaks_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id, a field name or a file name holding a line break cannot start a line of its
    own on standard error, which a CI log reads as a workflow command."""
    monkeypatch.chdir(tmp_path)
    rows = [{"id": "x\n::add-mask::pwn", "text": TEXT}, {"id": "x\n::add-mask::pwn",
                                                         "text": TEXT + "呀"}]
    Path("ids.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    Path("fields.jsonl").write_text(json.dumps({"id": "z", "html\n::error::k": TEXT}) + "\n")
    Path("d").mkdir()
    Path("d/bad\n::add-mask::y.txt").write_bytes(b"\x00\x01")
    for args in (["scan", "ids.jsonl"], ["dedup", "ids.jsonl", "-o", "o.jsonl"],
                 ["scan", "fields.jsonl"], ["scan", "d", "-f", "json"],
                 ["check", "d", "--against", "ids.jsonl"]):
        result = neardup(*args)
        assert result.exit_code in (0, 2), result.output
        assert not any(line.startswith("::") for line in result.stderr.splitlines()), args
        assert "\\n::" in result.stderr


def test_check_reads_a_file_made_to_look_like_a_report(tmp_path: Path) -> None:
    """A gate leaves nothing out: an article that begins as a neardup report does is
    checked (scan would leave it out of a directory)."""
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "copy.md").write_text("# neardup report\n\n" + TEXT, encoding="utf-8")
    (tmp_path / "old.txt").write_text(TEXT, encoding="utf-8")
    result = neardup("check", tmp_path / "new", "--against", tmp_path / "old.txt",
                     "--containment", "0.5")
    assert result.exit_code == 1 and "left out" not in result.stderr
    assert Corpus(tmp_path / "new").left_out != []


def test_dedup_outputs_are_three_files(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    corpus_jsonl(data)
    out = tmp_path / "out.jsonl"
    for args in (["--removed", str(out)], ["--removed", str(tmp_path / "r.jsonl"),
                                           "--clusters", str(tmp_path / "./r.jsonl")]):
        result = neardup("dedup", data, "-o", out, *args)
        assert result.exit_code == 2 and "must name different files" in result.output
    result = neardup("dedup", data, "-o", out, "--removed", tmp_path / "no" / "r.jsonl")
    assert result.exit_code == 2 and "no such directory" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl"]


def test_an_output_with_a_long_name_is_written(tmp_path: Path) -> None:
    """The temporary name beside an output is longer than the output's: it is cut so that
    a name the file system takes (here 246 bytes) can be written."""
    data = tmp_path / "data.jsonl"
    corpus_jsonl(data)
    for command, suffix in (("dedup", ".jsonl"), ("scan", ".json")):
        output = tmp_path / ("长" * 80 + suffix)
        args = ["-o", output] if command == "dedup" else ["-o", output, "-q"]
        result = neardup(command, data, *args)
        assert result.exit_code == 0, result.output
        assert output.is_file()
    assert not list(tmp_path.glob(".*"))
