"""The ``copies`` preset on Spark against the local engine: wall time and whether the pairs
are the same.

Run (not collected by pytest)::

    PYTHONPATH=src python benchmarks/spark_copies.py --laws 400 --news 2500 --runs 2

Data: the first ``--laws`` laws of ``shared/corpora/laws_zh.jsonl.gz`` and the first
``--news`` items of ``shared/corpora/cctv_news.jsonl.gz`` (beside the clone; a corpus that
is absent is left out; the news texts are read from there, never written anywhere).

Engines, alternated ``--runs`` times, each timed from documents in memory to every pair on
the driver:

* ``local``: :func:`neardup.find_duplicates` with ``preset="copies"`` (``--workers``
  processes), the report's pairs and pairs set apart.
* ``spark``: :func:`neardup.spark.find_duplicates_spark_result` with ``preset="copies"`` on
  a ``--master`` session started once before (its start is not counted), the pairs and the
  pairs set apart collected.

Printed per corpus and run: seconds, copies and pairs set apart, and whether Spark's equal
the local ones (ids in the same order; Jaccard, containment, shares, rewrite resemblance,
specific and formula shares to 1e-9; the same reasons).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import neardup

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
COLUMNS = ("a", "b", "jaccard", "containment", "a_in_b", "b_in_a", "exact", "rewrite",
           "specific_a", "specific_b", "formula_a", "formula_b", "reason")


def read(path: Path, limit: int) -> list[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [(r["id"], r["text"]) for r in map(json.loads, itertools.islice(handle, limit))]


def same(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> bool:
    """The same pairs in the same order, figures within 1e-9, the same reasons."""
    if [g[:2] for g in got] != [w[:2] for w in want]:
        return False
    for row, expected in zip(got, want, strict=True):
        for value, wanted in zip(row[2:], expected[2:], strict=True):
            if isinstance(wanted, float) and not math.isnan(wanted):
                if value is None or abs(value - wanted) > 1e-9:
                    return False
            elif value != wanted:
                return False
    return True


def session(master: str) -> Any:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(master).appName("neardup-spark-copies")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laws", type=int, default=400)
    parser.add_argument("--news", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    corpora = []
    for name, file, limit in (("laws", "laws_zh.jsonl.gz", args.laws),
                              ("news", "cctv_news.jsonl.gz", args.news)):
        if limit and (CORPORA / file).exists():
            corpora.append((f"{name} {limit}", read(CORPORA / file, limit)))
    spark = session(args.master)
    from neardup.spark import find_duplicates_spark_result

    for name, docs in corpora:
        df = spark.createDataFrame(docs, "id string, text string").cache()
        df.count()
        for run in range(args.runs):
            started = time.perf_counter()
            report = neardup.find_duplicates(docs, preset="copies", workers=args.workers)
            want = [tuple(getattr(p, c) for c in COLUMNS) for p in report.pairs]
            want_apart = [tuple(getattr(p, c) for c in COLUMNS) for p in report.set_apart]
            local = time.perf_counter() - started
            started = time.perf_counter()
            result = find_duplicates_spark_result(df, preset="copies")
            got = [tuple(r) for r in result.pairs.collect()]
            assert result.set_apart is not None
            got_apart = [tuple(r) for r in result.set_apart.collect()]
            remote = time.perf_counter() - started
            result.unpersist()
            print(f"{name} run {run + 1}: local {local:.1f} s, spark {remote:.1f} s; "
                  f"{len(want)} copies, {len(want_apart)} set apart; pairs equal: "
                  f"{same(got, want)}, set apart equal: {same(got_apart, want_apart)}",
                  flush=True)
        df.unpersist()
    spark.stop()


if __name__ == "__main__":
    main()
