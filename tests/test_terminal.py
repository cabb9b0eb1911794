"""The text report in a real terminal (tmux): ids and titles holding escape sequences neither
rename the window nor erase or overwrite report lines (issue 15, item 2)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed"),
              pytest.mark.slow]  # a terminal per test: CI runs them, not -m "not slow"

TEXT = "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观，晚上去王府井吃烤鸭。" * 3


@pytest.fixture()
def tmux() -> Iterator[list[str]]:
    """The tmux command on a private server, killed afterwards."""
    command = ["tmux", "-L", f"neardup-{uuid.uuid4().hex[:8]}"]
    yield command
    subprocess.run([*command, "kill-server"], capture_output=True, check=False)


def test_escape_sequences_in_ids_and_titles_do_not_drive_the_terminal(
    tmux: list[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "hostile.jsonl"
    records = [
        {"id": "a\x1b]0;PWNED\x07", "title": "t\x1b[2K\x1b[1A\x1b[2Kfake", "text": TEXT},
        {"id": "b\x1b]8;;http://example.invalid/\x1b\\link\x1b]8;;\x1b\\", "text": TEXT + "再见。"},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    shell = (f"{shlex.quote(sys.executable)} -m neardup scan {shlex.quote(str(corpus))}; "
             "echo NEARDUP-DONE; sleep 600")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([*tmux, "new-session", "-d", "-x", "200", "-y", "50", shell], env=env,
                   check=True)
    screen = ""
    for _ in range(600):  # until the scan is done (a bound, not a timing)
        screen = subprocess.run([*tmux, "capture-pane", "-p", "-J"], capture_output=True,
                                text=True, check=True).stdout
        if "NEARDUP-DONE" in screen:
            break
        time.sleep(0.1)
    assert "NEARDUP-DONE" in screen
    title = subprocess.run([*tmux, "display-message", "-p", "#{pane_title}"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert "PWNED" not in title
    assert "neardup: 2 documents read" in screen  # not erased
    assert "a\\x1b]0;PWNED\\x07" in screen  # shown, escaped
    assert "t\\x1b[2K\\x1b[1A\\x1b[2Kfake" in screen
    assert "\\x1b]8;;http://example.invalid/" in screen


def _run_in_tmux(tmux: list[str], tmp_path: Path, command: str, width: int = 100) -> str:
    """Run ``command`` in a tmux pane of ``width`` columns, everything it draws logged; the
    log once the command is done."""
    log = tmp_path / "terminal.log"
    shell = f"{command}; echo NEARDUP-DONE; sleep 600"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([*tmux, "new-session", "-d", "-x", str(width), "-y", "40", "sleep 1; " + shell],
                   env=env, check=True)
    subprocess.run([*tmux, "pipe-pane", "-o", f"cat >> {shlex.quote(str(log))}"], check=True)
    for _ in range(1200):  # until the command is done (a bound, not a timing)
        if log.exists() and b"NEARDUP-DONE" in log.read_bytes():
            break
        time.sleep(0.1)
    return log.read_bytes().decode("utf-8", "replace")


def _screen(tmux: list[str]) -> str:
    return subprocess.run([*tmux, "capture-pane", "-p", "-J"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.slow  # a real scan of 30,000 documents, long enough for the bar to show an ETA
def test_reading_shows_total_percentage_and_eta_then_one_summary_line(
    tmux: list[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "news.jsonl"
    with corpus.open("w", encoding="utf-8") as handle:
        for i in range(30_000):
            text = f"第{i}条消息：" + TEXT[i % 7 :] + f"编号{i * 7919 % 100_003}。"
            handle.write(json.dumps({"id": f"n{i}", "text": text}, ensure_ascii=False) + "\n")
    size = corpus.stat().st_size
    command = (f"{shlex.quote(sys.executable)} -m neardup scan {shlex.quote(str(corpus))} "
               f"--no-passages -w 1 -o {shlex.quote(str(tmp_path / 'report.html'))}")
    drawn = _run_in_tmux(tmux, tmp_path, command)
    assert "NEARDUP-DONE" in drawn
    frames = re.findall(r"reading and hashing: +(\d+)%\|[^\r\n]*?/([\d.]+)M ", drawn)
    assert frames, drawn[-2000:]
    assert {float(total) for _, total in frames} == {round(size / 2**20, 1)}  # the file's size
    assert "<" in drawn.split("reading and hashing")[-1]  # elapsed<remaining: an ETA
    screen = _screen(tmux)
    assert re.search(r"neardup: [\d,]+ pairs? in [\d,]+ clusters? among 30,000 documents; "
                     r"report written to .*report\.html", screen)


def test_the_text_report_fits_the_terminal(tmux: list[str], tmp_path: Path) -> None:
    records = [{"id": "一份很长的文件名" * 6 + "甲", "title": "标题" * 30, "text": TEXT},
               {"id": "b" * 150, "text": TEXT + "再见。"}]
    corpus = tmp_path / "wide.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    _run_in_tmux(tmux, tmp_path, f"{shlex.quote(sys.executable)} -m neardup scan "
                 f"{shlex.quote(str(corpus))}", width=72)
    rows = subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    joined = [line.rstrip() for line in _screen(tmux).splitlines()]
    assert joined == [row.rstrip() for row in rows]  # no line was longer than the terminal
    assert "Pairs" in rows
    assert any(row.lstrip().startswith(("a: 一份很长", "b: 一份很长")) for row in rows)


def test_file_names_are_not_broken_across_rows(tmux: list[str], tmp_path: Path) -> None:
    """A scanned folder's file names (paths with Chinese in them) stay whole in a row of a
    120-column terminal: they were cut mid-name where the row ended."""
    folder = tmp_path / "法规" / "地方性法规" / "北京"
    folder.mkdir(parents=True)
    names = [f"北京市优化营商环境条例实施办法({day}).txt" for day in ("2020-03-27", "2024-11-29")]
    for name, extra in zip(names, ("", "再见。"), strict=True):
        (folder / name).write_text(TEXT * 4 + extra, encoding="utf-8")
    _run_in_tmux(tmux, tmp_path, f"cd {shlex.quote(str(tmp_path))} && "
                 f"{shlex.quote(sys.executable)} -m neardup scan 法规 --preset copies",
                 width=120)
    rows = subprocess.run([*tmux, "capture-pane", "-p", "-S", "-200"], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    ids = [f"地方性法规/北京/{name}" for name in names]
    assert "Pairs" in rows and any(row.rstrip().endswith("<->") for row in rows)
    started = sum(row.count("地方性法规/北京/") for row in rows)
    whole = sum(row.count(doc_id) for row in rows for doc_id in ids)
    assert started == whole >= 6, rows  # every name begun in a row ends in it
