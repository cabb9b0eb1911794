"""text-dedup's Spark MinHash script (``text_dedup/minhash_spark.py``, the field's Spark
near-dedup) on a JSON Lines corpus of ``generate_corpus.py``: wall time, peak memory of the
whole process tree (the script's driver, its JVM and Python workers) and how many documents
it removed, for a comparison with ``neardup dedup --engine spark`` (``spark_scale.py``).

Run (not collected by pytest), with text-dedup and pyspark installed in a separate
environment (``pip install text_dedup pyspark``), from the repository root::

    PYTHONPATH=src python benchmarks/textdedup_spark.py c100k.jsonl \\
        --python TDVENV/bin/python --work /tmp/textdedup

The script is run from the installed package's own source, read and executed in a fresh
process under ``nice``, with these changes only (each replacement must match the source
exactly once, or this stops):

* GraphFrames is not imported, and its connected components
  (``GraphFrame(vertices_df, edges_df).connectedComponents()``) are replaced by a union-find
  on the driver over the collected edges, giving every vertex the smallest id of its
  component as GraphFrames does (the script keeps a document whose component is its own id).
  GraphFrames is a Spark package whose jars Spark fetches from a Maven repository at session
  start, which this benchmark does not do; its vertex and edge frames are still built and
  counted as the script does.
* Characters are the tokens (``list(content.lower())`` instead of splitting at ``\\W``): the
  corpus is Chinese, where ``\\W`` splits only at punctuation, so the script's 5-grams of
  words would be 5-grams of clauses. Its default 5-grams are kept, and so is its
  ``min_length`` of 5 tokens (now characters).
* The input is read as JSON Lines (``spark.read.schema("id STRING, text STRING").json``)
  instead of a directory of Parquet files; the column deduplicated is ``text``.

Everything else is the script's: its Spark settings (8,192 shuffle partitions, parallelism
100, Arrow), ``optimal_param`` for ``--threshold`` 0.7 and ``--num_perm`` 250 (its
defaults), its hashing, banding and edges, its join and its output (Parquet, partitioned
by ``__pid__``). The session runs on ``local[2]`` with the driver memory neardup picks on
this machine (``--driver-memory`` overrides it), bound to loopback, with an event log under
``--work`` (``--stages`` prints its stages), its console log in ``--work``/spark.log.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from measure import checked, run_measured
from spark_scale import SPARK_CONF, print_stages

CHANGES: tuple[tuple[str, str, int], ...] = (
    ("    from graphframes import GraphFrame  # type: ignore\n", "", 1),
    ("tokens: List[str] = NON_ALPHA.split(content.lower())",
     "tokens: List[str] = list(content.lower())", 2),
    ('spark.read.option("mergeSchema", "true")\n        .parquet(args.input)',
     'spark.read.schema("id STRING, text STRING").json(args.input)', 1),
    ("GraphFrame(vertices_df, edges_df).connectedComponents()",
     "union_find_components(spark, edges_df)", 1),
)
"""(the script's text, its replacement, how many times it occurs): see the docstring."""


def patched_source(source: str) -> str:
    """The script's source with :data:`CHANGES` made; SystemExit when one does not match."""
    for old, new, times in CHANGES:
        if source.count(old) != times:
            raise SystemExit(f"text_dedup/minhash_spark.py: {old.strip()[:60]!r} occurs "
                             f"{source.count(old)} times, not {times}: another version?")
        source = source.replace(old, new)
    return source


def smallest_of_components(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each vertex of ``edges`` and the smallest vertex of its connected component.

    Example:
        >>> sorted(smallest_of_components([(5, 3), (3, 9), (7, 8)]).items())
        [(3, 3), (5, 3), (7, 7), (8, 7), (9, 3)]
    """
    parent: dict[int, int] = {}

    def root(v: int) -> int:
        parent.setdefault(v, v)
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {v: root(v) for v in parent}


def union_find_components(spark: Any, edges_df: Any) -> Any:
    """What ``GraphFrame.connectedComponents`` returns for ``edges_df`` (``src``, ``dst``): a
    DataFrame of ``id`` and ``component`` (the smallest id of its component), from a
    union-find on the driver over the collected edges."""
    edges = [(row[0], row[1]) for row in edges_df.select("src", "dst").collect()]
    components = smallest_of_components(edges)
    print(f"union-find: {len(edges):,} edges, {len(components):,} vertices, "
          f"{len(set(components.values())):,} components", flush=True)
    return spark.createDataFrame(list(components.items()), schema="id LONG, component LONG")


def run_script(corpus: Path, out: Path, checkpoints: Path) -> None:
    """Run the patched script in this process and print what it counted."""
    import text_dedup

    path = Path(text_dedup.__file__).parent / "minhash_spark.py"
    code = compile(patched_source(path.read_text(encoding="utf-8")), str(path), "exec")
    sys.argv = [str(path), "--input", str(corpus), "--output", str(out), "--column", "text",
                "--ngram_size", "5", "--checkpoint_dir", str(checkpoints)]
    names: dict[str, Any] = {"__name__": "__main__", "__file__": str(path),
                             "union_find_components": union_find_components}
    started = time.perf_counter()
    try:
        exec(code, names)
    except SystemExit as stop:  # the script exits early when it finds no data or no edges
        if stop.code not in (0, None):
            raise
    print(f"script: {names.get('B')} bands of {names.get('R')} rows; "
          f"{names.get('DATA_SIZE')} documents in, {names.get('FINAL_SIZE')} kept; "
          f"{time.perf_counter() - started:.1f} s after its imports", flush=True)


def count_lines(path: Path) -> int:
    """The documents of a JSON Lines file (its non-empty lines)."""
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def count_rows(out: Path) -> int:
    """The rows of the script's Parquet output (its part files under ``__pid__=N``)."""
    import pyarrow.parquet as pq

    parts = [p for p in out.rglob("*.parquet") if not p.name.startswith(".")]
    return sum(pq.ParquetFile(p).metadata.num_rows for p in parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="JSON Lines with fields id and text")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python with text_dedup and pyspark (default: this one)")
    parser.add_argument("--work", type=Path, default=Path("textdedup_work"),
                        help="output, checkpoints and event log go here")
    parser.add_argument("--driver-memory", help="default: what neardup picks on this machine")
    parser.add_argument("--stages", action="store_true", help="print each Spark stage")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out, checkpoints, logs = (args.work / "output", args.work / "checkpoints",
                              args.work / "events")
    if args.child:
        run_script(args.corpus.resolve(), out, checkpoints)
        return 0
    if not args.corpus.is_file():
        raise SystemExit(f"{args.corpus}: no such file")
    memory = args.driver_memory
    if memory is None:
        from neardup.spark.session import driver_memory, machine_memory

        memory = driver_memory(machine_memory())
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},  # not neardup's src
        "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": args.python,
        "PYSPARK_SUBMIT_ARGS": f"--master local[2] --driver-memory {memory} "
        + SPARK_CONF.format(logs=logs) + " pyspark-shell",
    }
    command = ["nice", args.python, str(Path(__file__).resolve()), str(args.corpus),
               "--work", str(args.work.resolve()), "--child"]
    print(f"text-dedup minhash_spark on {args.corpus}: local[2], driver memory {memory}",
          flush=True)
    with (args.work / "spark.log").open("w", encoding="utf-8") as log:  # Spark's warnings
        done = run_measured(command, env, interval=0.1, stderr=log)
    checked(done, f"text-dedup's script (its log: {args.work / 'spark.log'})")
    print(done.output.strip())
    documents, kept = count_lines(args.corpus), count_rows(out)
    print(f"{done.seconds:.1f} s wall, {done.peak_mb / 1024:.2f} GB peak; {documents:,} "
          f"documents, {kept:,} kept, {documents - kept:,} removed")
    if args.stages:
        print_stages(logs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
