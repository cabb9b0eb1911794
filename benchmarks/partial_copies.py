"""Partial copies of real news items: recall and precision of containment search (issue 12).

A planted *partial copy* is a real news item (the *host*) into which 20-70 % of another
item's sentences (the *source*) have been inserted, with light edits, in the place of the
host; boilerplate-only pairs (two unrelated items with the same lead and closing) must never
be reported. The pieces, one job each:

* ``partial_collection.py``: the collection (two generators, main and held-out, and the
  boilerplate pairs) and its exact truth;
* ``partial_detectors.py``: the detectors (neardup at a Jaccard threshold, with containment
  search, its ``copies`` preset, and datasketch's ``MinHashLSHEnsemble``), each run in a
  fresh process by ``contenders.py``;
* ``partial_scoring.py``: recall by variant and containment bin, precision, boilerplate
  pairs reported.

Usage::

    PYTHONPATH=src python benchmarks/partial_copies.py
    PYTHONPATH=src python benchmarks/partial_copies.py --copies 200 --background 5000 \\
        --detectors neardup-jaccard lshe-16
    PYTHONPATH=src python benchmarks/partial_copies.py --write partial-out  # docs + truth
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import load_corpus, markdown_table
from contenders import run_contender, work, write_texts
from partial_collection import generate, write_truth
from partial_detectors import asked, runner
from partial_scoring import BINS, Scorer, truth_summary

LEVELS = (0.2, 0.3, 0.4, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1000, help="planted copies per variant")
    parser.add_argument("--background", type=int, help="news items (default: all)")
    parser.add_argument("--boilerplate-pairs", type=int, help="default: copies / 2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--levels", nargs="+", type=float, default=list(LEVELS))
    parser.add_argument(
        "--detectors",
        nargs="+",
        default=["neardup-jaccard", "neardup-containment", "neardup-copies", "lshe-16"],
    )
    parser.add_argument(
        "--more-parts",
        nargs="*",
        type=int,
        default=[8, 32],
        help="LSH Ensemble partitions also tried, at level 0.3 only",
    )
    parser.add_argument("--write", type=Path, help="write documents.jsonl and truth.jsonl here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--level", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--pairs-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        work(runner(args.worker), args.input, args.level, args.pairs_out)
        return 0
    if any(not 0.0 < c <= 1.0 for c in args.levels):
        parser.error("--levels must be in (0, 1]")
    for name in args.detectors:
        try:
            runner(name)
        except ValueError as exc:
            parser.error(str(exc))

    ids, texts, label = load_corpus("news", args.background)
    started = time.perf_counter()
    try:
        collection = generate(ids, texts, args.copies, args.seed, args.boilerplate_pairs)
    except ValueError as exc:
        parser.error(str(exc))
    made = time.perf_counter() - started
    print(
        f"background: {label}, {len(texts):,} items ({sum(map(len, texts)) / len(texts):,.0f} "
        f"characters on average); seed {args.seed}; generated in {made:.1f} s: "
        f"{len(collection.generated):,} documents in place of items; machine: "
        f"{os.cpu_count()} cores\n"
    )
    print(truth_summary(collection) + "\n")

    jobs: list[tuple[str, float]] = []
    for name in args.detectors:
        if name == "neardup-copies":
            jobs.append((name, min(args.levels)))
        else:
            jobs += [(name, level) for level in args.levels]
    extra_level = 0.3 if 0.3 in args.levels else args.levels[0]
    if any(d.startswith("lshe-") for d in args.detectors):
        jobs += [
            (f"lshe-{p}", extra_level) for p in args.more_parts if f"lshe-{p}" not in args.detectors
        ]

    scorer = Scorer(collection)
    rows, bins = [], []
    with tempfile.TemporaryDirectory(prefix="neardup-partial-") as tmp:
        workdir = Path(tmp)
        path = workdir / "documents.jsonl"
        write_texts(collection.texts, path, collection.ids)
        if args.write:
            args.write.mkdir(parents=True, exist_ok=True)
            write_texts(collection.texts, args.write / "documents.jsonl", collection.ids)
            write_truth(collection, args.write / "truth.jsonl")
        for name, level in jobs:
            result = run_contender(__file__, name, path, level, workdir)
            info = result["info"]
            levels = args.levels if name == "neardup-copies" else [level]
            for c in levels:
                s = scorer.score(result["pairs"], c, info["containment"], info["threshold"],
                                 info.get("passage"))
                rows.append(
                    [
                        name,
                        asked(name, result, level),
                        f"{c}",
                        f"{s.recall['main']:.3f} ({s.truth['main']})",
                        f"{s.recall['heldout']:.3f} ({s.truth['heldout']})",
                        f"{s.precision:.3f}",
                        "-" if s.claimed_precision is None else f"{s.claimed_precision:.3f}",
                        f"{s.reported:,}",
                        f"{s.boilerplate:,}",
                        f"{result['seconds']:.1f}",
                        f"{result['rss_peak_mb']:,.0f} ({result['rss_loaded_mb']:,.0f})",
                    ]
                )
                bins.append(
                    [name, f"{c}"]
                    + [
                        f"{m if m is not None else '-'} / {h if h is not None else '-'}"
                        for m, h in zip(
                            [_fmt(x) for x in s.binned["main"]],
                            [_fmt(x) for x in s.binned["heldout"]],
                            strict=True,
                        )
                    ]
                )
            extra = {k: v for k, v in info.items() if k.endswith("_s") or k == "candidates"}
            if extra:
                shown = [
                    f"{k} {v:,.0f}" if k == "candidates" else f"{k} {v:.1f}"
                    for k, v in extra.items()
                ]
                print(f"{name} at {level}: " + ", ".join(shown))
    print()
    print(
        markdown_table(
            [
                "detector",
                "asked",
                "c",
                "recall main (pairs ≥ c)",
                "recall held-out (pairs ≥ c)",
                "precision",
                "precision of the claims",
                "reported (with a generated doc)",
                "boilerplate pairs reported",
                "seconds",
                "peak RSS MB (after load)",
            ],
            rows,
        )
    )
    print("\nRecall by exact containment of the planted pair, main / held-out:\n")
    print(
        markdown_table(
            ["detector", "c", *[f"{a}-{b}" if b <= 1 else f"≥ {a}" for a, b in BINS]], bins
        )
    )
    return 0


def _fmt(value: float | None) -> str | None:
    return None if value is None else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
