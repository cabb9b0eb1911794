"""Heap and garbage-collector settings of neardup's own processes."""

from __future__ import annotations

import gc
import platform
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import neardup.cli as cli
import neardup.cli.scan as scan_command
from neardup import (
    find_duplicates,
    load_documents,
)
from neardup.engine.memory import collector_paused, keep_freed_memory
from neardup.engine.workers import Workers

DATA = Path(__file__).resolve().parent / "data"


def test_heap_settings_take_effect_with_glibc() -> None:

    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert keep_freed_memory() == glibc


def test_a_library_run_leaves_the_garbage_collector_alone(seeds_dir: Path) -> None:

    states: set[bool] = set()
    find_duplicates(load_documents(seeds_dir), progress=lambda *_: states.add(gc.isenabled()))
    assert states == {True} and gc.isenabled()


def test_the_command_line_pauses_the_garbage_collector_for_a_scan(
    seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:



    states: list[bool] = []

    def recording(*args: object, **kwargs: object) -> object:
        states.append(gc.isenabled())
        return find_duplicates(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scan_command, "find_duplicates", recording)
    result = CliRunner().invoke(cli.main, ["scan", str(seeds_dir), "--quiet"])
    assert result.exit_code == 0 and states == [False] and gc.isenabled()
    result = CliRunner().invoke(cli.main, ["scan", str(seeds_dir / "missing.txt")])
    assert result.exit_code == 2 and gc.isenabled()  # restored after a failure too


@pytest.mark.slow
def test_worker_processes_collect_garbage_while_the_run_pauses_it() -> None:


    workers = Workers(2)
    try:
        with collector_paused():
            assert not gc.isenabled()
            assert workers.pool().submit(gc.isenabled).result()
    finally:
        workers.close()
