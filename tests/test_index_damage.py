"""Damaged and locked index files (issue 15, items 5-7): ``index verify`` finds the damage,
``add`` and ``remove`` refuse it before writing, ``info`` and ``check`` fail cleanly, and a
locked index says at once that it waits."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup import DuplicateIndex
from neardup.cli import main

CHARS = (
    "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出要于就下得可你年生会自着去"
    "过家学对她里后小么心多天而能好都然没日起还发成事只作当想看文无开手十用主行方又如前所本见"
)
SCRIBBLES = 16
"""Damaged copies, each with one random 4 KB overwrite (the experiment of the issue)."""


def run(*args: str | Path) -> Result:
    """The command in-process; an exception escaping it (a traceback) fails the test."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def sound_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 120 documents of 300 random characters (about 300 KB on disk)."""
    rng = random.Random(15)
    path = tmp_path_factory.mktemp("damage") / "sound.ndx"
    docs = {f"d{i}": "".join(rng.choice(CHARS) for _ in range(300)) for i in range(120)}
    with DuplicateIndex.create(path) as idx:
        idx.add(docs)
    return path


@pytest.fixture(scope="module")
def new_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "new.jsonl"
    path.write_text(json.dumps({"id": "new", "text": "今天天气很好我们去公园玩" * 5}) + "\n",
                    encoding="utf-8")
    return path


def scribbled_copies(sound: Path, folder: Path) -> Iterator[Path]:
    """Copies of ``sound``, each with 4 KB of random bytes written at a random offset."""
    rng = random.Random(20260415)
    size = sound.stat().st_size
    for k in range(SCRIBBLES):
        copy = folder / f"scribbled-{k}.ndx"
        shutil.copyfile(sound, copy)
        with copy.open("r+b") as handle:
            handle.seek(rng.randrange(0, size - 4096))
            handle.write(rng.randbytes(4096))
        yield copy


def test_a_sound_index_verifies(sound_index: Path) -> None:
    result = run("index", "verify", sound_index)
    assert result.exit_code == 0
    assert result.stdout == f"{sound_index}: sound (120 documents)\n"


def test_sixteen_scribbled_copies(sound_index: Path, new_batch: Path, tmp_path: Path) -> None:
    """Every damaged copy is caught by verify and refused by add (which writes nothing);
    info and check never show a traceback."""
    for copy in scribbled_copies(sound_index, tmp_path):
        verified = run("index", "verify", copy)
        assert verified.exit_code == 1, (copy, verified.output)
        assert "damaged index" in verified.stdout and "Rebuild it" in verified.stdout
        before = copy.read_bytes()
        added = run("index", "add", copy, new_batch, "-q")
        assert added.exit_code == 2, (copy, added.output)
        assert "damaged index" in added.stderr and "rebuild it" in added.stderr
        assert copy.read_bytes() == before
        info = run("index", "info", copy)
        assert info.exit_code in (0, 2)
        assert info.exit_code == 0 or "damaged index" in info.stderr
        for extra in ([], ["--containment", "0.5"]):
            checked = run("check", new_batch, "--index", copy, "-q", *extra)
            assert checked.exit_code == 2, (copy, extra, checked.output)
            assert checked.stderr.startswith("neardup: error: ")
        removed = run("index", "remove", copy, "d1")
        assert removed.exit_code == 2 and "damaged index" in removed.stderr


def damaged(sound: Path, folder: Path, *statements: str) -> Path:
    """A copy of ``sound`` changed by SQL: damage SQLite's checks cannot see."""
    copy = folder / "changed.ndx"
    shutil.copyfile(sound, copy)
    db = sqlite3.connect(copy)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return copy


@pytest.mark.parametrize(
    ("statements", "found", "refused"),
    [
        (["DELETE FROM bands WHERE doc = 7 AND band = 3"], "bands table has 3,839 rows", True),
        (["DELETE FROM fingerprints WHERE doc = 9 AND fingerprint = "
          "(SELECT min(fingerprint) FROM fingerprints WHERE doc = 9)"],
         "fingerprints table has", True),
        (["UPDATE docs SET signature = zeroblob(512) WHERE doc = 3"],
         "bands table does not hold the band keys", False),
        (["UPDATE docs SET signature = zeroblob(100) WHERE doc = 3"],
         "signature is not 128 uint32 values", False),
        (["UPDATE docs SET text = x'789c0000' WHERE doc = 5"], "stored text is damaged", False),
        (["UPDATE docs SET text = NULL WHERE doc = 5"], "no text stored", False),
        (["UPDATE docs SET fingerprints = x'010000000100000002' WHERE doc = 2"],
         "fingerprint list is not uint32 values", True),
    ],
)
def test_verify_finds_what_sqlite_cannot(
    sound_index: Path, new_batch: Path, tmp_path: Path, statements: list[str], found: str,
    refused: bool,
) -> None:
    copy = damaged(sound_index, tmp_path, *statements)
    result = run("index", "verify", copy)
    assert result.exit_code == 1
    assert found in result.stdout
    added = run("index", "add", copy, new_batch, "-q")
    assert added.exit_code == (2 if refused else 0)  # the quick check only counts rows


def test_info_on_a_damaged_file_is_a_message(sound_index: Path, tmp_path: Path) -> None:
    """The damage of the issue: overwritten pages under the docs table's root."""
    copy = tmp_path / "broken.ndx"
    shutil.copyfile(sound_index, copy)
    db = sqlite3.connect(copy)
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'bands'").fetchone()[0]
    page = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with copy.open("r+b") as handle:
        handle.seek((root - 1) * page)
        handle.write(b"\xff" * page)
    result = run("index", "info", copy)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"neardup: error: {copy}: damaged index")


def test_a_locked_index_says_at_once_that_it_waits(
    sound_index: Path, new_batch: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "locked.ndx"
    shutil.copyfile(sound_index, copy)
    writer = sqlite3.connect(copy, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        result = run("index", "add", copy, new_batch, "--wait", "0.2")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (f"neardup: {copy}: another process is writing the index; waiting for "
                        "it (up to 0.2 s, --wait SECONDS)")
    assert "another process was still writing it after 0.2 s" in lines[1]
    assert run("index", "add", copy, new_batch, "-q").exit_code == 0  # no longer locked
