"""Passages of two huge documents (issue 17, item 4): time against length, to show that the
passage search grows linearly in the text.

The documents are laws joined end to end (the shared corpus, else the committed sample,
repeated), cut to each size: ``identical`` pairs a text with itself, ``edited`` with a copy
that lost a stretch in its first third and had a stretch moved to its end. Sizes run round
robin (``--repeat`` rounds), each in this process; wall and CPU time are reported, and CPU
time per character, which is what must stay flat for the search to be linear.

``--cli`` also times ``neardup scan`` of two files of the largest size, the second with one
sentence more (identical files would be one group of identical documents, with no pair to
search), the whole run, reading and hashing included, in a temporary directory.

Run from the repository root::

    PYTHONPATH=src python benchmarks/passages_scale.py 1000000 2000000 5000000 17000000
    NEARDUP_KERNEL=numpy PYTHONPATH=src python benchmarks/passages_scale.py 1000000 2000000
    PYTHONPATH=src python benchmarks/passages_scale.py 17000000 --cli

``--make-pair DIR`` writes the files of the end-to-end figure: laws then news joined until
50 MB, as ``DIR/a.txt`` and its copy ``DIR/b.txt`` (identical), and ``DIR/c.txt`` with an
edit every 10,000 to 30,000 characters (one character inserted, up to five deleted, or two
replaced). ``--scan A B`` times ``neardup scan A B`` as a person types it (default options,
the text report, here sent to a file), ``--runs`` times, alternating with the same command
run on the sources given by ``--against`` (another checkout's ``src``), if any::

    PYTHONPATH=src python benchmarks/passages_scale.py --make-pair ../pair
    PYTHONPATH=src python benchmarks/passages_scale.py --scan ../pair/a.txt ../pair/c.txt \
        --runs 3 --against ../main/src
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import load_corpus
from measure import checked, run_measured

from neardup import shared_passages
from neardup.core.kernels import kernel_name


def joined_laws(size: int) -> str:
    """``size`` characters of laws joined end to end (repeated when the corpus is shorter)."""
    _, texts, _ = load_corpus("laws")
    joined = "\n".join(texts)
    return (joined * (size // len(joined) + 1))[:size]


def edited(text: str) -> str:
    """``text`` without a stretch of its first third, and with a stretch moved to its end."""
    size = len(text)
    cut, moved = size // 3, slice(size // 2, size // 2 + size // 50)
    return text[:cut] + text[cut + size // 200 : moved.start] + text[moved.stop :] + text[moved]


def measure(a: str, b: str) -> tuple[float, float, int]:
    """Wall and CPU seconds of :func:`shared_passages`, and the passages found."""
    wall, cpu = time.perf_counter(), time.process_time()
    evidence = shared_passages(a, b)
    return time.perf_counter() - wall, time.process_time() - cpu, len(evidence.passages)


def scan_two_files(text: str) -> float:
    """Seconds of ``neardup scan`` of two files: ``text``, and ``text`` with one sentence
    more."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "a.txt").write_text(text, encoding="utf-8")
        Path(folder, "b.txt").write_text(text + "本条例自公布之日起施行。", encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "neardup", "scan", folder, "-q",
                        "-o", str(Path(folder, "report.json"))], check=True)
        return time.perf_counter() - started


def make_pair(folder: Path, size: int = 50_000_000, seed: int = 17) -> None:
    """Write ``a.txt`` (laws, then news, joined until ``size`` bytes of UTF-8), its copy
    ``b.txt`` and ``c.txt``, ``a.txt`` with scattered edits (see the module docstring)."""
    _, laws, _ = load_corpus("laws")
    _, news, _ = load_corpus("news")
    text = "\n".join(laws + news).encode("utf-8")[:size].decode("utf-8", "ignore")
    rng = random.Random(seed)
    parts, position = [], 0
    while position < len(text):
        step = rng.randint(10_000, 30_000)
        parts.append(text[position : position + step])
        position += step
        edit = rng.randint(0, 2)
        if edit == 0:
            parts.append("某")
        elif edit == 1:
            position += rng.randint(1, 5)
        else:
            parts.append("修订")
            position += 2
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (("a.txt", text), ("b.txt", text), ("c.txt", "".join(parts))):
        Path(folder, name).write_text(content, encoding="utf-8")


def time_scan(a: str, b: str, source: str | None) -> tuple[float, float]:
    """Wall and CPU seconds (the child's user + system) of ``neardup scan a b`` with its
    text report sent to a temporary file; ``source``: the ``src`` to run, else this one."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = source
    with tempfile.TemporaryFile() as report:
        command = [sys.executable, "-m", "neardup", "scan", a, b]
        done = checked(run_measured(command, env, stdout=report), "neardup scan")
    return done.seconds, done.cpu_seconds


def scan_runs(a: str, b: str, runs: int, against: str | None) -> None:
    """Alternating runs of ``neardup scan a b`` (this source, then ``against``'s), with the
    load average before each, and the medians."""
    sides = [("this", None)] + ([("against", against)] if against else [])
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in sides}
    print("| run | side | load (1 min) | wall s | CPU s |")
    print("|---:|---|---:|---:|---:|")
    for run in range(1, runs + 1):
        for name, source in sides:
            load = os.getloadavg()[0]
            wall, cpu = time_scan(a, b, source)
            times[name].append((wall, cpu))
            print(f"| {run} | {name} | {load:.2f} | {wall:.2f} | {cpu:.2f} |", flush=True)
    for name, rows in times.items():
        print(f"median {name}: wall {statistics.median(w for w, _ in rows):.2f} s, "
              f"CPU {statistics.median(c for _, c in rows):.2f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int,
                        default=[1_000_000, 2_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the sizes")
    parser.add_argument("--pairs", choices=["identical", "edited", "both"], default="both")
    parser.add_argument("--cli", action="store_true",
                        help="also time `neardup scan` of two near-identical files, largest size")
    parser.add_argument("--make-pair", metavar="DIR", type=Path,
                        help="write the 50 MB files a.txt, b.txt (identical), c.txt (edited)")
    parser.add_argument("--scan", nargs=2, metavar=("A", "B"),
                        help="time `neardup scan A B` (instead of the sizes)")
    parser.add_argument("--runs", type=int, default=3, help="runs of --scan")
    parser.add_argument("--against", metavar="SRC",
                        help="with --scan, alternate with this source tree's neardup")
    args = parser.parse_args(argv)
    if args.make_pair is not None:
        make_pair(args.make_pair)
        return
    if args.scan:
        scan_runs(*args.scan, args.runs, args.against)
        return
    texts = {size: joined_laws(size) for size in args.sizes}
    kinds = ["identical", "edited"] if args.pairs == "both" else [args.pairs]
    shared_passages(texts[args.sizes[0]][:2000], texts[args.sizes[0]][:2000])  # load kernels
    print(f"kernel {kernel_name()}; CPU µs per character of one text")
    print("| pair | characters | wall s | CPU s | CPU µs/char | passages |")
    print("|---|---:|---:|---:|---:|---:|")
    for _ in range(args.repeat):
        for size in args.sizes:
            for kind in kinds:
                a = texts[size]
                b = a if kind == "identical" else edited(a)
                wall, cpu, found = measure(a, b)
                print(f"| {kind} | {size:,} | {wall:.2f} | {cpu:.2f} | "
                      f"{cpu / size * 1e6:.2f} | {found:,} |", flush=True)
    if args.cli:
        largest = texts[max(args.sizes)]
        megabytes = len(largest.encode("utf-8")) / 1e6
        print(f"neardup scan, two near-identical files of {megabytes:.1f} MB: "
              f"{scan_two_files(largest):.2f} s")


if __name__ == "__main__":
    main()
