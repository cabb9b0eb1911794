"""Time the signature loop of neardup (numpy and numba kernels), datasketch and rensa.

All four take the same list of *normalized* texts and produce 128-permutation MinHash
signatures of character 5-gram shingles, making the shingles themselves (see
``common.signatures_*``). Each is timed best of ``--repeat`` runs in this one process, after
one untimed warm-up call (numba's compilation is cached on disk and excluded).

Usage::

    PYTHONPATH=src python benchmarks/compare_signatures.py --corpus news --docs 2000
    PYTHONPATH=src python benchmarks/compare_signatures.py --corpus laws --docs 1000
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable

import numpy as np
from common import (
    kernel,
    markdown_table,
    normalized,
    real_texts,
    signatures_datasketch,
    signatures_neardup,
    signatures_rensa,
    signatures_rensa_matrix,
)

GOALS = {"numpy": (30.0, 3.0), "numba": (60.0, 6.0)}


def measure(texts: list[str], repeat: int) -> dict[str, tuple[float, float]]:
    """Best-of-``repeat`` (wall, CPU) seconds of every contender on ``texts`` (normalized)."""

    def neardup_with(name: str) -> Callable[[], object]:
        def run() -> object:
            with kernel(name):
                return signatures_neardup(texts)

        return run

    contenders: dict[str, Callable[[], object]] = {
        "neardup numpy": neardup_with("numpy"),
        "neardup numba": neardup_with("numba"),
        "rensa RMinHash": lambda: signatures_rensa(texts),
        "rensa digest_matrix": lambda: signatures_rensa_matrix(texts),
        "datasketch MinHash.bulk": lambda: signatures_datasketch(texts),
    }
    for run in contenders.values():
        run()  # warm-up: imports, numba's cached compilation
    # Round-robin: every round runs each contender once, so a burst of load from other
    # processes hits all of them alike; the best round of each counts. CPU time (this
    # process's, all threads) is reported beside wall time: it is less disturbed by
    # other processes competing for the cores.
    best = {name: (float("inf"), float("inf")) for name in contenders}
    for _ in range(repeat):
        for name, run in contenders.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def check_kernels_agree(texts: list[str]) -> bool:
    """neardup's numpy and numba kernels give identical signatures on ``texts``."""
    with kernel("numpy"):
        a = signatures_neardup(texts)
    with kernel("numba"):
        b = signatures_neardup(texts)
    return bool(np.array_equal(a, b))


def report(seconds: dict[str, tuple[float, float]], count: int, chars: int) -> str:
    """Two Markdown tables: per-document times, then neardup's ratios against the goals."""
    rows = [
        [
            name,
            f"{wall:.3f}",
            f"{wall / count * 1e6:.1f}",
            f"{cpu / count * 1e6:.1f}",
            f"{count / wall:,.0f}",
            f"{chars / wall / 1e6:.2f}",
        ]
        for name, (wall, cpu) in seconds.items()
    ]
    out = [
        markdown_table(
            [
                "signature loop",
                "seconds",
                "µs / doc (wall)",
                "µs / doc (CPU)",
                "docs / s",
                "M chars / s",
            ],
            rows,
        )
    ]
    ratio_rows = []
    for name, (goal_ds, goal_rensa) in GOALS.items():
        row = [f"neardup {name}"]
        for clock in (0, 1):
            mine = seconds[f"neardup {name}"][clock]
            rensa = min(seconds["rensa RMinHash"][clock], seconds["rensa digest_matrix"][clock])
            ds_ratio = seconds["datasketch MinHash.bulk"][clock] / mine
            rensa_ratio = rensa / mine
            row += [
                f"{ds_ratio:.1f}x {'≥' if ds_ratio >= goal_ds else '<'} {goal_ds:.0f}",
                f"{rensa_ratio:.1f}x {'≥' if rensa_ratio >= goal_rensa else '<'} {goal_rensa:.0f}",
            ]
        ratio_rows.append(row)
    out.append(
        markdown_table(
            [
                "kernel",
                "datasketch / neardup (wall) vs goal",
                "rensa / neardup (wall) vs goal",
                "datasketch / neardup (CPU) vs goal",
                "rensa / neardup (CPU) vs goal",
            ],
            ratio_rows,
        )
    )
    out.append("rensa / neardup uses the faster of rensa's two paths.")
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["news", "laws"], default="news")
    parser.add_argument("--docs", type=int, default=2000, help="number of documents")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.repeat < 1:
        parser.error("--docs and --repeat must be >= 1")
    raw, label = real_texts(args.docs, args.corpus)
    texts = normalized(raw)
    chars = sum(map(len, texts))
    print(
        f"corpus: {label}; {len(texts)} documents, {chars / len(texts):,.0f} normalized "
        f"characters on average; char 5-grams, 128 permutations; best of {args.repeat}"
    )
    print(f"python {platform.python_version()} on {platform.machine()}, numpy {np.__version__}")
    agree = check_kernels_agree(texts)
    print(f"neardup numpy and numba signatures identical: {agree}\n")
    print(report(measure(texts, args.repeat), len(texts), chars))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
