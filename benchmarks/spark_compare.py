"""Compare neardup on Spark, neardup locally and Spark MLlib's MinHashLSH on the same data.

Run (not collected by pytest)::

    PYTHONPATH=src python benchmarks/spark_compare.py --docs 3000 --planted 100

Data: the first ``--docs`` laws of ``shared/corpora/laws_zh.jsonl.gz`` (beside the clone;
``tests/data/laws_short_sample.jsonl.gz`` when absent) plus ``--planted`` edited copies (some of
them copies of copies) and ``--partial`` partial copies (25-60% of one law's lines, lightly
edited, inside another law), inserted at deterministic positions.

``--containment C`` (with ``--max-df``) runs both neardup engines as a containment search:
pairs with Jaccard >= threshold or containment >= C. MLlib has no containment search and is
not run then; the ground truth stays the pairs with exact Jaccard >= threshold (so
precision counts the partial copies as false), and what matters is the last line: whether
the Spark pairs equal the local ones, shares included.

Ground truth: every pair with exact Jaccard >= threshold of the shingle sets neardup uses
(``shingle_set(normalize_text(text), 5)``), found by an exact all-pairs similarity join:
length filter plus prefix filter (two sets with J >= t share a token among the first
``|A| - ceil(t |A|) + 1`` tokens of each, tokens ordered rarest first), then exact Jaccard of
every surviving pair. ``--check-truth N`` also compares it with a plain loop over all pairs of
the first N documents.

Engines, all timed from documents in memory to the pairs on the driver:

* ``neardup local``: :func:`neardup.find_duplicates` (pairs and clusters).
* ``neardup spark``: :func:`neardup.spark.find_duplicates_spark` on a ``--master`` session
  (pairs and clusters collected).
* ``mllib MinHashLSH``: the same character 5-grams of the same normalized text (as strings)
  → ``HashingTF(binary=True, numFeatures=2**24)`` sparse vectors → ``MinHashLSH``
  (``--mllib-tables`` hash tables) → ``approxSimilarityJoin`` with distance threshold
  ``1 - threshold`` (MLlib keeps pairs with distance < threshold; hashing collisions may
  shift a Jaccard value a little).

Printed: time, pairs found, true positives, recall and precision against the ground truth,
and whether neardup's Spark pairs equal its local pairs (ids, Jaccard, containment and both
directional shares to 1e-9).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from common import char_shingles
from edits import span_edit
from exact import brute_force_pairs, shingle_sets, similar_pairs

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "laws_zh.jsonl.gz"
SAMPLE = ROOT / "tests" / "data" / "laws_short_sample.jsonl.gz"

U32 = npt.NDArray[np.uint32]
PairSet = set[tuple[str, str]]
Shares = dict[tuple[str, str], tuple[float, float, float, float]]
"""Pairs ``(a, b)`` as an engine reports them → jaccard, containment, a_in_b, b_in_a."""


def load_laws(limit: int) -> list[tuple[str, str]]:
    source = CORPUS if CORPUS.exists() else SAMPLE
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(limit), handle, strict=False)]
    return [(r["id"], r["text"]) for r in records]


def planted(
    docs: list[tuple[str, str]], count: int, seed: int, partial: int = 0
) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    copies: list[tuple[str, str]] = []
    for n in range(count):
        if copies and rng.random() < 0.2:
            doc_id, text = copies[rng.randrange(len(copies))]
        else:
            doc_id, text = docs[rng.randrange(len(docs))]
        copies.append((f"copy{n}:{doc_id}", span_edit(text, rng, rng.uniform(0.01, 0.15))))
    for n in range(partial):
        (source_id, source), (host_id, host) = rng.sample(docs, 2)
        lines = source.splitlines()
        share = rng.uniform(0.25, 0.6)
        start = rng.randrange(max(1, int(len(lines) * (1 - share))))
        taken = "\n".join(lines[start : start + max(1, int(len(lines) * share))])
        host_lines = host.splitlines()
        at = rng.randrange(len(host_lines) + 1)
        text = "\n".join([*host_lines[:at], span_edit(taken, rng, 0.02), *host_lines[at:]])
        copies.append((f"partial{n}:{source_id}>{host_id}", text))
    out = list(docs)
    for item in copies:
        out.insert(rng.randrange(len(out) + 1), item)
    return out


# --- ground truth ---------------------------------------------------------------------


def exact_pairs(sets: list[U32], ids: list[str], threshold: float) -> dict[tuple[str, str], float]:
    """All pairs with Jaccard >= threshold, exactly (the prefix-filtered join of exact.py)."""
    pairs, jaccard, _ = similar_pairs(sets, threshold)
    found = zip(pairs.tolist(), jaccard.tolist(), strict=True)
    return {key(ids[a], ids[b]): float(j) for (a, b), j in found}


def naive_pairs(sets: list[U32], ids: list[str], threshold: float) -> set[tuple[str, str]]:
    """The same by comparing every pair (``exact.brute_force_pairs``)."""
    pairs, _ = brute_force_pairs(sets, threshold)
    return {key(ids[a], ids[b]) for a, b in pairs.tolist()}


def key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


# --- engines --------------------------------------------------------------------------


def run_local(docs: list[tuple[str, str]], threshold: float, search: dict[str, Any]) -> Shares:
    """Pairs of :func:`neardup.find_duplicates`; ``search``: containment and max_df."""
    import neardup

    report = neardup.find_duplicates(docs, threshold=threshold, **search)
    return {(p.a, p.b): (p.jaccard, p.containment, p.a_in_b, p.b_in_a) for p in report.pairs}


def run_spark(
    spark: Any, docs: list[tuple[str, str]], threshold: float, search: dict[str, Any]
) -> Shares:
    from neardup.spark import find_duplicates_spark_result

    df = spark.createDataFrame(docs, "id string, text string")
    result = find_duplicates_spark_result(df, threshold=threshold, **search)
    pairs = {
        (r.a, r.b): (r.jaccard, r.containment, r.a_in_b, r.b_in_a) for r in result.pairs.collect()
    }
    result.clusters.collect()
    result.unpersist()
    return pairs


def same_shares(first: Shares, second: Shares, tolerance: float = 1e-9) -> bool:
    """The same pairs, each with the same four values to ``tolerance``."""
    return first.keys() == second.keys() and all(
        abs(x - y) <= tolerance
        for pair, values in first.items()
        for x, y in zip(values, second[pair], strict=True)
    )


def _shingle_batches(ngram: int) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from neardup import normalize_text

        for batch in batches:
            texts = batch.column("text").to_pylist()
            shingles = [char_shingles(normalize_text(t), ngram) for t in texts]
            yield pa.RecordBatch.from_arrays(
                [batch.column("id"), pa.array(shingles, pa.list_(pa.string()))],
                names=["id", "shingles"],
            )

    return run


def run_mllib(
    spark: Any, docs: list[tuple[str, str]], threshold: float, tables: int, timeout: float
) -> PairSet | None:
    """MLlib's pairs, or None when its jobs are cancelled after ``timeout`` seconds."""
    import threading

    from pyspark.ml.feature import HashingTF, MinHashLSH
    from pyspark.sql import functions as F

    context = spark.sparkContext
    context.setJobGroup("mllib", "MinHashLSH comparison", interruptOnCancel=True)
    timer = threading.Timer(timeout, context.cancelJobGroup, args=("mllib",))
    timer.start()
    try:
        return _mllib_pairs(spark, docs, threshold, tables, F, HashingTF, MinHashLSH)
    except Exception as exc:  # a cancelled job surfaces as a Py4J/Spark error
        if not timer.is_alive():
            return None
        raise exc
    finally:
        timer.cancel()
        context.setLocalProperty("spark.jobGroup.id", None)


def _mllib_pairs(
    spark: Any, docs: list[tuple[str, str]], threshold: float, tables: int,
    F: Any, HashingTF: Any, MinHashLSH: Any,
) -> PairSet:
    df = spark.createDataFrame(docs, "id string, text string")
    shingled = df.mapInArrow(_shingle_batches(5), "id string, shingles array<string>")
    tf = HashingTF(inputCol="shingles", outputCol="features", numFeatures=1 << 24, binary=True)
    vectors = tf.transform(shingled).where(F.size("shingles") > 0).cache()
    model = MinHashLSH(inputCol="features", outputCol="hashes", numHashTables=tables, seed=1).fit(
        vectors
    )
    joined = model.approxSimilarityJoin(vectors, vectors, 1.0 - threshold, distCol="distance")
    rows = (
        joined.where(F.col("datasetA.id") < F.col("datasetB.id"))
        .select(F.col("datasetA.id").alias("a"), F.col("datasetB.id").alias("b"))
        .collect()
    )
    vectors.unpersist()
    return {key(r.a, r.b) for r in rows}


def spark_session(master: str) -> Any:
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    src = str(ROOT / "src")
    os.environ["PYTHONPATH"] = os.pathsep.join(  # the workers import neardup and common
        [src, str(ROOT / "benchmarks"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    )
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("neardup-spark-compare")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def score(found: PairSet, truth: PairSet) -> tuple[int, float, float]:
    hits = len(found & truth)
    recall = hits / len(truth) if truth else 1.0
    precision = hits / len(found) if found else 1.0
    return hits, recall, precision


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=3000, help="laws to read (default 3000)")
    parser.add_argument("--planted", type=int, default=100, help="edited copies to add")
    parser.add_argument("--partial", type=int, default=0,
                        help="partial copies to add (part of one law inside another)")
    parser.add_argument("--containment", type=float, default=None, metavar="C",
                        help="run neardup as a containment search (MLlib is not run)")
    parser.add_argument("--max-df", type=int, default=None, metavar="N",
                        help="boilerplate cut of the containment search (default 50)")
    parser.add_argument("--seed", type=int, default=6, help="seed of the planted edits")
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--mllib-tables", type=int, default=5, help="MinHashLSH hash tables")
    parser.add_argument("--mllib-timeout", type=float, default=600,
                        help="cancel MLlib's join after this many seconds (default 600)")
    parser.add_argument("--check-truth", type=int, default=300, metavar="N",
                        help="check the ground truth against all pairs of the first N docs")
    args = parser.parse_args(argv)

    docs = planted(load_laws(args.docs), args.planted, args.seed, args.partial)
    ids = [d for d, _ in docs]
    print(f"documents: {len(docs)} ({args.docs} laws + {args.planted} planted copies + "
          f"{args.partial} partial copies)")
    search: dict[str, Any] = {}
    if args.containment is not None:
        search = {"containment": args.containment, "max_df": args.max_df}
        print(f"containment search: containment >= {args.containment}, "
              f"max_df {args.max_df or 'default'}")

    started = time.perf_counter()
    sets = shingle_sets([t for _, t in docs])
    truth_scores = exact_pairs(sets, ids, args.threshold)
    truth = set(truth_scores)
    print(f"ground truth: {len(truth)} pairs with exact Jaccard >= {args.threshold} "
          f"({time.perf_counter() - started:.1f} s)")
    if args.check_truth:
        n = min(args.check_truth, len(docs))
        naive = naive_pairs(sets[:n], ids[:n], args.threshold)
        prefix = set(exact_pairs(sets[:n], ids[:n], args.threshold))
        if naive != prefix:
            print(f"ground truth check FAILED on the first {n} documents", file=sys.stderr)
            return 1
        print(f"ground truth check: prefix filter == all {n * (n - 1) // 2} pairs loop "
              f"({len(naive)} pairs)")

    results: list[tuple[str, float, PairSet | None]] = []
    shares: list[Shares] = []

    def record(name: str, seconds: float, found: PairSet | None) -> None:
        results.append((name, seconds, found))
        print(f"{name}: {seconds:.1f} s, "
              + (f"{len(found)} pairs" if found is not None else "cancelled (timeout)"),
              flush=True)

    started = time.perf_counter()
    shares.append(run_local(docs, args.threshold, search))
    record("neardup local", time.perf_counter() - started, {key(*p) for p in shares[-1]})

    started = time.perf_counter()
    spark = spark_session(args.master)
    print(f"spark session ({args.master}): {time.perf_counter() - started:.1f} s")
    spark.createDataFrame([("w", "预热")], "id string, text string").count()  # warm-up

    started = time.perf_counter()
    shares.append(run_spark(spark, docs, args.threshold, search))
    record("neardup spark", time.perf_counter() - started, {key(*p) for p in shares[-1]})
    if not search:
        started = time.perf_counter()
        found = run_mllib(spark, docs, args.threshold, args.mllib_tables, args.mllib_timeout)
        record(f"mllib MinHashLSH ({args.mllib_tables} tables)", time.perf_counter() - started,
               found)
    spark.stop()

    print()
    print("| engine | seconds | pairs | true pairs found | recall | precision |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, seconds, pairs in results:
        if pairs is None:
            print(f"| {name} | > {seconds:.0f} (cancelled) | - | - | - | - |")
            continue
        hits, recall, precision = score(pairs, truth)
        print(f"| {name} | {seconds:.1f} | {len(pairs)} | {hits} / {len(truth)} | "
              f"{recall:.4f} | {precision:.4f} |")
    same = same_shares(shares[0], shares[1])
    print(f"\nneardup spark pairs == neardup local pairs (ids, Jaccard, containment, "
          f"a_in_b, b_in_a to 1e-9): {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
