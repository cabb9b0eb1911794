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
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import load_corpus

from neardup.core.minhash import kernel_name
from neardup.core.passages import shared_passages


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int,
                        default=[1_000_000, 2_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the sizes")
    parser.add_argument("--pairs", choices=["identical", "edited", "both"], default="both")
    parser.add_argument("--cli", action="store_true",
                        help="also time `neardup scan` of two near-identical files, largest size")
    args = parser.parse_args(argv)
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
