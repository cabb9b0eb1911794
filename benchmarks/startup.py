"""What a command costs before it does its work, and ``check`` against a large index (issue 17).

Three measurements::

    python benchmarks/startup.py commands [--index INDEX --batch BATCH...] [--runs 10]
    python benchmarks/startup.py numba
    python benchmarks/startup.py build-index CORPUS INDEX [--docs N]

``commands`` runs each command in a fresh process (``python -m neardup ...``, as the
``neardup`` script does), round-robin ``--runs`` times, and prints the median and the range
of the wall times: ``--version``, ``--help``, each command's ``--help`` and, with an index,
``index info`` and ``check`` of each batch (JSON Lines) against it. It also lists the heavy
packages each command imported (from one run with ``-X importtime``).

``numba`` times, in fresh processes, a first call of the numba kernel with an empty cache
directory (``NUMBA_CACHE_DIR``: the compile) and then twice with that cache (the cached
start: importing numba and loading the compiled kernel), and says whether the cache was hit
(``NUMBA_DEBUG_CACHE``).

``build-index`` builds a large index quickly for these measurements: the rows are made by
neardup's own code for ``index add`` (:func:`neardup.index.adding.rows_to_add`), the
documents written in order, then the band and fingerprint rows sorted by their keys and
written in that order (``index add`` writes them as they come, into B-trees that do not fit
its page cache: 1 h 24 min for 1M documents). ``neardup index verify`` checks the result.

The file name has no ``bench_``/``test_`` prefix, so pytest does not collect it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from measure import run_measured, src_environment  # noqa: E402

from neardup import DuplicateIndex, read_documents  # noqa: E402
from neardup.core.lsh import band_keys  # noqa: E402
from neardup.index.adding import Adding, rows_to_add  # noqa: E402
from neardup.index.statements import stored_fingerprints  # noqa: E402
from neardup.stages.hashing import BATCH_DOCS  # noqa: E402

HEAVY = ("numpy", "numba", "llvmlite", "scipy", "sqlite3", "jieba", "tqdm", "datasketch")


def wall(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds a fresh process running ``args`` takes (its output discarded): wall, and CPU
    (user + system; what it would take on an idle core, about, when the machine is busy)."""
    done = run_measured(args, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return done.seconds, done.cpu_seconds


def imported(args: list[str], env: dict[str, str]) -> list[str]:
    """The packages of :data:`HEAVY` that ``python -X importtime`` shows ``args`` importing."""
    done = subprocess.run([args[0], "-X", "importtime", *args[1:]], capture_output=True,
                          text=True, env=env, check=False)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0]
             for line in done.stderr.splitlines() if line.startswith("import time:")}
    return [name for name in HEAVY if name in names]


def commands(index: str | None, batches: list[str], runs: int) -> None:
    env = src_environment()
    neardup = [sys.executable, "-m", "neardup"]
    cases = {
        "--version": ["--version"],
        "--help": ["--help"],
        "scan --help": ["scan", "--help"],
        "check --help": ["check", "--help"],
        "index --help": ["index", "--help"],
        "dedup --help": ["dedup", "--help"],
    }
    if index:
        cases["index info"] = ["index", "info", index]
    for path in batches if index else []:
        cases[f"check {Path(path).name}"] = ["check", path, "--index", index, "-q"]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):  # round-robin: the machine's load falls on every command alike
        for name, args in cases.items():
            times[name].append(wall([*neardup, *args], env))
    print(f"{runs} runs each, round-robin, fresh processes ({sys.executable} -m neardup), "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| command | wall s (median) | wall min–max | CPU s (median) | heavy imports |")
    print("| --- | --: | --: | --: | --- |")
    for name, args in cases.items():
        heavy = ", ".join(imported([*neardup, *args], env)) or "none"
        walls = [w for w, _ in times[name]]
        cpu = statistics.median(c for _, c in times[name])
        print(f"| `neardup {name}` | {statistics.median(walls):.3f} | "
              f"{min(walls):.2f}–{max(walls):.2f} | {cpu:.3f} | {heavy} |")


KERNEL_CALL = (
    "import time; started = time.perf_counter()\n"
    "import numpy as np\n"
    "from neardup.core.minhash_numba import minhash_ngrams\n"
    "loaded = time.perf_counter()\n"
    "from neardup.core.minhash import warm_up; warm_up()\n"
    "done = time.perf_counter()\n"
    "print(f'{loaded - started:.3f} {done - loaded:.3f}')\n"
)


def numba_cache(runs: int) -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = src_environment(NUMBA_CACHE_DIR=cache)
        print("| start | import numba + kernel module s | first call s | total s | cache |")
        print("| --- | --: | --: | --: | --- |")
        for k in range(1 + runs):
            probe = subprocess.run(
                [sys.executable, "-c", KERNEL_CALL], capture_output=True, text=True,
                env={**env, "NUMBA_DEBUG_CACHE": "1"}, check=True,
            )
            load, call = (float(x) for x in probe.stdout.split()[-2:])
            hit = "hit" if "data loaded from" in probe.stdout + probe.stderr else "compiled"
            name = "first (empty cache)" if k == 0 else f"cached, run {k}"
            print(f"| {name} | {load:.2f} | {call:.2f} | {load + call:.2f} | {hit} |")


def write_sorted(db: sqlite3.Connection, sql: str, rows: np.ndarray) -> None:
    """Insert the rows of an int64 array, a million at a time."""
    for lo in range(0, rows.shape[0], 1_000_000):
        db.executemany(sql, rows[lo : lo + 1_000_000].tolist())


def build_index(corpus: str, out: str, limit: int | None) -> None:
    """Build ``out`` from the first ``limit`` documents of ``corpus``: see the module
    docstring."""
    started = time.perf_counter()
    with DuplicateIndex.create(out) as idx:
        parameters = idx.parameters
    db = sqlite3.connect(out, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1048576")  # 1 GiB
    db.execute("BEGIN IMMEDIATE")
    documents: Iterator[object] = iter(read_documents([corpus]))
    if limit:
        documents = itertools.islice(documents, limit)
    adding = Adding()
    band_parts: list[np.ndarray] = []
    fingerprint_parts: list[np.ndarray] = []  # uint64: (signed fingerprint + 2**31) << 32 | doc
    next_doc = 1
    for rows in rows_to_add(documents, BATCH_DOCS, adding, parameters, True, True,
                            originals=True):
        docs = np.arange(next_doc, next_doc + len(rows.rows), dtype=np.int64)
        db.executemany(
            "INSERT INTO docs (doc, id, title, source, length, shingles, signature, "
            "fingerprints, text, original) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((int(d), *row) for d, row in zip(docs, rows.rows, strict=True)),
        )
        sigs = np.frombuffer(b"".join(r[5] for r in rows.rows), dtype="<u4").reshape(
            len(rows.rows), parameters.num_perm).astype(np.uint32)
        keys = band_keys(sigs, parameters.banding).view(np.int64)
        bands = keys.shape[1]
        band_parts.append(np.stack([
            np.tile(np.arange(bands, dtype=np.int64), len(docs)), keys.ravel(),
            np.repeat(docs, bands),
        ], axis=1))
        lists = [np.frombuffer(r[6], dtype="<u4").astype(np.uint32) for r in rows.rows]
        # one uint64 per row, ordered as the table's key: signed fingerprint, then doc
        signed = stored_fingerprints(np.concatenate(lists)) + (1 << 31)
        fingerprint_parts.append(
            (signed.astype(np.uint64) << np.uint64(32))
            | np.repeat(docs, [f.size for f in lists]).astype(np.uint64)
        )
        next_doc += len(rows.rows)
        if (next_doc - 1) % 100_000 < len(rows.rows):
            print(f"  {next_doc - 1:,} documents hashed ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    adding.intake.check()
    triples = np.concatenate(band_parts)
    band_parts.clear()
    triples = triples[np.lexsort(triples.T[::-1])]
    write_sorted(db, "INSERT INTO bands (band, key, doc) VALUES (?, ?, ?)", triples)
    print(f"  {triples.shape[0]:,} band rows written ({time.perf_counter() - started:.0f} s)",
          flush=True)
    del triples
    packed = np.concatenate(fingerprint_parts)
    fingerprint_parts.clear()
    packed.sort()
    for lo in range(0, packed.size, 1_000_000):
        chunk = packed[lo : lo + 1_000_000]
        pairs = np.stack([(chunk >> np.uint64(32)).astype(np.int64) - (1 << 31),
                          (chunk & np.uint64(0xFFFFFFFF)).astype(np.int64)], axis=1)
        write_sorted(db, "INSERT INTO fingerprints (fingerprint, doc) VALUES (?, ?)", pairs)
    print(f"  {packed.size:,} fingerprint rows written ({time.perf_counter() - started:.0f} s)",
          flush=True)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    size = os.path.getsize(out)
    print(f"{out}: {next_doc - 1:,} documents, {size / 2**20:,.0f} MiB, "
          f"built in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    timing = sub.add_parser("commands", help="time commands in fresh processes")
    timing.add_argument("--index")
    timing.add_argument("--batch", action="append", default=[],
                        help="a batch (JSON Lines) to check against INDEX (repeatable)")
    timing.add_argument("--runs", type=int, default=10)
    cache = sub.add_parser("numba", help="the numba kernel: compile and cached start")
    cache.add_argument("--runs", type=int, default=2)
    build = sub.add_parser("build-index", help="build a large index for the measurements")
    build.add_argument("corpus")
    build.add_argument("index")
    build.add_argument("--docs", type=int, default=None)
    args = parser.parse_args()
    if args.command == "commands":
        commands(args.index, args.batch, args.runs)
    elif args.command == "numba":
        numba_cache(args.runs)
    else:
        build_index(args.corpus, args.index, args.docs)


if __name__ == "__main__":
    main()
