"""Where reports go: a report file is written whole or not at all, the output is checked
before the work starts, an unknown suffix is an error, and a full standard output is a
message, not a traceback (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup.cli import main
from neardup.cli import output as output_module
from neardup.cli import scan as scan_module

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def scan(*args: str | os.PathLike[str]) -> Result:
    return CliRunner().invoke(main, ["scan", *map(str, args)])


def test_a_failed_render_leaves_the_old_report_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("the old report\n", encoding="utf-8")

    # the temporary file is now opened with open() (its name holds the process id, see
    # neardup.io.outputs), so the failing write is put there
    monkeypatch.setattr(output_module, "open", _failing_open, raising=False)
    result = scan(SEEDS, "-o", target, "-q")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "No space left" in result.stderr
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def _failing_open(*args: object, **kwargs: object) -> object:
    """open() whose writes fail half-way, as on a full disk."""
    inner = open(*args, **kwargs)  # type: ignore[call-overload]  # noqa: SIM115

    class Half:
        def __enter__(self) -> Half:
            return self

        def __exit__(self, *exc: object) -> None:
            inner.close()

        def write(self, text: str) -> int:
            inner.write(text[: len(text) // 2])
            inner.flush()
            raise OSError(28, "No space left on device")

    return Half()


def test_a_new_report_file_is_complete_and_readable(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    assert scan(SEEDS, "-o", target, "-q").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("a,a_title,b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_a_missing_output_directory_fails_before_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan ran")

    monkeypatch.setattr(scan_module, "find_duplicates", never)
    result = scan(SEEDS, "-o", tmp_path / "missing" / "r.json", "-q")
    assert result.exit_code == 2
    assert "no such directory" in result.stderr


def test_check_fails_on_a_missing_output_directory_before_reading(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(SEEDS), "--against", str(SEEDS),
                                       "-o", str(tmp_path / "missing" / "r.xml")])
    assert result.exit_code == 2 and "no such directory" in result.stderr


@pytest.mark.parametrize("name", ["report.xlsx", "report", "r.xml"])
def test_an_unknown_output_suffix_is_an_error_naming_the_formats(
    tmp_path: Path, name: str
) -> None:
    result = scan(SEEDS, "-o", tmp_path / name, "-q")
    assert result.exit_code == 2
    assert "--format" in result.output
    assert not (tmp_path / name).exists()
    assert scan(SEEDS, "-o", tmp_path / name, "-q", "--format", "csv").exit_code == 0
    assert (tmp_path / name).read_text(encoding="utf-8").startswith("a,a_title")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_a_full_standard_output_is_a_message_not_a_traceback() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "neardup", "scan", str(SEEDS), "-q"],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False,
        )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("neardup: error: cannot write to standard output: No space")


def test_a_baseline_is_written_whole_and_its_directory_checked_first(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["check", str(SEEDS), "--against", str(SEEDS),
                                        "--write-baseline", str(tmp_path / "no" / "b.json")])
    assert missing.exit_code == 2 and "no such directory" in missing.stderr
    target = tmp_path / "b.json"
    written = CliRunner().invoke(main, ["check", str(SEEDS / "000_28473338c6d0f06c.txt"),
                                        "--against", str(tmp_path), "--write-baseline",
                                        str(target), "-q"])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8").startswith('{\n  "format": "neardup-baseline"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]


def test_a_report_through_a_symbolic_link_replaces_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    assert scan(SEEDS, "-o", link, "-q").exit_code == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("{")


# ---------------------------------------------------------------------------- what a person sees


def test_scan_and_check_with_output_end_with_one_summary_line(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = scan(SEEDS, "-o", target)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        f"neardup: 1 pair in 1 cluster among 11 documents; report written to {target}"
    )
    assert result.stdout == ""
    assert scan(SEEDS, "-o", target, "-q").stderr == ""
    checked = CliRunner().invoke(main, ["check", str(SEEDS / "000_28473338c6d0f06c.txt"),
                                        "--against", str(SEEDS), "-o", str(tmp_path / "c.json")])
    assert checked.stderr.splitlines()[-1].endswith(f"; report written to {tmp_path / 'c.json'}")


def _display_width(line: str) -> int:
    from neardup.formats.text import width_of

    return width_of(line)


def test_the_text_report_is_wrapped_to_100_columns_with_hanging_indents(tmp_path: Path) -> None:
    from neardup import load_documents

    long_id = "一份很长的文件名" * 8 + ".txt"
    text = load_documents(SEEDS)[10].text  # one article, a file of its own
    (tmp_path / long_id).write_text(text, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(text + "（完）", encoding="utf-8")
    result = scan(tmp_path, "--threshold", "0.8")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(map(_display_width, lines)) <= 100
    assert any(_display_width(line) > 90 for line in lines)  # lines are filled, not cut short
    start = next(k for k, line in enumerate(lines) if line.startswith("     b: 一份很长"))
    assert lines[start + 1].startswith("        ") and lines[start + 1].strip()  # under the id
    assert "".join(line.strip() for line in lines[start : start + 3]).find(long_id) >= 0


def test_the_text_report_fills_the_terminal_when_it_goes_to_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from neardup.cli import output

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(output.sys, "stdout", Terminal())
    monkeypatch.setattr(output.shutil, "get_terminal_size",
                        lambda fallback: os.terminal_size((64, 20)))
    assert output.text_width(None) == 64
    assert output.text_width("report.txt") == 100  # a file is not the terminal


def test_wrap_line_breaks_words_whole_and_chinese_anywhere() -> None:
    from neardup.formats.text import wrap_line

    assert wrap_line("short", 10) == ["short"]
    assert wrap_line("parameters: alpha beta gamma", 16) == [
        "parameters:", "  alpha beta", "  gamma"]
    assert wrap_line("  12. 中文中文中文中文中文", 15) == ["  12. 中文中文", "      中文中文", "      中文"]
    rows = wrap_line("  1. " + "x" * 30, 12)  # a word longer than a row is cut
    assert rows[0] == "  1. xxxxxxx" and all(len(r) <= 12 for r in rows)
    assert "".join(r.strip() for r in rows) == "1. " + "x" * 30


def _help_examples(args: list[str]) -> tuple[str, list[str]]:
    """A command's help at 80 columns, and its example command lines."""
    result = CliRunner().invoke(main, [*args, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    examples = result.output.split("Examples:")[1].split("\n\n")[0]
    return result.output, [line.strip() for line in examples.splitlines() if line.strip()]


COMMANDS = [[], ["scan"], ["dedup"], ["check"], ["index"], ["index", "create"],
            ["index", "add"], ["index", "remove"], ["index", "info"], ["index", "verify"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "neardup")
def test_every_help_has_examples_that_parse(command: list[str]) -> None:
    import shlex

    text, examples = _help_examples(command)
    assert examples
    assert max(map(_display_width, text.splitlines())) <= 80
    for example in examples:
        for piece in example.split("#")[0].replace("&&", "|").replace("||", "|").split("|"):
            words = shlex.split(piece)
            if not words or words[0] != "neardup":
                continue
            parsed = CliRunner().invoke(main, [*words[1:], "--help"])
            assert parsed.exit_code == 0, f"{example}: {parsed.output}"


def test_the_command_lists_are_not_cut_off() -> None:
    for args in ([], ["index"]):
        text, _ = _help_examples(args)
        commands = text.split("Commands:")[1].split("Examples:")[0]
        assert "..." not in commands, commands
