"""End to end on the same documents: neardup, datasketch and rensa, each in its own process.

* neardup: ``find_duplicates(threshold=0.7)`` (char 5-grams, 128 permutations, LSH, exact
  verification): its pairs are verified. ``neardup`` runs in one process (``workers=1``, as
  datasketch and rensa do) with the default kernel (numba when installed);
  ``neardup-numpy`` the same with ``NEARDUP_KERNEL=numpy``; ``neardup-workers`` with its
  default hashing workers (one process per core; its peak RSS is that of all of them).
* datasketch: ``MinHash(num_perm=128)`` + ``update_batch`` of the UTF-8 shingles, then
  ``MinHashLSH(threshold=0.7, num_perm=128)``: insert all, query each; candidates as-is.
* rensa: ``RMinHash(128, seed=1)`` + ``update`` of the shingles, ``RMinHashLSH(threshold=0.7,
  num_perm=128, num_bands=32)`` (neardup's banding for 0.7): ``insert_many``, ``query_all``;
  candidates as-is.

datasketch and rensa get the same shingles as neardup: character 5-grams of
``neardup.normalize_text(text)``, made inside the timed part (neardup normalizes inside
``find_duplicates``). Each tool runs in a fresh process that loads the documents, warms up
on two tiny texts (imports, numba's cached compilation), then is timed from texts in memory
to pairs (``contenders.py``); its peak RSS is that of its process tree (``measure.py``), so
tools don't mix, printed beside its own peak after loading and warming up. Recall and
precision are against the exact pairs with character 5-gram Jaccard >= threshold
(``exact.similar_pairs``).

Usage::

    PYTHONPATH=src python benchmarks/compare_end_to_end.py --corpus laws
    PYTHONPATH=src python benchmarks/compare_end_to_end.py --corpus news
    PYTHONPATH=src python benchmarks/compare_end_to_end.py --corpus generated --docs 20000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import char_shingles, iter_jsonl, load_corpus, markdown_table
from contenders import report_pairs, run_contender, work, write_texts

TOOLS = ("neardup", "neardup-numpy", "neardup-workers", "datasketch", "rensa")
NUM_PERM = 128
RENSA_BANDS = 32


def _shingles(texts: list[str]) -> Iterator[list[str]]:
    """Each text's shingles, made when needed (holding all of them would distort peak RSS)."""
    from neardup import normalize_text

    for text in texts:
        yield char_shingles(normalize_text(text))


def run_neardup(texts: list[str], threshold: float) -> tuple[set[tuple[int, int]], dict[str, Any]]:
    """``find_duplicates`` in this one process (``workers=1``), like the other tools."""
    return _neardup(texts, threshold, 1)


def run_neardup_workers(
    texts: list[str], threshold: float
) -> tuple[set[tuple[int, int]], dict[str, Any]]:
    """``find_duplicates`` with its default hashing workers (all cores)."""
    return _neardup(texts, threshold, None)


def _neardup(
    texts: list[str], threshold: float, workers: int | None
) -> tuple[set[tuple[int, int]], dict[str, Any]]:
    from neardup import find_duplicates

    report = find_duplicates(
        [(str(i), t) for i, t in enumerate(texts)], threshold=threshold, workers=workers
    )
    return report_pairs(report), {"candidates": report.counts.candidates, "kernel": _kernel()}


def _kernel() -> str:
    from neardup.core.kernels import kernel_name

    return kernel_name()


def run_datasketch(
    texts: list[str], threshold: float
) -> tuple[set[tuple[int, int]], dict[str, Any]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sketches = []
    for i, shingles in enumerate(_shingles(texts)):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in shingles])
        lsh.insert(i, m)
        sketches.append(m)
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs, {"bands": lsh.b, "rows": lsh.r}


def run_rensa(texts: list[str], threshold: float) -> tuple[set[tuple[int, int]], dict[str, Any]]:
    from rensa import RMinHash, RMinHashLSH

    sketches = []
    for shingles in _shingles(texts):
        m = RMinHash(NUM_PERM, 1)
        m.update(shingles)
        sketches.append(m)
    lsh = RMinHashLSH(threshold, NUM_PERM, RENSA_BANDS)
    lsh.insert_many(sketches, 0)
    pairs = set()
    for i, found in enumerate(lsh.query_all(sketches)):
        for j in found:
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs, {"bands": RENSA_BANDS}


RUNNERS = {
    "neardup": run_neardup,  # default kernel: numba when installed
    "neardup-numpy": run_neardup,  # the worker runs with NEARDUP_KERNEL=numpy
    "neardup-workers": run_neardup_workers,
    "datasketch": run_datasketch,
    "rensa": run_rensa,
}
KERNELS = {"neardup-numpy": {"NEARDUP_KERNEL": "numpy"}}
"""The environment a tool's worker runs with, beyond this one's."""


def _warm_kernel() -> None:
    """Load numba now (a process loads it only once it pays)."""
    from neardup.core.minhash import warm_up

    warm_up()


def documents(corpus: str, docs: int | None, workdir: Path) -> tuple[Path, list[str], str]:
    """Write the chosen documents to a JSON Lines file the workers read."""
    if corpus == "generated":
        from generate_corpus import generate

        path = workdir / "generated.jsonl"
        stats = generate(path, None, docs or 10_000, jaccard=False)
        texts = [r["text"] for r in iter_jsonl(path)]
        label = f"generated ({stats.copies:,} planted copies, seed 0)"
        return path, texts, label
    _, texts, label = load_corpus(corpus, docs)
    path = workdir / "docs.jsonl"
    write_texts(texts, path)
    return path, texts, label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["laws", "news", "generated", "sample"], default="laws")
    parser.add_argument("--docs", type=int, help="number of documents (default: all / 10,000)")
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--level", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--pairs-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0.0 < args.threshold <= 1.0:
        parser.error("--threshold must be in (0, 1]")
    if args.worker:
        warm = _warm_kernel if args.worker.startswith("neardup") else None
        work(RUNNERS[args.worker], args.input, args.level, args.pairs_out, warm)
        return 0
    from exact import shingle_sets, similar_pairs

    with tempfile.TemporaryDirectory(prefix="neardup-e2e-") as tmp:
        workdir = Path(tmp)
        path, texts, label = documents(args.corpus, args.docs, workdir)
        results = {
            tool: run_contender(__file__, tool, path, args.threshold, workdir, **KERNELS.get(tool, {}))
            for tool in args.tools
        }
        started = time.perf_counter()
        truth_pairs, _, _ = similar_pairs(shingle_sets(texts), args.threshold)
        truth = {tuple(p) for p in truth_pairs.tolist()}
        exact_seconds = time.perf_counter() - started
    chars = sum(map(len, texts))
    print(
        f"corpus: {label}; {len(texts):,} documents, {chars / max(len(texts), 1):,.0f} "
        f"characters on average; threshold {args.threshold}, char 5-grams, 128 permutations"
    )
    print(
        f"truth: {len(truth)} pairs with exact Jaccard >= {args.threshold} "
        f"(exact join in {exact_seconds:.1f} s); machine: {os.cpu_count()} cores\n"
    )
    base = results.get("neardup")
    rows = []
    for tool, r in results.items():
        found = len(r["pairs"] & truth)
        recall = found / len(truth) if truth else 1.0
        precision = found / len(r["pairs"]) if r["pairs"] else 1.0
        what = "verified pairs" if tool.startswith("neardup") else "LSH candidates as-is"
        ratio = f"{r['seconds'] / base['seconds']:.1f}x" if base else "-"
        rss_ratio = f"{r['rss_peak_mb'] / base['rss_peak_mb']:.2f}x" if base else "-"
        rows.append(
            [
                tool,
                f"{r['seconds']:.2f}",
                f"{len(texts) / r['seconds']:,.0f}",
                f"{r['rss_peak_mb']:,.0f} ({r['rss_loaded_mb']:,.0f})",
                f"{len(r['pairs']):,}",
                what,
                f"{recall:.3f}",
                f"{precision:.3f}",
                ratio,
                rss_ratio,
            ]
        )
    print(
        markdown_table(
            [
                "tool",
                "seconds",
                "docs / s",
                "peak RSS MB (after load)",
                "pairs",
                "reported",
                "recall",
                "precision",
                "time / neardup",
                "RSS / neardup",
            ],
            rows,
        )
    )
    if base:
        cand = base["info"]["candidates"]
        true_found = len(base["pairs"] & truth)
        print(
            f"\nneardup ({base['info']['kernel']} kernel): {cand:,} LSH candidates, verified "
            f"exactly down to {len(base['pairs']):,} pairs; as-is its candidates would have "
            f"precision {true_found / cand if cand else 1.0:.3f} (exact verification keeps "
            "exactly the true ones among them)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
