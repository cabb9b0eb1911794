"""What finding damage in an index costs, and how much of it each check finds (issue 15).

Two measurements::

    python benchmarks/index_damage.py cost INDEX          # an existing index file
    python benchmarks/index_damage.py scribbles [N]       # N damaged copies of a small index

``cost`` times, on an index built beforehand (e.g. ``neardup index add`` of a generated
corpus), what runs before every query (the glance), before every ``add`` and ``remove``
(SQLite's ``quick_check`` and the row counts) and what ``neardup index verify`` runs
(``integrity_check`` and neardup's invariants), each once, best of ``--repeat``; the page
cache is whatever the machine has (a cold run reads the whole file once more).

``scribbles`` repeats the experiment of the issue on a 1,500-document index (about 13 MiB):
each copy gets 4 KB (``--bytes``) of random bytes at a random offset, and the script counts
the copies each check finds damaged: the glance every query makes, the row counts alone,
``quick_check``, ``integrity_check`` and ``verify``; and how the query of a batch (copies of
every fourth indexed document) ends on each: refused, the same pairs as on the sound index,
or other pairs (damage used silently). The file name has no ``bench_``/``test_`` prefix, so
pytest does not collect it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from neardup import DuplicateIndex, IndexFileError
from neardup.index import damage
from neardup.index.file import DEFAULT_CACHE_MB, open_file

CHARS = (
    "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出要于就下得可你年生会自着去过家"
    "学对她里后小么心多天而能好都然没日起还发成事只作当想看文无开手十用主行方又如前所本见经头面"
    "公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情"
)


def best(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def cost(path: str, repeat: int) -> None:
    db, header = open_file(path, 60.0, DEFAULT_CACHE_MB)
    with DuplicateIndex.open(path) as idx:
        documents = len(idx)
        size = os.path.getsize(path) + (os.path.getsize(path + "-wal")
                                        if os.path.exists(path + "-wal") else 0)
        rows = {
            "glance (before every query)": lambda: damage.glance_problems(db, path, header),
            "row counts": lambda: damage.count_problems(db, header),
            "quick_check": lambda: damage.sqlite_problems(db, "quick_check"),
            "before a write (quick_check + counts)": idx.check_sound,
            "integrity_check": lambda: damage.sqlite_problems(db, "integrity_check"),
            "index verify (all of it)": idx.verify,
        }
        print(f"{path}: {documents:,} documents, {size / 2**20:,.0f} MiB")
        for name, run in rows.items():
            print(f"  {name:40s} {best(run, repeat):8.2f} s")


def pairs_of(
    idx: DuplicateIndex, batch: dict[str, str], containment: float | None
) -> list[tuple[str, str, float]]:
    """The pairs a query of ``batch`` finds."""
    report = idx.query(batch, containment=containment)
    return [(p.a, p.b, p.jaccard) for p in report.pairs]


def scribbles(count: int, seed: int, width: int) -> None:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="neardup-scribbles-"))
    try:
        sound = folder / "sound.ndx"
        with DuplicateIndex.create(sound) as idx:
            idx.add({
                f"d{i}": "".join(rng.choice(CHARS) for _ in range(rng.choice((200, 1000, 5000))))
                for i in range(1500)
            })
        size = sound.stat().st_size
        with DuplicateIndex.open(sound) as idx:
            texts = idx.texts(idx.ids()[::4])
        batch = {f"copy-{i}": "乙" + text[1:] for i, text in texts.items()}
        with DuplicateIndex.open(sound) as idx:
            answers = {c: pairs_of(idx, batch, c) for c in (None, 0.5)}
        found = dict.fromkeys(("open", "glance", "row counts", "quick_check", "integrity_check",
                               "verify"), 0)
        checked = dict.fromkeys(("refused", "same pairs", "other pairs"), 0)
        for _ in range(count):
            copy = folder / "copy.ndx"
            shutil.copyfile(sound, copy)
            with copy.open("r+b") as handle:
                handle.seek(rng.randrange(0, size - width))
                handle.write(rng.randbytes(width))
            try:
                idx = DuplicateIndex.open(copy)
                db, header = open_file(str(copy), 60.0, DEFAULT_CACHE_MB)
            except IndexFileError:
                found["open"] += 1
                continue
            with idx:
                found["glance"] += bool(damage.glance_problems(db, str(copy), header))
                for containment, answer in answers.items():
                    try:
                        same = pairs_of(idx, batch, containment) == answer
                        checked["same pairs" if same else "other pairs"] += 1
                    except IndexFileError:
                        checked["refused"] += 1
                found["row counts"] += bool(damage.count_problems(db, header))
                found["quick_check"] += bool(damage.sqlite_problems(db, "quick_check"))
                found["integrity_check"] += bool(
                    damage.sqlite_problems(db, "integrity_check")
                )
                found["verify"] += not idx.verify().sound
            db.close()
        print(f"{count} copies of a {size / 2**20:.1f} MiB index, {width} random bytes "
              "written into each:")
        print(f"  refused on opening: {found.pop('open')}")
        for name, number in found.items():
            print(f"  {name:16s} finds {number} of the others")
        print(f"  queries of {len(batch)} copies of indexed documents (Jaccard, and "
              "containment 0.5) on the others: "
              + ", ".join(f"{name} {number}" for name, number in checked.items()))
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    timing = commands.add_parser("cost", help="time the checks on an index file")
    timing.add_argument("index")
    timing.add_argument("--repeat", type=int, default=2)
    damage = commands.add_parser("scribbles", help="count what each check finds")
    damage.add_argument("count", type=int, nargs="?", default=200)
    damage.add_argument("--seed", type=int, default=7)
    damage.add_argument("--bytes", type=int, default=4096, help="bytes of each scribble")
    args = parser.parse_args()
    if args.command == "cost":
        cost(args.index, args.repeat)
    else:
        scribbles(args.count, args.seed, args.bytes)


if __name__ == "__main__":
    main()
