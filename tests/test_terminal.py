"""The text report in a real terminal (tmux): ids and titles holding escape sequences neither
rename the window nor erase or overwrite report lines (issue 15, item 2)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")

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
