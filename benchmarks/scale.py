"""One machine, up to a million documents: wall time, peak memory and recall of `neardup scan`.

Runs the command line (``python -m neardup scan FILE --no-passages --format json``) on the
first N documents of a generated corpus (``generate_corpus.py``) for each N, in a child
process, and prints a table: wall time, documents per second, peak RSS (the largest sum of
the resident memory of the scan and its workers: ``measure.run_measured``), the
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

With ``--plot FILE.png`` it draws time against size, one line per worker count (log-log
axes; matplotlib, extra ``neardup[benchmark]``), and prints each line's slope: the exponent
k of ``time ~ documents^k`` (least squares on the logarithms; 1 is linear) and the marginal
seconds per 100,000 documents between the smallest and the largest size.

With ``--containment C`` it measures what a containment search costs: every size and
worker count is scanned twice per turn, with the default parameters and with
``--containment C`` (the order alternating from turn to turn), both writing the JSON report
(``--format json``, whose ``counts`` hold the number of fingerprints cut as boilerplate,
``common_fingerprints``; JSON Lines holds the pairs only). The table then also gives the
recall of the planted partial copies (``generate_corpus.py --partial-fraction``) whose exact
containment is at least C, the precision of a random sample of the reported pairs (each
pair's exact Jaccard and containment computed from the texts: a pair is right when it meets
the threshold or the containment asked for), and the ratios of time and peak memory of the
containment scan to the default scan.

Usage::

    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 1000000 \\
        --out corpus.jsonl --truth truth.jsonl
    PYTHONPATH=src python benchmarks/scale.py corpus.jsonl truth.jsonl \\
        --sizes 100000 300000 1000000 --workers 2
    PYTHONPATH=src python benchmarks/scale.py corpus.jsonl truth.jsonl \\
        --sizes 100000 300000 1000000 --workers 1 2 4 --plot benchmarks/scale.png
    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 1000000 \\
        --out corpus.jsonl --truth truth.jsonl --mutate-sentences 0.15 --partial-fraction 0.05
    PYTHONPATH=src python benchmarks/scale.py corpus.jsonl truth.jsonl \\
        --sizes 100000 1000000 --workers 2 --containment 0.3 --repeat 2
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from exact import overlap
from measure import checked, run_measured, src_environment

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
    scan: str = "default"
    load: float = 0.0
    partial_recall: float = 1.0
    partials: int = 0
    precision: float = 1.0
    sampled: int = 0
    planted_share: float = 1.0
    common_fingerprints: int = 0
    candidates: int = 0


def line_count(path: Path) -> int:
    """The number of lines of a file."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def head(source: Path, lines: int, into: Path) -> Path:
    """The first ``lines`` lines of ``source`` into ``into`` (``source`` itself when it has no
    more lines: a copy of a 3 GB file would only compete with the scans for the page
    cache)."""
    if lines >= line_count(source):
        return source
    with source.open("rb") as src, into.open("wb") as out:
        for count, line in enumerate(src):
            if count >= lines:
                break
            out.write(line)
    return into


def warm(path: Path) -> None:
    """Read the file once, so that the timed scan finds it in the page cache: this machine
    reclaims cold cache pages proactively, and a scan that reads from disk measures the disk
    (about 50 MB/s here), not the number of workers."""
    with path.open("rb") as handle:
        while handle.read(1 << 23):
            pass


def scan(
    corpus: Path, workers: int, report: Path, options: tuple[str, ...] = ("--format", "json")
) -> tuple[float, float]:
    """Run the scan (on a file warmed in the page cache); its wall time and peak RSS (MB) of
    the process tree."""
    warm(corpus)
    command = [
        sys.executable,
        "-m",
        "neardup",
        "scan",
        str(corpus),
        "--no-passages",
        *options,
        "-o",
        str(report),
        "--quiet",
        "--workers",
        str(workers),
    ]
    done = checked(run_measured(command, src_environment()), "neardup scan")
    return done.seconds, done.peak_mb


def _hash_repeatedly(texts: list[str], rounds: int) -> float:
    """Seconds to hash ``texts`` ``rounds`` times (CPU-bound work, as a worker does it)."""
    from neardup import Parameters
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


def read_report(report: Path) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The pairs of a report (JSON Lines, or the JSON report when the name ends in .json) and
    its counts (empty for JSON Lines)."""
    with report.open(encoding="utf-8") as handle:
        if report.suffix == ".json":
            data = json.load(handle)
            pairs = [(p["a"], p["b"]) for p in data["pairs"]]
            for group in data.get("identical", []):  # identical texts: pairs of Jaccard 1
                pairs += list(itertools.combinations(group["members"], 2))
            return pairs, data["counts"]
        return [(p["a"], p["b"]) for p in map(json.loads, handle)], {}


def is_partial(row: dict[str, object]) -> bool:
    edit = row.get("edit")
    return isinstance(edit, dict) and edit.get("kind") == "partial"


def recall(report: Path, truth: Path, ids: set[str], threshold: float) -> tuple[float, int, int]:
    """Recall of the planted near-duplicate (source, copy) pairs with exact Jaccard >=
    ``threshold`` (planted partial copies aside), their number, and the number of pairs."""
    pairs, _ = read_report(report)
    found = {frozenset(pair) for pair in pairs}
    planted = hit = 0
    with truth.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if is_partial(row):
                continue
            if row["jaccard"] >= threshold and row["source_id"] in ids and row["copy_id"] in ids:
                planted += 1
                hit += frozenset((row["source_id"], row["copy_id"])) in found
    return (hit / planted if planted else 1.0), planted, len(found)


def partial_recall(
    pairs: list[tuple[str, str]], truth: Path, ids: set[str], containment: float
) -> tuple[float, int]:
    """Recall of the planted partial copies whose exact containment is >= ``containment``,
    and their number."""
    found = {frozenset(pair) for pair in pairs}
    planted = hit = 0
    with truth.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if not is_partial(row) or row["containment"] < containment:
                continue
            if row["source_id"] in ids and row["copy_id"] in ids:
                planted += 1
                hit += frozenset((row["source_id"], row["copy_id"])) in found
    return (hit / planted if planted else 1.0), planted


def families(truth: Path) -> dict[str, str]:
    """Each planted document's source (a source maps to itself): two documents of the same
    family were made from one base document."""
    family: dict[str, str] = {}
    with truth.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            family[row["copy_id"]] = family[row["source_id"]] = row["source_id"]
    return family


def texts_of(corpus: Path, wanted: set[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in wanted:
                texts[record["id"]] = record["text"]
    return texts


def sampled_precision(
    pairs: list[tuple[str, str]],
    corpus: Path,
    family: dict[str, str],
    threshold: float,
    containment: float | None,
    sample: int,
    seed: int = 0,
) -> tuple[float, int, float]:
    """Precision of a random sample of reported pairs against the exact character 5-gram
    Jaccard and containment of their texts (right: Jaccard >= ``threshold``, or containment
    >= ``containment`` when given), the sample's size, and the share of the sample that are
    planted relations (two documents of one family)."""
    chosen = random.Random(seed).sample(pairs, min(sample, len(pairs)))
    if not chosen:
        return 1.0, 0, 1.0
    texts = texts_of(corpus, {doc for pair in chosen for doc in pair})
    right = planted = 0
    for a, b in chosen:
        o = overlap(texts[a], texts[b])
        right += o.jaccard >= threshold or (containment is not None and o.containment >= containment)
        planted += a in family and family[a] == family.get(b)
    return right / len(chosen), len(chosen), planted / len(chosen)


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
    parser.add_argument(
        "--containment",
        type=float,
        metavar="C",
        help="also scan with --containment C and compare (see the module docstring)",
    )
    parser.add_argument("--max-df", type=int, help="--max-df for the containment scans")
    parser.add_argument("--plot", type=Path, help="draw time against size into this PNG")
    parser.add_argument(
        "--results", type=Path, help="append each run to this JSON Lines file as it ends"
    )
    parser.add_argument(
        "--plot-from",
        type=Path,
        metavar="RESULTS",
        help="no scans: plot (--plot) the fastest run of each size and worker count of a "
        "--results file (runs of several invocations together)",
    )
    parser.add_argument(
        "--sample", type=int, default=2000, help="reported pairs checked exactly for precision"
    )
    args = parser.parse_args()
    if args.plot_from is not None:
        fastest: dict[tuple[int, int], Run] = {}
        for line in args.plot_from.read_text(encoding="utf-8").splitlines():
            run = Run(**json.loads(line))
            key = (run.docs, run.workers)
            if key not in fastest or run.seconds < fastest[key].seconds:
                fastest[key] = run
        series: dict[int, list[Run]] = {}
        for key in sorted(fastest):
            series.setdefault(key[1], []).append(fastest[key])
        for run in sorted(fastest.values(), key=lambda r: (r.workers, r.docs)):
            print(f"{run.docs:>9,} docs, {run.workers} workers: {run.seconds:7.1f} s, "
                  f"peak RSS {run.peak_rss_mb:7.0f} MB, load {run.load:.1f}")
        plot(series, args.plot or Path("scale.png"))
        return
    if args.containment is not None:
        containment_main(args)
        return
    runs: list[Run] = []
    turns: dict[tuple[int, int], list[float]] = {}
    ceilings: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            part = head(args.corpus, size, Path(scratch) / f"head{size}.jsonl")
            os.sync()  # the copy's write-back must not compete with the timed scans
            ids = ids_of(part)
            best: dict[int, Run] = {}
            for turn in range(args.repeat):
                if 1 in args.workers and len(args.workers) > 1:
                    limit = ceiling(part)
                    ceilings.setdefault(len(ids), []).append(limit)
                    print(f"turn {turn + 1}: the machine's two-process ceiling is {limit:.2f}x")
                for workers in args.workers:
                    # JSON, not JSON Lines: only the JSON report lists identical texts
                    report = Path(scratch) / f"pairs{size}_{workers}.json"
                    load = os.getloadavg()[0]
                    seconds, peak = scan(part, workers, report)
                    rec, planted, pairs = recall(report, args.truth, ids, args.threshold)
                    run = Run(len(ids), workers, seconds, peak, rec, planted, pairs, load=load)
                    turns.setdefault((len(ids), workers), []).append(seconds)
                    if args.results is not None:
                        with args.results.open("a", encoding="utf-8") as results:
                            results.write(json.dumps(dataclasses.asdict(run)) + "\n")
                    if workers not in best or seconds < best[workers].seconds:
                        best[workers] = run
                    print(
                        f"{len(ids):>9,} docs, {workers} workers: {seconds:7.1f} s, "
                        f"peak RSS {peak:7.0f} MB, load {load:.1f}, recall {rec:.4f} of "
                        f"{planted:,}",
                        flush=True,
                    )
            runs += [best[w] for w in args.workers]
    print()
    print(
        "| documents | workers | seconds | docs/s | peak RSS MB | keys MB | load | recall (planted "
        f"J >= {args.threshold}) | pairs |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for run in runs:
        arrays = run.docs * KEY_BYTES / 2**20
        print(
            f"| {run.docs:,} | {run.workers} | {run.seconds:.1f} | {run.docs / run.seconds:,.0f} "
            f"| {run.peak_rss_mb:,.0f} | {arrays:,.0f} | {run.load:.1f} "
            f"| {run.recall:.4f} of {run.planted:,} "
            f"| {run.pairs:,} |"
        )
    by_workers: dict[int, list[Run]] = {}
    for run in runs:
        by_workers.setdefault(run.workers, []).append(run)
    if args.plot is not None:
        plot(by_workers, args.plot)
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


def growth(series: list[Run]) -> tuple[float, float]:
    """The exponent k of ``seconds ~ docs^k`` (least squares on the logarithms) and the
    marginal seconds per 100,000 documents from the smallest to the largest size."""
    xs = [math.log(r.docs) for r in series]
    ys = [math.log(r.seconds) for r in series]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    first, last = series[0], series[-1]
    return k, (last.seconds - first.seconds) / (last.docs - first.docs) * 100_000


def plot(by_workers: dict[int, list[Run]], path: Path) -> None:
    """Time against size, one line per worker count, into a small PNG; print the slopes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5.5, 3.6), dpi=90)
    for workers, series in sorted(by_workers.items()):
        docs = [r.docs for r in series]
        label = f"{workers} worker{'s' if workers > 1 else ''}"
        if len(series) >= 2:
            k, marginal = growth(series)
            label += f": ~n^{k:.2f}, {marginal:.1f} s per 100k"
            print(f"workers={workers}: time grows as documents^{k:.2f}; "
                  f"{marginal:.2f} s per 100,000 more documents")
        axes.plot(docs, [r.seconds for r in series], marker="o", label=label)
    everything = [r for series in by_workers.values() for r in series]
    if everything:
        low = min(everything, key=lambda r: (r.docs, r.seconds))
        top = max(r.docs for r in everything)
        axes.plot([low.docs, top], [low.seconds, low.seconds * top / low.docs],
                  linestyle=":", color="gray", label="linear (from the fastest smallest run)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("documents")
    axes.set_ylabel("seconds (scan --no-passages)")
    axes.set_title("neardup scan: time against size", fontsize=10)
    axes.grid(True, which="both", linewidth=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    print(f"plot: {path}")


def containment_main(args: argparse.Namespace) -> None:
    """``--containment C``: the default scan and the containment scan of every size, in
    turns, with recall, sampled precision and the cost ratios."""
    scans = {
        "default": ("--format", "json", "--threshold", str(args.threshold)),
        "containment": (
            "--format",
            "json",
            "--threshold",
            str(args.threshold),
            "--containment",
            str(args.containment),
            *(("--max-df", str(args.max_df)) if args.max_df is not None else ()),
        ),
    }
    family = families(args.truth)
    best: dict[tuple[int, int, str], Run] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            part = head(args.corpus, size, Path(scratch) / f"head{size}.jsonl")
            os.sync()
            ids = ids_of(part)
            for turn in range(args.repeat):
                order = list(scans) if turn % 2 == 0 else list(scans)[::-1]
                for workers in args.workers:
                    for name in order:
                        report = Path(scratch) / f"report{size}_{workers}_{name}.json"
                        load = os.getloadavg()[0]
                        seconds, peak = scan(part, workers, report, scans[name])
                        pairs, counts = read_report(report)
                        rec, planted, _ = recall(report, args.truth, ids, args.threshold)
                        prec, partials = partial_recall(pairs, args.truth, ids, args.containment)
                        run = Run(
                            len(ids),
                            workers,
                            seconds,
                            peak,
                            rec,
                            planted,
                            len(pairs),
                            scan=name,
                            load=load,
                            partial_recall=prec,
                            partials=partials,
                            common_fingerprints=int(counts.get("common_fingerprints", 0)),
                            candidates=int(counts.get("candidates", 0)),
                        )
                        key = (len(ids), workers, name)
                        if key not in best:  # quality does not change between turns
                            run.precision, run.sampled, run.planted_share = sampled_precision(
                                pairs,
                                part,
                                family,
                                args.threshold,
                                args.containment if name == "containment" else None,
                                args.sample,
                            )
                        else:
                            run.precision = best[key].precision
                            run.sampled = best[key].sampled
                            run.planted_share = best[key].planted_share
                        print(
                            f"{len(ids):>9,} docs, {workers} workers, {name:>11}: "
                            f"{seconds:7.1f} s, peak RSS {peak:7.0f} MB, load {load:.1f}, "
                            f"recall {rec:.4f} of {planted:,}, partial recall {prec:.4f} of "
                            f"{partials:,}, precision {run.precision:.4f} of {run.sampled:,}, "
                            f"{len(pairs):,} pairs of {run.candidates:,} candidates, "
                            f"{run.common_fingerprints:,} common fingerprints",
                            flush=True,
                        )
                        if key not in best or seconds < best[key].seconds:
                            best[key] = run
    print()
    print(
        f"| documents | workers | scan | seconds | peak RSS MB | load | near-dup recall "
        f"(J >= {args.threshold}) | partial recall (C >= {args.containment}) | precision "
        "(sample) | planted share of sample | pairs | common fingerprints |"
    )
    print("|---:|---:|---|---:|---:|---:|---|---|---|---:|---:|---:|")
    for run in best.values():
        print(
            f"| {run.docs:,} | {run.workers} | {run.scan} | {run.seconds:.1f} "
            f"| {run.peak_rss_mb:,.0f} | {run.load:.1f} | {run.recall:.4f} of {run.planted:,} "
            f"| {run.partial_recall:.4f} of {run.partials:,} "
            f"| {run.precision:.4f} of {run.sampled:,} | {run.planted_share:.3f} "
            f"| {run.pairs:,} | {run.common_fingerprints:,} |"
        )
    print()
    for (docs, workers, name), run in best.items():
        if name != "containment":
            continue
        base = best[docs, workers, "default"]
        print(
            f"{docs:,} docs, {workers} workers: containment scan "
            f"{run.seconds / base.seconds:.2f}x the time (goal <= 3x) and "
            f"{run.peak_rss_mb / base.peak_rss_mb:.2f}x the peak memory (goal <= 2x) "
            "of the default scan (fastest runs)"
        )


if __name__ == "__main__":
    main()
