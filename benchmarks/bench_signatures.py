"""The signature loop of neardup (numpy and numba kernels) beside datasketch and rensa.

Every contender takes the same list of *normalized* texts and makes the character 5-gram
shingles and the 128-permutation signatures itself, so shingling is counted for all:

* neardup: ``neardup.signatures(texts, 128, 1, normalize=False)`` with
  ``NEARDUP_KERNEL=numpy`` and ``NEARDUP_KERNEL=numba``;
* rensa: ``RMinHash(128, 1)`` + ``update(shingles)`` per document, and its bulk path
  ``RMinHash.digest_matrix_from_token_sets`` (the same digests);
* datasketch: ``MinHash.bulk`` of the UTF-8 shingles (default sha1 hash, seed 1).

As pytest-benchmark tests (with the default ``--benchmark-disable`` each runs once on a few
documents; ``NEARDUP_BENCH_DOCS`` sets the number when enabled, default 1000, and
``NEARDUP_BENCH_CORPUS`` the corpus, ``news`` by default or ``laws``)::

    PYTHONPATH=src python -m pytest benchmarks/bench_signatures.py --benchmark-enable \\
        --benchmark-group-by=group --benchmark-columns=min,mean,stddev,rounds

As a script, a table of µs per document and neardup's ratios against the goals: the
contenders run round-robin ``--repeat`` times after one untimed warm-up call (numba's
compilation is cached on disk and excluded), the best round of each counts, and CPU time
is reported beside wall time (it is less disturbed by other processes)::

    PYTHONPATH=src python benchmarks/bench_signatures.py --corpus news --docs 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from common import char_shingles, kernel, markdown_table, normalized, real_texts

NUM_PERM = 128
SEED = 1
DISABLED_DOCS = 40
ENABLED_DOCS = int(os.environ.get("NEARDUP_BENCH_DOCS", "1000"))
CORPUS = os.environ.get("NEARDUP_BENCH_CORPUS", "news")
GOALS = {"numpy": (30.0, 3.0), "numba": (60.0, 6.0)}
"""neardup's goals per kernel: at least this many times datasketch's speed, and rensa's."""


def signatures_datasketch(texts: list[str]) -> list[Any]:
    """datasketch 2.0 ``MinHash.bulk`` (default sha1 hash, seed 1) of UTF-8 shingles."""
    from datasketch import MinHash

    return list(
        MinHash.bulk(
            [[s.encode("utf-8") for s in char_shingles(t)] for t in texts], num_perm=NUM_PERM
        )
    )


def signatures_rensa(texts: list[str]) -> list[list[int]]:
    """rensa ``RMinHash(128, seed=1)``, one object per document, ``update`` with the shingles."""
    from rensa import RMinHash

    digests = []
    for text in texts:
        sketch = RMinHash(NUM_PERM, SEED)
        sketch.update(char_shingles(text))
        digests.append(sketch.digest())
    return digests


def signatures_rensa_matrix(texts: list[str]) -> Any:
    """rensa's bulk path ``RMinHash.digest_matrix_from_token_sets`` (same signatures)."""
    from rensa import RMinHash

    return RMinHash.digest_matrix_from_token_sets([char_shingles(t) for t in texts], NUM_PERM, SEED)


def signatures_neardup(name: str) -> Callable[[list[str]], Any]:
    """``neardup.signatures(texts, 128, 1, normalize=False)`` with kernel ``name``."""

    def run(texts: list[str]) -> Any:
        import neardup

        with kernel(name):
            return neardup.signatures(texts, NUM_PERM, SEED, normalize=False)

    return run


CONTENDERS: dict[str, tuple[str, Callable[[list[str]], Any]]] = {
    "neardup-numpy": ("neardup numpy", signatures_neardup("numpy")),
    "neardup-numba": ("neardup numba", signatures_neardup("numba")),
    "rensa-RMinHash": ("rensa RMinHash", signatures_rensa),
    "rensa-digest_matrix": ("rensa digest_matrix", signatures_rensa_matrix),
    "datasketch-bulk": ("datasketch MinHash.bulk", signatures_datasketch),
}
"""Test id → (name in the table, the signature loop)."""


# --- pytest-benchmark ---


@lru_cache(maxsize=4)
def _texts(count: int) -> tuple[tuple[str, ...], str]:
    raw, label = real_texts(count, CORPUS)
    return tuple(normalized(raw)), label


@pytest.fixture
def texts(benchmark: Any) -> list[str]:
    """Normalized real texts: a few when benchmarks are disabled, else NEARDUP_BENCH_DOCS."""
    count = DISABLED_DOCS if benchmark.disabled else ENABLED_DOCS
    found, label = _texts(count)
    benchmark.group = f"signatures: {count} {label} docs, char 5-grams, 128 perm"
    benchmark.extra_info.update(
        docs=count, corpus=label, chars=sum(map(len, found)), num_perm=NUM_PERM, ngram=5
    )
    return list(found)


@pytest.mark.parametrize("name", list(CONTENDERS))
def test_signature_loop(benchmark: Any, texts: list[str], name: str) -> None:
    run = CONTENDERS[name][1]
    benchmark.extra_info["library"] = name
    if name.startswith("neardup"):
        run(texts)  # warm-up outside the timing (numba loads its cached compilation)
    result = benchmark(run, texts)
    rows = result.len() if hasattr(result, "len") else len(result)  # rensa's matrix has .len()
    assert rows == len(texts)


def test_kernels_identical(benchmark: Any, texts: list[str]) -> None:
    """neardup's numpy and numba kernels give bit-identical signatures on the same texts."""
    benchmark.group = "checks"
    numpy_sigs = CONTENDERS["neardup-numpy"][1](texts)
    numba_sigs = benchmark.pedantic(CONTENDERS["neardup-numba"][1], args=(texts,), rounds=1)
    assert numpy_sigs.shape == (len(texts), NUM_PERM)
    assert np.array_equal(numpy_sigs, numba_sigs)


def test_rensa_paths_agree(benchmark: Any, texts: list[str]) -> None:
    """rensa's two paths give the same digests (so timing either is timing RMinHash)."""
    benchmark.group = "checks"
    per_doc = signatures_rensa(texts)
    matrix = benchmark.pedantic(signatures_rensa_matrix, args=(texts,), rounds=1).to_rows()
    assert [list(r) for r in matrix] == [list(d) for d in per_doc]


# --- the script: a table ---


def measure(texts: list[str], repeat: int) -> dict[str, tuple[float, float]]:
    """Best-of-``repeat`` (wall, CPU) seconds of every contender on ``texts`` (normalized),
    by name in the table; round-robin, so a burst of load hits all of them alike."""
    for _, run in CONTENDERS.values():
        run(texts)  # warm-up: imports, numba's cached compilation
    best = {name: (float("inf"), float("inf")) for name, _ in CONTENDERS.values()}
    for _ in range(repeat):
        for name, run in CONTENDERS.values():
            wall, cpu = time.perf_counter(), time.process_time()
            run(texts)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


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
    header = ["signature loop", "seconds", "µs / doc (wall)", "µs / doc (CPU)", "docs / s",
              "M chars / s"]
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
    ratios = markdown_table(
        [
            "kernel",
            "datasketch / neardup (wall) vs goal",
            "rensa / neardup (wall) vs goal",
            "datasketch / neardup (CPU) vs goal",
            "rensa / neardup (CPU) vs goal",
        ],
        ratio_rows,
    )
    note = "rensa / neardup uses the faster of rensa's two paths."
    return "\n\n".join([markdown_table(header, rows), ratios, note])


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
    numpy_sigs = CONTENDERS["neardup-numpy"][1](texts)
    agree = bool(np.array_equal(numpy_sigs, CONTENDERS["neardup-numba"][1](texts)))
    print(f"neardup numpy and numba signatures identical: {agree}\n")
    print(report(measure(texts, args.repeat), len(texts), chars))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
