"""An index whose B-tree pages are out of order (issue 26, item 5): with leaf pages of the
``fingerprints`` table swapped, SQLite's ``quick_check`` says "ok" while a
lookup descends to a leaf holding other rows and misses copies. ``check`` refuses such an
index, naming what its lookups missed; ``add`` refuses it before writing; ``index verify``
lists the damage."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup import DuplicateIndex
from neardup.cli import main

LAWS = Path(__file__).resolve().parent / "data" / "laws_sample.jsonl.gz"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def leaves(path: Path, table: str) -> list[int]:
    """The leaf pages of a table, in key order (SQLite's dbstat table)."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            (table,),
        ).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find the leaf pages")
    finally:
        db.close()
    return [page for (page,) in rows]


def swapped(sound: Path, copy: Path, table: str, swaps: int) -> Path:
    """A copy of ``sound`` with ``swaps`` pairs of the table's inner leaf pages swapped."""
    shutil.copyfile(sound, copy)
    pages = leaves(copy, table)[1:-1]  # the ends are what the glance reads
    size = 4096
    rng = random.Random(26)
    with copy.open("r+b") as handle:
        for _ in range(swaps):
            a, b = rng.sample(pages, 2)
            handle.seek((a - 1) * size)
            first = handle.read(size)
            handle.seek((b - 1) * size)
            second = handle.read(size)
            handle.seek((a - 1) * size)
            handle.write(second)
            handle.seek((b - 1) * size)
            handle.write(first)
    return copy


@pytest.fixture(scope="module")
def laws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An index of 150 laws, and a batch of 30 partial copies (40-60% of a law's lines
    inside another, unindexed, law)."""
    with gzip.open(LAWS, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle][:200]
    indexed, hosts = records[:150], records[150:]
    folder = tmp_path_factory.mktemp("order")
    path = folder / "laws.ndx"
    with DuplicateIndex.create(path) as index:
        index.add({r["id"]: r["text"] for r in indexed})
    rng = random.Random(5)
    batch = folder / "copies.jsonl"
    with batch.open("w", encoding="utf-8") as out:
        for n in range(30):
            lines = rng.choice(indexed)["text"].splitlines()
            share = rng.uniform(0.4, 0.6)
            start = rng.randrange(max(1, int(len(lines) * (1 - share))))
            taken = lines[start : start + max(1, int(len(lines) * share))]
            host = rng.choice(hosts)["text"].splitlines()
            at = rng.randrange(len(host) + 1)
            text = "\n".join([*host[:at], *taken, *host[at:]])
            out.write(json.dumps({"id": f"copy{n}", "text": text}, ensure_ascii=False) + "\n")
    return path, batch


@pytest.mark.slow  # builds and damages a real index of laws: about 3 s
def test_check_refuses_fingerprint_pages_out_of_order(
    laws: tuple[Path, Path], tmp_path: Path
) -> None:
    sound, batch = laws
    found = run("check", batch, "--index", sound, "--containment", "0.3", "-q", "-f", "json")
    assert found.exit_code == 1, found.output
    assert len(json.loads(found.stdout)["pairs"]) >= 25
    copy = swapped(sound, tmp_path / "swapped.ndx", "fingerprints", 6)
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA quick_check").fetchall() == [("ok",)]  # SQLite cannot see it
    db.close()
    verified = run("index", "verify", copy)
    assert verified.exit_code == 1 and "PRIMARY KEY order" in verified.stdout
    checked = run("check", batch, "--index", copy, "--containment", "0.3", "-q", "-f", "json")
    assert checked.exit_code == 2, checked.output
    assert checked.stderr.startswith(
        f"neardup: error: {copy}: damaged index: the fingerprints table does not give "
        "fingerprint "
    ), checked.stderr
    assert "rebuild it" in checked.stderr and "Traceback" not in checked.output
    before = copy.read_bytes()
    added = run("index", "add", copy, batch, "-q")
    assert added.exit_code == 2 and "PRIMARY KEY order" in added.stderr, added.output
    assert "nothing was written" in added.stderr
    assert copy.read_bytes() == before
