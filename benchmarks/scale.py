"""One machine, up to a million documents: wall time, peak memory and recall of `neardup scan`.

Runs the command line (``python -m neardup scan FILE --no-passages --format jsonl``) on the
first N documents of a generated corpus (``generate_corpus.py``) for each N, in a child
process, and prints a table: wall time, documents per second, peak RSS (the largest sum of
the resident memory of the scan and its worker processes, sampled every 0.2 s), the
per-document band-key array it must keep (``8 * bands`` bytes a document; a run that verifies
exactly does not keep the signatures, ``4 * num_perm`` bytes more), and recall of the planted
pairs whose exact Jaccard is at least the threshold. The slope of peak RSS between sizes
shows what memory grows with.

With ``--workers 1 2`` it runs every size once per worker count, for the speed-up; with
``--repeat N`` it runs them N times, in turns (1, 2, 1, 2, ...) so that load from elsewhere
on the machine hits both alike, and keeps each one's fastest run (and its peak RSS).

Before each turn it also measures the machine's own ceiling: how much more hashing two
processes get done at once than one alone (the same batch of the corpus, hashed by each
process). On a virtual machine two busy cores may not give twice the work of one; the
speed-up of the workers is to be read against that figure.

Usage::

    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 1000000 \\
        --out corpus.jsonl --truth truth.jsonl
    PYTHONPATH=src python benchmarks/scale.py corpus.jsonl truth.jsonl \\
        --sizes 100000 300000 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
KEY_BYTES = 8 * 32  # 32 uint64 band keys a document at 0.7
SIGNATURE_BYTES = 4 * 128  # 128 uint32 values (made, but not kept, by exact verification)


@dataclass
class Run:
    docs: int
    workers: int
    seconds: float
    peak_rss_mb: float
    recall: float
    planted: int
    pairs: int


def head(source: Path, lines: int, into: Path) -> None:
    """The first ``lines`` lines of ``source`` into ``into``."""
    with source.open("rb") as src, into.open("wb") as out:
        for count, line in enumerate(src):
            if count >= lines:
                break
            out.write(line)


def warm(path: Path) -> None:
    """Read the file once, so that the timed scan finds it in the page cache: this machine
    reclaims cold cache pages proactively, and a scan that reads from disk measures the disk
    (about 50 MB/s here), not the number of workers."""
    with path.open("rb") as handle:
        while handle.read(1 << 23):
            pass


def scan(corpus: Path, workers: int, report: Path) -> tuple[float, float]:
    """Run the scan (on a file warmed in the page cache); its wall time and peak RSS (MB) of
    the process tree."""
    warm(corpus)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    command = [
        sys.executable,
        "-m",
        "neardup",
        "scan",
        str(corpus),
        "--no-passages",
        "--format",
        "jsonl",
        "-o",
        str(report),
        "--quiet",
        "--workers",
        str(workers),
    ]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env)
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.2)
    if child.returncode != 0:
        raise SystemExit(f"scan failed with exit code {child.returncode}")
    return time.perf_counter() - started, peak / 2**20


def _hash_repeatedly(texts: list[str], rounds: int) -> float:
    """Seconds to hash ``texts`` ``rounds`` times (CPU-bound work, as a worker does it)."""
    from neardup.parameters import Parameters
    from neardup.stages.hashing import hash_batch  # the scans import neardup in their own process

    params = Parameters()
    started = time.perf_counter()
    for _ in range(rounds):
        hash_batch(texts, params)
    return time.perf_counter() - started


def ceiling(corpus: Path, docs: int = 400, rounds: int = 30, tries: int = 5) -> float:
    """How much more work two processes do at once than one alone, on this machine now:
    ``2 * alone / together`` (2.0 on two free cores). Alone and together alternate
    ``tries`` times (this machine's speed drifts within seconds); medians count."""
    texts = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) == docs:
                break
    context = multiprocessing.get_context("fork")
    alone, together = [], []
    with context.Pool(2) as pool:
        pool.starmap(_hash_repeatedly, [(texts, 1)] * 2)  # load the kernel in both
        for _ in range(tries):
            alone.append(pool.apply(_hash_repeatedly, (texts, rounds)))
            together.append(max(pool.starmap(_hash_repeatedly, [(texts, rounds)] * 2)))
    return 2 * statistics.median(alone) / statistics.median(together)


def recall(report: Path, truth: Path, ids: set[str], threshold: float) -> tuple[float, int, int]:
    found = set()
    with report.open(encoding="utf-8") as handle:
        for line in handle:
            pair = json.loads(line)
            found.add(frozenset((pair["a"], pair["b"])))
    planted = hit = 0
    with truth.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["jaccard"] >= threshold and row["source_id"] in ids and row["copy_id"] in ids:
                planted += 1
                hit += frozenset((row["source_id"], row["copy_id"])) in found
    return (hit / planted if planted else 1.0), planted, len(found)


def ids_of(corpus: Path) -> set[str]:
    with corpus.open(encoding="utf-8") as handle:
        return {json.loads(line)["id"] for line in handle}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path, help="generated corpus (JSON Lines)")
    parser.add_argument("truth", type=Path, help="its ground truth of planted pairs")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    args = parser.parse_args()
    runs: list[Run] = []
    turns: dict[tuple[int, int], list[float]] = {}
    ceilings: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            part = Path(scratch) / f"head{size}.jsonl"
            head(args.corpus, size, part)
            os.sync()  # the copy's write-back must not compete with the timed scans
            ids = ids_of(part)
            best: dict[int, Run] = {}
            for turn in range(args.repeat):
                if 1 in args.workers and len(args.workers) > 1:
                    limit = ceiling(part)
                    ceilings.setdefault(len(ids), []).append(limit)
                    print(f"turn {turn + 1}: the machine's two-process ceiling is {limit:.2f}x")
                for workers in args.workers:
                    report = Path(scratch) / f"pairs{size}_{workers}.jsonl"
                    seconds, peak = scan(part, workers, report)
                    rec, planted, pairs = recall(report, args.truth, ids, args.threshold)
                    run = Run(len(ids), workers, seconds, peak, rec, planted, pairs)
                    turns.setdefault((len(ids), workers), []).append(seconds)
                    if workers not in best or seconds < best[workers].seconds:
                        best[workers] = run
                    print(
                        f"{len(ids):>9,} docs, {workers} workers: {seconds:7.1f} s, "
                        f"peak RSS {peak:7.0f} MB, recall {rec:.4f} of {planted:,}",
                        flush=True,
                    )
            runs += [best[w] for w in args.workers]
    print()
    print(
        "| documents | workers | seconds | docs/s | peak RSS MB | keys MB | recall (planted J >= "
        f"{args.threshold}) | pairs |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|")
    for run in runs:
        arrays = run.docs * KEY_BYTES / 2**20
        print(
            f"| {run.docs:,} | {run.workers} | {run.seconds:.1f} | {run.docs / run.seconds:,.0f} "
            f"| {run.peak_rss_mb:,.0f} | {arrays:,.0f} | {run.recall:.4f} of {run.planted:,} "
            f"| {run.pairs:,} |"
        )
    by_workers: dict[int, list[Run]] = {}
    for run in runs:
        by_workers.setdefault(run.workers, []).append(run)
    for workers, series in sorted(by_workers.items()):
        if len(series) >= 2:
            first, last = series[0], series[-1]
            slope = (last.peak_rss_mb - first.peak_rss_mb) * 2**20 / (last.docs - first.docs)
            print(
                f"\nworkers={workers}: peak RSS grows {slope:,.0f} bytes per document "
                f"(band keys: {KEY_BYTES} bytes; with the signature {KEY_BYTES + SIGNATURE_BYTES})"
            )
    if len(args.workers) >= 2:
        for size in sorted({r.docs for r in runs}):
            times = {r.workers: r.seconds for r in runs if r.docs == size}
            if 1 not in times:
                continue
            for w, t in sorted(times.items()):
                if w == 1:
                    continue
                ratios = [a / b for a, b in zip(turns[size, 1], turns[size, w], strict=True)]
                print(
                    f"{size:,} docs: {w} workers {times[1] / t:.2f}x faster than 1 worker "
                    f"(fastest runs; turn by turn {', '.join(f'{r:.2f}' for r in ratios)}, "
                    f"median {statistics.median(ratios):.2f}); machine ceiling "
                    f"{', '.join(f'{c:.2f}' for c in ceilings[size])}"
                )


if __name__ == "__main__":
    main()
