"""The command line on a Spark standalone cluster on loopback against the local engine: the
same pairs, clusters and removed documents, with the wall time and peak memory of each.

Run (not collected by pytest), on a corpus of ``generate_corpus.py``::

    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 100000 --out c100k.jsonl \\
        --no-jaccard
    PYTHONPATH=src python benchmarks/spark_standalone.py c100k.jsonl --work standalone_work

In order, each ``neardup`` in a fresh process under ``nice``:

* ``local scan``: ``neardup scan CORPUS -w 2 --no-passages -f json`` and ``local dedup``:
  ``neardup dedup CORPUS -w 2`` (no cluster running);
* a master and one worker (``--cores``, ``--worker-memory``) started on 127.0.0.1
  (``standalone.py``), then ``spark scan``: ``neardup scan CORPUS --engine spark
  --spark-master spark://127.0.0.1:PORT`` and ``spark dedup``: ``neardup dedup ... --engine
  spark`` as their driver, the cluster stopped afterwards (also on an error or Ctrl-C).

Compared exactly: the pairs in order (ids, ``exact``, and Jaccard, containment and both
shares as the JSON report writes them, rounded to 6 digits), every document's cluster (its
members in order, representative and similarity, unrounded), the skipped ids, and the
dedup's kept ids in the order written (so the removed ids too). Exit 1 when they differ.

Memory: ``measure.run_measured`` gives the peak of the driver's process tree (``neardup``,
its JVM and Python); the master, worker and executor JVMs (and the executor's Python
workers) are not its children, so :class:`standalone.ClusterSampler` samples them, the
driver and their sum at the same instants, until the run's executor has ended (a few
seconds after its driver; the next run starts after that).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
from measure import Measured, run_measured, src_environment
from standalone import ClusterSampler, driver_environment, standalone

DIGITS = 6  # the JSON report's rounding of a pair's figures
FIGURES = ("jaccard", "containment", "a_in_b", "b_in_a")


@dataclass(frozen=True)
class Answer:
    """What a scan found, in comparable form."""

    pairs: list[tuple[Any, ...]]  # (a, b, exact, jaccard, containment, a_in_b, b_in_a)
    clusters: dict[str, tuple[tuple[str, ...], str, float]]  # id -> members, representative, sim
    skipped: list[str]


def local_answer(report_path: Path) -> Answer:
    """The answer of a local ``scan -f json`` report."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    pairs = [(p["a"], p["b"], p["exact"], *(p[f] for f in FIGURES)) for p in report["pairs"]]
    clusters = {}
    for cluster in report["clusters"]:
        members = tuple(m["id"] for m in cluster["members"])
        for member in cluster["members"]:
            clusters[member["id"]] = (members, cluster["representative"], member["similarity"])
    return Answer(pairs, clusters, [s["id"] for s in report["skipped"]])


def spark_answer(out: Path) -> Answer:
    """The answer of ``scan --engine spark -o OUT`` (Parquet ``pairs/``, ``clusters/``,
    ``skipped/``; part files read in name order, the order Spark wrote them)."""
    import pyarrow.parquet as pq

    pairs = [
        (p["a"], p["b"], p["exact"], *(round(p[f], DIGITS) for f in FIGURES))
        for p in pq.read_table(out / "pairs").to_pylist()
    ]
    rows = pq.read_table(out / "clusters").to_pylist()
    members: dict[str, list[str]] = {}
    for row in rows:
        members.setdefault(row["cluster_id"], []).append(row["id"])
    clusters = {
        r["id"]: (tuple(members[r["cluster_id"]]), r["representative"], r["similarity"])
        for r in rows
    }
    skipped = [str(s["id"]) for s in pq.read_table(out / "skipped").to_pylist()]
    return Answer(pairs, clusters, skipped)


def kept_ids(out: Path) -> list[str]:
    """The ids a dedup kept, in the order written: JSON Lines (local) or Parquet (Spark)."""
    if out.is_file():
        with out.open(encoding="utf-8") as lines:
            return [str(json.loads(line)["id"]) for line in lines]
    import pyarrow.parquet as pq

    return [str(i) for i in pq.read_table(out, columns=["id"]).column("id").to_pylist()]


def differences(local: Answer, spark: Answer) -> list[str]:
    """How ``spark`` differs from ``local``, one line each; empty when the same."""
    said = []
    if spark.pairs != local.pairs:
        ids = {p[:2] for p in spark.pairs} == {p[:2] for p in local.pairs}
        first = next((k for k, (s, o) in enumerate(zip(spark.pairs, local.pairs, strict=False))
                      if s != o), min(len(spark.pairs), len(local.pairs)))
        said.append(f"pairs: {len(spark.pairs)} on Spark, {len(local.pairs)} locally "
                    f"({'the same ids' if ids else 'other ids'}; first difference at {first})")
    if spark.clusters != local.clusters:
        other = sorted(k for k in spark.clusters.keys() | local.clusters.keys()
                       if spark.clusters.get(k) != local.clusters.get(k))
        said.append(f"clusters: {len(other)} documents differ, e.g. {other[:3]}")
    if spark.skipped != local.skipped:
        said.append(f"skipped: {len(spark.skipped)} on Spark, {len(local.skipped)} locally")
    return said


def _run(name: str, command: list[str], env: dict[str, str], work: Path,
         sampler: ClusterSampler | None = None) -> tuple[Measured, dict[str, float]]:
    """One measured command, its standard error (Spark's log lines) in ``work/NAME.log``;
    the cluster's peaks while it ran (empty without a cluster)."""
    log = work / f"{name.replace(' ', '-')}.log"
    if sampler is not None:
        sampler.start()
    with log.open("w", encoding="utf-8") as errors:
        done = run_measured(["nice", *command], env, interval=0.1, stderr=errors)
    peaks: dict[str, float] = {}
    if sampler is not None:  # its executor's memory is sampled until it has ended
        if not sampler.cluster.wait_executors():
            raise SystemExit(f"{name}: the executor did not end within a minute of its driver")
        peaks = sampler.stop()
    if done.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {done.returncode} (log: {log})")
    tail = done.output.strip().splitlines()
    print(f"{name}: {done.seconds:.1f} s, driver tree {done.peak_mb / 1024:.2f} GB"
          + (f", cluster {peaks['cluster'] / 1024:.2f} GB, together "
             f"{peaks['total'] / 1024:.2f} GB" if peaks else "")
          + (f"; {tail[-1]}" if tail else ""), flush=True)
    return done, peaks


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as Ctrl-C: the command running is ended (Ctrl-C reaches it by the terminal),
    the cluster by the ``finally`` of its context (its daemons run in sessions of their own,
    which are left to that)."""
    for child in psutil.Process().children():
        try:
            if os.getsid(child.pid) == os.getsid(0):
                child.terminate()
        except (psutil.Error, OSError):
            continue
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="JSON Lines with id and text")
    parser.add_argument("--work", type=Path, default=Path("spark_standalone_work"),
                        help="outputs, logs and the cluster's directories (emptied first)")
    parser.add_argument("--cores", type=int, default=2, help="the worker's cores")
    parser.add_argument("--worker-memory", default="4g", help="the worker's memory")
    parser.add_argument("--executor-memory", default=None,
                        help="spark.executor.memory (default: Spark's, 1g)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    neardup = [sys.executable, "-m", "neardup"]
    corpus, work = str(args.corpus), args.work
    env = src_environment()
    load_before = os.getloadavg()[0]
    out = {"local scan": work / "local-scan.json", "local dedup": work / "local-dedup.jsonl",
           "spark scan": work / "spark-scan", "spark dedup": work / "spark-dedup"}
    measured: dict[str, tuple[Measured, dict[str, float]]] = {}
    measured["local scan"] = _run("local scan", [
        *neardup, "scan", corpus, "-w", "2", "--no-passages", "-f", "json", "-o",
        str(out["local scan"]), "-q"], env, work)
    measured["local dedup"] = _run("local dedup", [
        *neardup, "dedup", corpus, "-w", "2", "-o", str(out["local dedup"]), "-q"], env, work)
    started = time.perf_counter()
    with standalone(work / "cluster", cores=args.cores, memory=args.worker_memory,
                    env=env) as cluster:
        cluster_start = time.perf_counter() - started
        print(f"master and worker up in {cluster_start:.1f} s: {cluster.master_url}",
              flush=True)
        driver_env = driver_environment(env, executor_memory=args.executor_memory)
        for name, command in (("spark scan", "scan"), ("spark dedup", "dedup")):
            measured[name] = _run(name, [
                *neardup, command, corpus, "--engine", "spark", "--spark-master",
                cluster.master_url, "-o", str(out[name])], driver_env, work,
                ClusterSampler(cluster))
    local, spark = local_answer(out["local scan"]), spark_answer(out["spark scan"])
    said = differences(local, spark)
    kept_local, kept_spark = kept_ids(out["local dedup"]), kept_ids(out["spark dedup"])
    if kept_spark != kept_local:
        said.append(f"dedup: {len(kept_spark)} kept on Spark, {len(kept_local)} locally, "
                    f"{'the same ids' if set(kept_spark) == set(kept_local) else 'other ids'}")
    print(f"\n{'run':12s} {'wall s':>8s} {'driver GB':>10s} {'master':>7s} {'worker':>7s} "
          f"{'executor':>9s} {'cluster':>8s} {'together':>9s}")
    for name, (done, peaks) in measured.items():
        cells = [f"{peaks[k] / 1024:{w}.2f}" if peaks else f"{'-':>{w}s}" for k, w in (
            ("master", 7), ("worker", 7), ("executors", 9), ("cluster", 8), ("total", 9))]
        print(f"{name:12s} {done.seconds:8.1f} {done.peak_mb / 1024:10.2f} " + " ".join(cells))
    documents = json.loads(out["local scan"].read_text(encoding="utf-8"))["counts"]["documents"]
    print(f"\n{documents} documents: {len(local.pairs)} pairs, "
          f"{len({c[0] for c in local.clusters.values()})} clusters, {len(local.skipped)} "
          f"skipped, {documents - len(kept_local)} removed by dedup ({len(kept_local)} kept); "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    _save(work / "results.json", measured, {
        "corpus": corpus, "documents": documents, "pairs": len(local.pairs),
        "kept": len(kept_local), "cluster_start_seconds": cluster_start, "differences": said,
        "load": [load_before, os.getloadavg()[0]]})
    if said:
        print("DIFFERENT ANSWERS:\n  " + "\n  ".join(said))
        return 1
    print("the same pairs, clusters, skipped and kept (removed) ids on both engines")
    return 0


def _save(path: Path, measured: dict[str, tuple[Measured, dict[str, float]]],
          facts: dict[str, Any]) -> None:
    """Every figure, unrounded, as JSON (``work/results.json``)."""
    runs = {name: {"seconds": done.seconds, "cpu_seconds": done.cpu_seconds,
                   "driver_peak_mb": done.peak_mb, "cluster_peaks_mb": peaks}
            for name, (done, peaks) in measured.items()}
    path.write_text(json.dumps({**facts, "runs": runs}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
